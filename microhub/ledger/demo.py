"""Twelve months of believable money for the demo hub: dues and their fees, a refund, paid expenses, budgets."""
from __future__ import annotations

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from ..billing.fees import standard_fee
from ..billing.local import LocalObject
from ..database import added_unless_taken, utcnow
from ..extensions import db
from .expense_models import Budget, Expense, ExpenseStatus
from .models import Account, GroupKind, LedgerGroup
from .publishing import publish_month
from .report_models import MonthReport
from .services import Line, post, record_payment, record_refund

#: Monthly budgets, in cents, from the first demo month on.
BUDGETS = {Account.TOOLS: 2500, Account.MODERATION: 5000, Account.EVENTS: 6000, Account.SCHOLARSHIPS: 900,
           Account.OTHER: 1500}
#: (category, cents, payee, what for, from the n-th month on, every how many months)
EXPENSES = [
    (Account.TOOLS, 1900, "Forum host", "Forum hosting and backups", 0, 1),
    (Account.TOOLS, 1200, "Registrar", "Domain name for the year", 1, 12),
    (Account.MODERATION, 4000, "Moderator stipend", "Moderator stipend: threads and the code of conduct", 2, 1),
    (Account.EVENTS, 5500, "Venue", "Room for the last-Friday show and tell", 3, 3),
    (Account.OTHER, 2400, "Print shop", "Stickers for the first meetup", 4, 12),
]


#: What the organizers wrote with some of the reports (by month, oldest first).
NOTES = {0: "Our first month with a public report: dues in, hosting out.",
         2: "A moderator stipend starts this month, as the members voted.",
         5: "One refund: a member who left in their first week.",
         9: "The show and tell room is now booked every quarter."}


def _months(today: date) -> list[date]:
    first = date(today.year, today.month, 1)
    return [date(first.year - (first.month - 1 - back < 0), (first.month - 1 - back) % 12 + 1, 1)
            for back in range(11, -1, -1)]


def _at(hub, month: date, day: int, hour: int = 10) -> datetime | None:
    moment = datetime.combine(month.replace(day=day), time(hour), ZoneInfo(hub.timezone))
    return moment if moment <= utcnow() else None


def load_money(hub, organizer, *, before_publishing=None, supporter_share: int = 0) -> None:
    """Idempotent: every movement has a demo source, written once; expenses and budgets are made once.

    `before_publishing(months)` adds other domains' history (donations) before the closed months are frozen;
    `supporter_share`: what each Supporter payment sends to the scholarship fund."""
    today = utcnow().astimezone(ZoneInfo(hub.timezone)).date()
    months = _months(today)
    if db.session.scalar(db.select(Budget.id).filter_by(hub_id=hub.id).limit(1)) is None:
        db.session.add_all(Budget(hub_id=hub.id, category=c, month=months[0], amount_minor=a)
                           for c, a in BUDGETS.items())
    for n, month in enumerate(months):
        _dues(hub, month, n, supporter_share)
    if before_publishing is not None:
        before_publishing(months)
    if db.session.scalar(db.select(Expense.id).filter_by(hub_id=hub.id).limit(1)) is None:
        for n, month in enumerate(months):
            _expenses(hub, organizer, month, n)
    db.session.flush()
    published = set(db.session.scalars(db.select(MonthReport.month).filter_by(hub_id=hub.id)))
    for month in months[:-1]:  # every closed month is out in the open; the running one is not final
        if month not in published:
            publish_month(hub, month, note=NOTES.get(months.index(month), ""), user_id=organizer.id)


def _dues(hub, month: date, n: int, supporter_share: int) -> None:
    """Members paying 9.00 a month (a few more each month) and, now and then, a Supporter's 120.00 a year."""
    payers = 4 + n
    for k in range(payers):
        _pay(hub, month, day=1 + (k * 3) % 27, gross=900, ref=f"{month:%Y-%m}-m{k}")
    if n % 4 == 1:
        _pay(hub, month, day=12, gross=12000, ref=f"{month:%Y-%m}-supporter", share=supporter_share)
    if n == 5:  # a member who left in their first week was refunded
        charge = f"ch_demo_{month:%Y-%m}-m1"
        refunded_at = _at(hub, month, 20)
        local = db.session.get(LocalObject, charge)
        paid = db.session.scalar(db.select(LedgerGroup.id).filter_by(charge_ref=charge))
        if refunded_at and local is not None and paid is not None:
            local.data = {**local.data, "refunded": True, "amount_refunded": 900,
                          "refunded_at": int(refunded_at.timestamp())}
            record_refund(charge, refunded_total=900, currency=hub.currency, occurred_at=refunded_at)


def _pay(hub, month: date, *, day: int, gross: int, ref: str, share: int = 0) -> None:
    when = _at(hub, month, day)
    if when is None:
        return
    # The test mode's processor saw the same charge, so reconciliation finds the demo's books in order.
    added_unless_taken(LocalObject(id=f"ch_demo_{ref}", kind="charge", data={
        "id": f"ch_demo_{ref}", "object": "charge", "amount": gross, "currency": hub.currency.lower(), "paid": True,
        "refunded": False, "amount_refunded": 0, "created": int(when.timestamp())}))
    record_payment(hub, source=("demo-invoice", ref), income=Account.MEMBERSHIP_INCOME, gross=gross,
                   fee=standard_fee(gross, hub.currency), currency=hub.currency, occurred_at=when,
                   charge_ref=f"ch_demo_{ref}", details={"fee_estimated": True, "demo": True},
                   memo="Membership payment", scholarship_share=share)


def _expenses(hub, organizer, month: date, n: int) -> None:
    for category, amount, payee, description, start, every in EXPENSES:
        when = _at(hub, month, 25, 15)
        if when is None or n < start or (n - start) % every:
            continue
        expense = Expense(hub_id=hub.id, amount_minor=amount, currency=hub.currency, category=category,
                          spent_on=when.date(), payee=payee, description=description, status=ExpenseStatus.PAID,
                          created_by_id=organizer.id, submitted_at=when, decided_at=when, paid_at=when)
        db.session.add(expense)
        db.session.flush()
        group = post(hub, kind=GroupKind.EXPENSE, source=("expense", str(expense.id)), occurred_at=when,
                     actor=organizer.email, memo=description,
                     lines=[Line(category, amount, hub.currency), Line(Account.CASH, -amount, hub.currency)])
        expense.ledger_group_id = group.id
