"""CPU per request of the hot paths in one process, and where it goes: the seed of `hotpaths.py`, the production
app of `wsgi_bench.py`, Flask's test client, `time.process_time` (steadier than served figures on a busy machine).

    .venv/bin/python -m benchmarks.profile                      # every path, 300 requests each, 3 rounds
    .venv/bin/python -m benchmarks.profile member 40            # one path, cProfile's top 40 by own time
    BENCH_REQUESTS=1000 .venv/bin/python -m benchmarks.profile  # paths: bare visitor plain api member overview
                                                                #        webhook floor
    BENCH_TIMER=cpu .venv/bin/python -m benchmarks.profile overview 40  # cProfile's tables in CPU time

Statements per request are counted beside the CPU, so a saving bought with a round trip shows. `floor` posts the same
signed events to the minimal durable ingest (`wsgi_bench.floor`: raw INSERT … RETURNING on a kept psycopg connection and
one LPUSH), the CPU webhook ingest is compared with; its statement runs outside SQLAlchemy and is not counted.
"""
from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import tempfile
import time

from sqlalchemy import event

from .common import REDIS, bench_database
from .hotpaths import signed_file
from .seed import AGENT, seed_hub

N = int(os.environ.get("BENCH_REQUESTS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))


def _app(url: str):
    os.environ.update({"DATABASE_URL": url.replace("postgresql+psycopg://", "postgresql://"), "REDIS_URL": REDIS,
                       "MICROHUB_ENV": "production", "SECRET_KEY": "bench-secret"})
    from . import wsgi_bench

    return wsgi_bench


def _requests(bench, slug: str, cookies: dict) -> dict:
    """Each path as one callable making one request (webhooks: a new signed event each call)."""
    from werkzeug.test import Client

    client = Client(bench.app, use_cookies=False)
    headers = {"User-Agent": AGENT, "REMOTE_ADDR": "127.0.0.1"}
    events = iter(_signed())

    def get(path: str, cookie: str | None = None):
        extra = {"Cookie": cookie} if cookie else {}
        # From the address and browser the cookies were signed for (`seed._cookie`): else Flask-Login's session
        # protection marks the session not fresh, and every response re-signs a cookie no real browser would send.
        return lambda: _ok(client.get(path, headers={"User-Agent": AGENT, **extra},
                                      environ_base={"REMOTE_ADDR": "127.0.0.1"}))

    def signed_post(path: str):
        def post():
            signature, body = next(events)
            return _ok(client.post(path, data=body, headers={
                "Stripe-Signature": signature, "Content-Type": "application/json", **headers}))
        return post

    return {"bare": get("/bare/"), "visitor": get(f"/h/{slug}"), "plain": get("/h/plain"),
            "api": get(f"/api/v1/hubs/{slug}"), "member": get(f"/h/{slug}", cookies["member"]),
            "overview": get(f"/h/{slug}/manage", cookies["organizer"]), "webhook": signed_post("/webhooks/stripe"),
            "floor": signed_post("/floor/")}


def _signed():
    with tempfile.TemporaryDirectory() as tmp:  # enough for both webhook and floor, with a profile each
        with open(signed_file(tmp, "prof", 2 * (N * (ROUNDS + 2) + 50))) as lines:
            rows = [line.rstrip("\n").split("\t", 1) for line in lines]
    yield from rows


def _ok(response):
    assert response.status_code == 200, (response.status_code, response.get_data(as_text=True)[:300])
    response.close()
    return response


def measure(call, engine) -> tuple[float, float]:
    """Median CPU ms per request over ROUNDS of N, and statements per request."""
    statements = []
    listen = lambda *a: statements.append(1)  # noqa: E731
    event.listen(engine, "before_cursor_execute", listen)
    try:
        for _ in range(20):
            call()
        statements.clear()
        rounds = []
        for _ in range(ROUNDS):
            start = time.process_time()
            for _ in range(N):
                call()
            rounds.append((time.process_time() - start) * 1000 / N)
    finally:  # the next path's figures carry no listener of this one
        event.remove(engine, "before_cursor_execute", listen)
    return statistics.median(rounds), len(statements) / (N * ROUNDS)


def main() -> None:
    only = sys.argv[1:2]
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 0
    with bench_database() as url:
        slug, cookies = seed_hub(url)
        bench = _app(url)
        from microhub.extensions import db

        with bench.microhub.app_context():
            engine = db.engine
        calls = _requests(bench, slug, cookies)
        for name, call in calls.items():
            if only and name != only[0]:
                continue
            if top:
                for _ in range(20):
                    call()
                # BENCH_TIMER=cpu: cProfile counts CPU time (time.process_time), not time waiting for the database.
                profiler = cProfile.Profile(time.process_time) if os.environ.get("BENCH_TIMER") == "cpu" \
                    else cProfile.Profile()
                profiler.runcall(lambda: [call() for _ in range(N)])
                pstats.Stats(profiler).sort_stats("tottime").print_stats(top)
                pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)
            cpu, sql = measure(call, engine)
            print(f"{name:10s} {cpu:6.2f} ms CPU/request  {sql:4.1f} statements/request")
        engine.dispose()


if __name__ == "__main__":
    main()
