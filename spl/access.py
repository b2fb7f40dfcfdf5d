"""Fetching one record for a user: 404 outside their PCNs, 403 without permission.

Out of scope is a 404 so that nobody learns whether a record exists in another
PCN; in scope but not allowed is a 403 so that colleagues understand why.
"""

from django.core.exceptions import PermissionDenied
from django.shortcuts import get_object_or_404


def get_visible_object_or_404(queryset, user, *, perm=None, **lookup):
    """The one way a view fetches a record: `perm` is a permission, or a tuple of
    permissions any one of which will do."""
    obj = get_object_or_404(queryset.visible_to(user), **lookup)
    if perm and not _has_any(user, perm):
        raise PermissionDenied
    return obj


def _has_any(user, perm):
    perms = (perm,) if isinstance(perm, str) else perm
    return any(user.has_perm(p) for p in perms)


def get_managed_object_or_404(queryset, user, *, perm, **lookup):
    """A record the user may change, for querysets that tell reading from changing
    (the directory: every member of staff reads it, a PCN's directory managers
    change their own part). The same ladder over `managed_by(user)`."""
    obj = get_object_or_404(queryset.managed_by(user), **lookup)
    if not user.has_perm(perm):
        raise PermissionDenied
    return obj
