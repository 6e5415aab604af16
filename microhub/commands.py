"""CLI commands: `microhub demo`, `microhub worker`, `microhub scheduler`."""
from __future__ import annotations

import os

import click
from rq import SimpleWorker, Worker
from rq.cron import CronScheduler
from flask import current_app
from flask.cli import ScriptInfo, pass_script_info, with_appcontext

from . import jobs
from .billing.models import EventStatus, PaymentEvent
from .demo import ORGANIZER_EMAIL, ORGANIZER_PASSWORD, load_demo
from .extensions import db


@click.command("demo")
@click.option("--yes", is_flag=True, help="Load the demo even in production (it adds known demo logins).")
@with_appcontext
def demo_command(yes: bool):
    """Load the demo hub, its organizer and a few members. Safe to run again."""
    if current_app.config["MICROHUB_ENV"] == "production" and not yes:
        raise click.UsageError("This is a production MicroHub: the demo adds accounts whose passwords are public. "
                               "Run `microhub demo --yes` if you really want them here.")
    hub = load_demo()
    db.session.commit()
    base = current_app.config["MICROHUB_BASE_URL"]
    click.echo(f"Demo hub ready: {base}/h/{hub.slug}  ({hub.seats_taken}/{hub.cap} seats taken)")
    click.echo(f"Demo organizer login: {ORGANIZER_EMAIL} / {ORGANIZER_PASSWORD}")


def _redis_or_fail(app):
    conn = jobs.redis_connection(app)
    if conn is None:
        raise click.UsageError("REDIS_URL is not set: without it jobs run inside the web process, "
                               "and no separate worker or scheduler is needed.")
    return conn


@click.command("worker")
@click.option("--burst", is_flag=True, help="Stop when the queues are empty.")
@click.option("--queues", default=",".join(jobs.QUEUES), show_default=True, help="Queues to serve, in order.")
@click.option("--simple", is_flag=True, help="Run jobs in this process instead of a forked child.")
@pass_script_info
def worker_command(info: ScriptInfo, burst: bool, queues: str, simple: bool):
    """Run an RQ worker; every job runs inside a MicroHub application context."""
    app = info.load_app()
    conn = _redis_or_fail(app)
    jobs.bind_app(app)
    # A forked job must not reuse the parent's database connections.
    os.register_at_fork(after_in_child=lambda: _dispose_engines(app))
    worker_class = SimpleWorker if simple else Worker
    worker = worker_class([jobs.queue(name.strip(), app) for name in queues.split(",") if name.strip()],
                          connection=conn)
    worker.work(burst=burst, with_scheduler=True)


def _dispose_engines(app) -> None:
    with app.app_context():
        for engine in db.engines.values():
            engine.dispose(close=False)


@click.command("scheduler")
@click.option("--interval", default=60, show_default=True, help="Seconds between ticks.")
@pass_script_info
def scheduler_command(info: ScriptInfo, interval: int):
    """Enqueue the scheduler tick every minute (RQ cron); workers run it."""
    build_cron(info.load_app(), interval).start()


def build_cron(app, interval: int = 60):
    """The RQ cron scheduler `microhub scheduler` runs: the tick, on the low queue, every `interval` seconds."""
    cron = CronScheduler(connection=_redis_or_fail(app), name=f"microhub-scheduler-{os.getpid()}")
    cron.register(jobs.run, queue_name=jobs.LOW, args=("microhub.jobs:tick",), interval=interval,
                  name="microhub-tick")
    return cron


@click.command("events")
@click.option("--all", "show_all", is_flag=True, help="Also list processed events.")
@click.option("--status", type=click.Choice(["pending", "ignored", "dead", "processed"]), multiple=True,
              help="Only events in this state (repeatable).")
@with_appcontext
def events_command(show_all: bool, status: tuple[str, ...]):
    """List payment events that need a look: waiting (with their last error), ignored and dead, with reasons."""
    wanted = [EventStatus(s) for s in status] or (
        list(EventStatus) if show_all else [EventStatus.PENDING, EventStatus.IGNORED, EventStatus.DEAD])
    rows = db.session.scalars(db.select(PaymentEvent).where(PaymentEvent.status.in_(wanted))
                              .order_by(PaymentEvent.received_at.desc()).limit(100)).all()
    for event in rows:
        click.echo(f"{event.received_at:%Y-%m-%d %H:%M} {event.stripe_id} {event.type} [{_state(event)}]")
        if event.last_error and event.status is not EventStatus.PROCESSED:
            click.echo(f"    {'why' if event.status is EventStatus.IGNORED else 'error'}: {event.last_error}")
    if not rows:
        click.echo("No payment events need a look." if not show_all else "No payment events.")


def _state(event) -> str:
    if event.status.value == "pending":
        retry = f", next try {event.next_attempt_at:%Y-%m-%d %H:%M} UTC" if event.next_attempt_at else ""
        return f"waiting, {event.attempts} attempt(s){retry}"
    if event.status.value == "dead":
        return f"dead after {event.attempts} attempt(s)"
    return event.status.value
