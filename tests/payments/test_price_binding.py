"""A seat is admitted only for the price it was offered at; another plan never rides on an open checkout."""
import time

from microhub.billing.provider import gateway
from microhub.billing.local import LocalObject
from microhub.extensions import db
from microhub.memberships.models import HoldStatus, MembershipStatus

from ..factories import PlanFactory, UserFactory
from ..mail import mails
from .helpers import hold_of, hub_with_plan, membership_of, pay, post_event, start_join


def test_switching_to_a_dearer_plan_on_an_open_hold_is_refused_and_the_cheap_price_stays_cheap(client):
    hub, cheap = hub_with_plan(cap=5)
    dear = PlanFactory(hub=hub, name="Patron", includes="Everything", price_minor=10000)
    user = UserFactory()
    client.login(user.email)
    checkout_url = start_join(client, hub, cheap).headers["Location"]
    swap = start_join(client, hub, dear)
    assert swap.status_code == 409 and "already held for the Member plan" in swap.get_data(as_text=True)
    assert hold_of(user, hub).plan_id == cheap.id
    pay(client, checkout_url)
    membership = membership_of(user, hub)
    assert membership.status is MembershipStatus.ACTIVE and membership.plan_id == cheap.id


def test_a_paid_subscription_at_another_price_is_refunded_and_never_admitted(client):
    hub, plan = hub_with_plan(cap=5)
    user = UserFactory()
    client.login(user.email)
    start_join(client, hub, plan)
    hold = hold_of(user, hub)
    gw = gateway()
    customer = gw._add("customer", "cus", {"email": user.email, "card": "ok"})
    sub = gw._add("subscription", "sub", {
        "status": "active", "customer": customer.id, "cancel_at_period_end": False, "current_period_start": 0,
        "current_period_end": int(time.time()) + 86400, "metadata": {"hold_id": str(hold.id)},
        "interval": "month", "amount": 1, "currency": "usd", "price": "price_forged"})
    db.session.flush()
    gw._charge(sub.data, paid=True)
    db.session.commit()
    forged = {"id": "evt_cheap", "object": "event", "type": "checkout.session.completed", "created": int(time.time()),
              "data": {"object": {"id": hold.checkout_ref, "object": "checkout.session", "subscription": sub.id,
                                  "metadata": {"hold_id": str(hold.id)}}}}
    assert post_event(client, forged).status_code == 200
    db.session.expire_all()
    assert membership_of(user, hub).status is not MembershipStatus.ACTIVE
    assert hold_of(user, hub).status is HoldStatus.RELEASED
    charge = db.session.scalar(db.select(LocalObject).filter_by(kind="charge"))
    assert charge.data["refunded"] is True
    assert db.session.get(LocalObject, sub.id).data["status"] == "canceled"
    mail = (mails(to=user.email, subject_contains="refunded") or [None])[0]
    assert mail is not None and "not for the price you were offered" in mail.body_text and "€9.00" in mail.body_text
