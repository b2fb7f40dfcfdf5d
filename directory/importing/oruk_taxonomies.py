"""Taxonomies and taxonomy terms from an Open Referral UK file
(directory.importing.oruk explains the format and what is imported).

A term names its taxonomy by taxonomy_id, else by name (`taxonomy`), and the
taxonomy is created if need be. A term's code is its `code`, `term` or, for a
new one, its name, made unique within its taxonomy.

Taxonomies and terms are shared by every PCN's directory, so an import may
create them, and may name existing ones unchanged, but a change to an existing
one (even one an earlier item of the same file created) is rejected: only an
administrator changes them. SPL's seeded taxonomies and terms
(directory.taxonomy) may not even gain a new term, as referral reasons are
matched to them.
"""

from django.utils.text import slugify

from directory import taxonomy as seeded
from directory.importing.engine import derived_id, parse_uuid
from directory.importing.oruk_values import copy_keys, names_for, read_id, read_list
from directory.models import Taxonomy, TaxonomyTerm

SEEDED_TAXONOMIES = {seeded.taxonomy_id(taxonomy) for taxonomy in seeded.TAXONOMIES}
SEEDED_TERMS = {
    seeded.term_id(taxonomy, code)
    for taxonomy in seeded.TAXONOMIES
    for code, *_ in taxonomy["terms"]
}
SEEDED = "part of SPL's own taxonomy, used to match referral reasons"
SHARED = "taxonomies are shared by every PCN's directory: ask an administrator to change it"

# {ORUK key: model field}, for the fields copied as they are.
TAXONOMY_FIELDS = {"name": "name", "description": "description", "uri": "uri", "version": "version"}
TERM_FIELDS = {"name": "name", "description": "description", "term_uri": "term_uri"}


def parents_first(tasks, data_of=lambda task: task[1]):
    """Terms ordered so that a parent in the same file comes before its children."""
    by_id = {}
    for task in tasks:
        by_id.setdefault(str(data_of(task).get("id")), task)
    done, ordered = set(), []
    for task in tasks:
        chain, in_chain = [], set()
        node = task
        while node is not None and id(node) not in done and id(node) not in in_chain:
            chain.append(node)
            in_chain.add(id(node))
            node = by_id.get(str(data_of(node).get("parent_id")))
        for node in reversed(chain):
            done.add(id(node))
            ordered.append(node)
    return ordered


def import_taxonomy(item, data, prefix):
    taxonomy_id = read_id(item, data, prefix)
    if taxonomy_id is None:
        return
    row = item.run.records.get(Taxonomy, taxonomy_id) or Taxonomy(id=taxonomy_id)
    copy_keys(item, row, data, TAXONOMY_FIELDS, prefix)
    action = item.save(row, "taxonomy", prefix=prefix)
    if action and taxonomy_id in SEEDED_TAXONOMIES:
        item.reject(f"{prefix}id: {SEEDED}")
    elif action == "update":
        item.reject(f"{prefix}id: {SHARED}")
    terms = read_list(item, data, "taxonomy_terms", prefix) or []
    numbered = [(n, term) for n, term in enumerate(terms) if isinstance(term, dict)]
    for n, term in parents_first(numbered, data_of=lambda pair: pair[1]):
        import_term(item, term, f"{prefix}taxonomy_terms[{n}].", taxonomy=row)


def import_term(item, data, prefix, taxonomy=None):
    records = item.run.records
    term_id = read_id(item, data, prefix)
    if term_id is None:
        return
    existing = records.get(TaxonomyTerm, term_id)
    taxonomy = taxonomy or _term_taxonomy(item, data, prefix, existing)
    if taxonomy is None:
        return
    term = existing or TaxonomyTerm(id=term_id)
    term.taxonomy = taxonomy
    copy_keys(item, term, data, TERM_FIELDS, prefix)
    source = data.get("code") or data.get("term") or (data.get("name") if not existing else None)
    if source:
        term.code = _unique_code(records, taxonomy, slugify(str(source)), term_id)
    if "parent_id" in data:
        term.parent = None
        if data["parent_id"]:
            parent_id = parse_uuid(data["parent_id"])
            parent = records.get(TaxonomyTerm, parent_id)
            if parent is None or parent_id == term_id:
                item.warn(
                    f"{prefix}parent_id: no other taxonomy term has the id "
                    f"{data['parent_id']}, so the term was imported without a parent"
                )
            else:
                term.parent = parent
    fields = names_for(TERM_FIELDS, code="term", taxonomy="taxonomy_id", parent="parent_id")
    action = item.save(term, "taxonomy term", fields=fields, prefix=prefix, parents=["taxonomy"])
    if action and (term_id in SEEDED_TERMS or taxonomy.pk in SEEDED_TAXONOMIES):
        item.reject(f"{prefix}id: {SEEDED}")
    elif action == "update":
        item.reject(f"{prefix}id: {SHARED}")


def _term_taxonomy(item, data, prefix, existing):
    """The taxonomy a term names, by id or else by name, created if need be."""
    records = item.run.records
    name = data.get("taxonomy")
    name = name.strip() if isinstance(name, str) else ""
    if data.get("taxonomy_id"):
        taxonomy_id = parse_uuid(data["taxonomy_id"])
        if taxonomy_id is None:
            item.reject(f"{prefix}taxonomy_id: must be a UUID")
            return None
        row = records.get(Taxonomy, taxonomy_id)
        if row is None and not name:
            item.reject(
                f"{prefix}taxonomy_id: no taxonomy has this id; give its name in "
                "“taxonomy” to create it"
            )
            return None
        return row or _new_taxonomy(item, taxonomy_id, name, prefix)
    if name:
        taxonomy_id = derived_id("taxonomy", name)
        row = records.get(Taxonomy, taxonomy_id)
        if row is None:
            named = records.filter(Taxonomy, name=name)
            row = named[0] if named else None
        return row or _new_taxonomy(item, taxonomy_id, name, prefix)
    if existing is not None:
        return records.get(Taxonomy, existing.taxonomy_id)
    item.reject(f"{prefix}taxonomy: a new term needs its taxonomy (taxonomy_id or taxonomy)")
    return None


def _new_taxonomy(item, taxonomy_id, name, prefix):
    row = Taxonomy(id=taxonomy_id, name=name, description="Created by an import, for its terms")
    item.save(row, "taxonomy", fields={"name": "taxonomy"}, prefix=prefix)
    return row


def _unique_code(records, taxonomy, base, term_id):
    def taken(code):
        terms = records.values_list(TaxonomyTerm, "pk", code=code, taxonomy_id=taxonomy.pk)
        return any(pk != term_id for (pk,) in terms)

    base = (base or "term")[:100]
    code, number = base, 2
    while taken(code):
        suffix = f"-{number}"
        code, number = base[: 100 - len(suffix)] + suffix, number + 1
    return code
