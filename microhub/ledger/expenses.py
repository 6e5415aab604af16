"""Expense rules: drafts with receipts, one transition function, approvals by one or two organizers, paying once."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from .. import audit
from ..database import added_unless_taken, utcnow
from ..errors import Conflict, NotAllowed, ValidationFailed
from ..extensions import db
from ..forms import one_line
from ..hubs.access import found_in_hub
from ..hubs.models import Hub, HubRole, Role
from ..money import to_minor
from . import receipts
from .expense_models import Expense, ExpenseApproval, ExpenseStatus as S, MoneySettings
from .models import SPENDING_CATEGORIES, Account, GroupKind, LedgerGroup
from .services import Line, existing, post
from .services import correct as corrected

#: The moves an expense may make; rejected and paid are final.
ALLOWED = {
    S.DRAFT: frozenset({S.SUBMITTED}),
    S.SUBMITTED: frozenset({S.APPROVED, S.REJECTED}),
    S.APPROVED: frozenset({S.PAID, S.REJECTED}),
    S.PAID: frozenset(),
    S.REJECTED: frozenset(),
}
#: How far back an expense's date may be, and how far ahead (a booked event, a renewal next week).
OLDEST, FURTHEST_AHEAD = timedelta(days=365), timedelta(days=7)
MISSING = "There is no such expense in this hub."


class IllegalMove(Conflict):
    """An expense was asked to move where its state does not lead (pay a draft, approve a paid one…)."""


@dataclass(frozen=True)
class ExpenseInfo:
    """What an organizer types in: text as sent, the date as parsed by the form."""

    amount: str
    currency: str
    category: str
    spent_on: date | None
    payee: str
    description: str


def today_in(hub: Hub) -> date:
    return utcnow().astimezone(ZoneInfo(hub.timezone)).date()


def _checked(hub: Hub, info: ExpenseInfo) -> dict:
    """The columns `info` gives, or ValidationFailed naming the field at fault."""
    if (info.currency or "").strip().upper() != hub.currency:
        raise ValidationFailed(f"Expenses are recorded in the hub's currency, {hub.currency}.", field="currency")
    amount = to_minor(info.amount, hub.currency)
    if amount == 0:
        raise ValidationFailed("An expense is more than nothing.", field="amount")
    if info.category not in {c.value for c in SPENDING_CATEGORIES}:
        raise ValidationFailed("Choose one of the spending categories.", field="category")
    today = today_in(hub)
    if info.spent_on is None or not today - OLDEST <= info.spent_on <= today + FURTHEST_AHEAD:
        raise ValidationFailed("Use a date within the last year and at most a week from today.", field="spent_on")
    payee, description = (info.payee or "").strip(), (info.description or "").strip()
    if not payee or len(payee) > 120 or not one_line(payee):
        raise ValidationFailed("Name who was paid, in one line of up to 120 characters.", field="payee")
    if not description or len(description) > 2000:
        raise ValidationFailed("Say what the money paid for (it is public), in up to 2,000 characters.",
                               field="description")
    return dict(amount_minor=amount, currency=hub.currency, category=Account(info.category), spent_on=info.spent_on,
                payee=payee, description=description)


def _attach(expense: Expense, receipt: receipts.Receipt | None) -> None:
    # Written last, once the row is flushed: a refused form leaves no file behind, a rolled-back one removes it.
    if receipt is not None:
        receipts.replaced(expense.receipt_file)
        expense.receipt_file = receipts.store(receipt)
        expense.receipt_type, expense.receipt_name = receipt.mimetype, receipt.name


def create_draft(hub: Hub, info: ExpenseInfo, *, upload=None, actor) -> Expense:
    """A new draft expense; `upload` is the receipt as sent (a FileStorage) or None."""
    values = _checked(hub, info)
    receipt = receipts.checked(upload)
    expense = Expense(hub_id=hub.id, created_by_id=actor.id, status=S.DRAFT, **values)
    db.session.add(expense)
    db.session.flush()
    _attach(expense, receipt)
    audit.record("expense.draft", expense, actor=actor, amount_minor=expense.amount_minor,
                 currency=expense.currency, category=expense.category.value)
    return expense


def update_draft(hub: Hub, expense_id: int, info: ExpenseInfo, *, upload=None, actor) -> Expense:
    """Change a draft (a submitted expense is what approvers saw, so it no longer changes)."""
    expense = found_in_hub(Expense, expense_id, MISSING, lock=True, hub_id=hub.id)
    if expense.status is not S.DRAFT:
        raise IllegalMove(f"Only a draft can be changed; this expense is {expense.status.value}.")
    values = _checked(hub, info)
    receipt = receipts.checked(upload)
    before = {"amount_minor": expense.amount_minor, "category": expense.category.value}
    for name, value in values.items():
        setattr(expense, name, value)
    db.session.flush()
    _attach(expense, receipt)
    audit.record("expense.edited", expense, actor=actor, before=before, amount_minor=expense.amount_minor,
                 category=expense.category.value, new_receipt=receipt is not None)
    return expense


def transition(expense: Expense, to: S, *, actor, **details) -> None:
    """The one way an expense changes state: refuses illegal moves, stamps the time, writes the audit entry."""
    before = expense.status
    if to not in ALLOWED[before]:
        raise IllegalMove(f"A {before.value} expense cannot be {to.value}; nothing changed.")
    now = utcnow()
    expense.status = to
    if to is S.SUBMITTED:
        expense.submitted_at = now
    elif to in (S.APPROVED, S.REJECTED):
        expense.decided_at = now
    elif to is S.PAID:
        expense.paid_at = now
    db.session.flush()
    audit.record(f"expense.{to.value}", expense, actor=actor, previous=before.value, **details)


def submit(hub: Hub, expense_id: int, *, actor) -> Expense:
    expense = found_in_hub(Expense, expense_id, MISSING, lock=True, hub_id=hub.id)
    transition(expense, S.SUBMITTED, actor=actor)
    return expense


def organizer_count(hub_id: int) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(HubRole)
                             .filter_by(hub_id=hub_id, role=Role.ORGANIZER))


def approvals_needed(hub: Hub, expense: Expense) -> int:
    """Two different organizers above the hub's threshold when it has two or more; otherwise one."""
    threshold = two_approvals_above(hub.id)
    if threshold is not None and expense.amount_minor > threshold and organizer_count(hub.id) >= 2:
        return 2
    return 1


def approve(hub: Hub, expense_id: int, *, actor) -> Expense:
    """Add `actor`'s approval; the expense is approved once enough different organizers have approved it."""
    expense = found_in_hub(Expense, expense_id, MISSING, lock=True, hub_id=hub.id)
    if expense.status is not S.SUBMITTED:
        raise IllegalMove(f"Only a submitted expense can be approved; this one is {expense.status.value}.")
    if db.session.scalar(db.select(HubRole.id).filter_by(hub_id=hub.id, user_id=actor.id, role=Role.ORGANIZER)) is None:
        raise NotAllowed("Only the hub's organizers approve expenses.")
    if not added_unless_taken(ExpenseApproval(expense_id=expense.id, user_id=actor.id)):
        raise ValidationFailed("You approved this expense already: it needs another organizer's approval.")
    given = db.session.scalar(db.select(db.func.count()).select_from(ExpenseApproval)
                              .filter_by(expense_id=expense.id))
    needed = approvals_needed(hub, expense)
    if given >= needed:
        transition(expense, S.APPROVED, actor=actor, approvals=given)
    else:
        audit.record("expense.approval", expense, actor=actor, approvals=given, needed=needed)
    return expense


def reject(hub: Hub, expense_id: int, *, reason: str, actor) -> Expense:
    reason = (reason or "").strip()
    if not reason or len(reason) > 1000:
        raise ValidationFailed("Say why the expense is rejected, in up to 1,000 characters.", field="reason")
    expense = found_in_hub(Expense, expense_id, MISSING, lock=True, hub_id=hub.id)
    transition(expense, S.REJECTED, actor=actor, reason=reason)
    expense.rejected_reason = reason
    return expense


def occurred_at(hub: Hub, spent_on: date) -> datetime:
    """Noon of the day it was spent, in the hub's zone: the moment the ledger records (stored in UTC)."""
    return datetime.combine(spent_on, time(12), tzinfo=ZoneInfo(hub.timezone)).astimezone(ZoneInfo("UTC"))


def pay(hub: Hub, expense_id: int, *, actor) -> Expense:
    """Pay an approved expense: its ledger group is written once, however often this is sent."""
    expense = found_in_hub(Expense, expense_id, MISSING, lock=True, hub_id=hub.id)
    if expense.status is not S.APPROVED:
        raise IllegalMove(f"Only an approved expense can be paid; this one is {expense.status.value}.")
    source = ("expense", str(expense.id))
    amount, currency = expense.amount_minor, expense.currency
    group = post(hub, kind=GroupKind.EXPENSE, source=source, occurred_at=occurred_at(hub, expense.spent_on),
                 lines=[Line(expense.category, amount, currency), Line(Account.CASH, -amount, currency)],
                 actor=actor.email, memo=expense.description) or existing(*source)
    expense.ledger_group_id = group.id
    transition(expense, S.PAID, actor=actor, ledger_group_id=group.id)
    return expense


def correct(hub: Hub, expense_id: int, *, amount: str, category: str, reason: str, actor) -> Expense:
    """Fix a paid expense's amount or category: the ledger keeps the first figures, their reversal and the right
    ones (a correction, never an edit); the expense shows the right figures from now on."""
    expense = found_in_hub(Expense, expense_id, MISSING, lock=True, hub_id=hub.id)
    if expense.status is not S.PAID or expense.ledger_group_id is None:
        raise IllegalMove("Only a paid expense is corrected; change a draft instead.")
    new_amount = to_minor(amount, hub.currency)
    if new_amount == 0 or category not in {c.value for c in SPENDING_CATEGORIES}:
        raise ValidationFailed("Give the right amount (more than nothing) and one of the spending categories.",
                               field="amount")
    reason = (reason or "").strip()
    if not reason or len(reason) > 500 or not one_line(reason):
        raise ValidationFailed("Say why, in one line (it is public with the correction).", field="reason")
    before = {"amount_minor": expense.amount_minor, "category": expense.category.value}
    group = db.session.get(LedgerGroup, expense.ledger_group_id)
    fixed = corrected(group, lines=[Line(Account(category), new_amount, expense.currency),
                                    Line(Account.CASH, -new_amount, expense.currency)],
                      reason=reason, actor=actor.email, occurred_at=utcnow())
    expense.amount_minor, expense.category, expense.ledger_group_id = new_amount, Account(category), fixed.id
    db.session.flush()
    audit.record("expense.corrected", expense, actor=actor, before=before, amount_minor=new_amount,
                 category=category, reason=reason, ledger_group_id=fixed.id)
    return expense


def hub_expenses(hub_id: int) -> dict[S, list[Expense]]:
    """Every expense of the hub by state (in the order the states come), newest first within each."""
    found: dict[S, list[Expense]] = {status: [] for status in S}
    rows = db.session.scalars(db.select(Expense).filter_by(hub_id=hub_id)
                              .options(db.selectinload(Expense.approvals))
                              .order_by(Expense.spent_on.desc(), Expense.id.desc()))
    for expense in rows:
        found[expense.status].append(expense)
    return found


def two_approvals_above(hub_id: int) -> int | None:
    """The hub's threshold in minor units; None: one approval is enough."""
    settings = db.session.get(MoneySettings, hub_id)
    return settings.two_approvals_above if settings else None


def save_settings(hub: Hub, *, two_approvals_above: str, actor) -> MoneySettings:
    """Set the threshold above which expenses need two organizers; empty text removes it."""
    text = (two_approvals_above or "").strip()
    try:
        threshold = to_minor(text, hub.currency) if text else None
    except ValidationFailed as error:
        raise ValidationFailed(error.message, field="two_approvals_above")
    settings = db.session.get(MoneySettings, hub.id, with_for_update=True)
    if settings is None:  # the hub's first save; a simultaneous one may win the insert, then change its row
        added_unless_taken(MoneySettings(hub_id=hub.id))
        settings = db.session.get(MoneySettings, hub.id, with_for_update=True, populate_existing=True)
    before = settings.two_approvals_above
    settings.two_approvals_above = threshold
    db.session.flush()
    audit.record("money.settings", settings, actor=actor, hub_id=hub.id, before=before, two_approvals_above=threshold)
    return settings
