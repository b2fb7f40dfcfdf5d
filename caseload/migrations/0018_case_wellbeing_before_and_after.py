"""Cases carry their SWEMWBS scores and ONS4 answers at baseline and
discharge, copied here from the measures already recorded (docs/decisions/0019)."""

from django.conf import settings
from django.db import migrations, models
from django.db.models import OuterRef, Subquery

COPIED = {
    "swemwbs_baseline": ("swemwbs", "baseline", "score"),
    "swemwbs_discharge": ("swemwbs", "discharge", "score"),
    "ons4_baseline": ("ons4", "baseline", "answers"),
    "ons4_discharge": ("ons4", "discharge", "answers"),
}


def copy_measures(apps, schema_editor):
    Case = apps.get_model("caseload", "Case")
    WellbeingMeasure = apps.get_model("caseload", "WellbeingMeasure")
    Case.objects.filter(measures__timepoint__in=["baseline", "discharge"]).update(
        **{
            field: Subquery(
                WellbeingMeasure.objects.filter(
                    case_id=OuterRef("pk"), instrument=instrument, timepoint=timepoint
                ).values(value)[:1]
            )
            for field, (instrument, timepoint, value) in COPIED.items()
        }
    )


class Migration(migrations.Migration):
    dependencies = [
        ("caseload", "0017_case_received_and_first_contact"),
        ("referrals", "0014_reasons_carry_practice_and_receipt"),
        ("spl", "0004_pcn_wemwbs"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveIndex(
            model_name="case",
            name="case_practice_closed",
        ),
        migrations.RemoveIndex(
            model_name="wellbeingmeasure",
            name="measure_case_scores",
        ),
        migrations.AddField(
            model_name="case",
            name="ons4_baseline",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="ons4_discharge",
            field=models.JSONField(blank=True, editable=False, null=True),
        ),
        migrations.AddField(
            model_name="case",
            name="swemwbs_baseline",
            field=models.DecimalField(
                blank=True, decimal_places=2, editable=False, max_digits=5, null=True
            ),
        ),
        migrations.AddField(
            model_name="case",
            name="swemwbs_discharge",
            field=models.DecimalField(
                blank=True, decimal_places=2, editable=False, max_digits=5, null=True
            ),
        ),
        migrations.RunPython(copy_measures, migrations.RunPython.noop, elidable=True),
        migrations.AddIndex(
            model_name="case",
            index=models.Index(
                condition=models.Q(("closed_at__isnull", False)),
                fields=["practice", "closed_at"],
                include=(
                    "id",
                    "close_reason",
                    "swemwbs_baseline",
                    "swemwbs_discharge",
                    "ons4_baseline",
                    "ons4_discharge",
                ),
                name="case_practice_closed",
            ),
        ),
    ]
