"""Scheduler tick over 10,000 cohorts and 100,000 sessions: its SQL statements, and its time against one indexed SELECT.

    .venv/bin/python -m benchmarks.tick           # also run by `python -m benchmarks.run`
"""
from __future__ import annotations

import os
import statistics
import time
from contextlib import contextmanager
from datetime import datetime, timedelta, timezone
from datetime import time as clock

import psycopg
from redis import Redis
from sqlalchemy import event, insert, text

from .common import REDIS, bench_database

REPS = int(os.environ.get("BENCH_TICK_REPS", "50"))
WEEKS = 10
#: Cohorts start evenly spread from HISTORY ago to FUTURE ahead; each meets weekly for WEEKS weeks.
HISTORY = timedelta(weeks=70)
FUTURE = timedelta(weeks=10)


def seed(count: int, due_per_kind: int) -> None:
    """`count` cohorts of 10 weekly sessions, marked as past ticks left them, with a few of each kind still due."""
    from microhub.cohorts.models import Cohort, CohortSession, CohortStatus
    from microhub.database import utcnow
    from microhub.extensions import db
    from microhub.hubs.models import Hub

    now = utcnow().replace(second=0, microsecond=0)
    hub = Hub(slug="bench", name="Bench", purpose="Measure the tick", cap=10)
    db.session.add(hub)
    db.session.flush()

    def marked(due: datetime) -> datetime | None:
        return due if due <= now else None

    firsts = [(now - HISTORY + i * (HISTORY + FUTURE) / count).replace(second=0, microsecond=0) for i in range(count)]
    cohorts = []
    for i, first in enumerate(firsts):
        starts_at = datetime.combine(first.date(), clock(0), timezone.utc)
        ends_at = first + timedelta(weeks=WEEKS - 1, minutes=90)
        status = (CohortStatus.OPEN if starts_at > now else
                  CohortStatus.COMPLETED if ends_at <= now else CohortStatus.RUNNING)
        cohorts.append(dict(
            hub_id=hub.id, title=f"Cohort {i}", goal="Ship one thing", start_date=first.date(), weeks=WEEKS,
            weekday=first.weekday(), local_time=first.time(), duration_minutes=90, timezone="UTC", status=status,
            starts_at=starts_at, ends_at=ends_at, started_at=marked(starts_at),
            completed_at=ends_at if status is CohortStatus.COMPLETED else None))
    sessions = []
    for first in firsts:
        for week in range(1, WEEKS + 1):
            starts_at = first + timedelta(weeks=week - 1)
            ends_at = starts_at + timedelta(minutes=90)
            sessions.append(dict(week=week, starts_at=starts_at, ends_at=ends_at,
                                 reminded_24h_at=marked(starts_at - timedelta(hours=24)),
                                 reminded_1h_at=marked(starts_at - timedelta(hours=1)), prompted_at=marked(ends_at)))

    def unmark(rows: list[dict], due_at, **values) -> None:
        # The last ones to fall due are still unmarked, as if the scheduler had been down a while.
        for row in sorted((r for r in rows if due_at(r) <= now), key=due_at, reverse=True)[:due_per_kind]:
            row.update(values)

    unmark(cohorts, lambda c: c["starts_at"], status=CohortStatus.OPEN, started_at=None)
    unmark(cohorts, lambda c: c["ends_at"], status=CohortStatus.RUNNING, completed_at=None)
    unmark(sessions, lambda s: s["starts_at"] - timedelta(hours=24), reminded_24h_at=None)
    unmark(sessions, lambda s: s["starts_at"] - timedelta(hours=1), reminded_1h_at=None)
    unmark(sessions, lambda s: s["ends_at"], prompted_at=None)

    ids = db.session.scalars(insert(Cohort).returning(Cohort.id, sort_by_parameter_order=True), cohorts).all()
    for index, session in enumerate(sessions):
        session["cohort_id"] = ids[index // WEEKS]
    db.session.execute(insert(CohortSession), sessions)
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()


@contextmanager
def statements(engine):
    """Collect (SQL, parameters) of every statement the engine sends meanwhile."""
    seen = []

    def listener(conn, cursor, statement, parameters, context, executemany):
        seen.append((statement, parameters))

    event.listen(engine, "before_cursor_execute", listener)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", listener)


def medians_ms(*fns) -> list[float]:
    """Median time of each function, taking turns, so that other load on the machine hits them alike."""
    times = [[] for _ in fns]
    for rep in range(REPS + 1):
        for fn, spent in zip(fns, times):
            start = time.perf_counter()
            fn()
            if rep:  # the first round warms caches and connections
                spent.append(time.perf_counter() - start)
    return [statistics.median(spent) * 1000 for spent in times]


def scan_of(plan: list[str]) -> str:
    return next((line.strip(" ->").split("  (")[0] for line in plan if "Scan" in line), plan[0])


def settled_plans(conn: psycopg.Connection, queries: dict) -> dict[str, list[str]]:
    """Each query's plan on a reused connection, where psycopg prepares it and PostgreSQL may go generic."""
    conn.execute("LOAD 'auto_explain'")
    conn.execute("SET auto_explain.log_min_duration = 0")
    conn.execute("SET auto_explain.log_level = notice")
    notes = []
    conn.add_notice_handler(lambda diagnostic: notes.append(diagnostic.message_primary))
    for _ in range(15):  # prepared after 5 runs; 5 custom plans later PostgreSQL may keep a generic one
        notes.clear()
        for sql, params in queries.values():
            conn.execute(sql, params).fetchall()
    return {kind: note.splitlines() for kind, note in zip(queries, notes)}


def measure(cohorts: int, due_per_kind: int) -> dict:
    """Seed a fresh database, then time the cohort tick, the full tick and one indexed SELECT of due rows."""
    from microhub import jobs
    from microhub.app import create_app
    from microhub.cohorts.tasks import due_work, enqueue_due_cohort_work
    from microhub.extensions import db

    def cohort_tick():
        enqueue_due_cohort_work()
        db.session.commit()

    redis = Redis.from_url(REDIS)
    redis.flushdb()
    with bench_database() as url:
        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url, "REDIS_URL": REDIS})
        with app.app_context():
            start = time.perf_counter()
            seed(cohorts, due_per_kind)
            seed_s = time.perf_counter() - start
            due = {kind: len(ids) for kind, ids in due_work().items()}
            db.session.commit()
            with statements(db.engine) as cohort_sql:
                cohort_tick()
            with statements(db.engine) as tick_sql:
                jobs.tick()
            assert redis.llen(f"rq:queue:{jobs.DEFAULT}") == 2 * sum(due.values())  # really on the queue
            # The 24-hour reminder query exactly as the tick sent it, alone on an autocommitting connection.
            sql, params = next(s for s in cohort_sql if "reminded_24h_at IS NULL" in s[0])
            with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://"), autocommit=True) as conn:
                tick_ms, due_ms, full_ms, select_ms = medians_ms(
                    cohort_tick, lambda: (due_work(), db.session.commit()), jobs.tick,
                    lambda: conn.execute(sql, params).fetchall())
                queries = dict(zip(due, cohort_sql))  # due_work's queries come first, in its order
                plans = {kind: [row[0] for row in conn.execute("EXPLAIN " + statement, parameters)]
                         for kind, (statement, parameters) in queries.items()}
                settled = settled_plans(conn, queries)
            db.engine.dispose()
    redis.flushdb()
    return {"cohorts": cohorts, "seed_s": seed_s, "due": due,
            "cohort_statements": len(cohort_sql), "tick_statements": len(tick_sql),
            "tick_ms": tick_ms, "due_ms": due_ms, "full_ms": full_ms, "select_ms": select_ms,
            "ratio": tick_ms / select_ms, "plans": plans, "settled": settled}


def tick_benchmark() -> dict:
    """The tick at 10,000 cohorts, and its statement count again at 1,000 with fewer items due."""
    return {"large": measure(10_000, due_per_kind=4), "small": measure(1_000, due_per_kind=1)}


def rows(result: dict) -> list[str]:
    large, small = result["large"], result["small"]
    due = sum(large["due"].values())
    return [
        f"| scheduler tick, cohort part ({due} due → RQ), 10,000 cohorts / 100,000 sessions, "
        f"vs one indexed SELECT of due rows | {large['tick_ms']:.1f} ms | {large['select_ms']:.2f} ms "
        f"| {large['ratio']:.0f} | well under 1 s |",
        f"| SQL statements for the cohort tick, 10,000 cohorts ({due} due) / 1,000 cohorts "
        f"({sum(small['due'].values())} due) | {large['cohort_statements']} / {small['cohort_statements']} "
        f"| | | fixed, small |",
        f"| full `jobs.tick()` (every periodic function), 10,000 cohorts | {large['full_ms']:.1f} ms, "
        f"{large['tick_statements']} statements | | | well under 1 s |",
    ]


def report(result: dict) -> None:
    """Print what the table leaves out: items due, the plans, and where the tick's time goes."""
    for size in ("large", "small"):
        r = result[size]
        print(f"\n{r['cohorts']} cohorts: seeded in {r['seed_s']:.1f} s; due {r['due']}; "
              f"cohort tick {r['tick_ms']:.1f} ms, of which the 5 due queries + commit {r['due_ms']:.1f} ms; "
              f"one SELECT {r['select_ms']:.2f} ms")
    large = result["large"]
    print("\nPlans, 100,000 sessions: on a new connection | on one reused past 10 ticks (auto_explain)")
    for kind, plan in large["plans"].items():
        settled = large["settled"][kind]
        print(f"  {kind:<10} {scan_of(plan)} | {scan_of(settled)}, {settled[0].split('  ')[0]}")
    print("\nEXPLAIN of the 24-hour reminder query, 100,000 sessions:")
    print("\n".join(result["large"]["plans"]["remind_24"]))


def main() -> None:
    result = tick_benchmark()
    print("| benchmark | ours | baseline | ratio | budget |")
    print("|---|---|---|---|---|")
    print("\n".join(rows(result)))
    report(result)


if __name__ == "__main__":
    main()
