"""Coupons for partial scholarships and one-time payments for donations: Stripe (the fake) and the test mode."""
from __future__ import annotations

import json
import time
from datetime import datetime, timedelta, timezone

import pytest
import stripe

from microhub.billing.fees import standard_fee
from microhub.billing.gateway import GatewayError
from microhub.billing.local import LocalGateway
from microhub.billing.provider import gateway
from microhub.database import utcnow
from microhub.extensions import db
from microhub.installation import installation_key
from microhub.ledger.models import Account, GroupKind, LedgerGroup
from microhub.memberships import joining
from microhub.memberships.models import MembershipStatus

from ..factories import HubFactory, UserFactory
from ..payments.helpers import hub_with_plan, membership_of, pay, post_event


def payment_checkout(hub, *, key="donation-1-checkout", minutes=60, amount=2500, email="giver@example.org"):
    return gateway().create_payment_checkout(
        hub=hub, amount_minor=amount, currency=hub.currency, description="Donation to the scholarship fund",
        email=email, metadata={"donation_id": 1, "hub_id": hub.id}, success_url="https://hub.test/thanks",
        cancel_url="https://hub.test/donate", expires_at=utcnow() + timedelta(minutes=minutes), idempotency_key=key)


def deliver(client, events) -> None:
    for event in events:
        assert post_event(client, json.loads(json.dumps(event))).status_code == 200


def ledger_of(hub) -> list[dict]:
    db.session.expire_all()
    groups = db.session.scalars(db.select(LedgerGroup).filter_by(hub_id=hub.id).order_by(LedgerGroup.seq))
    return [{e.account: e.amount_minor for e in group.entries} | {"kind": group.kind} for group in groups]


def partial_award_hold(hub, plan, user, amount_off: int):
    """A scholarship hold paying the plan less `amount_off`, as an accepted partial award makes it."""
    coupon = gateway().scholarship_coupon(hub=hub, amount_off=amount_off, currency=hub.currency)
    hold = joining.start_join(hub, user, plan.id, scholarship=True, coupon_ref=coupon)
    db.session.commit()
    return hold, coupon


# -- coupons -----------------------------------------------------------------------------------------------------
def test_a_scholarship_coupon_is_made_once_per_hub_amount_and_currency(stripe_app, fake):
    hub = HubFactory(currency="EUR")
    first = gateway().scholarship_coupon(hub=hub, amount_off=400, currency="EUR")
    again = gateway().scholarship_coupon(hub=hub, amount_off=400, currency="EUR")
    [call, retry] = fake.calls("POST", "/v1/coupons")
    assert call.params == {"id": first, "amount_off": "400", "currency": "eur", "duration": "forever",
                           "name": "Scholarship", "metadata[hub_id]": str(hub.id), "metadata[kind]": "scholarship"}
    assert first == again == f"{installation_key()}-scholarship-{hub.id}-400-eur"
    assert call.idempotency_key == retry.idempotency_key == f"coupon-{first}"
    fake._replies.clear()  # a day later Stripe has forgotten the key: the coupon's own id still finds it
    assert gateway().scholarship_coupon(hub=hub, amount_off=400, currency="EUR") == first
    assert fake.calls("GET", f"/v1/coupons/{first}")
    assert gateway().scholarship_coupon(hub=hub, amount_off=250, currency="EUR") != first
    coupon = fake.objects[first]
    assert (coupon["amount_off"], coupon["currency"], coupon["duration"]) == (400, "eur", "forever")


def test_a_partial_award_checks_out_at_stripe_billing_the_plan_and_charging_it_less_the_coupon(stripe_app, fake):
    hub, plan = hub_with_plan(currency="EUR")  # 9.00 a month
    user = UserFactory()
    hold, coupon = partial_award_hold(hub, plan, user, 400)

    url = joining.open_checkout(hub, hold, user)

    [call] = fake.calls("POST", "/v1/checkout/sessions")
    assert call.params["discounts[0][coupon]"] == coupon and call.params["mode"] == "subscription"
    session = fake.objects[url.rsplit("/", 1)[1]]
    assert (session["amount_subtotal"], session["amount_total"]) == (900, 500)
    deliver(stripe_app.test_client(), fake.pay(session["id"], fee=33))

    db.session.refresh(hold)
    sub = gateway().get_subscription(fake.objects[session["id"]]["subscription"])
    assert sub.bills(hold) and sub.amount_minor == 900  # the plan's price: the coupon is a discount on it
    [invoice] = [o for o in fake.objects.values() if o["object"] == "invoice"]
    assert (invoice["subtotal"], invoice["amount_paid"]) == (900, 500)
    membership = membership_of(user, hub)
    assert membership.status is MembershipStatus.ACTIVE and membership.scholarship
    assert ledger_of(hub) == [{Account.MEMBERSHIP_INCOME: -500, Account.CASH: 467, Account.PROCESSOR_FEES: 33,
                               "kind": GroupKind.PAYMENT}]


def test_a_partial_award_checks_out_in_the_test_mode_and_renews_at_the_reduced_price(client):
    hub, plan = hub_with_plan(currency="EUR")
    user = UserFactory()
    hold, coupon = partial_award_hold(hub, plan, user, 400)
    assert gateway().scholarship_coupon(hub=hub, amount_off=400, currency="EUR") == coupon
    client.login(user.email)
    url = joining.open_checkout(hub, hold, user)
    page = client.get(url.split("5000", 1)[1]).get_data(as_text=True)
    assert "Pay €5.00" in page and "€9.00 less €4.00" in page

    assert pay(client, url).status_code == 302

    membership = membership_of(user, hub)
    assert membership.status is MembershipStatus.ACTIVE and membership.scholarship
    sub = gateway().get_subscription(membership.subscription_ref)
    assert sub.bills(db.session.get(type(hold), hold.id))
    LocalGateway().advance_period(membership.subscription_ref)  # the renewal keeps the coupon
    db.session.commit()
    fee = standard_fee(500, "EUR")
    assert ledger_of(hub) == [{Account.MEMBERSHIP_INCOME: -500, Account.CASH: 500 - fee, Account.PROCESSOR_FEES: fee,
                               "kind": GroupKind.PAYMENT}] * 2


def test_a_coupon_covering_the_whole_price_charges_nothing_and_books_nothing(client):
    hub, plan = hub_with_plan(currency="EUR")
    user = UserFactory()
    hold, _ = partial_award_hold(hub, plan, user, 900)
    client.login(user.email)
    pay(client, joining.open_checkout(hub, hold, user))
    assert membership_of(user, hub).status is MembershipStatus.ACTIVE and ledger_of(hub) == []


# -- one-time payments -------------------------------------------------------------------------------------------
def test_a_payment_checkout_at_stripe_sends_payment_mode_and_a_retry_gets_the_same_session(stripe_app, fake):
    hub = HubFactory(currency="EUR")
    checkout = payment_checkout(hub)
    again = payment_checkout(hub)

    [call, retry] = fake.calls("POST", "/v1/checkout/sessions")
    p = call.params
    assert (p["mode"], p["submit_type"], p["customer_email"]) == ("payment", "donate", "giver@example.org")
    assert p["line_items[0][price_data][unit_amount]"] == "2500" and p["line_items[0][quantity]"] == "1"
    assert p["line_items[0][price_data][currency]"] == "eur"
    assert p["line_items[0][price_data][product_data][name]"] == "Donation to the scholarship fund"
    assert p["metadata[donation_id]"] == "1" and p["metadata[hub_id]"] == str(hub.id)
    assert p["payment_intent_data[metadata][donation_id]"] == "1"
    assert call.idempotency_key == retry.idempotency_key == f"{installation_key()}-donation-1-checkout"
    assert again.ref == checkout.ref and checkout.url == f"{fake.url}/pay/{checkout.ref}"
    assert fake.objects[checkout.ref]["payment_status"] == "unpaid"
    assert gateway().checkout_payment(checkout.ref) is None  # nothing paid yet


@pytest.mark.parametrize("minutes", [20, 25 * 60])
def test_stripe_refuses_a_payment_checkout_expiring_outside_its_window(stripe_app, fake, minutes):
    with pytest.raises(GatewayError):
        payment_checkout(HubFactory(), minutes=minutes)


def test_a_paid_stripe_checkout_reports_the_charges_gross_and_fee_and_its_balance_transaction(stripe_app, fake):
    hub = HubFactory(currency="EUR")
    checkout = payment_checkout(hub)
    [event] = fake.pay(checkout.ref, fee=63)
    assert event["type"] == "checkout.session.completed" and event["data"]["object"]["payment_status"] == "paid"
    assert event["data"]["object"]["mode"] == "payment"

    details = gateway().checkout_payment(checkout.ref)

    assert (details.gross, details.fee, details.currency, details.fee_estimated) == (2500, 63, "EUR", False)
    assert details.charge_ref.startswith("ch_") and details.balance_transaction_ref.startswith("txn_")
    [lookup] = fake.calls("GET", f"/v1/checkout/sessions/{checkout.ref}")
    assert lookup.form["expand"] == ["payment_intent.latest_charge.balance_transaction"]
    intent = fake.objects[fake.objects[checkout.ref]["payment_intent"]]
    assert intent["metadata"] == {"donation_id": "1", "hub_id": str(hub.id), "installation": installation_key()}
    now = datetime.now(timezone.utc)
    [txn] = gateway().balance_transactions(now - timedelta(hours=1), now + timedelta(hours=1))
    assert (txn.kind, txn.charge_ref, txn.amount, txn.fee) == ("charge", details.charge_ref, 2500, 63)


def test_an_expired_stripe_payment_checkout_sends_its_event_and_a_declined_card_pays_nothing(stripe_app, fake):
    checkout = payment_checkout(HubFactory())
    assert fake.pay(checkout.ref, card="4000 0000 0000 0002") == []
    gateway().expire_checkout(checkout.ref)
    [event] = fake.events
    assert event["type"] == "checkout.session.expired" and event["data"]["object"]["id"] == checkout.ref
    assert gateway().checkout_payment(checkout.ref) is None and fake.pay(checkout.ref) == []


@pytest.mark.parametrize("change, message", [
    ({"subscription_data": {"metadata": {"x": "1"}}}, "subscription_data"),
    ({"discounts": [{"coupon": "nope"}]}, "No such coupon"),
    ({"mode": "subscription"}, "recurring"),
    ({"line_items": []}, "line_items"),
])
def test_the_fake_refuses_what_stripe_refuses(stripe_app, fake, change, message):
    params = {"mode": "payment", "submit_type": "donate", "success_url": "https://x/s", "cancel_url": "https://x/c",
              "line_items": [{"quantity": 1, "price_data": {"currency": "eur", "unit_amount": 2500,
                                                            "product_data": {"name": "Gift"}}}], **change}
    if change.get("mode") == "subscription":
        params.pop("submit_type")
    with pytest.raises(stripe.InvalidRequestError) as caught:
        gateway().client.v1.checkout.sessions.create(params)
    assert message in str(caught.value)


def test_a_test_mode_payment_is_made_once_and_reported_with_the_standard_fee(client):
    hub = HubFactory(currency="EUR")
    checkout = payment_checkout(hub)
    assert payment_checkout(hub).ref == checkout.ref  # the same key: the same checkout
    db.session.commit()
    assert gateway().checkout_payment(checkout.ref) is None
    declined = pay(client, checkout.url, card="4000 0000 0000 0341")  # attaches, then fails when charged: now
    assert declined.status_code == 400 and "Your card was declined." in declined.get_data(as_text=True)

    assert pay(client, checkout.url).status_code == 302

    details = gateway().checkout_payment(checkout.ref)
    assert (details.gross, details.fee, details.fee_estimated) == (2500, standard_fee(2500, "EUR"), True)
    start = datetime.fromtimestamp(time.time() - 3600, tz=timezone.utc)
    [txn] = gateway().balance_transactions(start, start + timedelta(hours=2))
    assert (txn.ref, txn.charge_ref, txn.amount, txn.fee) == (details.balance_transaction_ref, details.charge_ref,
                                                              2500, details.fee)
