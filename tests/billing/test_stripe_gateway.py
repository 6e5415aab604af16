"""StripeGateway against a fake Stripe server: the requests it sends and what it makes of the answers."""
from __future__ import annotations

import time
from datetime import timedelta

import pytest
import time_machine

from microhub.billing.gateway import GatewayError
from microhub.billing.models import Plan
from microhub.billing.provider import gateway
from microhub.billing.services import create_plan
from microhub.billing.stripe_gateway import StripeGateway
from microhub.database import utcnow
from microhub.errors import NotOurs
from microhub.extensions import db
from microhub.installation import Installation, installation_key
from microhub.memberships.models import SeatHold
from tests.factories import HubFactory, PlanFactory, UserFactory, organizer_of
from tests.fake_stripe import FAIL
from tests.helpers import signed_in


def _hold(hub, user, plan) -> SeatHold:
    hold = SeatHold(hub_id=hub.id, user_id=user.id, plan_id=plan.id, expires_at=utcnow() + timedelta(minutes=45),
                    price_ref=gateway().price_ref(plan), price_minor=plan.price_minor, currency=hub.currency,
                    interval=plan.interval.value)
    db.session.add(hold)
    db.session.commit()
    return hold


def _checkout(hub, user, plan, hold):
    return gateway().create_checkout(hold=hold, plan=plan, hub=hub, user=user, success_url="https://hub.test/ok",
                                     cancel_url="https://hub.test/cancel",
                                     expires_at=hold.created_at + timedelta(minutes=40))


def test_the_stripe_gateway_is_chosen_by_the_secret_key(stripe_app, fake):
    assert isinstance(gateway(), StripeGateway)


def test_create_plan_creates_product_and_price_once(stripe_app, fake):
    hub = HubFactory(name="Tea Club", slug="tea", currency="EUR")
    plan = create_plan(hub, name="Regular", includes="Tea", price="12.50", interval="year")
    db.session.commit()

    [product] = fake.calls("POST", "/v1/products")
    assert product.params == {"name": "Tea Club – Regular", "metadata[hub]": "tea", "metadata[plan_id]": str(plan.id)}
    assert product.idempotency_key == f"{installation_key()}-plan-product-{plan.id}"
    assert product.headers["Authorization"] == "Bearer sk_test_x"
    [price] = fake.calls("POST", "/v1/prices")
    assert price.params["unit_amount"] == "1250" and price.params["currency"] == "eur"
    assert price.params["recurring[interval]"] == "year"
    assert price.params["product"] == plan.stripe_product_id
    assert price.idempotency_key == f"{installation_key()}-plan-price-{plan.id}"
    assert fake.objects[plan.stripe_price_id]["product"] == plan.stripe_product_id

    gateway().sync_plan(plan)  # already there: nothing more is sent
    assert len(fake.requests) == 2


def test_create_checkout_sends_the_hold_and_reuses_its_key(stripe_app, fake):
    hub, user = HubFactory(slug="tea"), UserFactory()
    plan = PlanFactory(hub=hub, name="Regular", price_minor=1250)
    hold = _hold(hub, user, plan)

    checkout = _checkout(hub, user, plan, hold)

    assert plan.stripe_price_id  # synced on first use
    [call] = fake.calls("POST", "/v1/checkout/sessions")
    p = call.params
    assert p["mode"] == "subscription"
    assert p["line_items[0][price]"] == plan.stripe_price_id and p["line_items[0][quantity]"] == "1"
    assert p["client_reference_id"] == str(user.id) and p["customer_email"] == user.email
    assert p["metadata[hold_id]"] == str(hold.id) and p["metadata[hub]"] == "tea"
    assert p["subscription_data[metadata][hold_id]"] == str(hold.id)
    assert p["subscription_data[metadata][hub]"] == "tea"
    assert int(p["expires_at"]) >= time.time() + 30 * 60  # Stripe refuses less than 30 minutes
    assert p["success_url"] == "https://hub.test/ok" and p["cancel_url"] == "https://hub.test/cancel"
    assert call.idempotency_key == f"{installation_key()}-hold-{hold.id}-checkout"
    assert checkout.ref.startswith("cs_test_") and checkout.url == f"{fake.url}/pay/{checkout.ref}"
    assert gateway().checkout_url(checkout.ref) == checkout.url

    again = gateway().create_checkout(hold=hold, plan=plan, hub=hub, user=user, success_url="https://hub.test/ok",
                                      cancel_url="https://hub.test/cancel", expires_at=checkout.expires_at)
    assert [c.idempotency_key for c in fake.calls("POST", "/v1/checkout/sessions")] == [call.idempotency_key] * 2
    assert again.ref == checkout.ref  # Stripe answers a repeated key with the first session


def test_expire_checkout_ignores_sessions_that_are_not_open(stripe_app, fake):
    session = fake.add("cs_test", "checkout.session", status="open", url="x")
    gateway().expire_checkout(session["id"])
    assert fake.objects[session["id"]]["status"] == "expired"
    assert fake.calls("POST", f"/v1/checkout/sessions/{session['id']}/expire")[0].idempotency_key == \
        f"expire-{session['id']}"
    done = fake.add("cs_test", "checkout.session", status="complete", url="x")
    gateway().expire_checkout(done["id"])  # Stripe says 400; the session is over anyway
    assert fake.objects[done["id"]]["status"] == "complete"


def _subscription(fake, **overrides):
    end = int(time.time()) + 86400 * 30
    return fake.add("sub", "subscription", status="active", customer="cus_1", cancel_at_period_end=False,
                    metadata={"hold_id": "7", "hub": "tea"},
                    items={"object": "list", "data": [{"id": "si_1", "object": "subscription_item",
                                                       "current_period_end": end}]}, **overrides)


def test_get_subscription_maps_fields(stripe_app, fake):
    sub = _subscription(fake)
    got = gateway().get_subscription(sub["id"])
    assert (got.ref, got.status, got.customer_ref, got.cancel_at_period_end) == (sub["id"], "active", "cus_1", False)
    assert got.metadata == {"hold_id": "7", "hub": "tea"} and type(got.metadata) is dict
    assert int(got.current_period_end.timestamp()) == sub["items"]["data"][0]["current_period_end"]
    assert got.current_period_end.tzinfo is not None

    old = fake.add("sub", "subscription", status="past_due", customer="cus_2", cancel_at_period_end=True,
                   current_period_end=1_900_000_000)  # older API versions: the period on the subscription
    got = gateway().get_subscription(old["id"])
    assert int(got.current_period_end.timestamp()) == 1_900_000_000 and got.cancel_at_period_end


def test_cancel_and_resume(stripe_app, fake):
    sub = _subscription(fake)
    path = f"/v1/subscriptions/{sub['id']}"
    gateway().cancel_subscription(sub["id"], at_period_end=True)
    gateway().resume_subscription(sub["id"])
    gateway().cancel_subscription(sub["id"], at_period_end=True)
    updates = fake.calls("POST", path)
    assert [u.params for u in updates] == [{"cancel_at_period_end": v} for v in ("true", "false", "true")]
    assert all(u.idempotency_key.startswith(f"cancel-{sub['id']}-") for u in updates)
    assert fake.objects[sub["id"]]["cancel_at_period_end"] is True  # the second cancel was not a replay

    gateway().cancel_subscription(sub["id"], at_period_end=False)
    gateway().cancel_subscription(sub["id"], at_period_end=False)  # already canceled: fine
    deletes = fake.calls("DELETE", path)
    assert len(deletes) == 2 and deletes[0].idempotency_key == f"cancel-{sub['id']}-False"
    assert fake.objects[sub["id"]]["status"] == "canceled"


def test_refund_latest_paid_invoice(stripe_app, fake):
    sub = _subscription(fake)
    fake.add("in", "invoice", subscription=sub["id"], status="paid", created=100,
             payments={"object": "list", "data": [{"status": "paid", "payment": {"type": "payment_intent",
                                                                                  "payment_intent": "pi_old"}}]})
    newest = fake.add("in", "invoice", subscription=sub["id"], status="paid", created=200,
                      payments={"object": "list", "data": [{"status": "paid", "payment": {
                          "type": "payment_intent", "payment_intent": "pi_new"}}]})
    fake.add("in", "invoice", subscription=sub["id"], status="open", created=300)

    gateway().refund_latest_payment(sub["id"], reason="hub full")

    [listing] = fake.calls("GET", "/v1/invoices")
    assert listing.params["subscription"] == sub["id"] and listing.params["status"] == "paid"
    [refund] = fake.calls("POST", "/v1/refunds")
    assert refund.params["payment_intent"] == "pi_new" and refund.params["metadata[reason]"] == "hub full"
    assert refund.idempotency_key == f"refund-{sub['id']}-{newest['id']}"

    legacy = _subscription(fake)
    fake.add("in", "invoice", subscription=legacy["id"], status="paid", charge="ch_1")
    gateway().refund_latest_payment(legacy["id"], reason="x")
    assert fake.calls("POST", "/v1/refunds")[1].params["charge"] == "ch_1"


def test_portal_url(stripe_app, fake):
    url = gateway().portal_url("cus_1", "https://hub.test/account/billing")
    [call] = fake.calls("POST", "/v1/billing_portal/sessions")
    assert call.params == {"customer": "cus_1", "return_url": "https://hub.test/account/billing"}
    assert call.idempotency_key and url.startswith(f"{fake.url}/portal/bps_")


def test_stripe_errors_become_gateway_errors(stripe_app, fake):
    hub = HubFactory()
    with pytest.raises(GatewayError) as caught:
        create_plan(hub, name=FAIL, includes="", price="5", interval="month")
    assert caught.value.message == "Your card was declined."  # CardError: Stripe's message is meant for people
    db.session.rollback()
    with pytest.raises(GatewayError) as caught:
        gateway().cancel_subscription("sub_missing", at_period_end=True)
    assert "sub_missing" not in caught.value.message and "Stripe" not in caught.value.message


def test_a_subscription_stripe_does_not_know_is_not_ours(stripe_app, fake):
    with pytest.raises(NotOurs):  # processing then marks its event ignored instead of retrying it forever
        gateway().get_subscription("sub_of_another_product")


def test_join_through_the_app_goes_to_stripe_checkout(stripe_app, fake):
    hub, organizer = organizer_of(cap=5)
    organizer_client = signed_in(stripe_app, organizer)
    response = organizer_client.submit(f"/h/{hub.slug}/manage/plans",
                                       {"name": "Regular", "includes": "Calls", "price": "9.00", "interval": "month"})
    assert response.status_code == 302, response.get_data(as_text=True)
    plan = db.session.scalars(db.select(Plan).filter_by(hub_id=hub.id)).one()
    assert plan.stripe_price_id and fake.objects[plan.stripe_price_id]["unit_amount"] == 900

    taken = hub.seats_taken
    member = UserFactory()
    client = signed_in(stripe_app, member)
    response = client.submit(f"/h/{hub.slug}/join", {"plan": str(plan.id)})

    assert response.status_code == 302
    hold = db.session.scalars(db.select(SeatHold).filter_by(hub_id=hub.id, user_id=member.id)).one()
    assert response.location == fake.objects[hold.checkout_ref]["url"]
    assert response.location.startswith(f"{fake.url}/pay/cs_test_")
    db.session.refresh(hub)
    assert hub.seats_taken == taken + 1
    session = fake.calls("POST", "/v1/checkout/sessions")[0]
    assert session.params["metadata[hold_id]"] == str(hold.id)
    assert session.params["success_url"].endswith(f"/h/{hub.slug}/join/{hold.id}/confirming")


def test_join_when_stripe_refuses_gives_the_seat_back(stripe_app, fake):
    hub = HubFactory(cap=5)
    plan = PlanFactory(hub=hub, name="Regular", price_minor=1250)
    member = UserFactory(email=f"{FAIL}@example.org")  # the fake refuses any request carrying it
    client = signed_in(stripe_app, member)

    response = client.submit(f"/h/{hub.slug}/join", {"plan": str(plan.id)})

    assert response.status_code == 502  # GatewayError's status; the page shows the form and the message
    assert "Your card was declined." in response.get_data(as_text=True)
    assert fake.calls("POST", "/v1/checkout/sessions")
    db.session.refresh(hub)
    assert hub.seats_taken == 0
    hold = db.session.scalars(db.select(SeatHold).filter_by(hub_id=hub.id, user_id=member.id)).one()
    assert hold.status.value == "released" and hold.checkout_ref is None


def test_a_second_database_on_the_same_stripe_account_gets_its_own_checkout(stripe_app, fake):
    """A restored or staging database reuses row ids; its keys must not collide with the first database's."""
    hub = HubFactory(currency="EUR")
    plan = PlanFactory(hub=hub, name="Regular", price_minor=1250)
    first = _checkout(hub, UserFactory(), plan, _hold(hub, UserFactory(), plan))
    # The same hold id again, for another person, as a fresh database would number it.
    db.session.execute(db.delete(SeatHold))
    db.session.execute(db.update(Installation).values(key="another-database"))
    db.session.commit()
    hold = _hold(hub, UserFactory(email="someone-else@example.org"), plan)
    second = _checkout(hub, hold.user, plan, hold)
    assert second.ref != first.ref
    keys = [c.idempotency_key for c in fake.calls("POST", "/v1/checkout/sessions")]
    assert len(set(keys)) == 2 and keys[1].startswith("another-database-")


def test_a_checkout_retried_minutes_later_is_still_inside_stripes_window(stripe_app, fake):
    hub = HubFactory(currency="EUR")
    plan = PlanFactory(hub=hub, name="Regular", price_minor=1250)
    hold = _hold(hub, UserFactory(), plan)
    with time_machine.travel(hold.created_at + timedelta(minutes=8), tick=False):
        checkout = _checkout(hub, hold.user, plan, hold)  # a slow first attempt, or its retry
    assert checkout.expires_at - hold.created_at >= timedelta(minutes=30) and checkout.ref.startswith("cs_test")
    assert checkout.expires_at < hold.expires_at  # the hold outlives its checkout
