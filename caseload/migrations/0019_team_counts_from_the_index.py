"""The team view counts a PCN's open cases by link worker from the index
case_practice_status alone, which now carries who holds each case."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0018_case_wellbeing_before_and_after"),
        ("referrals", "0014_reasons_carry_practice_and_receipt"),
        ("spl", "0004_pcn_wemwbs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="case_practice_status",
        ),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["practice", "status"],
                include=("link_worker", "id"),
                name="case_practice_status",
            ),
        ),
    ]
