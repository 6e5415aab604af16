"""The Stripe gateway's invoices as the billing pages read them: missing invoices, older API shapes, Stripe down."""
from __future__ import annotations

from microhub.billing.provider import gateway
from microhub.billing.stripe_objects import invoice_of, proration_total

from ..payments.helpers import hub_with_plan, membership_of
from .billing_helpers import Stripe


def test_an_unknown_invoice_is_none_and_older_shapes_still_read():
    legacy = {"id": "in_1", "subscription": "sub_1", "status": "paid", "amount_paid": 900, "amount_due": 900,
              "currency": "eur", "created": 1_700_000_000, "period_start": 1_700_000_000, "period_end": 1_702_592_000,
              "lines": {"data": [{"amount": 900, "price": {"id": "price_1"}, "proration": False,
                                  "period": {"start": 1_700_000_000, "end": 1_702_592_000}}]}}
    read = invoice_of(legacy)
    assert (read.subscription_ref, read.price_ref, read.currency, read.hosted_url) == ("sub_1", "price_1", "EUR", None)
    preview = {"lines": {"data": [
        {"amount": -450, "parent": {"subscription_item_details": {"proration": True}}},
        {"amount": 750, "parent": {"subscription_item_details": {"proration": True}}},
        {"amount": 1500, "parent": {"subscription_item_details": {"proration": False}}}]}}
    assert proration_total(preview) == 300  # the next period's full line is not charged now


def test_stripe_invoices_missing_or_refused(stripe_app, fake, monkeypatch):
    assert gateway().get_invoice("in_nothing") is None
    hub, plan = hub_with_plan()
    user, client = Stripe(stripe_app, fake).join(hub, plan)
    assert membership_of(user, hub).subscription_ref
    answer = fake.handle
    monkeypatch.setattr(fake, "handle", lambda method, path, form: (
        (400, {"error": {"type": "invalid_request_error", "message": "No."}}) if path == "/v1/invoices"
        else answer(method, path, form)))  # Stripe refuses to list them just now
    page = client.get("/account/billing")
    assert page.status_code == 200
    assert "could not be loaded from the payment provider" in page.get_data(as_text=True)
