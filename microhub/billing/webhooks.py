"""Webhook ingest: verify the signature on the raw body, store the event, commit, enqueue, answer."""
from __future__ import annotations

import functools
import json
from datetime import timedelta

import stripe
from flask import Blueprint, jsonify, request
from rq import Retry
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import jobs
from ..database import utcnow
from ..extensions import csrf, db
from .gateway import webhook_secret
from .models import PaymentEvent

bp = Blueprint("webhooks", __name__)

#: Stored events still unprocessed this long after arrival are enqueued again by the sweeper.
SWEEP_AFTER = timedelta(minutes=3)
_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}
RETRY = Retry(max=5, interval=[10, 30, 120, 600, 1800])


@functools.cache
def _store_statement(dialect: str):
    # Built once with bound parameters: SQLAlchemy then finds its compiled form by identity instead of
    # walking a fresh statement (and the event's payload) for a cache key on every delivery.
    return (_INSERTS[dialect](PaymentEvent.__table__)
            .on_conflict_do_nothing(index_elements=["stripe_id"])
            .returning(PaymentEvent.__table__.c.id))


class BadEvent(ValueError):
    """The body is not a signed, well-formed event; nothing was stored."""


def ingest(raw: bytes, signature: str | None) -> tuple[str, bool]:
    """Verify and store one delivery; returns (event id, is_new). Stores durably, then enqueues processing."""
    try:
        stripe.WebhookSignature.verify_header(raw, signature, webhook_secret(), tolerance=300)
    except stripe.SignatureVerificationError as exc:
        raise BadEvent(f"signature check failed: {str(exc).split('.')[0]}") from None
    try:
        body = json.loads(raw)
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise BadEvent("body is not JSON") from None
    if not isinstance(body, dict) or body.get("object") != "event":
        raise BadEvent("body is not an event object")
    event_id, event_type, created = body.get("id"), body.get("type"), body.get("created")
    data = body.get("data")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 255 and isinstance(event_type, str)
            and len(event_type) <= 80 and isinstance(created, int) and isinstance(data, dict)
            and isinstance(data.get("object"), dict)):
        raise BadEvent("event lacks id, type, created or data.object")

    # One autocommitted statement stores the event and tells new from repeated, even for two deliveries
    # at once; no BEGIN/COMMIT round trips on the path Stripe waits on.
    engine = db.engine
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        stored_id = conn.execute(_store_statement(engine.dialect.name), {
            "stripe_id": event_id, "type": event_type, "created": created, "payload": body,
            "received_at": utcnow(), "attempts": 0,
        }).scalar_one_or_none()
    if stored_id is None:
        return event_id, False
    from .processing import process_event

    jobs.enqueue(process_event, stored_id, queue_name=jobs.HIGH, retry=RETRY, now=True)  # the row is committed
    return event_id, True


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook():
    try:
        event_id, is_new = ingest(request.get_data(), request.headers.get("Stripe-Signature"))
    except BadEvent as exc:
        return jsonify(error="bad event", detail=str(exc)), 400
    return jsonify(received=event_id, duplicate=not is_new), 200


@jobs.periodic
def sweep_events() -> None:
    """Enqueue stored events nobody processed (queue was down, worker died): nothing lives only in Redis."""
    from .processing import process_event

    stale = db.session.scalars(
        db.select(PaymentEvent.id)
        .where(PaymentEvent.processed_at.is_(None), PaymentEvent.received_at < utcnow() - SWEEP_AFTER)
        .order_by(PaymentEvent.created)
        .limit(500)
    ).all()
    for event_id in stale:
        jobs.enqueue(process_event, event_id, queue_name=jobs.HIGH)
