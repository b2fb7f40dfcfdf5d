"""The triage lists' index also holds the route, so filtering by it reads no
table rows either (docs/benchmarks.md)."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0009_referral_practice"),
        ("spl", "0003_practice_town_and_postcode"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="referral",
            name="referral_practice_status",
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["practice", "status", "received_at", "urgency", "route", "id"],
                name="referral_practice_status",
            ),
        ),
    ]
