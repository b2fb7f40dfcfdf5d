from django.conf import settings
from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, RegexValidator
from django.db import models
from django.db.models.functions import Lower
from django.urls import reverse
from django.utils import timezone

from spl.querysets import PCNScopedQuerySet, PracticeQuerySet

pcn_ods_code_validator = RegexValidator(
    r"^U\d{5}$", "Enter a PCN ODS code: the letter U followed by 5 digits, like U12345"
)
practice_ods_code_validator = RegexValidator(
    r"^[A-Z]\d{5}$", "Enter a practice ODS code: a capital letter followed by 5 digits, like A81001"
)


class PCN(models.Model):
    """A Primary Care Network: the unit that employs link workers and owns the data."""

    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code", max_length=6, unique=True, validators=[pcn_ods_code_validator]
    )
    # WEMWBS is licensed: a PCN that holds the licence switches it on.
    wemwbs_enabled = models.BooleanField(
        "WEMWBS switched on",
        default=False,
        help_text="The full Warwick-Edinburgh scale, for PCNs registered with Warwick",
    )

    pcn_path = "pk"
    objects = PCNScopedQuerySet.as_manager()

    class Meta:
        verbose_name = "PCN"
        verbose_name_plural = "PCNs"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Practice(models.Model):
    name = models.CharField(max_length=200)
    ods_code = models.CharField(
        "ODS code", max_length=6, unique=True, validators=[practice_ods_code_validator]
    )
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="practices")
    # Where it is, so that the public can find their practice by town or postcode.
    town = models.CharField("town or city", max_length=100, blank=True)
    postcode = models.CharField(max_length=8, blank=True)
    list_size = models.PositiveIntegerField(
        "registered list size",
        validators=[MinValueValidator(1)],
        help_text="Number of patients registered at the practice, for referral rates",
    )

    pcn_path = "pcn"
    practice_path = "pk"
    objects = PracticeQuerySet.as_manager()

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(condition=models.Q(list_size__gte=1), name="list_size_positive")
        ]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return reverse("practice_detail", args=[self.pk])


class UserManager(BaseUserManager):
    use_in_migrations = True

    def _create_user(self, email, password, **extra_fields):
        if not email:
            raise ValueError("Users must have an email address")
        user = self.model(email=self.normalize_email(email).lower(), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_user(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", False)
        extra_fields.setdefault("is_superuser", False)
        return self._create_user(email, password, **extra_fields)

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.setdefault("is_staff", True)
        extra_fields.setdefault("is_superuser", True)
        return self._create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email__iexact=username)


class User(AbstractBaseUser, PermissionsMixin):
    """A member of staff. Logs in with an email address; roles are groups."""

    email = models.EmailField("email address", unique=True)
    full_name = models.CharField(max_length=150)
    job_title = models.CharField(max_length=150, blank=True)
    is_staff = models.BooleanField(
        "staff status",
        default=False,
        help_text="Can log in to the administration site.",
    )
    is_active = models.BooleanField(
        "active",
        default=True,
        help_text="Untick instead of deleting a user: their history stays attributed.",
    )
    date_joined = models.DateTimeField(default=timezone.now)

    objects = UserManager()

    EMAIL_FIELD = "email"
    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["full_name"]

    class Meta:
        ordering = ["full_name"]
        constraints = [
            models.UniqueConstraint(Lower("email"), name="user_email_case_insensitive_unique")
        ]

    def __str__(self):
        return self.full_name or self.email

    def get_full_name(self):
        return self.full_name

    def get_short_name(self):
        return self.full_name.split(" ")[0] if self.full_name else self.email

    def clean(self):
        super().clean()
        self.email = self.__class__.objects.normalize_email(self.email).lower()


class Membership(models.Model):
    """Ties a user to a PCN, and optionally to one practice in it.

    A user sees the records of every PCN they are a member of.
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    pcn = models.ForeignKey(PCN, on_delete=models.PROTECT, related_name="memberships")
    practice = models.ForeignKey(
        Practice,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="memberships",
        help_text="Only for staff who work for one practice, such as GPs and practice managers.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "pcn"], name="one_membership_per_pcn")
        ]

    def __str__(self):
        return f"{self.user} in {self.pcn}" + (f" ({self.practice})" if self.practice_id else "")

    def clean(self):
        if self.practice_id and self.pcn_id and self.practice.pcn_id != self.pcn_id:
            raise ValidationError({"practice": "Choose a practice in the same PCN."})


class AuditEvent(models.Model):
    """One row per view or change of a record that matters. Append-only.

    The database refuses updates (and, on PostgreSQL, deletes) of these rows:
    see the triggers in migration 0002.
    """

    class Action(models.TextChoices):
        VIEW = "view", "Viewed"
        CREATE = "create", "Created"
        UPDATE = "update", "Updated"
        DELETE = "delete", "Deleted"
        EXPORT = "export", "Exported"

    occurred_at = models.DateTimeField(default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text="Empty for public forms and other systems",
    )
    action = models.CharField(max_length=10, choices=Action.choices)
    object_type = models.CharField(max_length=100, help_text="app_label.model")
    object_id = models.CharField(max_length=64)
    patient_id = models.CharField(
        max_length=64,
        blank=True,
        db_index=True,
        help_text="Internal patient id, never an NHS number",
    )
    request_id = models.UUIDField(null=True, blank=True)
    ip_address = models.GenericIPAddressField(null=True, blank=True)

    class Meta:
        ordering = ["-occurred_at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"])]
        default_permissions = ("view",)

    def __str__(self):
        return f"{self.get_action_display()} {self.object_type} {self.object_id}"

    def save(self, *args, **kwargs):
        # Not business logic: a guard so that no code path edits history.
        if not self._state.adding:
            raise ValueError("Audit events cannot be changed")
        super().save(*args, **kwargs)
