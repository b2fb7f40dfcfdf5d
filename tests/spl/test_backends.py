import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext

from spl.models import User
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def fresh(user):
    """The user as a new request loads them: no permissions cached yet."""
    return User.objects.get(pk=user.pk)


def test_a_role_grants_its_groups_permissions(link_worker):
    assert fresh(link_worker).has_perm("caseload.view_case")


def test_a_permission_given_to_the_user_alone_counts(gp):
    assert not fresh(gp).has_perm("caseload.view_case")
    gp.user_permissions.add(Permission.objects.get(codename="view_case"))
    assert fresh(gp).has_perm("caseload.view_case")


def test_an_inactive_user_has_no_permissions(link_worker):
    link_worker.is_active = False
    link_worker.save()
    assert not fresh(link_worker).has_perm("caseload.view_case")


def test_a_users_permissions_are_read_in_one_query(link_worker):
    user = fresh(link_worker)
    with CaptureQueriesContext(connection) as queries:
        user.has_perm("caseload.view_case")
        user.has_perm("referrals.view_referral")
    assert len(queries) == 1


def test_a_superuser_has_every_permission(db):
    superuser = UserFactory(is_superuser=True)
    assert "caseload.delete_case" in fresh(superuser).get_all_permissions()
