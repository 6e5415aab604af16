"""Receipts: an e-mail for the first payment and every renewal, once per invoice however often invoice.paid arrives;
the billing page lists every invoice with its receipt; the test mode's receipt page is its member's only."""
from __future__ import annotations

import json

from microhub.extensions import db
from microhub.memberships.models import MembershipStatus

from ..factories import UserFactory
from ..helpers import signed_in
from ..mail import mails
from ..payments.helpers import hub_with_plan, membership_of, post_event
from .billing_helpers import paying  # noqa: F401  (the fixture: each test with the test checkout and Stripe)


def receipts(user):
    return mails(user.email, subject_contains="Receipt")


def test_the_first_payment_sends_a_welcome_with_next_steps_and_a_receipt(paying):
    hub, plan = hub_with_plan(currency="EUR", name="Night Owls")
    user, _ = paying.join(hub, plan)
    [welcome] = mails(user.email, subject_contains="Welcome")
    assert "Member" in welcome.body_text and "€9.00 per month" in welcome.body_text
    assert "/account/billing" in welcome.body_text and f"/h/{hub.slug}" in welcome.body_text
    assert "Renews:" in welcome.body_text and "receipt" in welcome.body_text
    [receipt] = receipts(user)
    assert receipt.subject == "Receipt for Night Owls: €9.00"
    body = receipt.body_text
    assert "First payment · Member plan" in body and "€9.00" in body and "Night Owls" in body and "Period:" in body
    assert "/account/billing" in body
    if paying.name == "stripe":
        invoice = paying.events("invoice.paid")[0]["data"]["object"]
        assert f"{paying.fake.url}/invoice/{invoice['id']}" in body and "TEST MODE" not in body
    else:
        assert "/account/billing/receipts/in_local_" in body and "TEST MODE" in body


def test_every_renewal_sends_its_own_receipt(paying):
    hub, plan = hub_with_plan(currency="EUR")
    user, _ = paying.join(hub, plan)
    membership = membership_of(user, hub)
    first_end = membership.current_period_end
    paying.renew(membership)
    paying.renew(membership)
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.ACTIVE and membership.current_period_end > first_end
    found = receipts(user)
    assert len(found) == 3
    assert ["Renewal · Member plan" in message.body_text for message in found] == [False, True, True]
    assert all("€9.00" in message.body_text for message in found)


def test_a_duplicated_or_redelivered_invoice_paid_sends_one_receipt(paying):
    hub, plan = hub_with_plan()
    user, client = paying.join(hub, plan)
    paying.renew(membership_of(user, hub))
    assert len(receipts(user)) == 2
    for event in paying.events("invoice.paid"):
        again = json.loads(json.dumps(event))
        assert post_event(client, again).status_code == 200  # the same event delivered twice
        again["id"] = again["id"] + "_resent"  # and the same invoice in another event (as out of order)
        assert post_event(client, again).status_code == 200
    assert len(receipts(user)) == 2


def test_the_billing_page_lists_every_invoice_with_its_receipt(paying):
    hub, plan = hub_with_plan(name="Night Owls")
    user, client = paying.join(hub, plan)
    paying.renew(membership_of(user, hub))
    page = client.get("/account/billing").get_data(as_text=True)
    assert "Night Owls" in page and "Member" in page and "Next renewal" in page
    assert page.count("<td data-label=\"Amount\">€9.00</td>") == 2
    assert "First payment" in page and "Renewal" in page
    assert f'href="/h/{hub.slug}/leave"' in page and f'href="/h/{hub.slug}"' in page
    if paying.name == "stripe":
        for event in paying.events("invoice.paid"):
            invoice = event["data"]["object"]
            assert invoice["hosted_invoice_url"] in page and invoice["invoice_pdf"] in page
        assert paying.fake.calls("GET", "/v1/invoices")[-1].params["subscription"] == \
            membership_of(user, hub).subscription_ref
    else:
        assert page.count("/account/billing/receipts/in_local_") == 2


def test_the_receipt_page_is_printable_and_its_members_only(app):
    from .billing_helpers import Local

    hub, plan = hub_with_plan(name="Night Owls")
    user, client = Local(app).join(hub, plan)
    page = client.get("/account/billing").get_data(as_text=True)
    ref = page.split("/account/billing/receipts/", 1)[1].split('"', 1)[0]
    receipt = client.get(f"/account/billing/receipts/{ref}")
    text = receipt.get_data(as_text=True)
    assert receipt.status_code == 200
    assert "TEST MODE — no real money moved" in text and "Night Owls" in text and "Member plan" in text
    assert "€9.00" in text and "Visa ending 4242" in text and "Date paid" in text and "billing.css" in text
    other = signed_in(app, UserFactory())
    assert other.get(f"/account/billing/receipts/{ref}").status_code == 404
    assert client.get("/account/billing/receipts/in_local_nothing").status_code == 404
    assert signed_in(app, None).get(f"/account/billing/receipts/{ref}").status_code in (302, 401)
