from tests.html_checks import duplicate_ids


def test_a_page_with_two_inputs_sharing_an_id_is_caught():
    html = '<label for="id_nhs_number">NHS number</label><input id="id_nhs_number">' * 2
    assert duplicate_ids(html) == ["id_nhs_number"]


def test_a_page_with_unique_ids_passes():
    assert duplicate_ids('<input id="find-id_nhs_number"><input id="id_nhs_number">') == []


def test_the_referral_page_has_one_nhs_number_input(client_for, gp):
    html = client_for(gp).get("/referrals/new/").content.decode()
    assert html.count('id="id_nhs_number"') == 1
