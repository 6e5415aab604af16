"""The event processing job: one handler per event type; idempotent and safe out of order."""
from __future__ import annotations

import logging

from .. import audit
from ..database import utcnow
from ..extensions import db
from ..memberships import payments
from .models import PaymentEvent

log = logging.getLogger(__name__)


def _subscription_of(obj: dict) -> str | None:
    # Invoices name their subscription at the top level in older API versions, under `parent` in newer ones.
    ref = obj.get("subscription")
    if isinstance(ref, dict):
        ref = ref.get("id")
    if not ref:
        details = ((obj.get("parent") or {}).get("subscription_details") or {})
        ref = details.get("subscription")
    return ref if isinstance(ref, str) else None


def _hold_id(obj: dict) -> int:
    raw = str((obj.get("metadata") or {}).get("hold_id", ""))
    if not raw.isdigit():
        raise payments.EventMismatch("checkout session carries no hold_id in its metadata")
    return int(raw)


def on_checkout_completed(obj: dict, event: PaymentEvent) -> None:
    payments.checkout_completed(_hold_id(obj), obj.get("id"), _subscription_of(obj))


def on_checkout_expired(obj: dict, event: PaymentEvent) -> None:
    payments.checkout_expired(_hold_id(obj), obj.get("id"))


def on_invoice(obj: dict, event: PaymentEvent) -> None:
    ref = _subscription_of(obj)
    if ref:
        payments.sync_subscription(ref)


def on_subscription(obj: dict, event: PaymentEvent) -> None:
    payments.sync_subscription(obj["id"])


def on_charge_refunded(obj: dict, event: PaymentEvent) -> None:
    audit.record("charge.refunded", event, actor_label="stripe", charge=obj.get("id"),
                 amount_refunded=obj.get("amount_refunded"), currency=obj.get("currency"))


HANDLERS = {
    "checkout.session.completed": on_checkout_completed,
    "checkout.session.expired": on_checkout_expired,
    "invoice.paid": on_invoice,
    "invoice.payment_failed": on_invoice,
    "customer.subscription.created": on_subscription,
    "customer.subscription.updated": on_subscription,
    "customer.subscription.deleted": on_subscription,
    "charge.refunded": on_charge_refunded,
}


def process_event(event_id: int) -> None:
    """Apply one stored event. A failure is recorded on the event and re-raised so RQ retries it."""
    event = db.session.get(PaymentEvent, event_id, with_for_update=True)
    if event is None or event.processed_at is not None:
        return
    handler = HANDLERS.get(event.type)
    try:
        if handler is not None:
            handler(event.payload["data"]["object"], event)
        event.processed_at = utcnow()
        event.attempts += 1
        event.last_error = None
        db.session.commit()
    except Exception as exc:
        db.session.rollback()
        failed = db.session.get(PaymentEvent, event_id)
        failed.attempts += 1
        failed.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        db.session.commit()
        log.warning("event %s (%s) failed: %s", failed.stripe_id, failed.type, failed.last_error)
        raise
