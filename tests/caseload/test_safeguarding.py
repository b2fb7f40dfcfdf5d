"""Safeguarding concerns: the care team only, audited, flagging the case."""

import datetime

import pytest
import time_machine
from django.contrib.auth.models import Permission
from django.core import mail
from django.core.exceptions import ValidationError

from caseload import reminders, services
from caseload.flags import of as flags_of
from caseload.models import Case, SafeguardingCategory
from spl import roles
from spl.models import AuditEvent
from tests.factories import ReferralFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def case(practice, link_worker):
    referral = ReferralFactory(patient__registered_practice=practice)
    return services.allocate(referral=referral, to=link_worker, by=link_worker)


@pytest.fixture
def concern(case, link_worker):
    return services.raise_concern(
        case=case,
        by=link_worker,
        category=SafeguardingCategory.SELF_NEGLECT,
        what_happened="No food in the house",
        follow_up_on=datetime.date(2026, 12, 1),
    )


def test_an_open_concern_flags_the_case(case, concern):
    assert flags_of(Case.objects.filter(pk=case.pk))[case.pk]["safeguarding"]


def test_a_closed_concern_no_longer_flags_it(case, concern, link_worker):
    services.close_concern(concern=concern, by=link_worker, outcome="Family now visiting daily")
    assert not flags_of(Case.objects.filter(pk=case.pk))[case.pk]["safeguarding"]


def test_closing_needs_an_outcome(concern, link_worker):
    with pytest.raises(ValidationError, match="outcome"):
        services.close_concern(concern=concern, by=link_worker, outcome=" ")


def test_the_care_team_sees_the_concern_on_the_case(client_for, case, concern, supervisor):
    page = client_for(supervisor).get(case.get_absolute_url()).content.decode()
    assert "No food in the house" in page
    assert "Safeguarding concern open" in page


def test_every_view_of_a_concern_is_audited(client_for, case, concern, link_worker):
    client_for(link_worker).get(case.get_absolute_url())
    assert AuditEvent.objects.filter(
        action="view", object_type="caseload.safeguardingconcern", object_id=str(concern.pk)
    ).exists()


def test_staff_without_the_permission_never_see_a_concern(client_for, case, concern, pcn):
    # Someone who may see cases but is not in the care team.
    viewer = UserFactory(pcns=[pcn])
    viewer.user_permissions.add(Permission.objects.get(codename="view_case"))
    page = client_for(viewer).get(case.get_absolute_url()).content.decode()
    assert "No food in the house" not in page
    assert "Safeguarding" not in page


def test_outside_the_care_team_a_concern_cannot_be_raised(client_for, case, pcn):
    directory_manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn])
    response = client_for(directory_manager).post(
        f"/caseload/cases/{case.pk}/safeguarding/",
        {"concern-category": "other", "concern-what_happened": "x"},
    )
    assert response.status_code == 403


def test_a_concern_is_raised_from_the_case_page(client_for, case, link_worker):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/safeguarding/",
        {"concern-category": SafeguardingCategory.DOMESTIC_ABUSE,
         "concern-what_happened": "Bruising seen", "concern-escalated_to": "practice_lead"},
    )  # fmt: skip
    assert response.status_code == 302
    assert case.concerns.get().escalated_to == "practice_lead"


def test_a_concern_without_a_description_keeps_the_category(client_for, case, link_worker):
    response = client_for(link_worker).post(
        f"/caseload/cases/{case.pk}/safeguarding/",
        {"concern-category": SafeguardingCategory.DOMESTIC_ABUSE, "concern-what_happened": ""},
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "Describe what happened" in page
    assert 'value="domestic_abuse" checked' in page


def test_the_caseload_tags_a_case_with_an_open_concern(client_for, case, concern, link_worker):
    assert "Safeguarding" in client_for(link_worker).get("/caseload/").content.decode()


def test_the_digest_counts_follow_ups_that_are_due(case, concern, link_worker):
    with time_machine.travel(datetime.datetime(2026, 12, 1, 7, 30, tzinfo=datetime.UTC)):
        reminders.send_daily_digests()
    assert "- 1 safeguarding concern to follow up" in mail.outbox[0].body
