import pytest

from spl.models import User

pytestmark = pytest.mark.django_db


def user_change_data(user, **changes):
    return {
        "email": user.email,
        "full_name": user.full_name,
        "job_title": user.job_title,
        "is_active": "on",
        "is_staff": "on" if user.is_staff else "",
        "groups": [group.pk for group in user.groups.all()],
        "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00",
        "memberships-TOTAL_FORMS": "0",
        "memberships-INITIAL_FORMS": "0",
        **changes,
    }


def test_administrator_can_open_a_users_page(client_for, administrator, link_worker):
    response = client_for(administrator).get(f"/admin/spl/user/{link_worker.pk}/change/")
    assert response.status_code == 200


def test_administrator_cannot_make_themselves_superuser(client_for, administrator):
    client = client_for(administrator)
    response = client.post(
        f"/admin/spl/user/{administrator.pk}/change/",
        user_change_data(administrator, is_superuser="on"),
    )
    assert response.status_code == 302
    administrator.refresh_from_db()
    assert not administrator.is_superuser


def test_administrator_can_give_a_user_a_role(client_for, administrator, link_worker):
    from django.contrib.auth.models import Group

    supervisor = Group.objects.get(name="Supervisor")
    client_for(administrator).post(
        f"/admin/spl/user/{link_worker.pk}/change/",
        user_change_data(link_worker, groups=[supervisor.pk]),
    )
    assert [group.name for group in User.objects.get(pk=link_worker.pk).groups.all()] == [
        "Supervisor"
    ]


def test_link_worker_cannot_use_the_admin(client_for, link_worker):
    response = client_for(link_worker).get("/admin/")
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
