"""Make the audit trail append-only in the database itself.

PostgreSQL refuses UPDATE and DELETE of audit rows (TRUNCATE, which only the
table owner can run, stays possible for test database resets). SQLite, the
embedded development database, refuses UPDATE; it keeps DELETE because its
test database is reset with DELETE.
"""

from django.db import migrations

POSTGRES_FORWARD = """
CREATE FUNCTION spl_audit_event_is_append_only() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit events are append-only (% refused)', TG_OP
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER spl_audit_event_append_only
    BEFORE UPDATE OR DELETE ON spl_auditevent
    FOR EACH ROW EXECUTE FUNCTION spl_audit_event_is_append_only();
"""
POSTGRES_REVERSE = """
DROP TRIGGER spl_audit_event_append_only ON spl_auditevent;
DROP FUNCTION spl_audit_event_is_append_only();
"""
SQLITE_FORWARD = """
CREATE TRIGGER spl_audit_event_append_only
BEFORE UPDATE ON spl_auditevent
BEGIN
    SELECT RAISE(ABORT, 'audit events are append-only (UPDATE refused)');
END;
"""
SQLITE_REVERSE = "DROP TRIGGER spl_audit_event_append_only;"


def forward(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_FORWARD, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_FORWARD, params=None)


def reverse(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "postgresql":
        schema_editor.execute(POSTGRES_REVERSE, params=None)
    elif vendor == "sqlite":
        schema_editor.execute(SQLITE_REVERSE, params=None)


class Migration(migrations.Migration):
    dependencies = [("spl", "0001_initial")]

    operations = [migrations.RunPython(forward, reverse)]
