"""Ledger tables: a movement of money is a group of entries, one per account, summing to zero per currency.

Both tables are append-only: the database itself refuses UPDATE and DELETE on them (triggers, see the
migration). A correction is a reversal group plus a new group, dated, with a reason. Each hub's groups form a
SHA-256 chain (`seq`, `prev_hash`, `hash`); `LedgerHead` is the one row per hub that is updated, and locked,
to append.
"""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class Account(str, enum.Enum):
    """Where money sits or comes from. Debits are positive, credits negative: income accounts carry
    negative balances, spending accounts positive ones, and CASH is what the hub holds."""

    CASH = "cash"
    MEMBERSHIP_INCOME = "income.membership"
    SPONSOR_INCOME = "income.sponsors"
    DONATIONS = "income.donations"
    #: Money given for scholarships: restricted, it may only pay for scholarship seats. With the plans' shares
    #: below, it is the scholarship fund; awards (SCHOLARSHIPS) draw on it.
    SCHOLARSHIP_FUND = "income.scholarship_fund"
    #: The fixed share of a plan's paid invoices that the plan sends to the scholarship fund (restricted too).
    SCHOLARSHIP_SHARES = "income.scholarship_shares"
    #: Money paid back to payers (a contra-income account: positive).
    REFUNDS = "refunds"
    PROCESSOR_FEES = "spending.processor_fees"
    DISPUTES = "spending.disputes"
    MODERATION = "spending.moderation"
    TOOLS = "spending.tools"
    EVENTS = "spending.events"
    SCHOLARSHIPS = "spending.scholarships"
    OTHER = "spending.other"

    @property
    def is_income(self) -> bool:
        return self.value.startswith("income.")

    @property
    def is_spending(self) -> bool:
        return self.value.startswith("spending.")

    @property
    def label(self) -> str:
        return ACCOUNT_LABELS[self]


ACCOUNT_LABELS = {
    Account.CASH: "Balance", Account.MEMBERSHIP_INCOME: "Memberships", Account.SPONSOR_INCOME: "Sponsors",
    Account.DONATIONS: "Donations", Account.SCHOLARSHIP_FUND: "Scholarship donations",
    Account.SCHOLARSHIP_SHARES: "Plans' share for scholarships", Account.REFUNDS: "Refunds",
    Account.PROCESSOR_FEES: "Payment processing fees", Account.DISPUTES: "Disputed payments",
    Account.MODERATION: "Moderation", Account.TOOLS: "Tools", Account.EVENTS: "Events",
    Account.SCHOLARSHIPS: "Scholarships", Account.OTHER: "Other",
}

#: The restricted accounts: what flows into the scholarship fund. Its balance is their income less SCHOLARSHIPS.
FUND_INCOME = (Account.SCHOLARSHIP_FUND, Account.SCHOLARSHIP_SHARES)

#: The public categories an organizer spends in (expenses and budgets).
SPENDING_CATEGORIES = (Account.MODERATION, Account.TOOLS, Account.EVENTS, Account.SCHOLARSHIPS, Account.OTHER)


class GroupKind(str, enum.Enum):
    PAYMENT = "payment"  # money in, less the processor's fee
    REFUND = "refund"
    DISPUTE = "dispute"
    EXPENSE = "expense"
    REVERSAL = "reversal"  # undoes another group exactly (a correction's first half)
    CORRECTION = "correction"  # the right figures, after a reversal
    OPENING = "opening"  # a balance brought in from before MicroHub
    DONATION = "donation"  # a one-time gift (to the scholarship fund), less the processor's fee
    AWARD = "award"  # a scholarship seat's value drawn from the fund as the membership it pays for


#: Movements of money in from a charge: what refunds, disputes and reconciliation find by the charge.
MONEY_IN = (GroupKind.PAYMENT, GroupKind.DONATION)


class LedgerGroup(db.Model):
    """One movement of money in one hub: its entries sum to zero per currency. Never changed, never deleted."""

    __tablename__ = "ledger_groups"
    __table_args__ = (
        # Fed exactly once: a repeated or out-of-order delivery names a source that is there already.
        UniqueConstraint("source_type", "source_ref", name="one_group_per_source"),
        UniqueConstraint("hub_id", "seq", name="one_group_per_place_in_chain"),
        Index("ix_ledger_groups_hub_month", "hub_id", "month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"))
    #: 1, 2, 3… per hub: the group's place in the hub's hash chain.
    seq: Mapped[int] = mapped_column(BigInteger)
    kind: Mapped[GroupKind] = mapped_column(value_enum(GroupKind, 12))
    #: What wrote it, unique together: ("invoice", "in_…"), ("refund", "ch_…:1500"), ("expense", "12")…
    source_type: Mapped[str] = mapped_column(String(30))
    source_ref: Mapped[str] = mapped_column(String(255))
    #: The processor's charge behind a payment, so refunds and disputes find the payment (and its hub).
    charge_ref: Mapped[str | None] = mapped_column(String(255), index=True)
    #: When the money moved.
    occurred_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The month (its first day, in the hub's time zone) whose report it counts in: the month it happened, or,
    #: when that month was published already, the first month still open (then `adjustment` is true).
    month: Mapped[date] = mapped_column(Date)
    adjustment: Mapped[bool] = mapped_column(default=False)
    #: Public words about the movement ("Moderator stipend, March"); never a member's name.
    memo: Mapped[str] = mapped_column(Text, default="")
    #: Why a reversal or correction was made, and the group it undoes.
    reason: Mapped[str | None] = mapped_column(Text)
    # No RESTRICT here: rows are never deleted (the triggers), and a plain foreign key lets a test empty the table.
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_groups.id"), unique=True)
    #: Figures the processor reported (balance transaction id, whether a fee was estimated…).
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    #: Who posted it: a user's e-mail, "stripe", "scheduler".
    actor: Mapped[str] = mapped_column(String(254))
    recorded_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: SHA-256 (hex) of the previous group's hash and this group's canonical content, entries included.
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)

    entries: Mapped[list[LedgerEntry]] = relationship(back_populates="group", order_by="LedgerEntry.id")


class LedgerEntry(db.Model):
    """One account's share of a group: a signed amount in integer minor units of one currency."""

    __tablename__ = "ledger_entries"
    __table_args__ = (
        CheckConstraint("amount_minor <> 0", name="amount_not_zero"),
        UniqueConstraint("group_id", "account", "currency", name="one_line_per_account"),
        Index("ix_ledger_entries_hub_month", "hub_id", "month", "account"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    group_id: Mapped[int] = mapped_column(ForeignKey("ledger_groups.id", ondelete="RESTRICT"), index=True)
    #: The group's hub and report month, repeated so a month's totals are one indexed GROUP BY.
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"))
    month: Mapped[date] = mapped_column(Date)
    account: Mapped[Account] = mapped_column(value_enum(Account, 30))
    #: Debit positive, credit negative; the entries of a group sum to zero per currency.
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))

    group: Mapped[LedgerGroup] = relationship(back_populates="entries")


class LedgerHead(db.Model):
    """The end of one hub's chain: updated (and so locked) by every append, so groups chain one after another."""

    __tablename__ = "ledger_heads"

    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), primary_key=True)
    seq: Mapped[int] = mapped_column(BigInteger, default=0)
    hash: Mapped[str] = mapped_column(String(64))


class LedgerMonthTotal(db.Model):
    """Per hub, month, account and currency: the sum of its entries, kept by `services.post` as it appends (under
    the chain's lock), so a month's report reads a handful of rows however many movements it holds. Derived, not
    the record: `chain.verify` checks it against the entries."""

    __tablename__ = "ledger_month_totals"

    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="RESTRICT"), primary_key=True)
    month: Mapped[date] = mapped_column(Date, primary_key=True)
    account: Mapped[Account] = mapped_column(value_enum(Account, 30), primary_key=True)
    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger, default=0)
