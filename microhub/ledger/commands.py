"""`microhub ledger verify` (recompute every hub's hash chain) and `microhub ledger reconcile` (against the
processor's balance transactions)."""
from __future__ import annotations

from datetime import date

import click
from flask.cli import AppGroup

from ..extensions import db
from ..hubs.models import Hub
from .chain import verify
from .reconcile import reconcile
from .tasks import recent_months

ledger_cli = AppGroup("ledger", help="Check the money ledger.")


@ledger_cli.command("verify")
@click.option("--hub", "slug", help="Only this hub (its slug).")
def verify_command(slug: str | None):
    """Recompute each hub's chain: every hash, link and sum. Exits 1 if anything was changed behind its back."""
    broken = 0
    for hub in _hubs(slug):
        result = verify(hub.id)
        click.echo(f"{hub.slug}: {result.groups} movement(s), " + ("chain intact" if result.ok else
                                                                    f"{len(result.problems)} problem(s)"))
        for problem in result.problems:
            click.echo(f"    {problem}")
        broken += not result.ok
    if broken:
        raise SystemExit(1)


def _hubs(slug: str | None) -> list[Hub]:
    query = db.select(Hub).order_by(Hub.id)
    hubs = db.session.scalars(query.where(Hub.slug == slug) if slug else query).all()
    if slug and not hubs:
        raise click.UsageError(f"No hub is called {slug!r}.")
    return hubs


@ledger_cli.command("reconcile")
@click.option("--hub", "slug", help="Only this hub (its slug).")
@click.option("--month", help="YYYY-MM; by default the current and the previous month.")
def reconcile_command(slug: str | None, month: str | None):
    """Compare the ledger with the processor's balance transactions; every difference of a minor unit counts."""
    try:
        wanted = date.fromisoformat(f"{month}-01") if month else None
    except ValueError:
        raise click.UsageError(f"--month takes a month such as 2026-11, not {month!r}.") from None
    for hub in _hubs(slug):
        for each in ([wanted] if wanted else recent_months(hub)):
            outcome = reconcile(hub, each)
            db.session.commit()
            click.echo(f"{hub.slug} {each:%Y-%m}: " + ("reconciled" if not outcome.differences else
                                                      f"{outcome.differences} difference(s)"))
            for difference in outcome.details:
                click.echo(f"    {difference['ref']}: ledger {difference['ledger']}, "
                           f"processor {difference['processor']}")
