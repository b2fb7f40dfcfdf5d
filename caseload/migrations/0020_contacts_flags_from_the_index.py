"""The caseload flags read each case's contacts (when, and whether the person
was reached) from the index contact_case_at alone; the foreign key's own index,
which that index already leads with, goes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0019_team_counts_from_the_index"),
        ("spl", "0004_pcn_wemwbs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="contact",
            name="contact_case_at",
        ),
        migrations.AlterField(
            model_name="contact",
            name="case",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="contacts",
                to="caseload.case",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(fields=["case", "at"], include=("outcome",), name="contact_case_at"),
        ),
    ]
