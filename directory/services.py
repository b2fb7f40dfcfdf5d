"""Writes to the directory: quality checks and the assurance they give an
organisation, new, changed and removed records, and files queued to import.

Every write records who made it, in the same transaction: a ChangeRecord with
the fields that changed and an audit event (directory.history).
"""

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from directory import history, tasks
from directory.importing import jobs
from directory.models import DirectoryImport, Organisation, QualityCheck, Service

logger = logging.getLogger(__name__)


@transaction.atomic
def record_check(*, organisation, kind, evidence, checked_on, expires_on, by):
    """Record a quality check of `organisation` and recompute its assurance."""
    check = QualityCheck(
        organisation=organisation,
        kind=kind,
        evidence=(evidence or "").strip(),
        checked_on=checked_on,
        expires_on=expires_on,
        checked_by=by,
    )
    # Date errors belong to a field, so a form shows them next to it; the
    # database's check constraint remains the backstop.
    errors = {}
    if checked_on and checked_on > timezone.localdate():
        errors["checked_on"] = ["The date of the check cannot be in the future"]
    if checked_on and expires_on and expires_on <= checked_on:
        errors["expires_on"] = ["The expiry date must be after the date of the check"]
    try:
        check.full_clean(exclude=list(errors))
    except ValidationError as error:
        errors = error.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)
    check.save()
    refresh_assurance(organisation)
    history.record(check, "create", history.changes_to(check, stored=None), by)
    logger.info(
        "Quality check %s (%s) recorded for organisation %s by user %s",
        check.pk,
        kind,
        organisation.pk,
        by.pk,
    )
    return check


@transaction.atomic
def refresh_assurance(organisation):
    """Recompute the organisation's assurance from its checks and store it.

    Covered until the earliest expiry among the newest check of each kind; not
    covered at all while any kind has never been checked. `assured_on` and
    `assurer` come from the newest check of any kind.
    """
    # Lock the organisation first: of two checks recorded at once, the second
    # waits here and then reads both.
    stored = (
        Organisation.objects.select_for_update()
        .values("assured_until", "assured_on", "assurer_id")
        .get(pk=organisation.pk)
    )
    checks = list(QualityCheck.objects.current().filter(organisation=organisation))
    every_kind = {check.kind for check in checks} == set(QualityCheck.Kind.values)
    newest = max(checks, key=lambda check: (check.checked_on, check.pk), default=None)
    assurance = {
        "assured_until": min(check.expires_on for check in checks) if every_kind else None,
        "assured_on": newest.checked_on if newest else None,
        "assurer_id": newest.checked_by_id if newest else None,
    }
    if assurance != stored:
        # The API publishes assured_date and assurer_email on each service, and
        # ORUK's last_modified covers "any related information about the
        # service": a change here is a modification of the organisation and of
        # its services, so consumers syncing by last_modified fetch them again.
        # A check that changes none of these (a renewal of a kind that does not
        # set the earliest expiry, on an older date) modifies nothing published.
        now = timezone.now()
        Organisation.objects.filter(pk=organisation.pk).update(**assurance, last_modified=now)
        Service.objects.filter(organisation=organisation).update(last_modified=now)
        organisation.last_modified = now
    for name, value in assurance.items():
        setattr(organisation, name, value)
    return organisation


@transaction.atomic
def save_record(*, instance, by, **values):
    """Save a new or changed directory record (an organisation, a place, a
    service's contact or opening times…) with `values`, and record what changed.

    `values` are its fields' new values; a many-to-many field's value is the
    objects it should hold. Raises ValidationError, as full_clean does, when they
    are not valid. Saving a record with nothing changed records nothing and
    leaves last_modified alone.
    """
    model = type(instance)
    stored = None
    if not instance._state.adding:
        stored = model._default_manager.select_for_update().get(pk=instance.pk)
    many = {}
    for name, value in values.items():
        if model._meta.get_field(name).many_to_many:
            many[name] = value
        else:
            setattr(instance, name, value)
    instance.full_clean()
    changes = history.changes_to(instance, stored=stored, many=many)
    if stored is not None and not changes:
        return instance
    instance.save()
    for name, objects in many.items():
        if name in changes:
            getattr(instance, name).set(objects)
    action = "create" if stored is None else "update"
    history.record(instance, action, changes, by)
    logger.info(
        "%s %s %sd by user %s", model._meta.label, instance.pk, action, by.pk if by else None
    )
    return instance


def save_service(*, service, by, **values):
    """Save a new or changed service with `values`, as save_record does (in its
    transaction); its capacity values stamp capacity_updated_at when they are new
    or change (Service.set_capacity)."""
    capacity = {name: values.pop(name) for name in Service.CAPACITY_FIELDS if name in values}
    service.set_capacity(**capacity)
    return save_record(instance=service, by=by, **values)


@transaction.atomic
def delete_record(*, instance, by):
    """Delete a directory record, recording the values it had and an audit event."""
    history.record(instance, "delete", history.deletion(instance), by)
    logger.info(
        "%s %s deleted by user %s", instance._meta.label, instance.pk, by.pk if by else None
    )
    instance.delete()


def queue_import(*, upload, pcn, by, dry_run):
    """Store an uploaded file to import into `pcn`'s directory, and ask the worker
    to import it once this transaction commits (directory.importing.jobs)."""
    jobs.give_up_stalled()
    job = DirectoryImport.objects.create(
        pcn=pcn, created_by=by, filename=upload.name[:255], content=upload.read(), dry_run=dry_run
    )

    def start():
        try:
            tasks.run_import.delay(str(job.pk))
        except Exception:  # the broker is down: say so rather than wait for ever
            logger.exception("Directory import %s could not be queued", job.pk)
            report = {"errors": [jobs.NOT_STARTED], "ok": False}
            jobs.finish(job, DirectoryImport.State.FAILED, report)

    transaction.on_commit(start)
    logger.info("Directory import %s queued by user %s", job.pk, by.pk)
    return job
