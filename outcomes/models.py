"""Outcomes reads the other apps. It keeps only its reports (ReportRun);
`Outcomes` carries the permission to see the dashboard and has no table."""

import datetime

from django.db import models


class Outcomes(models.Model):
    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_dashboard", "Can see the outcomes dashboard of their practice or PCN")
        ]

    def __str__(self):
        return "Outcomes"


class ReportRun(models.Model):
    """One report for one scope and period: made by a task (outcomes.reports),
    once. A practice's monthly report, a PCN's quarterly report for its
    commissioners, or a commissioner's quarterly report across their PCNs."""

    class Kind(models.TextChoices):
        MONTHLY = "monthly", "Monthly practice report"
        QUARTERLY = "quarterly", "Quarterly PCN report"
        COMMISSIONER = "commissioner", "Quarterly report across your PCNs"

    class State(models.TextChoices):
        PENDING = "pending", "Waiting to start"
        RUNNING = "running", "Being made"
        READY = "ready", "Ready"
        FAILED = "failed", "Failed"

    kind = models.CharField(max_length=20, choices=Kind.choices)
    # What it covers, as "practice:<id>", "pcn:<id>" or "commissioner:<user id>":
    # unique with the kind and period. The keys below are for finding them.
    scope = models.CharField(max_length=40)
    practice = models.ForeignKey(
        "spl.Practice", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    pcn = models.ForeignKey(
        "spl.PCN", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    commissioner = models.ForeignKey(
        "spl.User", on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    period_start = models.DateField()
    period_end = models.DateField(help_text="The day after the period's last")
    status = models.CharField(max_length=10, choices=State.choices, default=State.PENDING)
    pdf = models.BinaryField(null=True, blank=True, editable=False)
    csv = models.TextField(blank=True, editable=False)
    error = models.TextField(blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    scheduled = models.BooleanField(default=False)
    requested_by = models.ForeignKey(
        "spl.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    # When the readers of a scheduled report were emailed: claimed before
    # sending, so they are told once (outcomes.reports.tell_readers).
    readers_told_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-period_start", "kind", "scope"]
        constraints = [
            models.UniqueConstraint(
                fields=["kind", "scope", "period_start"], name="one_report_per_scope_and_period"
            )
        ]
        permissions = [("view_reports", "Can see and download reports for their scope")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.scope} {self.period_start}"

    @property
    def is_done(self):
        return self.status in (self.State.READY, self.State.FAILED)

    @property
    def last_day(self):
        return self.period_end - datetime.timedelta(days=1)

    @property
    def is_ready(self):
        return self.status == self.State.READY

    @property
    def has_failed(self):
        return self.status == self.State.FAILED

    @property
    def seconds(self):
        if self.started_at and self.finished_at:
            return (self.finished_at - self.started_at).total_seconds()
        return None
