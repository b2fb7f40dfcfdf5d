"""Contacts, plans and connections carry their case's practice, filled in
here for those already recorded (docs/decisions/0017)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Q, Subquery

RECORDS = ("contact", "plan", "connection")


def fill_practice(apps, schema_editor):
    Case = apps.get_model("caseload", "Case")
    practice = Subquery(Case.objects.filter(pk=OuterRef("case_id")).values("practice_id")[:1])
    for name in RECORDS:
        apps.get_model("caseload", name).objects.update(practice_id=practice)


def practice(null):
    return models.ForeignKey(
        db_index=False,
        editable=False,
        null=null,
        on_delete=django.db.models.deletion.PROTECT,
        related_name="+",
        to="spl.practice",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0014_year_so_far_from_the_index"),
    ]

    operations = [
        *[migrations.AddField(name, "practice", practice(null=True)) for name in RECORDS],
        migrations.RunPython(fill_practice, migrations.RunPython.noop, elidable=True),
        *[migrations.AlterField(name, "practice", practice(null=False)) for name in RECORDS],
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=Q(closed_at__isnull=False),
                fields=["practice", "closed_at"],
                include=("id", "close_reason"),
                name="case_practice_closed",
            ),
        ),
        migrations.AddIndex(
            model_name="contact",
            index=models.Index(
                fields=["practice", "at"], include=("case",), name="contact_practice_at"
            ),
        ),
        migrations.AddIndex(
            model_name="plan",
            index=models.Index(
                condition=Q(agreed_at__isnull=False),
                fields=["practice", "agreed_at"],
                include=("case", "needs"),
                name="plan_practice_agreed",
            ),
        ),
        migrations.AddIndex(
            model_name="connection",
            index=models.Index(
                fields=["practice", "created_at"],
                include=("need", "service", "kind", "status"),
                name="connection_practice_made",
            ),
        ),
    ]
