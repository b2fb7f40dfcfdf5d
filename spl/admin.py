from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm

from spl.models import PCN, AuditEvent, Membership, Practice, User


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["pcn", "practice"]


class UserChangeAdminForm(UserChangeForm):
    class Meta:
        model = User
        fields = "__all__"


class UserCreationAdminForm(AdminUserCreationForm):
    class Meta:
        model = User
        fields = ("email", "full_name")


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserChangeAdminForm
    add_form = UserCreationAdminForm
    inlines = [MembershipInline]
    list_display = ["email", "full_name", "job_title", "is_active", "last_login"]
    list_filter = ["is_active", "is_staff", "groups", "memberships__pcn"]
    search_fields = ["email", "full_name"]
    ordering = ["full_name"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = (
        (None, {"fields": ("email", "password")}),
        ("Person", {"fields": ("full_name", "job_title")}),
        (
            "Access",
            {
                "fields": ("is_active", "is_staff", "is_superuser", "groups"),
                "description": "Roles are groups. Staff status lets someone use this "
                "administration site.",
            },
        ),
        ("Dates", {"fields": ("last_login", "date_joined")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": ("email", "full_name", "usable_password", "password1", "password2"),
            },
        ),
    )
    filter_horizontal = ["groups"]

    def get_readonly_fields(self, request, obj=None):
        # Administrators manage roles; only a superuser may make another superuser,
        # or an administrator could promote themselves past every role.
        fields = super().get_readonly_fields(request, obj)
        if not request.user.is_superuser:
            fields = [*fields, "is_superuser"]
        return fields


class PracticeInline(admin.TabularInline):
    model = Practice
    extra = 0
    fields = ["name", "ods_code", "list_size"]


@admin.register(PCN)
class PCNAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "wemwbs_enabled"]
    search_fields = ["name", "ods_code"]
    inlines = [PracticeInline]


@admin.register(Practice)
class PracticeAdmin(admin.ModelAdmin):
    list_display = ["name", "ods_code", "pcn", "town", "postcode", "list_size"]
    list_filter = ["pcn"]
    list_select_related = ["pcn"]
    search_fields = ["name", "ods_code", "town", "postcode"]


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read-only: the audit trail can be searched but never changed or deleted."""

    list_display = ["occurred_at", "actor", "action", "object_type", "object_id", "patient_id"]
    list_filter = ["action", "object_type"]
    list_select_related = ["actor"]
    search_fields = ["object_id", "patient_id", "request_id", "actor__email"]
    date_hierarchy = "occurred_at"

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
