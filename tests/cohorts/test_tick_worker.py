"""A real RQ worker runs the tick's cohort jobs from the real Redis, and a flushed Redis loses nothing."""
from __future__ import annotations

from collections import Counter
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue

from microhub import jobs
from microhub.cohorts.models import Cohort, CohortStatus
from microhub.database import utcnow
from microhub.extensions import db

from ..backends import redis_url
from ..test_worker import run_worker
from .helpers import enrolled_members, make_cohort
from .test_tick import sent

pytestmark = pytest.mark.parametrize("backend", ["postgresql"], indirect=True)


def first_session_in(cohort: Cohort, delta: timedelta) -> None:
    """Shift the whole cohort in time so its first session starts `delta` from now (the worker runs in real time)."""
    shift = utcnow() + delta - cohort.sessions[0].starts_at
    cohort.starts_at += shift
    cohort.ends_at += shift
    for session in cohort.sessions:
        session.starts_at += shift
        session.ends_at += shift
    db.session.commit()


def queued(url: str) -> int:
    conn = Redis.from_url(url)
    return sum(Queue(name, connection=conn).count for name in jobs.QUEUES)


def test_worker_runs_the_ticks_jobs_once_even_after_redis_was_flushed(app, app_factory, db_url):
    url = redis_url()
    cohort = make_cohort()
    people = enrolled_members(cohort, 2)
    first_session_in(cohort, timedelta(minutes=30))  # started at midnight; first session in half an hour
    web = app_factory(REDIS_URL=url)

    with web.app_context():
        jobs.tick()
    assert queued(url) == 3  # start the cohort, the (moot) 24-hour and the 1-hour reminder
    Redis.from_url(url).flushdb()  # Redis lost them all before any worker ran
    assert sent() == Counter()

    with web.app_context():
        jobs.tick()
        jobs.tick()  # a second tick before the worker gets to them queues the same work again
    assert queued(url) == 6
    run_worker(url, db_url)

    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status is CohortStatus.RUNNING
    assert sent() == Counter({"starts now": 2, "meets in an hour": 2})
    assert queued(url) == 0

    with web.app_context():
        jobs.tick()
    assert queued(url) == 0  # nothing is due any more: the markers are in the database
    run_worker(url, db_url)
    assert sent() == Counter({"starts now": 2, "meets in an hour": 2})
    assert len(people) == 2


def test_with_time_travel_a_flush_between_ticks_loses_nothing_and_doubles_nothing(app, app_factory):
    import time_machine
    from rq import SimpleWorker

    url = redis_url()
    conn = Redis.from_url(url)
    cohort = make_cohort(weeks=2)
    enrolled_members(cohort, 3)
    web = app_factory(REDIS_URL=url)
    for moment in (cohort.sessions[0].starts_at - timedelta(hours=23), cohort.starts_at + timedelta(minutes=1),
                   cohort.sessions[0].ends_at + timedelta(minutes=1), cohort.ends_at + timedelta(minutes=1)):
        with web.app_context(), time_machine.travel(moment, tick=False):
            jobs.tick()
            conn.flushdb()  # every job of this tick is lost
            jobs.tick()
            jobs.tick()
            SimpleWorker([Queue(name, connection=conn) for name in jobs.QUEUES], connection=conn).work(burst=True)
    assert sent() == Counter({"meets tomorrow": 3, "starts now": 3, "check-in": 3, "how did it go": 3})
