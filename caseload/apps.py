from django.apps import AppConfig

from referrals.signals import referral_accepted


class CaseloadConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "caseload"

    def ready(self):
        # Imported once the apps are loaded, as Django requires of models.
        from caseload import services

        def open_case(sender, referral, by, **kwargs):
            services.open_for_accepted(referral=referral, by=by)

        referral_accepted.connect(open_case, weak=False, dispatch_uid="caseload.open_case")
