"""The tick does each cohort action exactly once: double ticks, ticks after a gap, two ticks at once."""
from __future__ import annotations

import threading
from collections import Counter
from datetime import timedelta

import pytest
import time_machine

from microhub import jobs
from microhub.cohorts import services
from microhub.cohorts import tasks as tick
from microhub.cohorts.models import Cohort, CohortStatus
from microhub.extensions import db

from ..mail import mails, subjects
from .helpers import enrolled_members, make_cohort


def sent() -> Counter:
    """How many messages went out per kind of notice (the subject's tail names it)."""
    kinds = Counter()
    for subject in subjects():
        for kind in ("meets tomorrow", "meets in an hour", "starts now", "check-in", "how did it go",
                     "without a free place", "moved", "canceled"):
            if kind in subject:
                kinds[kind] += 1
    return kinds


def tick_at(moment, times: int = 1) -> None:
    with time_machine.travel(moment, tick=False):
        for _ in range(times):
            jobs.tick()
    db.session.commit()


def test_a_cohort_runs_start_to_finish_with_each_notice_sent_once_however_often_the_tick_runs(app):
    cohort = make_cohort(weeks=3)
    people = enrolled_members(cohort, 3)
    first, second, last = cohort.sessions

    tick_at(first.starts_at - timedelta(hours=25), times=2)
    assert sent() == Counter()

    tick_at(first.starts_at - timedelta(hours=23), times=3)
    assert sent() == Counter({"meets tomorrow": 3})

    tick_at(cohort.starts_at + timedelta(minutes=1), times=2)
    assert sent() == Counter({"meets tomorrow": 3, "starts now": 3})
    assert db.session.get(Cohort, cohort.id).status is CohortStatus.RUNNING

    tick_at(first.starts_at - timedelta(minutes=59), times=2)
    tick_at(first.ends_at + timedelta(minutes=1), times=2)
    assert sent() == Counter({"meets tomorrow": 3, "starts now": 3, "meets in an hour": 3, "check-in": 3})

    # The scheduler was down for almost two weeks: nothing about week 2 is sent late; week 3's hour is near.
    tick_at(last.starts_at - timedelta(minutes=30), times=2)
    assert sent() == Counter({"meets tomorrow": 3, "starts now": 3, "meets in an hour": 6, "check-in": 3})

    tick_at(last.ends_at + timedelta(minutes=1), times=2)
    tick_at(last.ends_at + timedelta(days=3), times=2)
    assert sent() == Counter({"meets tomorrow": 3, "starts now": 3, "meets in an hour": 6, "check-in": 3,
                              "how did it go": 3})
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status is CohortStatus.COMPLETED
    assert all(s.reminded_24h_at and s.reminded_1h_at and s.prompted_at for s in cohort.sessions)
    recipients = {m.to for m in mails()}
    assert recipients == {p.email for p in people}


def test_a_job_run_twice_sends_once(app):
    cohort = make_cohort()
    enrolled_members(cohort, 2)
    session = cohort.sessions[0]
    with time_machine.travel(session.starts_at - timedelta(hours=20), tick=False):
        tick.send_reminder(session.id, 24)
        tick.send_reminder(session.id, 24)
    assert sent() == Counter({"meets tomorrow": 2})


def test_canceled_sessions_and_cohorts_send_no_reminders_and_a_canceled_cohort_never_completes(app):
    cohort = make_cohort(weeks=2)
    organizer = None
    enrolled_members(cohort, 2)
    services.cancel_session(cohort, cohort.sessions[0].id, actor=organizer)
    db.session.commit()
    tick_at(cohort.sessions[0].starts_at - timedelta(minutes=30))
    assert sent() == Counter({"canceled": 2, "starts now": 2})  # no reminder, only the cancellation notice

    services.cancel_cohort(cohort, actor=organizer, reason="Too few people this time.")
    db.session.commit()
    tick_at(cohort.sessions[1].starts_at - timedelta(minutes=30))
    tick_at(cohort.ends_at + timedelta(hours=1))
    assert sent() == Counter({"canceled": 4, "starts now": 2})
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status is CohortStatus.CANCELED


def test_people_still_waiting_at_the_start_are_told_they_missed_it(app):
    cohort = make_cohort(capacity=2)
    enrolled_members(cohort, 3)
    tick_at(cohort.starts_at + timedelta(minutes=1))
    assert sent()["without a free place"] == 1
    assert sent()["starts now"] == 2


def test_a_moved_session_is_reminded_at_its_new_time(app):
    cohort = make_cohort()
    enrolled_members(cohort, 1)
    session = cohort.sessions[1]
    new_day = (session.starts_at + timedelta(days=2)).date()
    with time_machine.travel(cohort.starts_at - timedelta(days=1), tick=False):
        services.move_session(cohort, session.id, new_day, cohort.local_time.replace(hour=8),
                              cohort.local_time.replace(hour=9), actor=None)
        db.session.commit()
    db.session.refresh(session)
    assert session.sequence == 1
    tick_at(session.starts_at - timedelta(hours=25))  # week 2's old time is past, its new one not yet near
    assert sent()["meets tomorrow"] == 0
    tick_at(session.starts_at - timedelta(hours=23))
    assert sent()["meets tomorrow"] == 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_ticks_at_the_same_instant_send_each_reminder_once(app_factory):
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": 10, "max_overflow": 0})
    with app.app_context():
        cohort = make_cohort()
        enrolled_members(cohort, 4)
        moment = cohort.sessions[0].starts_at - timedelta(hours=23)
    barrier = threading.Barrier(4)
    errors = []

    def run():
        with app.app_context(), time_machine.travel(moment, tick=False):
            db.session.connection()
            barrier.wait()
            try:
                jobs.tick()
            except Exception as exc:  # noqa: BLE001  reported below
                errors.append(exc)

    threads = [threading.Thread(target=run) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        assert sent() == Counter({"meets tomorrow": 4})


def test_the_check_in_prompt_skips_people_who_already_checked_in_that_week(app):
    from microhub.cohorts.checkins import post_checkin

    cohort = make_cohort(weeks=3)
    early, late = enrolled_members(cohort, 2)
    first = cohort.sessions[0]
    tick_at(cohort.starts_at + timedelta(minutes=1))
    with time_machine.travel(first.starts_at + timedelta(minutes=30), tick=False):  # during the session
        post_checkin(db.session.get(Cohort, cohort.id), early, 1, "Shipped the login page.", "", "Write tests.")
        db.session.commit()
    tick_at(first.ends_at + timedelta(minutes=1), times=2)
    prompted = {m.to for m in mails(subject_contains="check-in")}
    assert prompted == {late.email}
