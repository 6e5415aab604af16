"""Sponsors (organizations and their people), their listings in hubs (each change approved again), the
placements organizers offer (spots) and sponsors buy for a period, and the daily figures of each placement."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, Date, ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class Sponsor(db.Model):
    """An organization that helps hubs; its people see its placements in the sponsor portal."""

    __tablename__ = "sponsors"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    people: Mapped[list[SponsorPerson]] = relationship(back_populates="sponsor", cascade="all, delete-orphan")


class SponsorPerson(db.Model):
    """One person of one sponsor (a person may belong to several)."""

    __tablename__ = "sponsor_people"
    __table_args__ = (UniqueConstraint("sponsor_id", "user_id", name="one_person_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sponsor: Mapped[Sponsor] = relationship(back_populates="people")
    user = relationship("User")


class ReviewStatus(str, enum.Enum):
    PENDING = "pending"
    APPROVED = "approved"
    REJECTED = "rejected"
    SUPERSEDED = "superseded"  # a newer change was sent before this one was decided


class Listing(db.Model):
    """A sponsor in one hub. What members see is the approved revision (`live_id`), never a pending one."""

    __tablename__ = "sponsor_listings"
    __table_args__ = (UniqueConstraint("sponsor_id", "hub_id", name="one_listing_per_hub"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id", ondelete="CASCADE"), index=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    #: The approved revision members see; None until an organizer approved one.
    live_id: Mapped[int | None] = mapped_column(ForeignKey("sponsor_listing_revisions.id", ondelete="SET NULL",
                                                           use_alter=True, name="fk_sponsor_listings_live_id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    sponsor = relationship("Sponsor")
    hub = relationship("Hub")
    live = relationship("ListingRevision", foreign_keys=[live_id], post_update=True)


class ListingRevision(db.Model):
    """One version of a listing as the sponsor wrote it; live only once an organizer approved it."""

    __tablename__ = "sponsor_listing_revisions"

    id: Mapped[int] = mapped_column(primary_key=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("sponsor_listings.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    #: The logo's file name under instance/sponsor_logos (random, PNG or JPEG, at most 1 MB); None: no logo.
    logo: Mapped[str | None] = mapped_column(String(80))
    #: Where a click goes (http or https only); the redirect goes to the approved revision's link and nowhere else.
    link: Mapped[str] = mapped_column(String(500))
    #: The concrete value for members (tools, credits, workshops): public.
    helps_with: Mapped[str] = mapped_column(Text)
    #: A code or link only members see.
    member_perk: Mapped[str | None] = mapped_column(Text)
    status: Mapped[ReviewStatus] = mapped_column(value_enum(ReviewStatus, 12), default=ReviewStatus.PENDING,
                                                 index=True)
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Why an organizer refused it (told to the sponsor).
    reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    listing = relationship("Listing", foreign_keys=[listing_id])


class Where(str, enum.Enum):
    HUB_PAGE = "hub_page"
    COHORT_PAGES = "cohort_pages"
    WELCOME_EMAIL = "welcome_email"

    @property
    def label(self) -> str:
        return {"hub_page": "The public hub page", "cohort_pages": "The cohort pages",
                "welcome_email": "The welcome e-mail to new members"}[self.value]


class Spot(db.Model):
    """A placement an organizer offers: where, how many sponsors at once, for how long, at what price."""

    __tablename__ = "sponsor_spots"
    __table_args__ = (
        CheckConstraint("at_once >= 1 AND at_once <= 10", name="at_once_in_range"),
        CheckConstraint("period_days >= 1 AND period_days <= 366", name="period_in_range"),
        CheckConstraint("price_minor > 0", name="price_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    where: Mapped[Where] = mapped_column(value_enum(Where, 16))
    #: Most sponsors live in this spot at any moment (against a "pitch parade").
    at_once: Mapped[int] = mapped_column(default=3)
    period_days: Mapped[int] = mapped_column(default=30)
    #: Price per period, in minor units of the hub's currency.
    price_minor: Mapped[int] = mapped_column(BigInteger)
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    hub = relationship("Hub")


class PlacementStatus(str, enum.Enum):
    REQUESTED = "requested"
    APPROVED = "approved"  # waiting for the sponsor's payment
    PAID = "paid"  # waiting for its period to start
    LIVE = "live"
    ENDED = "ended"
    REJECTED = "rejected"
    EXPIRED = "expired"  # a request never decided, or approved and never paid, in time
    CANCELED = "canceled"  # by an organizer; what was paid for the rest of the period is refunded


#: Statuses that hold one of a spot's places for their period.
HOLDING = (PlacementStatus.APPROVED, PlacementStatus.PAID, PlacementStatus.LIVE)


class Placement(db.Model):
    """A sponsor's listing in one spot for one period: requested, approved, paid, live, ended."""

    __tablename__ = "sponsor_placements"
    __table_args__ = (
        Index("ix_sponsor_placements_spot_period", "spot_id", "starts_at", "ends_at"),
        CheckConstraint("ends_at > starts_at", name="period_forward"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    spot_id: Mapped[int] = mapped_column(ForeignKey("sponsor_spots.id", ondelete="CASCADE"))
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id", ondelete="CASCADE"), index=True)
    listing_id: Mapped[int] = mapped_column(ForeignKey("sponsor_listings.id", ondelete="CASCADE"))
    status: Mapped[PlacementStatus] = mapped_column(value_enum(PlacementStatus, 10),
                                                    default=PlacementStatus.REQUESTED, index=True)
    starts_at: Mapped[datetime] = mapped_column(UTCDateTime())
    ends_at: Mapped[datetime] = mapped_column(UTCDateTime())
    #: The price when requested, in the hub's currency.
    price_minor: Mapped[int] = mapped_column(BigInteger)
    currency: Mapped[str] = mapped_column(String(3))
    requested_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    reason: Mapped[str | None] = mapped_column(Text)
    #: An approved placement expires unpaid at this moment.
    pay_by: Mapped[datetime | None] = mapped_column(UTCDateTime())
    checkout_ref: Mapped[str | None] = mapped_column(String(255), unique=True)
    charge_ref: Mapped[str | None] = mapped_column(String(255))
    paid_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    refunded_minor: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Exactly-once markers of the scheduler: set by the one conditional UPDATE that turns it on, then off.
    turned_on_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    turned_off_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    spot = relationship("Spot")
    sponsor = relationship("Sponsor")
    listing = relationship("Listing")
    hub = relationship("Hub")


class Channel(str, enum.Enum):
    WEB = "web"  # served on a page (impressions, unique viewers per day, viewable, clicks)
    EMAIL = "email"  # sent in an e-mail (sends as served, clicks)


class PlacementDay(db.Model):
    """A placement's figures for one day (UTC) and channel, rolled up from the counters; final after 48 hours."""

    __tablename__ = "sponsor_placement_days"
    __table_args__ = (UniqueConstraint("placement_id", "day", "channel", name="one_row_per_day_and_channel"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("sponsor_placements.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, 8))
    served: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Distinct viewers that day (each viewer key counts once per day; keys change every day).
    unique: Mapped[int] = mapped_column(BigInteger, default=0)
    viewable: Mapped[int] = mapped_column(BigInteger, default=0)
    clicks: Mapped[int] = mapped_column(BigInteger, default=0)
    #: Views not counted, by reason: {"bot": 3, "staff": 1, "sponsor": 2, "repeat": 5}.
    discarded: Mapped[dict] = mapped_column(JSON, default=dict)
    final: Mapped[bool] = mapped_column(default=False)
    finalized_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class PlacementAdjustment(db.Model):
    """A dated correction of a final day's figures: shown beside it, never a silent edit."""

    __tablename__ = "sponsor_placement_adjustments"

    id: Mapped[int] = mapped_column(primary_key=True)
    placement_id: Mapped[int] = mapped_column(ForeignKey("sponsor_placements.id", ondelete="CASCADE"), index=True)
    day: Mapped[date] = mapped_column(Date)
    channel: Mapped[Channel] = mapped_column(value_enum(Channel, 8))
    #: Signed changes per figure: {"served": -2, "clicks": 1}.
    deltas: Mapped[dict] = mapped_column(JSON)
    reason: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)


class SponsorToken(db.Model):
    """An API token of a sponsor (`Authorization: Bearer …`); only its SHA-256 is kept."""

    __tablename__ = "sponsor_tokens"

    id: Mapped[int] = mapped_column(primary_key=True)
    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


class SponsorWebhook(db.Model):
    """Where a sponsor wants its daily totals sent (signed with `secret`); optional, one per sponsor."""

    __tablename__ = "sponsor_webhooks"

    sponsor_id: Mapped[int] = mapped_column(ForeignKey("sponsors.id", ondelete="CASCADE"), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(String(64))
    #: The last day whose totals were sent (exactly-once marker of the daily send).
    sent_through: Mapped[date | None] = mapped_column(Date)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
