"""The fake Stripe's Checkout: coupons, sessions in subscription and payment mode, paying or expiring them on
"Stripe's page", and the events Stripe would then send (kept in `events` for a test to deliver, in any order).

Objects follow Stripe's API reference for version 2026-10-28: a session holds no line items (they are expandable
only), an invoice names no charge (its InvoicePayment does), a subscription's price and period are on its items.
"""
from __future__ import annotations

import json
import re
import secrets

API_VERSION = "2026-10-28.endive"
#: What Stripe's hosted page does with a test card: pay, or refuse it (the session stays open).
PAYS = "4242424242424242"
DURATIONS = ("once", "repeating", "forever")


def _copy(obj: dict) -> dict:
    return json.loads(json.dumps(obj))


def _invalid(message: str, code: str | None = None, param: str | None = None) -> tuple[int, dict]:
    return 400, {"error": {"type": "invalid_request_error", "message": message, "code": code, "param": param}}


def standard_fee(amount: int) -> int:
    """The fake's processing fee: Stripe's EEA card pricing, 1.5% + 25 (never more than the amount)."""
    return min(amount, (amount * 15 + 500) // 1000 + 25)


class Checkouts:
    """A mixin of FakeStripe (its `objects`, `add`, `clock` and `expanded`)."""

    def _init_checkouts(self) -> None:
        self.events: list[dict] = []
        self._line_items: dict[str, dict] = {}  # session id → what it sells, as created

    def emit(self, event_type: str, obj: dict) -> dict:
        event = {"id": f"evt_{secrets.token_hex(8)}", "object": "event", "api_version": API_VERSION,
                 "created": int(self.clock()), "type": event_type, "data": {"object": _copy(obj)},
                 "livemode": False, "pending_webhooks": 1}
        self.events.append(event)
        return event

    def route_checkout(self, method: str, path: str, form: dict) -> tuple[int, dict]:
        """/v1/coupons and /v1/checkout/sessions: create, retrieve (with `expand`), expire."""
        if method == "POST" and path == "/v1/coupons":
            return self.create_coupon(form)
        if method == "POST" and path == "/v1/checkout/sessions":
            return self.create_session(form)
        match = re.fullmatch(r"/v1/(checkout/sessions|coupons)/([^/]+?)(/expire)?", path)
        kind = "coupon" if match and match[1] == "coupons" else "checkout.session"
        obj = self.objects.get(match[2]) if match else None
        if obj is None or obj["object"] != kind:
            return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                   "message": f"No such {kind}: '{match[2] if match else path}'"}}
        if match[3] and method == "POST":
            return self.expire_session(obj)
        return 200, self.expanded(obj, form.get("expand") or [])

    # -- coupons ---------------------------------------------------------------------------------
    def create_coupon(self, form: dict) -> tuple[int, dict]:
        if ("amount_off" in form) == ("percent_off" in form):
            return _invalid("You must pass either `percent_off` or `amount_off`.", "parameter_missing")
        if "amount_off" in form and not form.get("currency"):
            return _invalid("You must pass currency when passing amount_off.", "parameter_missing", "currency")
        duration = form.get("duration", "once")
        if duration not in DURATIONS or (duration == "repeating") != ("duration_in_months" in form):
            return _invalid("Invalid duration: use once, forever, or repeating with duration_in_months.",
                            "parameter_invalid", "duration")
        if len(form.get("name", "")) > 40:
            return _invalid("Name must be at most 40 characters.", "parameter_invalid", "name")
        coupon_id = form.get("id") or secrets.token_hex(4)
        if coupon_id in self.objects:
            return _invalid("Coupon already exists.", "resource_already_exists", "id")
        number = {key: cast(form[key]) if key in form else None
                  for key, cast in (("amount_off", int), ("percent_off", float), ("duration_in_months", int))}
        return 200, self.add("coupon", "coupon", id=coupon_id, **number, duration=duration,
                             currency=form.get("currency", "").lower() or None, name=form.get("name"), valid=True,
                             times_redeemed=0, metadata=form.get("metadata", {}))

    def _discount(self, coupon: dict, subtotal: int) -> int:
        if coupon["amount_off"] is not None:
            return min(coupon["amount_off"], subtotal)
        return min(subtotal, round(subtotal * coupon["percent_off"] / 100))

    # -- sessions --------------------------------------------------------------------------------
    def _priced(self, mode: str, items) -> tuple[int, str] | tuple[int, dict]:
        """(subtotal, currency) of the line items, or an error answer."""
        if not isinstance(items, list) or not items:
            return _invalid("`line_items` is required in payment and subscription mode.", "parameter_missing")
        total, currencies = 0, set()
        for item in items:
            price = self.objects.get(item.get("price", "")) if "price" in item else item.get("price_data")
            if not isinstance(price, dict):
                return _invalid(f"No such price: '{item.get('price')}'", "resource_missing", "line_items")
            if (mode == "subscription") != bool(price.get("recurring")):
                return _invalid("Subscription mode needs recurring prices; payment mode one-time prices.",
                                "parameter_invalid", "line_items")
            total += int(price["unit_amount"]) * int(item.get("quantity", 1))
            currencies.add(price["currency"].lower())
        if len(currencies) != 1:
            return _invalid("All line items must be in one currency.", "parameter_invalid", "line_items")
        return total, currencies.pop()

    def create_session(self, form: dict) -> tuple[int, dict]:
        mode = form.get("mode")
        if mode not in ("payment", "subscription", "setup"):
            return _invalid("Invalid mode: must be one of payment, setup, or subscription.", "parameter_invalid")
        for field, needs in (("submit_type", "payment"), ("payment_intent_data", "payment"),
                             ("subscription_data", "subscription")):
            if field in form and mode != needs:
                return _invalid(f"You can only pass `{field}` in `{needs}` mode.", "parameter_invalid", field)
        now = int(self.clock())
        expires_at = int(form.get("expires_at", now + 24 * 3600))
        if not 30 * 60 <= expires_at - now <= 24 * 3600:
            return _invalid("The `expires_at` timestamp must be between 30 minutes and 24 hours from Checkout "
                            "Session creation.", "parameter_invalid_integer", "expires_at")
        priced = self._priced(mode, form.get("line_items"))
        if isinstance(priced[1], dict):
            return priced
        subtotal, currency = priced
        discounts = form.get("discounts") or []
        if len(discounts) > 1:
            return _invalid("You may only specify one discount.", "parameter_invalid", "discounts")
        off = 0
        for discount in discounts:
            coupon = self.objects.get(discount.get("coupon", ""))
            if coupon is None or coupon["object"] != "coupon":
                return _invalid(f"No such coupon: '{discount.get('coupon')}'", "resource_missing", "discounts")
            if coupon["currency"] not in (None, currency):
                return _invalid("The coupon's currency does not match the checkout's.", "parameter_invalid")
            off = self._discount(coupon, subtotal)
        session = self.add("cs_test", "checkout.session", mode=mode, status="open", payment_status="unpaid",
                           url=None, expires_at=expires_at, currency=currency, amount_subtotal=subtotal,
                           amount_total=subtotal - off, total_details={"amount_discount": off, "amount_shipping": 0,
                                                                       "amount_tax": 0},
                           discounts=[{"coupon": d["coupon"]} for d in discounts],
                           customer=None, customer_email=form.get("customer_email"), subscription=None,
                           payment_intent=None, invoice=None, submit_type=form.get("submit_type"),
                           client_reference_id=form.get("client_reference_id"), metadata=form.get("metadata", {}),
                           success_url=form.get("success_url"), cancel_url=form.get("cancel_url"))
        session["url"] = f"{self.url}/pay/{session['id']}"
        self._line_items[session["id"]] = form
        return 200, session

    def expire_session(self, session: dict) -> tuple[int, dict]:
        """End an open session (the API's expire, or its time running out) and send checkout.session.expired."""
        if session["status"] != "open":
            return _invalid("Only Checkout Sessions with a status in [\"open\"] can be expired.")
        session["status"] = "expired"
        self.emit("checkout.session.expired", session)
        return 200, session

    # -- paying on Stripe's page -------------------------------------------------------------------
    def pay(self, session_id: str, *, card: str = PAYS, fee: int | None = None) -> list[dict]:
        """The person pays on Stripe's hosted page; returns the events Stripe sends. A declined card pays nothing."""
        session = self.objects[session_id]
        if session["status"] != "open" or card.replace(" ", "") != PAYS:
            return []
        start = len(self.events)
        if session["mode"] == "payment":
            params = self._line_items[session_id].get("payment_intent_data") or {}
            intent = self._charged(session["amount_total"], session["currency"], fee, params.get("metadata", {}))
            session.update(status="complete", payment_status="paid", payment_intent=intent["id"])
            self.emit("checkout.session.completed", session)
        else:
            self._subscribe(session, fee)
        return self.events[start:]

    def _charged(self, amount: int, currency: str, fee: int | None, metadata: dict) -> dict:
        """A succeeded payment intent, its charge and the charge's balance transaction (with Stripe's fee)."""
        fee = standard_fee(amount) if fee is None else fee
        txn = self.add("txn", "balance_transaction", amount=amount, fee=fee, net=amount - fee, currency=currency,
                       type="charge", status="pending", reporting_category="charge",
                       fee_details=[{"amount": fee, "currency": currency, "type": "stripe_fee"}])
        intent = self.add("pi", "payment_intent", amount=amount, currency=currency, status="succeeded",
                          metadata=metadata, latest_charge=None)
        charge = self.add("ch", "charge", amount=amount, currency=currency, paid=True, status="succeeded",
                          payment_intent=intent["id"], balance_transaction=txn["id"], amount_refunded=0,
                          refunded=False, metadata=metadata)
        txn["source"], intent["latest_charge"] = charge["id"], charge["id"]
        return intent

    def _subscribe(self, session: dict, fee: int | None) -> None:
        form = self._line_items[session["id"]]
        [item] = form["line_items"]
        price, now = self.objects[item["price"]], int(self.clock())
        customer = self.add("cus", "customer", email=session["customer_email"])
        metadata = (form.get("subscription_data") or {}).get("metadata", {})
        sub = self.add("sub", "subscription", status="active", customer=customer["id"], cancel_at_period_end=False,
                       metadata=metadata, discounts=[], items={"object": "list", "data": [{
                           "id": f"si_{secrets.token_hex(4)}", "object": "subscription_item", "price": _copy(price),
                           "quantity": 1, "current_period_start": now, "current_period_end": now + 30 * 86400}]})
        discount_amounts = []
        for applied in session["discounts"]:
            discount = self.add("di", "discount", coupon=_copy(self.objects[applied["coupon"]]), subscription=sub["id"])
            sub["discounts"].append(discount["id"])
            discount_amounts.append({"amount": session["total_details"]["amount_discount"], "discount": discount["id"]})
        item = sub["items"]["data"][0]
        line = self.line(sub, item, session["amount_subtotal"], now, item["current_period_end"], proration=False)
        invoice = self.invoice_for(sub, [line], reason="subscription_create", fee=fee,
                                   discounted=session["amount_subtotal"] - session["amount_total"])
        invoice["total_discount_amounts"] = discount_amounts
        due = invoice["amount_paid"]
        session.update(status="complete", payment_status="paid" if due else "no_payment_required",
                       customer=customer["id"], subscription=sub["id"])
        self.emit("checkout.session.completed", session)
        self.emit("customer.subscription.created", sub)
        self.emit("invoice.paid", invoice)
