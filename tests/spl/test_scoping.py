"""The access ladder every view follows: anonymous → login, outsider → 404,
in scope without permission → 403, allowed → 200."""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from spl.models import PCN, AuditEvent, Membership, Practice, User
from spl.querysets import PCNScopedQuerySet
from tests.factories import PracticeFactory, UserFactory

pytestmark = pytest.mark.django_db
ROOT = Path(__file__).resolve().parents[2]


def test_practices_visible_to_a_member_are_those_of_their_pcns(
    link_worker, practice, other_practice
):
    assert list(Practice.objects.visible_to(link_worker)) == [practice]


def test_a_member_of_two_pcns_sees_both(commissioner, practice, other_practice):
    assert set(Practice.objects.visible_to(commissioner)) == {practice, other_practice}


def test_nothing_is_visible_to_a_user_without_membership(practice):
    assert not Practice.objects.visible_to(UserFactory()).exists()


def test_nothing_is_visible_to_a_deactivated_member(link_worker, practice):
    link_worker.is_active = False
    assert not Practice.objects.visible_to(link_worker).exists()


def test_pcns_are_scoped_too(link_worker, pcn, other_pcn):
    assert list(PCN.objects.visible_to(link_worker)) == [pcn]


def test_anonymous_is_sent_to_login_for_a_practice(client, practice):
    response = client.get(f"/practices/{practice.pk}/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_outsider_gets_404_for_a_practice_in_another_pcn(client_for, outsider, practice):
    assert client_for(outsider).get(f"/practices/{practice.pk}/").status_code == 404


def test_outsider_gets_404_not_403_for_editing_a_practice_in_another_pcn(
    client_for, practice, other_pcn
):
    from spl import roles

    manager_elsewhere = UserFactory(role=roles.PRACTICE_MANAGER, pcns=[other_pcn])
    response = client_for(manager_elsewhere).get(f"/practices/{practice.pk}/edit/")
    assert response.status_code == 404


def test_link_worker_gets_403_for_editing_a_practice_in_their_pcn(
    client_for, link_worker, practice
):
    response = client_for(link_worker).get(f"/practices/{practice.pk}/edit/")
    assert response.status_code == 403
    assert "You cannot do this" in response.content.decode()


def test_user_without_a_role_gets_403_for_the_practice_list(client_for, pcn):
    no_role = UserFactory(pcns=[pcn])
    assert client_for(no_role).get("/practices/").status_code == 403


def test_colleague_sees_the_practice(client_for, colleague, practice):
    response = client_for(colleague).get(f"/practices/{practice.pk}/")
    assert response.status_code == 200
    assert practice.name in response.content.decode()


def test_practice_manager_can_open_the_edit_page(client_for, practice_manager, practice):
    assert client_for(practice_manager).get(f"/practices/{practice.pk}/edit/").status_code == 200


def test_practice_list_shows_only_practices_in_the_users_pcns(
    client_for, link_worker, practice, other_practice
):
    page = client_for(link_worker).get("/practices/").content.decode()
    assert practice.name in page
    assert other_practice.name not in page


def test_what_a_user_sees_is_read_once_for_each_user_object(
    link_worker, practice, django_assert_num_queries
):
    with django_assert_num_queries(3):  # the practices' ids, then the two lists
        list(Practice.objects.visible_to(link_worker))
        list(Practice.objects.visible_to(link_worker))


def test_a_user_loaded_again_sees_a_new_membership(link_worker, practice, other_practice):
    assert list(Practice.objects.visible_to(link_worker)) == [practice]
    Membership.objects.create(user=link_worker, pcn=other_practice.pcn)
    reloaded = User.objects.get(pk=link_worker.pk)  # as the next request loads them
    assert set(Practice.objects.visible_to(reloaded)) == {practice, other_practice}


def test_a_membership_naming_a_practice_sees_that_practice_alone(gp, practice, pcn):
    PracticeFactory(pcn=pcn)
    assert list(Practice.objects.visible_to(gp)) == [practice]


def test_practice_list_query_count_does_not_grow_with_rows(
    client_for, link_worker, pcn, django_assert_max_num_queries
):
    PracticeFactory.create_batch(20, pcn=pcn)
    client = client_for(link_worker)
    with django_assert_max_num_queries(7):
        response = client.get("/practices/")
    assert response.content.decode().count('scope="row"') == 20


def test_practice_page_query_count_does_not_grow_with_the_team(
    client_for, link_worker, practice, django_assert_max_num_queries
):
    from tests.factories import MembershipFactory

    for _ in range(10):
        MembershipFactory(pcn=practice.pcn, practice=practice)
    client = client_for(link_worker)
    with django_assert_max_num_queries(7):
        response = client.get(f"/practices/{practice.pk}/")
    assert response.status_code == 200


def test_practice_list_is_paginated(client_for, link_worker, pcn):
    PracticeFactory.create_batch(30, pcn=pcn)
    client = client_for(link_worker)
    first = client.get("/practices/").content.decode()
    second = client.get("/practices/?page=2").content.decode()
    assert first.count('scope="row"') == 25
    assert second.count('scope="row"') == 5
    assert "Page 2 of 2" in first


def _scoped_model_names():
    return {
        model.__name__
        for model in apps.get_models()
        if isinstance(model._default_manager.all(), PCNScopedQuerySet)
    } | {AuditEvent.__name__}


def test_no_view_reaches_a_scoped_model_through_objects_directly():
    """Views and APIs fetch scoped records with `.visible_to(user)` or hand the
    queryset to `get_visible_object_or_404` (or, to change a directory record,
    `get_managed_object_or_404`): `Practice.objects.get(...)` in a
    view fails here."""
    scoped = _scoped_model_names()
    offenders = []
    for path in [*ROOT.glob("*/views.py"), *ROOT.glob("*/api.py")]:
        offenders += [
            f"{path.relative_to(ROOT)}:{line}: {code}"
            for line, code in _unscoped_uses(ast.parse(path.read_text()), scoped)
        ]
    assert offenders == []


def _unscoped_uses(tree, scoped):
    parents = {child: parent for parent in ast.walk(tree) for child in ast.iter_child_nodes(parent)}
    for node in ast.walk(tree):
        if not (
            isinstance(node, ast.Attribute)
            and node.attr == "objects"
            and isinstance(node.value, ast.Name)
            and node.value.id in scoped
        ):
            continue
        chain = node  # climb to the whole `Model.objects.a(...).b(...)` expression
        while isinstance(parents.get(chain), ast.Attribute | ast.Call) and not (
            isinstance(parents[chain], ast.Call) and chain in parents[chain].args
        ):
            chain = parents[chain]
        holder = parents.get(chain)
        handed_to_helper = (
            isinstance(holder, ast.Call)
            and isinstance(holder.func, ast.Name)
            and holder.func.id in ("get_visible_object_or_404", "get_managed_object_or_404")
        )
        code = ast.unparse(chain)
        scoped_by_pcn = ".visible_to(" in code or ".managed_by(" in code  # managed_by: directory
        if not scoped_by_pcn and not handed_to_helper:
            yield node.lineno, code


def test_the_views_lint_catches_an_unscoped_get():
    tree = ast.parse("def view(request, pk):\n    return Practice.objects.get(pk=pk)\n")
    assert [code for _, code in _unscoped_uses(tree, {"Practice"})] == [
        "Practice.objects.get(pk=pk)"
    ]


def test_the_views_lint_accepts_scoped_querysets():
    tree = ast.parse(
        "def view(request, pk):\n"
        "    a = Practice.objects.visible_to(request.user).get(pk=pk)\n"
        "    b = get_visible_object_or_404(Practice.objects.select_related('pcn'), request.user)\n"
    )
    assert list(_unscoped_uses(tree, {"Practice"})) == []
