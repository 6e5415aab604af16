"""Background jobs: queue names, `enqueue`, the worker and the every-minute scheduler tick.

Without REDIS_URL every job runs in-process once the enqueuing transaction commits; with it,
jobs go to RQ and `microhub worker` runs them. Jobs take ids, reload rows, and are safe to run twice.
What the tick runs is listed in `microhub.wiring`.
"""
from __future__ import annotations

import importlib
import logging
import threading
import time
from typing import Callable

from flask import Flask, current_app, has_app_context
from redis import Redis
from redis.exceptions import RedisError
from rq import Queue, Retry
from sqlalchemy import event
from sqlalchemy.orm import Session

from .extensions import db

log = logging.getLogger(__name__)

#: Payments and webhooks: what people are waiting on.
HIGH = "high"
#: E-mail and everyday work.
DEFAULT = "default"
#: Housekeeping found by the tick.
LOW = "low"
QUEUES = (HIGH, DEFAULT, LOW)

_PENDING = "microhub.pending_jobs"
#: Where `create_app` keeps the tuple of periodic tasks (`microhub.wiring.PERIODIC_TASKS`).
PERIODIC = "microhub.periodic_tasks"
_app: Flask | None = None


def periodic_tasks(app: Flask | None = None) -> tuple[Callable[[], None], ...]:
    """What the tick runs, in order: the one list in `microhub.wiring`, given to the app by `create_app`."""
    return (app or current_app).extensions[PERIODIC]


def tick() -> None:
    """Run every periodic task once; each one finds due work in the database and enqueues idempotent jobs."""
    failed = None
    for fn in periodic_tasks():
        try:
            fn()
            db.session.commit()
        except Exception as exc:
            db.session.rollback()
            log.exception("periodic task %s failed", _dotted(fn))
            failed = failed or exc
    # One broken task must not starve the others; tests still get the first failure, afterwards.
    if failed is not None and current_app.config["JOBS_RAISE"]:
        raise failed


def redis_connection(app: Flask | None = None) -> Redis | None:
    app = app or current_app
    url = app.config["REDIS_URL"]
    if not url:
        return None
    conn = app.extensions.get("microhub.redis")
    if conn is None:
        conn = Redis.from_url(url, socket_connect_timeout=2, socket_timeout=5)
        app.extensions["microhub.redis"] = conn
    return conn


def queue(name: str = DEFAULT, app: Flask | None = None) -> Queue:
    return Queue(name, connection=redis_connection(app))


def enqueue(fn: Callable, *ids, queue_name: str = DEFAULT, retry: Retry | None = None,
            job_id: str | None = None, now: bool = False) -> None:
    """Run `fn(*ids)` in a worker once the current transaction commits (at once if none is open).

    A job never sees rows its enqueuer has not committed, and a rolled-back request enqueues nothing.
    `now=True` is for callers whose rows were committed outside the session (autocommitted statements).
    When Redis is down the job is logged and dropped: sweepers find the work again in the database.
    """
    job = (_dotted(fn), ids, queue_name, retry, job_id)
    if now:
        _dispatch(current_app._get_current_object(), [job])
        return
    session = db.session()
    if session.in_transaction():
        # The innermost savepoint is kept with the job, so rolling that savepoint back drops the job.
        session.info.setdefault(_PENDING, []).append((session.get_nested_transaction(), job))
    else:
        _dispatch(current_app._get_current_object(), [job])


@event.listens_for(Session, "after_commit")
def _after_commit(session: Session) -> None:
    # Releasing a savepoint fires this too, but nothing is committed until the outermost transaction is.
    if session.in_nested_transaction():
        return
    pending = session.info.pop(_PENDING, None)
    if pending and has_app_context():
        _dispatch(current_app._get_current_object(), [job for _, job in pending])


@event.listens_for(Session, "after_rollback")
def _after_rollback(session: Session) -> None:
    # Fired for the outermost transaction and for each savepoint: drop what was enqueued inside it.
    savepoint = session.get_nested_transaction()
    pending = session.info.pop(_PENDING, None)
    if savepoint is not None and pending:
        session.info[_PENDING] = [(sp, job) for sp, job in pending if not _within(sp, savepoint)]


@event.listens_for(Session, "after_transaction_end")
def _after_transaction_end(session: Session, transaction) -> None:
    # Commit and rollback took their jobs already. A transaction that was only closed (say a request that
    # read a row after its commit, which opens a new one) drops them, loudly, rather than run them later.
    if transaction.parent is None:
        dropped = session.info.pop(_PENDING, None)
        if dropped:
            log.warning("transaction closed without commit, dropped %s",
                        ", ".join(f"{dotted}{ids}" for _, (dotted, ids, *_) in dropped))


def _within(transaction, savepoint) -> bool:
    while transaction is not None:
        if transaction is savepoint:
            return True
        transaction = transaction.parent
    return False


def _dispatch(app: Flask, jobs: list) -> None:
    conn = redis_connection(app)
    if conn is None:
        for dotted, ids, *_ in jobs:
            _run_inline(app, dotted, ids)
        return
    # One MULTI/EXEC round trip for the whole batch; RQ's own `enqueue` makes two per job.
    try:
        pipe = conn.pipeline()
        for dotted, ids, queue_name, retry, job_id in jobs:
            Queue(queue_name, connection=conn).enqueue_call(
                run, args=(dotted, *ids), retry=retry, job_id=job_id, description=f"{dotted}{ids}", pipeline=pipe
            )
        pipe.execute()
    except RedisError as exc:
        for dotted, ids, *_ in jobs:
            log.warning("queue unreachable, %s%s left for the sweeper: %s", dotted, ids, exc)


def _run_inline(app: Flask, dotted: str, ids: tuple) -> None:
    # A fresh app context gives the job its own database session, as a worker would have.
    with app.app_context():
        try:
            _resolve(dotted)(*ids)
        except Exception:
            db.session.rollback()
            log.exception("inline job %s%s failed", dotted, ids)
            if app.config["JOBS_RAISE"]:
                raise


def bind_app(app: Flask) -> None:
    """Give worker processes the application their jobs run in."""
    global _app
    _app = app


def run(dotted: str, *ids):
    """The function RQ executes: call `dotted(*ids)` inside an application context."""
    if has_app_context():
        return _resolve(dotted)(*ids)
    if _app is None:
        raise RuntimeError("no MicroHub application is bound to this worker: start workers with `microhub worker`")
    with _app.app_context():
        return _resolve(dotted)(*ids)


def _dotted(fn: Callable) -> str:
    return f"{fn.__module__}:{fn.__qualname__}"


def _resolve(dotted: str) -> Callable:
    module, _, name = dotted.partition(":")
    return getattr(importlib.import_module(module), name)


def start_embedded_scheduler(app: Flask, interval: float = 60.0) -> threading.Thread:
    """Tick every `interval` seconds in a daemon thread: the embedded stand-in for `microhub scheduler`. It stops
    at the next tick once `app.extensions["microhub.scheduler_stop"]` is set (an app being thrown away)."""
    stop = app.extensions.setdefault("microhub.scheduler_stop", threading.Event())

    def loop():
        while not stop.wait(interval):
            with app.app_context():
                try:
                    tick()
                except Exception:  # keep ticking; the next minute may succeed
                    log.exception("embedded tick failed")

    thread = threading.Thread(target=loop, name="microhub-scheduler", daemon=True)
    thread.start()
    return thread
