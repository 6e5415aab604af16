"""Webhook ingest: verify the signature on the raw body, store the event, commit, enqueue, answer."""
from __future__ import annotations

import functools
import json
import math
import re
import time

import stripe
from flask import Blueprint, jsonify, request
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from .. import jobs
from ..database import utcnow
from ..extensions import csrf, db
from .gateway import webhook_secret
from .models import EventStatus, PaymentEvent
from .processing import process_event

bp = Blueprint("webhooks", __name__)

_INSERTS = {"postgresql": postgresql_insert, "sqlite": sqlite_insert}


@functools.cache
def _store_statement(dialect: str):
    # Built once with bound parameters: SQLAlchemy then finds its compiled form by identity instead of
    # walking a fresh statement (and the event's payload) for a cache key on every delivery.
    return (_INSERTS[dialect](PaymentEvent.__table__)
            .on_conflict_do_nothing(index_elements=["stripe_id"])
            .returning(PaymentEvent.__table__.c.id))


class BadEvent(ValueError):
    """The body is not a signed, well-formed event; nothing was stored."""


#: Stripe's events are a few KB; anything near this is not one, and is refused before it is read.
MAX_BODY = 256 * 1024
#: Seconds a signature's timestamp may be off, in the past (replays) or the future (a forged clock).
TOLERANCE = 300
#: Deepest JSON nesting accepted; Stripe's objects nest about a dozen levels.
MAX_DEPTH = 64
#: A NUL or an unpaired UTF-16 surrogate written as a JSON escape: neither can be stored as text.
_UNSTORABLE = re.compile(r"\\u0000|\\u[dD][89abAB][0-9a-fA-F]{2}(?!\\u[dD][c-fC-F])"
                         r"|(?<!\\u[dD][89abAB][0-9a-fA-F]{2})\\u[dD][c-fC-F][0-9a-fA-F]{2}")


def _no_constant(name: str):
    raise ValueError(f"{name} is not JSON")


def _finite(text: str) -> float:
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


#: Python's json reads NaN, Infinity and 1e400; JSON and PostgreSQL's json column do not (a stored one is a 500).
_DECODER = json.JSONDecoder(parse_constant=_no_constant, parse_float=_finite)


def ingest(raw: bytes, signature: str | None) -> tuple[str, bool]:
    """Verify and store one delivery; returns (event id, is_new). Stores durably, then enqueues processing."""
    body, text = _verified(raw, signature)
    event_id, event_type, created = body.get("id"), body.get("type"), body.get("created")
    data = body.get("data")
    if not (isinstance(event_id, str) and 0 < len(event_id) <= 255 and event_id.isprintable()
            and isinstance(event_type, str) and 0 < len(event_type) <= 80 and event_type.isprintable()
            and type(created) is int and 0 < created < 2**40  # a real int, not a bool, that fits the column
            and isinstance(data, dict) and isinstance(data.get("object"), dict)):
        raise BadEvent("event lacks a valid id, type, created or data.object")

    stored_id = _store(db.engine, event_id, event_type, created, body, text)
    if stored_id is None:
        return event_id, False
    jobs.enqueue(process_event, stored_id, queue_name=jobs.HIGH, now=True)  # the row is committed
    return event_id, True


#: `_store_statement` as PostgreSQL runs it (the status is the column's default, `pending`), for psycopg itself.
_PG_STORE = ("INSERT INTO payment_events (stripe_id, type, created, payload, received_at, status, attempts) "
             f"VALUES (%s, %s, %s, %s::json, %s, '{EventStatus.PENDING.value}', 0) "
             "ON CONFLICT (stripe_id) DO NOTHING RETURNING id")


def _store(engine, event_id: str, event_type: str, created: int, body: dict, text: str) -> int | None:
    """Insert the event in one autocommitted statement; its row id, or None when it was stored before.

    One statement tells new from repeated, even for two deliveries at once, with no BEGIN/COMMIT round trips on
    the path Stripe waits on. On PostgreSQL it runs on the pooled psycopg connection directly: SQLAlchemy's
    execute and isolation-level switching cost about as much CPU as the round trip itself (issue 15). The json
    column there takes the verified body's own text (`body` parsed from it, so it reads back as the same object)
    rather than serialising `body` again.
    """
    if engine.dialect.name != "postgresql":
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            return conn.execute(_store_statement(engine.dialect.name), {
                "stripe_id": event_id, "type": event_type, "created": created, "payload": body,
                "received_at": utcnow(), "attempts": 0,
            }).scalar_one_or_none()
    pooled = engine.raw_connection()  # back to the pool (reset, or discarded if broken) on close
    try:
        conn = pooled.driver_connection
        conn.autocommit = True
        try:
            row = conn.execute(_PG_STORE, (event_id, event_type, created, text, utcnow())).fetchone()
        finally:
            if not conn.closed:
                conn.autocommit = False  # as the pool's other users expect it
    finally:
        pooled.close()
    return None if row is None else row[0]


def _verified(raw: bytes, signature: str | None) -> tuple[dict, str]:
    """The signed event object in `raw` and its text, or BadEvent saying what is wrong with the delivery."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise BadEvent("body is not UTF-8") from None
    try:
        stripe.WebhookSignature.verify_header(text, signature, webhook_secret(), tolerance=TOLERANCE)
    except stripe.SignatureVerificationError as exc:
        raise BadEvent(f"signature check failed: {str(exc).split('.')[0]}") from None
    if _signed_at(signature) > time.time() + TOLERANCE:  # stripe only refuses timestamps in the past
        raise BadEvent("signature check failed: timestamp is in the future")
    if "\\u" in text and _UNSTORABLE.search(text):  # the substring test is C-fast; most events have no escapes
        raise BadEvent("body holds a NUL or an unpaired surrogate")
    try:
        body = _DECODER.decode(text)
    except (ValueError, RecursionError):
        raise BadEvent("body is not JSON") from None
    if not isinstance(body, dict) or body.get("object") != "event":
        raise BadEvent("body is not an event object")
    if text.count("{") + text.count("[") > MAX_DEPTH and not _shallow(body):
        raise BadEvent(f"body nests deeper than {MAX_DEPTH} levels")
    return body, text


def _signed_at(header: str) -> int:
    # verify_header has parsed it already, so a t= item with digits is there.
    return max(int(v) for k, _, v in (item.partition("=") for item in header.split(",")) if k == "t")


def _shallow(body: dict) -> bool:
    level, depth = [body], 1
    while level:
        if depth > MAX_DEPTH:
            return False
        level = [child for node in level for child in (node.values() if isinstance(node, dict) else node)
                 if isinstance(child, (dict, list))]
        depth += 1
    return True


@bp.post("/webhooks/stripe")
@csrf.exempt
def stripe_webhook():
    if (request.content_length or 0) > MAX_BODY:
        return jsonify(error="bad event", detail=f"body over {MAX_BODY // 1024} KiB: not a Stripe event"), 413
    request.max_content_length = MAX_BODY  # a body without Content-Length is cut off at the same size
    try:
        event_id, is_new = ingest(request.get_data(), request.headers.get("Stripe-Signature"))
    except BadEvent as exc:
        return jsonify(error="bad event", detail=str(exc)), 400
    return jsonify(received=event_id, duplicate=not is_new), 200
