"""Creating cohorts from their weekly rule, and the organizer's changes: edit, move or cancel a session, cancel all."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, time, timedelta
from urllib.parse import urlsplit
from zoneinfo import ZoneInfo

from .. import audit
from ..hubs.access import found_in_hub
from ..accounts.services import check_timezone
from ..database import utcnow
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..forms import one_line
from .enrollment import PLACES
from .models import Cohort, CohortFormat, CohortSession, CohortStatus, EnrollmentStatus, SessionStatus
from .notices import tell_members
from .schedule import session_times, start_of_day, to_utc

MIN_CAPACITY, MAX_CAPACITY = 2, 50
MIN_WEEKS, MAX_WEEKS = 1, 12
#: How far ahead a cohort may start or a session move: far enough to plan, near enough to be real.
MAX_AHEAD = timedelta(days=2 * 366)
WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


@dataclass
class CohortInfo:
    """What an organizer fills in; `ends_at_time` is the local time each session ends, on the same day."""

    title: str
    goal: str
    start_date: date | None
    starts_at_time: time | None
    ends_at_time: time | None
    weekday: int | str | None
    timezone: str
    format: str = CohortFormat.CIRCLE.value
    capacity: int | None = 8
    weeks: int | None = 6
    meeting_link: str = ""


def duration_between(starts: time | None, ends: time | None, *, field: str = "ends_at_time") -> int:
    """Minutes from `starts` to `ends` on one day; refuses an end at or before the start."""
    if starts is None:
        raise ValidationFailed("Give the time sessions start.", field="starts_at_time")
    if ends is None:
        raise ValidationFailed("Give the time sessions end.", field=field)
    minutes = (ends.hour * 60 + ends.minute) - (starts.hour * 60 + starts.minute)
    if minutes <= 0:
        raise ValidationFailed("A session must end after it starts, on the same day.", field=field)
    return minutes


def check_link(link: str | None) -> str | None:
    link = (link or "").strip()
    if not link:
        return None
    parts = urlsplit(link)
    if parts.scheme not in ("https", "http") or not parts.netloc or len(link) > 500 or not one_line(link) \
            or " " in link:
        raise ValidationFailed("Give the meeting link as a full web address, starting with https://.",
                               field="meeting_link")
    return link


def _details(title: str | None, goal: str | None, capacity) -> tuple[str, str, int]:
    """The fields an organizer may change at any time before the end: title, goal and capacity."""
    title, goal = (title or "").strip(), (goal or "").strip()
    if not title:
        raise ValidationFailed("Give the cohort a title.", field="title")
    if not one_line(title):
        raise ValidationFailed("Keep the title on one line, without control characters.", field="title")
    if len(title) > 120:
        raise ValidationFailed("Keep the title under 120 characters.", field="title")
    if not goal:
        raise ValidationFailed("Say what everyone in the cohort works toward.", field="goal")
    capacity = _whole(capacity)
    if capacity is None or not MIN_CAPACITY <= capacity <= MAX_CAPACITY:
        raise ValidationFailed(f"A cohort takes {MIN_CAPACITY} to {MAX_CAPACITY} people.", field="capacity")
    return title, goal, capacity


def _check(info: CohortInfo, *, today: date) -> dict:
    title, goal, capacity = _details(info.title, info.goal, info.capacity)
    try:
        fmt = CohortFormat(info.format)
    except ValueError:
        raise ValidationFailed("Pick one of the formats offered.", field="format") from None
    weeks = _whole(info.weeks)
    if weeks is None or not MIN_WEEKS <= weeks <= MAX_WEEKS:
        raise ValidationFailed(f"A cohort runs {MIN_WEEKS} to {MAX_WEEKS} weeks.", field="weeks")
    weekday = _whole(info.weekday)
    if weekday is None or not 0 <= weekday <= 6:
        raise ValidationFailed("Pick the weekday sessions meet on, Monday to Sunday.", field="weekday")
    zone = check_timezone(info.timezone)
    if info.start_date is None:
        raise ValidationFailed("Give the start date.", field="start_date")
    if info.start_date <= today:
        raise ValidationFailed("The start date must be after today: enrollment runs until the cohort starts.",
                               field="start_date")
    within_reach(info.start_date, today, field="start_date")
    duration = duration_between(info.starts_at_time, info.ends_at_time)
    # The cohort starts on its first meeting day: a Tuesday start for Monday sessions becomes the next Monday.
    first_day = info.start_date + timedelta(days=(weekday - info.start_date.weekday()) % 7)
    return dict(title=title, goal=goal, format=fmt, capacity=capacity, weeks=weeks, weekday=weekday,
                timezone=zone, start_date=first_day, local_time=info.starts_at_time,
                duration_minutes=duration, meeting_link=check_link(info.meeting_link))


def within_reach(day: date, today: date, *, field: str) -> None:
    if day > today + MAX_AHEAD:
        raise ValidationFailed(f"Pick a date within two years (by {(today + MAX_AHEAD):%d %b %Y}).", field=field)


def _whole(value) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value if value is not None else "").strip()
    digits = text.removeprefix("-")
    # ASCII only: "²".isdigit() is true, but int("²") raises.
    return int(text) if digits.isascii() and digits.isdigit() and len(digits) <= 9 else None


def today_in(zone: str) -> date:
    return utcnow().astimezone(ZoneInfo(zone)).date()


def create_cohort(hub, info: CohortInfo, *, actor) -> Cohort:
    zone = check_timezone(info.timezone or hub.timezone)
    return add_cohort(hub, actor=actor, **_check(info, today=today_in(zone)))


def add_cohort(hub, *, actor, **fields) -> Cohort:
    """Store a cohort from checked `fields` and generate its sessions (the demo uses it for one already under way)."""
    cohort = Cohort(hub_id=hub.id, created_by_id=getattr(actor, "id", None),
                    starts_at=start_of_day(fields["start_date"], fields["timezone"]), **fields)
    times = session_times(cohort.start_date, cohort.weeks, cohort.weekday, cohort.local_time,
                          cohort.duration_minutes, cohort.timezone)
    cohort.sessions = [CohortSession(week=n, starts_at=s, ends_at=e) for n, (s, e) in enumerate(times, start=1)]
    cohort.ends_at = times[-1][1]
    db.session.add(cohort)
    db.session.flush()
    audit.record("cohort.created", cohort, actor=actor, title=cohort.title, sessions=len(times))
    return cohort


def update_cohort(cohort: Cohort, *, title: str, goal: str, meeting_link: str, capacity, actor) -> Cohort:
    """Change what does not move the schedule. A larger capacity lets the cohort's waitlist in."""
    if cohort.over:
        raise Conflict("This cohort is over; it can no longer be changed.")
    title, goal, capacity = _details(title, goal, capacity)
    cohort.title, cohort.goal, cohort.meeting_link = title, goal, check_link(meeting_link)
    raised = capacity > cohort.capacity
    cohort.capacity = capacity  # lowering it removes nobody; enrollment just stops
    db.session.flush()
    if raised and cohort.accepts_enrollment:
        PLACES.offer_free(cohort.id)
    audit.record("cohort.updated", cohort, actor=actor, capacity=capacity)
    return cohort


def _session(cohort: Cohort, session_id) -> CohortSession:
    return found_in_hub(CohortSession, session_id, "That session is not part of this cohort.", cohort_id=cohort.id)


def _editable(cohort: Cohort, session: CohortSession) -> None:
    if cohort.over:
        raise Conflict("This cohort is over; its sessions can no longer change.")
    if session.canceled:
        raise Conflict(f"Week {session.week}'s session is canceled already.")
    if session.starts_at <= utcnow():
        raise Conflict(f"Week {session.week}'s session has already started.")


def move_session(cohort: Cohort, session_id, day: date | None, starts: time | None, ends: time | None, *,
                 actor) -> CohortSession:
    """Put one session at another local date and time; members are told and calendars get an update."""
    session = _session(cohort, session_id)
    _editable(cohort, session)
    if day is None:
        raise ValidationFailed("Give the new date.", field="day")
    within_reach(day, today_in(cohort.timezone), field="day")
    minutes = duration_between(starts, ends)
    new_start = to_utc(day, starts, cohort.timezone)
    now = utcnow()
    if new_start <= now:
        raise ValidationFailed("Pick a time that has not passed yet.", field="day")
    if cohort.status is CohortStatus.OPEN and new_start < cohort.starts_at:
        raise ValidationFailed("Sessions happen once the cohort has started; pick the start date or later.",
                               field="day")
    old_start = session.starts_at
    session.starts_at, session.ends_at = new_start, new_start + timedelta(minutes=minutes)
    session.sequence += 1
    session.moved = True
    # Reminders count from the new time; one already inside its window is covered by the move notice.
    session.reminded_24h_at = now if new_start - now <= timedelta(hours=24) else None
    session.reminded_1h_at = now if new_start - now <= timedelta(hours=1) else None
    session.prompted_at = None
    _recompute_end(cohort)
    db.session.flush()
    audit.record("cohort.session_moved", cohort, actor=actor, week=session.week,
                 from_=old_start.isoformat(), to=new_start.isoformat())
    tell_members(cohort, f"{cohort.title}: week {session.week}'s session moved", "cohort_session_moved",
                 session=session, old_start=old_start)
    return session


def cancel_session(cohort: Cohort, session_id, *, actor) -> CohortSession:
    session = _session(cohort, session_id)
    _editable(cohort, session)
    _cancel(session)
    _recompute_end(cohort)
    db.session.flush()
    audit.record("cohort.session_canceled", cohort, actor=actor, week=session.week)
    tell_members(cohort, f"{cohort.title}: week {session.week}'s session is canceled", "cohort_session_canceled",
                 session=session)
    return session


def _cancel(session: CohortSession) -> None:
    now = utcnow()
    session.status = SessionStatus.CANCELED
    session.sequence += 1
    session.reminded_24h_at = session.reminded_24h_at or now
    session.reminded_1h_at = session.reminded_1h_at or now


def _recompute_end(cohort: Cohort) -> None:
    # The cohort completes after its last session that still happens (or its last one, if none does).
    live = [s.ends_at for s in cohort.sessions if not s.canceled]
    cohort.ends_at = max(live or [s.ends_at for s in cohort.sessions])


def cancel_cohort(cohort: Cohort, *, actor, reason: str = "") -> Cohort:
    """Call the whole cohort off: every session still ahead is canceled and everyone in or waiting is told."""
    reason = (reason or "").strip()
    if len(reason) > 1000:
        raise ValidationFailed("Keep the note under 1,000 characters.", field="reason")
    now = utcnow()
    if db.session.get(Cohort, cohort.id, with_for_update=True, populate_existing=True).over:
        raise Conflict("This cohort is over already.")
    for session in cohort.sessions:
        if not session.canceled and session.starts_at > now:
            _cancel(session)
        session.prompted_at = session.prompted_at or now
    cohort.status = CohortStatus.CANCELED
    cohort.canceled_at = now
    db.session.flush()
    audit.record("cohort.canceled", cohort, actor=actor, reason=reason)
    tell_members(cohort, f"{cohort.title} is canceled", "cohort_canceled", reason=reason,
                 statuses=(EnrollmentStatus.ENROLLED, EnrollmentStatus.WAITING))
    return cohort


def hub_cohorts(hub_id: int) -> list[Cohort]:
    return list(db.session.scalars(
        db.select(Cohort).where(Cohort.hub_id == hub_id).order_by(Cohort.starts_at, Cohort.id)))
