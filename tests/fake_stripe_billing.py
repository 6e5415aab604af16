"""The fake Stripe's invoices and subscription updates: listing a subscription's invoices, retrieving one,
previewing a plan switch (`POST /v1/invoices/create_preview`), switching (`POST /v1/subscriptions/:id` with `items`)
and renewing, with the events Stripe sends.

Shapes follow API version 2026-10-28: a finalized invoice has `number`, `hosted_invoice_url`, `invoice_pdf`,
`status_transitions.paid_at` and `lines` whose price is under `pricing.price_details` and whose proration flag is
under `parent.subscription_item_details`; the subscription is under `parent.subscription_details`; a negative
proration invoice pays nothing and credits the customer's balance."""
from __future__ import annotations

import re
import secrets

BEHAVIOURS = ("create_prorations", "always_invoice", "none")


def _invalid(message: str, param: str | None = None) -> tuple[int, dict]:
    return 400, {"error": {"type": "invalid_request_error", "message": message, "code": "parameter_invalid",
                           "param": param}}


def subscription_of(invoice: dict) -> str | None:
    """Under `parent` (API 2025-03-31 on); some tests still make invoices with the older top-level field."""
    return ((invoice.get("parent") or {}).get("subscription_details") or {}).get("subscription") \
        or invoice.get("subscription")


class Billing:
    """A mixin of FakeStripe (its `objects`, `add`, `clock`, `emit` and `_charged`)."""

    def route_billing(self, method: str, path: str, form: dict) -> tuple[int, dict] | None:
        """The answer for an invoice or subscription-update request; None for any other request."""
        if method == "GET" and path == "/v1/invoices":
            found = [o for o in self.objects.values() if o["object"] == "invoice" and o.get("id")
                     and form.get("subscription") in (None, subscription_of(o))
                     and form.get("customer") in (None, o.get("customer"))
                     and form.get("status") in (None, o.get("status"))]
            found.sort(key=lambda o: (o["created"], o["id"]), reverse=True)
            limit = int(form.get("limit", 10))
            data = [self.with_payments(o) if "data.payments" in (form.get("expand") or []) else o for o in found]
            return 200, {"object": "list", "url": path, "has_more": len(found) > limit, "data": data[:limit]}
        if method == "POST" and path == "/v1/invoices/create_preview":
            return self.preview(form)
        if method == "GET" and (match := re.fullmatch(r"/v1/invoices/([^/]+)", path)):
            invoice = self.objects.get(match[1])
            if invoice is None or invoice["object"] != "invoice":
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                       "message": f"No such invoice: '{match[1]}'"}}
            return 200, invoice
        if method == "POST" and "items" in form and (match := re.fullmatch(r"/v1/subscriptions/([^/]+)", path)):
            sub = self.objects.get(match[1])
            if sub is None or sub["object"] != "subscription":
                return 404, {"error": {"type": "invalid_request_error", "code": "resource_missing",
                                       "message": f"No such subscription: '{match[1]}'"}}
            return self.update_items(sub, form)
        return None

    def with_payments(self, invoice: dict) -> dict:
        """The invoice with its includable `payments` (its InvoicePayments), as `expand=["payments"]` gives it."""
        if "payments" in invoice:
            return invoice
        found = [o for o in self.objects.values() if o["object"] == "invoice_payment" and o["invoice"] == invoice["id"]]
        return {**invoice, "payments": {"object": "list", "data": found, "has_more": False}}

    # -- invoices ----------------------------------------------------------------------------------
    def line(self, sub: dict, item: dict, amount: int, start: int, end: int, *, proration: bool) -> dict:
        return {"id": f"il_{secrets.token_hex(6)}", "object": "line_item", "amount": amount,
                "currency": item["price"]["currency"], "period": {"start": start, "end": end},
                "pricing": {"type": "price_details", "price_details": {"price": item["price"]["id"],
                                                                       "product": item["price"].get("product")}},
                "parent": {"type": "subscription_item_details", "subscription_item_details": {
                    "proration": proration, "subscription": sub["id"], "subscription_item": item["id"]}}}

    def invoice_for(self, sub: dict, lines: list[dict], *, reason: str, fee: int | None = None,
                    discounted: int = 0) -> dict:
        """A finalized invoice of `lines` (less `discounted` and the customer's credit), paid at once."""
        customer = self.objects[sub["customer"]]
        subtotal = sum(line["amount"] for line in lines)
        credit = min(-customer.get("balance", 0), max(subtotal - discounted, 0))
        due = max(subtotal - discounted - credit, 0)
        customer["balance"] = customer.get("balance", 0) + credit + min(subtotal - discounted, 0)
        now, currency = int(self.clock()), lines[0]["currency"] if lines else "eur"
        invoice = self.add("in", "invoice", status="paid", customer=sub["customer"], currency=currency,
                           subtotal=subtotal, total=subtotal - discounted, amount_due=due, amount_paid=due,
                           amount_remaining=0, starting_balance=-credit, billing_reason=reason,
                           period_start=min(line["period"]["start"] for line in lines) if lines else now,
                           period_end=max(line["period"]["end"] for line in lines) if lines else now,
                           status_transitions={"finalized_at": now, "paid_at": now},
                           lines={"object": "list", "data": lines, "has_more": False},
                           parent={"type": "subscription_details", "subscription_details": {
                               "subscription": sub["id"], "metadata": sub.get("metadata", {})}})
        number = f"FAKE-{len([o for o in self.objects.values() if o['object'] == 'invoice']):04d}"
        invoice.update(number=number, hosted_invoice_url=f"{self.url}/invoice/{invoice['id']}",
                       invoice_pdf=f"{self.url}/invoice/{invoice['id']}/pdf")
        if due:
            intent = self._charged(due, currency, fee, {})
            self.add("inpay", "invoice_payment", invoice=invoice["id"], status="paid", amount_paid=due,
                     payment={"type": "payment_intent", "payment_intent": intent["id"]})
        sub["latest_invoice"] = invoice["id"]
        return invoice

    # -- plan switches -----------------------------------------------------------------------------
    def _prorations(self, sub: dict, form: dict) -> tuple[list[dict], list[tuple[dict, dict]]] | tuple[int, dict]:
        """The proration lines of replacing items as `form["items"]` says, and (item, new price) pairs."""
        changes, lines = [], []
        at = int(form.get("proration_date") or self.clock())
        for wanted in form.get("items") or []:
            price = self.objects.get(wanted.get("price", ""))
            if price is None or price["object"] != "price":
                return _invalid(f"No such price: '{wanted.get('price')}'", "items")
            item = next((i for i in sub["items"]["data"] if i["id"] == wanted.get("id")), None)
            if wanted.get("id") and item is None:
                return _invalid(f"No such subscription item: '{wanted['id']}'", "items")
            if item is None:  # without an id Stripe ADDS the price as another item
                item = {"id": f"si_{secrets.token_hex(4)}", "object": "subscription_item", "price": None,
                        "quantity": 1, **{k: sub["items"]["data"][0][k] for k in ("current_period_start",
                                                                                   "current_period_end")}}
                sub["items"]["data"].append(item)
            start, end = item["current_period_start"], item["current_period_end"]
            if not start <= at < end:
                return _invalid("proration_date must be within the current period.", "proration_date")
            left = (end - at) / (end - start)
            if item["price"] is not None:
                lines.append(self.line(sub, item, -round(item["price"]["unit_amount"] * left), at, end, proration=True))
            lines.append(self.line(sub, {**item, "price": price}, round(price["unit_amount"] * left), at, end,
                                   proration=True))
            changes.append((item, price))
        return lines, changes

    def preview(self, form: dict) -> tuple[int, dict]:
        sub = self.objects.get(form.get("subscription", ""))
        details = form.get("subscription_details") or {}
        if sub is None:
            return _invalid("A preview of a subscription change needs `subscription`.", "subscription")
        if details.get("proration_behavior", "create_prorations") not in BEHAVIOURS:
            return _invalid("Invalid proration_behavior.", "subscription_details[proration_behavior]")
        found = self._prorations(json_copy(sub), details)
        if isinstance(found[0], int):
            return found
        lines = found[0]
        total = sum(line["amount"] for line in lines)
        return 200, {"id": None, "object": "invoice", "status": "draft", "customer": sub["customer"],
                     "currency": lines[0]["currency"] if lines else "eur", "subtotal": total, "total": total,
                     "amount_due": max(total, 0), "billing_reason": "subscription_update",
                     "lines": {"object": "list", "data": lines, "has_more": False}, "hosted_invoice_url": None,
                     "invoice_pdf": None, "parent": {"type": "subscription_details",
                                                     "subscription_details": {"subscription": sub["id"]}}}

    def update_items(self, sub: dict, form: dict) -> tuple[int, dict]:
        behaviour = form.get("proration_behavior", "create_prorations")
        if behaviour not in BEHAVIOURS:
            return _invalid("Invalid proration_behavior.", "proration_behavior")
        found = self._prorations(sub, form)
        if isinstance(found[0], int):
            return found
        lines, changes = found
        for item, price in changes:
            item["price"] = json_copy(price)
        self.emit("customer.subscription.updated", sub)
        if behaviour == "always_invoice" and lines:
            invoice = self.invoice_for(sub, lines, reason="subscription_update")
            self.emit("invoice.paid", invoice)
        return 200, sub

    # -- test clock ----------------------------------------------------------------------------------
    def renew(self, sub_id: str, *, fee: int | None = None) -> list[dict]:
        """The subscription's period ends: the next one is invoiced and paid; returns the events Stripe sends."""
        sub, start = self.objects[sub_id], len(self.events)
        lines = []
        for item in sub["items"]["data"]:
            begin = item["current_period_end"]
            item.update(current_period_start=begin, current_period_end=begin + 30 * 86400)
            lines.append(self.line(sub, item, item["price"]["unit_amount"], begin, begin + 30 * 86400,
                                   proration=False))
        self.emit("invoice.paid", self.invoice_for(sub, lines, reason="subscription_cycle", fee=fee))
        self.emit("customer.subscription.updated", sub)
        return self.events[start:]


def json_copy(obj):
    import json
    return json.loads(json.dumps(obj))
