"""Imports run by the background worker: a directory manager's file is stored as a
DirectoryImport (directory.services.queue_import), and the task
(directory.tasks.run_import) imports it (directory.importing) and keeps the
report.

The task's only argument is the import's id: no file content or names pass
through the broker. Claimed with a conditional update, so a task delivered
twice imports once.
"""

import dataclasses
import io
import logging

from django.db.models import Q
from django.utils import timezone

from directory import importing
from directory.models import DirectoryImport

logger = logging.getLogger(__name__)

STOPPED = (
    "The import stopped before it finished, so nothing was imported. Try again; if it "
    "stops again, tell your PCN's digital lead."
)
NOT_STARTED = (
    "The import could not be started, so nothing was imported. Try again in a few "
    "minutes; if it still does not start, tell your PCN's digital lead."
)


def run(import_id):
    """Import a queued file and keep its report. Returns the report's counts, or
    None when another run had already claimed it."""
    now = timezone.now()
    claimed = DirectoryImport.objects.filter(
        pk=import_id, state=DirectoryImport.State.QUEUED
    ).update(state=DirectoryImport.State.RUNNING, started_at=now)
    if not claimed:
        # Delivered again after its worker died mid-import (tasks are acknowledged
        # late): the database rolled that run back, so say it stopped.
        give_up_stalled(pk=import_id)
        return None
    job = DirectoryImport.objects.select_related("pcn", "created_by").get(pk=import_id)
    try:
        report = importing.import_file(
            io.BytesIO(bytes(job.content)), pcn=job.pcn, by=job.created_by, dry_run=job.dry_run
        )
    except Exception:
        # import_file rolled back: nothing of the file is in the directory.
        logger.exception("Directory import %s stopped", job.pk)
        finish(job, DirectoryImport.State.FAILED, {"errors": [STOPPED], "ok": False})
        return None
    finish(job, DirectoryImport.State.DONE, as_json(report))
    return report.counts()


def as_json(report):
    return dataclasses.asdict(report) | {"ok": report.ok, "imported": report.imported}


def give_up_stalled(**lookup):
    """Mark imports that have waited or run longer than DirectoryImport.STALE_AFTER
    as stopped, and delete their files."""
    cutoff = timezone.now() - DirectoryImport.STALE_AFTER
    stalled = DirectoryImport.objects.filter(
        Q(state=DirectoryImport.State.QUEUED, created_at__lt=cutoff)
        | Q(state=DirectoryImport.State.RUNNING, started_at__lt=cutoff),
        **lookup,
    )
    for pk in stalled.values_list("pk", flat=True):
        logger.warning("Directory import %s stalled: marked as stopped", pk)
    stalled.update(
        state=DirectoryImport.State.FAILED,
        report={"errors": [STOPPED], "ok": False},
        finished_at=timezone.now(),
        content=b"",
    )


def finish(job, state, report):
    DirectoryImport.objects.filter(pk=job.pk).update(
        state=state, report=report, finished_at=timezone.now(), content=b""
    )
