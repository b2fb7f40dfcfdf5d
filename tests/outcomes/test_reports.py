"""Reports: suppression, runs made once, the schedule and its catch-up, retries,
the PDF's and CSV's contents, who reads them, and the command."""

import datetime
import io

import pytest
import time_machine
from django.core import mail
from django.core.management import call_command
from django.db import IntegrityError
from pypdf import PdfReader

from caseload.models import Case, CaseStatus, Contact
from outcomes import figures, periods, reports, suppression, tasks
from outcomes.models import ReportRun
from referrals.models import ReferralReason, Snomed, Status
from spl.models import AuditEvent
from tests.factories import PatientFactory, ReferralFactory

pytestmark = pytest.mark.django_db
TODAY = datetime.datetime(2026, 10, 5, 9, tzinfo=datetime.UTC)
Q2 = periods.quarter(2026, 2)  # July to September 2026


@pytest.fixture(autouse=True)
def _today():
    with time_machine.travel(TODAY, tick=False):
        yield


# Suppression


def test_small_counts_are_hidden_and_one_more_so_the_total_hides_them():
    rows = [("Loneliness", 3), ("Finance", 10), ("Housing", 12), ("Carers", 0)]
    assert suppression.counts(rows) == [
        ("Loneliness", "*"),
        ("Finance", "*"),
        ("Housing", 12),
        ("Carers", 0),
    ]


def test_two_small_counts_need_no_third():
    rows = [("A", 2), ("B", 4), ("C", 30)]
    assert suppression.counts(rows) == [("A", "*"), ("B", "*"), ("C", 30)]


def test_without_a_total_only_the_small_count_is_hidden():
    assert suppression.counts([("A", 1), ("B", 9)], total_shown=False) == [("A", "*"), ("B", 9)]


def test_five_and_zero_are_shown():
    assert suppression.counts([("A", 5), ("B", 0), ("C", 7)]) == [("A", 5), ("B", 0), ("C", 7)]


@pytest.mark.parametrize(
    ("part", "whole", "shown"), [(3, 20, "*"), (10, 4, "*"), (10, 40, 25.0), (0, 0, None)]
)
def test_a_rate_from_a_small_count_is_hidden(part, whole, shown):
    assert suppression.share(part, whole) == shown


# Runs


def test_one_run_per_kind_scope_and_period(pcn):
    first = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    assert reports.ensure(kind="quarterly", period=Q2, pcn=pcn) == first
    with pytest.raises(IntegrityError):
        ReportRun.objects.create(
            kind="quarterly", scope=first.scope, period_start=Q2.start, period_end=Q2.end
        )


def test_the_schedule_makes_what_is_due(practice, pcn, commissioner):
    reports.schedule()
    made = set(ReportRun.objects.values_list("kind", "scope", "period_start"))
    assert ("monthly", f"practice:{practice.pk}", datetime.date(2026, 9, 1)) in made
    assert ("quarterly", f"pcn:{pcn.pk}", datetime.date(2026, 7, 1)) in made
    assert ("commissioner", f"commissioner:{commissioner.pk}", datetime.date(2026, 7, 1)) in made


def test_a_run_missed_while_the_scheduler_was_down_is_made_when_it_runs(practice, pcn):
    # The scheduler was down from September: on 5 October it catches up.
    with time_machine.travel(datetime.datetime(2026, 10, 20, tzinfo=datetime.UTC), tick=False):
        due = reports.schedule()
    assert ReportRun.objects.get(pk__in=due, kind="quarterly").period_start == Q2.start


def test_scheduling_twice_makes_nothing_more(practice, pcn):
    reports.schedule()
    before = ReportRun.objects.count()
    reports.schedule()
    assert ReportRun.objects.count() == before


def test_the_beat_schedule_runs_it_every_morning(settings):
    entry = settings.CELERY_BEAT_SCHEDULE["schedule-reports"]
    assert entry["task"] == "outcomes.tasks.schedule_reports"


# Making a report


@pytest.fixture
def quarter(practice, link_worker):
    """Referrals in July to September, six for loneliness: one named person."""
    made = []
    for day in range(1, 7):
        referral = ReferralFactory(
            patient=PatientFactory(
                registered_practice=practice,
                given_name="Zebedee",
                family_name=f"Quintrell{day}",
                date_of_birth=datetime.date(1941, 2, 3),
            ),
            received_at=datetime.datetime(2026, 8, day, 10, tzinfo=datetime.UTC),
            status=Status.ACCEPTED,
            snomed_code=Snomed.REFERRAL_TO_SOCIAL_PRESCRIBING,
        )
        ReferralReason.objects.create(referral=referral, reason="loneliness")
        case = Case.objects.create(
            referral=referral,
            practice=practice,
            link_worker=link_worker,
            status=CaseStatus.ACTIVE,
            opened_at=referral.received_at,
        )
        Contact.objects.create(
            case=case,
            at=referral.received_at + datetime.timedelta(days=day),
            mode="phone",
            outcome="spoke",
            by=link_worker,
        )
        made.append(referral)
    ReferralReason.objects.create(referral=made[0], reason="housing")
    return made


def made_report(pcn):
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    tasks.generate_report.delay(run.pk)
    run.refresh_from_db()
    return run


def pdf_text(run):
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(bytes(run.pdf))).pages)


def test_a_report_is_made_with_its_pdf_and_csv(quarter, pcn):
    run = made_report(pcn)
    assert run.status == ReportRun.State.READY
    text = pdf_text(run)
    assert "Quarterly PCN report" in text
    assert "Q2 2026/27" in text
    assert "Referrals received 6" in text
    assert "section,table,figure,value" in run.csv
    assert "Summary,,Referrals received,6" in run.csv


def test_small_counts_are_hidden_in_the_pdf_and_csv(quarter, pcn):
    run = made_report(pcn)
    # One housing referral: hidden. Reasons are not totalled (a referral has
    # several), so no other count need be hidden with it.
    assert "Reasons for referral,Housing,*" in run.csv
    assert "Reasons for referral,Loneliness and isolation,6" in run.csv


def test_the_pdf_names_no_one(quarter, pcn):
    text = pdf_text(made_report(pcn))
    patient = quarter[0].patient
    assert "Quintrell" not in text
    assert patient.nhs_number not in text
    assert "1941" not in text


def test_a_report_is_made_once_however_often_it_is_asked(quarter, pcn):
    run = made_report(pcn)
    assert reports.generate(run.pk) is False
    run.refresh_from_db()
    assert run.attempts == 1


def test_a_failure_is_tried_again(quarter, pcn, monkeypatch):
    calls = []
    build = reports.build

    def flaky(run):
        calls.append(run.pk)
        if len(calls) == 1:
            raise OSError("The disk was full")
        return build(run)

    monkeypatch.setattr(reports, "build", flaky)
    run = made_report(pcn)
    assert (run.status, run.attempts) == (ReportRun.State.READY, 2)


def test_after_the_last_try_the_run_shows_as_failed_with_the_reason(quarter, pcn, monkeypatch):
    def broken(run):
        raise OSError("The disk was full")

    monkeypatch.setattr(reports, "build", broken)
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    assert tasks.generate_report.delay(run.pk).failed()
    run.refresh_from_db()
    assert (run.status, run.attempts, run.error) == ("failed", tasks.TRIES, "The disk was full")


def test_readers_get_a_link_when_a_scheduled_report_is_ready(quarter, pcn, commissioner):
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn, scheduled=True)
    tasks.generate_report.delay(run.pk)
    assert [message.to for message in mail.outbox] == [[commissioner.email]]
    assert f"/outcomes/reports/{run.pk}/" in mail.outbox[0].body
    assert not mail.outbox[0].attachments


def test_readers_are_told_once(quarter, pcn, commissioner):
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn, scheduled=True)
    tasks.generate_report.delay(run.pk)
    tasks.tell_readers.delay(run.pk)  # delivered twice
    assert len(mail.outbox) == 1


def test_a_mail_server_down_leaves_the_report_ready_and_the_readers_to_tell(
    quarter, pcn, commissioner, monkeypatch
):
    def down(*args, **kwargs):
        raise OSError("Connection refused")

    monkeypatch.setattr(reports, "send_mail", down)
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn, scheduled=True)
    tasks.generate_report.delay(run.pk)
    run.refresh_from_db()
    assert (run.status, run.attempts, run.readers_told_at) == ("ready", 1, None)
    monkeypatch.undo()
    tasks.tell_readers.delay(run.pk)  # the retry, once the server is back
    assert [message.to for message in mail.outbox] == [[commissioner.email]]


def test_a_run_left_running_by_a_lost_worker_is_made_when_asked_again(quarter, pcn):
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    ReportRun.objects.filter(pk=run.pk).update(
        status=ReportRun.State.RUNNING, started_at=TODAY - reports.STALE_AFTER
    )
    assert reports.generate(run.pk) is True
    run.refresh_from_db()
    assert run.status == ReportRun.State.READY


def test_a_run_being_made_now_is_not_made_twice(quarter, pcn):
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.State.RUNNING, started_at=TODAY)
    assert reports.generate(run.pk) is False


def test_a_ready_report_is_never_marked_failed_or_pending(quarter, pcn):
    run = made_report(pcn)
    reports.failed(run.pk, OSError("late"))
    reports.retry_later(run.pk)
    run.refresh_from_db()
    assert run.status == ReportRun.State.READY


def test_the_command_makes_a_report(quarter, pcn):
    out = io.StringIO()
    call_command("generate_report", "quarterly", f"--scope=pcn:{pcn.ods_code}",
                 "--period=2026-Q2", stdout=out)  # fmt: skip
    assert "ready" in out.getvalue()
    assert ReportRun.objects.get().status == "ready"


# The reports page


def test_a_commissioner_sees_their_pcns_reports(client_for, commissioner, pcn, practice):
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    monthly = reports.ensure(kind="monthly", period=periods.month(2026, 9), practice=practice)
    page = client_for(commissioner).get("/outcomes/reports/").content.decode()
    assert f"/outcomes/reports/{run.pk}/" in page
    assert f"/outcomes/reports/{monthly.pk}/" in page  # their PCNs' practices too


def test_each_reports_link_says_which_report_it_is(client_for, commissioner, pcn):
    for number in (1, 2):
        reports.ensure(kind="quarterly", period=periods.quarter(2026, number), pcn=pcn)
    page = " ".join(client_for(commissioner).get("/outcomes/reports/").content.decode().split())
    for start in ("1 April 2026", "1 July 2026"):
        assert (
            f'Quarterly PCN report: {pcn.name}<span class="nhsuk-u-visually-hidden">, '
            f"period starting {start}</span></a>"
        ) in page


def test_a_practice_manager_sees_only_their_practices_reports(
    client_for, practice_manager, pcn, practice
):
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    monthly = reports.ensure(kind="monthly", period=periods.month(2026, 9), practice=practice)
    client = client_for(practice_manager)
    assert client.get(f"/outcomes/reports/{monthly.pk}/").status_code == 200
    assert client.get(f"/outcomes/reports/{run.pk}/").status_code == 404


def test_asking_for_a_report_makes_it(client_for, practice_manager, practice, quarter):
    response = client_for(practice_manager).post(
        "/outcomes/reports/", {"report": f"practice-{practice.pk}", "period": "m2026-08"}
    )
    run = ReportRun.objects.get()
    assert response["Location"] == f"/outcomes/reports/{run.pk}/"
    assert run.status == "ready"


def test_a_quarter_for_a_monthly_report_is_refused_next_to_the_field(
    client_for, practice_manager, practice
):
    response = client_for(practice_manager).post(
        "/outcomes/reports/", {"report": f"practice-{practice.pk}", "period": "q2026-2"}
    )
    assert response.status_code == 400
    assert "choose a month" in response.content.decode()


def test_asking_again_for_a_failed_report_makes_it(client_for, practice_manager, practice, quarter):
    period = periods.month(2026, 9)
    run = reports.ensure(kind="monthly", period=period, practice=practice)
    ReportRun.objects.filter(pk=run.pk).update(status=ReportRun.State.FAILED, error="Disk full")
    client_for(practice_manager).post(
        "/outcomes/reports/", {"report": f"practice-{practice.pk}", "period": "m2026-09"}
    )
    run.refresh_from_db()
    assert (run.status, run.error) == (ReportRun.State.READY, "")


def test_the_page_refreshes_itself_until_the_report_is_ready(client_for, commissioner, pcn):
    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    response = client_for(commissioner).get(f"/outcomes/reports/{run.pk}/")
    assert response["Refresh"] == "5"


def test_every_download_is_audited(client_for, commissioner, pcn, quarter):
    run = made_report(pcn)
    response = client_for(commissioner).get(f"/outcomes/reports/{run.pk}/pdf/")
    assert response["Content-Type"] == "application/pdf"
    assert AuditEvent.objects.filter(
        action="export", object_type="outcomes.reportrun", object_id=str(run.pk)
    ).exists()


@pytest.mark.parametrize("who", ["link_worker", "gp"])
def test_others_get_403(client_for, request, who):
    assert client_for(request.getfixturevalue(who)).get("/outcomes/reports/").status_code == 403


def test_the_demo_leaves_a_quarterly_and_a_monthly_report_ready():
    call_command("seed_demo", stdout=io.StringIO())
    ready = set(ReportRun.objects.filter(status="ready").values_list("kind", flat=True))
    assert ready == {"quarterly", "monthly"}


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_on_redis_makes_the_report(quarter, pcn, settings):
    from celery.contrib.testing.worker import start_worker

    from tests.spl.test_tasks import celery_app, wait_until

    run = reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    app = celery_app(settings.REDIS_URL)
    app.autodiscover_tasks(["outcomes"], force=True)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        app.send_task("outcomes.tasks.generate_report", [run.pk])
        assert wait_until(
            lambda: ReportRun.objects.filter(pk=run.pk, status="ready").exists(), seconds=60
        )
    run.refresh_from_db()
    assert "Referrals received 6" in pdf_text(run)


def found_figures(**changes):
    """The dashboard's figures as `reports.sections` reads them: 40 people,
    nothing small, with `changes` (name: rows) made."""
    rows = {
        "decisions": [("Referrals received", 40, None), ("The person agreed to support", 30, 75.0)],
        "by_month": [("Jul 2026", [("All", 40)])],
        "by_reason": [("Loneliness and isolation", 40)],
        "by_organisation": [("General practice", 40)],
        "waiting": [("People contacted", 30), ("Median days", 5.0),
                    ("90th percentile, days", 12.0)],
        "ages": [("65 to 74", 40)],
        "sexes": [("Female", 40)],
        "ethnicities": [("White: British", 40)],
        "connections_by_need": [("Loneliness and isolation", 20)],
        "connections_by_organisation": [("Riverside Trust", 20)],
        "unmet": [],
        "closures": [("Goals met", 20)],
        "swemwbs": [("People", 10), ("Mean score at baseline", 18.0),
                    ("Mean score at discharge", 21.0), ("Mean change", 3.0),
                    ("Improved by 3 points or more", 6), ("Share meaningfully improved, %", 60.0)],
        "providers": [("Referred", 10), ("Services at or over capacity now", 0),
                      ("Services with lapsed quality checks now", 0)],
        "iif": [("Riverside", 40, 8000, 0.5)],
    }  # fmt: skip
    rows.update(changes)
    found = {name: figures.Figure(name, value) for name, value in rows.items()}
    found["providers"].counts = changes.get(
        "provider_counts", {"answered": 10, "accepted": 8, "attended": 6, "went_or_not": 8}
    )
    return found


CLOSED = {"closed": 20, "no_discharge": 6}


def shown(sections, table_or_figure):
    """{label: value} of a table or a one-table section's figures."""
    for section, tables in sections:
        for table, rows in tables:
            if table_or_figure in (table, section) or table_or_figure in dict(rows):
                return dict(rows)
    raise KeyError(table_or_figure)


def test_organisations_are_hidden_as_a_table_that_adds_up():
    # 15 + 3 connections by organisation are the 18 by need, shown in full: the
    # 3 alone hidden would be 18 - 15.
    found = found_figures(
        connections_by_need=[("Loneliness and isolation", 10), ("Housing", 8)],
        connections_by_organisation=[("Riverside Trust", 15), ("Allotment Society", 3)],
    )
    table = shown(reports.sections(found, CLOSED), "Connections by organisation")
    assert table == {"Riverside Trust": "*", "Allotment Society": "*"}


def test_ethnicity_not_stated_is_hidden_when_its_row_of_the_table_is():
    found = found_figures(ethnicities=[
        ("White: British", 40), ("Asian or Asian British: Indian", 12),
        ("Black or Black British: African", 7), ("Not stated", 2), ("Not recorded", 9),
    ])  # fmt: skip
    data = shown(reports.sections(found, CLOSED), "People referred with ethnicity not stated")
    assert data["People referred with ethnicity not stated"] == "*"


def test_ethnicity_not_stated_adds_up_the_people_the_table_shows():
    found = found_figures(
        ethnicities=[("White: British", 40), ("Not stated", 6), ("Not recorded", 9)]
    )
    data = shown(reports.sections(found, CLOSED), "People referred with ethnicity not stated")
    assert data["People referred with ethnicity not stated"] == 15


def test_a_providers_rate_from_few_answers_is_hidden():
    # Ten referred, but two answered: 1 of 2 accepted would be shown as 50 %.
    found = found_figures(
        provider_counts={"answered": 2, "accepted": 1, "attended": 6, "went_or_not": 8}
    )
    data = shown(reports.sections(found, CLOSED), "Referred to services")
    assert data["Accepted by the provider, %"] == "*"
    assert data["Attended, of those who went or did not, %"] == 75.0


def test_a_practice_with_few_referrals_is_hidden_with_another_in_the_iif_table():
    rows = [("Bridge Street", 3, 4000, 0.08), ("Hillside", 40, 8000, 0.5), ("Mill", 60, 9000, 0.67)]
    assert reports.iif_rows(rows) == [
        ("Bridge Street", "*"),
        ("Hillside", "*"),
        ("Mill", "60 of 9000 (0.67%)"),
    ]


def test_the_reports_list_takes_the_same_queries_for_more_reports(
    client_for, commissioner, pcn, practice, django_assert_max_num_queries
):
    client = client_for(commissioner)
    reports.ensure(kind="quarterly", period=Q2, pcn=pcn)
    with django_assert_max_num_queries(20) as few:
        client.get("/outcomes/reports/")
    for number in range(1, 9):
        reports.ensure(kind="monthly", period=periods.month(2026, number), practice=practice)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get("/outcomes/reports/").status_code == 200


def test_a_report_made_at_once_says_so_with_its_last_day(client_for, practice_manager, practice):
    response = client_for(practice_manager).post(
        "/outcomes/reports/", {"report": f"practice-{practice.pk}", "period": "m2026-08"},
        follow=True,
    )  # fmt: skip
    page = response.content.decode()
    assert "Here is your report" in page
    assert "1 August 2026 to 31 August 2026" in page
