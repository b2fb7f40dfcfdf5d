"""Reading the cells of a CSV row (directory.importing.csv_file) as its columns say:
a cell that cannot be read is a reason to reject the row, naming the column."""

from directory import taxonomy
from directory.importing.engine import parse_uuid
from directory.models import TaxonomyTerm

YES = {"yes", "y", "true", "1"}
NO = {"no", "n", "false", "0"}


class Row:
    """One row's cells, read as the columns say; a bad cell is a reason."""

    def __init__(self, item, values):
        self.item = item
        self.values = values

    def text(self, column):
        return self.values.get(column, "")

    def uuid(self, column):
        value = self.text(column)
        if not value:
            return None
        found = parse_uuid(value)
        if found is None:
            self.item.reject(f"{column}: must be an id from the directory (a UUID), or blank")
        return found

    def number(self, column):
        value = self.text(column)
        if value and not value.isdigit():
            self.item.reject(f"{column}: enter a whole number, like 12")
            return None
        return int(value) if value else None

    def yes_no(self, column):
        value = self.text(column).lower()
        if value and value not in YES | NO:
            self.item.reject(f"{column}: enter yes or no")
        return value in YES if value in YES | NO else None

    def choice(self, column, choices):
        value = self.text(column).lower()
        if value and value not in choices:
            self.item.reject(f"{column}: enter one of {', '.join(choices)}")
            return None
        return value or None

    def terms(self, column, definition):
        """The seeded terms for the codes in `column`, or None when it is blank."""
        value = self.text(column)
        if not value:
            return None
        codes = [code.strip().lower() for code in value.split(";") if code.strip()]
        known = {code for code, *_ in definition["terms"]}
        if unknown := [code for code in codes if code not in known]:
            self.item.reject(
                f"{column}: unknown {'code' if len(unknown) == 1 else 'codes'} "
                f"{', '.join(unknown)}; use {', '.join(sorted(known))}"
            )
            return None
        ids = [taxonomy.term_id(definition, code) for code in codes]
        found = self.item.run.records.get_many(TaxonomyTerm, ids)
        if len(found) < len(set(ids)):
            self.item.reject(f"{column}: SPL's taxonomy is missing from the database")
            return None
        return list(found.values())

    def set(self, obj, names):
        """Copy non-blank cells onto `obj`: {model field: column}."""
        for name, column in names.items():
            if value := self.text(column):
                setattr(obj, name, value)
