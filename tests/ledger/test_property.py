"""Property: whatever the order and however often the processor's news arrives, every movement balances and
the ledger's totals are what the processor says was paid, refunded and charged in fees."""
from __future__ import annotations

from datetime import datetime, timezone

from hypothesis import HealthCheck, given, settings, strategies as st

from microhub.extensions import db
from microhub.ledger import chain
from microhub.ledger.models import SPENDING_CATEGORIES, Account, GroupKind, LedgerEntry, LedgerGroup
from microhub.ledger.services import Line, PaymentNotRecorded, post, record_payment, record_refund, reverse

from ..factories import HubFactory

WHEN = datetime(2026, 5, 20, 10, 0, tzinfo=timezone.utc)

charge = st.integers(min_value=50, max_value=500_000).flatmap(lambda gross: st.tuples(
    st.just(gross), st.integers(min_value=0, max_value=gross),  # fee
    st.lists(st.integers(min_value=1, max_value=gross), max_size=3).map(sorted)))  # cumulative refunds
expense = st.tuples(st.sampled_from(SPENDING_CATEGORIES), st.integers(min_value=1, max_value=100_000))


def _deliveries(hub, charges, expenses, randomizer, repeats):
    """What the processor and the organizers send: each once, some twice, in a shuffled order."""
    ops = []
    for n, (gross, fee, refunds) in enumerate(charges):
        ref = f"{hub.id}-{n}"
        ops.append(lambda ref=ref, gross=gross, fee=fee: record_payment(
            hub, source=("invoice", f"in_{ref}"), income=Account.MEMBERSHIP_INCOME, gross=gross, fee=fee,
            currency="EUR", occurred_at=WHEN, charge_ref=f"ch_{ref}", details={}, memo="Membership payment"))
        ops += [lambda ref=ref, total=total: record_refund(f"ch_{ref}", refunded_total=total, currency="EUR",
                                                            occurred_at=WHEN) for total in refunds]
    for n, (category, amount) in enumerate(expenses):
        ops.append(lambda n=n, category=category, amount=amount: post(
            hub, kind=GroupKind.EXPENSE, source=("expense", f"{hub.id}-{n}"), occurred_at=WHEN, actor="organizer",
            lines=[Line(category, amount, "EUR"), Line(Account.CASH, -amount, "EUR")]))
    ops += [ops[i % len(ops)] for i in repeats] if ops else []
    randomizer.shuffle(ops)
    return ops


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(charges=st.lists(charge, max_size=5), expenses=st.lists(expense, max_size=4),
       repeats=st.lists(st.integers(min_value=0, max_value=50), max_size=6), randomizer=st.randoms(),
       corrections=st.lists(st.integers(min_value=0, max_value=50), max_size=2))
def test_any_order_and_repeats_leave_balanced_groups_whose_totals_match_the_processor(
        app, charges, expenses, repeats, randomizer, corrections):
    hub = HubFactory()
    waiting = _deliveries(hub, charges, expenses, randomizer, repeats)
    while waiting:  # a refund before its payment waits, as its event would, and is tried again
        later = []
        for op in waiting:
            try:
                op()
            except PaymentNotRecorded:
                later.append(op)
        assert len(later) < len(waiting) or not later
        waiting = later
    groups = db.session.scalars(db.select(LedgerGroup).filter_by(hub_id=hub.id).order_by(LedgerGroup.seq)).all()
    for index in corrections:  # a correction reverses a movement; the totals lose it, the chain keeps both
        if groups and not groups[index % len(groups)].kind == GroupKind.REVERSAL:
            reverse(groups[index % len(groups)], reason="entered twice", actor="organizer", occurred_at=WHEN)
    db.session.commit()

    totals = dict(db.session.execute(db.select(LedgerEntry.account, db.func.sum(LedgerEntry.amount_minor))
                                     .where(LedgerEntry.hub_id == hub.id).group_by(LedgerEntry.account)).all())
    reversed_ids = set(db.session.scalars(db.select(LedgerGroup.reverses_id).where(
        LedgerGroup.hub_id == hub.id, LedgerGroup.reverses_id.is_not(None))))
    kept = [g for g in db.session.scalars(db.select(LedgerGroup).filter_by(hub_id=hub.id))
            if g.id not in reversed_ids and g.kind is not GroupKind.REVERSAL]
    expected: dict = {}
    for group in kept:
        for entry in group.entries:
            expected[entry.account] = expected.get(entry.account, 0) + entry.amount_minor
    assert {a: int(t) for a, t in totals.items() if t} == {a: t for a, t in expected.items() if t}
    assert chain.verify(hub.id).ok
    if not corrections:  # what the processor said: paid, refunded (each charge's last total), fees
        assert -int(totals.get(Account.MEMBERSHIP_INCOME, 0)) == sum(gross for gross, _, _ in charges)
        assert int(totals.get(Account.PROCESSOR_FEES, 0)) == sum(fee for _, fee, _ in charges)
        assert int(totals.get(Account.REFUNDS, 0)) == sum(max(refunds, default=0) for _, _, refunds in charges)
        spent = sum(amount for _, amount in expenses)
        assert int(totals.get(Account.CASH, 0)) == sum(g - f - max(r, default=0) for g, f, r in charges) - spent
