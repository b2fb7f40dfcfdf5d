from django.contrib import admin, messages
from django.utils import timezone

from referrals.models import ApiClient


@admin.register(ApiClient)
class ApiClientAdmin(admin.ModelAdmin):
    """Tokens for systems that send referrals by FHIR (docs/decisions/0006-fhir-intake.md).

    A token is shown once, when the client is added; only its digest is kept. Rows
    are revoked, never deleted, so the referrals a client sent stay attributed.
    """

    list_display = [
        "organisation_name",
        "organisation_type",
        "token_prefix",
        "issued_at",
        "last_used_at",
        "active",
    ]
    list_filter = ["organisation_type", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["organisation_name", "token_prefix", "contact_email"]
    actions = ["revoke"]
    fields = ["organisation_name", "organisation_type", "contact_email"]
    readonly_fields = [
        "token_prefix",
        "token_hash",
        "issued_by",
        "issued_at",
        "last_used_at",
        "revoked_at",
    ]

    def get_fields(self, request, obj=None):
        return self.fields if obj is None else [*self.fields, *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.display(boolean=True, description="active", ordering="revoked_at")
    def active(self, obj):
        return obj.is_active

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        token = obj.set_new_token()
        obj.issued_by = request.user
        super().save_model(request, obj, form, change)
        messages.warning(request, f"Copy this token now: it will not be shown again: {token}")

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {revoked} token(s). They no longer work.")
