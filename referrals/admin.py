from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers

from referrals.models import ApiClient, Referral


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


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    """Referrals, read-only, for administrators answering "what happened to SPL-…?".

    Only what identifies no one: reference, status, route, dates and practice.
    Never the person's name or NHS number, in the list, the search or the page:
    administrators run the service, not anyone's care, so they have no need to
    know who was referred; the admin site writes no audit events for what it
    shows; and a search is a GET, so what is typed in it lands in URLs and
    access logs. Link workers see people through their PCN's scoped pages.

    Also the yardstick for bench/referral_pages.py: a list as a quick CRUD
    build gives it, with Django's own pagination and counts.
    """

    list_display = ["reference", "status", "route", "received_at", "practice"]
    list_filter = ["status", "route"]
    list_select_related = ["practice"]
    search_fields = ["reference"]
    search_help_text = "A referral's reference, like SPL-7K3M-9QPD"
    fields = [
        "reference", "practice", "route", "urgency", "status", "received_at", "snomed_code",
        "coded_on", "coded_in_gp_record_at", "merged_into",
    ]  # fmt: skip
    readonly_fields = fields

    def has_view_permission(self, request, obj=None):
        # Administrators have no referrals.view_referral: that permission opens
        # the link workers' pages. This site is open only to staff (administrators).
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_search_results(self, request, queryset, search_term):
        # The whole reference, exactly: the unique index answers it at any size,
        # where Django's default (icontains) would read every referral.
        if not search_term.strip():
            return queryset, False
        return queryset.filter(reference=search_term.strip().upper()), False
