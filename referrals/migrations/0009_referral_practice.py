"""Each referral names the practice its person was registered with when referred
(docs/decisions/0011-referrals-are-scoped-by-their-own-practice.md): existing
referrals take their person's practice now."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("referrals", "0008_patient_name_index_in_any_case"),
        ("spl", "0003_practice_town_and_postcode"),
    ]

    operations = [
        migrations.AddField(
            model_name="referral",
            name="practice",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals",
                to="spl.practice",
            ),
        ),
        migrations.RunSQL(
            "UPDATE referrals_referral SET practice_id = ("
            "SELECT registered_practice_id FROM referrals_patient"
            " WHERE referrals_patient.id = referrals_referral.patient_id)",
            migrations.RunSQL.noop,
        ),
        migrations.AlterField(
            model_name="referral",
            name="practice",
            field=models.ForeignKey(
                blank=True,
                db_index=False,
                editable=False,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="referrals",
                to="spl.practice",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                fields=["practice", "status", "received_at", "urgency", "id"],
                name="referral_practice_status",
            ),
        ),
        migrations.AddIndex(
            model_name="referral",
            index=models.Index(
                condition=models.Q(("snomed_code", ""), _negated=True),
                fields=["practice", "coded_in_gp_record_at", "coded_on", "id"],
                name="referral_practice_coding",
            ),
        ),
    ]
