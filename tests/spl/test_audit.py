import uuid
from types import SimpleNamespace

import pytest
from django.db import DatabaseError, IntegrityError, transaction

from spl import audit
from spl.models import AuditEvent
from spl.request_context import RequestContext, reset_current_request, set_current_request
from tests.factories import PatientFactory

pytestmark = pytest.mark.django_db


def test_changing_a_practice_records_who_changed_it(client_for, practice_manager, practice):
    client_for(practice_manager).post(f"/practices/{practice.pk}/edit/", {"list_size": "9100"})
    event = AuditEvent.objects.get()
    assert (event.actor, event.action, event.object_type, event.object_id) == (
        practice_manager,
        "update",
        "spl.practice",
        str(practice.pk),
    )


def test_audit_event_carries_the_request_id_and_client_address(
    client_for, practice_manager, practice
):
    response = client_for(practice_manager).post(
        f"/practices/{practice.pk}/edit/", {"list_size": "9100"}, REMOTE_ADDR="10.1.2.3"
    )
    event = AuditEvent.objects.get()
    assert str(event.request_id) == response["X-Request-ID"]
    assert event.ip_address == "10.1.2.3"


def test_request_id_from_the_load_balancer_is_kept(client_for, practice_manager, practice):
    request_id = uuid.uuid4()
    client_for(practice_manager).post(
        f"/practices/{practice.pk}/edit/", {"list_size": "9100"}, HTTP_X_REQUEST_ID=str(request_id)
    )
    assert AuditEvent.objects.get().request_id == request_id


def test_a_request_id_that_is_not_a_uuid_is_replaced(client, db):
    response = client.get("/health/", HTTP_X_REQUEST_ID="<script>")
    assert uuid.UUID(response["X-Request-ID"])


def test_a_refused_change_records_nothing(client_for, practice_manager, practice):
    client_for(practice_manager).post(f"/practices/{practice.pk}/edit/", {"list_size": "0"})
    assert not AuditEvent.objects.exists()


def test_record_from_a_service_outside_a_request_has_no_request_id(practice, link_worker):
    event = audit.record(link_worker, audit.VIEW, practice)
    assert event.request_id is None
    assert event.ip_address is None


def test_record_names_the_patient_by_internal_id(practice, link_worker):
    token = set_current_request(RequestContext(request_id=uuid.uuid4(), ip_address=None))
    try:
        # Any model instance stands in for a patient until referrals exist.
        event = audit.record(link_worker, audit.VIEW, practice, patient=link_worker)
    finally:
        reset_current_request(token)
    assert event.patient_id == str(link_worker.pk)


def test_audit_event_cannot_be_saved_again(practice, link_worker):
    event = audit.record(link_worker, audit.VIEW, practice)
    event.action = audit.DELETE
    with pytest.raises(ValueError, match="cannot be changed"):
        event.save()


def test_database_refuses_to_update_an_audit_event(practice, link_worker):
    event = audit.record(link_worker, audit.VIEW, practice)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).update(action=audit.DELETE)
    event.refresh_from_db()
    assert event.action == audit.VIEW


@pytest.mark.postgres
def test_database_refuses_to_delete_an_audit_event(practice, link_worker):
    event = audit.record(link_worker, audit.VIEW, practice)
    with pytest.raises((IntegrityError, DatabaseError)), transaction.atomic():
        AuditEvent.objects.filter(pk=event.pk).delete()
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_a_user_with_audit_history_cannot_be_deleted(practice, link_worker):
    from django.db.models import ProtectedError

    audit.record(link_worker, audit.VIEW, practice)
    with pytest.raises(ProtectedError):
        link_worker.delete()


def test_administrator_can_read_the_audit_trail_in_admin(client_for, administrator, practice):
    event = audit.record(administrator, audit.VIEW, practice)
    client = client_for(administrator)
    assert client.get("/admin/spl/auditevent/").status_code == 200
    page = client.get(f"/admin/spl/auditevent/{event.pk}/change/").content.decode()
    assert 'name="_save"' not in page


def test_admin_cannot_delete_an_audit_event(client_for, administrator, practice):
    event = audit.record(administrator, audit.VIEW, practice)
    response = client_for(administrator).post(
        f"/admin/spl/auditevent/{event.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_cannot_add_an_audit_event(client_for, administrator):
    assert client_for(administrator).get("/admin/spl/auditevent/add/").status_code == 403


def test_link_worker_cannot_read_the_audit_trail(client_for, link_worker):
    assert client_for(link_worker).get("/admin/spl/auditevent/").status_code == 302


def _rows_of(patients):
    return [
        SimpleNamespace(pk=patient.pk, patient=patient, _meta=patient._meta) for patient in patients
    ]


def test_a_lists_rows_are_audited_in_one_query(link_worker, django_assert_num_queries):
    patients = [PatientFactory(), PatientFactory()]
    with django_assert_num_queries(1):
        audit.record_list(link_worker, _rows_of(patients))
    events = AuditEvent.objects.filter(actor=link_worker, action=audit.VIEW)
    assert sorted(events.values_list("patient_id", flat=True)) == sorted(
        str(patient.pk) for patient in patients
    )


def test_a_lists_events_say_what_a_single_event_would(link_worker):
    patient = PatientFactory()
    token = set_current_request(RequestContext(request_id=uuid.uuid4(), ip_address="10.1.2.3"))
    try:
        single = audit.record(link_worker, audit.VIEW, patient, patient=patient)
        audit.record_list(link_worker, _rows_of([patient]))
    finally:
        reset_current_request(token)
    listed = AuditEvent.objects.exclude(pk=single.pk).get()
    columns = ("actor", "action", "object_type", "object_id", "patient_id", "request_id")
    assert [getattr(listed, name) for name in columns] == [
        getattr(single, name) for name in columns
    ]
    assert listed.ip_address == "10.1.2.3"
    assert abs(listed.occurred_at - single.occurred_at).total_seconds() < 5


def test_a_list_longer_than_one_insert_allows_is_audited_in_full(link_worker):
    patients = PatientFactory.create_batch(300)  # SQLite: 124 rows of 8 parameters an INSERT
    audit.record_list(link_worker, _rows_of(patients))
    assert sorted(AuditEvent.objects.values_list("patient_id", flat=True)) == sorted(
        str(patient.pk) for patient in patients
    )
