import datetime
import itertools

import factory
from django.contrib.auth.models import Group

from spl import roles
from spl.models import PCN, Membership, Practice, User

PASSWORD = "correct-horse-battery-staple"


class PCNFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PCN

    name = factory.Sequence(lambda n: f"Test PCN {n}")
    ods_code = factory.Sequence(lambda n: f"U{n:05d}")


class PracticeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Practice

    name = factory.Sequence(lambda n: f"Test Surgery {n}")
    ods_code = factory.Sequence(lambda n: f"P{n:05d}")
    pcn = factory.SubFactory(PCNFactory)
    list_size = 8000


class UserFactory(factory.django.DjangoModelFactory):
    """A user; `role` names a key of spl.roles.ROLES, `pcns` the PCNs they belong to."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    full_name = factory.Sequence(lambda n: f"Test User {n}")
    password = factory.django.Password(PASSWORD)

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if extracted:
            self.groups.add(Group.objects.get(name=roles.ROLES[extracted].name))

    @factory.post_generation
    def pcns(self, create, extracted, **kwargs):
        for pcn in extracted or ():
            Membership.objects.create(user=self, pcn=pcn)


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    pcn = factory.SubFactory(PCNFactory)


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "referrals.Patient"

    # NHS numbers from the 999 range: valid by modulus 11, never issued.
    nhs_number = factory.Sequence(lambda n: _test_nhs_number(n))
    given_name = "Jo"
    family_name = factory.Sequence(lambda n: f"Bloggs{n}")
    date_of_birth = datetime.date(1958, 4, 12)
    postcode = "LS1 4AP"
    registered_practice = factory.SubFactory(PracticeFactory)


class ReferralFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "referrals.Referral"

    patient = factory.SubFactory(PatientFactory)
    route = "clinician"
    consent_to_contact = True


def _test_nhs_number(n):
    """The n-th valid NHS number in the never-issued 999 range."""
    from referrals.validators import nhs_number_check_digit

    prefixes = (str(p) for p in itertools.count(999_000_000))
    valid = (p + str(check) for p in prefixes if (check := nhs_number_check_digit(p)) is not None)
    return next(itertools.islice(valid, n, None))
