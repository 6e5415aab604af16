"""iCalendar files of cohort sessions, and the private per-person feed whose URL carries a revocable secret."""
from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import secrets
from datetime import date
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from flask import current_app
from icalendar import Calendar, Event

from ..database import added_unless_taken, parse_id, utcnow
from ..extensions import db
from ..forms import flattened, one_line
from .models import CalendarFeed, Cohort, CohortSession, Enrollment, EnrollmentStatus

PRODID = "-//MicroHub//Cohorts//EN"
log = logging.getLogger(__name__)


def cohort_calendar(cohorts: list[Cohort], *, name: str, include_links: bool) -> bytes:
    """One VCALENDAR with a VEVENT per session, in each cohort's own zone, and a VTIMEZONE per zone used."""
    calendar = Calendar()
    for key, value in (("prodid", PRODID), ("version", "2.0"), ("calscale", "GREGORIAN"),
                       ("method", "PUBLISH"), ("x-wr-calname", name)):
        calendar.add(key, value)
    host = urlsplit(current_app.config["MICROHUB_BASE_URL"]).hostname or "microhub"
    now = utcnow()
    sessions = [(cohort, session) for cohort in cohorts for session in cohort.sessions]
    for cohort, session in sessions:
        try:
            calendar.add_component(_event(cohort, session, host=host, stamp=now, include_links=include_links))
        except (ValueError, TypeError):  # one bad row never takes the whole feed down
            log.warning("calendar: left out session %s of cohort %s", session.id, cohort.id, exc_info=True)
    if sessions:
        # Zone rules for the years around the sessions only: a short VTIMEZONE that holds for every event.
        years = [session.starts_at.year for _, session in sessions]
        calendar.add_missing_timezones(first_date=date(min(years) - 1, 1, 1), last_date=date(max(years) + 2, 1, 1))
    return calendar.to_ical()


def _event(cohort: Cohort, session: CohortSession, *, host: str, stamp, include_links: bool) -> Event:
    zone = ZoneInfo(cohort.timezone)
    # Rows older than the one-line rule may hold CR/LF: a link with them is left out, a title flattened.
    link = cohort.meeting_link if include_links and one_line(cohort.meeting_link) else None
    # Canceling a cohort cancels (and re-sequences) the sessions still ahead; those that happened stay.
    canceled = session.canceled
    event = Event()
    event.add("uid", f"cohort-session-{session.id}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", session.starts_at.astimezone(zone))
    event.add("dtend", session.ends_at.astimezone(zone))
    event.add("summary", f"{flattened(cohort.title)} · week {session.week}")
    event.add("description", f"{cohort.goal}\n\nJoin: {link}" if link else cohort.goal)
    if link:
        event.add("url", link)
        event.add("location", link)
    event.add("sequence", session.sequence)
    event.add("status", "CANCELLED" if canceled else "CONFIRMED")
    event.add("last-modified", session.updated_at)
    return event


def member_cohorts(user) -> list[Cohort]:
    """Every cohort, in any hub and any state, where `user` is enrolled (not waiting, not left)."""
    return list(db.session.scalars(
        db.select(Cohort).join(Enrollment, Enrollment.cohort_id == Cohort.id)
        .where(Enrollment.user_id == user.id, Enrollment.status == EnrollmentStatus.ENROLLED)
        .options(db.selectinload(Cohort.sessions)).order_by(Cohort.starts_at, Cohort.id)))


def _secret(feed: CalendarFeed) -> str:
    key = current_app.config["SECRET_KEY"].encode()
    digest = hmac.new(key, f"calendar-feed:{feed.id}:{feed.nonce}".encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode()[:32]


def feed_token(feed: CalendarFeed) -> str:
    return f"{feed.id}-{_secret(feed)}"


def feed_for_token(token: str) -> CalendarFeed | None:
    """The feed this URL token opens, or None for anything malformed, unknown or revoked."""
    raw_id, _, secret = (token or "").partition("-")
    feed_id = parse_id(raw_id)
    if feed_id is None or not secret.isascii():
        return None
    feed = db.session.get(CalendarFeed, feed_id)
    if feed is None or not hmac.compare_digest(secret.encode(), _secret(feed).encode()):
        return None
    return feed


def feed_of(user) -> CalendarFeed | None:
    return db.session.scalar(db.select(CalendarFeed).filter_by(user_id=user.id))


def open_feed(user) -> CalendarFeed:
    """The person's feed, created on first use."""
    feed = feed_of(user)
    if feed is None:
        feed = CalendarFeed(user_id=user.id, nonce=secrets.token_urlsafe(32))
        if not added_unless_taken(feed):  # a second click's request created it first: use that one
            feed = feed_of(user)
    return feed


def reset_feed(user) -> CalendarFeed:
    """A new secret: the old URL stops working at once."""
    feed = open_feed(user)
    feed.nonce = secrets.token_urlsafe(32)
    db.session.flush()
    return feed


def turn_off_feed(user) -> None:
    feed = feed_of(user)
    if feed is not None:
        db.session.delete(feed)
        db.session.flush()
