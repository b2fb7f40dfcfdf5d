"""What a user can do, as links on their home page.

Each app adds the things it lets people do; the home page shows those the user
has permission for, so every role lands on a page of their own work.
"""

from dataclasses import dataclass

from django.urls import reverse


@dataclass(frozen=True)
class Task:
    title: str
    description: str
    url_name: str
    permission: str | None = None
    staff_only: bool = False
    in_navigation: bool = True

    @property
    def url(self):
        return reverse(self.url_name)


TASKS = [
    Task(
        "Caseload",
        "The people you support: contacts, decisions and the PCN's waiting list",
        "caseload:caseload",
        permission="caseload.view_case",
    ),
    Task(
        "Team caseloads",
        "Every link worker's open cases and the waiting list; reassign cases",
        "caseload:team",
        permission="caseload.supervise_case",
    ),
    Task(
        "MDT agenda",
        "Cases flagged for multidisciplinary team meetings, by meeting date and practice",
        "caseload:mdt",
        permission="caseload.view_case",
        in_navigation=False,
    ),
    Task(
        "Refer someone",
        "Refer a patient to your PCN's social prescribing link workers",
        "referrals:referral_create",
        permission="referrals.add_referral",
    ),
    Task(
        "Your referrals",
        "See what has happened to the people you referred",
        "referrals:referral_mine",
        permission="referrals.add_referral",
    ),
    Task(
        "Referred back to you",
        "People your PCN's link workers have referred back to you: reply to them",
        "caseload:refer_backs",
        permission="caseload.reply_referback",
        in_navigation=False,
    ),
    Task(
        "Coding",
        "Add referral decisions to the GP record and mark them as coded",
        "referrals:coding_list",
        permission="referrals.code_referral",
    ),
    Task(
        "Closing summaries",
        "What happened when support ended, for the GP record",
        "caseload:gp_summaries",
        permission="referrals.code_referral",
        in_navigation=False,
    ),
    Task(
        "Referrals",
        "Triage new referrals and see every referral in your PCN",
        "referrals:referral_list",
        permission="referrals.view_referral",
    ),
    Task(
        "Outcomes",
        "Referrals, waiting times, caseloads and IIF figures for your practice or PCN",
        "outcomes:dashboard",
        permission="outcomes.view_dashboard",
    ),
    Task(
        "Reports",
        "Monthly and quarterly reports as PDF and CSV: aggregates only, made on a schedule",
        "outcomes:report_list",
        permission="outcomes.view_reports",
    ),
    Task(
        "Directory",
        "Find community services by need, activity, age, quality assurance and capacity",
        "directory:service_search",
        permission="directory.view_service",
    ),
    Task(
        "Manage directory",
        "Add and update community organisations, their services, places and quality checks",
        "directory:manage",
        permission="directory.change_organisation",
    ),
    Task(
        "Practices",
        "Practices in your PCN, their registered list sizes and their teams",
        "practice_list",
        permission="spl.view_practice",
    ),
    Task(
        "Administration",
        "Manage users, roles, PCNs and practices, and read the audit trail",
        "admin:index",
        staff_only=True,
    ),
    Task(
        "Change your password",
        "Choose a new password for your account",
        "password_change",
        in_navigation=False,
    ),
]


def tasks_for(user):
    return [
        task
        for task in TASKS
        if (task.permission is None or user.has_perm(task.permission))
        and (not task.staff_only or user.is_staff)
    ]


def navigation_for(request):
    """Header links: home and each task the user can do, marking the current one."""
    items = [{"title": "Home", "url": reverse("home")}]
    items += [
        {"title": task.title, "url": task.url}
        for task in tasks_for(request.user)
        if task.in_navigation
    ]
    # The current item is the one whose address is the longest start of this page's:
    # /directory/manage/ is "Manage directory", not also "Directory".
    matching = [
        item["url"]
        for item in items
        if request.path == item["url"]
        or (item["url"] != "/" and request.path.startswith(item["url"]))
    ]
    current = max(matching, key=len, default=None)
    for item in items:
        item["current"] = item["url"] == current
    return items
