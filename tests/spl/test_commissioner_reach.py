"""A commissioner reaches no page that shows a person: every named URL of the
URL configuration, filled in with the ids of real records in the
commissioner's PCNs, answers without the person's name, NHS number or date
of birth (issue 13)."""

import datetime

import pytest
from django.urls import NoReverseMatch, URLPattern, URLResolver, get_resolver, reverse

from caseload import connections, measures, services
from caseload.models import SafeguardingCategory
from tests.directory.factories import OrganisationFactory, ServiceFactory
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db
# Reached by holding a link, not by an account: a provider's link to one
# referral (decision 13), and the password reset link sent to an account's own
# email address.
NOT_BY_ACCOUNT = {"provider:answer", "password_reset_confirm"}


def named_patterns(resolver=None, namespace=""):
    """(full name, parameter names) of every named URL."""
    for entry in (resolver or get_resolver()).url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from named_patterns(entry, inner)
        elif isinstance(entry, URLPattern) and entry.name:
            yield f"{namespace}{entry.name}", list(entry.pattern.regex.groupindex)


@pytest.fixture
def person(practice, link_worker, gp):
    patient = PatientFactory(
        registered_practice=practice,
        given_name="Zebedee",
        family_name="Quintrell",
        date_of_birth=datetime.date(1941, 2, 3),
    )
    referral = ReferralFactory(patient=patient)
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    case = services.person_agreed(case=case, by=link_worker)
    concern = services.raise_concern(
        case=case, by=link_worker, category=SafeguardingCategory.OTHER, what_happened="x"
    )
    flag = services.flag_for_mdt(
        case=case, by=link_worker, reason="x",
        meeting_on=datetime.date.today() + datetime.timedelta(days=7),
    )  # fmt: skip
    services.refer_back(case=case, by=link_worker, to=gp, reason="x", urgency="routine")
    service = ServiceFactory(organisation=OrganisationFactory(pcn=practice.pcn))
    connection = connections.connect(
        case=case, service=service, by=link_worker, kind="signposted", need="loneliness",
        why="x",
    )  # fmt: skip
    measures.record(
        case=case, by=link_worker, instrument="ons4", timepoint="baseline",
        taken_on=datetime.date.today(),
        answers={"satisfaction": 5, "worthwhile": 5, "happiness": 5, "anxiety": 5},
    )  # fmt: skip
    return {
        "patient": patient,
        "values": {
            "pk": [case.pk, referral.pk, practice.pk, patient.pk],
            "reference": [referral.reference],
            "number": [1],
            "flag_pk": [flag.pk],
            "concern_pk": [concern.pk],
            "connection_pk": [connection.pk],
            "service_pk": [service.pk],
            "instrument": ["ons4"],
            "object_id": [str(referral.pk), str(patient.pk), str(case.pk)],
            "app_label": ["referrals", "caseload"],
            "id": [service.pk],
        },
    }


def urls(values):
    """Every named URL, once for each combination of candidate values."""
    found = []
    for name, params in named_patterns():
        if name in NOT_BY_ACCOUNT:
            continue
        if not params:
            found.append(reverse(name))
            continue
        options = [values.get(param, ["1"]) for param in params]
        for index in range(max(len(option) for option in options)):
            kwargs = {
                param: option[min(index, len(option) - 1)]
                for param, option in zip(params, options, strict=True)
            }
            try:
                found.append(reverse(name, kwargs=kwargs))
            except NoReverseMatch:
                continue
    return sorted(set(found))


def test_every_url_is_tried(person):
    tried = urls(person["values"])
    assert f"/caseload/cases/{person['values']['pk'][0]}/" in tried
    assert len(tried) > 80


def pages_showing_the_person(client, person):
    patient = person["patient"]
    secrets = [
        patient.family_name,
        patient.nhs_number,
        patient.nhs_number_display,
        "3 February 1941",
    ]
    shown = []
    for url in urls(person["values"]):
        response = client.get(url)
        body = response.content.decode(errors="replace") if response.content else ""
        shown += [f"{url} shows {secret!r}" for secret in secrets if secret and secret in body]
    return shown


def test_a_commissioner_reaches_no_page_that_shows_a_person(client_for, commissioner, person):
    assert pages_showing_the_person(client_for(commissioner), person) == []


def test_the_check_finds_the_person_where_the_care_team_sees_them(client_for, link_worker, person):
    shown = pages_showing_the_person(client_for(link_worker), person)
    assert f"/caseload/cases/{person['values']['pk'][0]}/ shows 'Quintrell'" in shown
