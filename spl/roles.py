"""Roles are Django groups with model permissions.

`ROLES` is the single definition; `sync_roles()` makes the groups match it and
runs after every `migrate`, so a new permission granted here reaches every
environment with the next deployment. Check access with `user.has_perm(...)`,
never by group name.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group, Permission
from django.db import transaction


@dataclass(frozen=True)
class Role:
    key: str
    name: str
    summary: str
    permissions: tuple[str, ...]


REFERRER = "referrer"
LINK_WORKER = "link_worker"
SUPERVISOR = "supervisor"
PRACTICE_MANAGER = "practice_manager"
DIRECTORY_MANAGER = "directory_manager"
COMMISSIONER = "commissioner"
ADMINISTRATOR = "administrator"

_DIRECTORY_READ = ("directory.view_organisation", "directory.view_service")
_DIRECTORY_MANAGE = (
    *_DIRECTORY_READ,
    "directory.add_organisation",
    "directory.change_organisation",
    "directory.add_service",
    "directory.change_service",
    "directory.view_location",
    "directory.add_location",
    "directory.change_location",
    "directory.view_qualitycheck",
    "directory.add_qualitycheck",
)

# Safeguarding concerns: the PCN's care team only (link workers, supervisors).
_SAFEGUARDING = (
    "caseload.view_safeguardingconcern",
    "caseload.add_safeguardingconcern",
    "caseload.change_safeguardingconcern",
)

_ORGANISATION_ADMIN = (
    "spl.view_user",
    "spl.add_user",
    "spl.change_user",
    "spl.view_membership",
    "spl.add_membership",
    "spl.change_membership",
    "spl.delete_membership",
    "spl.view_pcn",
    "spl.add_pcn",
    "spl.change_pcn",
    "spl.view_practice",
    "spl.add_practice",
    "spl.change_practice",
    "spl.view_auditevent",
    "auth.view_group",
    "referrals.add_apiclient",
    "referrals.view_apiclient",
    "referrals.change_apiclient",
)

ROLES = {
    role.key: role
    for role in (
        Role(
            REFERRER,
            "Referrer",
            "GPs and other PCN clinicians: refer patients to a link worker and follow "
            "what happened.",
            (
                "spl.view_pcn",
                "spl.view_practice",
                "referrals.add_referral",
                "caseload.reply_referback",
            ),
        ),
        Role(
            LINK_WORKER,
            "Link worker",
            "Triage referrals, manage a caseload, co-produce support plans and connect "
            "people to community services.",
            (
                "spl.view_pcn",
                "spl.view_practice",
                "referrals.add_referral",
                "referrals.view_referral",
                "referrals.change_referral",
                "referrals.view_patient",
                "caseload.view_case",
                "caseload.add_case",
                "caseload.change_case",
                "caseload.add_contact",
                *_SAFEGUARDING,
                *_DIRECTORY_READ,
            ),
        ),
        Role(
            SUPERVISOR,
            "Supervisor",
            "Oversee link workers' caseloads, waiting times and flagged cases.",
            (
                "spl.view_pcn",
                "spl.view_practice",
                "referrals.view_referral",
                "referrals.change_referral",
                "referrals.view_patient",
                "caseload.view_case",
                "caseload.add_case",
                "caseload.change_case",
                "caseload.supervise_case",
                "outcomes.view_dashboard",
                "outcomes.view_reports",
                *_SAFEGUARDING,
                *_DIRECTORY_READ,
            ),
        ),
        Role(
            PRACTICE_MANAGER,
            "Practice manager",
            "Follow referrals, waiting times and outcomes for your practice, code "
            "referral decisions in the GP record, and keep its list size up to date.",
            (
                "spl.view_pcn",
                "spl.view_practice",
                "spl.change_practice",
                "referrals.add_referral",
                "referrals.code_referral",
                "outcomes.view_dashboard",
                "outcomes.view_reports",
            ),
        ),
        Role(
            DIRECTORY_MANAGER,
            "Directory manager",
            "Keep the directory of voluntary and community services and their "
            "quality-assurance checks up to date.",
            ("spl.view_pcn", "spl.view_practice", *_DIRECTORY_MANAGE),
        ),
        Role(
            COMMISSIONER,
            "Commissioner",
            "Download aggregate reports for your PCNs. You never see personal data.",
            ("spl.view_pcn", "spl.view_practice", "outcomes.view_reports"),
        ),
        Role(
            ADMINISTRATOR,
            "Administrator",
            "Manage users, roles, PCNs and practices, and read the audit trail.",
            _ORGANISATION_ADMIN,
        ),
    )
}


def _permissions(names):
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = {
        (p.content_type.app_label, p.codename): p
        for p in Permission.objects.select_related("content_type").filter(
            codename__in=[codename for _, codename in wanted]
        )
    }
    missing = wanted - found.keys()
    if missing:
        raise LookupError(f"Unknown permissions in ROLES: {sorted(missing)}")
    return [found[key] for key in wanted]


@transaction.atomic
def sync_roles():
    for role in ROLES.values():
        group, _ = Group.objects.get_or_create(name=role.name)
        group.permissions.set(_permissions(role.permissions))


def role_names(user):
    """The names of the user's roles, in the order of ROLES."""
    names = {group.name for group in user.groups.all()}
    return [role.name for role in ROLES.values() if role.name in names]
