"""Each service's full-text search document, on PostgreSQL (docs/decisions/0009).

Service.search_document holds what ServiceQuerySet.matching searches: the
service's name (weight A), its organisation's and its terms' names (B), its
description (C), and its organisation's and terms' descriptions (D). Triggers
write it whenever any of those change, however the change is made (pages,
imports, the admin, bulk loads). A GIN index finds the documents that match.

Computing the documents at query time instead took 300 ms and more a search with
5,000 services; stored, 10 ms; indexed, 1 to 2 ms (docs/benchmarks.md).

On SQLite the column stays empty: matching searches the text itself there.
"""

import django.contrib.postgres.search
from django.db import migrations

CREATE = """
CREATE FUNCTION directory_service_document() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    organisation directory_organisation%ROWTYPE;
    term_names text;
    term_descriptions text;
BEGIN
    SELECT * INTO organisation FROM directory_organisation WHERE id = NEW.organisation_id;
    SELECT string_agg(term.name, ' '), string_agg(term.description, ' ')
      INTO term_names, term_descriptions
      FROM directory_service_taxonomy_terms tagged
      JOIN directory_taxonomyterm term ON term.id = tagged.taxonomyterm_id
     WHERE tagged.service_id = NEW.id;
    NEW.search_document :=
        setweight(to_tsvector('english', NEW.name), 'A')
        || setweight(to_tsvector('english', concat_ws(' ', organisation.name, term_names)), 'B')
        || setweight(to_tsvector('english', NEW.description), 'C')
        || setweight(
            to_tsvector('english', concat_ws(' ', organisation.description, term_descriptions)),
            'D'
        );
    RETURN NEW;
END $$;

CREATE TRIGGER directory_service_document BEFORE INSERT OR UPDATE ON directory_service
    FOR EACH ROW EXECUTE FUNCTION directory_service_document();

-- A change elsewhere touches the services it is part of: the trigger above rewrites them.
CREATE FUNCTION directory_organisation_changes_documents() RETURNS trigger LANGUAGE plpgsql
AS $$
BEGIN
    UPDATE directory_service SET search_document = NULL WHERE organisation_id = NEW.id;
    RETURN NULL;
END $$;

CREATE TRIGGER directory_organisation_changes_documents
    AFTER UPDATE OF name, description ON directory_organisation FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION directory_organisation_changes_documents();

CREATE FUNCTION directory_term_changes_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE directory_service SET search_document = NULL WHERE id IN (
        SELECT service_id FROM directory_service_taxonomy_terms WHERE taxonomyterm_id = NEW.id
    );
    RETURN NULL;
END $$;

CREATE TRIGGER directory_term_changes_documents
    AFTER UPDATE OF name, description ON directory_taxonomyterm FOR EACH ROW
    WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.description IS DISTINCT FROM NEW.description)
    EXECUTE FUNCTION directory_term_changes_documents();

CREATE FUNCTION directory_tagging_changes_documents() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE directory_service SET search_document = NULL WHERE id = OLD.service_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        UPDATE directory_service SET search_document = NULL WHERE id = NEW.service_id;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER directory_tagging_changes_documents
    AFTER INSERT OR UPDATE OR DELETE ON directory_service_taxonomy_terms FOR EACH ROW
    EXECUTE FUNCTION directory_tagging_changes_documents();

CREATE INDEX directory_service_search_document ON directory_service
    USING gin (search_document);

-- Write every existing service's document.
UPDATE directory_service SET search_document = NULL;
"""

DROP = """
DROP INDEX directory_service_search_document;
DROP TRIGGER directory_tagging_changes_documents ON directory_service_taxonomy_terms;
DROP FUNCTION directory_tagging_changes_documents();
DROP TRIGGER directory_term_changes_documents ON directory_taxonomyterm;
DROP FUNCTION directory_term_changes_documents();
DROP TRIGGER directory_organisation_changes_documents ON directory_organisation;
DROP FUNCTION directory_organisation_changes_documents();
DROP TRIGGER directory_service_document ON directory_service;
DROP FUNCTION directory_service_document();
"""


def on_postgresql(sql):
    def run(apps, schema_editor):
        if schema_editor.connection.vendor == "postgresql":
            schema_editor.execute(sql, params=None)

    return run


class Migration(migrations.Migration):
    dependencies = [
        ("directory", "0006_service_order_index"),
    ]

    operations = [
        migrations.AddField(
            model_name="service",
            name="search_document",
            field=django.contrib.postgres.search.SearchVectorField(editable=False, null=True),
        ),
        migrations.RunPython(on_postgresql(CREATE), on_postgresql(DROP)),
    ]
