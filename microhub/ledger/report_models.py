"""What the monthly reports keep: published months, who opted out of their e-mail, reminders, reconciliations."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import JSON, Date, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from ..database import UTCDateTime, utcnow
from ..extensions import db


class MonthReport(db.Model):
    """A published month: its figures frozen at publication, with the chain's hash at that moment."""

    __tablename__ = "ledger_month_reports"
    __table_args__ = (UniqueConstraint("hub_id", "month", name="one_report_per_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    #: The first day of the month (in the hub's time zone).
    month: Mapped[date] = mapped_column(Date)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    published_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: The organizers' words with the report (public).
    note: Mapped[str] = mapped_column(Text, default="")
    #: The month's figures as published: what the public page and API show for it, ever after.
    figures: Mapped[dict] = mapped_column(JSON)
    #: The hash of the month's last group (the chain's head for that month when it was published).
    final_hash: Mapped[str] = mapped_column(String(64))


class ReportOptOut(db.Model):
    """A member who does not want the "this month's report is out" e-mail from one hub."""

    __tablename__ = "ledger_report_opt_outs"
    __table_args__ = (UniqueConstraint("hub_id", "user_id", name="one_opt_out_per_person"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class ReportReminder(db.Model):
    """The one reminder to publish a closed month: its row is the exactly-once marker."""

    __tablename__ = "ledger_report_reminders"
    __table_args__ = (UniqueConstraint("hub_id", "month", name="one_reminder_per_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class Reconciliation(db.Model):
    """The latest comparison of one month of the ledger with the processor's balance transactions."""

    __tablename__ = "ledger_reconciliations"
    __table_args__ = (UniqueConstraint("hub_id", "month", name="one_reconciliation_per_month"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"))
    month: Mapped[date] = mapped_column(Date)
    checked_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: How many transactions differ (missing on one side, or by even one minor unit).
    differences: Mapped[int] = mapped_column(default=0)
    #: What differs, for organizers: [{"ref": …, "ledger": …, "processor": …}].
    details: Mapped[list] = mapped_column(JSON, default=list)
