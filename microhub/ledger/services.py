"""Writing money: the one way rows enter the ledger, and the movements built on it.

`post` appends a group under the hub's chain head, which it locks first, so two writers to one hub chain one
after the other; a group whose source is there already is a repeat and writes nothing. Services flush, never
commit.
"""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from ..database import added_unless_taken
from ..errors import NotYet, ValidationFailed
from ..extensions import db
from ..hubs.models import Hub
from ..money import CURRENCIES, MAX_MINOR
from .chain import GENESIS, content, digest
from .models import MONEY_IN, Account, GroupKind, LedgerEntry, LedgerGroup, LedgerHead, LedgerMonthTotal
from .report_models import MonthReport

#: Most one line may move: far above any single payment (Stripe's ceiling) yet safe in every column and sum.
MAX_LINE = 1000 * MAX_MINOR


@dataclass(frozen=True)
class Line:
    account: Account
    amount_minor: int
    currency: str


class Unbalanced(ValidationFailed):
    """The lines of a group do not sum to zero per currency (or are not whole, non-zero amounts)."""


def check_lines(lines: list[Line]) -> None:
    sums: dict[str, int] = defaultdict(int)
    seen = set()
    for line in lines:
        if type(line.amount_minor) is not int or line.amount_minor == 0 or abs(line.amount_minor) > MAX_LINE:
            raise Unbalanced(f"{line.account.value}: an amount is a non-zero whole number of minor units.")
        if line.currency not in CURRENCIES:
            raise Unbalanced(f"{line.currency!r} is not a currency MicroHub keeps.")
        if (line.account, line.currency) in seen:
            raise Unbalanced(f"{line.account.value} appears twice in one movement.")
        seen.add((line.account, line.currency))
        sums[line.currency] += line.amount_minor
    if not lines or any(sums.values()):
        raise Unbalanced(f"A movement's entries sum to zero per currency, not {dict(sums)}.")


def month_of(hub: Hub, moment: datetime) -> date:
    """The first day of the month `moment` falls in, in the hub's time zone."""
    local = moment.astimezone(ZoneInfo(hub.timezone))
    return date(local.year, local.month, 1)


def _last_published(hub_id: int) -> date | None:
    return db.session.scalar(db.select(db.func.max(MonthReport.month)).where(MonthReport.hub_id == hub_id))


def _booked_month(hub: Hub, moment: datetime) -> tuple[date, bool]:
    """The month a movement counts in: its own, or the month after the last published one (an adjustment)."""
    month = month_of(hub, moment)
    last = _last_published(hub.id)
    if last is not None and month <= last:
        return (date(last.year + last.month // 12, last.month % 12 + 1, 1), True)
    return month, False


def _touch_head(hub_id: int) -> bool:
    # A no-op UPDATE takes the row's lock on PostgreSQL and the write lock on SQLite: appends to one hub queue here.
    touched = db.session.execute(db.update(LedgerHead).where(LedgerHead.hub_id == hub_id)
                                 .values(hash=LedgerHead.hash).execution_options(synchronize_session=False))
    return touched.rowcount == 1


def lock_chain(hub_id: int) -> LedgerHead:
    """The hub's chain head, locked until the transaction ends: appends (and a month's freezing) queue here."""
    if not _touch_head(hub_id):
        added_unless_taken(LedgerHead(hub_id=hub_id, seq=0, hash=GENESIS))
        _touch_head(hub_id)
    return db.session.get(LedgerHead, hub_id, populate_existing=True)


def existing(source_type: str, source_ref: str) -> LedgerGroup | None:
    return db.session.scalar(db.select(LedgerGroup).filter_by(source_type=source_type, source_ref=source_ref))


def post(hub: Hub, *, kind: GroupKind, source: tuple[str, str], lines: list[Line], occurred_at: datetime,
         actor: str, memo: str = "", charge_ref: str | None = None, details: dict | None = None,
         reason: str | None = None, reverses: LedgerGroup | None = None,
         changes_month: date | None = None) -> LedgerGroup | None:
    """Append one movement to `hub`'s ledger; None when `source` wrote one already (a repeated delivery).

    `changes_month`: the month a reversal or correction changes; when it is published, the movement is shown
    as an adjustment in the month it is booked in."""
    check_lines(lines)
    source_type, source_ref = source[0], str(source[1])[:255]
    if existing(source_type, source_ref) is not None:
        return None
    head = lock_chain(hub.id)
    if existing(source_type, source_ref) is not None:  # written while we waited for the lock
        return None
    occurred_at = occurred_at.astimezone(timezone.utc)  # hashed as stored: in UTC
    month, adjustment = _booked_month(hub, occurred_at)
    if changes_month is not None and not adjustment:
        last = _last_published(hub.id)
        adjustment = last is not None and changes_month <= last
    group = LedgerGroup(hub_id=hub.id, seq=head.seq + 1, kind=kind, source_type=source_type, source_ref=source_ref,
                        charge_ref=charge_ref, occurred_at=occurred_at, month=month, adjustment=adjustment,
                        memo=memo, reason=reason, reverses_id=reverses.id if reverses else None,
                        details=details or {}, actor=actor, prev_hash=head.hash)
    entries = [LedgerEntry(hub_id=hub.id, month=month, account=line.account, amount_minor=line.amount_minor,
                           currency=line.currency) for line in lines]
    group.hash = digest(head.hash, content(group, entries))
    group.entries = entries
    db.session.add(group)
    db.session.flush()
    head.seq, head.hash = group.seq, group.hash
    _add_to_totals(hub.id, month, lines)
    db.session.flush()
    return group


def _add_to_totals(hub_id: int, month: date, lines: list[Line]) -> None:
    """Keep the month's per-account sums beside the entries (the chain's lock is held: no one else adds here)."""
    for line in lines:
        key = (LedgerMonthTotal.hub_id == hub_id, LedgerMonthTotal.month == month,
               LedgerMonthTotal.account == line.account, LedgerMonthTotal.currency == line.currency)
        added = db.session.execute(db.update(LedgerMonthTotal).where(*key)
                                   .values(amount_minor=LedgerMonthTotal.amount_minor + line.amount_minor)
                                   .execution_options(synchronize_session=False))
        if added.rowcount == 0:
            db.session.add(LedgerMonthTotal(hub_id=hub_id, month=month, account=line.account,
                                            currency=line.currency, amount_minor=line.amount_minor))


def reverse(group: LedgerGroup, *, reason: str, actor: str, occurred_at: datetime) -> LedgerGroup | None:
    """Undo a movement exactly, dated now and with a reason; the original stays as it was."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationFailed("Say why this movement is reversed; the reason is public.", field="reason")
    lines = [Line(e.account, -e.amount_minor, e.currency) for e in group.entries]
    return post(db.session.get(Hub, group.hub_id), kind=GroupKind.REVERSAL, source=("reversal", str(group.id)),
                lines=lines, occurred_at=occurred_at, actor=actor, memo=f"Reversal of #{group.seq}",
                reason=reason, reverses=group, charge_ref=group.charge_ref, changes_month=group.month)


def correct(group: LedgerGroup, *, lines: list[Line], reason: str, actor: str,
            occurred_at: datetime) -> LedgerGroup:
    """A correction: the wrong movement reversed, then the right one written, both dated now with the reason; the
    original stays as it was. In a published month's stead they land in the running month, as adjustments."""
    check_lines(lines)
    if reverse(group, reason=reason, actor=actor, occurred_at=occurred_at) is None:
        raise ValidationFailed("This movement was corrected already; correct its correction instead.")
    return post(db.session.get(Hub, group.hub_id), kind=GroupKind.CORRECTION, source=("correction", str(group.id)),
                lines=lines, occurred_at=occurred_at, actor=actor, memo=group.memo, reason=reason.strip(),
                charge_ref=group.charge_ref, details={"corrects": group.seq}, changes_month=group.month)


def record_payment(hub: Hub, *, source: tuple[str, str], income: Account, gross: int, fee: int, currency: str,
                   occurred_at: datetime, charge_ref: str | None, details: dict, memo: str,
                   kind: GroupKind = GroupKind.PAYMENT, scholarship_share: int = 0) -> LedgerGroup | None:
    """Money in: the gross to its income account, the processor's fee to fees, the rest to the hub's balance.

    `scholarship_share`: the part of the gross a plan sends to the scholarship fund (income of the fund, not of
    `income`); never more than the gross."""
    if gross <= 0:
        return None  # nothing was paid (a zero invoice): nothing moved
    share = min(max(scholarship_share, 0), gross)
    lines = [Line(account, amount, currency) for account, amount in
             ((income, share - gross), (Account.SCHOLARSHIP_SHARES, -share), (Account.CASH, gross - fee),
              (Account.PROCESSOR_FEES, fee)) if amount]
    return post(hub, kind=kind, source=source, lines=lines, occurred_at=occurred_at, actor="stripe",
                memo=memo, charge_ref=charge_ref, details=details)


class PaymentNotRecorded(NotYet):
    """A refund or dispute names a charge whose payment is not in the ledger yet: the event is retried later."""


def record_refund(charge_ref: str, *, refunded_total: int, currency: str, occurred_at: datetime,
                  details: dict | None = None) -> LedgerGroup | None:
    """A charge's refunds, cumulative as Stripe reports them: only what is not in the ledger yet is written, so
    repeated and out-of-order `charge.refunded` deliveries add up to the true total once."""
    payment = db.session.scalar(db.select(LedgerGroup).where(LedgerGroup.charge_ref == charge_ref,
                                                             LedgerGroup.kind.in_(MONEY_IN)))
    if payment is None:
        raise PaymentNotRecorded(f"no payment for charge {charge_ref} in the ledger yet")
    hub = db.session.get(Hub, payment.hub_id)
    lock_chain(hub.id)  # the sum below and the new group are read and written under one lock
    refunded = db.session.scalar(
        db.select(db.func.coalesce(db.func.sum(LedgerEntry.amount_minor), 0)).join(LedgerEntry.group)
        .where(LedgerGroup.charge_ref == charge_ref, LedgerGroup.kind == GroupKind.REFUND,
               LedgerEntry.account == Account.REFUNDS, LedgerEntry.currency == currency))
    owed = refunded_total - int(refunded)  # PostgreSQL sums a BIGINT as NUMERIC
    if owed <= 0:
        return None
    lines = [Line(Account.REFUNDS, owed, currency), Line(Account.CASH, -owed, currency)]
    return post(hub, kind=GroupKind.REFUND, source=("refund", f"{charge_ref}:{refunded_total}"), lines=lines,
                occurred_at=occurred_at, actor="stripe", memo="Refund", charge_ref=charge_ref, details=details)
