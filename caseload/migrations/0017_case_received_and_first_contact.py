"""Cases carry their referral's time of receipt and their first contact's
time, filled in here for the cases already open (docs/decisions/0018)."""

from django.db import migrations, models
from django.db.models import Min, OuterRef, Subquery


def fill_times(apps, schema_editor):
    Case = apps.get_model("caseload", "Case")
    Referral = apps.get_model("referrals", "Referral")
    Contact = apps.get_model("caseload", "Contact")
    first = (
        Contact.objects.filter(case_id=OuterRef("pk"))
        .order_by()
        .values("case_id")
        .annotate(first=Min("at"))
        .values("first")
    )
    Case.objects.update(
        received_at=Subquery(
            Referral.objects.filter(pk=OuterRef("referral_id")).values("received_at")[:1]
        ),
        first_contact_at=Subquery(first[:1]),
    )


def received_at(null):
    return models.DateTimeField(editable=False, null=null)


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0016_dashboard_indexes"),
        ("referrals", "0014_reasons_carry_practice_and_receipt"),
    ]

    operations = [
        migrations.AddField("case", "received_at", received_at(null=True)),
        migrations.AddField(
            "case",
            "first_contact_at",
            models.DateTimeField(blank=True, editable=False, null=True),
        ),
        migrations.RunPython(fill_times, migrations.RunPython.noop, elidable=True),
        migrations.AlterField("case", "received_at", received_at(null=False)),
        migrations.RemoveIndex(model_name="case", name="case_referral"),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                fields=["practice", "received_at"],
                include=("first_contact_at",),
                name="case_practice_received",
            ),
        ),
    ]
