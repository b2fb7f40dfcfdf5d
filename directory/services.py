"""Writes to the directory: quality checks and the assurance they give an
organisation, the change history of edited records, and the daily emails about
checks that are running out.

Every write records who made it: a `ChangeRecord` with the fields that changed
and an audit event, in the same transaction.
"""

import datetime
import logging
from collections import defaultdict

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.template.loader import render_to_string
from django.utils import timezone

from directory.models import (
    EXPIRY_WARNING_DAYS,
    ChangeRecord,
    Organisation,
    QualityCheck,
    QualityCheckNotice,
    Service,
)
from spl import audit
from spl.models import AuditEvent

logger = logging.getLogger(__name__)

# Who is told about checks running out: the people who can record a new one.
RENEWER_PERMISSION = ("directory", "add_qualitycheck")
# Rows per INSERT when history is created in bulk.
HISTORY_BATCH = 500


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
    _record_change(check, "create", _changes({}, _snapshot(check)), by)
    audit.record(by, audit.CREATE, check)
    logger.info(
        "Quality check %s (%s) recorded for organisation %s by user %s",
        check.pk, kind, organisation.pk, by.pk,
    )  # fmt: skip
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
def save_with_history(*, by, form=None, instance=None):
    """Save a new or changed directory record (Organisation, Service, Location…)
    and record what changed: a ChangeRecord of `{field: [before, after]}` and an
    audit event.

    Pass a valid ModelForm (`form=`; its many-to-many fields, such as a service's
    taxonomy terms, are recorded too) or an instance with its new values set
    (`instance=`; validated here with full_clean). Saving with nothing changed
    records nothing and leaves last_modified alone.
    """
    if (form is None) == (instance is None):
        raise TypeError("Pass either form or instance")
    if form is not None:
        instance = form.save(commit=False)
        many = [
            field.name for field in instance._meta.many_to_many if field.name in form.cleaned_data
        ]
    else:
        instance.full_clean()
        many = []
    adding = instance._state.adding
    before = {}
    if not adding:
        stored = type(instance)._default_manager.select_for_update().get(pk=instance.pk)
        before = _snapshot(stored, many)
    after = _snapshot(instance, many)
    if form is not None:
        # The form's many-to-many choices are not on the instance until saved.
        after |= {name: _pks(form.cleaned_data[name]) for name in many}
    changes = _changes(before, after)
    if not changes and not adding:
        return instance
    instance.save()
    if form is not None:
        form.save_m2m()
    _record_change(instance, "create" if adding else "update", changes, by)
    audit.record(by, audit.CREATE if adding else audit.UPDATE, instance)
    logger.info(
        "%s %s %s by user %s",
        instance._meta.label, instance.pk, "created" if adding else "updated",
        by.pk if by else None,
    )  # fmt: skip
    return instance


# Bulk imports write thousands of records in one transaction, with a savepoint
# per row. They hold each record as their transaction last read (locked) or
# saved it, and validate it themselves, so these do neither; and they create the
# history in bulk once every row is checked.


def changes_to(instance, *, stored, many=None, stored_many=None):
    """What saving `instance` changes, as save_with_history records it:
    `{field: [before, after]}`. `stored` is the record as the database has it
    (None for a new one); `many` maps many-to-many fields to the objects they
    should hold, and `stored_many` to the ids they hold now (as sorted strings)."""
    many = many or {}
    before = {}
    if stored is not None:
        before = _snapshot(stored) | {name: list(stored_many[name]) for name in many}
    after = _snapshot(instance) | {name: _pks(objects) for name, objects in many.items()}
    return _changes(before, after)


def save_changes(*, by, instance, changes, many=None, history):
    """Save a validated new or changed `instance` (its `changes` from changes_to)
    without a savepoint of its own, adding its ChangeRecord and audit event to
    `history`, unsaved, for record_history. Returns "create" or "update"."""
    adding = instance._state.adding
    instance.save()
    for name, objects in (many or {}).items():
        if name in changes and adding:
            getattr(instance, name).add(*objects)
        elif name in changes:
            getattr(instance, name).set(objects)
    action = "create" if adding else "update"
    history += history_of(instance, action, changes, by)
    logger.debug(
        "%s %s %sd by user %s", instance._meta.label, instance.pk, action, by.pk if by else None
    )
    return action


def history_of(instance, action, changes, by):
    """The ChangeRecord and audit event of one write, unsaved."""
    event = audit.unsaved(by, AuditEvent.Action(action), instance)
    return [_change_record(instance, action, changes, by), event]


def record_history(history):
    """Create the ChangeRecords and audit events from history_of, in bulk."""
    for model in (ChangeRecord, AuditEvent):
        model.objects.bulk_create(
            [row for row in history if type(row) is model], batch_size=HISTORY_BATCH
        )


@transaction.atomic
def delete_with_history(*, by, instance, history=None):
    """Delete a directory record, recording the values it had and an audit event
    (or adding them to `history`, unsaved: see save_changes)."""
    changes = _changes({}, _snapshot(instance))
    changes = {name: [after, None] for name, (_, after) in changes.items()}
    if history is not None:
        history += history_of(instance, "delete", changes, by)
    else:
        _record_change(instance, "delete", changes, by)
        audit.record(by, audit.DELETE, instance)
    logger.debug(
        "%s %s deleted by user %s", instance._meta.label, instance.pk, by.pk if by else None
    )
    instance.delete()


def notify_expiring_checks(today=None):
    """Email directory managers about quality checks that expire within
    EXPIRY_WARNING_DAYS or have lapsed, once per check and state.

    Only the newest check of each kind counts: a check already renewed is never
    reported. One email per organisation lists its checks, to the active users
    who can record checks (directory managers) in the organisation's PCN. Each
    check is claimed by creating its QualityCheckNotice (unique per check and
    state), so two runs at once, or one run twice, never tell anyone twice. An
    organisation whose PCN has no directory manager yet is not claimed, so it
    is reported once someone can act on it.

    Returns the number of checks reported in each state and of emails sent.
    """
    today = today or timezone.localdate()
    warn_until = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    due = list(
        QualityCheck.objects.current()
        .filter(expires_on__lte=warn_until)
        .select_related("organisation__pcn")
        .order_by("organisation__name", "organisation", "expires_on", "kind")
    )
    told = set(
        QualityCheckNotice.objects.filter(check_record__in=due).values_list(
            "check_record_id", "state"
        )
    )
    by_organisation = defaultdict(list)
    for check in due:
        state = check.state_on(today)
        if (check.pk, state) not in told:
            by_organisation[check.organisation].append((check, state))
    recipients = _directory_managers({organisation.pcn_id for organisation in by_organisation})

    counts = {"expiring": 0, "lapsed": 0, "emails": 0}
    for organisation, checks in by_organisation.items():
        to = recipients.get(organisation.pcn_id)
        if not to:
            logger.warning(
                "No directory manager to tell about quality checks of organisation %s "
                "in PCN %s", organisation.pk, organisation.pcn_id,
            )  # fmt: skip
            continue
        claimed = [(check, state) for check, state in checks if _claim(check, state)]
        if not claimed:
            continue
        try:
            subject, body = _render_expiry_email(organisation, claimed, today)
            send_mail(subject, body, None, to)
        except Exception:
            # Un-claim, so the next run (or the task's retry) sends them.
            for check, state in claimed:
                QualityCheckNotice.objects.filter(check_record=check, state=state).delete()
            raise
        for _, state in claimed:
            counts[state] += 1
        counts["emails"] += 1
        logger.info(
            "Told %d directory managers about %d quality checks of organisation %s",
            len(to), len(claimed), organisation.pk,
        )  # fmt: skip
    return counts


def _claim(check, state):
    try:
        with transaction.atomic():
            QualityCheckNotice.objects.create(check_record=check, state=state)
    except IntegrityError:
        return False  # another run got there first
    return True


def _directory_managers(pcn_ids):
    """{pcn id: [email, ...]} of the active users in each PCN who can record checks."""
    app_label, codename = RENEWER_PERMISSION
    permission = Permission.objects.filter(
        content_type__app_label=app_label, codename=codename
    ).first()
    if permission is None or not pcn_ids:
        return {}
    rows = (
        get_user_model()
        .objects.filter(
            Q(groups__permissions=permission) | Q(user_permissions=permission),
            is_active=True,
            memberships__pcn__in=pcn_ids,
        )
        .values_list("memberships__pcn", "email")
        .distinct()
        .order_by("email")
    )
    emails = defaultdict(list)
    for pcn_id, email in rows:
        if pcn_id in pcn_ids:
            emails[pcn_id].append(email)
    return emails


def _render_expiry_email(organisation, claimed, today):
    context = {
        "organisation": organisation,
        "lapsed": [check for check, state in claimed if state == "lapsed"],
        "expiring": [check for check, state in claimed if state == "expiring"],
        "warning_days": EXPIRY_WARNING_DAYS,
        "link": settings.SITE_URL + organisation.get_absolute_url(),
        "service_name": settings.SERVICE_NAME,
    }
    subject = f"Quality checks to renew: {organisation.name}"
    return subject, render_to_string("emails/quality_check_expiry.txt", context)


# Change history


def _tracked_fields(model):
    """The fields a person edits: not the id, timestamps or values the
    application keeps itself (such as an organisation's assurance)."""
    return [
        field
        for field in model._meta.concrete_fields
        if field.editable
        and not field.primary_key
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    ]


def _snapshot(instance, many=()):
    values = {
        field.name: getattr(instance, field.attname) for field in _tracked_fields(type(instance))
    }
    for name in many:
        values[name] = _pks(getattr(instance, name).all()) if not instance._state.adding else []
    return values


def _pks(objects):
    return sorted(str(obj.pk) for obj in objects)


def _changes(before, after):
    """{field: [before, after]} for the fields whose value changed, as JSON.

    Values compare as Python values, so 53.8 and 53.800000 are the same number.
    A new record lists the fields it was created with.
    """
    return {
        name: [_json(before.get(name)), _json(value)]
        for name, value in after.items()
        if (name in before and before[name] != value)
        or (name not in before and value not in (None, "", []))
    }


def _json(value):
    if value is None or isinstance(value, bool | int | float | str | list):
        return value
    try:
        # Dates and times as ISO 8601, decimals and UUIDs as strings.
        return DjangoJSONEncoder().default(value)
    except TypeError:
        return str(value)


def _record_change(instance, action, changes, by):
    record = _change_record(instance, action, changes, by)
    record.save(force_insert=True)
    return record


def _change_record(instance, action, changes, by):
    return ChangeRecord(
        object_type=instance._meta.label_lower,
        object_id=str(instance.pk),
        object_name=str(instance)[:200],
        organisation_id=_organisation_id(instance),
        changed_by=by if by is not None and by.is_authenticated else None,
        action=action,
        changes=changes,
    )


def _organisation_id(instance):
    """The organisation a directory record belongs to; None for taxonomies."""
    if isinstance(instance, Organisation):
        return instance.pk
    if hasattr(instance, "organisation_id"):
        return instance.organisation_id
    if hasattr(instance, "service_id"):  # a service's contacts, schedules, costs...
        if type(instance).service.is_cached(instance):
            return instance.service.organisation_id
        return (
            Service.objects.filter(pk=instance.service_id)
            .values_list("organisation_id", flat=True)
            .first()
        )
    return None
