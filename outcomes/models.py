"""Outcomes reads the other apps and keeps nothing of its own yet: this model
only carries the permission to see the dashboard (no table)."""

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
