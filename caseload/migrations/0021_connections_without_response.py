"""The caseload flags find the cases whose service has not answered a referral
in an index of those connections alone."""

from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0020_contacts_flags_from_the_index"),
        ("directory", "0007_service_search_document"),
        ("spl", "0004_pcn_wemwbs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="connection",
            index=models.Index(
                condition=models.Q(("status", "no_response")),
                fields=["case"],
                name="connection_no_response",
            ),
        ),
    ]
