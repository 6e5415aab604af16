"""`microhub scheduler` puts the tick on RQ's cron; a worker running that tick sweeps the outbox."""
from __future__ import annotations

import contextvars
import signal
from datetime import timedelta

import pytest
from redis import Redis
from rq import Queue, SimpleWorker
from rq.cron import CronScheduler
from rq.registry import FailedJobRegistry

from microhub import jobs
from microhub.commands import build_cron
from microhub.database import utcnow
from microhub.email import OutboxMessage
from microhub.extensions import db

from .backends import redis_url

CLOSED_SMTP = "smtp://127.0.0.1:1"  # nothing listens on port 1


def work_burst(queue_name: str, url: str, monkeypatch, app) -> None:
    """Run one queue to empty in this process, as `microhub worker` would: no app context but the bound app."""
    monkeypatch.setattr(jobs, "_app", app)
    worker = SimpleWorker([Queue(queue_name, connection=Redis.from_url(url))], connection=Redis.from_url(url))
    handlers = {sig: signal.getsignal(sig) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        # An empty context hides the test's own application context, so the job opens its own.
        contextvars.Context().run(worker.work, burst=True)
    finally:
        for sig, handler in handlers.items():  # the worker installed its own; Ctrl-C must reach pytest
            signal.signal(sig, handler)


def outbox_row(**fields) -> int:
    message = OutboxMessage(to="member@example.org", subject="Waiting", body_text="x", **fields)
    db.session.add(message)
    db.session.commit()
    return message.id


def test_cron_enqueues_the_tick_on_the_low_queue(app, app_factory):
    url = redis_url()
    cron = build_cron(app_factory(REDIS_URL=url), interval=60)

    [registered] = cron.enqueue_jobs()
    assert registered.name == "microhub-tick" and registered.interval == 60

    conn = Redis.from_url(url)
    [job] = Queue(jobs.LOW, connection=conn).jobs
    assert job.func_name == "microhub.jobs.run" and job.args == ("microhub.jobs:tick",)
    assert Queue(jobs.DEFAULT, connection=conn).count == 0 and Queue(jobs.HIGH, connection=conn).count == 0


def test_tick_run_by_a_worker_sweeps_the_outbox_and_the_delivery_attempt_is_recorded(app, app_factory, monkeypatch):
    url = redis_url()
    worker_app = app_factory(REDIS_URL=url, SMTP_URL=CLOSED_SMTP)
    stuck = outbox_row(created_at=utcnow() - timedelta(minutes=10))
    fresh = outbox_row()  # its own delivery job may still be on its way: not swept yet
    sent = outbox_row(created_at=utcnow() - timedelta(minutes=10), sent_at=utcnow())

    build_cron(worker_app, interval=60).enqueue_jobs()
    work_burst(jobs.LOW, url, monkeypatch, worker_app)

    conn = Redis.from_url(url)
    assert Queue(jobs.LOW, connection=conn).count == 0
    [deliver] = Queue(jobs.DEFAULT, connection=conn).jobs
    assert deliver.args == ("microhub.email:deliver", stuck)

    work_burst(jobs.DEFAULT, url, monkeypatch, worker_app)

    db.session.expire_all()
    row = db.session.get(OutboxMessage, stuck)
    assert row.attempts == 1 and row.sent_at is None and row.last_error.startswith("ConnectionRefusedError")
    assert FailedJobRegistry(jobs.DEFAULT, connection=conn).get_job_ids() == [deliver.id]
    assert [db.session.get(OutboxMessage, i).attempts for i in (fresh, sent)] == [0, 0]


def test_scheduler_command_starts_the_cron_with_the_tick(app, app_factory, monkeypatch):
    started = []
    monkeypatch.setattr(CronScheduler, "start", lambda cron: started.append(cron))
    scheduling = app_factory(REDIS_URL=redis_url())
    result = scheduling.test_cli_runner().invoke(args=["scheduler", "--interval", "30"])
    assert result.exit_code == 0, result.output
    [cron] = started
    assert [(j.name, j.func_name, j.args, j.queue_name, j.interval) for j in cron.get_jobs()] == [
        ("microhub-tick", "microhub.jobs.run", ("microhub.jobs:tick",), jobs.LOW, 30)
    ]


@pytest.mark.parametrize("command", ["scheduler", "worker"])
def test_scheduler_and_worker_refuse_to_start_without_redis(app, command):
    result = app.test_cli_runner().invoke(args=[command])
    assert result.exit_code == 2
    assert "REDIS_URL is not set" in result.output


def test_without_redis_the_first_request_starts_an_embedded_tick_that_stops_with_its_app(app_factory, monkeypatch):
    """`make run` without Redis: one ticking thread per process, started by the first request; an app thrown away
    (a test's, here) stops it, so no tick runs against a database that is gone."""
    import threading

    ticks = threading.Event()
    monkeypatch.setattr(jobs, "tick", ticks.set)
    started = []
    real_start = jobs.start_embedded_scheduler
    monkeypatch.setattr(jobs, "start_embedded_scheduler",
                        lambda app: started.append(real_start(app, interval=0.05)) or started[-1])
    served = app_factory("development", REDIS_URL=None, EMBEDDED_SCHEDULER=True)
    for _ in range(3):
        served.test_client().get("/healthz")
    assert len(started) == 1 and ticks.wait(5)
    served.extensions["microhub.scheduler_stop"].set()
    started[0].join(5)
    assert not started[0].is_alive()
