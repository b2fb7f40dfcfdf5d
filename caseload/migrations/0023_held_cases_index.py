"""A link worker's open cases, with what the caseload's flags read of them, in
one partial index (1 s to build at a million referrals)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0022_cases_carry_their_contacts"),
        ("referrals", "0014_reasons_carry_practice_and_receipt"),
        ("spl", "0004_pcn_wemwbs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("status__in", ("contacting", "active", "on_hold"))),
                fields=["link_worker", "opened_at", "id"],
                include=(
                    "status",
                    "practice",
                    "resume_on",
                    "last_contact_at",
                    "unreached_contacts",
                    "spoken_with",
                ),
                name="case_held_open",
            ),
        ),
    ]
