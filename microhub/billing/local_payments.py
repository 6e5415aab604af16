"""The test mode's coupons and one-time payments (Checkout in payment mode), shaped as Stripe keeps them.

A mixin of `LocalGateway`: it keeps its objects through the gateway's own `_add`, `_claim`, `_get`, `_put`
and `emit`, so they live in the same table and their events take the same signed path.
"""
from __future__ import annotations

import hashlib
from datetime import datetime, timezone

from ..database import utcnow
from .fees import standard_fee
from .gateway import Checkout, GatewayError, PaymentDetails, ProcessorTransaction


def _at(ts: int) -> datetime:
    return datetime.fromtimestamp(ts, tz=timezone.utc)


class LocalPayments:
    """Coupons for partial scholarships, one-time payments with their payment intent and charge, and the balance
    every charge (a membership's or a one-time payment's) moves."""

    # -- coupons ---------------------------------------------------------------------------------
    def scholarship_coupon(self, *, hub, amount_off: int, currency: str) -> str:
        if type(amount_off) is not int or amount_off <= 0:
            raise GatewayError("A scholarship discount is a positive amount.")
        currency = currency.lower()
        ref = f"coupon_local_{hub.id}_{amount_off}_{currency}"  # its id says what it is: asked twice, found once
        self._claim("coupon", ref, {"amount_off": amount_off, "currency": currency, "duration": "forever",
                                    "name": "Scholarship", "valid": True,
                                    "metadata": {"hub_id": str(hub.id), "kind": "scholarship"}})
        return ref

    def discount(self, coupon_ref: str | None, price: int, currency: str) -> int:
        """What `coupon_ref` takes off one invoice of `price` (never more than it); refused in another currency."""
        if not coupon_ref:
            return 0
        coupon = self._get(coupon_ref, "coupon").data
        if coupon["currency"] != currency.lower():
            raise GatewayError("The scholarship discount is in another currency than the plan.")
        return min(coupon["amount_off"], price)

    # -- one-time payments -----------------------------------------------------------------------
    def create_payment_checkout(self, *, hub, amount_minor, currency, description, email, metadata, success_url,
                                cancel_url, expires_at, idempotency_key, submit_type="donate") -> Checkout:
        # The id comes from the key: a retried request finds the checkout its first attempt made, as at Stripe.
        ref = "cs_local_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        meta = {key: str(value) for key, value in metadata.items()}
        session, _ = self._claim("checkout.session", ref, {
            "mode": "payment", "status": "open", "submit_type": submit_type, "customer_email": email,
            "metadata": meta, "payment_intent_data": {"metadata": meta, "description": description},
            "line_items": [{"quantity": 1, "price_data": {"currency": currency.lower(), "unit_amount": amount_minor,
                                                          "product_data": {"name": description}}}],
            "amount_subtotal": amount_minor, "amount_total": amount_minor, "currency": currency.lower(),
            "description": description, "hub_name": hub.name, "success_url": success_url, "cancel_url": cancel_url,
            "expires_at": int(expires_at.timestamp()), "payment_status": "unpaid", "payment_intent": None,
        })
        return Checkout(ref=ref, url=self.checkout_url(ref), expires_at=_at(session.data["expires_at"]))

    def pay_once(self, checkout_ref: str, session: dict) -> dict:
        """A payment-mode checkout paid by a test card: its payment intent, its charge, the session complete."""
        amount, currency = session["amount_total"], session["currency"]
        metadata = dict(session["payment_intent_data"]["metadata"])
        intent = self._add("payment_intent", "pi", {"amount": amount, "currency": currency, "status": "succeeded",
                                                    "metadata": metadata, "latest_charge": None})
        charge = self._add("charge", "ch", {"amount": amount, "currency": currency, "paid": True, "refunded": False,
                                            "amount_refunded": 0, "payment_intent": intent.id, "metadata": metadata,
                                            "status": "succeeded"})
        self._put(intent, latest_charge=charge.id)
        session = self._put(self._get(checkout_ref, "checkout.session"), status="complete", payment_status="paid",
                            payment_intent=intent.id)
        self.emit("checkout.session.completed", session)
        return session

    def checkout_payment(self, checkout_ref: str) -> PaymentDetails | None:
        """The test mode keeps no balance: the fee is Stripe's standard pricing for the currency (estimated)."""
        try:
            session = self._get(checkout_ref, "checkout.session").data
        except GatewayError:
            return None
        if session.get("payment_status") != "paid" or not session.get("payment_intent"):
            return None
        intent = self._get(session["payment_intent"], "payment_intent").data
        charge = self._get(intent["latest_charge"], "charge").data
        currency = charge["currency"].upper()
        return PaymentDetails(charge_ref=charge["id"], gross=charge["amount"], currency=currency,
                              fee=standard_fee(charge["amount"], currency), fee_estimated=True,
                              paid_at=_at(charge["created"]), balance_transaction_ref=f"txn_charge_{charge['id']}")

    def refund_charge(self, charge_ref: str, amount_minor: int, *, reason: str, idempotency_key: str) -> None:
        """Refund part of a charge; the key names the refund, so a retry refunds nothing more (as at Stripe)."""
        if type(amount_minor) is not int or amount_minor <= 0:
            raise GatewayError("A refund is a positive amount.")
        charge = self._get(charge_ref, "charge")
        if charge.data["amount_refunded"] + amount_minor > charge.data["amount"]:
            raise GatewayError("The refund is more than what is left of the payment.")
        ref = "re_local_" + hashlib.sha256(idempotency_key.encode()).hexdigest()[:24]
        _, made = self._claim("refund", ref, {"charge": charge_ref, "amount": amount_minor, "reason": reason[:500],
                                              "status": "succeeded"})
        if made:
            total = charge.data["amount_refunded"] + amount_minor
            self.emit("charge.refunded", self._put(charge, amount_refunded=total,
                                                   refunded=total >= charge.data["amount"],
                                                   refund_reason=reason, refunded_at=int(utcnow().timestamp())))

    def balance_transactions(self, start: datetime, end: datetime) -> list[ProcessorTransaction]:
        """The test mode's balance: each paid charge less Stripe's standard fee, and each refund."""
        found = []
        for charge in self._all("charge"):
            data, currency = charge.data, charge.data["currency"].upper()
            moments = [("charge", data["created"], data["amount"], standard_fee(data["amount"], currency))]
            if data.get("amount_refunded"):
                moments.append(("refund", data.get("refunded_at", data["created"]), -data["amount_refunded"], 0))
            found += [ProcessorTransaction(ref=f"txn_{kind}_{charge.id}", kind=kind, charge_ref=charge.id,
                                           amount=amount, fee=fee, currency=currency, created=_at(ts))
                      for kind, ts, amount, fee in moments if data["paid"] and start <= _at(ts) < end]
        return found
