"""Screenshots for docs/screenshots, taken by `make screenshots` (not part of `make test`).

Each page is captured full-length at desktop width, and the public pages also at
a mobile width, from a live server loaded with the demo data.
"""

import csv
import datetime
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.core.management import call_command

from directory.importing import csv_file
from spl.models import Practice, User

OUT = Path(__file__).resolve().parents[1] / "docs" / "screenshots"
pytestmark = [pytest.mark.screenshots, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo(db):
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115


def submit(page, button):
    with page.expect_navigation():
        page.get_by_role("button", name=button).click()


def shoot(page, name, *, width=1280):
    page.set_viewport_size({"width": width, "height": 800})
    OUT.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=OUT / f"{name}.png", full_page=True)


def log_in(page, email):
    page.goto("/accounts/login/")
    page.get_by_label("Email address").fill(email)
    page.get_by_label("Password", exact=True).fill(settings.SPL_DEMO_PASSWORD)
    submit(page, "Log in")


def test_login_pages(page, demo):
    page.goto("/accounts/login/")
    shoot(page, "login")
    shoot(page, "login-mobile", width=375)
    submit(page, "Log in")
    shoot(page, "login-errors")


def test_home_pages(page, demo):
    log_in(page, "linkworker@example.org")
    shoot(page, "home-link-worker")
    shoot(page, "home-link-worker-mobile", width=375)
    submit(page, "Log out")
    log_in(page, "manager@example.org")
    shoot(page, "home-practice-manager")


def test_practice_pages(page, demo):
    log_in(page, "manager@example.org")
    page.goto("/practices/")
    shoot(page, "practice-list")
    practice = Practice.objects.get(ods_code="Y00011")
    page.goto(f"/practices/{practice.pk}/edit/")
    page.get_by_label("Registered list size").fill("0")
    submit(page, "Save list size")
    shoot(page, "practice-edit-errors")


def test_clinician_referral_form(page, demo):
    log_in(page, "gp@example.org")
    page.goto("/referrals/new/")
    shoot(page, "referral-new")
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Day").fill("31")
    page.get_by_label("Month").fill("2")
    page.get_by_label("Year").fill("1958")
    submit(page, "Send referral")
    shoot(page, "referral-new-errors")


def test_referring_someone_already_referred(page, demo):
    from referrals import services
    from referrals.models import Referral

    gp = User.objects.get(email="gp@example.org")
    known = services.create_referral(  # earlier today, for a patient of the practice
        patient=Referral.objects.visible_to(gp).exclude(patient__nhs_number="")[0].patient,
        route="clinician",
        reasons=["finance"],
        by=gp,
        consent_to_contact=True,
    )
    log_in(page, "gp@example.org")
    page.goto("/referrals/new/")
    page.locator("#id_find-nhs_number").fill(known.patient.nhs_number)
    submit(page, "Find by NHS number")
    shoot(page, "referral-new-already-referred")
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_label(
        "The person has agreed to be contacted by a social prescribing link worker"
    ).check()
    submit(page, "Send referral")
    shoot(page, "referral-sent")
    page.get_by_role("link", name="View this referral").click()
    page.wait_for_load_state()
    shoot(page, "referral-mine-detail")


def test_triage_pages(page, demo):
    import datetime

    from referrals import services
    from referrals.models import Patient

    gp = User.objects.get(email="gp@example.org")
    practice = Practice.objects.get(ods_code="Y00011")
    people = [("Ada", "Lovelace", "9990000018", ["loneliness"], "urgent"),
              ("Sam", "Okafor", "", ["finance", "housing"], "routine"),
              ("Sam", "Okafor", "", ["mental_wellbeing"], "routine")]  # fmt: skip
    for given, family, number, reasons, urgency in people:
        patient = Patient(
            given_name=given,
            family_name=family,
            nhs_number=number,
            date_of_birth=datetime.date(1950, 5, 17),
            postcode="LS1 4AP",
            registered_practice=practice,
        )
        referral = services.create_referral(
            patient=patient,
            route="clinician",
            reasons=reasons,
            by=gp,
            consent_to_contact=True,
            urgency=urgency,
        )
    log_in(page, "linkworker@example.org")
    page.goto("/referrals/")
    shoot(page, "referral-list")
    page.goto(referral.get_absolute_url())  # the second Sam Okafor: a possible duplicate
    shoot(page, "referral-detail")
    page.get_by_label("A duplicate: merge into another open referral").check()
    shoot(page, "referral-detail-merge")
    page.get_by_label("Merge into", exact=True).select_option(index=1)
    submit(page, "Save decision")
    page.locator(".nhsuk-summary-list a").last.click()  # "Merged into": the surviving one
    page.wait_for_load_state()
    shoot(page, "referral-detail-merged")


def test_public_referral_forms(page, demo):
    page.goto("/refer/")
    shoot(page, "refer-self")
    shoot(page, "refer-self-mobile", width=375)
    page.get_by_label("First name").fill("Jo")
    page.get_by_label("Year").fill("1958")
    page.get_by_label("Phone call").check()
    submit(page, "Send")
    shoot(page, "refer-self-errors-mobile", width=375)
    page.get_by_label("Last name").fill("Bloggs")
    page.get_by_label("Day").fill("12")
    page.get_by_label("Month").fill("4")
    page.get_by_label("Postcode").fill("ls1 4ap")
    page.get_by_label("Your GP practice").fill("Leeds")
    submit(page, "Find practice")
    shoot(page, "refer-self-practice-finder-mobile", width=375)
    page.get_by_label("Riverside Medical Centre").check()
    page.get_by_label("Phone number (optional)").fill("07700 900123")
    page.get_by_label("Loneliness and isolation").check()
    page.get_by_label("I agree to a social prescribing link worker contacting me").check()
    submit(page, "Send")
    shoot(page, "refer-sent-mobile", width=375)
    page.goto("/refer/agency/")
    shoot(page, "refer-agency")


def test_self_referral_by_letter(page, demo):
    page.goto("/refer/")
    page.get_by_label("Letter").check()
    page.get_by_label("Address line 1").fill("4 Canal Street")
    submit(page, "Send")
    shoot(page, "refer-self-letter-errors")


def test_referrer_pages(page, demo):
    log_in(page, "gp@example.org")
    page.goto("/referrals/mine/")
    shoot(page, "referral-mine")
    page.get_by_label("Find a referral").fill("brown")
    submit(page, "Search")
    shoot(page, "referral-mine-search")
    submit(page, "Log out")
    log_in(page, "manager@example.org")
    page.goto("/referrals/coding/")
    shoot(page, "coding-list")
    page.get_by_role("link", name="Summary").first.click()
    page.wait_for_load_state()
    shoot(page, "referral-summary")


def test_directory_pages(page, demo):
    log_in(page, "linkworker@example.org")
    page.goto("/directory/?need=finance")
    shoot(page, "directory-search")
    shoot(page, "directory-search-mobile", width=375)
    page.locator(".spl-result a").first.click()
    page.wait_for_load_state()
    shoot(page, "directory-service")
    page.get_by_role("link", name=page.locator("h2 a").first.inner_text()).first.click()
    page.wait_for_load_state()
    shoot(page, "directory-organisation")


def test_directory_management_pages(page, demo):
    log_in(page, "directory@example.org")
    page.goto("/directory/manage/")
    shoot(page, "directory-manage")
    page.get_by_role("link", name="Record a check").first.click()
    page.wait_for_load_state()
    page.get_by_label("Evidence seen").fill("Certificate seen")
    page.locator("#id_checked_on_day").fill("31")
    page.locator("#id_checked_on_month").fill("2")
    page.locator("#id_checked_on_year").fill("2026")
    submit(page, "Record check")
    shoot(page, "directory-check-errors")
    page.get_by_role("link", name=page.locator(".nhsuk-back-link").inner_text()).click()
    page.wait_for_load_state()
    shoot(page, "directory-organisation-manager")
    page.locator(".nhsuk-list a[href*='/directory/services/']").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Change this service").click()
    page.wait_for_load_state()
    page.get_by_label("Youngest age (optional)").fill("65")
    page.get_by_label("Oldest age (optional)").fill("18")
    page.get_by_label("Places free now (optional)").fill("4")
    page.get_by_label("Places in all (optional)").fill("12")
    submit(page, "Save changes")
    shoot(page, "directory-service-edit-errors")
    page.get_by_label("Oldest age (optional)").fill("")
    submit(page, "Save changes")
    page.goto(page.url.split("/directory/")[0] + "/directory/manage/")
    page.locator("tbody a").first.click()
    page.wait_for_load_state()
    page.get_by_role("link", name="Change history").click()
    page.wait_for_load_state()
    shoot(page, "directory-history")


def test_directory_service_parts_and_places(page, demo):
    from directory.models import Service

    service = Service.objects.filter(contacts__isnull=False, schedules__isnull=False).first()
    log_in(page, "directory@example.org")
    page.goto(service.get_absolute_url())
    shoot(page, "directory-service-manager")
    page.get_by_role("link", name="Add opening times").click()
    page.wait_for_load_state()
    page.get_by_label("Opens at (optional)").fill("14:00")
    page.get_by_label("Closes at (optional)").fill("10:00")
    submit(page, "Add opening times")
    shoot(page, "directory-times-errors")
    page.goto(service.get_absolute_url())
    page.get_by_role("link", name="Remove").last.click()
    page.wait_for_load_state()
    shoot(page, "directory-contact-remove")
    page.goto(service.organisation.get_absolute_url())
    page.get_by_role("link", name="Add a place").click()
    page.wait_for_load_state()
    page.get_by_label("Name of the place").fill("Armley Library")
    page.get_by_label("Postcode").fill("LS99")
    page.get_by_label("Latitude (optional)").fill("53.79")
    submit(page, "Add place")
    shoot(page, "directory-place-errors")


def test_directory_import_pages(page, demo, tmp_path):
    log_in(page, "directory@example.org")
    page.goto("/directory/manage/import/")
    shoot(page, "directory-import")
    rows = [
        {"service_name": "Chair yoga", "service_description": "Gentle yoga, seated",
         "organisation_name": "Armley Advice Centre", "needs": "physical_activity",
         "minimum_age": "50", "maximum_age": "40"},
        {"service_name": "Money clinic", "service_description": "Benefit checks",
         "organisation_name": "Armley Advice Centre", "needs": "money", "postcode": "LS12 1UB",
         "referral_email": "not an address"},
    ]  # fmt: skip
    sheet = tmp_path / "new-services.csv"
    with sheet.open("w", newline="") as out:
        writer = csv.DictWriter(out, csv_file.NAMES)
        writer.writeheader()
        writer.writerows(rows)
    page.get_by_label("File to import").set_input_files(sheet)
    submit(page, "Import file")
    page.wait_for_selector("h1:has-text('Not imported')")
    shoot(page, "directory-import-rejected")


def test_issuing_an_api_token(page, demo):
    log_in(page, "admin@example.org")
    page.goto("/admin/referrals/apiclient/add/")
    page.get_by_label("Organisation name").fill("High Street Pharmacy")
    page.get_by_label("Organisation type").select_option("pharmacy")
    page.get_by_label("Contact email").fill("it@pharmacy.example.org")
    with page.expect_navigation():
        page.locator("input[name=_save]").click()
    shoot(page, "admin-api-token-issued")


def test_caseload_pages(page, demo):
    log_in(page, "linkworker@example.org")
    page.goto("/caseload/")
    shoot(page, "caseload")
    shoot(page, "caseload-mobile", width=375)
    page.goto("/caseload/waiting/")
    shoot(page, "caseload-waiting-list")
    page.goto("/caseload/")
    page.get_by_role("link", name="Waiting list").click()
    submit(page, "Take")
    shoot(page, "case-detail")
    submit(page, "Record contact")
    shoot(page, "case-contact-errors")
    page.get_by_role("button", name="The person agreed to support").click()
    page.get_by_role("link", name="Support plan").click()
    page.get_by_role("button", name="Start the plan").click()
    page.get_by_label("What matters to me").fill("Seeing my friends from the allotment again")
    page.get_by_role("button", name="Save", exact=True).click()
    page.get_by_role("button", name="The person agreed this plan").click()
    shoot(page, "plan-agree-refused")
    page.get_by_label("Goal", exact=True).fill("Go to the allotment society's open day")
    submit(page, "Add goal")
    page.get_by_label("Who").fill("Amira")
    page.get_by_label("What they will do").fill("Find the open day's date")
    submit(page, "Add action")
    submit(page, "Add goal")
    shoot(page, "plan-errors")
    page.goto("/referrals/")
    page.locator("tbody a").first.click()
    page.get_by_role("link", name="Allocate to a link worker").click()
    page.wait_for_load_state()
    shoot(page, "allocate")


def test_team_caseloads(page, demo):
    log_in(page, "supervisor@example.org")
    page.goto("/caseload/team/")
    page.get_by_role("link", name="Tom Evans").click()
    page.wait_for_load_state()
    shoot(page, "caseload-team")


def test_plan_pdf_first_page(demo, tmp_path):
    """The person's copy of their plan: its first page as a picture (needs
    pdftoppm, from Debian's poppler-utils)."""
    import datetime
    import shutil
    import subprocess

    from caseload import plans
    from caseload.models import Case, CaseStatus
    from spl.pdf import render_pdf

    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    amira = User.objects.get(email="linkworker@example.org")
    case = Case.objects.held_by(amira).filter(status=CaseStatus.ACTIVE).order_by("pk").first()
    plans.save_details(
        case=case, by=amira, what_matters="Seeing my friends from the allotment again, and "
        "getting out of the house most days.", strengths="Knows a lot about growing "
        "vegetables. My neighbour Sue checks in on me.", needs=["loneliness", "physical_activity"],
        review_on=datetime.date(2027, 2, 26),
    )  # fmt: skip
    plans.add_goal(case=case, by=amira, description="Go to the allotment society open day")
    plans.add_goal(case=case, by=amira, description="Walk to the park twice a week")
    plans.add_action(
        case=case, by=amira, who="Amira (link worker)",
        what="Find the date of the open day and send it to me",
    )  # fmt: skip
    plan = plans.agree(case=case, by=amira)
    pdf = tmp_path / "plan.pdf"
    pdf.write_bytes(
        render_pdf(
            "caseload/plan_pdf.html",
            {"plan": plan, "patient": case.patient, "link_worker": case.link_worker},
        )
    )
    OUT.mkdir(parents=True, exist_ok=True)
    subprocess.run(
        [pdftoppm, "-png", "-r", "70", "-f", "1", "-l", "1", "-singlefile", str(pdf),
         str(OUT / "plan-pdf-page-1")],
        check=True,
    )  # fmt: skip


def test_caseload_lists_for_the_team_the_gp_and_the_practice(page, demo):
    from caseload.models import Plan

    log_in(page, "linkworker@example.org")
    page.goto("/caseload/mdt/")
    shoot(page, "caseload-mdt-agenda")
    second = Plan.objects.filter(number=2).order_by("pk").first()
    page.goto(f"/caseload/cases/{second.case_id}/plan/2/")
    shoot(page, "plan-version-changes")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    log_in(page, "gp@example.org")
    page.goto("/caseload/refer-backs/")
    shoot(page, "refer-backs")
    page.get_by_role("button", name="Log out").click()
    page.wait_for_url("**/accounts/login/")
    log_in(page, "manager@example.org")
    page.goto("/caseload/gp-summaries/")
    shoot(page, "gp-closing-summaries")
    page.locator("tbody a").first.click()
    page.wait_for_load_state()
    shoot(page, "gp-closing-summary")


def test_connecting_someone_and_the_providers_page(page, demo):
    from caseload.models import Connection, ConnectionStatus
    from caseload.providers import provider_link

    log_in(page, "linkworker@example.org")
    answered = Connection.objects.filter(status=ConnectionStatus.DECLINED).get()
    page.goto(answered.case.get_absolute_url())
    shoot(page, "case-with-connections")
    page.get_by_role("button", name="Close the case").click()  # its own page
    submit(page, "Close the case")
    shoot(page, "case-close-errors")
    page.goto(answered.case.get_absolute_url())
    page.get_by_role("button", name="Refer back to the GP or another clinician").click()
    submit(page, "Refer back")
    shoot(page, "case-refer-back-errors")
    page.goto(answered.case.get_absolute_url())
    page.get_by_role("link", name="Find a service").click()
    page.wait_for_load_state()
    shoot(page, "connect-search")
    page.get_by_role("link", name="Connect the person to").first.click()
    page.wait_for_load_state()
    submit(page, "Record the connection")
    shoot(page, "connect-errors")
    waiting = Connection.objects.filter(status=ConnectionStatus.REFERRED).get()
    page.context.clear_cookies()
    page.goto(provider_link(waiting).split("8000", 1)[-1])
    shoot(page, "provider-answer")
    shoot(page, "provider-answer-mobile", width=375)
    page.goto(provider_link(waiting).split("8000", 1)[-1].replace("/provider/", "/provider/x"))
    shoot(page, "provider-bad-link")
    with time_machine.travel(datetime.datetime.now(datetime.UTC) - datetime.timedelta(days=61)):
        expired = provider_link(waiting)
    page.goto(expired.split("8000", 1)[-1])
    shoot(page, "provider-expired-link")


def test_wellbeing_measures(page, demo):
    from caseload.models import WellbeingMeasure

    log_in(page, "linkworker@example.org")
    measured = (
        WellbeingMeasure.objects.filter(timepoint="review", case__status="active")
        .select_related("case")
        .first()
    )
    page.goto(measured.case.get_absolute_url() + "#wellbeing")
    shoot(page, "case-wellbeing")
    page.get_by_role("link", name="Record Short Warwick-Edinburgh").click()
    page.get_by_label("Review").check()
    page.get_by_label("Often").first.check()
    submit(page, "Save the measure")
    shoot(page, "measure-form-errors")


def test_outcomes_dashboard(page, demo):
    log_in(page, "supervisor@example.org")
    page.goto("/outcomes/dashboard/")
    page.get_by_label("Period", exact=True).select_option(label="2026/27")
    submit(page, "Show")
    shoot(page, "outcomes-dashboard")
    shoot(page, "outcomes-dashboard-mobile", width=375)


def test_quarterly_report_first_two_pages(demo, tmp_path):
    """The demo PCN's quarterly report, pages 1 and 2 as pictures (pdftoppm)."""
    import shutil
    import subprocess

    from django.utils import timezone

    from outcomes import reports
    from outcomes.models import ReportRun
    from spl.models import PCN

    pdftoppm = shutil.which("pdftoppm")
    if not pdftoppm:
        pytest.skip("pdftoppm (poppler-utils) is not installed")
    period = reports.period_for(ReportRun.Kind.QUARTERLY, timezone.localdate())
    run = reports.ensure(kind="quarterly", period=period, pcn=PCN.objects.get(ods_code="U00001"))
    reports.generate(run.pk)
    run.refresh_from_db()
    pdf = tmp_path / "report.pdf"
    pdf.write_bytes(bytes(run.pdf))
    for number in (1, 2):
        subprocess.run(
            [pdftoppm, "-png", "-r", "70", "-f", str(number), "-l", str(number), "-singlefile",
             str(pdf), str(OUT / f"quarterly-report-page-{number}")],
            check=True,
        )  # fmt: skip


def test_reports_page(page, demo):
    log_in(page, "commissioner@example.org")
    page.goto("/outcomes/reports/")
    page.get_by_label("Quarterly report across all your PCNs").check()
    page.get_by_label("Which period?").select_option(index=13)
    submit(page, "Make the report")
    shoot(page, "report-ready")
    page.goto("/outcomes/reports/")
    shoot(page, "reports")
    from outcomes.models import ReportRun

    failed = ReportRun.objects.filter(status=ReportRun.State.READY).first()
    ReportRun.objects.filter(pk=failed.pk).update(
        status=ReportRun.State.FAILED, error="The PDF could not be written: the disk was full."
    )
    page.goto(f"/outcomes/reports/{failed.pk}/")
    shoot(page, "report-failed")
