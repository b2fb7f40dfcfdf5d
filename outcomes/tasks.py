"""Reports are made by tasks that take a ReportRun id only."""

from celery import shared_task

from outcomes import reports

# Tries of a report before it shows as failed; waits 60 s, 120 s, 240 s between.
TRIES = 4


@shared_task(bind=True, max_retries=TRIES - 1, acks_late=True)
def generate_report(self, run_id):
    """Make one report. A failure is tried again with backoff; after the last
    try the run shows as failed, with the reason."""
    try:
        made = reports.generate(run_id)
    except Exception as error:
        if self.request.retries >= self.max_retries:
            reports.failed(run_id, error)
            raise
        reports.retry_later(run_id)
        raise self.retry(exc=error, countdown=60 * 2**self.request.retries) from error
    if made:
        # Its own task: a mail server that is down delays the email, never
        # the report, which is ready.
        tell_readers.delay(run_id)
    return made


# Retries with backoff: a mail server down for a while loses no email, and
# reports.tell_readers never tells anyone twice (unless it fails half-way).
@shared_task(autoretry_for=(OSError,), retry_backoff=60, max_retries=8)
def tell_readers(run_id):
    return reports.tell_readers(run_id)


@shared_task
def schedule_reports():
    """Make the runs due (last whole month and quarter), catching up any the
    scheduler missed, and fan out one task per report."""
    due = reports.schedule()
    for run_id in due:
        generate_report.delay(run_id)
    return len(due)
