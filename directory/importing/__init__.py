"""Bulk import into the directory from a file: a CSV spreadsheet
(directory.importing.csv_file) or an Open Referral UK (HSDS-UK 3.0) JSON feed
(directory.importing.oruk).

    report = import_file(upload, pcn=pcn, by=request.user, dry_run=True)

- **Format by content.** JSON (an object or an array, after an optional byte
  order mark and white space) is ORUK; anything else is CSV. Both must be UTF-8.
- **All or nothing.** Everything runs in one transaction, rolled back when any
  row or item is rejected, on a file-level error, and for a dry run: nothing is
  ever half-imported. The report still lists what would have been created,
  updated or deleted. Every row is checked, each in its own savepoint, so a
  database error on one becomes its rejection and the others are still checked.
- **Upsert by id.** An id in the directory is updated, an unknown id created
  with that id. Re-importing a file changes nothing: ids that the source does
  not give are matched by content or derived from it (uuid5 in NAMESPACE).
- **History.** Each record created, changed or deleted gets a ChangeRecord and
  an audit event (directory.history), created in bulk when the import is
  saved; unchanged records record nothing.
- **Scope.** An import changes only the directory it goes into: new
  organisations go into `pcn`, and a change to a record whose organisation is
  not in `pcn`, or that the user does not manage, is rejected, even when the
  user manages that organisation's PCN too; no record ever moves between PCNs.
  Taxonomies and terms belong to no PCN: an import may create them, or name
  them unchanged, but not change them (directory.importing.oruk_taxonomies).
- **Few queries.** Each format loads the records its file names in a few
  queries into the run's directory.importing.records, and records are validated
  by directory.importing.checks, so a row asks the database little more than to
  save what changed.

The modules depend one way: this one reads the file and runs the format's
module (csv_file, or oruk with oruk_taxonomies and oruk_services), which imports
its rows and items through directory.importing.engine (the run, its items and
the report), which keeps records in records and validates them with checks.

Reasons are plain English and name the column (CSV) or field (ORUK) they are
about, so a person can fix the file. Logs carry ids and counts only.
"""

import codecs
import logging

from django.db import transaction

from directory import history
from directory.importing import csv_file, oruk
from directory.importing.engine import ImportReport, Run

logger = logging.getLogger(__name__)

# At most this many rows (CSV) or items (ORUK) in one file; more is a file-level error.
MAX_ITEMS = 10_000
# Files larger than this are refused before they are read as CSV or JSON.
MAX_BYTES = 20 * 1024 * 1024


def import_file(upload, *, pcn, by, dry_run=False):
    """Import a CSV or ORUK JSON file into `pcn`'s directory as user `by` (None
    when run without a user). Never raises for a bad file: its problems are in
    the returned ImportReport, and nothing is saved unless `report.imported`."""
    raw = _read(upload)
    body = raw.removeprefix(codecs.BOM_UTF8).lstrip()
    is_json = body[:1] in (b"{", b"[")
    report = ImportReport(format="oruk" if is_json else "csv", dry_run=dry_run)
    if not body:
        report.errors.append("The file is empty.")
    elif len(raw) > MAX_BYTES:
        report.errors.append(
            f"The file is larger than {MAX_BYTES // (1024 * 1024)} MB: split it into smaller files."
        )
    else:
        try:
            text = raw.decode("utf-8-sig")
        except UnicodeDecodeError:
            text = None
        if text is None or "\x00" in text:
            report.errors.append(
                "The file is not UTF-8 text. In a spreadsheet, save it as “CSV UTF-8”."
            )
        else:
            module = oruk if is_json else csv_file
            parsed = module.parse(text, report, limit=MAX_ITEMS)
            if not report.errors:
                with transaction.atomic():
                    run = Run(pcn=pcn, by=by, report=report)
                    module.load(run, parsed)
                    if report.imported:
                        history.save_all(run.history)
                    else:
                        transaction.set_rollback(True)
    logger.info(
        "Directory import (%s%s) into PCN %s by user %s: %s",
        report.format,
        ", dry run" if dry_run else "",
        pcn.pk,
        by.pk if by else None,
        report.counts(),
    )
    return report


def _read(upload):
    if hasattr(upload, "seek"):
        upload.seek(0)
    data = upload.read(MAX_BYTES + 1)
    return data.encode() if isinstance(data, str) else bytes(data)
