"""Reasons carry their referral's practice and time of receipt, filled in here
for those already recorded (docs/decisions/0017)."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import OuterRef, Subquery


def fill(apps, schema_editor):
    Referral = apps.get_model("referrals", "Referral")
    ReferralReason = apps.get_model("referrals", "ReferralReason")
    referral = Referral.objects.filter(pk=OuterRef("referral_id"))
    ReferralReason.objects.update(
        practice_id=Subquery(referral.values("practice_id")[:1]),
        received_at=Subquery(referral.values("received_at")[:1]),
    )


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
        ("referrals", "0013_patient_reach"),
        ("spl", "0004_pcn_wemwbs"),
    ]

    operations = [
        migrations.AddField("referralreason", "practice", practice(null=True)),
        migrations.AddField(
            "referralreason", "received_at", models.DateTimeField(editable=False, null=True)
        ),
        migrations.RunPython(fill, migrations.RunPython.noop, elidable=True),
        migrations.AlterField("referralreason", "practice", practice(null=False)),
        migrations.AlterField(
            "referralreason", "received_at", models.DateTimeField(editable=False)
        ),
        migrations.AddIndex(
            model_name="referralreason",
            index=models.Index(
                fields=["practice", "received_at"],
                include=("reason", "referral"),
                name="reason_practice_received",
            ),
        ),
    ]
