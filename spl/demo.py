"""Demo organisations and people for `manage.py seed_demo` (and `make run`).

Everything is looked up by a natural key (ODS code, email) before it is
created, so seeding twice changes nothing. Passwords are set only when a user
is created: re-seeding never resets a password someone has changed.
"""

from dataclasses import dataclass

from django.contrib.auth.models import Group
from django.db import transaction

from spl import roles
from spl.models import PCN, Membership, Practice, User

PCNS = [
    {
        "ods_code": "U00001",
        "name": "Riverside Primary Care Network",
        "practices": [
            ("Y00011", "Riverside Medical Centre", 11200, "Leeds", "LS1 4AP"),
            ("Y00012", "Bridge Street Surgery", 7850, "Leeds", "LS2 7UE"),
            ("Y00013", "Meadow Lane Health Centre", 9430, "Armley", "LS12 1UB"),
        ],
    },
    {
        "ods_code": "U00002",
        "name": "Northgate Primary Care Network",
        "practices": [
            ("Y00021", "Northgate Family Practice", 13600, "Chapeltown", "LS7 3JB"),
            ("Y00022", "Hillside Surgery", 6240, "Headingley", "LS6 3HN"),
            ("Y00023", "Old Mill Medical Practice", 8920, "Kirkstall", "LS5 3BT"),
        ],
    },
]


@dataclass(frozen=True)
class DemoUser:
    email: str
    full_name: str
    job_title: str
    role: str
    pcns: tuple[str, ...] = ()
    practice: str | None = None
    is_staff: bool = False


USERS = [
    DemoUser("linkworker@example.org", "Amira Khan", "Social prescribing link worker",
             roles.LINK_WORKER, ("U00001",)),
    DemoUser("linkworker2@example.org", "Tom Evans", "Social prescribing link worker",
             roles.LINK_WORKER, ("U00001",)),
    DemoUser("outsider@example.org", "Grace Obi", "Social prescribing link worker",
             roles.LINK_WORKER, ("U00002",)),
    DemoUser("gp@example.org", "Dr Sam Patel", "GP partner", roles.REFERRER,
             ("U00001",), practice="Y00011"),
    DemoUser("supervisor@example.org", "Helen Jones", "Social prescribing lead",
             roles.SUPERVISOR, ("U00001",)),
    DemoUser("manager@example.org", "Priya Shah", "Practice manager", roles.PRACTICE_MANAGER,
             ("U00001",), practice="Y00011"),
    DemoUser("directory@example.org", "Kwame Mensah", "Community services coordinator",
             roles.DIRECTORY_MANAGER, ("U00001",)),
    DemoUser("commissioner@example.org", "Ruth Williams", "ICB commissioning manager",
             roles.COMMISSIONER, ("U00001", "U00002")),
    DemoUser("admin@example.org", "Alex Morgan", "Digital lead", roles.ADMINISTRATOR,
             is_staff=True),
]  # fmt: skip


@transaction.atomic
def seed(*, password):
    """Create the demo PCNs, practices and users; return the users created now."""
    roles.sync_roles()
    for pcn_data in PCNS:
        pcn, _ = PCN.objects.get_or_create(
            ods_code=pcn_data["ods_code"], defaults={"name": pcn_data["name"]}
        )
        for ods_code, name, list_size, town, postcode in pcn_data["practices"]:
            practice, _ = Practice.objects.get_or_create(
                ods_code=ods_code, defaults={"name": name, "pcn": pcn, "list_size": list_size}
            )
            # Demo databases made before practices had a place get one.
            if not practice.town:
                Practice.objects.filter(pk=practice.pk).update(town=town, postcode=postcode)

    created = []
    for demo in USERS:
        user = User.objects.filter(email=demo.email).first()
        if user is None:
            user = User.objects.create_user(
                demo.email,
                password,
                full_name=demo.full_name,
                job_title=demo.job_title,
                is_staff=demo.is_staff,
            )
            created.append(user)
        user.groups.add(Group.objects.get(name=roles.ROLES[demo.role].name))
        for ods_code in demo.pcns:
            Membership.objects.get_or_create(
                user=user,
                pcn=PCN.objects.get(ods_code=ods_code),
                defaults={
                    "practice": Practice.objects.get(ods_code=demo.practice)
                    if demo.practice
                    else None
                },
            )
    return created
