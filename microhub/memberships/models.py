"""Memberships: a person's seat in a hub and where it stands."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import Enum, ForeignKey, Index, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow
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
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[MembershipStatus] = mapped_column(
        Enum(MembershipStatus, native_enum=False, length=20, values_callable=lambda e: [m.value for m in e]),
        default=MembershipStatus.PENDING,
    )
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: When the seat became the person's; None while pending.
    activated_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: When the membership ended (canceled or expired).
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    hub = relationship("Hub")
    user = relationship("User")
