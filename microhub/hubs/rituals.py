"""Scheduled rituals: a hub's weekly things done together, at a wall-clock time in the hub's zone.

The free-text `Hub.rituals` stays what the public page says; these rows are what a member sees with the next
time in their own zone, and the member-only link (the call's address) never reaches a visitor.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from sqlalchemy import CheckConstraint, ForeignKey, String, Time
from sqlalchemy.orm import Mapped, mapped_column

from .. import audit
from ..database import UTCDateTime, utcnow
from ..errors import ValidationFailed
from ..extensions import db
from ..forms import one_line
from .access import found_in_hub

#: 0 is Monday, as in Python's `date.weekday()`.
WEEKDAYS = tuple(calendar.day_name)
#: A hub keeps a short list; the page is read every week, not scrolled.
MOST_RITUALS = 20


class Ritual(db.Model):
    """One weekly ritual of a hub: its day and local start time in the hub's time zone, and its length."""

    __tablename__ = "hub_rituals"
    __table_args__ = (
        CheckConstraint("weekday BETWEEN 0 AND 6", name="weekday_in_week"),
        CheckConstraint("duration_minutes BETWEEN 5 AND 720", name="duration_in_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    title: Mapped[str] = mapped_column(String(120))
    #: 0 is Monday.
    weekday: Mapped[int]
    #: Wall-clock start in the hub's time zone; it keeps this local time across daylight-saving changes.
    local_time: Mapped[time] = mapped_column(Time)
    duration_minutes: Mapped[int]
    #: Where it happens (the call's address): shown to members and staff only.
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)

    @property
    def day_name(self) -> str:
        return WEEKDAYS[self.weekday]


@dataclass(frozen=True)
class RitualInfo:
    """What an organizer types: every value is checked by `add_ritual`, so each gets its own message."""

    title: str | None = ""
    weekday: str | None = ""
    starts_at: str | None = ""
    duration_minutes: str | None = ""
    link: str | None = ""


def next_start(ritual: Ritual, zone: str, now: datetime | None = None) -> datetime:
    """The UTC start of the ritual's next meeting (or the one going on now), at its wall-clock time in `zone`.

    A time skipped by a spring-forward change is read with the offset before it (one hour later on the wall
    clock), as cohort sessions are.
    """
    now = now or utcnow()
    tz = ZoneInfo(zone)
    yesterday = now.astimezone(tz).date() - timedelta(days=1)  # one that began before midnight may still run
    day = yesterday + timedelta(days=(ritual.weekday - yesterday.weekday()) % 7)
    for _ in range(3):
        starts = datetime.combine(day, ritual.local_time, tzinfo=tz).astimezone(timezone.utc)
        if starts + timedelta(minutes=ritual.duration_minutes) > now:
            return starts
        day += timedelta(weeks=1)
    return starts


def hub_rituals(hub_id: int) -> list[Ritual]:
    """The hub's rituals in week order (one statement)."""
    return list(db.session.scalars(db.select(Ritual).where(Ritual.hub_id == hub_id)
                                   .order_by(Ritual.weekday, Ritual.local_time, Ritual.id)))


def upcoming(hub, now: datetime | None = None) -> list[tuple[Ritual, datetime]]:
    """(ritual, next UTC start), soonest first."""
    return sorted(((r, next_start(r, hub.timezone, now)) for r in hub_rituals(hub.id)), key=lambda pair: pair[1])


def _title(text: str | None) -> str:
    title = (text or "").strip()
    if not title:
        raise ValidationFailed("Name the ritual, e.g. Weekly call.", field="title")
    if len(title) > 120 or not one_line(title):
        raise ValidationFailed("Keep the name to one line of at most 120 characters.", field="title")
    return title


def _weekday(text: str | None) -> int:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and int(text) < 7):
        raise ValidationFailed("Pick the day of the week it happens.", field="weekday")
    return int(text)


def _start(text: str | None) -> time:
    text = (text or "").strip()
    hours, _, minutes = text.partition(":")
    if not (text.isascii() and hours.isdigit() and len(hours) <= 2 and len(minutes) == 2 and minutes.isdigit()
            and int(hours) < 24 and int(minutes) < 60):
        raise ValidationFailed("Give the start time as hours and minutes, e.g. 19:00.", field="starts_at")
    return time(int(hours), int(minutes))


def _duration(text: str | None) -> int:
    text = (text or "").strip()
    if not (text.isascii() and text.isdigit() and 5 <= int(text) <= 720):
        raise ValidationFailed("Give the length in minutes, from 5 to 720.", field="duration_minutes")
    return int(text)


def _link(text: str | None) -> str | None:
    link = (text or "").strip()
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(link) > 500 or not one_line(link) \
            or " " in link:
        raise ValidationFailed("Give the link as a full web address, starting with https://.", field="link")
    return link


def add_ritual(hub, info: RitualInfo, *, actor) -> Ritual:
    values = dict(title=_title(info.title), weekday=_weekday(info.weekday), local_time=_start(info.starts_at),
                  duration_minutes=_duration(info.duration_minutes), link=_link(info.link))
    count = db.session.scalar(db.select(db.func.count(Ritual.id)).where(Ritual.hub_id == hub.id))
    if count >= MOST_RITUALS:
        raise ValidationFailed(f"A hub keeps at most {MOST_RITUALS} rituals; remove one first.")
    ritual = Ritual(hub_id=hub.id, **values)
    db.session.add(ritual)
    db.session.flush()
    audit.record("ritual.added", ritual, actor=actor, title=ritual.title)
    return ritual


def remove_ritual(hub, ritual_id, *, actor) -> Ritual:
    ritual = found_in_hub(Ritual, ritual_id, "That ritual is not in this hub (removed already?).", hub_id=hub.id)
    audit.record("ritual.removed", ritual, actor=actor, title=ritual.title)
    db.session.delete(ritual)
    db.session.flush()
    return ritual
