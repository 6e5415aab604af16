"""Run every benchmark and print a Markdown table of ratios measured in this one run.

    .venv/bin/python -m benchmarks.run            # needs PostgreSQL and Redis, like `make test`
"""
from __future__ import annotations

import json
import os
import socket
import statistics
import subprocess
import sys
import time
import uuid

import stripe
from redis import Redis

from . import tick
from .common import REDIS, bench_database
from .load import post_all

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
N = int(os.environ.get("BENCH_REQUESTS", "3000"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def signed_events(count: int) -> list[tuple[bytes, dict]]:
    out = []
    for _ in range(count):
        body = json.dumps({"id": f"evt_bench_{uuid.uuid4().hex}", "object": "event", "type": "customer.created",
                           "created": int(time.time()), "data": {"object": {"id": "cus_1", "object": "customer"}}})
        header = stripe.WebhookSignature.generate_signature_header(body, "whsec_bench")
        out.append((body.encode(), {"Stripe-Signature": header, "Content-Type": "application/json"}))
    return out


def ingest_benchmark(url: str) -> dict:
    """Webhook ingest (verify + store + enqueue) vs a bare Flask endpoint, same gunicorn, same run; medians of rounds."""
    port = free_port()
    env = {**os.environ, "DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://"), "REDIS_URL": REDIS,
           "MICROHUB_ENV": "production", "SECRET_KEY": "bench-secret", "PYTHONPATH": ROOT}
    server = subprocess.Popen([os.path.join(os.path.dirname(sys.executable), "gunicorn"), "-w", "4", "-b",
                               f"127.0.0.1:{port}", "--log-level", "warning", "benchmarks.wsgi_bench:app"],
                              cwd=ROOT, env=env)
    try:
        for _ in range(100):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        post_all(port, "/bare/", [(b"{}", {})] * 200)  # warm both paths
        post_all(port, "/webhooks/stripe", signed_events(200))
        # Rounds take turns, so a burst of other load on the shared cores hits both sides of one round.
        rounds = []
        for _ in range(ROUNDS):
            bare, bare_ok = post_all(port, "/bare/", [(b"{}", {"Content-Type": "application/json"})] * N)
            ingest, ingest_ok = post_all(port, "/webhooks/stripe", signed_events(N))
            assert bare_ok == N and ingest_ok == N, (bare_ok, ingest_ok)
            rounds.append((bare, ingest))
    finally:
        server.terminate()
        server.wait(10)
    return {"bare_rps": statistics.median(b for b, _ in rounds), "ingest_rps": statistics.median(i for _, i in rounds),
            "ratio": statistics.median(i / b for b, i in rounds), "rounds": rounds}


def processing_benchmark(url: str) -> dict:
    """Event processing vs a no-op RQ job, on the same in-process worker and Redis; the two take turns, round after
    round (`BENCH_ROUNDS`), each round on fresh events, and the ratio is the median of the rounds' ratios."""
    from rq import Queue, SimpleWorker

    from microhub import jobs
    from microhub.app import create_app
    from microhub.billing.processing import process_event

    conn = Redis.from_url(REDIS)
    conn.flushdb()
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None})
    jobs.bind_app(app)
    count = max(100, N // 6)
    queue = Queue("bench", connection=conn)

    def timed(enqueue_all) -> float:
        enqueue_all()
        worker = SimpleWorker([queue], connection=conn)
        start = time.perf_counter()
        worker.work(burst=True)
        return count / (time.perf_counter() - start)

    rounds = []
    for round_no in range(ROUNDS):
        ids = _stored_refunds(app, f"evt_proc_{round_no}_", count)
        noop = timed(lambda: [queue.enqueue(time.monotonic) for _ in range(count)])
        real = timed(lambda: [queue.enqueue(jobs.run, jobs._dotted(process_event), event_id) for event_id in ids])
        _check_one_attempt_each(app, f"evt_proc_{round_no}_", count)
        rounds.append((noop, real))
    return {"noop_jps": statistics.median(n for n, _ in rounds), "process_jps": statistics.median(r for _, r in rounds),
            "ratio": statistics.median(r / n for n, r in rounds), "rounds": rounds}


def _stored_refunds(app, prefix: str, count: int) -> list[int]:
    from microhub.billing.models import PaymentEvent
    from microhub.extensions import db

    with app.app_context():
        for i in range(count):
            db.session.add(PaymentEvent(stripe_id=f"{prefix}{i}", type="charge.refunded", created=int(time.time()),
                                        payload={"data": {"object": {"id": f"ch_{i}", "amount_refunded": 900,
                                                                     "currency": "eur"}}}))
        db.session.commit()
        return db.session.scalars(db.select(PaymentEvent.id).where(PaymentEvent.stripe_id.like(f"{prefix}%"))).all()


def _check_one_attempt_each(app, prefix: str, count: int) -> None:
    from microhub.billing.models import PaymentEvent
    from microhub.extensions import db

    with app.app_context():
        # A refund of a charge the ledger has not recorded yet waits for its payment (one attempt, retried later):
        # every job locked its event, asked the ledger, and recorded its outcome.
        done = db.session.scalar(db.select(db.func.count(PaymentEvent.id)).where(
            PaymentEvent.stripe_id.like(f"{prefix}%"), PaymentEvent.attempts == 1))
        assert done == count, done


def query_counts(url: str) -> dict:
    """SQL statements per request for the public hub page and its JSON, with 500 members."""
    from sqlalchemy import event

    from microhub.accounts.models import User
    from microhub.app import create_app
    from microhub.billing.services import create_plan
    from microhub.extensions import db
    from microhub.hubs.services import HubInfo, create_hub
    from microhub.memberships.services import admit

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        organizer = User(email="org@bench.local", name="Org", password_hash="x")
        db.session.add(organizer)
        db.session.flush()
        hub = create_hub(organizer, "bench", HubInfo(name="Bench", purpose="Measure", cap=500))
        for plan in ("Member", "Supporter"):
            create_plan(hub, name=plan, includes="x", price="9.00", interval="month")
        users = [User(email=f"m{i}@bench.local", name=f"M{i}", password_hash="x") for i in range(500)]
        db.session.add_all(users)
        db.session.flush()
        for user in users:
            admit(hub, user)
        db.session.commit()
        engine = db.engine
    counts = {}
    client = app.test_client()
    for path in ("/h/bench", "/api/v1/hubs/bench"):
        statements = []
        listener = lambda *args: statements.append(args[2])  # noqa: E731
        event.listen(engine, "before_cursor_execute", listener)
        assert client.get(path).status_code == 200
        event.remove(engine, "before_cursor_execute", listener)
        counts[path] = len(statements)
    return counts


def main() -> None:
    with bench_database() as url:
        ingest = ingest_benchmark(url)
        processing = processing_benchmark(url)
        queries = query_counts(url)
    ticks = tick.tick_benchmark()  # seeds its own, larger databases
    print("| benchmark | ours | baseline | ratio | budget |")
    print("|---|---|---|---|---|")
    print(f"| webhook ingest (verify+store+enqueue) vs bare Flask, gunicorn -w 4 | {ingest['ingest_rps']:.0f} req/s "
          f"| {ingest['bare_rps']:.0f} req/s | {ingest['ratio']:.2f} | ≥ 0.50 |")
    print(f"| event processing vs no-op RQ job, same worker | {processing['process_jps']:.0f} jobs/s "
          f"| {processing['noop_jps']:.0f} jobs/s | {processing['ratio']:.2f} | ≥ 0.50 |")
    for path, count in queries.items():
        print(f"| SQL queries for `{path}` with 500 members | {count} | | | fixed, small |")
    print("\n".join(tick.rows(ticks)))
    tick.report(ticks)


if __name__ == "__main__":
    main()
