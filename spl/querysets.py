"""Access scoping: the one way views reach records.

Every model that holds PCN data has a queryset with `visible_to(user)` and names
the path from itself to its PCN in `pcn_path` (`"pcn"` for a practice,
`"registered_practice__pcn"` for a patient). A user sees the rows of the PCNs
they are a member of, and nothing when logged out or deactivated.

    practice = get_visible_object_or_404(
        Practice.objects.all(), request.user, pk=pk, perm="spl.change_practice"
    )
"""

from django.db import models


class PCNScopedQuerySet(models.QuerySet):
    def visible_to(self, user):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        from spl.models import Membership

        pcn_ids = Membership.objects.filter(user=user).values("pcn_id")
        return self.filter(**{f"{self.model.pcn_path}__in": pcn_ids})


class PracticeQuerySet(PCNScopedQuerySet):
    def for_list(self):
        return self.select_related("pcn").order_by("pcn__name", "name")
