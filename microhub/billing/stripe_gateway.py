"""StripeGateway: the `Gateway` interface on Stripe's API through the official `stripe` client."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime, timezone

import stripe

from ..errors import NotOurs
from ..installation import installation_key
from .gateway import Checkout, Gateway, GatewayError, PaymentDetails, ProcessorTransaction, Subscription

log = logging.getLogger(__name__)


def _value(obj, key, default=None):
    """obj[key] for StripeObjects and dicts alike; StripeObject.get() raises, so no .get()."""
    try:
        value = obj[key]
    except (KeyError, TypeError, AttributeError):
        return default
    return default if value is None else value


def _ts(value) -> datetime | None:
    return datetime.fromtimestamp(int(value), tz=timezone.utc) if value is not None else None


class StripeGateway(Gateway):
    name = "stripe"

    def __init__(self, api_key: str, api_base: str | None = None):
        # Network retries are safe because every POST carries an idempotency key.
        kwargs = {"base_addresses": {"api": api_base.rstrip("/")}} if api_base else {}
        self.client = stripe.StripeClient(api_key, max_network_retries=2, **kwargs)

    def _call(self, what: str, fn, *args):
        try:
            return fn(*args)
        except stripe.StripeError as error:
            # The full error goes to the log; people only see a short message that leaks nothing.
            log.warning("Stripe %s failed: %s (code=%s, request=%s)", what, error, getattr(error, "code", None),
                        getattr(error, "request_id", None))
            shown = getattr(error, "user_message", None) if isinstance(error, stripe.CardError) else None
            raise GatewayError(shown or "The payment provider could not handle this right now. Please try again.") \
                from error

    # -- plans -----------------------------------------------------------------------------------
    def sync_plan(self, plan) -> None:
        hub = plan.hub
        meta = {"hub": hub.slug, "plan_id": str(plan.id)}
        if plan.stripe_product_id is None:
            product = self._call("product", self.client.v1.products.create,
                                 {"name": f"{hub.name} – {plan.name}", "metadata": meta},
                                 {"idempotency_key": _key(f"plan-product-{plan.id}")})
            plan.stripe_product_id = product.id
        if plan.stripe_price_id is None:  # also repairs a plan whose price creation failed last time
            price = self._call("price", self.client.v1.prices.create, {
                "product": plan.stripe_product_id, "unit_amount": plan.price_minor,
                "currency": hub.currency.lower(), "recurring": {"interval": plan.interval.value}, "metadata": meta,
            }, {"idempotency_key": _key(f"plan-price-{plan.id}")})
            plan.stripe_price_id = price.id

    def price_ref(self, plan) -> str:
        if plan.stripe_price_id is None:
            self.sync_plan(plan)
        return plan.stripe_price_id

    # -- checkout --------------------------------------------------------------------------------
    def create_checkout(self, *, hold, plan, hub, user, success_url, cancel_url, expires_at) -> Checkout:
        meta = {"hold_id": str(hold.id), "hub": hub.slug, "installation": installation_key()}
        session = self._call("checkout", self.client.v1.checkout.sessions.create, {
            "mode": "subscription",
            # The hold's own price, never the plan's current one: the checkout charges what the hold was offered.
            "line_items": [{"price": hold.price_ref or self.price_ref(plan), "quantity": 1}],
            "client_reference_id": str(user.id),
            "customer_email": user.email,
            "metadata": meta,
            # The subscription carries the hold too, so its own events can be matched without the session.
            "subscription_data": {"metadata": meta},
            "expires_at": int(expires_at.timestamp()),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }, {"idempotency_key": _key(f"hold-{hold.id}-checkout")})
        return Checkout(ref=session.id, url=session.url, expires_at=expires_at)

    def checkout_url(self, checkout_ref: str) -> str:
        return self._call("checkout lookup", self.client.v1.checkout.sessions.retrieve, checkout_ref).url

    def expire_checkout(self, checkout_ref: str) -> None:
        try:
            self.client.v1.checkout.sessions.expire(checkout_ref, None, {"idempotency_key": f"expire-{checkout_ref}"})
        except stripe.InvalidRequestError:
            # Stripe refuses to expire a session that is not open (paid, or expired already): that is the goal.
            session = self._call("checkout lookup", self.client.v1.checkout.sessions.retrieve, checkout_ref)
            if session.status == "open":
                raise GatewayError("The payment provider could not end the checkout. Please try again.")
        except stripe.StripeError as error:
            self._call("checkout expire", _raise, error)

    # -- subscriptions ---------------------------------------------------------------------------
    def get_subscription(self, subscription_ref: str) -> Subscription:
        try:
            sub = self.client.v1.subscriptions.retrieve(subscription_ref)
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":  # another product's or another database's subscription
                raise NotOurs(f"Stripe has no subscription {subscription_ref} for this account") from None
            self._call("subscription lookup", _raise, error)
        except stripe.StripeError as error:
            self._call("subscription lookup", _raise, error)
        # API versions from 2025-03-31 on keep the period on the items, older ones on the subscription.
        items = _value(_value(sub, "items", {}), "data", [])
        period_end = _value(items[0], "current_period_end") if items else None
        if period_end is None:
            period_end = _value(sub, "current_period_end")
        customer = _value(sub, "customer")
        metadata = _value(sub, "metadata", {})
        price = _value(items[0], "price", {}) if items else {}
        return Subscription(
            price_ref=_value(price, "id"), amount_minor=_value(price, "unit_amount"),
            currency=(_value(price, "currency") or "").upper() or None,
            interval=_value(_value(price, "recurring", {}), "interval"),
            ref=sub.id, status=sub.status,
            customer_ref=customer if isinstance(customer, str) else _value(customer, "id"),
            current_period_end=_ts(period_end), cancel_at_period_end=bool(_value(sub, "cancel_at_period_end", False)),
            metadata=metadata.to_dict() if hasattr(metadata, "to_dict") else dict(metadata),
        )

    def cancel_subscription(self, subscription_ref: str, *, at_period_end: bool) -> None:
        if at_period_end:
            self._set_cancel_at_period_end(subscription_ref, True)
            return
        try:
            self.client.v1.subscriptions.cancel(subscription_ref, None,
                                                {"idempotency_key": f"cancel-{subscription_ref}-False"})
        except stripe.InvalidRequestError:
            # Cancelling twice is refused by Stripe; a subscription that is already canceled is the goal.
            if self.get_subscription(subscription_ref).status != "canceled":
                raise GatewayError("The payment provider could not cancel the subscription. Please try again.")
        except stripe.StripeError as error:
            self._call("subscription cancel", _raise, error)

    def resume_subscription(self, subscription_ref: str) -> None:
        self._set_cancel_at_period_end(subscription_ref, False)

    def _set_cancel_at_period_end(self, subscription_ref: str, value: bool) -> None:
        # Setting a flag is idempotent by itself, and a member may cancel, resume and cancel again within
        # Stripe's 24 h key memory: a fixed key would replay the first answer and drop the later change.
        key = f"cancel-{subscription_ref}-{value}-{uuid.uuid4().hex}"
        self._call("subscription update", self.client.v1.subscriptions.update, subscription_ref,
                   {"cancel_at_period_end": value}, {"idempotency_key": key})

    def refund_latest_payment(self, subscription_ref: str, *, reason: str) -> None:
        invoices = self._call("invoice list", self.client.v1.invoices.list, {
            "subscription": subscription_ref, "status": "paid", "limit": 1, "expand": ["data.payments"],
        })  # Stripe lists newest first
        if not invoices.data:
            return
        invoice = invoices.data[0]
        target = _payment_of(invoice)
        if target is None:
            log.warning("Paid invoice %s of %s has no payment to refund", invoice.id, subscription_ref)
            return
        # Keyed by invoice, not only subscription: a later renewal's refund must not replay an earlier one.
        try:
            self.client.v1.refunds.create({**target, "metadata": {"reason": reason[:500], "invoice": invoice.id}},
                                          {"idempotency_key": f"refund-{subscription_ref}-{invoice.id}"})
        except stripe.InvalidRequestError as error:
            if error.code != "charge_already_refunded":  # refunded before: nothing left to do
                self._call("refund", _raise, error)
        except stripe.StripeError as error:
            self._call("refund", _raise, error)

    def invoice_payment(self, invoice_ref: str) -> PaymentDetails | None:
        # An invoice names no charge in this API version: its InvoicePayment does, and the charge's balance
        # transaction holds the fee Stripe really took.
        payments = self._call("invoice payments", self.client.v1.invoice_payments.list, {"invoice": invoice_ref})
        found = _paid_payment(payments)
        if found is None:
            return None
        kind, ref = found
        if kind == "payment_intent":
            intent = self._call("payment intent", self.client.v1.payment_intents.retrieve, ref,
                                {"expand": ["latest_charge.balance_transaction"]})
            charge = _value(intent, "latest_charge")
        else:
            charge = self._call("charge", self.client.v1.charges.retrieve, ref, {"expand": ["balance_transaction"]})
        return _details(charge)

    def balance_transactions(self, start: datetime, end: datetime) -> list[ProcessorTransaction]:
        pages = self._call("balance transactions", self.client.v1.balance_transactions.list, {
            "created": {"gte": int(start.timestamp()), "lt": int(end.timestamp())}, "limit": 100,
            "expand": ["data.source"]})
        return [_transaction(txn) for txn in pages.auto_paging_iter()]  # iterating a page alone stops at 100

    def portal_url(self, customer_ref: str, return_url: str) -> str:
        # Portal sessions are short-lived and made per click, so each gets its own key.
        session = self._call("billing portal", self.client.v1.billing_portal.sessions.create,
                             {"customer": customer_ref, "return_url": return_url},
                             {"idempotency_key": f"portal-{customer_ref}-{uuid.uuid4().hex}"})
        return session.url


def _paid_payment(payments) -> tuple[str, str] | None:
    """("payment_intent", "pi_…") or ("charge", "ch_…") of the first paid InvoicePayment in a list."""
    for payment in _value(payments, "data", []):
        if _value(payment, "status", "paid") != "paid":
            continue
        inner = _value(payment, "payment", {})
        for kind in ("payment_intent", "charge"):
            ref = _value(inner, kind)
            if ref:
                return kind, ref if isinstance(ref, str) else ref.id
    return None


def _details(charge) -> PaymentDetails:
    """Gross and fee from the charge's balance transaction, in the charge's currency; never converted."""
    currency = str(_value(charge, "currency", "")).upper()
    txn = _value(charge, "balance_transaction")
    paid_at = _ts(_value(charge, "created"))
    if txn is None or isinstance(txn, str) or str(_value(txn, "currency", "")).upper() != currency:
        # Settled in another currency (or not yet): the gross is the charge's; its fee stays in the notes, as is.
        notes = {} if txn is None or isinstance(txn, str) else {
            "settled_in": str(_value(txn, "currency", "")).upper(), "settlement_fee": _value(txn, "fee", 0)}
        return PaymentDetails(charge_ref=charge.id, gross=int(_value(charge, "amount", 0)), fee=0, currency=currency,
                              paid_at=paid_at, notes=notes)
    return PaymentDetails(charge_ref=charge.id, gross=int(_value(txn, "amount", 0)), fee=int(_value(txn, "fee", 0)),
                          currency=currency, paid_at=_ts(_value(txn, "created")) or paid_at,
                          balance_transaction_ref=txn.id)


def _transaction(txn) -> ProcessorTransaction:
    source = _value(txn, "source")
    kind = {"charge": "charge", "payment": "charge", "refund": "refund", "payment_refund": "refund",
            "adjustment": "dispute"}.get(_value(txn, "type"), str(_value(txn, "type")))
    charge = source if isinstance(source, str) and source.startswith("ch_") else _value(source, "charge")
    if charge is None and _value(source, "object") == "charge":
        charge = source.id
    return ProcessorTransaction(ref=txn.id, kind=kind, charge_ref=charge if isinstance(charge, str) else None,
                                amount=int(_value(txn, "amount", 0)), fee=int(_value(txn, "fee", 0)),
                                currency=str(_value(txn, "currency", "")).upper(), created=_ts(_value(txn, "created")))


def _key(name: str) -> str:
    """An idempotency key unique to this installation and row, and the same for every retry of one request."""
    return f"{installation_key()}-{name}"


def _raise(error):
    raise error


def _payment_of(invoice) -> dict | None:
    """What to refund: the invoice's paid payment (new API versions) or its charge/payment_intent (old ones)."""
    found = _paid_payment(_value(invoice, "payments", {}))
    if found is not None:
        return {found[0]: found[1]}
    for kind in ("payment_intent", "charge"):
        ref = _value(invoice, kind)
        if ref:
            return {kind: ref if isinstance(ref, str) else ref.id}
    return None
