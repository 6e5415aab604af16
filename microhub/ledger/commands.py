"""`microhub ledger verify`: recompute every hub's hash chain from its rows and say what does not hold."""
from __future__ import annotations

import click
from flask.cli import AppGroup

from ..extensions import db
from ..hubs.models import Hub
from .chain import verify

ledger_cli = AppGroup("ledger", help="Check the money ledger.")


@ledger_cli.command("verify")
@click.option("--hub", "slug", help="Only this hub (its slug).")
def verify_command(slug: str | None):
    """Recompute each hub's chain: every hash, link and sum. Exits 1 if anything was changed behind its back."""
    query = db.select(Hub).order_by(Hub.id)
    if slug:
        query = query.where(Hub.slug == slug)
    hubs = db.session.scalars(query).all()
    if slug and not hubs:
        raise click.UsageError(f"No hub is called {slug!r}.")
    broken = 0
    for hub in hubs:
        result = verify(hub.id)
        click.echo(f"{hub.slug}: {result.groups} movement(s), " + ("chain intact" if result.ok else
                                                                    f"{len(result.problems)} problem(s)"))
        for problem in result.problems:
            click.echo(f"    {problem}")
        broken += not result.ok
    if broken:
        raise SystemExit(1)
