"""Shared steps for payment tests: a hub with a plan, joining through the real pages, paying a test card."""
from __future__ import annotations

import json

import stripe
from microhub.billing.gateway import webhook_secret
from microhub.billing.models import Plan
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.memberships.models import Membership, SeatHold

from ..factories import HubFactory, PlanFactory

BASE = "http://127.0.0.1:5000"


def hub_with_plan(**kwargs) -> tuple[Hub, Plan]:
    """A hub (made with `kwargs`) and its "Member" plan at 900 minor units a month that includes "Everything"."""
    hub = HubFactory(**kwargs)
    return hub, PlanFactory(hub=hub, name="Member", includes="Everything", price_minor=900)


def start_join(client, hub: Hub, plan: Plan):
    """POST the join form; returns the response (a redirect to the test checkout when a seat was held)."""
    return client.submit(f"/h/{hub.slug}/join", {"plan": str(plan.id)})


def pay(client, checkout_url: str, card: str = "4242 4242 4242 4242"):
    path = checkout_url.replace(BASE, "")
    return client.submit(path, {"card_number": card, "expiry": "12/34", "cvc": "123"})


def join_and_pay(client, hub: Hub, plan: Plan, card: str = "4242 4242 4242 4242"):
    response = start_join(client, hub, plan)
    assert response.status_code == 302, response.get_data(as_text=True)
    return pay(client, response.headers["Location"], card)


def membership_of(user, hub) -> Membership | None:
    return db.session.scalars(db.select(Membership).filter_by(user_id=user.id, hub_id=hub.id)
                              .order_by(Membership.id.desc())).first()


def hold_of(user, hub) -> SeatHold | None:
    return db.session.scalars(db.select(SeatHold).filter_by(user_id=user.id, hub_id=hub.id)
                              .order_by(SeatHold.id.desc())).first()


def signed(body: dict | str, secret: str | None = None, timestamp: int | None = None) -> tuple[bytes, str]:
    raw = body if isinstance(body, str) else json.dumps(body)
    header = stripe.WebhookSignature.generate_signature_header(raw, secret or webhook_secret(), timestamp)
    return raw.encode(), header


def post_event(client, body: dict | str, **kwargs):
    raw, header = signed(body, **kwargs)
    return client.post("/webhooks/stripe", data=raw, headers={"Stripe-Signature": header},
                       content_type="application/json")
