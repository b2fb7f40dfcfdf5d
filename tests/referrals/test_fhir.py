"""POST /api/fhir/ServiceRequest and GET /api/fhir/ServiceRequest/<reference>."""

import copy
import datetime
import json
import logging

import pytest
from django.db import IntegrityError
from fhir.resources.R4B.operationoutcome import OperationOutcome
from fhir.resources.R4B.servicerequest import ServiceRequest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from referrals import api
from referrals.fhir import CONSENT_EXTENSION, NHS_NUMBER_SYSTEM, ODS_CODE_SYSTEM, REASON_SYSTEM
from referrals.models import ApiClient, Patient, Reason, Referral, Route, Status, Urgency
from spl.models import AuditEvent
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db
URL = "/api/fhir/ServiceRequest"
NHS_NUMBER = "9434765919"
SR = "ServiceRequest"
PATIENT = "ServiceRequest.contained[0]"
NHS_NUMBER_AT = f"{PATIENT}.identifier.where(system='{NHS_NUMBER_SYSTEM}').value"
PRACTICE_AT = f"{PATIENT}.generalPractitioner.identifier.where(system='{ODS_CODE_SYSTEM}')"


def service_request(practice, **changes):
    """A referral as a community pharmacy's system would send it: a UK Core
    ServiceRequest with the person as a contained Patient."""
    body = {
        "resourceType": "ServiceRequest",
        "meta": {"profile": ["https://fhir.hl7.org.uk/StructureDefinition/UKCore-ServiceRequest"]},
        "contained": [patient_resource(practice)],
        "extension": [{"url": CONSENT_EXTENSION, "valueBoolean": True}],
        "identifier": [
            {"system": "https://pharmacy.example.org/referrals", "value": "REF-2026-0001"}
        ],
        "status": "active",
        "intent": "order",
        "priority": "urgent",
        "code": {
            "coding": [
                {
                    "system": "http://snomed.info/sct",
                    "code": "871731000000106",
                    "display": "Referral to social prescribing service",
                }
            ]
        },
        "subject": {"reference": "#patient"},
        "authoredOn": "2026-03-02T10:15:00+00:00",
        "requester": {"display": "Sam Okafor, community pharmacist"},
        "reasonCode": [
            {"coding": [{"system": REASON_SYSTEM, "code": "loneliness"}]},
            {"text": "Struggling to pay for heating"},
        ],
        "note": [{"text": "Lives alone since her husband died in the autumn."}],
    }
    return {**body, **changes}


def patient_resource(practice, **changes):
    return {
        "resourceType": "Patient",
        "id": "patient",
        "identifier": [{"system": NHS_NUMBER_SYSTEM, "value": "943 476 5919"}],
        "name": [
            {"use": "usual", "given": ["Jo"], "family": "Bloggs"},
            {"use": "official", "given": ["Joanne", "Mary"], "family": "Bloggs"},
        ],
        "gender": "female",
        "birthDate": "1958-04-12",
        "address": [{"line": ["1 Park Row", "Holbeck"], "city": "Leeds", "postalCode": "ls1 4ap"}],
        "telecom": [
            {"system": "phone", "value": "0113 496 0000"},
            {"system": "email", "value": "jo@example.org"},
        ],
        "generalPractitioner": [
            {"identifier": {"system": ODS_CODE_SYSTEM, "value": practice.ods_code}}
        ],
        **changes,
    }


def with_patient(practice, **changes):
    """The example with the contained Patient changed (None removes an element)."""
    patient = {k: v for k, v in patient_resource(practice, **changes).items() if v is not None}
    return service_request(practice, contained=[patient])


def bundle(practice, kind="transaction"):
    request = service_request(practice, subject={"reference": "urn:uuid:5b6f0c4e-patient"})
    del request["contained"]
    patient = patient_resource(practice)
    del patient["id"]
    return {
        "resourceType": "Bundle",
        "type": kind,
        "entry": [
            {"fullUrl": "urn:uuid:5b6f0c4e-patient", "resource": patient},
            {"fullUrl": "urn:uuid:8d1e7a2b-request", "resource": request},
        ],
    }


def new_sender():
    """An ApiClient for a pharmacy, with its token (only ever in memory) as `.token`."""
    client = ApiClient(
        organisation_name="Park Row Pharmacy",
        organisation_type="pharmacy",
        contact_email="referrals@parkrow.example.org",
    )
    client.token = client.set_new_token()
    client.save()
    return client


@pytest.fixture
def sender(db):
    return new_sender()


def post(client, body, sender):
    data = body if isinstance(body, str | bytes) else json.dumps(body)
    return client.post(
        URL,
        data=data,
        content_type="application/fhir+json",
        HTTP_AUTHORIZATION=f"Bearer {sender.token}",
    )


def get(client, reference, sender):
    return client.get(f"{URL}/{reference}", HTTP_AUTHORIZATION=f"Bearer {sender.token}")


def expressions(response):
    assert response["Content-Type"] == "application/fhir+json"
    outcome = OperationOutcome.model_validate(response.json())
    return [(i.code, i.expression[0] if i.expression else None) for i in outcome.issue]


def test_a_referral_with_a_contained_patient_is_created(client, sender, practice):
    response = post(client, service_request(practice), sender)
    referral = Referral.objects.get()
    assert response.status_code == 201
    assert response["Location"] == f"/api/fhir/ServiceRequest/{referral.reference}"
    assert (referral.route, referral.urgency, referral.api_client) == (
        Route.FHIR,
        Urgency.URGENT,
        sender,
    )
    assert sorted(referral.reasons.values_list("reason", flat=True)) == ["loneliness", "other"]
    assert referral.other_reason == "Struggling to pay for heating"
    assert referral.patient.registered_practice == practice
    assert referral.patient.nhs_number == NHS_NUMBER


def test_the_patient_is_recorded_from_the_official_name_and_address(client, sender, practice):
    post(client, service_request(practice), sender)
    patient = Patient.objects.get()
    assert (patient.given_name, patient.family_name, patient.sex) == ("Joanne", "Bloggs", "female")
    assert (patient.address_line_1, patient.town, patient.postcode) == (
        "1 Park Row",
        "Leeds",
        "LS1 4AP",
    )
    assert (patient.phone, patient.email) == ("0113 496 0000", "jo@example.org")


def test_the_referrer_is_the_clients_organisation(client, sender, practice):
    post(client, service_request(practice), sender)
    referral = Referral.objects.get()
    assert referral.referrer_name == "Sam Okafor, community pharmacist"
    assert referral.referrer_organisation == "Park Row Pharmacy"
    assert referral.referrer_email == "referrals@parkrow.example.org"
    assert referral.notes == "Lives alone since her husband died in the autumn."


def test_the_response_is_the_created_service_request(client, sender, practice):
    response = post(client, service_request(practice), sender)
    body = ServiceRequest.model_validate(response.json())
    assert response["Content-Type"] == "application/fhir+json"
    assert body.id == Referral.objects.get().reference
    assert body.status == "active"
    assert body.identifier[0].value == "REF-2026-0001"


@pytest.mark.parametrize("kind", ["transaction", "collection"])
def test_a_referral_in_a_bundle_is_created(client, sender, practice, kind):
    response = post(client, bundle(practice, kind), sender)
    assert response.status_code == 201
    assert Referral.objects.get().patient.nhs_number == NHS_NUMBER


def test_a_bundle_of_another_type_is_refused(client, sender, practice):
    response = post(client, bundle(practice, "searchset"), sender)
    assert expressions(response) == [("value", "Bundle.type")]


def test_sending_the_same_identifier_twice_creates_one_referral(client, sender, practice):
    first = post(client, service_request(practice), sender)
    second = post(client, service_request(practice), sender)
    assert Referral.objects.count() == 1
    assert (first.status_code, second.status_code) == (201, 200)
    assert second["Location"] == first["Location"]


def test_a_request_that_loses_a_race_returns_the_winners_referral(
    client, sender, practice, monkeypatch
):
    first = post(client, service_request(practice), sender)
    # The loser looked before the winner had saved: only the unique constraint stops it.
    real, looks = api._sent_by, []

    def first_look_misses(client):
        looks.append(client)
        return Referral.objects.none() if len(looks) == 1 else real(client)

    monkeypatch.setattr(api, "_sent_by", first_look_misses)
    monkeypatch.setattr(api, "_check_identifier_is_free", lambda intake: None)
    second = post(client, service_request(practice), sender)
    assert second.status_code == 200
    assert second["Location"] == first["Location"]
    assert Referral.objects.count() == 1


def test_a_clash_on_another_record_asks_the_sender_to_try_again(
    client, sender, practice, monkeypatch
):
    def clash(**kwargs):
        raise IntegrityError("one_patient_per_nhs_number")

    monkeypatch.setattr(api, "create_referral", clash)
    response = post(client, service_request(practice), sender)
    assert response.status_code == 409
    assert expressions(response) == [("conflict", None)]


def test_an_identifier_used_by_another_client_is_refused(client, sender, practice):
    ReferralFactory(
        external_identifier_system="https://pharmacy.example.org/referrals",
        external_identifier_value="REF-2026-0001",
        api_client=ApiClient.objects.create(
            organisation_name="Other",
            organisation_type="other",
            contact_email="o@example.org",
            token_hash="0" * 64,
        ),
    )
    response = post(client, service_request(practice), sender)
    assert response.status_code == 422
    assert expressions(response) == [("duplicate", "ServiceRequest.identifier")]
    assert "SPL-" not in response.content.decode()


def test_each_problem_is_its_own_issue(client, sender, practice):
    body = with_patient(practice, identifier=[{"system": NHS_NUMBER_SYSTEM, "value": "9434765918"}])
    body["contained"][0].pop("birthDate")
    body.pop("extension")
    response = post(client, body, sender)
    assert response.status_code == 422
    assert expressions(response) == [
        ("required", f"{SR}.extension('{CONSENT_EXTENSION}')"),
        ("value", NHS_NUMBER_AT),
        ("required", f"{PATIENT}.birthDate"),
    ]
    assert not Referral.objects.exists()


def test_each_fhir_validation_error_is_its_own_issue(client, sender, practice):
    body = with_patient(practice, birthDate="12/04/1958")
    body["authoredOn"] = "yesterday"
    response = post(client, body, sender)
    assert sorted(expressions(response)) == [
        ("invalid", f"{SR}.authoredOn"),
        ("invalid", f"{PATIENT}.birthDate"),
    ]


def test_issues_are_in_plain_english(client, sender, practice):
    response = post(client, with_patient(practice, birthDate="2999-01-01"), sender)
    assert response.json()["issue"][0]["diagnostics"] == "The date of birth is in the future"


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"name": None}, [("required", f"{PATIENT}.name")]),
        ({"name": [{"given": ["Jo"]}]}, [("required", f"{PATIENT}.name.family")]),
        ({"name": [{"family": "B", "given": ["J" * 101]}]}, [("value", f"{PATIENT}.name.given")]),
        ({"birthDate": "1958"}, [("value", f"{PATIENT}.birthDate")]),
        ({"gender": "bloke"}, [("value", f"{PATIENT}.gender")]),
        (
            {"address": [{"postalCode": "LS99 ZZZ9"}]},
            [("value", f"{PATIENT}.address[0].postalCode")],
        ),
        ({"identifier": None}, [("required", NHS_NUMBER_AT)]),
        ({"generalPractitioner": None}, [("required", f"{PATIENT}.generalPractitioner")]),
        (
            {
                "generalPractitioner": [
                    {"identifier": {"system": ODS_CODE_SYSTEM, "value": "Z9999"}}
                ]
            },
            [("not-found", PRACTICE_AT)],
        ),
    ],
)
def test_a_patient_problem_is_reported_at_its_element(client, sender, practice, changes, expected):
    response = post(client, with_patient(practice, **changes), sender)
    assert response.status_code == 422
    assert expressions(response) == expected


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"identifier": None}, [("required", f"{SR}.identifier")]),
        ({"reasonCode": None}, [("required", f"{SR}.reasonCode")]),
        (
            {"reasonCode": [{"coding": [{"system": REASON_SYSTEM, "code": "boredom"}]}]},
            [("value", f"{SR}.reasonCode[0].coding[0].code")],
        ),
        (
            {"reasonCode": [{"coding": [{"system": REASON_SYSTEM, "code": "other"}]}]},
            [("required", f"{SR}.reasonCode[0].text")],
        ),
        ({"status": "draft"}, [("value", f"{SR}.status")]),
        ({"intent": "instance-order"}, [("value", f"{SR}.intent")]),
        ({"priority": "whenever"}, [("value", f"{SR}.priority")]),
        ({"note": [{"text": "x" * 1500}, {"text": "y" * 600}]}, [("value", f"{SR}.note")]),
        ({"subject": {"reference": "#someone-else"}}, [("not-found", f"{SR}.subject")]),
        (
            {"extension": [{"url": CONSENT_EXTENSION, "valueBoolean": False}]},
            [("required", f"{SR}.extension('{CONSENT_EXTENSION}')")],
        ),
    ],
)
def test_a_request_problem_is_reported_at_its_element(client, sender, practice, changes, expected):
    body = {k: v for k, v in service_request(practice, **changes).items() if v is not None}
    response = post(client, body, sender)
    assert response.status_code == 422
    assert expressions(response) == expected


@pytest.mark.parametrize(
    ("priority", "urgency"),
    [("routine", "routine"), ("urgent", "urgent"), ("asap", "urgent"), ("stat", "urgent")],
)
def test_priority_sets_the_urgency(client, sender, practice, priority, urgency):
    post(client, service_request(practice, priority=priority), sender)
    assert Referral.objects.get().urgency == urgency


def test_a_referral_without_priority_is_routine(client, sender, practice):
    body = service_request(practice)
    del body["priority"]
    post(client, body, sender)
    assert Referral.objects.get().urgency == Urgency.ROUTINE


def test_a_long_other_reason_is_cut_to_fit(client, sender, practice):
    post(client, service_request(practice, reasonCode=[{"text": "z" * 500}]), sender)
    assert Referral.objects.get().other_reason == "z" * 200


@pytest.mark.parametrize("body", [b"not json", b"{", b"\xff\xfe\x00", ""])
def test_a_body_that_is_not_json_is_400(client, sender, body):
    response = post(client, body, sender)
    assert response.status_code == 400
    assert expressions(response) == [("structure", None)]


def test_a_resource_that_is_not_a_service_request_is_400(client, sender, practice):
    response = post(client, patient_resource(practice), sender)
    assert response.status_code == 400


def _junk(practice):
    valid = service_request(practice)
    contained = {"resourceType": "ServiceRequest"}
    for _ in range(200):
        contained = {"resourceType": "ServiceRequest", "contained": [contained]}
    yield from ([], "x", {}, 5, None, True, {"resourceType": 5}, {"resourceType": ["x"]})
    yield "[" * 5000 + "]" * 5000
    yield '{"resourceType": "ServiceRequest", "note": ' + "[" * 5000 + "]" * 5000 + "}"
    yield "[" * 100_000
    yield "1" * 100_000
    yield contained
    yield {**valid, "contained": [{"resourceType": "Nope"}]}
    yield {**valid, "contained": [{"resourceType": "HumanName"}]}
    yield {**valid, "contained": "x"}
    yield {**valid, "subject": []}
    yield {**valid, "identifier": [{"system": "s", "value": "\ud800"}]}
    yield {**valid, "note": [{"text": "nul \x00 here"}]}
    yield {**valid, "identifier": [{"system": "s" * 300, "value": "v"}]}
    yield {**valid, "requester": {"display": "x" * 3_000_000}}
    yield {**valid, "extension": [{"url": CONSENT_EXTENSION, "valueBoolean": "yes"}]}
    yield {**valid, "reasonCode": {"text": "not a list"}}
    yield {**valid, "reasonCode": [{"coding": [{"system": REASON_SYSTEM, "code": 7}]}]}
    yield {**valid, "_status": 5, "status__ext": 5, "fhir_comments": 5}
    yield {**valid, "contained": [{**valid["contained"][0], "name": "Jo"}]}
    yield {
        **valid,
        "contained": [
            {**valid["contained"][0], "telecom": [{"system": "email", "value": "x" * 500}]}
        ],
    }
    yield {**valid, "contained": [{**valid["contained"][0], "address": [{"line": ["x" * 300]}]}]}
    yield {"resourceType": "Bundle", "type": "collection", "entry": [{"resource": valid}] * 2}
    yield {
        "resourceType": "Bundle",
        "type": "collection",
        "entry": [{"resource": {"resourceType": "Nope"}}],
    }
    yield {"resourceType": "Bundle", "type": "collection", "entry": "x"}
    yield {"resourceType": "Bundle"}


def test_junk_never_causes_a_server_error(client, sender, practice):
    for junk in _junk(practice):
        response = post(client, copy.deepcopy(junk), sender)
        assert response.status_code in (400, 413, 422), str(junk)[:200]
        assert response.json()["resourceType"] == "OperationOutcome"
    assert not Referral.objects.exists()


ANY_JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=30),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=12), inner, max_size=3)
    ),
    max_leaves=12,
)


@settings(
    max_examples=75, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    element=st.sampled_from(
        [
            "status",
            "intent",
            "priority",
            "subject",
            "identifier",
            "reasonCode",
            "note",
            "extension",
            "requester",
            "contained",
            "code",
        ]
    ),
    patient_element=st.sampled_from(
        [
            "identifier",
            "name",
            "birthDate",
            "gender",
            "address",
            "telecom",
            "generalPractitioner",
            "id",
        ]
    ),
    value=ANY_JSON,
    patient_value=ANY_JSON,
)
def test_any_value_anywhere_never_causes_a_server_error(
    client, sender, practice, element, patient_element, value, patient_value
):
    body = service_request(practice)
    body["contained"][0][patient_element] = patient_value
    body[element] = value
    response = post(client, body, sender)
    assert response.status_code in (200, 201, 400, 422)
    assert response["Content-Type"] == "application/fhir+json"


def test_a_known_patient_joins_their_record_unchanged(client, sender, practice, other_practice):
    known = PatientFactory(
        nhs_number=NHS_NUMBER,
        date_of_birth=datetime.date(1958, 4, 12),
        given_name="Jo",
        registered_practice=other_practice,
    )
    post(client, service_request(practice), sender)
    referral = Referral.objects.get()
    known.refresh_from_db()
    assert referral.patient == known
    assert (known.given_name, known.registered_practice) == ("Jo", other_practice)
    assert "Details sent that differ" in referral.history.get().note


def test_an_nhs_number_held_with_another_birth_date_is_not_stored(client, sender, practice):
    PatientFactory(nhs_number=NHS_NUMBER, date_of_birth=datetime.date(1970, 1, 1))
    post(client, service_request(practice), sender)
    assert Referral.objects.get().patient.nhs_number == ""


def test_a_client_reads_its_referral_without_the_persons_details(client, sender, practice):
    reference = Referral.objects.get(pk=_created(client, sender, practice)).reference
    response = get(client, reference, sender)
    content = response.content.decode()
    assert response.status_code == 200
    assert ServiceRequest.model_validate(response.json()).subject.identifier.value == NHS_NUMBER
    for detail in ("Joanne", "Bloggs", "1958-04-12", "LS1 4AP", "0113", "jo@example.org"):
        assert detail not in content


@pytest.mark.parametrize(
    ("status", "fhir_status"),
    [
        (Status.AWAITING_TRIAGE, "active"),
        (Status.ACCEPTED, "active"),
        (Status.DECLINED, "revoked"),
        (Status.NOT_APPROPRIATE, "revoked"),
        (Status.CLOSED, "completed"),
    ],
)
def test_the_status_read_follows_the_referral(client, sender, practice, status, fhir_status):
    referral = Referral.objects.get(pk=_created(client, sender, practice))
    Referral.objects.filter(pk=referral.pk).update(status=status)
    assert get(client, referral.reference, sender).json()["status"] == fhir_status


def test_a_client_gets_404_for_another_clients_referral(client, sender, practice):
    referral = ReferralFactory(patient__registered_practice=practice)
    response = get(client, referral.reference, sender)
    assert response.status_code == 404
    assert expressions(response) == [("not-found", None)]


def test_reading_a_reference_with_a_nul_byte_is_404(client, sender):
    # PostgreSQL cannot compare text holding NUL: found by test_fhir_properties.py.
    response = get(client, "SPL-AAAA-BBBB%00", sender)
    assert response.status_code == 404
    assert expressions(response) == [("not-found", None)]


def test_reading_a_referral_is_audited(client, sender, practice):
    referral = Referral.objects.get(pk=_created(client, sender, practice))
    get(client, referral.reference, sender)
    event = AuditEvent.objects.get(action=AuditEvent.Action.VIEW)
    assert (event.actor, event.object_id, event.patient_id) == (
        None,
        str(referral.pk),
        str(referral.patient_id),
    )


def test_creating_a_referral_is_audited_without_a_user(client, sender, practice):
    referral = Referral.objects.get(pk=_created(client, sender, practice))
    events = AuditEvent.objects.filter(action=AuditEvent.Action.CREATE)
    assert sorted(events.values_list("object_type", "actor")) == [
        ("referrals.patient", None),
        ("referrals.referral", None),
    ]
    assert set(events.values_list("patient_id", flat=True)) == {str(referral.patient_id)}


def test_logs_hold_no_nhs_number_or_name(client, sender, practice, caplog):
    caplog.set_level(logging.DEBUG)
    post(client, service_request(practice), sender)
    post(client, with_patient(practice, birthDate="2999-01-01"), sender)
    get(client, Referral.objects.get().reference, sender)
    assert caplog.records
    assert NHS_NUMBER not in caplog.text
    assert "943 476 5919" not in caplog.text
    assert "Joanne" not in caplog.text


@pytest.mark.parametrize(
    ("method", "path"), [("get", URL), ("put", URL), ("post", f"{URL}/SPL-AAAA-BBBB")]
)
def test_other_methods_are_not_allowed(client, sender, method, path):
    response = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {sender.token}")
    assert response.status_code == 405
    assert expressions(response) == [("not-supported", None)]


@pytest.mark.parametrize(
    "path",
    [
        "/api/fhir/Patient",
        "/api/fhir/",
        "/api/fhir",
        f"{URL}/",
        f"{URL}/SPL-AAAA-BBBB/history",
        "/api/fhir/metadata",
        "/api/fhir/%0A",
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_unknown_path_under_the_api_is_a_404_outcome(client, sender, path, method):
    response = getattr(client, method)(path, HTTP_AUTHORIZATION=f"Bearer {sender.token}")
    assert response.status_code == 404
    assert expressions(response) == [("not-found", None)]


@pytest.mark.parametrize("method", ["delete", "patch"])
def test_a_wrong_method_without_a_token_is_a_405_outcome(client, method):
    response = getattr(client, method)(URL)
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert expressions(response) == [("not-supported", None)]


XML = '<ServiceRequest xmlns="http://hl7.org/fhir"><status value="active"/></ServiceRequest>'


@pytest.mark.parametrize(
    "content_type", ["application/fhir+xml", "application/xml", "text/xml", "text/plain"]
)
def test_a_body_that_is_not_json_by_its_content_type_is_415(client, sender, content_type):
    response = client.post(
        URL,
        data=XML,
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {sender.token}",
    )
    assert response.status_code == 415
    assert expressions(response) == [("not-supported", None)]
    assert "application/fhir+json" in response.json()["issue"][0]["diagnostics"]


@pytest.mark.parametrize(
    "content_type",
    ["application/json", "application/fhir+json; fhirVersion=4.0", "application/json+fhir"],
)
def test_json_by_any_of_its_names_is_read(client, sender, practice, content_type):
    response = client.post(
        URL,
        data=json.dumps(service_request(practice)),
        content_type=content_type,
        HTTP_AUTHORIZATION=f"Bearer {sender.token}",
    )
    assert response.status_code == 201


COLONOSCOPY = {"coding": [{"system": "http://snomed.info/sct", "code": "73761001"}]}


@pytest.mark.parametrize(
    "code",
    [
        COLONOSCOPY,
        {"coding": [{"system": "http://example.org/codes", "code": "871731000000106"}]},
        {"text": "Referral to social prescribing service"},
        {"coding": []},
    ],
)
def test_a_request_for_anything_but_social_prescribing_is_refused_at_its_code(
    client, sender, practice, code
):
    response = post(client, service_request(practice, code=code), sender)
    assert response.status_code == 422
    assert expressions(response) == [("code-invalid", f"{SR}.code")]
    assert "871731000000106" in response.json()["issue"][0]["diagnostics"]
    assert not Referral.objects.exists()


def test_a_request_for_social_prescribing_among_other_codings_is_created(client, sender, practice):
    code = {"coding": [*COLONOSCOPY["coding"], *service_request(practice)["code"]["coding"]]}
    response = post(client, service_request(practice, code=code), sender)
    assert response.status_code == 201


def test_a_request_for_social_prescribing_is_created(client, sender, practice):
    response = post(client, service_request(practice), sender)
    assert response.status_code == 201
    assert Referral.objects.exists()


def test_a_request_without_a_code_is_created(client, sender, practice):
    body = service_request(practice)
    del body["code"]
    response = post(client, body, sender)
    assert response.status_code == 201
    assert Referral.objects.exists()


PERSONAL = "Joanne Bloggs, 943 476 5919, born 1958-04-12"


def _fails(*args, **kwargs):
    raise RuntimeError(PERSONAL)


def test_an_unexpected_error_sending_is_a_500_outcome(client, sender, practice, monkeypatch):
    monkeypatch.setattr(api, "_create_once", _fails)
    response = post(client, service_request(practice), sender)
    assert response.status_code == 500
    assert expressions(response) == [("exception", None)]
    assert "Joanne" not in response.content.decode()


def test_an_unexpected_error_reading_is_a_500_outcome(client, sender, practice, monkeypatch):
    reference = Referral.objects.get(pk=_created(client, sender, practice)).reference
    monkeypatch.setattr(api.fhir, "service_request_for", _fails)
    response = get(client, reference, sender)
    assert response.status_code == 500
    assert expressions(response) == [("exception", None)]


def test_an_unexpected_error_is_logged_without_the_persons_details(
    client, sender, practice, monkeypatch, caplog
):
    monkeypatch.setattr(api, "_create_once", _fails)
    post(client, service_request(practice), sender)
    [logged] = [r for r in caplog.records if r.name == "referrals.api"]
    assert logged.levelno == logging.ERROR
    assert "RuntimeError" in logged.getMessage()
    assert "_create_once" in logged.getMessage()
    assert not any(r.exc_info for r in caplog.records)
    for detail in ("Joanne", "943 476 5919", "1958-04-12"):
        assert detail not in caplog.text


def _created(client, sender, practice):
    post(client, service_request(practice), sender)
    return Referral.objects.get().pk


def test_reading_a_referral_takes_the_same_queries_for_any_number_of_reasons(
    client, sender, practice, django_assert_max_num_queries
):
    reasons = [{"coding": [{"system": REASON_SYSTEM, "code": code}]} for code in Reason.values]
    reasons[-1]["text"] = "Something else"
    post(client, service_request(practice, reasonCode=reasons), sender)
    reference = Referral.objects.get().reference
    with django_assert_max_num_queries(5):
        response = get(client, reference, sender)
    assert len(response.json()["reasonCode"]) == len(Reason.values)


def test_the_documented_example_request_creates_a_referral(client, sender):
    import re
    from pathlib import Path

    from tests.factories import PracticeFactory

    PracticeFactory(ods_code="Y00011")
    guide = (Path(__file__).resolve().parents[2] / "docs" / "api.md").read_text()
    example = re.search(r"A minimal request:\n\n```json\n(.*?)\n```", guide, re.DOTALL)[1]
    response = post(client, example, sender)
    assert response.status_code == 201
    assert Referral.objects.get().reasons.count() == 2


def test_every_referral_status_has_a_fhir_status():
    from referrals.fhir import STATUSES
    from referrals.models import Status

    assert set(STATUSES) == set(Status)
