"""The import page at /directory/import/: a directory manager uploads a CSV or ORUK
file, the worker imports it (directory.importing.jobs) and the manager reads what was
created, updated or rejected. The importer itself is tested in test_import.py."""

import datetime
import json
import time
import uuid

import pytest
import time_machine
from celery import Celery
from celery.contrib.testing.worker import start_worker
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from kombu.exceptions import OperationalError

from directory import importing, tasks
from directory.importing import jobs
from directory.importing.csv_file import NAMES as COLUMN_NAMES
from directory.models import DirectoryImport, Organisation, Service
from spl import roles
from spl.models import AuditEvent
from tests.factories import PCNFactory, UserFactory

pytestmark = pytest.mark.django_db
PAGE = "/directory/manage/import/"


def sheet(*rows, name="services.csv"):
    header = ",".join(COLUMN_NAMES)
    lines = [header] + [",".join(row.get(column, "") for column in COLUMN_NAMES) for row in rows]
    return SimpleUploadedFile(name, ("\n".join(lines) + "\n").encode(), "text/csv")


def row(**values):
    return {
        "service_name": "Debt advice drop-in",
        "service_description": "Free advice on debts and benefits",
        "organisation_name": "Leeds Debt Advice",
        "organisation_description": "A Leeds charity giving money advice",
    } | values


@pytest.fixture
def upload(django_capture_on_commit_callbacks):
    """Post a file, let the (eager) worker import it, and open the import's page."""

    def post(client, file, **fields):
        with django_capture_on_commit_callbacks(execute=True):
            response = client.post(PAGE, {"file": file, **fields})
        if response.status_code != 302:
            return response
        return client.get(response["Location"])

    return post


def test_anonymous_is_sent_to_login(client, db):
    assert client.get(PAGE)["Location"].startswith("/accounts/login/")


def test_a_link_worker_gets_403(client_for, link_worker):
    assert client_for(link_worker).get(PAGE).status_code == 403


def test_a_link_worker_cannot_post_a_file(upload, client_for, link_worker):
    response = upload(client_for(link_worker), sheet(row()))
    assert response.status_code == 403
    assert not Service.objects.exists()


def test_a_directory_manager_gets_the_page_with_the_column_guide(client_for, directory_manager):
    page = client_for(directory_manager).get(PAGE).content.decode()
    assert "service_description" in page
    assert "/directory/manage/import/template.csv" in page


def test_the_template_is_a_csv_the_importer_reads(upload, client_for, directory_manager, pcn):
    client = client_for(directory_manager)
    response = client.get("/directory/manage/import/template.csv")
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    template = SimpleUploadedFile("template.csv", response.content, "text/csv")
    assert upload(client, template).context["report"]["imported"]


def test_a_good_file_is_imported_into_the_managers_pcn(upload, client_for, directory_manager, pcn):
    response = upload(client_for(directory_manager), sheet(row()))
    page = response.content.decode()
    assert "The file has been imported: 2 created, 0 updated, 0 unchanged" in page
    assert Service.objects.get().organisation.pcn == pcn


def test_an_import_is_audited_as_the_manager(upload, client_for, directory_manager):
    upload(client_for(directory_manager), sheet(row()))
    service = Service.objects.get()
    assert AuditEvent.objects.filter(actor=directory_manager, object_id=str(service.pk)).exists()


def test_checking_only_imports_nothing(upload, client_for, directory_manager):
    response = upload(client_for(directory_manager), sheet(row()), check_only="on")
    assert "Importing it would create 2," in response.content.decode()
    assert not Organisation.objects.exists()


def test_a_bad_row_imports_nothing_and_says_what_to_fix(upload, client_for, directory_manager):
    response = upload(
        client_for(directory_manager),
        sheet(row(), row(service_name="Walks", minimum_age="old")),
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "Nothing was imported" in page
    assert "Row 3" in page
    assert "minimum_age" in page
    assert not Service.objects.exists()


def test_a_file_that_is_not_utf8_is_explained(upload, client_for, directory_manager):
    file = SimpleUploadedFile("services.csv", "service_name\nCaf\xe9".encode("latin-1"))
    page = upload(client_for(directory_manager), file).content.decode()
    assert "Nothing was imported" in page
    assert "UTF-8" in page


def test_no_file_is_reported_next_to_the_field(client_for, directory_manager):
    response = client_for(directory_manager).post(PAGE, {"check_only": "on"})
    assert response.context["form"].errors == {"file": ["Select a file to import"]}
    assert "There is a problem" in response.content.decode()


def test_a_file_too_large_is_refused_before_reading(
    upload, client_for, directory_manager, monkeypatch
):
    monkeypatch.setattr(importing, "MAX_BYTES", 1024 * 1024)
    file = SimpleUploadedFile("big.csv", b"x" * (1024 * 1024 + 1))
    response = upload(client_for(directory_manager), file)
    assert response.context["form"].errors == {"file": ["The file must be smaller than 1 MB"]}


def test_an_oruk_file_is_imported(upload, client_for, directory_manager, pcn):
    feed = {
        "id": "ac148810-d857-441c-9679-408f346de14b",
        "name": "Community Counselling",
        "description": "Counselling for adults",
        "status": "active",
        "organization": {
            "id": "d9d5e0f5-d3ce-4f73-9a2f-4dd0ecc6c610",
            "name": "Example Organisation",
            "description": "A counselling charity",
        },
    }
    file = SimpleUploadedFile("feed.json", json.dumps(feed).encode(), "application/json")
    response = upload(client_for(directory_manager), file)
    assert response.context["report"]["imported"]
    assert str(Service.objects.get().pk) == feed["id"]


def test_a_manager_of_two_pcns_chooses_which(upload, client_for, pcn, other_pcn):
    manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn, other_pcn])
    upload(client_for(manager), sheet(row()), pcn=other_pcn.pk)
    assert Organisation.objects.get().pcn == other_pcn


def test_a_manager_cannot_import_into_a_pcn_that_is_not_theirs(upload, client_for, pcn, other_pcn):
    manager = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[pcn, other_pcn])
    response = upload(client_for(manager), sheet(row()), pcn=PCNFactory().pk)
    assert "pcn" in response.context["form"].errors
    assert not Organisation.objects.exists()


def test_a_single_pcn_manager_imports_into_their_pcn_whatever_is_posted(
    upload, client_for, directory_manager, pcn, other_pcn
):
    upload(client_for(directory_manager), sheet(row()), pcn=other_pcn.pk)
    assert Organisation.objects.get().pcn == pcn


def test_the_import_page_waits_for_the_worker(client_for, directory_manager):
    response = client_for(directory_manager).post(PAGE, {"file": sheet(row())}, follow=True)
    page = response.content.decode()
    assert "Importing the file" in page
    assert "data-spl-poll" in page
    assert not Service.objects.exists()


def test_the_file_is_not_kept_once_imported(upload, client_for, directory_manager):
    upload(client_for(directory_manager), sheet(row()))
    job = DirectoryImport.objects.get()
    assert (job.state, bytes(job.content)) == ("done", b"")


def test_an_import_delivered_twice_runs_once(client_for, directory_manager):
    client_for(directory_manager).post(PAGE, {"file": sheet(row())})
    job = DirectoryImport.objects.get()
    assert jobs.run(job.pk) == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "deleted": 0,
        "rejected": 0,
        "warnings": 0,
        "errors": 0,
    }
    assert jobs.run(job.pk) is None
    assert Service.objects.count() == 1


def test_an_import_that_stops_says_so_and_keeps_nothing(client_for, directory_manager, monkeypatch):
    client_for(directory_manager).post(PAGE, {"file": sheet(row())})
    job = DirectoryImport.objects.get()

    def stop(*args, **kwargs):
        raise RuntimeError("the worker ran out of memory")

    monkeypatch.setattr(importing, "import_file", stop)
    jobs.run(job.pk)
    page = client_for(directory_manager).get(job.get_absolute_url()).content.decode()
    assert "The import stopped before it finished, so nothing was imported" in page
    assert DirectoryImport.objects.get().state == "failed"


def test_an_import_redelivered_after_its_worker_died_is_marked_stopped(
    client_for, directory_manager
):
    client_for(directory_manager).post(PAGE, {"file": sheet(row())})
    long_ago = timezone.now() - datetime.timedelta(minutes=31)
    DirectoryImport.objects.update(state="running", started_at=long_ago)
    job = DirectoryImport.objects.get()
    assert jobs.run(job.pk) is None
    job.refresh_from_db()
    assert (job.state, bytes(job.content)) == ("failed", b"")
    assert job.report["errors"] == [jobs.STOPPED]


def test_an_import_waiting_too_long_is_shown_as_stopped(client_for, directory_manager):
    client = client_for(directory_manager)
    client.post(PAGE, {"file": sheet(row())})
    job = DirectoryImport.objects.get()
    with time_machine.travel(timezone.now() + datetime.timedelta(minutes=31)):
        page = client.get(job.get_absolute_url()).content.decode()
    assert "The import stopped before it finished" in page
    assert "data-spl-poll" not in page


def test_an_import_that_cannot_be_queued_says_so(
    client_for, directory_manager, django_capture_on_commit_callbacks, monkeypatch
):
    def broker_down(*args, **kwargs):
        raise OperationalError("Error 111 connecting to localhost:6379. Connection refused.")

    monkeypatch.setattr(tasks.run_import, "delay", broker_down)
    client = client_for(directory_manager)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(PAGE, {"file": sheet(row())})
    page = client.get(response["Location"]).content.decode()
    assert "The import could not be started, so nothing was imported" in page
    assert DirectoryImport.objects.get().state == "failed"


def test_another_pcns_manager_cannot_see_an_import(client_for, directory_manager, other_pcn):
    client_for(directory_manager).post(PAGE, {"file": sheet(row())})
    job = DirectoryImport.objects.get()
    stranger = UserFactory(role=roles.DIRECTORY_MANAGER, pcns=[other_pcn])
    assert client_for(stranger).get(job.get_absolute_url()).status_code == 404


def test_a_link_worker_cannot_see_an_import(client_for, directory_manager, link_worker):
    client_for(directory_manager).post(PAGE, {"file": sheet(row())})
    job = DirectoryImport.objects.get()
    assert client_for(link_worker).get(job.get_absolute_url()).status_code == 403


def test_the_import_page_query_count_does_not_grow_with_imports(
    upload, client_for, directory_manager, django_assert_max_num_queries
):
    client = client_for(directory_manager)
    upload(client, sheet(row(), name="first.csv"))
    with django_assert_max_num_queries(6):  # session, user, permissions, PCNs, imports
        client.get(PAGE)
    for number in range(6):
        upload(client, sheet(row(), name=f"again-{number}.csv"))
    with django_assert_max_num_queries(6):
        page = client.get(PAGE).content.decode()
    assert page.count("again-") == 5  # the five most recent


def test_recent_imports_are_listed(upload, client_for, directory_manager):
    client = client_for(directory_manager)
    upload(client, sheet(row(), name="october.csv"))
    assert "october.csv" in client.get(PAGE).content.decode()


@pytest.mark.redis
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_imports_a_file_from_redis(client_for, directory_manager):
    client_for(directory_manager).post(PAGE, {"file": sheet(row())})
    job = DirectoryImport.objects.get()
    app = Celery("spl-test", set_as_current=False)
    app.conf.update(
        broker_url=settings.REDIS_URL,
        task_default_queue=f"test-{uuid.uuid4()}",  # never shared with a running worker
        task_ignore_result=True,
        task_serializer="json",
        accept_content=["json"],
        worker_hijack_root_logger=False,
    )
    app.autodiscover_tasks(["directory"], force=True)
    with start_worker(app, pool="solo", perform_ping_check=False, loglevel="WARNING"):
        app.send_task("directory.tasks.run_import", args=[str(job.pk)])
        deadline = time.monotonic() + 20
        while DirectoryImport.objects.get().state != "done" and time.monotonic() < deadline:
            time.sleep(0.1)
    assert DirectoryImport.objects.get().report["imported"] is True
    assert Service.objects.get().name == "Debt advice drop-in"
