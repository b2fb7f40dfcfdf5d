"""A view marked plan_once runs its queries as prepared statements on PostgreSQL
(the second time a connection sees them), and leaves the connection as it was."""

import pytest
from django.db import connection
from django.test import RequestFactory

from spl.models import User
from spl.prepared import plan_once
from tests.factories import UserFactory

pytestmark = [pytest.mark.django_db, pytest.mark.postgres]


@plan_once
def view(request):
    return User.objects.filter(pk=request.user.pk).exists()


@plan_once
def failing_view(request):
    raise RuntimeError("the view failed")


@pytest.fixture
def request_():
    request = RequestFactory().get("/")
    request.user = UserFactory()
    return request


def prepared_statements():
    with connection.cursor() as cursor:
        cursor.execute("SELECT statement FROM pg_prepared_statements")
        return [statement for (statement,) in cursor.fetchall()]


def test_a_query_run_again_by_the_view_is_prepared(request_):
    view(request_)
    assert prepared_statements() == []
    view(request_)
    (statement,) = prepared_statements()
    assert '"spl_user"."id" = $2' in statement


def test_the_connection_prepares_nothing_outside_the_view(request_):
    for _ in range(3):
        User.objects.filter(pk=request_.user.pk).exists()
    assert prepared_statements() == []


def test_the_setting_turns_it_off(request_, settings):
    settings.DATABASE_PREPARED_STATEMENTS = False
    for _ in range(3):
        view(request_)
    assert prepared_statements() == []


def test_the_connection_binds_on_the_client_again_after_a_failing_view(request_):
    connection.ensure_connection()
    before = connection.connection.cursor_factory, connection.connection.prepare_threshold
    with pytest.raises(RuntimeError):
        failing_view(request_)
    assert (connection.connection.cursor_factory, connection.connection.prepare_threshold) == before
    assert before[1] is None
