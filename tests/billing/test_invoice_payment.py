"""What a paid invoice brought in: gross and fee from Stripe's balance transaction, or Stripe's standard pricing
in the test mode (marked as estimated); never converted between currencies."""
from __future__ import annotations

import pytest

from microhub.billing.fees import standard_fee
from microhub.billing.provider import gateway


@pytest.mark.parametrize("via", ["payment_intent", "charge"])
def test_stripe_gross_and_fee_come_from_the_charges_balance_transaction(stripe_app, fake, via):
    invoice = fake.paid_invoice(amount=900, fee=39, via=via)
    details = gateway().invoice_payment(invoice["id"])
    assert (details.gross, details.fee, details.currency, details.fee_estimated) == (900, 39, "EUR", False)
    assert details.charge_ref.startswith("ch_") and details.balance_transaction_ref.startswith("txn_")
    expand = [r.form.get("expand") for r in fake.requests if r.method == "GET" and "/v1/invoice_payments" not in r.path]
    assert expand == [["latest_charge.balance_transaction"] if via == "payment_intent" else ["balance_transaction"]]


def test_a_charge_settled_in_another_currency_keeps_its_own_gross_and_no_converted_fee(stripe_app, fake):
    invoice = fake.paid_invoice(amount=1000, fee=60, currency="usd", settled_in="eur")
    details = gateway().invoice_payment(invoice["id"])
    assert (details.gross, details.fee, details.currency) == (1000, 0, "USD")
    assert details.notes == {"settled_in": "EUR", "settlement_fee": 60}


def test_an_invoice_without_a_paid_payment_brought_nothing(stripe_app, fake):
    unpaid = fake.add("in", "invoice", status="open")
    assert gateway().invoice_payment(unpaid["id"]) is None


@pytest.mark.parametrize("amount, currency, fee", [
    (900, "EUR", 39),  # 1.5% of 9.00 = 0.135 → 0.14, + 0.25
    (12000, "EUR", 205),
    (900, "USD", 56),  # 2.9% + 0.30
    (1000, "GBP", 35),
    (1000, "JPY", 36),
    (10, "EUR", 10),  # never more than the payment
])
def test_standard_pricing_fee(amount, currency, fee):
    assert standard_fee(amount, currency) == fee


def test_stripe_balance_transactions_come_from_every_page_with_their_charges(stripe_app, fake):
    from datetime import datetime, timedelta, timezone

    for n in range(105):  # more than one page of 100
        fake.paid_invoice(amount=1000 + n, fee=30)
    refund = fake.add("re", "refund", charge="ch_2", amount=500)
    fake.add("txn", "balance_transaction", amount=-500, fee=0, currency="eur", type="refund", source=refund["id"])
    now = datetime.now(timezone.utc)
    found = gateway().balance_transactions(now - timedelta(hours=1), now + timedelta(hours=1))
    assert len(found) == 106 and {t.kind for t in found} == {"charge", "refund"}
    assert all(t.charge_ref and t.charge_ref.startswith("ch_") and t.currency == "EUR" for t in found)
    assert [t.amount for t in found if t.kind == "refund"] == [-500]
    listed = [r for r in fake.requests if r.path == "/v1/balance_transactions"]
    assert len(listed) == 2 and listed[1].form.get("starting_after")
