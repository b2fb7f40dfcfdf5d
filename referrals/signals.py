"""What referrals tells the apps built on it, which it never imports (decision 12).

`referral_accepted` is sent, inside the transaction that accepts the referral,
with `referral` and `by` (the link worker who recorded it): the caseload opens
the person's case if the referral has none yet.
"""

from django.dispatch import Signal

referral_accepted = Signal()
