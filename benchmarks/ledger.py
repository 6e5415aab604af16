"""The ledger at scale: one hub with 1,000,000 entries beside 49 small ones.

    .venv/bin/python -m benchmarks.ledger         # BENCH_LEDGER_ROWS=1000000 by default

Measures recomputing every month's totals of the big hub from raw rows through MicroHub's own code (what
`ledger verify` checks the kept month totals against), printed beside PostgreSQL's own GROUP BY over the same rows on a bare psycopg
connection (median of reps); and the public report page and the month's JSON for the big hub against the
same for a hub of 999 rows, in one process, taking turns (requests per second and SQL statements).
"""
from __future__ import annotations

import os
import statistics
import time

import psycopg
from sqlalchemy import text

from .common import bench_database

ROWS = int(os.environ.get("BENCH_LEDGER_ROWS", "1000000"))
REPS = int(os.environ.get("BENCH_LEDGER_REPS", "7"))
#: The 49 other hubs; the smallest of them is the 1,000-row page the big hub's page is compared with.
SMALL_HUBS, SMALL_ROWS = 49, 999
PAGE_REQUESTS = int(os.environ.get("BENCH_LEDGER_REQUESTS", "200"))

#: One payment = three entries (income, cash, fee), spread over twelve months; ids, hashes and sources are
#: made unique arithmetically (the chain is not what is measured here).
SEED = """
INSERT INTO ledger_groups (hub_id, seq, kind, source_type, source_ref, charge_ref, occurred_at, month, adjustment,
                           memo, details, actor, recorded_at, prev_hash, hash)
SELECT :hub, g, 'payment', 'bench', :hub || '-' || g, 'ch_' || :hub || '-' || g,
       timestamptz '2026-01-01' + (g % 365) * interval '1 day', date_trunc('month', date '2026-01-01' + (g % 365))::date,
       false, 'Membership payment', '{}', 'stripe', now(), lpad(to_hex(:hub * 10000000 + g - 1), 64, '0'),
       lpad(to_hex(:hub * 10000000 + g), 64, '0')
FROM generate_series(1, :groups) AS g;
INSERT INTO ledger_entries (group_id, hub_id, month, account, amount_minor, currency)
SELECT id, hub_id, month, a.account, a.amount, 'EUR'
FROM ledger_groups, (VALUES ('income.membership', -900), ('cash', 861), ('spending.processor_fees', 39)) AS a(account, amount)
WHERE hub_id = :hub;
INSERT INTO ledger_month_totals (hub_id, month, account, currency, amount_minor)
SELECT hub_id, month, account, currency, sum(amount_minor) FROM ledger_entries WHERE hub_id = :hub
GROUP BY hub_id, month, account, currency;
"""
RAW_GROUP_BY = ("SELECT month, account, currency, sum(amount_minor) FROM ledger_entries WHERE hub_id = %s "
                "GROUP BY month, account, currency")


def seed(url: str) -> int:
    """The big hub's id, after inserting its rows and the small hubs' (enum values, as the ORM stores them)."""
    from microhub.app import create_app
    from microhub.extensions import db

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        for n in range(SMALL_HUBS + 1):
            db.session.execute(text("INSERT INTO hubs (slug, name, purpose, cap, seats_taken, currency, timezone, "
                                    "is_public, created_at, promises, rituals, rules) VALUES (:s, :s, 'bench', 20, 0, "
                                    "'EUR', 'UTC', true, now(), '', '', '')"), {"s": f"ledger-{n}"})
        ids = db.session.scalars(text("SELECT id FROM hubs ORDER BY id")).all()
        for hub_id in ids:
            rows = ROWS if hub_id == ids[0] else SMALL_ROWS
            for statement in SEED.split(";")[:3]:
                db.session.execute(text(statement), {"hub": hub_id, "groups": rows // 3})
        db.session.commit()
        _publish_closed_months(ids)
        db.session.execute(text("ANALYZE"))
        db.session.commit()
        db.engine.dispose()
    return ids[0]


def _publish_closed_months(hub_ids: list[int]) -> None:
    """As a hub with a year behind it would have: every closed month published, the running one live."""
    from microhub.extensions import db
    from microhub.hubs.models import Hub
    from microhub.ledger.publishing import publish_month
    from microhub.ledger.reports import current_month

    for hub_id in hub_ids:
        hub = db.session.get(Hub, hub_id)
        months = sorted(set(db.session.scalars(text(f"SELECT DISTINCT month FROM ledger_groups WHERE hub_id = {hub_id}"))))
        for month in months:
            if month < current_month(hub):
                publish_month(hub, month, note="", user_id=None)
        db.session.commit()


def median_seconds(fn) -> float:
    fn()  # warm the caches and the plan
    runs = []
    for _ in range(REPS):
        started = time.perf_counter()
        fn()
        runs.append(time.perf_counter() - started)
    return statistics.median(runs)


def raw_group_by(url: str, hub_id: int) -> float:
    with psycopg.connect(url.replace("postgresql+psycopg://", "postgresql://")) as conn:
        return median_seconds(lambda: conn.execute(RAW_GROUP_BY, (hub_id,)).fetchall())


def ours(url: str, hub_id: int) -> tuple[float, float]:
    """(every month's totals recomputed from the raw entries, as `ledger verify` does; the report's read of the
    kept month totals)."""
    from microhub.app import create_app
    from microhub.extensions import db
    from microhub.hubs.models import Hub
    from microhub.ledger import chain, reports
    from microhub.ledger.models import LedgerEntry

    with create_app("test", {"SQLALCHEMY_DATABASE_URI": url}).app_context():
        hub = db.session.get(Hub, hub_id)
        raw = median_seconds(lambda: (chain._sums(LedgerEntry, hub_id), db.session.rollback()))
        kept = median_seconds(lambda: (reports.months(hub), db.session.rollback()))
        return raw, kept


def pages(url: str, slugs: dict[str, str]) -> dict[str, tuple[float, float, int]]:
    """(page req/s, JSON req/s, statements per page) for each hub, rounds taking turns."""
    from sqlalchemy import event

    from microhub.app import create_app
    from microhub.extensions import db

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    client = app.test_client()
    month = f"{time.gmtime().tm_year}-{time.gmtime().tm_mon:02d}"  # the running month: public, not final
    seen = {"n": 0}
    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", lambda *a: seen.__setitem__("n", seen["n"] + 1))
    results = {name: [[], [], 0] for name in slugs}
    for _ in range(3):
        for name, slug in slugs.items():
            for index, path in enumerate((f"/h/{slug}/transparency", f"/api/v1/hubs/{slug}/transparency/{month}")):
                assert client.get(path).status_code == 200, path
                seen["n"] = 0
                started = time.perf_counter()
                for _ in range(PAGE_REQUESTS):
                    client.get(path)
                results[name][index].append(PAGE_REQUESTS / (time.perf_counter() - started))
                if index == 0:
                    results[name][2] = seen["n"] // PAGE_REQUESTS
    return {name: (statistics.median(page), statistics.median(api), count) for name, (page, api, count)
            in results.items()}


def main() -> None:
    with bench_database() as url:
        started = time.perf_counter()
        hub_id = seed(url)
        print(f"seeded {ROWS:,} entries for one hub and {SMALL_HUBS} hubs of {SMALL_ROWS:,} "
              f"in {time.perf_counter() - started:.1f} s")
        raw, (mine, kept) = raw_group_by(url, hub_id), ours(url, hub_id)
        print(f"every month's totals of the big hub from its raw rows: MicroHub {mine * 1000:.0f} ms, PostgreSQL's "
              f"own GROUP BY {raw * 1000:.0f} ms (median of {REPS}; ratio {mine / raw:.2f}); the report reads the "
              f"kept month totals in {kept * 1000:.1f} ms")
        figures = pages(url, {"big": "ledger-0", "small": "ledger-1"})
        for name, (page, api, count) in figures.items():
            print(f"{name} hub: page {page:.0f} req/s, month JSON {api:.0f} req/s, {count} statements per page")
        print(f"page ratio big/small {figures['big'][0] / figures['small'][0]:.2f}, "
              f"JSON ratio {figures['big'][1] / figures['small'][1]:.2f}")


if __name__ == "__main__":
    main()
