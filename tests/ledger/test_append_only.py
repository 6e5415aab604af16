"""The ledger is append-only in the database itself, balanced per currency, written once per source, and
its hash chain shows a row changed behind its back."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest
from sqlalchemy.exc import IntegrityError

from microhub.extensions import db
from microhub.ledger import chain
from microhub.ledger.models import Account, GroupKind, LedgerEntry, LedgerGroup
from microhub.ledger.services import Line, Unbalanced, post

from ..conftest import APPEND_ONLY
from ..factories import HubFactory

WHEN = datetime(2026, 3, 14, 12, 0, tzinfo=timezone.utc)


def pay(hub, ref: str, gross: int = 900, fee: int = 38):
    group = post(hub, kind=GroupKind.PAYMENT, source=("invoice", ref), occurred_at=WHEN, actor="stripe",
                 lines=[Line(Account.MEMBERSHIP_INCOME, -gross, "EUR"), Line(Account.CASH, gross - fee, "EUR"),
                        Line(Account.PROCESSOR_FEES, fee, "EUR")], charge_ref=f"ch_{ref}")
    db.session.commit()
    return group


@pytest.mark.parametrize("statement", [
    "UPDATE ledger_entries SET amount_minor = amount_minor + 1",
    "DELETE FROM ledger_entries",
    "UPDATE ledger_groups SET memo = 'quietly changed'",
    "DELETE FROM ledger_groups",
])
def test_the_database_refuses_to_change_or_remove_ledger_rows(app, statement):
    pay(HubFactory(), "in_1")
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(db.text(statement))
    assert db.session.scalar(db.select(db.func.sum(LedgerEntry.amount_minor))) == 0
    assert db.session.scalar(db.select(db.func.count(LedgerEntry.id))) == 3


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has no TRUNCATE
def test_truncate_is_refused_too_on_postgresql(app):
    pay(HubFactory(), "in_1")
    with pytest.raises(IntegrityError):
        with db.engine.begin() as conn:
            conn.execute(db.text("TRUNCATE ledger_entries CASCADE"))


def test_a_group_that_does_not_sum_to_zero_per_currency_is_refused_and_writes_nothing(app):
    hub = HubFactory()
    for lines in ([Line(Account.CASH, 100, "EUR"), Line(Account.MEMBERSHIP_INCOME, -99, "EUR")],
                  [Line(Account.CASH, 100, "EUR"), Line(Account.MEMBERSHIP_INCOME, -100, "USD")],
                  [Line(Account.CASH, 0, "EUR")], [],
                  [Line(Account.CASH, 1.5, "EUR"), Line(Account.MEMBERSHIP_INCOME, -1.5, "EUR")]):
        with pytest.raises(Unbalanced):
            post(hub, kind=GroupKind.PAYMENT, source=("test", str(len(lines))), lines=lines, occurred_at=WHEN,
                 actor="test")
    assert db.session.scalar(db.select(db.func.count(LedgerGroup.id))) == 0


def test_the_same_source_is_written_once(app):
    hub = HubFactory()
    first = pay(hub, "in_7")
    assert pay(hub, "in_7") is None
    assert db.session.scalars(db.select(LedgerGroup.id)).all() == [first.id]


def test_groups_chain_per_hub_and_verify_passes(app):
    one, two = HubFactory(), HubFactory()
    groups = [pay(one, "in_a"), pay(two, "in_b"), pay(one, "in_c")]
    assert [g.seq for g in groups] == [1, 1, 2]
    assert groups[2].prev_hash == groups[0].hash and groups[0].prev_hash == chain.GENESIS
    assert chain.verify(one.id).ok and chain.verify(two.id).ok and chain.verify(one.id).groups == 2


def _behind_its_back(statement: str) -> None:
    """Change a row the way only someone with the database's keys could: triggers off, then on again."""
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            conn.execute(db.text("SET LOCAL session_replication_role = replica"))
            conn.execute(db.text(statement))
        else:
            for name in APPEND_ONLY:
                conn.execute(db.text(f"DROP TRIGGER {name}"))
            conn.execute(db.text(statement))
            for create in APPEND_ONLY.values():
                conn.execute(db.text(create))


@pytest.mark.parametrize("statement, finding", [
    ("UPDATE ledger_entries SET amount_minor = amount_minor * 2 WHERE account = 'spending.processor_fees'",
     "does not match its hash"),
    ("UPDATE ledger_groups SET memo = 'rewritten' WHERE seq = 1", "does not match its hash"),
    ("DELETE FROM ledger_entries WHERE account = 'spending.processor_fees'", "does not match its hash"),
    ("UPDATE ledger_month_totals SET amount_minor = amount_minor + 1 WHERE account = 'cash'",
     "month totals disagree"),
])
def test_verify_finds_a_row_changed_behind_its_back(app, statement, finding):
    hub = HubFactory()
    pay(hub, "in_1")
    pay(hub, "in_2")
    _behind_its_back(statement)
    db.session.expire_all()
    result = chain.verify(hub.id)
    assert not result.ok and any(finding in problem for problem in result.problems), result.problems


def test_ledger_verify_command_reports_an_intact_chain_and_exits_1_on_a_changed_row(app):
    hub = HubFactory(slug="ledgered")
    pay(hub, "in_1")
    runner = app.test_cli_runner()
    intact = runner.invoke(args=["ledger", "verify"])
    assert intact.exit_code == 0 and "ledgered: 1 movement(s), chain intact" in intact.output
    _behind_its_back("UPDATE ledger_entries SET amount_minor = -amount_minor")
    broken = runner.invoke(args=["ledger", "verify", "--hub", "ledgered"])
    assert broken.exit_code == 1 and "does not match its hash" in broken.output
    assert runner.invoke(args=["ledger", "verify", "--hub", "nope"]).exit_code == 2
