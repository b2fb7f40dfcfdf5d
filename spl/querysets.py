"""Access scoping: the one way views reach records.

Every model that holds PCN data has a queryset with `visible_to(user)` and names
the path from itself to its PCN in `pcn_path` (`"pcn"` for a practice,
`"registered_practice__pcn"` for a patient). A user sees the rows of the PCNs
they are a member of, and nothing when logged out or deactivated.

Models that belong to a practice (patients and what hangs off them, and
practices themselves) also name `practice_path`. For those, a membership that
names a practice (a GP, a practice manager) shows that practice's rows only;
a membership without one shows every practice of its PCN. Models without a
`practice_path` (the directory) are shared by the whole PCN.

    practice = get_visible_object_or_404(
        Practice.objects.all(), request.user, pk=pk, perm="spl.change_practice"
    )
"""

from django.apps import apps
from django.db import connection, models

from spl.sql import table_names


class PCNScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        practice_path = getattr(self.model, "practice_path", None)
        if practice_path is None:
            return self.filter(**{f"{self.model.pcn_path}__in": visible_pcns(user)})
        return self.filter(**{f"{practice_path}__in": visible_practices(user)})


# What a user sees is read once for each user object, as Django keeps a user's
# permissions on it: the user of a request is loaded for that request. Then
# each scoped query names its few practices or PCNs, where a subquery of the
# memberships made PostgreSQL plan a join more for every query of the page
# (planning the case page's one record took 3 ms of its 4) and guess how many
# rows the scope holds (docs/benchmarks.md, issue 12).


def visible_practices(user):
    """The ids of the practices `user` sees: every practice of the PCNs of
    their whole-PCN memberships, and those their other memberships name."""
    if not hasattr(user, "_visible_practices"):
        with connection.cursor() as cursor:
            cursor.execute(_visible_practices_sql(), [user.pk, user.pk])
            user._visible_practices = sorted(practice for (practice,) in cursor.fetchall())
    return user._visible_practices


# SQL written here, as spl.backends reads permissions: built by the ORM (a
# UNION of two querysets, one with a subquery) it took Django 1 ms to compile
# on every page, longer than PostgreSQL took to run it.
VISIBLE_PRACTICES = """
SELECT practice.id FROM {practice} practice
JOIN {membership} whole ON whole.pcn_id = practice.pcn_id AND whole.practice_id IS NULL
WHERE whole.user_id = %s
UNION
SELECT named.practice_id FROM {membership} named
WHERE named.user_id = %s AND named.practice_id IS NOT NULL
"""


def _visible_practices_sql():
    return VISIBLE_PRACTICES.format(
        **table_names(practice="spl.Practice", membership="spl.Membership")
    )


def visible_pcns(user):
    """The ids of the PCNs `user` is a member of."""
    if not hasattr(user, "_visible_pcns"):
        memberships = apps.get_model("spl", "Membership").objects.filter(user=user)
        user._visible_pcns = sorted(set(memberships.values_list("pcn_id", flat=True)))
    return user._visible_pcns


class PracticeQuerySet(PCNScopedQuerySet):
    def for_list(self):
        return self.select_related("pcn").order_by("pcn__name", "name")

    def matching(self, text):
        """Practices a person may mean by `text`: a word of the name, the town,
        the start of the postcode or the ODS code. Every word must match."""
        # Typed text, not yet validated: no NUL (PostgreSQL refuses it in a
        # pattern) and words no longer than a name (SQLite refuses long patterns).
        words = [word[:50] for word in text.replace("\x00", "").split()[:5]]
        if not words:
            return self.none()
        compact = "".join(words).upper()
        by_postcode = models.Q(postcode__istartswith=" ".join(words)) | models.Q(ods_code=compact)
        by_words = models.Q()
        for word in words:
            by_words &= models.Q(name__icontains=word) | models.Q(town__icontains=word)
        return self.filter(by_words | by_postcode).order_by("name", "pk")
