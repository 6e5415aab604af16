"""Turning a cohort's weekly rule into UTC session times that keep their local time across DST changes."""
from __future__ import annotations

from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo


def first_meeting(start_date: date, weekday: int) -> date:
    """The first `weekday` (0 = Monday) on or after `start_date`."""
    return start_date + timedelta(days=(weekday - start_date.weekday()) % 7)


def to_utc(day: date, at: time, zone: str) -> datetime:
    """The UTC instant of wall-clock `at` on `day` in `zone`.

    A time skipped by a spring-forward change (02:30 in Berlin on the last Sunday of March) is read
    with the offset before the change, so it lands an hour later on the wall clock (03:30); a time
    that happens twice in autumn means its first occurrence.
    """
    return datetime.combine(day, at, tzinfo=ZoneInfo(zone)).astimezone(timezone.utc)


def start_of_day(day: date, zone: str) -> datetime:
    return to_utc(day, time(0, 0), zone)


def session_times(start_date: date, weeks: int, weekday: int, at: time, duration_minutes: int,
                  zone: str) -> list[tuple[datetime, datetime]]:
    """(start, end) in UTC for each week: the same wall-clock time every week, whatever the offset."""
    first = first_meeting(start_date, weekday)
    length = timedelta(minutes=duration_minutes)
    times = []
    for week in range(weeks):
        starts = to_utc(first + timedelta(weeks=week), at, zone)
        times.append((starts, starts + length))
    return times
