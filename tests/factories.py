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
