"""StripeGateway: the `Gateway` interface on Stripe's API through the official `stripe` client."""
from __future__ import annotations

import logging
import uuid
from datetime import datetime

import stripe

from ..errors import NotOurs
from ..installation import installation_key
from .gateway import Checkout, Gateway, GatewayError, PaymentDetails, ProcessorTransaction, Subscription
from .stripe_invoices import StripeInvoices
from .stripe_objects import moment, paid_payment, payment_details, payment_of, processor_transaction, value_of

log = logging.getLogger(__name__)


class StripeGateway(StripeInvoices, Gateway):
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

    def scholarship_coupon(self, *, hub, amount_off: int, currency: str) -> str:
        currency = currency.lower()
        # The id names what the coupon is, so asking again (even after Stripe forgot the key) finds the same one.
        coupon_id = _key(f"scholarship-{hub.id}-{amount_off}-{currency}")
        try:
            coupon = self.client.v1.coupons.create({
                "id": coupon_id, "amount_off": amount_off, "currency": currency, "duration": "forever",
                "name": "Scholarship", "metadata": {"hub_id": str(hub.id), "kind": "scholarship"},
            }, {"idempotency_key": f"coupon-{coupon_id}"})
        except stripe.InvalidRequestError as error:
            if error.code != "resource_already_exists":
                self._call("coupon", _raise, error)
            coupon = self._call("coupon lookup", self.client.v1.coupons.retrieve, coupon_id)
        except stripe.StripeError as error:
            self._call("coupon", _raise, error)
        if (value_of(coupon, "amount_off"), str(value_of(coupon, "currency", "")).lower()) != (amount_off, currency):
            raise GatewayError("The payment provider holds a different scholarship discount under this name.")
        return coupon.id

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
            # A partial scholarship: the subscription bills the plan's price, its invoices that price less the coupon.
            **({"discounts": [{"coupon": hold.coupon_ref}]} if hold.coupon_ref else {}),
            "expires_at": int(expires_at.timestamp()),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }, {"idempotency_key": _key(f"hold-{hold.id}-checkout")})
        return Checkout(ref=session.id, url=session.url, expires_at=expires_at)

    def create_payment_checkout(self, *, hub, amount_minor, currency, description, email, metadata, success_url,
                                cancel_url, expires_at, idempotency_key, submit_type="donate") -> Checkout:
        meta = {**{key: str(value) for key, value in metadata.items()}, "installation": installation_key()}
        session = self._call("checkout", self.client.v1.checkout.sessions.create, {
            "mode": "payment",
            "submit_type": submit_type,
            "line_items": [{"quantity": 1, "price_data": {"currency": currency.lower(), "unit_amount": amount_minor,
                                                          "product_data": {"name": description}}}],
            "customer_email": email,
            "metadata": meta,
            # The payment carries the same marks, so its charge can be traced to what it paid for.
            "payment_intent_data": {"metadata": meta, "description": description},
            "expires_at": int(expires_at.timestamp()),
            "success_url": success_url,
            "cancel_url": cancel_url,
        }, {"idempotency_key": _key(idempotency_key)})
        return Checkout(ref=session.id, url=session.url, expires_at=expires_at)

    def checkout_payment(self, checkout_ref: str) -> PaymentDetails | None:
        # Three levels of expansion (Stripe allows four): the session's payment, its charge, the charge's fee.
        session = self._call("checkout lookup", self.client.v1.checkout.sessions.retrieve, checkout_ref,
                             {"expand": ["payment_intent.latest_charge.balance_transaction"]})
        intent = value_of(session, "payment_intent")
        if value_of(session, "payment_status") != "paid" or intent is None:
            return None  # open, expired, or a delayed payment method still on its way
        if isinstance(intent, str):
            intent = self._call("payment intent", self.client.v1.payment_intents.retrieve, intent,
                                {"expand": ["latest_charge.balance_transaction"]})
        charge = value_of(intent, "latest_charge")
        if isinstance(charge, str):
            charge = self._call("charge", self.client.v1.charges.retrieve, charge, {"expand": ["balance_transaction"]})
        return payment_details(charge) if charge is not None else None

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
        items = value_of(value_of(sub, "items", {}), "data", [])
        period_end = value_of(items[0], "current_period_end") if items else None
        if period_end is None:
            period_end = value_of(sub, "current_period_end")
        customer = value_of(sub, "customer")
        metadata = value_of(sub, "metadata", {})
        price = value_of(items[0], "price", {}) if items else {}
        return Subscription(
            price_ref=value_of(price, "id"), amount_minor=value_of(price, "unit_amount"),
            currency=(value_of(price, "currency") or "").upper() or None,
            interval=value_of(value_of(price, "recurring", {}), "interval"),
            ref=sub.id, status=sub.status, item_ref=value_of(items[0], "id") if items else None,
            current_period_start=moment(value_of(items[0], "current_period_start") if items else None),
            customer_ref=customer if isinstance(customer, str) else value_of(customer, "id"),
            current_period_end=moment(period_end),
            cancel_at_period_end=bool(value_of(sub, "cancel_at_period_end", False)),
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
        target = payment_of(invoice)
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

    def refund_charge(self, charge_ref: str, amount_minor: int, *, reason: str, idempotency_key: str) -> None:
        if type(amount_minor) is not int or amount_minor <= 0:
            raise GatewayError("A refund is a positive amount.")
        self._call("refund", self.client.v1.refunds.create,
                   {"charge": charge_ref, "amount": amount_minor, "metadata": {"reason": reason[:500]}},
                   {"idempotency_key": _key(idempotency_key)})

    def invoice_payment(self, invoice_ref: str) -> PaymentDetails | None:
        # An invoice names no charge in this API version: its InvoicePayment does, and the charge's balance
        # transaction holds the fee Stripe really took.
        payments = self._call("invoice payments", self.client.v1.invoice_payments.list, {"invoice": invoice_ref})
        found = paid_payment(payments)
        if found is None:
            return None
        kind, ref = found
        if kind == "payment_intent":
            intent = self._call("payment intent", self.client.v1.payment_intents.retrieve, ref,
                                {"expand": ["latest_charge.balance_transaction"]})
            charge = value_of(intent, "latest_charge")
        else:
            charge = self._call("charge", self.client.v1.charges.retrieve, ref, {"expand": ["balance_transaction"]})
        return payment_details(charge)

    def balance_transactions(self, start: datetime, end: datetime) -> list[ProcessorTransaction]:
        pages = self._call("balance transactions", self.client.v1.balance_transactions.list, {
            "created": {"gte": int(start.timestamp()), "lt": int(end.timestamp())}, "limit": 100,
            "expand": ["data.source"]})
        return [processor_transaction(txn) for txn in pages.auto_paging_iter()]  # iterating a page alone stops at 100

    def portal_url(self, customer_ref: str, return_url: str) -> str:
        # Portal sessions are short-lived and made per click, so each gets its own key.
        session = self._call("billing portal", self.client.v1.billing_portal.sessions.create,
                             {"customer": customer_ref, "return_url": return_url},
                             {"idempotency_key": f"portal-{customer_ref}-{uuid.uuid4().hex}"})
        return session.url


def _key(name: str) -> str:
    """An idempotency key unique to this installation and row, and the same for every retry of one request."""
    return f"{installation_key()}-{name}"


def _raise(error):
    raise error
