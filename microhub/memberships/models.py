"""Memberships: a person's seat in a hub and where it stands."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, Text, false, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class MembershipStatus(str, enum.Enum):
    PENDING = "pending"
    ACTIVE = "active"
    PAST_DUE = "past_due"
    CANCELED = "canceled"
    EXPIRED = "expired"


#: Statuses in which a person holds a seat and the member role.
LIVE_STATUSES = (MembershipStatus.ACTIVE, MembershipStatus.PAST_DUE)


class Membership(db.Model):
    __tablename__ = "memberships"
    __table_args__ = (
        # At most one membership per person per hub that is not over yet.
        Index(
            "uq_memberships_open_per_person",
            "hub_id",
            "user_id",
            unique=True,
            sqlite_where=text("status IN ('pending', 'active', 'past_due')"),
            postgresql_where=text("status IN ('pending', 'active', 'past_due')"),
        ),
        # The organizer's member list, longest-standing first (memberships.queries.live_members_page): a page is read
        # in order from the index, not sorted from all of the hub's rows.
        Index("ix_memberships_hub_standing", "hub_id", "activated_at", "id"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        value_enum(MembershipStatus, 20),
        default=MembershipStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the seat became the person's; None while pending.
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the membership ended (canceled or expired).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("plans.id", ondelete="SET NULL"))
    #: The gateway's customer and subscription (cus_…, sub_…); None for members admitted without paying.
    customer_ref: Mapped[str | None] = mapped_column(String(255), index=True)
    subscription_ref: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: End of the period paid for; a past-due member keeps the seat until `grace_until`.
    current_period_end: Mapped[datetime | None] = mapped_column(UTCDateTime())
    cancel_at_period_end: Mapped[bool] = mapped_column(default=False, server_default=false())
    grace_until: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the "your grace period ends soon" e-mail went out for the current grace period.
    grace_reminded_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Optional words from a member who left.
    leaving_feedback: Mapped[str | None] = mapped_column(Text)
    #: The seat is a scholarship seat (its own pool of the cap); never shown to other members.
    scholarship: Mapped[bool] = mapped_column(default=False, server_default=false())

    hub = relationship("Hub")
    user = relationship("User")
    plan = relationship("Plan")


class HoldStatus(str, enum.Enum):
    HELD = "held"
    CONVERTED = "converted"
    RELEASED = "released"


class SeatHold(db.Model):
    """A seat kept for someone while they pay; it counts against the cap until converted or released."""

    __tablename__ = "seat_holds"
    __table_args__ = (
        # At most one open hold per person per hub: a double-clicked join cannot take two seats.
        Index("uq_seat_holds_open_per_person", "hub_id", "user_id", unique=True,
              sqlite_where=text("status = 'held'"), postgresql_where=text("status = 'held'")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    plan_id: Mapped[int] = mapped_column(ForeignKey("plans.id", ondelete="CASCADE"))
    status: Mapped[HoldStatus] = mapped_column(
        value_enum(HoldStatus, 12),
        default=HoldStatus.HELD, index=True)
    #: The seat goes back to the pool at this moment unless payment converted the hold first.
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    #: The exact price this hold was offered at: a payment settles it only if it matches all four.
    price_ref: Mapped[str | None] = mapped_column(String(255))
    price_minor: Mapped[int | None] = mapped_column(BigInteger)
    currency: Mapped[str | None] = mapped_column(String(3))
    interval: Mapped[str | None] = mapped_column(String(10))
    #: The gateway's checkout session (cs_…) paying for this hold.
    checkout_ref: Mapped[str | None] = mapped_column(String(255), unique=True)
    #: A scholarship seat, taken by the award's offer, paid at a reduced price through `coupon_ref` (a discount
    #: on the plan's own price, so the subscription still bills the price the hold was offered at).
    scholarship: Mapped[bool] = mapped_column(default=False, server_default=false())
    coupon_ref: Mapped[str | None] = mapped_column(String(255))
    #: Set when the hold came from a waitlist offer.
    offer_id: Mapped[int | None] = mapped_column(ForeignKey("waitlist_offers.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    released_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    hub = relationship("Hub")
    user = relationship("User")
    plan = relationship("Plan")


class WaitlistStatus(str, enum.Enum):
    WAITING = "waiting"
    OFFERED = "offered"
    JOINED = "joined"
    LEFT = "left"
    REMOVED = "removed"


class WaitlistEntry(db.Model):
    __tablename__ = "waitlist_entries"
    __table_args__ = (
        Index("uq_waitlist_entries_open_per_person", "hub_id", "user_id", unique=True,
              sqlite_where=text("status IN ('waiting', 'offered')"),
              postgresql_where=text("status IN ('waiting', 'offered')")),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[WaitlistStatus] = mapped_column(
        value_enum(WaitlistStatus, 12),
        default=WaitlistStatus.WAITING)
    #: Order in the line: lower goes first. Organizers move people by changing it (with a reason).
    rank: Mapped[float]
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    hub = relationship("Hub")
    user = relationship("User")


class OfferStatus(str, enum.Enum):
    OPEN = "open"
    USED = "used"
    EXPIRED = "expired"
    DECLINED = "declined"


class WaitlistOffer(db.Model):
    """A single-use invitation to take a freed seat; the seat is kept for the offer until it ends."""

    __tablename__ = "waitlist_offers"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("waitlist_entries.id", ondelete="CASCADE"), index=True)
    #: SHA-256 of the secret in the e-mailed link; the secret itself is never stored.
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    status: Mapped[OfferStatus] = mapped_column(
        value_enum(OfferStatus, 12),
        default=OfferStatus.OPEN, index=True)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime(), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    entry = relationship("WaitlistEntry")
