"""Duplicated and shuffled deliveries of a subscription's events reach the same state as the ordered stream."""
import json

import pytest
import time_machine
from hypothesis import HealthCheck, given, settings, strategies as st

import microhub.billing.local as local
from microhub.billing.local import LocalGateway, LocalObject
from microhub.database import utcnow
from microhub.extensions import db
from microhub.memberships import joining
from microhub.memberships.models import Membership, SeatHold

from ..factories import UserFactory
from . import capture
from .helpers import hub_with_plan, post_event

ACTIONS = st.lists(st.sampled_from(["renew", "fix_card", "cancel_at_end", "resume"]), max_size=4)


@pytest.fixture
def captured(monkeypatch):
    """Keep the local gateway's events instead of delivering them, so a test chooses the delivery order."""
    capture.CAPTURED.clear()
    monkeypatch.setattr(local, "deliver_event", capture.keep_event)
    return capture.CAPTURED


def build_subscription(hub, plan, card: str, actions: list[str], captured: list[str]) -> list[dict]:
    """Join, pay and live through `actions`; return the events emitted, in the order they happened."""
    start = len(captured)
    user = UserFactory()
    hold = joining.start_join(hub, user, plan.id)
    db.session.commit()
    gw = LocalGateway()
    checkout = gw.create_checkout(hold=hold, plan=plan, hub=hub, user=user, success_url="http://x/s",
                                  cancel_url="http://x/c", expires_at=hold.expires_at)
    hold.checkout_ref = checkout.ref
    session = gw.pay(checkout.ref, card)
    db.session.commit()
    sub = session["subscription"]
    customer = session["customer"]
    for action in actions:
        if action == "renew":
            gw.advance_period(sub)
        elif action == "fix_card":
            gw.update_card(customer, "4242424242424242")
        elif action == "cancel_at_end":
            gw.cancel_subscription(sub, at_period_end=True)
        else:
            gw.resume_subscription(sub)
        db.session.commit()
    return [db.session.get(LocalObject, ref).data for ref in captured[start:]]


def state(hold_id: int) -> tuple:
    hold = db.session.get(SeatHold, hold_id)
    db.session.refresh(hold)
    membership = db.session.scalars(db.select(Membership).filter_by(hub_id=hold.hub_id, user_id=hold.user_id)
                                    .order_by(Membership.id.desc())).first()
    db.session.refresh(hold.hub)
    return (hold.status, membership.status, membership.current_period_end, membership.cancel_at_period_end,
            hold.hub.seats_taken)


def deliver(client, events: list[dict]) -> None:
    for body in events:
        assert post_event(client, json.loads(json.dumps(body))).status_code == 200


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(card=st.sampled_from(["4242 4242 4242 4242", "4000 0000 0000 0341"]), actions=ACTIONS, data=st.data())
def test_shuffled_and_duplicated_deliveries_reach_the_ordered_state(client, captured, card, actions, data):
    hub, plan = hub_with_plan(cap=5)
    with time_machine.travel(utcnow().replace(microsecond=0), tick=False):  # twins share their timestamps
        ordered = build_subscription(hub, plan, card, actions, captured)
        shuffled = build_subscription(hub, plan, card, actions, captured)

    deliver(client, ordered)
    noisy = data.draw(st.permutations(shuffled + data.draw(st.lists(st.sampled_from(shuffled), max_size=6))))
    # A twin subscription's events differ only in ids; deliver them in a random order with repeats.
    deliver(client, noisy)

    ordered_hold, shuffled_hold = db.session.scalars(
        db.select(SeatHold.id).filter_by(hub_id=hub.id).order_by(SeatHold.id)).all()
    assert state(ordered_hold)[:4] == state(shuffled_hold)[:4]
    assert state(ordered_hold)[4] <= hub.cap
