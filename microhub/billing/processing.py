"""The event processing job: one handler per event type; idempotent and safe out of order."""
from __future__ import annotations

import logging
from datetime import timedelta

from .. import audit
from ..database import parse_id, utcnow
from ..errors import NotOurs
from ..extensions import db
from ..memberships import payments
from .models import EventStatus, PaymentEvent

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
    hold_id = parse_id((obj.get("metadata") or {}).get("hold_id"))
    if hold_id is None:
        raise NotOurs("the checkout session carries no hold_id of ours in its metadata (another product's?)")
    return hold_id


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


#: Waits before each retry of a failed event; after the last one it is dead (an operator looks at it).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=4), timedelta(hours=12), timedelta(hours=24))
MAX_ATTEMPTS = len(BACKOFF) + 1


def process_event(event_id: int) -> None:
    """Apply one stored event, once. Not ours: ignored. A failure: retried with backoff, then dead; never forever."""
    event = db.session.get(PaymentEvent, event_id, with_for_update=True)
    if event is None or event.status is not EventStatus.PENDING:
        return
    handler = HANDLERS.get(event.type)
    try:
        if handler is not None:
            handler(event.payload["data"]["object"], event)
        _finish(event, EventStatus.PROCESSED, None)
        db.session.commit()
    except NotOurs as exc:
        db.session.rollback()
        _finish(db.session.get(PaymentEvent, event_id), EventStatus.IGNORED, str(exc)[:2000])
        db.session.commit()
        log.info("event %s ignored: %s", event_id, exc)
    except Exception as exc:
        db.session.rollback()
        _failed(db.session.get(PaymentEvent, event_id), exc)
        db.session.commit()
        raise  # the job's traceback stays in RQ's failed registry; the sweeper decides when to try again


def _finish(event: PaymentEvent, status: EventStatus, reason: str | None) -> None:
    event.status = status
    event.processed_at = utcnow()
    event.attempts += 1
    event.next_attempt_at = None
    event.last_error = reason


def _failed(event: PaymentEvent, exc: Exception) -> None:
    event.attempts += 1
    event.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    if event.attempts >= MAX_ATTEMPTS:
        event.status = EventStatus.DEAD
        event.next_attempt_at = None
        log.error("event %s (%s) is dead after %d attempts: %s", event.stripe_id, event.type, event.attempts,
                  event.last_error)
    else:
        event.next_attempt_at = utcnow() + BACKOFF[event.attempts - 1]
        log.warning("event %s (%s) failed (attempt %d), retrying after %s: %s", event.stripe_id, event.type,
                    event.attempts, event.next_attempt_at.isoformat(), event.last_error)
