"""Reconciliation: a month of a hub's ledger against the processor's balance transactions, to the minor unit."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

from ..billing.provider import gateway
from ..database import utcnow
from ..extensions import db
from ..hubs.models import Hub
from .models import MONEY_IN, GroupKind, LedgerGroup
from .report_models import Reconciliation

COMPARED = (*MONEY_IN, GroupKind.REFUND, GroupKind.DISPUTE)


def month_range(hub: Hub, month: date) -> tuple[datetime, datetime]:
    """The month's first and the next month's first moment in the hub's zone, as UTC."""
    zone = ZoneInfo(hub.timezone)
    following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
    return tuple(datetime.combine(day, time(), zone).astimezone(timezone.utc) for day in (month, following))


def _ledger_side(hub: Hub, start: datetime, end: datetime) -> dict[tuple, list[int]]:
    """(kind, ref) → [amount, fee, currency] as the processor would state them, from this month's movements."""
    found: dict[tuple, list] = {}
    groups = db.session.scalars(db.select(LedgerGroup).options(db.selectinload(LedgerGroup.entries)).where(
        LedgerGroup.hub_id == hub.id, LedgerGroup.kind.in_(COMPARED), LedgerGroup.charge_ref.is_not(None),
        LedgerGroup.occurred_at >= start, LedgerGroup.occurred_at < end))
    for group in groups:
        by = {e.account.value: e.amount_minor for e in group.entries}
        currency = group.entries[0].currency
        fee = by.get("spending.processor_fees", 0)
        if group.kind in MONEY_IN:
            key, amount = ("charge", group.charge_ref), -sum(v for k, v in by.items() if k.startswith("income."))
        elif group.kind is GroupKind.REFUND:
            key, amount = ("refund", group.charge_ref), -by.get("refunds", 0)
        else:
            key, amount = ("dispute", group.source_ref), -by.get("spending.disputes", 0)
        total = found.setdefault(key, [0, 0, currency])
        total[0] += amount
        total[1] += fee
    return found


def _processor_side(hub: Hub, start: datetime, end: datetime) -> dict[tuple, list]:
    ours = set(db.session.scalars(db.select(LedgerGroup.charge_ref).where(
        LedgerGroup.hub_id == hub.id, LedgerGroup.kind.in_(MONEY_IN))))
    found: dict[tuple, list] = {}
    for txn in gateway().balance_transactions(start, end):
        if txn.charge_ref not in ours:
            continue  # another hub's, or not MicroHub's at all
        key = ("dispute", txn.ref) if txn.kind == "dispute" else (txn.kind, txn.charge_ref)
        total = found.setdefault(key, [0, 0, txn.currency])
        total[0] += txn.amount
        total[1] += txn.fee
    return found


def reconcile(hub: Hub, month: date) -> Reconciliation:
    """Compare, store the outcome for the public page (how many differ, and which), and return it."""
    start, end = month_range(hub, month)
    ledger, processor = _ledger_side(hub, start, end), _processor_side(hub, start, end)
    differences = [{"ref": f"{kind} {ref}", "ledger": ledger.get((kind, ref)), "processor": processor.get((kind, ref))}
                   for kind, ref in sorted(set(ledger) | set(processor))
                   if ledger.get((kind, ref)) != processor.get((kind, ref))]
    row = db.session.scalar(db.select(Reconciliation).filter_by(hub_id=hub.id, month=month))
    if row is None:
        row = Reconciliation(hub_id=hub.id, month=month)
        db.session.add(row)
    row.checked_at, row.differences, row.details = utcnow(), len(differences), differences
    db.session.flush()
    return row
