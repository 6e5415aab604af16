"""Plans (value tiers) and the payment events received from the gateway."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, BigInteger, CheckConstraint, ForeignKey, Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class Interval(str, enum.Enum):
    MONTH = "month"
    YEAR = "year"


class Plan(db.Model):
    """A value tier of one hub: what it includes and what it costs per interval."""

    __tablename__ = "plans"
    __table_args__ = (CheckConstraint("price_minor > 0", name="price_positive"),
                      CheckConstraint("scholarship_share_minor >= 0 AND scholarship_share_minor <= price_minor",
                                      name="scholarship_share_within_price"))

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(80))
    #: What the plan includes, one item per line.
    includes: Mapped[str] = mapped_column(Text, default="")
    #: Price per interval in minor units of the hub's currency (cents for EUR).
    price_minor: Mapped[int]
    interval: Mapped[Interval] = mapped_column(
        value_enum(Interval, 10))
    #: Minor units of each paid invoice the plan sends to the hub's scholarship fund (0: none); public.
    scholarship_share_minor: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Inactive plans keep their members but take no new ones.
    active: Mapped[bool] = mapped_column(default=True)
    #: Stripe's ids once the plan exists there; None with the local gateway until first used.
    stripe_product_id: Mapped[str | None] = mapped_column(String(255))
    stripe_price_id: Mapped[str | None] = mapped_column(String(255))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    hub = relationship("Hub")

    def lines(self) -> list[str]:
        return [line.strip() for line in self.includes.splitlines() if line.strip()]


class EventStatus(str, enum.Enum):
    PENDING = "pending"  # stored, not yet done: processing runs (again) when its time comes
    PROCESSED = "processed"  # applied, or nothing to do
    IGNORED = "ignored"  # not this installation's (another product on the Stripe account): `last_error` says why
    DEAD = "dead"  # failed on every retry: left for an operator, with its last error


class PaymentEvent(db.Model):
    """A webhook event as received: stored and committed before anything acts on it."""

    __tablename__ = "payment_events"
    __table_args__ = (Index("ix_payment_events_status_next", "status", "next_attempt_at"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Stripe's event id (evt_…); unique, so a repeated delivery is recognised and not processed again.
    stripe_id: Mapped[str] = mapped_column(String(255), unique=True)
    type: Mapped[str] = mapped_column(String(80), index=True)
    #: Stripe's `created` (unix seconds): the order events happened in, whatever order they arrive in.
    created: Mapped[int] = mapped_column(BigInteger)
    payload: Mapped[dict] = mapped_column(JSON)
    received_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set once processing finished (or decided there was nothing to do).
    processed_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    status: Mapped[EventStatus] = mapped_column(value_enum(EventStatus, 10), default=EventStatus.PENDING,
                                                server_default=EventStatus.PENDING.value)
    attempts: Mapped[int] = mapped_column(default=0)
    #: A failed event is retried after this moment (backoff); None until its first failure.
    next_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: The last processing error, or why the event was ignored; shown to operators by `microhub events`.
    last_error: Mapped[str | None] = mapped_column(Text)
