"""Directory factories: an organisation in a PCN, its services and what they have.

Defaults are realistic and valid (an active signposting service, a UK address,
a check that is current); pass what a test is about. A ServiceFactory makes its
own organisation unless given one, and nothing else: add locations, contacts and
so on with their factories, or `ServiceFactory(with_details=True)` for one of
everything.
"""

import datetime
import decimal

import factory
from django.utils import timezone

from directory.models import (
    Contact,
    CostOption,
    Language,
    Location,
    Organisation,
    QualityCheck,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from tests.factories import PCNFactory, UserFactory


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation

    pcn = factory.SubFactory(PCNFactory)
    name = factory.Sequence(lambda n: f"Riverside Community Trust {n}")
    description = "A local charity running groups and advice sessions for adults."
    email = factory.Sequence(lambda n: f"hello{n}@community-trust.example.org")
    website = factory.Sequence(lambda n: f"https://community-trust-{n}.example.org")
    charity_number = factory.Sequence(lambda n: f"{1100000 + n}")
    company_number = ""


class ServiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Service
        skip_postgeneration_save = True

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Walking group {n}")
    description = "A friendly weekly walk in the park, at an easy pace, with a cuppa after."
    url = "https://walks.example.org"
    email = "walks@community-trust.example.org"
    status = Service.Status.ACTIVE
    minimum_age = 18

    @factory.post_generation
    def taxonomy_terms(self, create, extracted, **kwargs):
        if extracted:
            self.taxonomy_terms.set(extracted)

    @factory.post_generation
    def with_details(self, create, extracted, **kwargs):
        """One of every related record, as a fully described service has."""
        if extracted:
            ServiceAtLocationFactory(
                service=self, location=LocationFactory(organisation=self.organisation)
            )
            ContactFactory(service=self)
            ScheduleFactory(service=self)
            CostOptionFactory(service=self)
            LanguageFactory(service=self)
            ServiceAreaFactory(service=self)


class LocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Location

    organisation = factory.SubFactory(OrganisationFactory)
    name = factory.Sequence(lambda n: f"Riverside Community Centre {n}")
    description = "The community centre by the library, with parking at the rear."
    address_1 = "12 Mill Lane"
    city = "Leeds"
    postcode = "LS1 4AP"
    latitude = decimal.Decimal("53.796510")
    longitude = decimal.Decimal("-1.547920")
    accessibility = "Step-free access, a hearing loop and an accessible toilet."


class ServiceAtLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceAtLocation

    service = factory.SubFactory(ServiceFactory)
    location = factory.SubFactory(
        LocationFactory, organisation=factory.SelfAttribute("..service.organisation")
    )


class ContactFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Contact

    service = factory.SubFactory(ServiceFactory)
    name = "Sam Rivers"
    title = "Group coordinator"
    email = "sam.rivers@community-trust.example.org"
    phone = "0113 496 0000"  # Ofcom's range for drama: never a real number


class ScheduleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Schedule

    service = factory.SubFactory(ServiceFactory)
    byday = "TU,TH"
    opens_at = datetime.time(10, 0)
    closes_at = datetime.time(12, 0)
    description = "Tuesdays and Thursdays, 10am to midday, not on bank holidays."


class CostOptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CostOption

    service = factory.SubFactory(ServiceFactory)
    option = "Each session"
    amount = decimal.Decimal("2.50")
    amount_description = "Includes tea and biscuits"


class LanguageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Language

    service = factory.SubFactory(ServiceFactory)
    name = "English"
    code = "en"


class ServiceAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceArea

    service = factory.SubFactory(ServiceFactory)
    name = "Leeds"
    description = "Anyone living in Leeds"


class QualityCheckFactory(factory.django.DjangoModelFactory):
    """A current check. It does not recompute the organisation's assurance: record
    checks through directory.services for that."""

    class Meta:
        model = QualityCheck

    organisation = factory.SubFactory(OrganisationFactory)
    kind = QualityCheck.Kind.SAFEGUARDING
    evidence = "Safeguarding policy v3, reviewed by the board"
    checked_by = factory.SubFactory(UserFactory)
    checked_on = factory.LazyFunction(timezone.localdate)
    expires_on = factory.LazyAttribute(
        lambda check: check.checked_on + datetime.timedelta(days=365)
    )


class TaxonomyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Taxonomy

    name = factory.Sequence(lambda n: f"Test taxonomy {n}")
    description = "Terms for testing"


class TaxonomyTermFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = TaxonomyTerm

    taxonomy = factory.SubFactory(TaxonomyFactory)
    code = factory.Sequence(lambda n: f"term_{n}")
    name = factory.Sequence(lambda n: f"Test term {n}")
    description = "A term for testing"
