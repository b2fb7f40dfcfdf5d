"""The audit trail: one line to record who viewed or changed what.

    audit.record(request.user, audit.VIEW, practice)
    audit.record(by, audit.UPDATE, referral, patient=referral.patient)
    audit.record_list(request.user, page)  # a list: each row shown

The request id and client address come from the request being served (set by
`spl.middleware.RequestContextMiddleware`), so services can call this without
being handed the request. Only ids are stored: never names or NHS numbers.
"""

from django.db import connection

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


def record_list(actor, referrals):
    """A list page showed these rows of personal data: one view event each,
    written in one query. `referrals` are records with a `patient`."""
    events = [unsaved(actor, VIEW, row, patient=row.patient) for row in referrals]
    if not events:
        return
    fields = [field for field in AuditEvent._meta.concrete_fields if not field.primary_key]
    if len(events) > connection.ops.bulk_batch_size(fields, events):
        AuditEvent.objects.bulk_create(events)  # in batches, in a transaction
    else:
        # One INSERT, atomic on its own. bulk_create wraps even one in BEGIN
        # and COMMIT: two more round trips on every list page.
        AuditEvent.objects._insert(events, fields)


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
