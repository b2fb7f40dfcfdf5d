"""A referrer's own referrals: finding one, adding to it, withdrawing it."""

import re

from django import forms
from django.db.models import Q

# A referrer's own referrals ---------------------------------------------------

# SPL-7K3M-9QPD typed any way ("spl 7k3m 9qpd", "7K3M9QPD"); without "SPL" the
# code must hold a digit, so that a name like "Blackman" is searched as a name.
_REFERENCE = re.compile(r"^(?:SPL([2-9A-HJ-NP-Z]{8})|(?=.*[2-9])([2-9A-HJ-NP-Z]{8}))$")


class FindMyReferralForm(forms.Form):
    """Search among your referrals. Sent as a POST, so names stay out of URLs."""

    q = forms.CharField(
        label="Find a referral",
        help_text="A reference like SPL-7K3M-9QPD, or the person's name",
        max_length=100,
        widget=forms.TextInput(attrs={"class": "nhsuk-input--width-20", "spellcheck": "false"}),
        error_messages={"required": "Enter a reference or a name"},
    )

    def filter(self, referrals):
        text = self.cleaned_data["q"]
        reference = _REFERENCE.match(re.sub(r"[^0-9A-Z]", "", text.upper()))
        if reference:
            code = reference.group(1) or reference.group(2)
            return referrals.filter(reference=f"SPL-{code[:4]}-{code[4:]}")
        for word in text.split()[:5]:
            referrals = referrals.filter(
                Q(patient__given_name__icontains=word) | Q(patient__family_name__icontains=word)
            )
        return referrals


class AddInformationForm(forms.Form):
    information = forms.CharField(
        label="What would you like to add?",
        help_text="The link workers see it with the referral's notes",
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        error_messages={"required": "Enter the information to add"},
    )


class WithdrawReferralForm(forms.Form):
    reason = forms.CharField(
        label="Why are you withdrawing the referral?",
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why you are withdrawing the referral"},
    )
