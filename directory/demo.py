"""Demo VCSE organisations and services in Leeds for `manage.py seed_demo`.

Every record has a fixed id (uuid5 of a name), so seeding twice creates nothing
new; children (locations, schedules, contacts, costs…) are only added when their
service or organisation is created. Quality checks are recorded relative to the
day of seeding, through `services.record_check`, so the demo opens with some
organisations assured, some expiring within 30 days, some lapsed and some not
yet assured. The organisations, addresses and email domains are made up; phone
numbers are Ofcom's drama numbers for Leeds (0113 496 0000 to 0999).
"""

import datetime
import uuid
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from directory import services, taxonomy
from directory.models import (
    Contact,
    CostOption,
    Language,
    Location,
    Organisation,
    QAStatus,
    QualityCheck,
    Schedule,
    Service,
    ServiceArea,
    ServiceAtLocation,
    Taxonomy,
    TaxonomyTerm,
)
from spl.models import PCN, User

NAMESPACE = uuid.UUID("0c7d5f3e-8a51-4d0b-b1f6-9d3f6b2a7e41")
RIVERSIDE, NORTHGATE = "U00001", "U00002"
DIRECT = Service.Access.DIRECT_REFERRAL

# Rough centres of the Leeds postcode districts, for the map and distances.
DISTRICTS = {
    "LS1": ("53.7965", "-1.5478"), "LS2": ("53.8030", "-1.5440"),
    "LS4": ("53.8150", "-1.6000"),
    "LS5": ("53.8230", "-1.6160"), "LS6": ("53.8190", "-1.5770"),
    "LS7": ("53.8230", "-1.5330"), "LS8": ("53.8150", "-1.5150"),
    "LS9": ("53.8020", "-1.5160"), "LS10": ("53.7750", "-1.5320"),
    "LS11": ("53.7770", "-1.5630"), "LS12": ("53.7980", "-1.5900"),
    "LS13": ("53.8080", "-1.6360"), "LS14": ("53.8200", "-1.4620"),
    "LS15": ("53.8060", "-1.4500"), "LS17": ("53.8500", "-1.5300"),
    "LS18": ("53.8400", "-1.6380"), "LS25": ("53.7930", "-1.3880"),
    "LS27": ("53.7400", "-1.6000"), "LS28": ("53.7950", "-1.6630"),
}  # fmt: skip
LANGUAGES = {
    "en": "English", "ur": "Urdu", "pa": "Punjabi", "pl": "Polish", "ar": "Arabic",
    "ro": "Romanian", "ku": "Kurdish", "so": "Somali", "bn": "Bengali",
    "bfi": "British Sign Language",
}  # fmt: skip
EVIDENCE = {
    QualityCheck.Kind.SAFEGUARDING: "Safeguarding adults and children policy approved by the "
    "trustees this year; named safeguarding lead confirmed.",
    QualityCheck.Kind.DBS: "Enhanced DBS checks seen for staff and volunteers who work with "
    "vulnerable people; renewal log reviewed.",
    QualityCheck.Kind.INSURANCE: "Public liability insurance certificate seen, cover of "
    "£5 million.",
    QualityCheck.Kind.DATA_PROTECTION: "ICO registration confirmed; privacy notice and data "
    "protection policy seen.",
    QualityCheck.Kind.HEALTH_SAFETY: "Health and safety policy and the venue's risk "
    "assessments seen.",
    QualityCheck.Kind.GOVERNANCE: "Constitution, latest annual accounts and list of trustees seen.",
}

# QA states the demo sets up. Not assured comes two ways: a kind never checked,
# or a new organisation with no checks yet.
ASSURED, EXPIRING, LAPSED, KIND_MISSING, UNCHECKED = (
    "assured",
    "expiring",
    "lapsed",
    "kind_missing",
    "unchecked",
)


@dataclass(frozen=True)
class DemoService:
    name: str
    description: str
    needs: tuple[str, ...]
    activities: tuple[str, ...]
    # (RFC 5545 days, opens, closes, description)
    schedule: tuple[str, str, str, str] = ("MO,TU,WE,TH,FR", "09:30", "16:30", "")
    access: str = Service.Access.SIGNPOSTING
    referral_instructions: str = ""
    fees: str = ""
    # (who for, amount or None, description); free when empty
    costs: tuple[tuple[str, str | None, str], ...] = ()
    eligibility: str = "Adults living in Leeds"
    ages: tuple[int | None, int | None] = (18, None)
    accepting: bool = True
    waiting_weeks: int | None = None
    places: tuple[int, int] | None = None
    languages: tuple[str, ...] = ("en",)
    at_location: bool = True
    status: str = Service.Status.ACTIVE
    alert: str = ""
    contact_title: str = "Enquiries"


@dataclass(frozen=True)
class DemoOrganisation:
    slug: str
    name: str
    pcn: str
    description: str
    address: str
    postcode: str
    area: str
    qa: str
    services: tuple[DemoService, ...] = field(default_factory=tuple)
    accessibility: str = "Step-free access and an accessible toilet"


S = DemoService
ORGANISATIONS = [
    # Riverside PCN: south and west Leeds.
    DemoOrganisation(
        "armley-advice", "Armley Advice Centre", RIVERSIDE,
        "Free, confidential advice on money, benefits, debt and housing.",
        "14 Town Street", "LS12 3AB", "Armley and Wortley", ASSURED, (
            S("Debt and benefits advice",
              "One-to-one help with debts, benefit claims, appeals and budgeting. An adviser "
              "can speak to creditors for you.",
              ("finance",), ("advice",), ("MO,TU,TH", "09:30", "16:00", "By appointment"),
              access=DIRECT, waiting_weeks=2, languages=("en", "ur", "pl"),
              referral_instructions="Say what the money worry is and the best time to call."),
            S("Housing advice drop-in",
              "Advice on repairs, rent arrears, eviction notices and finding somewhere to live.",
              ("housing",), ("advice",), ("WE", "10:00", "13:00", "Drop in, no appointment")),
        ),
    ),
    DemoOrganisation(
        "older-befriending", "Leeds Older People's Befriending", RIVERSIDE,
        "Volunteers who keep in touch with older people who would like more company.",
        "Beeston Community Hall, 31 Town Street", "LS11 8PN", "South Leeds", ASSURED, (
            S("Telephone befriending",
              "A weekly friendly phone call from the same trained volunteer.",
              ("loneliness",), ("befriending",), ("MO,TU,WE,TH,FR", "10:00", "16:00", ""),
              access=DIRECT, eligibility="People aged 60 and over", ages=(60, None),
              waiting_weeks=6, places=(0, 40), at_location=False,
              referral_instructions="Tell us the person's interests so we can match a volunteer."),
            S("Home visiting befriending",
              "A volunteer visits at home for an hour a week for a chat and a cup of tea.",
              ("loneliness",), ("befriending",), ("MO,TU,WE,TH,FR", "10:00", "16:00", ""),
              access=DIRECT, eligibility="People aged 60 and over", ages=(60, None),
              accepting=False, waiting_weeks=12, places=(0, 25), at_location=False,
              alert="The waiting list is full for now: telephone befriending can start sooner."),
        ),
    ),
    DemoOrganisation(
        "kirkstall-garden", "Kirkstall Valley Community Garden", RIVERSIDE,
        "A community garden by the river where anyone can help grow fruit and vegetables.",
        "Bridge Road allotments", "LS4 2QN", "Kirkstall", ASSURED, (
            S("Growing together sessions",
              "Relaxed gardening sessions with tea and cake. No experience needed; tools and "
              "gloves provided.",
              ("mental_wellbeing", "physical_activity"), ("gardening", "volunteering"),
              ("TU,FR", "10:00", "14:00", "")),
        ),
        accessibility="Level paths and raised beds; accessible toilet in the cabin",
    ),
    DemoOrganisation(
        "beeston-walks", "Beeston Walking for Health", RIVERSIDE,
        "Short, friendly led walks for people who want to become more active.",
        "Cross Flatts Park gates, Dewsbury Road", "LS11 7BS", "Beeston", EXPIRING, (
            S("Cross Flatts Park health walks",
              "A gentle one-hour walk on flat paths, led by trained volunteers, then a cuppa.",
              ("physical_activity", "weight", "loneliness"), ("physical_activity", "social_groups"),
              ("WE", "10:30", "11:30", "Meet at the park gates")),
        ),
        accessibility="Flat, surfaced paths; benches on the route",
    ),
    DemoOrganisation(
        "carers-hub", "Leeds Carers Hub", RIVERSIDE,
        "Information, advice and breaks for unpaid carers of all ages.",
        "2 Park Square", "LS1 2NE", "Leeds", ASSURED, (
            S("Carer support and advice",
              "A carer support worker helps with a carer's assessment, benefits, breaks and "
              "planning for emergencies.",
              ("carer",), ("advice", "peer_support"), access=DIRECT, waiting_weeks=3,
              languages=("en", "ur", "pa", "bfi"),
              referral_instructions="Say who the person cares for and how often."),
            S("Carers' coffee morning",
              "Meet other carers over a coffee. The person you care for is welcome too.",
              ("carer", "loneliness"), ("peer_support", "social_groups"),
              ("TH", "10:00", "12:00", "Second Thursday of the month")),
        ),
    ),
    DemoOrganisation(
        "hunslet-bereavement", "Hunslet Bereavement Café", RIVERSIDE,
        "A warm, informal space for anyone who has lost someone.",
        "St Mary's Church Hall, Church Street", "LS10 2QY", "Hunslet and Riverside", LAPSED, (
            S("Bereavement café",
              "Drop in for tea and a chat with others who understand, and trained listeners.",
              ("bereavement", "loneliness"), ("peer_support", "talking_therapy"),
              ("TH", "14:00", "16:00", "First Thursday of the month")),
        ),
    ),
    DemoOrganisation(
        "south-leeds-food-bank", "South Leeds Food Bank", RIVERSIDE,
        "Emergency food and toiletries for people in crisis, with signposting to advice.",
        "Unit 3, Penny Hill Centre", "LS10 1RR", "South Leeds", ASSURED, (
            S("Emergency food parcels",
              "Three days of food for the household, collected or delivered.",
              ("finance",), ("advice",), ("MO,WE,FR", "11:00", "14:00", ""),
              access=DIRECT, eligibility="Anyone in Leeds facing a crisis", ages=(None, None),
              referral_instructions="Give the household size and any dietary needs."),
        ),
    ),
    DemoOrganisation(
        "bramley-shed", "Bramley Men's Shed", RIVERSIDE,
        "A workshop where people share skills, make things and have a chat.",
        "Rear of 9 Upper Town Street", "LS13 3JX", "Bramley and Stanningley", KIND_MISSING, (
            S("Shed sessions",
              "Woodwork, repairs and projects for the community. Everyone welcome, whatever "
              "their skills.",
              ("loneliness", "mental_wellbeing"), ("social_groups", "learning", "volunteering"),
              ("TU,TH", "10:00", "15:00", ""), fees="£2 a session towards materials",
              costs=(("Each session", "2.00", "Towards materials and tea"),)),
        ),
        accessibility="Ground floor workshop; no accessible toilet",
    ),
    DemoOrganisation(
        "open-door-arts", "Open Door Arts", RIVERSIDE,
        "Creative courses for people who want to improve their wellbeing through art.",
        "The Mill, 40 Canal Road", "LS12 2PL", "Armley", EXPIRING, (
            S("Arts on prescription",
              "A ten-week course of painting, printmaking and clay in a small group, led by "
              "artists. All materials provided.",
              ("mental_wellbeing",), ("arts",), ("WE", "13:00", "15:30", "Ten-week course"),
              access=DIRECT, waiting_weeks=4, places=(3, 12),
              referral_instructions="No art experience needed. Mention any access needs."),
        ),
    ),
    DemoOrganisation(
        "routes-to-work", "Routes to Work Leeds", RIVERSIDE,
        "Help to find work, training or volunteering, at your own pace.",
        "Merrion House, 110 Merrion Centre", "LS2 8BB", "Leeds", ASSURED, (
            S("Employment support",
              "A key worker helps with CVs, applications, interviews and confidence.",
              ("employment",), ("advice", "learning"), access=DIRECT, waiting_weeks=1,
              eligibility="Adults out of work", languages=("en", "pl", "ro"),
              referral_instructions="Say what kind of work the person is interested in."),
            S("Digital skills for work",
              "Learn to use email, job sites and online forms. Laptops provided.",
              ("employment",), ("learning",), ("TU", "13:00", "15:00", "Six-week course")),
        ),
    ),
    DemoOrganisation(
        "morley-singers", "Morley Breathe Easy Singers", RIVERSIDE,
        "A singing group for people living with lung conditions.",
        "Morley Town Hall, Queen Street", "LS27 9DY", "Morley", ASSURED, (
            S("Singing for better breathing",
              "Breathing exercises and songs for people with COPD, asthma or long COVID.",
              ("long_term_condition", "mental_wellbeing"), ("arts", "peer_support"),
              ("MO", "13:30", "15:00", ""), fees="£3 a session",
              costs=(("Each session", "3.00", "First session free"),)),
        ),
    ),
    DemoOrganisation(
        "active-pudsey", "Active Pudsey", RIVERSIDE,
        "Gentle exercise classes for people getting back to being active.",
        "Pudsey Civic Hall, Dawsons Corner", "LS28 5TA", "Pudsey", LAPSED, (
            S("Chair-based exercise",
              "Seated exercise to music to build strength and balance, at your own pace.",
              ("physical_activity", "long_term_condition"), ("physical_activity",),
              ("TU,FR", "11:00", "12:00", ""), fees="£2.50 a class; free with a concession",
              costs=(("Each class", "2.50", ""), ("With a concession", "0.00", "Free"))),
        ),
    ),
    DemoOrganisation(
        "eat-well-leeds", "Eat Well Move More Leeds", RIVERSIDE,
        "Friendly groups for eating well and managing weight.",
        "Beeston Hill Community Centre, Cemetery Road", "LS11 8SY", "Beeston", ASSURED, (
            S("Healthy eating and weight group",
              "A 12-week group on food, cooking on a budget and being active, with a weekly "
              "weigh-in if you want one.",
              ("weight",), ("learning", "peer_support"), ("TH", "18:00", "19:30", "12 weeks"),
              access=DIRECT, waiting_weeks=3, places=(6, 15),
              eligibility="Adults who would like to manage their weight",
              languages=("en", "ur", "pa")),
        ),
    ),
    DemoOrganisation(
        "holbeck-lunch", "Holbeck Community Lunch Club", RIVERSIDE,
        "A hot lunch and good company every Friday.",
        "Holbeck Working Men's Club, Jenkinson Lawn", "LS11 9QX", "Holbeck", UNCHECKED, (
            S("Friday lunch club",
              "A two-course lunch, a quiz and a chat. Transport can be arranged.",
              ("loneliness",), ("social_groups",), ("FR", "12:00", "14:00", ""),
              fees="£3.50 for lunch", costs=(("Lunch", "3.50", "Two courses and a drink"),),
              ages=(50, None), eligibility="People aged 50 and over"),
        ),
    ),
    DemoOrganisation(
        "riverside-wellbeing", "Riverside Wellbeing Hub", RIVERSIDE,
        "Support for people feeling low, anxious or stressed.",
        "22 Wellington Road", "LS12 1DR", "Armley", ASSURED, (
            S("Wellbeing drop-in",
              "Talk to a wellbeing worker or join a peer support group. No appointment.",
              ("mental_wellbeing",), ("talking_therapy", "peer_support"),
              ("MO,WE", "12:00", "16:00", "")),
            S("Managing anxiety course",
              "Six sessions on understanding anxiety and practical ways to cope.",
              ("mental_wellbeing",), ("learning",), ("TU", "10:00", "12:00", "Six weeks"),
              access=DIRECT, waiting_weeks=8, places=(0, 12),
              referral_instructions="Not for people in crisis: use the crisis team."),
        ),
    ),
    DemoOrganisation(
        "kirkstall-volunteers", "Kirkstall Volunteer Centre", RIVERSIDE,
        "Finds volunteering that suits you, with support to get started.",
        "Kirkstall Centre, Kirkstall Lane", "LS5 3BE", "Kirkstall", EXPIRING, (
            S("Volunteer matching",
              "Meet an adviser to find volunteering that fits your interests and time.",
              ("employment", "loneliness"), ("volunteering",), ("MO,TH", "10:00", "15:00", ""),
              ages=(16, None), eligibility="Anyone aged 16 or over"),
        ),
    ),
    DemoOrganisation(
        "housing-advice-line", "Leeds Housing Advice Line", RIVERSIDE,
        "Advice for tenants and people at risk of losing their home.",
        "5 Lands Lane", "LS1 6LB", "Leeds", LAPSED, (
            S("Housing and homelessness advice",
              "Advice by phone or in person on eviction, disrepair, deposits and homelessness.",
              ("housing",), ("advice",), access=DIRECT, waiting_weeks=1,
              languages=("en", "ar", "ku"),
              referral_instructions="Say if the person has a court date or an eviction notice."),
        ),
    ),
    DemoOrganisation(
        "beeston-allotment", "Beeston Wellbeing Allotment", RIVERSIDE,
        "A shared allotment for people who want to garden with others.",
        "Allotment site, Old Lane", "LS11 8AL", "Beeston", ASSURED, (
            S("Allotment mornings",
              "Grow vegetables and flowers together; take home what you grow.",
              ("mental_wellbeing", "physical_activity"), ("gardening",),
              ("SA", "10:00", "13:00", "")),
        ),
        accessibility="Grass paths; raised beds for wheelchair users",
    ),
    DemoOrganisation(
        "riverside-diabetes", "Riverside Diabetes Peer Support", RIVERSIDE,
        "People with type 2 diabetes supporting each other to live well.",
        "Armley Library, Stocks Hill", "LS12 1UQ", "Armley", EXPIRING, (
            S("Living well with diabetes group",
              "Share tips on food, activity and medicines, with talks from a dietitian.",
              ("long_term_condition", "weight"), ("peer_support", "learning"),
              ("MO", "14:00", "15:30", "Every other Monday"), languages=("en", "pa", "ur")),
        ),
    ),
    DemoOrganisation(
        "middleton-woods", "Middleton Woods Nature Volunteers", RIVERSIDE,
        "Conservation volunteering in the ancient woodland of Middleton Park.",
        "Middleton Park visitor centre, Middleton Park Road", "LS10 3SH", "Middleton", ASSURED, (
            S("Conservation volunteering",
              "Path repairs, tree planting and wildlife surveys in the woods. Tools and "
              "training provided.",
              ("physical_activity", "mental_wellbeing"), ("gardening", "volunteering"),
              ("WE,SA", "10:00", "14:00", "")),
        ),
        accessibility="Uneven woodland paths; accessible toilet at the visitor centre",
    ),
    DemoOrganisation(
        "money-buddies", "Leeds Money Buddies", RIVERSIDE,
        "Trained volunteers who help people get on top of their money.",
        "Hunslet Library, Waterloo Road", "LS10 2NS", "Hunslet", KIND_MISSING, (
            S("Money buddies",
              "A volunteer helps with budgeting, bills and forms over a few meetings.",
              ("finance",), ("befriending", "advice"), ("TU,TH", "10:00", "15:00", ""),
              access=DIRECT, waiting_weeks=2,
              referral_instructions="Say what help with money the person would like."),
        ),
    ),
    DemoOrganisation(
        "morley-dementia-carers", "Morley Dementia Carers Group", RIVERSIDE,
        "Support for people caring for someone living with dementia.",
        "Morley Library, Commercial Street", "LS27 8HZ", "Morley", ASSURED, (
            S("Dementia carers' group",
              "A monthly group with talks, peer support and time to talk.",
              ("carer", "long_term_condition"), ("peer_support",),
              ("WE", "13:30", "15:30", "Last Wednesday of the month")),
        ),
    ),
    # Northgate PCN: north and east Leeds.
    DemoOrganisation(
        "chapeltown-advice", "Chapeltown Advice Partnership", NORTHGATE,
        "Advice on benefits, debt, housing and immigration in many community languages.",
        "Reginald Centre, 263 Chapeltown Road", "LS7 3EX", "Chapeltown", ASSURED, (
            S("Benefits and debt advice",
              "Help with Universal Credit, PIP, council tax arrears and debt.",
              ("finance", "housing"), ("advice",), access=DIRECT, waiting_weeks=2,
              languages=("en", "ur", "pa", "so", "ar"),
              referral_instructions="Say which language the person would like to use."),
        ),
    ),
    DemoOrganisation(
        "harehills-women", "Harehills Women's Wellbeing Centre", NORTHGATE,
        "A welcoming centre run by and for women from many communities.",
        "12 Harehills Lane", "LS8 5HT", "Harehills", EXPIRING, (
            S("Women's wellbeing group",
              "Relaxation, crafts and conversation, with a crèche.",
              ("mental_wellbeing", "loneliness"), ("peer_support", "social_groups"),
              ("TU", "10:00", "12:30", ""), eligibility="Women aged 18 and over",
              languages=("en", "ur", "ro", "ku", "ar")),
            S("English conversation café",
              "Practise everyday English with volunteers over tea.",
              ("employment", "loneliness"), ("learning", "social_groups"),
              ("TH", "13:00", "15:00", ""), eligibility="Women aged 18 and over",
              languages=("en", "ur", "ro", "ku", "ar", "bn")),
        ),
    ),
    DemoOrganisation(
        "moortown-befrienders", "Moortown Befrienders", NORTHGATE,
        "Neighbours who visit and phone people who feel lonely.",
        "Moortown Methodist Church, Alderton Rise", "LS17 6LQ", "Moortown", LAPSED, (
            S("Friendly neighbours",
              "A visit or phone call each week from a local volunteer.",
              ("loneliness",), ("befriending",), access=DIRECT, waiting_weeks=4,
              places=(2, 30), at_location=False,
              referral_instructions="Say whether the person prefers visits or calls."),
        ),
    ),
    DemoOrganisation(
        "seacroft-garden", "Seacroft Community Garden", NORTHGATE,
        "A garden and orchard on the estate, open to all.",
        "Seacroft Gardens, Kentmere Avenue", "LS14 1BR", "Seacroft", ASSURED, (
            S("Garden volunteering days",
              "Help in the orchard and vegetable beds; lunch provided.",
              ("mental_wellbeing", "physical_activity"), ("gardening", "volunteering"),
              ("WE", "10:00", "15:00", "")),
        ),
    ),
    DemoOrganisation(
        "crossgates-walking-football", "Cross Gates Walking Football", NORTHGATE,
        "Football without running, for people of every fitness level.",
        "Cross Gates Leisure Centre, Station Road", "LS15 8AF", "Cross Gates", ASSURED, (
            S("Walking football",
              "A friendly game at walking pace, then a drink in the café.",
              ("physical_activity", "weight", "loneliness"), ("physical_activity", "social_groups"),
              ("MO,TH", "11:00", "12:00", ""), fees="£3 a session",
              costs=(("Each session", "3.00", ""),), ages=(50, None),
              eligibility="People aged 50 and over"),
        ),
    ),
    DemoOrganisation(
        "headingley-bereavement", "Headingley Bereavement Support", NORTHGATE,
        "One-to-one support from trained bereavement volunteers.",
        "St Michael's Church, Otley Road", "LS6 3AA", "Headingley", ASSURED, (
            S("One-to-one bereavement support",
              "Up to eight sessions with a trained volunteer, in person or by phone.",
              ("bereavement",), ("talking_therapy",), access=DIRECT, waiting_weeks=6,
              places=(0, 20), accepting=False,
              alert="Not taking new referrals until the waiting list is shorter.",
              referral_instructions="Say when and how the person was bereaved, if known."),
        ),
    ),
    DemoOrganisation(
        "horsforth-shed", "Horsforth Men's Shed", NORTHGATE,
        "A community workshop for making, mending and meeting people.",
        "Rear of Horsforth Village Hall, Town Street", "LS18 5BL", "Horsforth", EXPIRING, (
            S("Shed sessions",
              "Woodwork, bike repairs and a brew. Everyone is welcome.",
              ("loneliness",), ("social_groups", "learning"),
              ("WE,SA", "10:00", "15:00", ""), status=Service.Status.TEMPORARILY_CLOSED,
              alert="Closed while the workshop roof is repaired."),
        ),
    ),
    DemoOrganisation(
        "garforth-carers", "Garforth Carers' Centre", NORTHGATE,
        "Advice, breaks and friendship for carers in east Leeds.",
        "Garforth Library, Main Street", "LS25 1AA", "Garforth", KIND_MISSING, (
            S("Carers' breaks and advice",
              "Help to plan breaks, with monthly trips and an advice session.",
              ("carer",), ("advice", "social_groups"), ("FR", "10:00", "13:00", "")),
        ),
    ),
    DemoOrganisation(
        "north-leeds-job-club", "North Leeds Job Club", NORTHGATE,
        "A weekly job club with computers, coaching and company.",
        "Moortown Community Centre, Cranmer Road", "LS17 5DR", "Moortown", LAPSED, (
            S("Job club",
              "Search and apply for jobs with help from a coach.",
              ("employment",), ("advice", "learning"), ("WE", "09:30", "12:30", "")),
        ),
    ),
    DemoOrganisation(
        "harehills-pantry", "Harehills Food Pantry", NORTHGATE,
        "A members' food pantry that makes the weekly shop go further.",
        "Compton Centre, Harehills Lane", "LS9 7BG", "Harehills", ASSURED, (
            S("Community food pantry",
              "Choose at least £20 of food and household goods each week for £5.",
              ("finance",), ("social_groups",), ("TU,SA", "10:00", "13:00", ""),
              fees="£5 a week", costs=(("Weekly shop", "5.00", "At least £20 of goods"),),
              ages=(None, None), eligibility="Households in Harehills and Gipton"),
            S("Cooking on a budget",
              "A four-week course of simple, cheap and healthy recipes.",
              ("weight", "finance"), ("learning",), ("TH", "10:00", "12:00", "Four weeks")),
        ),
    ),
    DemoOrganisation(
        "roundhay-art", "Roundhay Art Studio", NORTHGATE,
        "A friendly studio for people who want to make art with others.",
        "Old Stables, Roundhay Park", "LS8 2HH", "Roundhay", ASSURED, (
            S("Creative wellbeing art group",
              "Drawing, painting and collage in a relaxed group.",
              ("mental_wellbeing", "loneliness"), ("arts",), ("FR", "13:00", "15:00", "")),
        ),
    ),
    DemoOrganisation(
        "seacroft-tenancy", "Seacroft Tenancy Support", NORTHGATE,
        "Practical help to keep a home and manage a tenancy.",
        "Seacroft Library, The Seacroft Centre", "LS14 6JH", "Seacroft", UNCHECKED, (
            S("Tenancy support",
              "A support worker helps with rent, bills, repairs and letters for up to "
              "three months.",
              ("housing", "finance"), ("advice", "befriending"), access=DIRECT,
              waiting_weeks=2, referral_instructions="Say who the landlord is."),
        ),
    ),
    DemoOrganisation(
        "chronic-pain-peers", "North Leeds Chronic Pain Peer Group", NORTHGATE,
        "People living with long-term pain supporting each other.",
        "Chapel Allerton Library, Harrogate Road", "LS7 3PD", "Chapel Allerton", ASSURED, (
            S("Pain peer support group",
              "Share ways of living well with pain, with gentle movement and relaxation.",
              ("long_term_condition", "mental_wellbeing"), ("peer_support",),
              ("TU", "14:00", "16:00", "Fortnightly")),
        ),
    ),
]  # fmt: skip


def _id(*parts):
    return uuid.uuid5(NAMESPACE, "/".join(parts))


@transaction.atomic
def seed(**options):
    # The migration seeds the taxonomy, but `flush` empties it: make sure it is there.
    taxonomy.seed_taxonomies(Taxonomy, TaxonomyTerm)
    manager = User.objects.get(email="directory@example.org")
    pcns = {pcn.ods_code: pcn for pcn in PCN.objects.filter(ods_code__in=[RIVERSIDE, NORTHGATE])}
    today = timezone.localdate()
    phones = iter(range(100, 1000))
    created = 0
    for index, demo in enumerate(ORGANISATIONS):
        # Phone numbers are drawn before the existence check, so each service
        # keeps its number whichever organisations already exist.
        numbers = [f"0113 496 0{next(phones):03d}" for _ in demo.services]
        if Organisation.objects.filter(pk=_id("organisation", demo.slug)).exists():
            continue
        organisation = _create_organisation(demo, pcns[demo.pcn], numbers, by=manager)
        _record_checks(organisation, demo.qa, index, today, by=manager)
        created += 1
    return _summary(created, today)


def _create_organisation(demo, pcn, numbers, *, by):
    domain = f"{demo.slug}.example.org"
    organisation = services.save_record(
        instance=Organisation(id=_id("organisation", demo.slug)),
        by=by,
        pcn=pcn,
        name=demo.name,
        description=demo.description,
        email=f"hello@{domain}",
        website=f"https://{domain}/",
    )
    latitude, longitude = DISTRICTS[demo.postcode.split()[0]]
    location = services.save_record(
        instance=Location(id=_id("location", demo.slug), address_id=_id("address", demo.slug)),
        by=by,
        organisation=organisation,
        name=demo.address.split(",")[0] if "," in demo.address else demo.name,
        address_1=demo.address,
        city="Leeds",
        postcode=demo.postcode,
        latitude=Decimal(latitude),
        longitude=Decimal(longitude),
        accessibility=demo.accessibility,
    )
    for number, (position, spec) in zip(numbers, enumerate(demo.services), strict=True):
        key = f"{demo.slug}/{position}"
        _create_service(organisation, location, spec, key, domain, demo.area, number, by=by)
    return organisation


def _create_service(organisation, location, spec, key, domain, area, phone, *, by):
    minimum_age, maximum_age = spec.ages
    available, maximum = spec.places or (None, None)
    service = services.save_service(
        service=Service(id=_id("service", key)),
        by=by,
        organisation=organisation,
        name=spec.name,
        description=spec.description,
        url=f"https://{domain}/",
        email=f"hello@{domain}",
        status=spec.status,
        fees=spec.fees,
        eligibility=spec.eligibility,
        minimum_age=minimum_age,
        maximum_age=maximum_age,
        alert=spec.alert,
        access=spec.access,
        referral_email=f"referrals@{domain}" if spec.access == DIRECT else "",
        referral_instructions=spec.referral_instructions,
        accepting_referrals=spec.accepting,
        waiting_time_weeks=spec.waiting_weeks,
        available_places=available,
        maximum_places=maximum,
    )
    service.taxonomy_terms.set(
        [taxonomy.term_id(taxonomy.NEEDS, code) for code in spec.needs]
        + [taxonomy.term_id(taxonomy.ACTIVITIES, code) for code in spec.activities]
    )
    if spec.at_location:
        ServiceAtLocation.objects.create(
            id=_id("service_at_location", key), service=service, location=location
        )
    days, opens, closes, description = spec.schedule
    Schedule.objects.create(
        id=_id("schedule", key),
        service=service,
        byday=days,
        opens_at=datetime.time.fromisoformat(opens),
        closes_at=datetime.time.fromisoformat(closes),
        description=description,
    )
    Contact.objects.create(
        id=_id("contact", key),
        phone_id=_id("phone", key),
        service=service,
        title=spec.contact_title,
        email=f"hello@{domain}",
        phone=phone,
    )
    for position, (option, amount, description) in enumerate(
        spec.costs or (("Everyone", None, "Free"),)
    ):
        CostOption.objects.create(
            id=_id("cost", key, str(position)),
            service=service,
            option=option,
            amount=Decimal(amount) if amount is not None else None,
            amount_description=description,
        )
    Language.objects.bulk_create(
        Language(id=_id("language", key, code), service=service, name=LANGUAGES[code], code=code)
        for code in spec.languages
    )
    ServiceArea.objects.create(id=_id("area", key), service=service, name=area)
    return service


def _record_checks(organisation, qa, index, today, *, by):
    """Checks done over the last eight months, each valid for a year, then the
    one kind (chosen by `index`) that makes the organisation expiring, lapsed or
    not assured."""
    if qa == UNCHECKED:
        return
    kinds = list(QualityCheck.Kind)
    odd_one = kinds[index % len(kinds)]
    year = datetime.timedelta(days=365)
    for position, kind in enumerate(kinds):
        checked_on = today - datetime.timedelta(days=20 + (index * 37 + position * 53) % 240)
        expires_on = checked_on + year
        if kind == odd_one and qa == KIND_MISSING:
            continue
        if kind == odd_one and qa == EXPIRING:
            expires_on = today + datetime.timedelta(days=3 + (index * 7) % 25)
            checked_on = expires_on - year
        if kind == odd_one and qa == LAPSED:
            expires_on = today - datetime.timedelta(days=2 + (index * 11) % 60)
            checked_on = expires_on - year
        if kind == odd_one and qa == ASSURED and index % 4 == 0:
            # Renewed in time: last year's check of this kind is history.
            _check(organisation, kind, checked_on - year, expires_on - year, by)
        _check(organisation, kind, checked_on, expires_on, by)


def _check(organisation, kind, checked_on, expires_on, by):
    services.record_check(
        organisation=organisation,
        kind=kind,
        evidence=EVIDENCE[kind],
        checked_on=checked_on,
        expires_on=expires_on,
        by=by,
    )


def _summary(created, today):
    slugs = [_id("organisation", demo.slug) for demo in ORGANISATIONS]
    statuses = list(
        Organisation.objects.filter(pk__in=slugs)
        .with_qa_status(today)
        .values_list("qa_status", flat=True)
    )
    counts = ", ".join(f"{statuses.count(status)} {status.label.lower()}" for status in QAStatus)
    total_services = Service.objects.filter(organisation__in=slugs).count()
    return (
        f"{len(statuses)} demo organisations with {total_services} services "
        f"({created} organisations created now); quality assurance: {counts}"
    )
