"""The directory of voluntary, community and social enterprise (VCSE) services.

Modelled on HSDS / Open Referral UK 3.0 (shared/standards/oruk), with UUIDs for
everything the ORUK API publishes. Organisations belong to the PCN whose directory
managers look after them; the directory itself is read by every member of staff
and, for active services, by anyone through the API.
"""

import datetime
import re
import uuid

from django.conf import settings
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVectorField
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import connections, models
from django.db.models import Exists, F, OuterRef, Q
from django.urls import reverse
from django.utils import timezone

from directory import validators
from spl.models import PCN
from spl.postcodes import postcode_area
from spl.querysets import PCNScopedQuerySet

# A check expiring within this many days makes an organisation "expiring".
EXPIRY_WARNING_DAYS = 30


class Taxonomy(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    description = models.TextField()
    uri = models.URLField(blank=True)
    version = models.CharField(max_length=50, blank=True)

    class Meta:
        verbose_name_plural = "taxonomies"
        ordering = ["name"]

    def __str__(self):
        return self.name


class TaxonomyTerm(models.Model):
    """A need category ("finance" matches the referral reason) or an activity type."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    taxonomy = models.ForeignKey(Taxonomy, on_delete=models.PROTECT, related_name="terms")
    code = models.SlugField(max_length=100, help_text="Stable code, e.g. a referral reason")
    name = models.CharField(max_length=200)
    description = models.TextField()
    parent = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True)
    term_uri = models.URLField(blank=True)

    class Meta:
        ordering = ["taxonomy__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["taxonomy", "code"], name="term_code_once_per_taxonomy")
        ]

    def __str__(self):
        return self.name


class QAStatus(models.TextChoices):
    ASSURED = "assured", "Assured"
    EXPIRING = "expiring", "Expiring within 30 days"
    LAPSED = "lapsed", "Lapsed"
    NOT_ASSURED = "not_assured", "Not assured"


def qa_status_expression(assured_until_path, today):
    """The QA status as a database expression, from the date assurance runs out."""
    warn_until = today + datetime.timedelta(days=EXPIRY_WARNING_DAYS)
    until = assured_until_path
    return models.Case(
        models.When(**{f"{until}__isnull": True}, then=models.Value(QAStatus.NOT_ASSURED)),
        models.When(**{f"{until}__lt": today}, then=models.Value(QAStatus.LAPSED)),
        models.When(**{f"{until}__lte": warn_until}, then=models.Value(QAStatus.EXPIRING)),
        default=models.Value(QAStatus.ASSURED),
        output_field=models.CharField(),
    )


SEARCH_CONFIG = "english"
MAX_SEARCH_WORDS = 10


def search_words(text):
    """The words of a search, as letters and digits: at most MAX_SEARCH_WORDS."""
    return re.findall(r"\w+", text or "")[:MAX_SEARCH_WORDS]


def _trimmed(word):
    """A word without a common English ending, so that SQLite's letter match
    finds its other forms: "walks" and "walking" -> "walk"."""
    word = word.lower()
    for ending in ("ing", "ies", "es", "ed", "s"):
        if word.endswith(ending) and len(word) - len(ending) >= 4:
            return word[: -len(ending)]
    return word


class DirectoryQuerySet(PCNScopedQuerySet):
    """The directory is a catalogue: every member of staff reads all of it (and
    anyone reads its active services through the ORUK API). Only changing it is
    limited, to the directory managers of the PCN that owns a record."""

    def visible_to(self, user):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.all()

    def managed_by(self, user):
        """The records of the user's PCNs: what they may change."""
        return super().visible_to(user)


class OrganisationQuerySet(DirectoryQuerySet):
    def with_qa_status(self, today=None):
        """Annotate `qa_status` (a QAStatus value) as of `today`."""
        today = today or timezone.localdate()
        return self.annotate(qa_status=qa_status_expression("assured_until", today))


class Organisation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pcn = models.ForeignKey(
        PCN,
        on_delete=models.PROTECT,
        related_name="directory_organisations",
        verbose_name="PCN",
        help_text="The PCN whose directory managers look after this organisation",
    )
    name = models.CharField(max_length=200)
    description = models.TextField()
    email = models.EmailField(blank=True)
    website = models.URLField(blank=True)
    charity_number = models.CharField(max_length=20, blank=True)
    company_number = models.CharField(max_length=20, blank=True)
    # Quality assurance, recomputed by directory.services whenever a check is
    # recorded: covered until the earliest of the newest checks of each kind
    # expires (empty while any kind has never been checked); the newest check's
    # date and checker are published as ORUK assured_date and assurer_email.
    assured_until = models.DateField(null=True, blank=True, editable=False)
    assured_on = models.DateField(null=True, blank=True, editable=False)
    assurer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )
    last_modified = models.DateTimeField(auto_now=True)

    pcn_path = "pcn"
    objects = OrganisationQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:organisation_detail", args=[self.pk])

    def clean(self):
        validators.clean_fields(
            self,
            {
                "charity_number": validators.charity_number,
                "company_number": validators.company_number,
            },
        )


class ServiceQuerySet(DirectoryQuerySet):
    def active(self):
        return self.filter(status=Service.Status.ACTIVE)

    def listed(self):
        """Without `search_document`, which only PostgreSQL reads: sorted with
        the rows, it made a deep ORUK page sort on disk (docs/benchmarks.md)."""
        return self.defer("search_document")

    def with_qa_status(self, today=None):
        """Annotate `qa_status`: a service is as assured as its organisation."""
        today = today or timezone.localdate()
        return self.annotate(qa_status=qa_status_expression("organisation__assured_until", today))

    def for_search(self):
        """/directory/: active services with what a result shows, by name."""
        return (
            self.active()
            .listed()
            .with_qa_status()
            .select_related("organisation")
            .prefetch_related("taxonomy_terms__taxonomy", "locations")
            .order_by("name", "id")
        )

    def search(self, text="", *, district="", place=""):
        """The services found for `text` (see `matching`), near a postcode district
        or a place (see `with_proximity`): the best match first, then the nearest,
        then by name. Without words or a place, by name."""
        words, near = bool(search_words(text)), bool(district or place)
        found = self.matching(text) if words else self
        if near:
            found = found.with_proximity(district=district, place=place)
        return found.order_by(
            *(["-rank"] if words else []), *(["proximity"] if near else []), "name", "id"
        )

    def matching(self, text):
        """The one rule for finding services by words, on /directory/ and in the
        ORUK API's `search`: every word of `text` in the service's name or
        description, its organisation's, or those of a need or activity it is
        tagged with. Annotates `rank`, higher for a better match: a word in the
        service's name counts most, then in its organisation's or a term's name,
        then in a description.

        PostgreSQL compares words by their English stems ("walks" finds
        "walking") in each service's `search_document`; SQLite, for development,
        finds each word's letters anywhere, with a plural or "-ing" ending
        trimmed (docs/decisions/0009-directory-search.md)."""
        words = search_words(text)
        if not words:
            return self.annotate(rank=models.Value(0.0))
        if connections[self.db].vendor == "postgresql":
            return self._matching_full_text(" ".join(words))
        return self._matching_letters(words)

    def _matching_full_text(self, text):
        query = SearchQuery(text, config=SEARCH_CONFIG)
        return self.filter(search_document=query).annotate(
            rank=SearchRank(F("search_document"), query)
        )

    def _matching_letters(self, words):
        found, rank = self, models.Value(0)
        for word in words:
            stem = _trimmed(word)
            tagged = Service.taxonomy_terms.through.objects.filter(service=OuterRef("pk"))
            in_a_name = Q(organisation__name__icontains=stem) | Exists(
                tagged.filter(taxonomyterm__name__icontains=stem)
            )
            in_a_description = (
                Q(description__icontains=stem)
                | Q(organisation__description__icontains=stem)
                | Exists(tagged.filter(taxonomyterm__description__icontains=stem))
            )
            found = found.filter(Q(name__icontains=stem) | in_a_name | in_a_description)
            rank = rank + models.Case(
                models.When(name__icontains=stem, then=4),
                models.When(in_a_name, then=2),
                default=1,
            )
        return found.annotate(rank=rank)

    def with_proximity(self, *, district="", place=""):
        """Annotate `proximity`, lower for nearer: 0 for a service with a place in
        the postcode district `district` ("LS7"), 1 in its postcode area ("LS"),
        2 elsewhere or nowhere. Or, for a `place` name: 0 for a service with a
        place in a town, street or building of that name, or serving an area of
        that name; 2 for the rest. Postcodes are stored as Royal Mail writes them
        ("LS7 3EX"), so a district is the part before the space."""
        places = ServiceAtLocation.objects.values("service_id")
        if district:
            area = postcode_area(district)
            nearest = [
                (places.filter(location__postcode__istartswith=f"{district} "), 0),
                (places.filter(location__postcode__iregex=rf"^{area}[0-9]"), 1),
            ]
        else:
            named = (
                Q(location__name__icontains=place)
                | Q(location__address_1__icontains=place)
                | Q(location__city__icontains=place)
            )
            areas = ServiceArea.objects.filter(name__icontains=place).values("service_id")
            nearest = [(places.filter(named), 0), (areas, 0)]
        return self.annotate(
            proximity=models.Case(
                *(models.When(pk__in=services, then=value) for services, value in nearest),
                default=2,
            )
        )

    def for_service_page(self):
        return (
            self.with_qa_status()
            .select_related("organisation__assurer")
            .prefetch_related(
                "taxonomy_terms__taxonomy",
                "contacts",
                "schedules",
                "cost_options",
                "languages",
                "service_areas",
                "at_locations__location",
            )
        )


class Service(models.Model):
    """A service an organisation offers. Its QA status is its organisation's."""

    class Status(models.TextChoices):
        ACTIVE = "active", "Active"
        INACTIVE = "inactive", "Inactive"
        DEFUNCT = "defunct", "Defunct"
        TEMPORARILY_CLOSED = "temporarily closed", "Temporarily closed"

    class Access(models.TextChoices):
        SIGNPOSTING = "signposting", "Signposting only: the person contacts the service"
        DIRECT_REFERRAL = "direct_referral", "Direct referral by the link worker"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="services"
    )
    name = models.CharField(max_length=200)
    description = models.TextField()
    url = models.URLField("website", blank=True)
    email = models.EmailField(blank=True)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ACTIVE)
    fees = models.TextField(blank=True, help_text="What it costs, in words; free if empty")
    accreditations = models.TextField(blank=True)
    eligibility = models.TextField(blank=True, help_text="Who the service is for")
    minimum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    maximum_age = models.PositiveSmallIntegerField(
        null=True, blank=True, validators=[MaxValueValidator(120)]
    )
    alert = models.TextField(blank=True, help_text="A temporary notice, e.g. a closure")
    # How a link worker connects someone to it.
    access = models.CharField(max_length=20, choices=Access.choices, default=Access.SIGNPOSTING)
    referral_email = models.EmailField(
        blank=True, help_text="Where direct referrals go (a secure address)"
    )
    referral_instructions = models.TextField(
        blank=True, help_text="What the provider needs with a referral"
    )
    # Capacity (HSDS 3.1 service_capacity), kept up to date by directory managers.
    accepting_referrals = models.BooleanField(default=True)
    waiting_time_weeks = models.PositiveSmallIntegerField(
        "typical waiting time in weeks", null=True, blank=True
    )
    available_places = models.PositiveIntegerField(null=True, blank=True)
    maximum_places = models.PositiveIntegerField(null=True, blank=True)
    capacity_updated_at = models.DateTimeField(null=True, blank=True)
    taxonomy_terms = models.ManyToManyField(TaxonomyTerm, blank=True, related_name="services")
    last_modified = models.DateTimeField(auto_now=True, db_index=True)
    # What the service is found by, on PostgreSQL: its name (weighted A), its
    # organisation's and its terms' names (B), its description (C), and its
    # organisation's and terms' descriptions (D), stemmed as English. Written
    # by database triggers whenever any of those change (migration 0007), so
    # every way of saving keeps it right; empty on SQLite, which searches the
    # text itself. See ServiceQuerySet.matching.
    search_document = SearchVectorField(null=True, editable=False)

    # What a directory manager says about room for more people: setting any of
    # these stamps capacity_updated_at (set_capacity).
    CAPACITY_FIELDS = (
        "accepting_referrals",
        "waiting_time_weeks",
        "available_places",
        "maximum_places",
    )

    pcn_path = "organisation__pcn"
    objects = ServiceQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(minimum_age__isnull=True)
                | Q(maximum_age__isnull=True)
                | Q(minimum_age__lte=models.F("maximum_age")),
                name="service_age_range_in_order",
            ),
            models.CheckConstraint(
                condition=Q(available_places__isnull=True)
                | Q(maximum_places__isnull=True)
                | Q(available_places__lte=models.F("maximum_places")),
                name="service_places_within_maximum",
            ),
            models.CheckConstraint(
                condition=~Q(access="direct_referral") | ~Q(referral_email=""),
                name="direct_referral_has_an_address",
                violation_error_message="Give the address that direct referrals go to",
            ),
        ]
        # Covers the directory's and the API's order (name, then id), so deep pages need no sort.
        indexes = [models.Index(fields=["status", "name", "id"])]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("directory:service_detail", args=[self.pk])

    def set_capacity(self, **capacity):
        """Set the capacity values given (CAPACITY_FIELDS) and stamp
        capacity_updated_at when they are a new service's, or change a stored
        one's: the one rule for the service form, the CSV import and the demo.
        (An Open Referral UK feed has no capacity to give.)"""
        changed = any(getattr(self, name) != value for name, value in capacity.items())
        for name, value in capacity.items():
            setattr(self, name, value)
        if capacity and (self._state.adding or changed):
            self.capacity_updated_at = timezone.now()

    def direct_referral_barrier(self, *, count_capacity=True):
        """Why a link worker cannot refer someone to this service directly, in a
        sentence; "" when they can. The one rule for every place a service is
        chosen for a person: only a running, assured (or expiring) service that
        takes direct referrals and is accepting them. Reads `qa_status` from
        `Service.objects.with_qa_status()`, or asks the database for it.

        With `count_capacity=False`, a service that is full is not barred: a
        link worker may still refer to it, saying why (caseload.connections)."""
        if self.access != self.Access.DIRECT_REFERRAL:
            return "It does not take direct referrals: the person contacts it themselves."
        if self.status != self.Status.ACTIVE:
            return f"It is {self.get_status_display().lower()}."
        qa_status = getattr(self, "qa_status", None) or (
            Service.objects.with_qa_status().values_list("qa_status", flat=True).get(pk=self.pk)
        )
        if qa_status == QAStatus.LAPSED:
            return "Its quality assurance has lapsed, so it cannot take direct referrals."
        if qa_status == QAStatus.NOT_ASSURED:
            return "Its quality assurance is not complete, so it cannot take direct referrals."
        if count_capacity and not self.accepting_referrals:
            return "It is not accepting new referrals now."
        return ""


class Location(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    organisation = models.ForeignKey(
        Organisation, on_delete=models.PROTECT, related_name="locations"
    )
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    # One postal address, published as the location's `addresses` entry.
    address_id = models.UUIDField(default=uuid.uuid4, editable=False)
    address_1 = models.CharField("address line 1", max_length=200)
    city = models.CharField("town or city", max_length=100)
    postcode = models.CharField(max_length=8)
    latitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    accessibility = models.TextField(
        blank=True, help_text="For example step-free access, hearing loop, accessible toilet"
    )
    services = models.ManyToManyField(
        Service, through="ServiceAtLocation", related_name="locations", blank=True
    )

    pcn_path = "organisation__pcn"
    objects = DirectoryQuerySet.as_manager()

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return f"{self.name}, {self.postcode}"

    @property
    def street(self):
        """The first address line without the place's name: a place is often named
        by the start of its address ("Reginald Centre" at "Reginald Centre, 263
        Chapeltown Road"), and its name is not said twice."""
        name, line = self.name.strip(), self.address_1.strip()
        if line.casefold() == name.casefold():
            return ""
        if line.casefold().startswith(f"{name.casefold()},"):
            return line[len(name) + 1 :].strip()
        return line

    @property
    def postal_address(self):
        """On one line, after the place's name: "263 Chapeltown Road, Leeds LS7 3EX"."""
        town = f"{self.city} {self.postcode}".strip()
        return ", ".join(part for part in (self.street, town) if part)

    @property
    def address(self):
        """The place on one line, as every page shows it, its name said once:
        "Reginald Centre, 263 Chapeltown Road, Leeds LS7 3EX"."""
        return f"{self.name}, {self.postal_address}"


class ServiceAtLocation(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="at_locations")
    location = models.ForeignKey(Location, on_delete=models.CASCADE, related_name="at_locations")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["service", "location"], name="service_once_per_location"
            )
        ]

    def __str__(self):
        return f"{self.service} at {self.location}"


class Contact(models.Model):
    """A named contact for a service, with a phone number."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(max_length=150, blank=True)
    title = models.CharField(max_length=150, blank=True)
    email = models.EmailField(blank=True)
    phone_id = models.UUIDField(default=uuid.uuid4, editable=False)
    phone = models.CharField(max_length=30, blank=True)

    def __str__(self):
        return self.name or self.title or self.phone or self.email

    def clean(self):
        validators.clean_fields(self, {"phone": validators.phone})


class Schedule(models.Model):
    """When a service runs: a weekly pattern (RFC 5545 days) and opening hours."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="schedules")
    byday = models.CharField(
        "days", max_length=30, blank=True, help_text="Comma-separated: MO,TU,WE,TH,FR,SA,SU"
    )
    opens_at = models.TimeField(null=True, blank=True)
    closes_at = models.TimeField(null=True, blank=True)
    description = models.TextField(blank=True)

    def __str__(self):
        return self.summary

    def clean(self):
        """Days as upper-case codes in week order, once each; closing after opening."""
        codes = {code.strip().upper() for code in self.byday.split(",") if code.strip()}
        errors = {}
        if unknown := sorted(codes - set(self.DAY_NAMES)):
            errors["byday"] = [
                f"Days must be codes from MO,TU,WE,TH,FR,SA,SU, not {', '.join(unknown)}"
            ]
        else:
            self.byday = ",".join(code for code in self.DAY_NAMES if code in codes)
        opens, closes = self.opens_at, self.closes_at
        # Times that are not times yet are clean_fields' to report, not this.
        if (
            isinstance(opens, datetime.time)
            and isinstance(closes, datetime.time)
            and closes <= opens
        ):
            errors["closes_at"] = ["The closing time must be after the opening time"]
        if errors:
            raise ValidationError(errors)

    @property
    def summary(self):
        """In words, as every page shows it: "Monday to Friday, 10:00 to 16:00", then
        the description ("Tuesdays, 10:00 to 14:00" when there are no days)."""
        hours = (
            f"{self.opens_at:%H:%M} to {self.closes_at:%H:%M}"
            if self.opens_at and self.closes_at
            else ""
        )
        when = ", ".join(part for part in (self.days or self.description, hours) if part)
        if self.days and self.description:
            when = f"{when} ({self.description})"
        return when

    DAY_NAMES = {
        "MO": "Monday",
        "TU": "Tuesday",
        "WE": "Wednesday",
        "TH": "Thursday",
        "FR": "Friday",
        "SA": "Saturday",
        "SU": "Sunday",
    }

    @property
    def days(self):
        """The days in words: "Monday to Friday", "Tuesday and Thursday"."""
        codes = [code.strip().upper() for code in self.byday.split(",") if code.strip()]
        names = [self.DAY_NAMES[code] for code in codes if code in self.DAY_NAMES]
        order = list(self.DAY_NAMES)
        indexes = [order.index(code) for code in codes if code in self.DAY_NAMES]
        if len(names) > 2 and indexes == list(range(indexes[0], indexes[0] + len(indexes))):
            return f"{names[0]} to {names[-1]}"
        return (
            " and ".join([", ".join(names[:-1]), names[-1]]) if len(names) > 1 else "".join(names)
        )


class CostOption(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="cost_options")
    option = models.CharField(max_length=200, blank=True, help_text="Who this price is for")
    amount = models.DecimalField(max_digits=8, decimal_places=2, null=True, blank=True)
    amount_description = models.CharField(max_length=200, blank=True)

    def __str__(self):
        return f"{self.option}: {self.amount}"


class Language(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="languages")
    name = models.CharField(max_length=100)
    code = models.CharField(max_length=10, blank=True, help_text="ISO 639, e.g. en, pa, ur")

    def __str__(self):
        return self.name


class ServiceArea(models.Model):
    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    service = models.ForeignKey(Service, on_delete=models.CASCADE, related_name="service_areas")
    name = models.CharField(max_length=200)
    description = models.TextField(blank=True)

    def __str__(self):
        return self.name


class QualityCheckQuerySet(DirectoryQuerySet):
    def current(self):
        """The newest check of each kind for each organisation (by date checked,
        then by id). An older check of a kind is superseded and no longer counts."""
        newer = QualityCheck.objects.filter(
            organisation=OuterRef("organisation"), kind=OuterRef("kind")
        ).filter(
            Q(checked_on__gt=OuterRef("checked_on"))
            | Q(checked_on=OuterRef("checked_on"), pk__gt=OuterRef("pk"))
        )
        return self.filter(~Exists(newer))


class QualityCheck(models.Model):
    """One quality-assurance check of an organisation, with its evidence and expiry.

    Checks are added, never edited into the past: the newest check of each kind
    counts (QualityCheck.objects.current()).
    """

    class State(models.TextChoices):
        """Where a check stands on a day (state_on)."""

        VALID = "valid", "Valid"
        EXPIRING = "expiring", "Expiring"
        LAPSED = "lapsed", "Lapsed"

    class Kind(models.TextChoices):
        SAFEGUARDING = "safeguarding", "Safeguarding policy reviewed"
        DBS = "dbs", "DBS checks for staff and volunteers working with vulnerable people"
        INSURANCE = "insurance", "Public liability insurance"
        DATA_PROTECTION = "data_protection", "Data protection (ICO registration, UK GDPR)"
        HEALTH_SAFETY = "health_safety", "Health and safety"
        GOVERNANCE = "governance", "Governance"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="quality_checks"
    )
    kind = models.CharField(max_length=20, choices=Kind.choices)
    evidence = models.TextField(help_text="What was seen, e.g. policy version and date")
    checked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    checked_on = models.DateField(default=timezone.localdate)
    expires_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    pcn_path = "organisation__pcn"
    objects = QualityCheckQuerySet.as_manager()

    class Meta:
        ordering = ["organisation", "kind", "-checked_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(expires_on__gt=models.F("checked_on")),
                name="check_expires_after_it_was_done",
                violation_error_message="The expiry date must be after the date of the check",
            )
        ]
        indexes = [models.Index(fields=["expires_on"])]

    def __str__(self):
        return f"{self.get_kind_display()} ({self.organisation})"

    def state_on(self, day: datetime.date):
        """Lapsed, expiring (within EXPIRY_WARNING_DAYS) or valid on `day`."""
        if self.expires_on < day:
            return self.State.LAPSED
        if self.expires_on <= day + datetime.timedelta(days=EXPIRY_WARNING_DAYS):
            return self.State.EXPIRING
        return self.State.VALID


class QualityCheckNotice(models.Model):
    """That directory managers were told a check is expiring or has lapsed: one row
    per check and state, so the daily task never tells them twice."""

    check_record = models.ForeignKey(QualityCheck, on_delete=models.CASCADE, related_name="notices")
    # A valid check needs no notice.
    STATES = (QualityCheck.State.EXPIRING, QualityCheck.State.LAPSED)
    state = models.CharField(max_length=10, choices=[(state, state.label) for state in STATES])
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["check_record", "state"], name="one_notice_per_state")
        ]

    def __str__(self):
        return f"{self.check_record_id}: {self.state}"


class ChangeRecord(models.Model):
    """The change history of directory records: who changed which fields, when."""

    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64)
    object_name = models.CharField(max_length=200, blank=True, help_text="Its name at the time")
    # The organisation the record belongs to (itself, or the one whose service,
    # place or check it is), so its history lists records since removed too.
    organisation = models.ForeignKey(
        Organisation, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changed_at = models.DateTimeField(default=timezone.now)
    action = models.CharField(max_length=10)
    changes = models.JSONField(default=dict, help_text="{field: [before, after]}")

    class Meta:
        ordering = ["-changed_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self):
        return f"{self.action} {self.object_type} {self.object_id}"


class DirectoryImport(models.Model):
    """A file a directory manager asked to import, run by the background worker
    (directory.tasks.run_import): large files take longer than a web request.

    The file is kept only until it has been imported; then the report stays.
    """

    class State(models.TextChoices):
        QUEUED = "queued", "Waiting to start"
        RUNNING = "running", "Importing"
        DONE = "done", "Finished"
        FAILED = "failed", "Stopped"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="+", verbose_name="PCN")
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    filename = models.CharField(max_length=255)
    content = models.BinaryField(editable=False, help_text="Emptied once imported")
    dry_run = models.BooleanField("only check", default=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.QUEUED)
    started_at = models.DateTimeField(null=True, blank=True)
    finished_at = models.DateTimeField(null=True, blank=True)
    report = models.JSONField(null=True, blank=True, help_text="directory.importing's report")

    # An import waiting or running longer than this has stopped (its worker died,
    # or the queue lost it): nothing of it was saved, and it is shown as stopped.
    STALE_AFTER = datetime.timedelta(minutes=30)

    pcn_path = "pcn"
    objects = PCNScopedQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]

    def __str__(self):
        return self.filename

    def get_absolute_url(self):
        return reverse("directory:import_detail", args=[self.pk])

    @property
    def stalled(self):
        """Waiting or running for longer than STALE_AFTER: it will not finish."""
        since = self.started_at if self.state == self.State.RUNNING else self.created_at
        return (
            self.state in (self.State.QUEUED, self.State.RUNNING)
            and since is not None
            and since < timezone.now() - self.STALE_AFTER
        )

    @property
    def finished(self):
        return self.state in (self.State.DONE, self.State.FAILED) or self.stalled
