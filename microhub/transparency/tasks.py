"""Transparency's periodic work (listed in `microhub.wiring.PERIODIC_TASKS`): reminders to publish a month."""
from __future__ import annotations

from ..database import utcnow
from ..extensions import db
from ..ledger.publishing import overdue
from .publishing import remind_organizers


def remind_unpublished_months() -> None:
    """Each closed month still unpublished 15 days after it ended reminds its hub's organizers, once.

    The reminder row is won first (a unique insert), so two ticks at once send it once.
    """
    for hub_id, month in overdue(utcnow()):
        remind_organizers(hub_id, month)
        db.session.commit()
