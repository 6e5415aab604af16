"""Hubs and the staff roles people hold in them."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from ..database import UTCDateTime, utcnow, value_enum
from ..extensions import db


class Role(str, enum.Enum):
    """What a person may do in one hub. MEMBER comes from a live membership, the rest from `HubRole`."""

    ORGANIZER = "organizer"
    MODERATOR = "moderator"
    MEMBER = "member"
    SPONSOR_CONTACT = "sponsor_contact"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


#: Roles an organizer hands out; membership is earned by joining, never granted here.
GRANTABLE_ROLES = (Role.ORGANIZER, Role.MODERATOR, Role.SPONSOR_CONTACT)


class Hub(db.Model):
    __tablename__ = "hubs"
    __table_args__ = (
        CheckConstraint("cap >= 1", name="cap_positive"),
        CheckConstraint("seats_taken >= 0", name="seats_taken_not_negative"),
        CheckConstraint("scholarship_seats >= 0 AND scholarship_seats <= cap", name="scholarship_seats_within_cap"),
        CheckConstraint("scholarship_seats_taken >= 0", name="scholarship_seats_taken_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    #: URL name, /h/<slug>; lower-case letters, digits and dashes.
    slug: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(120))
    #: One line saying why the hub exists.
    purpose: Mapped[str] = mapped_column(String(200))
    #: What members can count on, one per line.
    promises: Mapped[str] = mapped_column(Text, default="")
    #: Recurring things the hub does together, one per line.
    rituals: Mapped[str] = mapped_column(Text, default="")
    #: House rules and code of conduct.
    rules: Mapped[str] = mapped_column(Text, default="")
    #: Most seats (active members plus live holds) the hub allows.
    cap: Mapped[int]
    #: Regular seats in use: active members plus live holds and waitlist offers; changed only by `memberships.seats`.
    seats_taken: Mapped[int] = mapped_column(default=0)
    #: How many of the cap are kept for scholarships: regular joins stop at cap − scholarship_seats.
    scholarship_seats: Mapped[int] = mapped_column(default=0, server_default="0")
    #: Scholarship seats in use: open offers, accepted awards and scholarship members (`memberships.seats`).
    scholarship_seats_taken: Mapped[int] = mapped_column(default=0, server_default="0")
    #: ISO 4217 code, upper case; every price and ledger entry of the hub is in it.
    currency: Mapped[str] = mapped_column(String(3), default="EUR")
    #: IANA zone the hub's times are shown in.
    timezone: Mapped[str] = mapped_column(String(64), default="UTC")
    #: Listed on the landing page.
    is_public: Mapped[bool] = mapped_column(default=True)
    #: Cover image file under instance/hub_covers (random name, PNG or JPEG, at most 2 MB); None: no cover.
    cover_image: Mapped[str | None] = mapped_column(String(80))
    #: Hub accent colour, "#rrggbb", AA contrast with white text (`identity.check_accent`); None: MicroHub's own.
    accent_color: Mapped[str | None] = mapped_column(String(7))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    roles: Mapped[list[HubRole]] = relationship(back_populates="hub", cascade="all, delete-orphan")

    @property
    def regular_seats(self) -> int:
        return self.cap - self.scholarship_seats

    @property
    def seats_left(self) -> int:
        # A lowered cap can sit below the seats already taken; nobody is removed, joins just stop.
        return max(self.regular_seats - self.seats_taken, 0)

    @property
    def scholarship_seats_left(self) -> int:
        # Never past the cap, even when a raised pool meets regular seats that were already taken.
        free_in_pool = self.scholarship_seats - self.scholarship_seats_taken
        return max(min(free_in_pool, self.cap - self.seats_taken - self.scholarship_seats_taken), 0)

    def lines(self, field: str) -> list[str]:
        return [line.strip() for line in getattr(self, field).splitlines() if line.strip()]

    def __repr__(self) -> str:
        return f"<Hub {self.slug}>"


class HubRole(db.Model):
    """A staff role one person holds in one hub."""

    __tablename__ = "hub_roles"
    __table_args__ = (UniqueConstraint("hub_id", "user_id", "role", name="one_role_once"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[Role] = mapped_column(value_enum(Role, 20))
    #: Who handed the role out; None for the founding organizer.
    granted_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    hub: Mapped[Hub] = relationship(back_populates="roles")
    user = relationship("User", foreign_keys=[user_id])
