"""Reading Stripe's answers: StripeObjects and plain dicts alike, into the gateway's own dataclasses."""
from __future__ import annotations

from datetime import datetime, timezone

from .gateway import Invoice, PaymentDetails, ProcessorTransaction


def value_of(obj, key, default=None):
    """obj[key] for StripeObjects and dicts alike; StripeObject.get() raises, so no .get()."""
    try:
        value = obj[key]
    except (KeyError, TypeError, AttributeError):
        return default
    return default if value is None else value


def moment(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=timezone.utc) if value is not None else None


def paid_payment(payments) -> tuple[str, str] | None:
    """("payment_intent", "pi_…") or ("charge", "ch_…") of the first paid InvoicePayment in a list."""
    for payment in value_of(payments, "data", []):
        if value_of(payment, "status", "paid") != "paid":
            continue
        inner = value_of(payment, "payment", {})
        for kind in ("payment_intent", "charge"):
            ref = value_of(inner, kind)
            if ref:
                return kind, ref if isinstance(ref, str) else ref.id
    return None


def payment_details(charge) -> PaymentDetails:
    """Gross and fee from the charge's balance transaction, in the charge's currency; never converted."""
    currency = str(value_of(charge, "currency", "")).upper()
    txn = value_of(charge, "balance_transaction")
    paid_at = moment(value_of(charge, "created"))
    if txn is None or isinstance(txn, str) or str(value_of(txn, "currency", "")).upper() != currency:
        # Settled in another currency (or not yet): the gross is the charge's; its fee stays in the notes, as is.
        notes = {} if txn is None or isinstance(txn, str) else {
            "settled_in": str(value_of(txn, "currency", "")).upper(), "settlement_fee": value_of(txn, "fee", 0)}
        return PaymentDetails(charge_ref=charge.id, gross=int(value_of(charge, "amount", 0)), fee=0, currency=currency,
                              paid_at=paid_at, notes=notes)
    return PaymentDetails(charge_ref=charge.id, gross=int(value_of(txn, "amount", 0)), fee=int(value_of(txn, "fee", 0)),
                          currency=currency, paid_at=moment(value_of(txn, "created")) or paid_at,
                          balance_transaction_ref=txn.id)


def processor_transaction(txn) -> ProcessorTransaction:
    """One balance transaction as reconciliation compares it: its kind, its charge, its signed amount and fee."""
    source = value_of(txn, "source")
    kind = {"charge": "charge", "payment": "charge", "refund": "refund", "payment_refund": "refund",
            "adjustment": "dispute"}.get(value_of(txn, "type"), str(value_of(txn, "type")))
    charge = source if isinstance(source, str) and source.startswith("ch_") else value_of(source, "charge")
    if charge is None and value_of(source, "object") == "charge":
        charge = source.id
    return ProcessorTransaction(ref=txn.id, kind=kind, charge_ref=charge if isinstance(charge, str) else None,
                                amount=int(value_of(txn, "amount", 0)), fee=int(value_of(txn, "fee", 0)),
                                currency=str(value_of(txn, "currency", "")).upper(),
                                created=moment(value_of(txn, "created")))


def payment_of(invoice) -> dict | None:
    """What to refund: the invoice's paid payment (new API versions) or its charge/payment_intent (old ones)."""
    found = paid_payment(value_of(invoice, "payments", {}))
    if found is not None:
        return {found[0]: found[1]}
    for kind in ("payment_intent", "charge"):
        ref = value_of(invoice, kind)
        if ref:
            return {kind: ref if isinstance(ref, str) else ref.id}
    return None


def line_price(line) -> str | None:
    """The price a line bills: `pricing.price_details.price` (API 2025-03-31 on) or `price` (older versions)."""
    price = value_of(value_of(value_of(line, "pricing", {}), "price_details", {}), "price") or value_of(line, "price")
    return price if isinstance(price, str) or price is None else value_of(price, "id")


def is_proration(line) -> bool:
    details = value_of(value_of(line, "parent", {}), "subscription_item_details", {}) or \
        value_of(value_of(line, "parent", {}), "invoice_item_details", {})
    return bool(value_of(details, "proration", False) or value_of(line, "proration", False))


def invoice_of(invoice) -> Invoice:
    """A Stripe invoice as members see it: the period and price from its lines (the new price for a plan switch)."""
    lines = value_of(value_of(invoice, "lines", {}), "data", [])
    billed = [line for line in lines if value_of(line, "amount", 0) > 0] or lines
    period = value_of(billed[-1], "period", {}) if billed else {}
    sub = value_of(value_of(value_of(invoice, "parent", {}), "subscription_details", {}), "subscription") \
        or value_of(invoice, "subscription")
    return Invoice(
        ref=invoice["id"], subscription_ref=sub if isinstance(sub, str) else value_of(sub, "id"),
        status=str(value_of(invoice, "status", "")), amount_paid=int(value_of(invoice, "amount_paid", 0)),
        amount_due=int(value_of(invoice, "amount_due", 0)), currency=str(value_of(invoice, "currency", "")).upper(),
        created=moment(value_of(invoice, "created")),
        paid_at=moment(value_of(value_of(invoice, "status_transitions", {}), "paid_at")),
        period_start=moment(value_of(period, "start", value_of(invoice, "period_start"))),
        period_end=moment(value_of(period, "end", value_of(invoice, "period_end"))),
        number=value_of(invoice, "number"), billing_reason=value_of(invoice, "billing_reason"),
        price_ref=line_price(billed[-1]) if billed else None,
        hosted_url=value_of(invoice, "hosted_invoice_url"), pdf_url=value_of(invoice, "invoice_pdf"))


def proration_total(preview) -> int:
    """What a previewed plan switch charges now: the sum of its proration lines."""
    lines = value_of(value_of(preview, "lines", {}), "data", [])
    return sum(int(value_of(line, "amount", 0)) for line in lines if is_proration(line))
