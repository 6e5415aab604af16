"""The test mode's invoices and plan switches, shaped as Stripe keeps them (a mixin of `LocalGateway`: its `_add`,
`_get`, `_put`, `_all` and `emit`).

A switch prorates as Stripe does with `proration_behavior="always_invoice"`: the unused rest of the period on the
old price is credited, the rest on the new price is charged, each line rounded, and the difference is invoiced at
once. A negative difference is a credit on the customer's balance, taken off the next invoices."""
from __future__ import annotations

from datetime import datetime, timezone

from ..database import utcnow
from .gateway import GatewayError, Invoice

#: How the test checkout names a card it took (its first digit), as Stripe's `card.brand` would.
BRANDS = {"4": "visa", "5": "mastercard", "3": "amex"}


def _at(ts: int | None) -> datetime | None:
    return datetime.fromtimestamp(ts, tz=timezone.utc) if ts is not None else None


def proration_lines(sub: dict, new_amount: int, at: int) -> tuple[int, int]:
    """(credit, charge) for switching `sub` to `new_amount` at unix second `at`: the unused part of the period on the
    old price (negative) and on the new one, each rounded to the minor unit."""
    start, end = sub["current_period_start"], sub["current_period_end"]
    if at >= end:
        raise GatewayError("A plan switch is prorated within the current period; reload the page and try again.")
    # The test clock may have moved the period ahead of the real clock: then the whole period is still to come.
    left = (end - max(at, start)) / (end - start)
    return -round(sub["amount"] * left), round(new_amount * left)


def card_of(number: str) -> dict:
    digits = "".join(ch for ch in number if ch.isdigit())
    return {"brand": BRANDS.get(digits[:1], "card"), "last4": digits[-4:]}


class LocalInvoices:
    def _invoice(self, sub: dict, *, paid: bool, reason: str, lines: list[dict]) -> dict:
        """An invoice of `lines` for `sub` (less its coupon and the customer's credit); a charge when money is due."""
        customer = self._get(sub["customer"], "customer")
        subtotal = sum(line["amount"] for line in lines)
        off = min(sub.get("amount_off", 0), max(subtotal, 0)) if reason != "subscription_update" else 0
        credit = min(-customer.data.get("balance", 0), max(subtotal - off, 0))
        due = max(subtotal - off - credit, 0)
        self._put(customer, balance=customer.data.get("balance", 0) + credit + min(subtotal - off, 0))
        charge = self._add("charge", "ch", {"amount": due, "currency": sub["currency"], "paid": paid,
                                            "refunded": False, "amount_refunded": 0}) if due else None
        invoice = self._add("invoice", "in", {
            "subscription": sub["id"], "customer": sub["customer"], "subtotal": subtotal, "amount_due": due,
            "total_discount_amounts": [{"amount": off, "discount": c} for c in sub.get("discounts", [])][:1],
            "amount_paid": due if paid else 0, "currency": sub["currency"], "billing_reason": reason,
            "status": "paid" if paid or not due else "open", "charge": charge.id if charge else None,
            "starting_balance": -credit, "lines": {"object": "list", "data": lines},
            "period_start": sub["current_period_start"], "period_end": sub["current_period_end"],
            "status_transitions": {"paid_at": int(utcnow().timestamp()) if paid or not due else None},
            "card": {k: v for k, v in customer.data.items() if k in ("brand", "last4")},
            "parent": {"subscription_details": {"subscription": sub["id"], "metadata": sub["metadata"]}},
        })
        self._put(invoice, number=f"TEST-{invoice.id[-6:].upper()}")
        return invoice.data

    @staticmethod
    def _line(amount: int, price: str, start: int, end: int, *, proration: bool) -> dict:
        return {"object": "line_item", "amount": amount, "period": {"start": start, "end": end},
                "pricing": {"price_details": {"price": price}},
                "parent": {"subscription_item_details": {"proration": proration}}}

    # -- reading invoices ------------------------------------------------------------------------
    def list_invoices(self, subscription_ref: str) -> list[Invoice]:
        found = [obj.data for obj in self._all("invoice") if obj.data["subscription"] == subscription_ref]
        return [_invoice(data) for data in sorted(found, key=lambda d: (d["created"], d["id"]), reverse=True)]

    def get_invoice(self, invoice_ref: str) -> Invoice | None:
        try:
            return _invoice(self._get(invoice_ref, "invoice").data)
        except GatewayError:
            return None

    # -- plan switches ---------------------------------------------------------------------------
    def names_price(self, plan, price_ref: str | None) -> bool:
        return price_ref == self.price_ref(plan)

    def _switch_lines(self, sub: dict, plan, at: int) -> list[dict]:
        if plan.interval.value != sub["interval"]:
            raise GatewayError("A plan switch keeps the billing interval.")
        credit, charge = proration_lines(sub, plan.price_minor, at)
        end = sub["current_period_end"]
        return [self._line(credit, sub["price"], at, end, proration=True),
                self._line(charge, self.price_ref(plan), at, end, proration=True)]

    def preview_plan_change(self, subscription_ref: str, *, plan, proration_date: int) -> int:
        sub = self._get(subscription_ref, "subscription").data
        return sum(line["amount"] for line in self._switch_lines(sub, plan, proration_date))

    def change_plan(self, subscription_ref: str, *, plan, proration_date: int) -> None:
        obj = self._get(subscription_ref, "subscription")
        if obj.data["status"] not in ("active", "trialing"):
            raise GatewayError("Only an active subscription can switch plans.")
        if obj.data["price"] == self.price_ref(plan):
            return  # switched already (a repeated confirm): nothing more to charge
        lines = self._switch_lines(obj.data, plan, proration_date)
        sub = self._put(obj, price=self.price_ref(plan), amount=plan.price_minor)
        self.emit("customer.subscription.updated", sub)
        self.emit("invoice.paid", self._invoice(sub, paid=True, reason="subscription_update", lines=lines))


def _invoice(data: dict) -> Invoice:
    lines = (data.get("lines") or {}).get("data") or []
    billed = [line for line in lines if line["amount"] > 0] or lines
    period = billed[-1]["period"] if billed else {"start": data.get("period_start"), "end": data.get("period_end")}
    card = data.get("card") or {}
    return Invoice(ref=data["id"], subscription_ref=data["subscription"], status=data["status"],
                   amount_paid=data["amount_paid"], amount_due=data["amount_due"], currency=data["currency"].upper(),
                   created=_at(data["created"]), paid_at=_at((data.get("status_transitions") or {}).get("paid_at")),
                   period_start=_at(period.get("start")), period_end=_at(period.get("end")),
                   number=data.get("number"), billing_reason=data.get("billing_reason"),
                   price_ref=billed[-1]["pricing"]["price_details"]["price"] if billed else None,
                   card_brand=card.get("brand"), card_last4=card.get("last4"))
