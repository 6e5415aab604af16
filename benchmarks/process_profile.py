"""CPU, wall time and database round trips per processed event, in one process, as RQ's worker calls the job
(`jobs.run` outside an application context): `run.py`'s processing benchmark without RQ around it.

    .venv/bin/python -m benchmarks.process_profile            # 300 `charge.refunded` events a round, 3 rounds
    BENCH_REQUESTS=600 .venv/bin/python -m benchmarks.process_profile 40   # and cProfile's top 40 (CPU time)

Round trips are what psycopg sends: SQLAlchemy's statements, psycopg's own commands (BEGIN, COMMIT, ROLLBACK,
DEALLOCATE) and queries sent on its client-side binding cursor. The events wait for a payment the ledger does not
have, so each job locks its event, asks the ledger, and records a retry (`run._check_one_attempt_each`).
"""
from __future__ import annotations

import cProfile
import os
import pstats
import statistics
import sys
import time

import psycopg
from sqlalchemy import event

from . import run
from .common import bench_database

N = int(os.environ.get("BENCH_REQUESTS", "300"))
ROUNDS = int(os.environ.get("BENCH_ROUNDS", "3"))
_sent: list = []


def _counting(method):
    def counted(self, *args, **kwargs):
        _sent.append(1)
        return method(self, *args, **kwargs)
    return counted


def main() -> None:
    top = int(sys.argv[1]) if len(sys.argv) > 1 else 0
    psycopg.BaseConnection._exec_command = _counting(psycopg.BaseConnection._exec_command)
    psycopg.ClientCursor.execute = _counting(psycopg.ClientCursor.execute)
    with bench_database() as url:
        from microhub import jobs
        from microhub.app import create_app
        from microhub.billing.processing import process_event
        from microhub.extensions import db

        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": None})
        jobs.bind_app(app)
        with app.app_context():
            engine = db.engine
        event.listen(engine, "before_cursor_execute", lambda *args: _sent.append(1))
        dotted, figures = jobs._dotted(process_event), []
        for round_no in range(ROUNDS + 1):  # the first round warms up
            ids = run._stored_refunds(app, f"evt_profile_{round_no}_", N)
            _sent.clear()
            cpu, wall = time.process_time(), time.perf_counter()
            for event_id in ids:
                jobs.run(dotted, event_id)
            cpu, wall = time.process_time() - cpu, time.perf_counter() - wall
            run._check_one_attempt_each(app, f"evt_profile_{round_no}_", N)
            if round_no:
                figures.append((cpu * 1000 / N, wall * 1000 / N, len(_sent) / N))
        if top:
            ids = run._stored_refunds(app, "evt_profile_top_", N)
            profiler = cProfile.Profile(time.process_time)
            profiler.runcall(lambda: [jobs.run(dotted, event_id) for event_id in ids])
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(top)
        cpu, wall, trips = (statistics.median(f[i] for f in figures) for i in range(3))
        print(f"process_event {cpu:6.2f} ms CPU/event  {wall:6.2f} ms wall/event  {trips:4.1f} round trips/event")
        engine.dispose()


if __name__ == "__main__":
    main()
