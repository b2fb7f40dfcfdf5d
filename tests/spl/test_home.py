import pytest

pytestmark = pytest.mark.django_db


def home(client_for, user):
    response = client_for(user).get("/")
    assert response.status_code == 200
    return response.content.decode()


def test_home_greets_the_user_and_shows_their_pcn(client_for, link_worker, pcn):
    page = home(client_for, link_worker)
    assert "Hello, Amira" in page
    assert pcn.name in page


def test_link_worker_home_names_the_role_and_its_work(client_for, link_worker):
    page = home(client_for, link_worker)
    assert "Link worker" in page
    assert "manage a caseload" in page


def test_gp_home_shows_their_practice_and_the_referrer_role(client_for, gp, practice):
    page = home(client_for, gp)
    assert "Referrer" in page
    assert practice.name in page


def test_practice_manager_home_offers_practices(client_for, practice_manager):
    page = home(client_for, practice_manager)
    assert "Practice manager" in page
    assert 'href="/practices/"' in page


def test_supervisor_home_names_the_role(client_for, supervisor):
    assert "oversee link workers" in home(client_for, supervisor).lower()


def test_directory_manager_home_names_the_role(client_for, directory_manager):
    assert "Directory manager" in home(client_for, directory_manager)


def test_commissioner_home_shows_both_pcns_and_says_no_personal_data(
    client_for, commissioner, pcn, other_pcn
):
    page = home(client_for, commissioner)
    assert pcn.name in page and other_pcn.name in page
    assert "never see personal data" in page


def test_administrator_home_links_to_administration(client_for, administrator):
    page = home(client_for, administrator)
    assert 'href="/admin/"' in page


def test_only_staff_see_the_administration_link(client_for, link_worker):
    assert 'href="/admin/"' not in home(client_for, link_worker)


def test_user_without_a_role_is_told_to_ask_their_administrator(client_for, db):
    from tests.factories import UserFactory

    assert "Ask your administrator" in home(client_for, UserFactory())


def test_home_marks_home_as_the_current_page_in_the_navigation(client_for, link_worker):
    assert 'href="/" aria-current="page"' in home(client_for, link_worker)


def test_home_query_count_is_fixed(
    client_for, link_worker, pcn, other_pcn, django_assert_max_num_queries
):
    from spl.models import Membership

    Membership.objects.create(user=link_worker, pcn=other_pcn)
    client = client_for(link_worker)
    with django_assert_max_num_queries(6):
        assert client.get("/").status_code == 200
