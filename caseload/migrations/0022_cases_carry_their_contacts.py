"""Cases carry their latest contact, how many contacts did not reach the
person and whether any did, filled in here from the contacts already recorded
(docs/decisions/0021)."""

from django.db import migrations, models
from django.db.models import Count, Exists, Max, OuterRef, Subquery
from django.db.models.functions import Coalesce


def fill_contacts(apps, schema_editor):
    Case = apps.get_model("caseload", "Case")
    Contact = apps.get_model("caseload", "Contact")
    of_case = Contact.objects.filter(case_id=OuterRef("pk")).order_by().values("case_id")
    Case.objects.filter(first_contact_at__isnull=False).update(
        last_contact_at=Subquery(of_case.annotate(last=Max("at")).values("last")[:1]),
        unreached_contacts=Coalesce(
            Subquery(
                of_case.exclude(outcome="spoke").annotate(count=Count("pk")).values("count")[:1]
            ),
            0,
        ),
        spoken_with=Exists(of_case.filter(outcome="spoke")),
    )


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0021_connections_without_response"),
    ]

    operations = [
        migrations.AddField(
            model_name="case",
            name="last_contact_at",
            field=models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="spoken_with",
            field=models.BooleanField(default=False, editable=False),
        ),
        migrations.AddField(
            model_name="case",
            name="unreached_contacts",
            field=models.PositiveIntegerField(default=0, editable=False),
        ),
        migrations.RunPython(fill_contacts, migrations.RunPython.noop, elidable=True),
    ]
