"""Ledger rows for report tests, written the one way the app writes them (`ledger.services`)."""
from __future__ import annotations

from datetime import date, datetime, timezone

from microhub.extensions import db
from microhub.ledger.models import Account, GroupKind, LedgerEntry
from microhub.ledger.services import Line, post, record_payment


def at(year: int, month: int, day: int, hour: int = 12) -> datetime:
    return datetime(year, month, day, hour, tzinfo=timezone.utc)


def pay(hub, ref: str, when: datetime, gross: int = 900, fee: int = 38, income: Account = Account.MEMBERSHIP_INCOME):
    group = record_payment(hub, source=("invoice", ref), income=income, gross=gross, fee=fee, currency=hub.currency,
                           occurred_at=when, charge_ref=f"ch_{ref}", details={}, memo="Membership payment")
    db.session.commit()
    return group


def spend(hub, ref: str, when: datetime, amount: int, category: Account = Account.TOOLS, memo: str = "Video tool"):
    group = post(hub, kind=GroupKind.EXPENSE, source=("expense", ref), occurred_at=when, actor="organizer@example.org",
                 lines=[Line(category, amount, hub.currency), Line(Account.CASH, -amount, hub.currency)], memo=memo)
    db.session.commit()
    return group


def refund(hub, ref: str, when: datetime, amount: int):
    group = post(hub, kind=GroupKind.REFUND, source=("refund", ref), occurred_at=when, actor="stripe", memo="Refund",
                 lines=[Line(Account.REFUNDS, amount, hub.currency), Line(Account.CASH, -amount, hub.currency)])
    db.session.commit()
    return group


def cash_through(hub, month: date) -> int:
    """The hub's balance at the end of `month`, summed straight from the entries."""
    return db.session.scalar(db.select(db.func.coalesce(db.func.sum(LedgerEntry.amount_minor), 0)).where(
        LedgerEntry.hub_id == hub.id, LedgerEntry.account == Account.CASH, LedgerEntry.month <= month))


def three_months(hub) -> None:
    """January: two payments; February: a refund and two expenses; March: a payment and a sponsor."""
    pay(hub, "jan-1", at(2026, 1, 5))
    pay(hub, "jan-2", at(2026, 1, 20), gross=1500, fee=50)
    refund(hub, "feb-r", at(2026, 2, 2), 900)
    spend(hub, "feb-1", at(2026, 2, 10), 300)
    spend(hub, "feb-2", at(2026, 2, 11), 200, Account.MODERATION, "Moderator stipend")
    pay(hub, "mar-1", at(2026, 3, 3))
    pay(hub, "mar-2", at(2026, 3, 4), gross=5000, fee=0, income=Account.SPONSOR_INCOME)
