"""`jobs.enqueue` runs work only after a commit (in-process, or on RQ with the real Redis), and `tick` runs every periodic task."""
from __future__ import annotations

import logging

import pytest
from flask import current_app
from redis import Redis
from rq import Queue

from microhub import jobs
from microhub.email import OutboxMessage
from microhub.extensions import db
from microhub.hubs.models import Hub

from . import jobfuncs
from .jobfuncs import subjects
from .mail import mails
from .backends import redis_url

CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture(autouse=True)
def no_calls():
    jobfuncs.calls.clear()
    yield
    jobfuncs.calls.clear()


@pytest.fixture
def job_log(db_url, caplog, monkeypatch):
    """`caplog` for microhub.jobs, which Alembic's fileConfig disabled when `db_url` migrated the database."""
    monkeypatch.setattr(logging.getLogger("microhub.jobs"), "disabled", False)
    return caplog


def new_hub(slug: str = "job-hub") -> Hub:
    """A hub added and flushed in the open transaction, not committed."""
    hub = Hub(slug=slug, name="Job hub", purpose="Proves when jobs run.", cap=10)
    db.session.add(hub)
    db.session.flush()
    return hub


# In-process (no REDIS_URL)

def test_inline_job_waits_for_the_commit_then_sees_the_committed_row_in_its_own_session(app):
    hub = new_hub()
    jobs.enqueue(jobfuncs.note_hub, hub.id)
    assert jobfuncs.calls == [] and subjects() == []  # nothing runs inside the open transaction

    db.session.commit()
    [call] = jobfuncs.calls
    assert call["found"] is True and call["hub_id"] == hub.id
    assert call["session"] is not db.session()  # the job had a session of its own
    assert subjects() == ["saw job-hub"]


def test_inline_job_of_a_rolled_back_transaction_never_runs(app):
    hub = new_hub()
    jobs.enqueue(jobfuncs.note_hub, hub.id)
    db.session.rollback()
    assert jobfuncs.calls == []

    # The dropped job does not ride along with the next transaction's commit either.
    db.session.add(OutboxMessage(to="other@example.org", subject="later", body_text="x"))
    db.session.commit()
    assert jobfuncs.calls == [] and subjects() == []
    assert db.session.scalar(db.select(db.func.count(Hub.id))) == 0


def test_inline_job_enqueued_outside_a_transaction_runs_at_once(app):
    hub_id = new_hub().id  # read before the commit: reading it after would open a new transaction
    db.session.commit()
    jobs.enqueue(jobfuncs.note_hub, hub_id)
    assert [c["found"] for c in jobfuncs.calls] == [True]
    assert subjects() == ["saw job-hub"]


def test_inline_job_enqueued_in_a_released_savepoint_still_waits_for_the_outer_commit(app):
    hub = new_hub()
    with db.session.begin_nested():
        jobs.enqueue(jobfuncs.note_hub, hub.id)
    assert jobfuncs.calls == []  # releasing a savepoint commits nothing yet

    db.session.commit()
    assert [c["found"] for c in jobfuncs.calls] == [True]
    assert subjects() == ["saw job-hub"]


def test_inline_job_enqueued_in_a_released_savepoint_is_dropped_when_the_transaction_rolls_back(app):
    hub = new_hub()
    with db.session.begin_nested():
        jobs.enqueue(jobfuncs.note_hub, hub.id)
    db.session.rollback()
    db.session.commit()
    assert jobfuncs.calls == [] and subjects() == []


def test_rolling_back_a_savepoint_drops_only_the_jobs_enqueued_inside_it(app):
    kept = new_hub("kept-hub")
    jobs.enqueue(jobfuncs.note_hub, kept.id)
    savepoint = db.session.begin_nested()
    dropped = new_hub("dropped-hub")
    jobs.enqueue(jobfuncs.note_hub, dropped.id)
    savepoint.rollback()

    db.session.commit()
    assert [c["hub_id"] for c in jobfuncs.calls] == [kept.id]
    assert subjects() == ["saw kept-hub"]


def test_inline_job_of_a_transaction_closed_without_commit_never_runs_and_is_logged(app, job_log):
    hub = new_hub()
    jobs.enqueue(jobfuncs.note_hub, hub.id)
    with job_log.at_level(logging.WARNING, logger="microhub.jobs"):
        db.session.close()  # the same session object is used again below
    assert any("closed without commit" in r.getMessage() and "tests.jobfuncs:note_hub" in r.getMessage()
               for r in job_log.records)

    db.session.add(OutboxMessage(to="other@example.org", subject="later", body_text="x"))
    db.session.commit()
    assert jobfuncs.calls == [] and subjects() == []


def test_job_enqueued_after_reading_a_committed_row_waits_for_another_commit(app):
    hub = new_hub()
    db.session.commit()
    jobs.enqueue(jobfuncs.note_hub, hub.id)  # reading the expired `hub.id` opened a new transaction
    assert jobfuncs.calls == []
    db.session.commit()
    assert [c["found"] for c in jobfuncs.calls] == [True]


def test_failing_inline_job_is_logged_and_the_commit_stands_when_jobs_do_not_raise(app, app_factory, job_log):
    lenient = app_factory(JOBS_RAISE=False)
    with lenient.app_context():
        hub = new_hub()
        jobs.enqueue(jobfuncs.explode, "inline kaboom")
        db.session.commit()
        assert [c["job"] for c in jobfuncs.calls] == ["explode"]
        assert db.session.get(Hub, hub.id) is not None
        assert subjects() == []  # the failed job's own row was rolled back
    assert any("inline job tests.jobfuncs:explode" in r.getMessage() and r.exc_info for r in job_log.records)


# On RQ with the real Redis

def test_redis_job_is_put_on_the_named_queue_only_after_commit(app, app_factory):
    url = redis_url()
    queued = app_factory(REDIS_URL=url)
    high = Queue(jobs.HIGH, connection=Redis.from_url(url))
    with queued.app_context():
        hub_id = new_hub().id
        jobs.enqueue(jobfuncs.note_hub, hub_id, queue_name=jobs.HIGH)
        assert high.count == 0

        db.session.commit()
    [job] = high.jobs
    assert job.func_name == "microhub.jobs.run"
    assert job.args == ("tests.jobfuncs:note_hub", hub_id)
    assert Queue(jobs.DEFAULT, connection=high.connection).count == 0
    assert jobfuncs.calls == []  # a worker runs it, not the web process


def test_redis_job_of_a_rolled_back_transaction_is_never_queued(app, app_factory):
    url = redis_url()
    queued = app_factory(REDIS_URL=url)
    with queued.app_context():
        hub = new_hub()
        jobs.enqueue(jobfuncs.note_hub, hub.id)
        db.session.rollback()
        db.session.commit()
    assert Queue(jobs.DEFAULT, connection=Redis.from_url(url)).count == 0


def test_commit_succeeds_and_the_lost_job_is_logged_when_redis_is_down(app, app_factory, job_log):
    down = app_factory(REDIS_URL=CLOSED_REDIS)
    with down.app_context(), job_log.at_level(logging.WARNING, logger="microhub.jobs"):
        hub = new_hub()
        jobs.enqueue(jobfuncs.note_hub, hub.id)
        db.session.commit()  # does not raise
    assert db.session.scalar(db.select(Hub.slug)) == "job-hub"
    assert jobfuncs.calls == []
    [record] = [r for r in job_log.records if r.name == "microhub.jobs"]
    assert record.levelno == logging.WARNING
    assert "queue unreachable" in record.getMessage() and "tests.jobfuncs:note_hub" in record.getMessage()


def test_signup_request_succeeds_and_keeps_the_mail_in_the_outbox_when_redis_is_down(app, app_factory, job_log):
    down = app_factory(REDIS_URL=CLOSED_REDIS, SMTP_URL="smtp://127.0.0.1:1")
    client = down.test_client()
    with job_log.at_level(logging.WARNING, logger="microhub.jobs"):
        response = client.submit("/signup", {
            "name": "Katherine Johnson", "email": "katherine@example.org",
            "password": "quiet-river-4821", "timezone": "Europe/Berlin",
        })
    assert response.status_code == 200, response.get_data(as_text=True)
    [message] = mails()
    assert message.to == "katherine@example.org" and message.sent_at is None and message.attempts == 0
    assert any("queue unreachable" in r.getMessage() and "microhub.email:deliver" in r.getMessage()
               for r in job_log.records)


# The scheduler tick

def periodic_row(subject: str):
    """A periodic task that adds a row and leaves committing to `tick`."""
    def task():
        db.session.add(OutboxMessage(to="jobs@example.org", subject=subject, body_text="periodic"))
    return task


def failing_task():
    db.session.add(OutboxMessage(to="jobs@example.org", subject="from the failing task", body_text="x"))
    db.session.flush()
    raise RuntimeError("periodic kaboom")


def test_tick_runs_every_periodic_task_and_commits_its_work(app, monkeypatch):
    monkeypatch.setitem(current_app.extensions, jobs.PERIODIC, (periodic_row("first"), periodic_row("second")))
    jobs.tick()
    db.session.rollback()  # what tick committed stays
    assert subjects() == ["first", "second"]


def test_failing_periodic_task_does_not_stop_the_others(app, app_factory, monkeypatch, job_log):
    lenient = app_factory(JOBS_RAISE=False)
    monkeypatch.setitem(lenient.extensions, jobs.PERIODIC, (periodic_row("before"), failing_task, periodic_row("after")))
    with lenient.app_context():
        jobs.tick()
    assert subjects() == ["before", "after"]  # the failing task's row was rolled back
    assert any("periodic task tests.test_jobs:failing_task failed" in r.getMessage() and r.exc_info
               for r in job_log.records)


def test_failing_periodic_task_is_raised_in_tests_after_the_others_ran(app, monkeypatch):
    monkeypatch.setitem(current_app.extensions, jobs.PERIODIC, (periodic_row("before"), failing_task, periodic_row("after")))
    assert current_app.config["JOBS_RAISE"]
    with pytest.raises(RuntimeError, match="periodic kaboom"):
        jobs.tick()
    assert subjects() == ["before", "after"]


def test_outbox_sweep_is_a_registered_periodic_task(app):
    from microhub.email import sweep_outbox

    assert sweep_outbox in jobs.periodic_tasks()
