"""Journeys a person clicks through, in headless Chromium against a live server."""

import datetime
import re

import pytest
import time_machine
from django.conf import settings
from playwright.sync_api import expect

from tests.browser import axe
from tests.browser.axe import check_accessibility
from tests.factories import PASSWORD, PatientFactory, ReferralFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, email, password=PASSWORD):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(password)
    # To the page it leads to (or back to this one), loaded, so that a journey
    # going straight on with page.goto leaves a page axe has checked.
    with page.expect_navigation():
        page.get_by_role("button", name="Log in").click()


def test_link_worker_logs_in_sees_their_home_and_logs_out(page, link_worker, pcn):
    log_in(page, link_worker.email)
    page.wait_for_url(re.compile(r"/$"))
    assert page.title() == "Home – Social prescribing – NHS"
    assert page.get_by_role("heading", level=1).inner_text().endswith("Hello, Amira")
    assert pcn.name in page.inner_text("main")

    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    page.goto("/")
    assert "/accounts/login/" in page.url


def test_wrong_password_moves_focus_to_the_error_summary_and_keeps_the_email(page, link_worker):
    log_in(page, link_worker.email, password="not-the-password")
    expect(page.locator(".nhsuk-error-summary")).to_be_visible()
    expect(page).to_have_title(re.compile(r"^Error: Log in"))
    expect(page.get_by_label("Email address")).to_have_value(link_worker.email)
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()


def test_error_summary_link_takes_the_user_to_the_field(page, db):
    page.goto("/accounts/login/")
    page.get_by_role("button", name="Log in").click()
    page.locator(".nhsuk-error-summary a[href='#id_username']").click()
    expect(page.get_by_label("Email address")).to_be_focused()


def test_practice_manager_corrects_a_bad_list_size(page, practice_manager, practice):
    log_in(page, practice_manager.email)
    page.get_by_role("link", name="Practices").first.click()
    page.get_by_role("link", name=practice.name).click()
    page.get_by_role("link", name="Change registered list size").click()

    page.get_by_label("Registered list size").fill("lots")
    page.get_by_role("button", name="Save list size").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("must be a whole number")
    expect(page.get_by_label("Registered list size")).to_have_value("lots")

    page.get_by_label("Registered list size").fill("9100")
    page.get_by_role("button", name="Save list size").click()
    expect(page.locator("main")).to_contain_text("9,100 patients")
    expect(page.locator("main")).to_contain_text("list size has been updated")


def test_pages_work_without_javascript(browser, live_server, link_worker):
    context = browser.new_context(base_url=live_server.url, java_script_enabled=False)
    page = context.new_page()
    log_in(page, link_worker.email)
    page.wait_for_url(re.compile(r"/$"))
    assert "Hello, Amira" in page.inner_text("h1")
    context.close()


def find_practice(page, name):
    """The public forms' practice finder, as a person without JavaScript uses it."""
    page.get_by_label("Your GP practice").fill(name.split()[0])
    page.get_by_role("button", name="Find practice").click()
    page.get_by_label(name).check()


def test_a_person_refers_themselves_on_a_phone_after_fixing_a_mistake(page, practice):
    from referrals.models import Referral

    page.set_viewport_size({"width": 375, "height": 800})
    page.goto("/refer/")
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Bloggs")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1958")
    page.get_by_label("Postcode").fill("ls1 4ap")
    find_practice(page, practice.name)
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_label("Phone call").check()
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_label("I agree to a social prescribing link worker contacting me").check()
    page.get_by_role("button", name="Send").click()

    expect(page.locator(".nhsuk-error-summary")).to_contain_text("must be a real date")
    expect(page.get_by_label("Last name")).to_have_value("Bloggs")
    expect(page.get_by_label("Loneliness and isolation")).to_be_checked()
    page.locator(".nhsuk-error-summary a").first.click()
    expect(page.get_by_label("Day")).to_be_focused()
    page.get_by_label("Day").fill("28")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    reference = Referral.objects.get().reference
    expect(page.locator(".nhsuk-panel")).to_contain_text(reference)
    assert Referral.objects.get().patient.date_of_birth.day == 28


def test_directory_manager_adds_a_service_and_a_link_worker_finds_it(
    page, directory_manager, link_worker, pcn
):
    from tests.directory.factories import OrganisationFactory

    OrganisationFactory(pcn=pcn, name="Armley Men's Shed")
    log_in(page, directory_manager.email)
    page.get_by_role("link", name="Manage directory").first.click()
    page.get_by_role("link", name="Armley Men's Shed", exact=True).click()
    page.get_by_role("link", name="Add a service").click()

    page.get_by_label("Name of the service").fill("Shed sessions")
    page.get_by_label("What the service offers").fill("Woodwork and a cuppa, Tuesdays")
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_label("Youngest age (optional)").fill("65")
    page.get_by_label("Oldest age (optional)").fill("18")
    page.get_by_role("button", name="Add service").click()
    expect(page).to_have_title(re.compile(r"^Error: Add a service"))
    page.locator(".nhsuk-error-summary a[href='#id_maximum_age']").click()
    expect(page.get_by_label("Oldest age (optional)")).to_be_focused()
    expect(page.get_by_label("Name of the service")).to_have_value("Shed sessions")
    expect(page.get_by_label("Loneliness and isolation")).to_be_checked()

    page.get_by_label("Oldest age (optional)").fill("")
    page.get_by_role("button", name="Add service").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Shed sessions has been added to the directory"
    )
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))

    log_in(page, link_worker.email)
    page.goto("/directory/?need=loneliness&age=70")
    expect(page.locator(".spl-result")).to_contain_text("Shed sessions")
    expect(page.locator(".spl-result")).to_contain_text("Not assured")


def test_an_import_page_shows_the_report_by_itself_when_the_worker_finishes(
    page, directory_manager, pcn
):
    from directory.importing import jobs
    from directory.importing.csv_file import csv_template
    from directory.models import DirectoryImport

    job = DirectoryImport.objects.create(
        pcn=pcn, created_by=directory_manager, filename="services.csv",
        content=csv_template().encode(),
    )  # fmt: skip
    log_in(page, directory_manager.email)
    page.goto(job.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Importing the file")

    jobs.run(job.pk)  # the worker, here: the template row is an organisation, a
    # service, its place, the service there and a phone contact
    expect(page.get_by_role("heading", level=1)).to_contain_text("Imported", timeout=10_000)
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("5 created")


def test_gp_refers_someone_already_referred_adds_information_then_withdraws(page, gp, practice):
    from referrals.forms import CONSENT_LABEL
    from referrals.models import Referral, Status

    patient = PatientFactory(registered_practice=practice, given_name="Jo", family_name="Bloggs")
    earlier = ReferralFactory(
        patient=patient, received_at=datetime.datetime(2025, 3, 2, 10, tzinfo=datetime.UTC)
    )
    log_in(page, gp.email)
    page.get_by_role("link", name="Refer someone").first.click()
    page.get_by_label("NHS number", exact=True).fill(patient.nhs_number)
    page.get_by_role("button", name="Find by NHS number").click()

    warning = page.locator(".nhsuk-warning-callout")
    expect(warning).to_contain_text("Already referred")
    expect(warning).to_contain_text(f"{earlier.reference}, awaiting triage, received 2 March 2025")
    expect(page.get_by_label("Last name")).to_have_value("Bloggs")
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_label(CONSENT_LABEL).check()
    page.get_by_role("button", name="Send referral").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Referral sent")
    referral = Referral.objects.exclude(pk=earlier.pk).get()
    assert referral.patient == patient
    expect(page.locator(".nhsuk-panel")).to_contain_text(referral.reference)
    page.get_by_role("link", name="View this referral").click()
    expect(page).to_have_url(re.compile(f"/referrals/mine/{referral.reference}/$"))

    page.get_by_label("What would you like to add?").fill("She would rather be called mornings")
    page.get_by_role("button", name="Add to the referral").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        f"Information added to referral {referral.reference}"
    )
    notes = page.locator(".nhsuk-summary-list__row", has_text="Notes")
    expect(notes).to_contain_text("Added by Dr Sam Patel")
    expect(notes).to_contain_text("She would rather be called mornings")

    page.get_by_role("button", name="Withdraw referral").click()
    expect(page).to_have_title(re.compile(r"^Error: "))
    expect(page.locator(".nhsuk-error-summary")).to_be_focused()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Say why you are withdrawing the referral"
    )
    expect(notes).to_contain_text("She would rather be called mornings")
    expect(page.locator("main .nhsuk-tag")).to_have_text("Awaiting triage")
    page.locator(".nhsuk-error-summary a").click()
    reason = page.get_by_label("Why are you withdrawing the referral?")
    expect(reason).to_be_focused()
    reason.fill("Already referred: the earlier referral covers it")
    page.get_by_role("button", name="Withdraw referral").click()

    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        f"Referral {referral.reference} withdrawn"
    )
    expect(page.locator("main")).to_contain_text("Withdrawn by the referrer")
    expect(page.get_by_role("button", name="Withdraw referral")).to_have_count(0)
    referral.refresh_from_db()
    assert referral.status == Status.WITHDRAWN


def test_link_worker_merges_a_duplicate_chosen_from_a_revealed_list(page, link_worker, practice):
    from referrals.models import Status

    patient = PatientFactory(registered_practice=practice, given_name="Jo", family_name="Bloggs")
    first = ReferralFactory(
        patient=patient, notes="Lives alone",
        received_at=datetime.datetime(2025, 3, 2, 10, tzinfo=datetime.UTC),
    )  # fmt: skip
    first.reasons.create(reason="loneliness")
    second = ReferralFactory(patient=patient, notes="Prefers calls after 10am")
    second.reasons.create(reason="finance")
    log_in(page, link_worker.email)
    page.goto(second.get_absolute_url())
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text(first.reference)

    merge_into = page.get_by_label("Merge into", exact=True)
    expect(merge_into).to_be_hidden()
    page.get_by_label("A duplicate: merge into another open referral").check()
    expect(merge_into).to_be_visible()
    check_accessibility(page)  # the page with the list revealed
    merge_into.select_option(label=f"{first.reference}, received 2 Mar 2025 (Awaiting triage)")
    page.get_by_role("button", name="Save decision").click()

    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        f"Referral {second.reference}: merged into another referral"
    )
    page.get_by_role("link", name=first.reference).click()
    expect(page.get_by_role("heading", name="Merged into this referral")).to_be_visible()
    merged = page.locator("dl", has=page.locator("dd", has_text="Prefers calls after 10am"))
    expect(merged).to_contain_text("Finance, debt and benefits")
    expect(page.locator("main")).to_contain_text("Lives alone")
    expect(page.get_by_role("heading", name=f"Referral {second.reference}")).to_be_visible()
    second.refresh_from_db()
    assert (second.status, second.merged_into) == (Status.MERGED, first)


def test_a_person_who_wants_a_letter_gives_their_address_under_that_choice(page, practice):
    from referrals.models import Referral

    page.goto("/refer/")
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Last name").fill("Bloggs")
    page.get_by_label("Day").fill("12")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Year").fill("1958")
    page.get_by_label("Postcode").fill("LS1 4AP")
    find_practice(page, practice.name)
    address = page.get_by_label("Address line 1")
    expect(address).to_be_hidden()
    page.get_by_label("Letter").check()
    expect(address).to_be_visible()
    expect(page.get_by_label("Town or city")).to_be_visible()
    check_accessibility(page)  # the page with the address revealed
    page.get_by_label("Finance, debt and benefits").check()
    page.get_by_label("I agree to a social prescribing link worker contacting me").check()
    page.get_by_role("button", name="Send").click()

    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Enter the first line of your address"
    )
    expect(address).to_be_visible()
    expect(page.locator("#id_address_line_1-error")).to_have_text(
        "Error: Enter the first line of your address"
    )
    expect(address).to_have_accessible_description(
        re.compile("Enter the first line of your address")
    )
    expect(page.get_by_label("Letter")).to_be_checked()
    address.fill("1 Park Row")
    page.get_by_label("Town or city").fill("Leeds")
    page.get_by_role("button", name="Send").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("Request sent")
    patient = Referral.objects.get().patient
    assert (patient.preferred_contact_method, patient.address_line_1, patient.town) == (
        "letter",
        "1 Park Row",
        "Leeds",
    )


def test_a_gp_finds_a_referral_by_name_and_a_link_worker_searches_near_a_postcode(
    page, gp, link_worker, practice
):
    from tests.directory.factories import ServiceAtLocationFactory

    ReferralFactory(
        patient__registered_practice=practice, patient__family_name="Lovelace", referred_by=gp
    )
    log_in(page, gp.email)
    page.goto("/referrals/mine/")
    page.get_by_label("Find a referral").fill("lovelace")
    page.get_by_role("button", name="Search").click()
    expect(page.locator("main")).to_contain_text("1 referral found")
    page.get_by_label("Find a referral").fill("")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter a reference or a name")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))

    ServiceAtLocationFactory(
        service__organisation__pcn=practice.pcn,
        service__name="Chapeltown debt advice",
        location__postcode="LS7 3EX",
    )
    log_in(page, link_worker.email)
    page.goto("/directory/")
    page.get_by_label("Near (postcode or place)").fill("LS7")
    page.get_by_role("button", name="Search").click()
    expect(page.locator(".spl-result").first).to_contain_text("Chapeltown debt advice")


def test_link_worker_takes_from_the_waiting_list_agrees_a_plan_connects_and_closes(
    page, browser, live_server, link_worker, practice
):
    from django.core import mail

    from caseload import providers
    from caseload.models import Case, CaseStatus, Connection, ConnectionStatus
    from directory.models import Service, TaxonomyTerm
    from referrals.models import Status
    from tests.directory.factories import OrganisationFactory, ServiceFactory

    referral = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, given_name="Jo", family_name="Bloggs")
    )
    referral.reasons.create(reason="loneliness")
    walking = ServiceFactory(
        name="Chapeltown walking group",
        organisation=OrganisationFactory(
            pcn=practice.pcn,
            name="Chapeltown Community Trust",
            assured_until=datetime.date.today() + datetime.timedelta(days=200),
        ),
        access=Service.Access.DIRECT_REFERRAL,
        referral_email="referrals@walks.example.org",
    )
    walking.taxonomy_terms.add(TaxonomyTerm.objects.get(code="loneliness"))
    log_in(page, link_worker.email)
    page.goto(referral.get_absolute_url())
    page.get_by_role("link", name="Allocate to a link worker").click()
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Select a link worker or the waiting list"
    )
    page.get_by_label("The PCN's waiting list").check()
    page.get_by_role("button", name="Allocate").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_be_visible()
    page.goto("/caseload/")
    page.get_by_role("link", name=re.compile("Waiting list")).click()
    page.get_by_role("button", name="Take Jo Bloggs").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Jo Bloggs")

    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Unable to contact").check()
    page.get_by_label("Notes (optional)").fill("No answer, left a voicemail")
    page.get_by_role("button", name="Record contact").click()
    expect(page.locator("main")).to_contain_text("1 attempt to contact them")

    page.get_by_label("Phone", exact=True).check()
    page.get_by_label("Spoke with the person").check()
    page.get_by_role("button", name="Record contact").click()
    page.get_by_label("The full closing summary").check()
    page.get_by_role("button", name="The person agreed to support").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "The person agreed to support"
    )
    page.get_by_role("link", name="Your caseload").first.click()
    page.get_by_role("link", name="Jo Bloggs").click()
    case = Case.objects.get(referral=referral)
    referral.refresh_from_db()
    assert (case.status, case.contacts.count(), referral.status) == (
        CaseStatus.ACTIVE,
        2,
        Status.ACCEPTED,
    )

    page.get_by_role("link", name="Support plan").click()
    page.get_by_role("button", name="Start the plan").click()
    page.get_by_label("What matters to me").fill("Getting out of the house again")
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="Add goal").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Enter the goal")
    page.get_by_label("Goal", exact=True).fill("Join a walking group")
    page.get_by_role("button", name="Add goal").click()
    page.get_by_role("button", name="The person agreed this plan").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Plan version 1 agreed"
    )
    page.get_by_role("link", name="Version 1").click()
    expect(page.locator("main")).to_contain_text("Join a walking group")
    page.get_by_role("link", name="Support plan").click()
    page.get_by_role("link", name="Case", exact=True).click()

    page.get_by_role("link", name="Record ONS4 personal wellbeing").click()
    page.get_by_label("Baseline").check()
    page.get_by_role("button", name="Save the measure").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text(
        "Select an answer for: Overall, how satisfied are you with your life nowadays?"
    )
    for question in page.locator("fieldset:has(.nhsuk-radios--inline)").all():
        question.get_by_label("7").check()
    page.get_by_role("button", name="Save the measure").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("recorded")

    page.get_by_role("link", name="Find a service").click()
    page.get_by_label("Search").fill("walking")
    page.get_by_role("button", name="Search").click()
    page.get_by_role("link", name="Connect the person to Chapeltown walking group").click()
    page.get_by_label("Referred: the service receives a referral from you").check()
    page.get_by_role("button", name="Record the connection").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why this service")
    page.get_by_label("Why this service?").fill("Walking with others, near home")
    page.get_by_label("The person agreed that the service may have their name").check()
    page.get_by_label("What the person agreed to tell the service").fill("Mornings are best")
    page.get_by_role("button", name="Record the connection").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Referral sent")

    # The provider, without an account, answers through the link in their email.
    email = next(m for m in mail.outbox if m.to == ["referrals@walks.example.org"])
    link = re.search(r"/provider/\S+/", email.body).group(0)
    provider = browser.new_context(base_url=live_server.url).new_page()
    provider.route("**/*", lambda route: route.continue_() if route.request.url.startswith(
        live_server.url) else route.abort())  # fmt: skip
    provider_axe = axe.install(provider)
    provider.goto(link)
    expect(provider.locator("main")).to_contain_text("Mornings are best")
    provider.get_by_label("Yes, we accept the referral").check()
    provider.get_by_role("button", name="Send your answer").click()
    expect(provider.locator(".nhsuk-notification-banner--success")).to_contain_text("Thank you")
    provider.goto(link.replace("/provider/", "/provider/x"))  # a link spoilt in copying
    expect(provider.locator("main")).to_contain_text("This link does not work")
    provider_axe.check()
    with time_machine.travel(datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=61)):
        old_link = providers.provider_link(Connection.objects.get())
    provider.goto(old_link.removeprefix(settings.SITE_URL))
    expect(provider.locator("h1")).to_contain_text("This link has expired")
    provider_axe.check()
    assert not provider_axe.failed, provider_axe.report()
    provider.context.close()
    assert Connection.objects.get().status == ConnectionStatus.ACCEPTED

    page.reload()
    expect(page.locator("#connections ~ .nhsuk-card").first).to_contain_text(
        "Accepted by the provider"
    )
    page.get_by_text("Update this connection").click()  # the details' summary
    check_accessibility(page)  # the page with the connection's form unfolded
    page.get_by_role("button", name="Put support on hold").click()  # a link to its page
    expect(page.locator("h1")).to_contain_text("Put support on hold")
    page.get_by_role("link", name="Cancel and go back to the case").click()
    page.get_by_role("button", name="Close the case").click()  # a link to its page
    page.get_by_label("Goals met").check()
    page.get_by_label("Closing summary").fill("Joined the Tuesday walking group")
    page.get_by_label("Why could it not be taken?").fill("Jo did not want to answer again")
    page.get_by_label("Chapeltown walking group: how did it end?").select_option("attended")
    check_accessibility(page)  # the closing form, filled in
    page.get_by_role("button", name="Close the case").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Case closed")
    referral.refresh_from_db()
    assert referral.status == Status.CLOSED
    assert Connection.objects.get().status == ConnectionStatus.ATTENDED
    page.get_by_role("link", name="Closing summary for the GP record").click()
    expect(page.locator("main")).to_contain_text("Joined the Tuesday walking group")
    expect(page.locator("main")).to_contain_text("Chapeltown walking group")


def test_supervisor_reassigns_a_link_workers_case_to_a_colleague(
    page, supervisor, link_worker, colleague, practice
):
    from caseload import services
    from caseload.models import Case

    referral = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, given_name="Jo", family_name="Bloggs")
    )
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    log_in(page, supervisor.email)
    page.get_by_role("link", name="Team caseloads").first.click()
    page.get_by_role("link", name="Amira Khan").click()
    page.get_by_label("Jo Bloggs, contacting").check()
    page.get_by_label("Tom Evans").check()
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why")
    expect(page.get_by_label("Jo Bloggs, contacting")).to_be_checked()
    page.get_by_label("Why", exact=True).fill("Amira is on leave")
    page.get_by_role("button", name="Reassign").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "1 case reassigned to Tom Evans"
    )
    assert Case.objects.get(pk=case.pk).link_worker == colleague


def test_link_worker_records_and_closes_a_safeguarding_concern_then_flags_for_mdt(
    page, link_worker, practice
):
    from caseload import services

    referral = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, given_name="Jo", family_name="Bloggs")
    )
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    log_in(page, link_worker.email)
    page.goto(case.get_absolute_url())
    page.get_by_role("button", name="Record a safeguarding concern").click()  # a link
    page.get_by_label("Self-neglect").check()
    page.get_by_role("button", name="Record the concern").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Describe what happened")
    expect(page.get_by_label("Self-neglect")).to_be_checked()
    page.get_by_label("What happened").fill("No food in the house, heating off")
    page.get_by_label("The practice safeguarding lead").check()
    page.get_by_role("button", name="Record the concern").click()
    expect(page.locator(".nhsuk-warning-callout")).to_contain_text("Safeguarding concern open")
    page.get_by_role("link", name="Your caseload").first.click()
    expect(page.locator("main")).to_contain_text("Safeguarding")
    page.get_by_role("link", name="Jo Bloggs").click()
    page.get_by_label("Outcome").fill("Adult social care visited; meals arranged")
    page.get_by_role("button", name="Close the concern").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Safeguarding concern closed"
    )
    expect(page.locator(".nhsuk-warning-callout")).to_have_count(0)

    page.get_by_role("button", name="Flag for an MDT meeting").click()  # a link to its page
    page.get_by_label("What should the meeting discuss?").fill("Support with meals")
    next_week = datetime.date.today() + datetime.timedelta(days=7)
    page.get_by_label("Day").last.fill(str(next_week.day))
    page.get_by_label("Month").last.fill(str(next_week.month))
    page.get_by_label("Year").last.fill(str(next_week.year))
    page.get_by_role("button", name="Flag for the meeting").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text(
        "Flagged for the MDT meeting"
    )
    page.goto("/caseload/mdt/")
    expect(page.locator("main")).to_contain_text("Support with meals")


def test_link_worker_refers_back_to_the_gp_who_replies(page, link_worker, gp, practice):
    from caseload import services

    referral = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, given_name="Jo", family_name="Bloggs")
    )
    case = services.allocate(referral=referral, to=link_worker, by=link_worker)
    log_in(page, link_worker.email)
    page.goto(case.get_absolute_url())
    page.get_by_role("button", name="Refer back to the GP or another clinician").click()
    page.get_by_label("Dr Sam Patel").check()
    page.get_by_role("button", name="Refer back").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Say why")
    page.get_by_label("Why", exact=True).fill("Breathless on the stairs")
    page.get_by_role("button", name="Refer back").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Referred back")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))

    log_in(page, gp.email)
    page.get_by_role("link", name="Referred back to you").click()
    page.get_by_label("Your reply to the link worker").fill("Seen today; inhaler started")
    page.get_by_role("button", name="Send reply").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Reply sent")
    assert case.refer_backs.get().reply == "Seen today; inhaler started"


def test_a_link_worker_takes_from_the_waiting_list_and_the_practice_reads_the_summary(
    page, link_worker, supervisor, practice_manager, practice
):
    from caseload import services
    from caseload.models import CloseReason, ShareWithGp

    referral = ReferralFactory(
        patient=PatientFactory(registered_practice=practice, given_name="Jo", family_name="Bloggs")
    )
    case = services.allocate(referral=referral, to=None, by=supervisor)
    log_in(page, link_worker.email)
    page.goto("/caseload/")
    page.get_by_role("link", name=re.compile("Waiting list")).click()
    page.get_by_role("button", name="Take Jo Bloggs").click()
    expect(page.locator(".nhsuk-notification-banner--success")).to_contain_text("Case taken")

    services.person_agreed(case=case, by=link_worker, share_with_gp=ShareWithGp.FULL)
    services.close(case=case, by=link_worker, reason=CloseReason.GOALS_MET, summary="All done")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url(re.compile(r"/accounts/login/$"))
    log_in(page, practice_manager.email)
    page.get_by_role("link", name="Coding").first.click()
    page.get_by_role("link", name="Closing summaries for the GP record").click()
    page.get_by_role("link", name="Jo Bloggs").click()
    expect(page.locator("main")).to_contain_text("All done")


def test_a_practice_manager_opens_the_dashboard_and_changes_the_period(
    page, practice_manager, practice
):
    ReferralFactory(patient=PatientFactory(registered_practice=practice))
    log_in(page, practice_manager.email)
    page.get_by_role("link", name="Outcomes").first.click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("Outcomes: Q")
    page.get_by_label("Period", exact=True).select_option(index=0)  # this month
    page.get_by_role("button", name="Show").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text(
        datetime.date.today().strftime("%B %Y")
    )
    expect(page.locator("main")).to_contain_text("Referrals received")
    # Dates the wrong way round: the error is shown in the dates' unfolded
    # section (checked by axe as the page loads).
    page.get_by_label("Period", exact=True).select_option("custom")
    page.locator("summary", has_text="Dates you choose").click()
    for field, day in (("start", "9"), ("end", "5")):
        page.locator(f"#id_{field}_day").fill(day)
        page.locator(f"#id_{field}_month").fill("10")
        page.locator(f"#id_{field}_year").fill("2026")
    page.get_by_role("button", name="Show").click()
    page.get_by_role("link", name="The last day must be the same as or after the first").click()
    expect(page.locator("#id_end_day")).to_be_focused()


def test_a_commissioner_asks_for_a_quarterly_report_and_downloads_it(page, commissioner):
    from outcomes import periods

    last = periods.quarter_of(
        periods.quarter_of(datetime.date.today()).start - datetime.timedelta(1)
    )
    log_in(page, commissioner.email)
    page.get_by_role("link", name="Reports").first.click()
    page.get_by_role("button", name="Make the report").click()
    expect(page.locator(".nhsuk-error-summary")).to_contain_text("Select a report")
    page.get_by_label("Quarterly report across all your PCNs").check()
    page.get_by_label("Which period?").select_option(label=last.label)
    page.get_by_role("button", name="Make the report").click()
    expect(page.locator("main")).to_contain_text("Ready")
    with page.expect_download() as download:
        page.get_by_role("link", name="Download the report (PDF)").click()
    assert download.value.suggested_filename == f"commissioner-report-{last.start:%Y-%m}.pdf"
