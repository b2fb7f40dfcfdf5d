import logging
from importlib import import_module

from django.conf import settings
from django.db import transaction

from spl import audit

logger = logging.getLogger(__name__)


def clear_expired_sessions() -> None:
    """Delete sessions past their expiry date (the database session store keeps them)."""
    engine = import_module(settings.SESSION_ENGINE)
    engine.SessionStore.clear_expired()
    logger.info("Cleared expired sessions")


@transaction.atomic
def set_list_size(*, practice, list_size, by):
    """Record a practice's registered list size, and who changed it."""
    practice.list_size = list_size
    practice.save(update_fields=["list_size"])
    audit.record(by, audit.UPDATE, practice)
    logger.info("Practice %s updated by user %s", practice.pk, by.pk)
    return practice
