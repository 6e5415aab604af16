"""Paying members for the billing tests, the same steps through either gateway: the test checkout (local) or the
fake Stripe, every change reaching MicroHub through the signed webhook path."""
from __future__ import annotations

import json
import re

import pytest

from microhub.billing.local import LocalGateway, LocalObject
from microhub.extensions import db

from ..factories import PlanFactory, UserFactory
from ..helpers import signed_in
from ..payments.helpers import hub_with_plan, join_and_pay, membership_of, post_event, start_join


class Local:
    """The test checkout: its events are delivered (signed, through /webhooks/stripe) once each request commits."""

    name = "local"

    def __init__(self, app):
        self.app = app

    def join(self, hub, plan, user=None):
        user = user or UserFactory()
        client = signed_in(self.app, user)
        assert join_and_pay(client, hub, plan).status_code == 302
        return user, client

    def renew(self, membership) -> None:
        assert LocalGateway().advance_period(membership.subscription_ref) == "renewed"
        db.session.commit()

    def deliver_new(self, client) -> None:
        """Events of the last request: the test checkout delivered them when it committed."""

    def events(self, event_type: str) -> list[dict]:
        rows = db.session.scalars(db.select(LocalObject).filter_by(kind="event").order_by(LocalObject.created_at))
        return [row.data for row in rows if row.data["type"] == event_type]


class Stripe:
    """The fake Stripe: its events wait in `fake.events` until the test delivers them."""

    name = "stripe"

    def __init__(self, app, fake):
        self.app, self.fake, self._sent = app, fake, 0

    def join(self, hub, plan, user=None):
        user = user or UserFactory()
        client = signed_in(self.app, user)
        response = start_join(client, hub, plan)
        assert response.status_code == 302 and response.location.startswith(self.fake.url)
        self.fake.pay(response.location.rsplit("/", 1)[1])
        self.deliver_new(client)
        return user, client

    def renew(self, membership) -> None:
        self.fake.renew(membership.subscription_ref)
        self.deliver_new(self.app.test_client())

    def deliver_new(self, client) -> None:
        for event in self.fake.events[self._sent:]:
            assert post_event(client, json.loads(json.dumps(event))).status_code == 200
        self._sent = len(self.fake.events)

    def events(self, event_type: str) -> list[dict]:
        return [event for event in self.fake.events if event["type"] == event_type]


@pytest.fixture(params=["local", "stripe"])
def paying(request, app, app_factory):
    """Each test runs with the test checkout and again with Stripe (the fake)."""
    if request.param == "local":
        return Local(app)
    return Stripe(request.getfixturevalue("stripe_app"), request.getfixturevalue("fake"))


def hub_with_plans(**kwargs):
    """A hub with "Member" (9.00 a month) and "Patron" (15.00 a month)."""
    hub, member = hub_with_plan(**kwargs)
    return hub, member, PlanFactory(hub=hub, name="Patron", includes="Everything\nA seat at the table",
                                    price_minor=1500)


def confirm_page(client, membership, plan):
    """The confirmation page of a switch to `plan`: (response, the `at` it priced the switch at)."""
    response = client.get(f"/account/billing/{membership.id}/switch?plan={plan.id}")
    match = re.search(r'name="at" type="hidden" value="(\d+)"', response.get_data(as_text=True))
    return response, match and match.group(1)


def switch(client, membership, plan):
    """Confirm a switch the way a member does: the choice, the price, the confirm button."""
    response, at = confirm_page(client, membership, plan)
    assert response.status_code == 200 and at, response.get_data(as_text=True)
    url = f"/account/billing/{membership.id}/switch"
    done = client.submit(url, {"plan": str(plan.id), "at": at}, form_url=f"{url}?plan={plan.id}")
    return done, response.get_data(as_text=True), int(at)


__all__ = ["Local", "Stripe", "paying", "hub_with_plans", "confirm_page", "switch", "membership_of"]
