"""The social prescribing taxonomy SPL seeds: need categories that match the
referral reasons (so a "finance" referral finds debt advice) and activity types.

Codes are stable; ids are derived from them (uuid5), so every installation
publishes the same term ids in the ORUK API.
"""

import uuid

NAMESPACE = uuid.UUID("6f1c1f4e-2f43-4a55-9d7a-5c1b2b6e0f10")

NEEDS = {
    "name": "Social prescribing needs",
    "description": "What a person wants help with: the reasons for a social prescribing referral",
    "terms": [
        ("loneliness", "Loneliness and isolation", "Feeling alone or cut off from others"),
        ("mental_wellbeing", "Low mood and mental wellbeing", "Feeling low, anxious or stressed"),
        (
            "long_term_condition",
            "Long-term condition support",
            "Living well with a long-term health condition",
        ),
        ("physical_activity", "Physical activity", "Becoming more active"),
        ("weight", "Weight management", "Eating well and managing weight"),
        ("finance", "Finance, debt and benefits", "Money worries, debt advice and benefits"),
        ("housing", "Housing", "Housing problems, repairs and homelessness"),
        ("employment", "Employment and volunteering", "Finding work, training or volunteering"),
        ("carer", "Carer support", "Support for people who care for someone"),
        ("bereavement", "Bereavement", "Support after someone has died"),
    ],
}
ACTIVITIES = {
    "name": "Social prescribing activities",
    "description": "The kind of activity or support a service offers",
    "terms": [
        ("arts", "Arts and crafts", "Art, music, drama, writing and crafts"),
        ("gardening", "Gardening and nature", "Community gardens, allotments and green spaces"),
        ("physical_activity", "Physical activity", "Walking groups, exercise classes and sport"),
        ("befriending", "Befriending", "Regular contact with a volunteer befriender"),
        ("peer_support", "Peer support", "Groups of people with shared experience"),
        ("advice", "Advice", "Information and advice, for example on money or housing"),
        ("learning", "Learning", "Courses and skills"),
        ("volunteering", "Volunteering", "Opportunities to volunteer"),
        ("social_groups", "Social groups", "Lunch clubs, coffee mornings and community groups"),
        ("talking_therapy", "Talking and listening", "Counselling and listening services"),
    ],
}
TAXONOMIES = (NEEDS, ACTIVITIES)


def taxonomy_id(taxonomy):
    return uuid.uuid5(NAMESPACE, taxonomy["name"])


def term_id(taxonomy, code):
    return uuid.uuid5(NAMESPACE, f"{taxonomy['name']}/{code}")


def seed_taxonomies(Taxonomy, TaxonomyTerm):
    """Create or update the taxonomies and their terms (idempotent)."""
    for taxonomy in TAXONOMIES:
        row, _ = Taxonomy.objects.update_or_create(
            id=taxonomy_id(taxonomy),
            defaults={"name": taxonomy["name"], "description": taxonomy["description"]},
        )
        for code, name, description in taxonomy["terms"]:
            TaxonomyTerm.objects.update_or_create(
                id=term_id(taxonomy, code),
                defaults={"taxonomy": row, "code": code, "name": name, "description": description},
            )
