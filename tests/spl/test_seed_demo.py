import pytest
from django.contrib.auth.models import Group
from django.core.management import call_command

from referrals.models import Referral, ReferralStatusChange
from spl.models import PCN, Membership, Practice, User

pytestmark = pytest.mark.django_db


def snapshot():
    return {
        "pcns": list(PCN.objects.values_list("ods_code", "name")),
        "practices": list(Practice.objects.values_list("ods_code", "pcn__ods_code", "list_size")),
        "users": list(User.objects.order_by("email").values_list("email", "password", "is_staff")),
        "memberships": sorted(
            Membership.objects.values_list("user__email", "pcn__ods_code", "practice__ods_code")
        ),
        "roles": sorted(User.groups.through.objects.values_list("user__email", "group__name")),
        "groups": sorted(
            Group.permissions.through.objects.values_list("group__name", "permission__codename")
        ),
        "referrals": sorted(
            Referral.objects.values_list(
                "reference", "status", "snomed_code", "patient__nhs_number"
            )
        ),
        "history": ReferralStatusChange.objects.count(),
    }


def test_seed_demo_creates_two_pcns_with_three_practices_each():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert PCN.objects.count() == 2
    assert [pcn.practices.count() for pcn in PCN.objects.all()] == [3, 3]


def test_seed_demo_twice_changes_nothing():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    first = snapshot()
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert snapshot() == first


def test_demo_users_log_in_with_the_demo_password(client, settings):
    settings.SPL_DEMO_PASSWORD = "a-demo-password-for-this-test"
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    for email in ("linkworker@example.org", "gp@example.org", "admin@example.org"):
        assert client.login(username=email, password="a-demo-password-for-this-test"), email


DEMO_USERS = [
    ("linkworker@example.org", "Link worker", ["U00001"], None),
    ("linkworker2@example.org", "Link worker", ["U00001"], None),
    ("outsider@example.org", "Link worker", ["U00002"], None),
    ("gp@example.org", "Referrer", ["U00001"], "Y00011"),
    ("supervisor@example.org", "Supervisor", ["U00001"], None),
    ("manager@example.org", "Practice manager", ["U00001"], "Y00011"),
    ("directory@example.org", "Directory manager", ["U00001"], None),
    ("commissioner@example.org", "Commissioner", ["U00001", "U00002"], None),
    ("admin@example.org", "Administrator", [], None),
]


def test_demo_users_have_the_roles_and_pcns_the_issue_lists():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    found = []
    for email, *_ in DEMO_USERS:
        user = User.objects.get(email=email)
        memberships = user.memberships.order_by("pcn__ods_code")
        practices = {m.practice.ods_code for m in memberships if m.practice}
        found.append((
            email,
            user.groups.get().name,
            [m.pcn.ods_code for m in memberships],
            practices.pop() if practices else None,
        ))  # fmt: skip
    assert found == [tuple(row) for row in DEMO_USERS]


def test_seed_demo_prints_the_logins(capsys):
    call_command("seed_demo")
    out = capsys.readouterr().out
    assert "linkworker@example.org" in out
    assert "spl-demo-password" in out


def test_seed_demo_adds_a_few_hundred_referrals_across_routes_and_statuses():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Referral.objects.count() == 300
    assert set(Referral.objects.values_list("route", flat=True)) == {
        "clinician",
        "agency",
        "self",
        "fhir",
    }
    assert {"awaiting_triage", "accepted", "declined", "not_appropriate"} <= set(
        Referral.objects.values_list("status", flat=True)
    )
    assert set(
        Referral.objects.values_list("patient__registered_practice__pcn__ods_code", flat=True)
    ) == {"U00001", "U00002"}


def test_demo_nhs_numbers_are_all_from_the_never_issued_999_range():
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    numbers = set(
        Referral.objects.exclude(patient__nhs_number="").values_list(
            "patient__nhs_number", flat=True
        )
    )
    assert numbers and all(number.startswith("999") for number in numbers)
