"""The audit trail: one line to record who viewed or changed what.

    audit.record(request.user, audit.VIEW, practice)
    audit.record(by, audit.UPDATE, referral, patient=referral.patient)
    audit.record_list(request.user, page)  # a list: each row shown

The request id and client address come from the request being served (set by
`spl.middleware.RequestContextMiddleware`), so services can call this without
being handed the request. Only ids are stored: never names or NHS numbers.
"""

from contextlib import nullcontext

from django.db import connection, transaction

from spl.models import AuditEvent
from spl.request_context import current_request

VIEW = AuditEvent.Action.VIEW
CREATE = AuditEvent.Action.CREATE
UPDATE = AuditEvent.Action.UPDATE
DELETE = AuditEvent.Action.DELETE
EXPORT = AuditEvent.Action.EXPORT


def record(actor, action, obj, *, patient=None):
    event = unsaved(actor, action, obj, patient=patient)
    event.save()
    return event


def record_list(actor, rows):
    """A list page showed these rows of personal data: one view event each,
    written in one INSERT. `rows` are records with a `patient`."""
    rows = list(rows)
    if not rows:
        return
    # What the events share is made ready for the database once: a model
    # instance and the ORM's INSERT for each of a page's 25 rows were 1 ms of
    # Python on every list page.
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    shared = unsaved(actor, VIEW, rows[0])
    values = {f.attname: f.get_db_prep_save(getattr(shared, f.attname), connection) for f in fields}
    batch = connection.ops.bulk_batch_size(fields, rows)
    # Alone, the INSERT is atomic; in batches (SQLite limits the parameters of
    # one), all are written or none.
    atomic = transaction.atomic() if len(rows) > batch else nullcontext()
    with atomic, connection.cursor() as cursor:
        for start in range(0, len(rows), batch):
            chunk = rows[start : start + batch]
            params = []
            for row in chunk:
                values.update(
                    object_type=row._meta.label_lower,
                    object_id=str(row.pk),
                    patient_id=str(row.patient.pk),
                )
                params.extend(values[field.attname] for field in fields)
            cursor.execute(_insert_sql(fields, len(chunk)), params)


def _insert_sql(fields, rows):
    ops = connection.ops
    one = f"({', '.join(['%s'] * len(fields))})"
    return "INSERT INTO {} ({}) VALUES {}".format(  # noqa: S608 - our names, values as parameters
        ops.quote_name(AuditEvent._meta.db_table),
        ", ".join(ops.quote_name(field.column) for field in fields),
        ", ".join([one] * rows),
    )


def unsaved(actor, action, obj, *, patient=None):
    """The event `record` saves, not yet saved: for writing many in one query
    (`AuditEvent.objects.bulk_create`), as a bulk import does."""
    context = current_request()
    return AuditEvent(
        actor=actor if actor is not None and actor.is_authenticated else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        patient_id=str(patient.pk) if patient is not None else "",
        request_id=context.request_id if context else None,
        ip_address=context.ip_address if context else None,
    )
