"""What organizers record: expenses with their receipts and approvals, monthly budgets, and the money settings."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import BigInteger, CheckConstraint, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db
from .models import Account


class ExpenseStatus(str, enum.Enum):
    DRAFT = "draft"
    SUBMITTED = "submitted"
    APPROVED = "approved"
    PAID = "paid"  # its ledger group is written
    REJECTED = "rejected"


class Expense(db.Model):
    """Money a hub spends: recorded, submitted, approved (by two people above the hub's threshold), then paid."""

    __tablename__ = "expenses"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="amount_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    #: Always the hub's currency.
    currency: Mapped[str] = mapped_column(String(3))
    #: One of the public spending categories (`models.SPENDING_CATEGORIES`).
    category: Mapped[Account] = mapped_column(value_enum(Account, 30))
    spent_on: Mapped[date] = mapped_column(Date)
    payee: Mapped[str] = mapped_column(String(120))
    #: Shown in the public report.
    description: Mapped[str] = mapped_column(Text)
    #: The receipt's random file name under instance/receipts/, its checked type, and the name it was sent
    #: with (for the download); organizers only.
    receipt_file: Mapped[str | None] = mapped_column(String(64))
    receipt_type: Mapped[str | None] = mapped_column(String(40))
    receipt_name: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[ExpenseStatus] = mapped_column(value_enum(ExpenseStatus, 12), default=ExpenseStatus.DRAFT)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    rejected_reason: Mapped[str | None] = mapped_column(Text)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The ledger group paying it wrote.
    ledger_group_id: Mapped[int | None] = mapped_column(ForeignKey("ledger_groups.id", ondelete="RESTRICT"))

    approvals: Mapped[list[ExpenseApproval]] = relationship(back_populates="expense", order_by="ExpenseApproval.id")


class ExpenseApproval(db.Model):
    """One organizer's approval of one expense; two different people where the hub asks for two."""

    __tablename__ = "expense_approvals"
    __table_args__ = (UniqueConstraint("expense_id", "user_id", name="one_approval_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    expense_id: Mapped[int] = mapped_column(ForeignKey("expenses.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    expense: Mapped[Expense] = relationship(back_populates="approvals")


class Budget(db.Model):
    """A monthly budget for one spending category, from `month` on (until a later row for the category)."""

    __tablename__ = "ledger_budgets"
    __table_args__ = (
        UniqueConstraint("hub_id", "category", "month", name="one_budget_per_category_month"),
        CheckConstraint("amount_minor >= 0", name="amount_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    category: Mapped[Account] = mapped_column(value_enum(Account, 30))
    #: The first month (its first day) this amount applies to.
    month: Mapped[date] = mapped_column(Date)
    amount_minor: Mapped[int] = mapped_column(BigInteger)


class MoneySettings(db.Model):
    """A hub's money rules: above this amount, an expense needs two different organizers' approval."""

    __tablename__ = "ledger_money_settings"

    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), primary_key=True)
    #: Minor units; None: one approval is enough whatever the amount.
    two_approvals_above: Mapped[int | None] = mapped_column(BigInteger)
