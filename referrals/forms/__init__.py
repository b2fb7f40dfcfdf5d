"""Forms for referrals, by who fills them in. Import them from here."""

from referrals.forms.intake import (
    CONSENT_LABEL,
    ClinicianReferralForm,
    FindPatientForm,
    ReferralForm,
)
from referrals.forms.public import AgencyReferralForm, SelfReferralForm
from referrals.forms.referrer import AddInformationForm, FindMyReferralForm, WithdrawReferralForm
from referrals.forms.triage import CodingFilterForm, TriageFilterForm, TriageForm

__all__ = [
    "CONSENT_LABEL",
    "AddInformationForm",
    "AgencyReferralForm",
    "ClinicianReferralForm",
    "CodingFilterForm",
    "FindMyReferralForm",
    "FindPatientForm",
    "ReferralForm",
    "SelfReferralForm",
    "TriageFilterForm",
    "TriageForm",
    "WithdrawReferralForm",
]
