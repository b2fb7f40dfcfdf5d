from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

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
        obj.issued_token = obj.set_new_token()  # kept on the instance for response_add
        obj.issued_by = request.user
        super().save_model(request, obj, form, change)

    def response_add(self, request, obj, post_url_continue=None):
        # The token is shown in this response only: not in a message, which Django
        # may carry to the next page in a cookie, and never cached.
        response = TemplateResponse(
            request,
            "admin/referrals/apiclient/token_issued.html",
            {
                **self.admin_site.each_context(request),
                "client": obj,
                "token": obj.issued_token,
                "list_url": reverse("admin:referrals_apiclient_changelist"),
            },
        )
        add_never_cache_headers(response)
        return response

    @admin.action(description="Revoke the selected tokens", permissions=["change"])
    def revoke(self, request, queryset):
        revoked = queryset.filter(revoked_at__isnull=True).update(revoked_at=timezone.now())
        self.message_user(request, f"Revoked {revoked} token(s). They no longer work.")
