"""The Stripe gateway's invoices and plan switches: listing a subscription's invoices with their receipt pages,
previewing a switch's proration and making it (a mixin of `StripeGateway`: its `client`, `_call`, `get_subscription`).

A switch invoices its prorations at once (`proration_behavior="always_invoice"`): the member pays (or is credited)
the difference now, gets a receipt for it, and the renewal date stays. The preview and the update share one
`proration_date`, so the amount confirmed is the amount charged."""
from __future__ import annotations

import stripe

from ..installation import installation_key
from .gateway import GatewayError, Invoice
from .stripe_objects import invoice_of, proration_total

SWITCH = "always_invoice"


class StripeInvoices:
    def list_invoices(self, subscription_ref: str) -> list[Invoice]:
        page = self._call("invoice list", self.client.v1.invoices.list,
                          {"subscription": subscription_ref, "limit": 100})
        return [invoice_of(invoice) for invoice in page.auto_paging_iter()]  # newest first, every page

    def get_invoice(self, invoice_ref: str) -> Invoice | None:
        try:
            return invoice_of(self.client.v1.invoices.retrieve(invoice_ref))
        except stripe.InvalidRequestError as error:
            if error.code == "resource_missing":
                return None
            self._call("invoice lookup", _raise, error)
        except stripe.StripeError as error:
            self._call("invoice lookup", _raise, error)

    def _switch(self, subscription_ref: str, plan) -> list[dict]:
        item = self.get_subscription(subscription_ref).item_ref
        if item is None:
            raise GatewayError("This subscription has nothing to switch.")
        return [{"id": item, "price": self.price_ref(plan)}]  # with the item's id: replaced, not added

    def preview_plan_change(self, subscription_ref: str, *, plan, proration_date: int) -> int:
        preview = self._call("invoice preview", self.client.v1.invoices.create_preview, {
            "subscription": subscription_ref,
            "subscription_details": {"items": self._switch(subscription_ref, plan), "proration_behavior": SWITCH,
                                     "proration_date": proration_date}})
        return proration_total(preview)

    def change_plan(self, subscription_ref: str, *, plan, proration_date: int) -> None:
        items = self._switch(subscription_ref, plan)
        self._call("subscription update", self.client.v1.subscriptions.update, subscription_ref,
                   {"items": items, "proration_behavior": SWITCH, "proration_date": proration_date},
                   {"idempotency_key": _key(f"switch-{subscription_ref}-{items[0]['price']}-{proration_date}")})


def _key(name: str) -> str:
    return f"{installation_key()}-{name}"  # as the gateway's own keys: unique to this installation


def _raise(error):
    raise error
