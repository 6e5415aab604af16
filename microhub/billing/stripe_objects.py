"""Reading Stripe's answers: StripeObjects and plain dicts alike, into the gateway's own dataclasses."""
from __future__ import annotations

from datetime import datetime, timezone

from .gateway import PaymentDetails, ProcessorTransaction


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
