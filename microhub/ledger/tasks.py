"""The ledger's periodic work (listed in `microhub.wiring.PERIODIC_TASKS`): reconcile recent months nightly."""
from __future__ import annotations

from datetime import date, timedelta
from zoneinfo import ZoneInfo

from ..database import utcnow
from ..extensions import db
from ..hubs.models import Hub
from .models import LedgerHead
from .reconcile import reconcile
from .report_models import Reconciliation

#: A month is reconciled again once its last check is this old: about nightly.
RECHECK_AFTER = timedelta(hours=20)
#: Most hub-months one tick reconciles (each asks the processor); the rest wait a minute.
BATCH = 10


def recent_months(hub: Hub) -> list[date]:
    """The hub's current month and the one before, in its own time zone."""
    today = utcnow().astimezone(ZoneInfo(hub.timezone)).date()
    first = today.replace(day=1)
    return [(first - timedelta(days=1)).replace(day=1), first]


def reconcile_recent() -> None:
    """Each hub with money in its ledger: the last two months, when not checked for a while."""
    due = utcnow() - RECHECK_AFTER
    checked = {(r.hub_id, r.month): r.checked_at for r in db.session.scalars(
        db.select(Reconciliation).where(Reconciliation.checked_at >= due))}
    hubs = db.session.scalars(db.select(Hub).join(LedgerHead, LedgerHead.hub_id == Hub.id).order_by(Hub.id))
    todo = [(hub, month) for hub in hubs for month in recent_months(hub) if (hub.id, month) not in checked]
    for hub, month in todo[:BATCH]:
        reconcile(hub, month)
        db.session.commit()
