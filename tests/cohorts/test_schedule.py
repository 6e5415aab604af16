"""Sessions keep their wall-clock time across daylight-saving changes (Berlin and New York, spring and autumn)."""
from __future__ import annotations

from datetime import date, datetime, time, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine

from microhub.cohorts.schedule import first_meeting, session_times, to_utc

from .helpers import make_cohort

UTC = timezone.utc


def local(moments, zone):
    return [m.astimezone(ZoneInfo(zone)) for m in moments]


@pytest.mark.parametrize(("zone", "start", "weekday", "utc_hours"), [
    # Berlin springs forward on 28 March 2027: 19:00 is 18:00 UTC before, 17:00 UTC after.
    ("Europe/Berlin", date(2027, 3, 16), 1, [18, 18, 17, 17]),
    # Berlin falls back on 31 October 2027: 17:00 UTC before, 18:00 UTC after.
    ("Europe/Berlin", date(2027, 10, 19), 1, [17, 17, 18, 18]),
    # New York springs forward on 14 March 2027 (EST -5 to EDT -4).
    ("America/New_York", date(2027, 3, 1), 6, [0, 23, 23, 23]),
    # New York falls back on 7 November 2027; an October cohort runs across it.
    ("America/New_York", date(2027, 10, 20), 2, [23, 23, 23, 0]),
])
def test_weekly_sessions_keep_their_local_time_across_dst(zone, start, weekday, utc_hours):
    at = time(19, 0)
    times = session_times(start, 4, weekday, at, 90, zone)
    starts = [s for s, _ in times]
    assert [s.hour for s in starts] == utc_hours  # the UTC hour moves...
    assert all(m.time() == at and m.weekday() == weekday for m in local(starts, zone))  # ...the local time does not
    assert all((e - s).total_seconds() == 90 * 60 for s, e in times)
    assert all(s.tzinfo is not None and s.utcoffset().total_seconds() == 0 for s in starts)


def test_first_session_is_the_first_meeting_weekday_on_or_after_the_start_date():
    assert first_meeting(date(2027, 3, 16), 1) == date(2027, 3, 16)  # a Tuesday already
    assert first_meeting(date(2027, 3, 17), 1) == date(2027, 3, 23)
    assert first_meeting(date(2027, 3, 21), 0) == date(2027, 3, 22)


def test_times_the_clock_skips_or_repeats_resolve_predictably():
    # 02:30 does not exist in Berlin on 28 March 2027: it is read with the winter offset, so 03:30 CEST.
    skipped = to_utc(date(2027, 3, 28), time(2, 30), "Europe/Berlin")
    assert skipped == datetime(2027, 3, 28, 1, 30, tzinfo=UTC)
    assert skipped.astimezone(ZoneInfo("Europe/Berlin")).strftime("%H:%M %Z") == "03:30 CEST"
    # 02:30 happens twice on 31 October 2027: the first time (still summer time) is meant.
    assert to_utc(date(2027, 10, 31), time(2, 30), "Europe/Berlin") == datetime(2027, 10, 31, 0, 30, tzinfo=UTC)


def test_a_berlin_cohort_seen_from_new_york_shifts_only_while_the_two_changes_disagree():
    # Between 14 and 28 March 2027 New York is on summer time and Berlin is not: 19:00 Berlin is 14:00, not 13:00.
    times = session_times(date(2027, 3, 9), 4, 1, time(19, 0), 60, "Europe/Berlin")
    seen = [m.strftime("%d %H:%M") for m in local([s for s, _ in times], "America/New_York")]
    assert seen == ["09 13:00", "16 14:00", "23 14:00", "30 13:00"]


def test_created_cohorts_store_generated_sessions_in_utc_and_start_at_local_midnight(app):
    with time_machine.travel(datetime(2027, 3, 1, 12, tzinfo=UTC), tick=False):
        cohort = make_cohort(start_date=date(2027, 3, 16), weekday=1, weeks=4, timezone="Europe/Berlin")
    assert [s.week for s in cohort.sessions] == [1, 2, 3, 4]
    assert [s.starts_at.hour for s in cohort.sessions] == [18, 18, 17, 17]
    assert cohort.starts_at == datetime(2027, 3, 15, 23, 0, tzinfo=UTC)  # midnight, 16 March, CET
    assert cohort.ends_at == cohort.sessions[-1].ends_at
    assert all(s.starts_at.astimezone(ZoneInfo("Europe/Berlin")).hour == 19 for s in cohort.sessions)
