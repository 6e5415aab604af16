"""Scholarship programmes, applications (with the award they become) and reviewers; donations to the fund."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class ScholarshipProgram(db.Model):
    """What one hub's scholarships cover and how people apply; the seats themselves are on the hub row."""

    __tablename__ = "scholarship_programs"
    __table_args__ = (CheckConstraint("term_months >= 1 AND term_months <= 24", name="term_in_range"),)

    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), primary_key=True)
    #: What a scholarship covers, and who it is for (public).
    covers: Mapped[str] = mapped_column(Text, default="")
    who_for: Mapped[str] = mapped_column(Text, default="")
    #: Up to five questions the organizer writes; answers are private and deleted 90 days after the decision.
    questions: Mapped[list] = mapped_column(JSON, default=list)
    #: Applications close at the end of this day (hub's zone); None: open while seats are.
    deadline: Mapped[date | None] = mapped_column(Date)
    #: How long an award lasts, in months…
    term_months: Mapped[int] = mapped_column(default=12)
    #: …or until the end of this day (the hub's zone): one cohort's term, its last session's day.
    term_ends_on: Mapped[date | None] = mapped_column(Date)
    #: The plan an award stands in for: its price times the term is what the award draws from the fund.
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, onupdate=utcnow)

    plan = relationship("Plan")


class Need(str, enum.Enum):
    STUDENT = "student"
    LOW_INCOME = "low_income"
    OTHER = "other"
    RATHER_NOT_SAY = "rather_not_say"

    @property
    def label(self) -> str:
        return {"student": "Student", "low_income": "Low income", "other": "Other",
                "rather_not_say": "Rather not say"}[self.value]


class ApplicationStatus(str, enum.Enum):
    SUBMITTED = "submitted"
    IN_REVIEW = "in_review"
    OFFERED = "offered"  # a scholarship seat is kept for the applicant until the offer expires
    ACCEPTED = "accepted"  # a partial award waits for its reduced payment
    ACTIVE = "active"
    ENDED = "ended"
    WITHDRAWN = "withdrawn"
    DECLINED = "declined"  # by the applicant (an offer) or by the reviewers (the application)
    EXPIRED = "expired"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


#: Waiting for a decision: one at a time per person per hub.
UNDECIDED = (ApplicationStatus.SUBMITTED, ApplicationStatus.IN_REVIEW, ApplicationStatus.OFFERED)
#: Holding a scholarship seat.
HOLDING_SEAT = (ApplicationStatus.OFFERED, ApplicationStatus.ACCEPTED, ApplicationStatus.ACTIVE)


class AwardKind(str, enum.Enum):
    FULL = "full"  # no payment: a membership with no subscription
    PARTIAL = "partial"  # the member pays a reduced price; the fund covers the rest


class ScholarshipApplication(db.Model):
    """One person's application to one hub, and the award it may become."""

    __tablename__ = "scholarship_applications"
    __table_args__ = (
        Index("uq_scholarship_applications_undecided", "hub_id", "user_id", unique=True,
              sqlite_where=text("status IN ('submitted', 'in_review', 'offered')"),
              postgresql_where=text("status IN ('submitted', 'in_review', 'offered')")),
        Index("ix_scholarship_applications_line", "hub_id", "status", "rank"),
        CheckConstraint("pays_minor IS NULL OR pays_minor >= 0", name="pays_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[ApplicationStatus] = mapped_column(value_enum(ApplicationStatus, 12),
                                                      default=ApplicationStatus.SUBMITTED)
    need: Mapped[Need] = mapped_column(value_enum(Need, 16))
    #: [{"question": …, "answer": …}]; None once deleted (90 days after the decision).
    answers: Mapped[list | None] = mapped_column(JSON(none_as_null=True))
    answers_deleted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The reviewers' order: lower is offered first; None until ranked. Offers that are declined or expire pass on.
    rank: Mapped[float | None]
    #: The award it would be, set when ranked or offered.
    kind: Mapped[AwardKind | None] = mapped_column(value_enum(AwardKind, 8))
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    #: What a partial award's member pays per interval, in minor units.
    pays_minor: Mapped[int | None] = mapped_column(BigInteger)
    #: The plan's price times the term, less what a partial award pays: drawn from the fund when accepted.
    value_minor: Mapped[int | None] = mapped_column(BigInteger)
    term_months: Mapped[int | None]
    #: A term fixed to a day (`ScholarshipProgram.term_ends_on`): the award ends at this moment, not months later.
    term_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: "fund", or "organizers" (with their public reason) when the fund could not cover the award.
    funded_by: Mapped[str | None] = mapped_column(String(12))
    organizer_reason: Mapped[str | None] = mapped_column(Text)
    offered_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    offer_expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: When it was decided (accepted, declined, expired, withdrawn): answers go 90 days later.
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    term_ends_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    term_notice_sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    membership_id: Mapped[int | None] = mapped_column(ForeignKey("memberships.id", ondelete="SET NULL"))
    #: A renewal names the award it continues; its offer keeps that award's seat rather than taking another.
    renews_id: Mapped[int | None] = mapped_column(ForeignKey("scholarship_applications.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    hub = relationship("Hub")
    user = relationship("User")
    plan = relationship("Plan")
    membership = relationship("Membership")


class ScholarshipReviewer(db.Model):
    """A moderator an organizer asked to review one hub's applications (organizers review anyway)."""

    __tablename__ = "scholarship_reviewers"
    __table_args__ = (UniqueConstraint("hub_id", "user_id", name="one_reviewer_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    user = relationship("User", foreign_keys=[user_id])


class DonationStatus(str, enum.Enum):
    PENDING = "pending"  # checkout open
    PAID = "paid"
    EXPIRED = "expired"


class Donation(db.Model):
    """A one-time gift to a hub's scholarship fund, paid through the gateway's checkout in payment mode."""

    __tablename__ = "donations"
    __table_args__ = (CheckConstraint("amount_minor > 0", name="donation_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    #: The donor's account when signed in; anyone may give without one.
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    amount_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    #: The name shown on the transparency report, only when the donor chose to be named; None: anonymous.
    public_name: Mapped[str | None] = mapped_column(String(80))
    #: Where the receipt goes; private.
    email: Mapped[str] = mapped_column(String(254))
    status: Mapped[DonationStatus] = mapped_column(value_enum(DonationStatus, 10), default=DonationStatus.PENDING)
    checkout_ref: Mapped[str | None] = mapped_column(String(255), unique=True)
    charge_ref: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    hub = relationship("Hub")
