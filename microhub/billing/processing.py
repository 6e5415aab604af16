"""The event processing job: each event type becomes signals for the domains above; idempotent, safe out of order."""
from __future__ import annotations

import functools
import logging
from datetime import timedelta
from typing import NamedTuple

import psycopg
from sqlalchemy import bindparam, select
from sqlalchemy.exc import PendingRollbackError

from .. import audit, signals
from ..database import utcnow
from ..errors import NotOurs, NotYet
from ..extensions import db
from .models import EventStatus, PaymentEvent

log = logging.getLogger(__name__)


def subscription_of(obj: dict) -> str | None:
    # Invoices name their subscription at the top level in older API versions, under `parent` in newer ones.
    ref = obj.get("subscription")
    if isinstance(ref, dict):
        ref = ref.get("id")
    if not ref:
        details = ((obj.get("parent") or {}).get("subscription_details") or {})
        ref = details.get("subscription")
    return ref if isinstance(ref, str) else None


def _itself(obj: dict):
    return obj


def _id(obj: dict) -> str:
    return obj["id"]  # a subscription event without one is malformed: it fails, and is retried, then dead


#: What each event type tells the domains above (the receivers in `microhub.wiring.RECEIVERS`): the signals to send,
#: each with what it is about. A type not listed is stored and marked processed, with nothing to do.
MEANING = {
    "checkout.session.completed": ((signals.checkout_completed, _itself),),
    "checkout.session.expired": ((signals.checkout_expired, _itself),),
    # A delayed payment method (a bank debit) completes the checkout unpaid; its money comes with one of these.
    "checkout.session.async_payment_succeeded": ((signals.checkout_completed, _itself),),
    "checkout.session.async_payment_failed": ((signals.checkout_expired, _itself),),
    "invoice.paid": ((signals.payment_received, _itself), (signals.subscription_changed, subscription_of)),
    "invoice.payment_failed": ((signals.payment_failed, _itself), (signals.subscription_changed, subscription_of)),
    "customer.subscription.created": ((signals.subscription_changed, _id),),
    "customer.subscription.updated": ((signals.subscription_changed, _id),),
    "customer.subscription.deleted": ((signals.subscription_changed, _id),),
    "charge.refunded": ((signals.refund_issued, _itself),),
    "charge.dispute.funds_withdrawn": ((signals.dispute_funds_moved, _itself),),
    "charge.dispute.funds_reinstated": ((signals.dispute_funds_moved, _itself),),
}


#: Signals about a checkout: each domain's receiver answers True for the checkouts it made (by its own metadata key)
#: and, for the rest, why not; a checkout none of them claims is another product's and the event is ignored.
CLAIMED = (signals.checkout_completed, signals.checkout_expired)


def record_refund(charge: dict, *, event: PaymentEvent) -> None:
    """The audit trail keeps every refund Stripe reports (a receiver of `refund_issued`)."""
    audit.record("charge.refunded", event, actor_label="stripe", charge=charge.get("id"),
                 amount_refunded=charge.get("amount_refunded"), currency=charge.get("currency"))


#: Waits before each retry of a failed event; after the last one it is dead (an operator looks at it).
BACKOFF = (timedelta(minutes=1), timedelta(minutes=5), timedelta(minutes=15), timedelta(hours=1),
           timedelta(hours=4), timedelta(hours=12), timedelta(hours=24))
MAX_ATTEMPTS = len(BACKOFF) + 1


#: The event, locked for this attempt: built once (its compiled form is found by identity), as `Session.get` with
#: `with_for_update` would run it in the job's fresh session.
_LOCKED_EVENT = select(PaymentEvent).where(PaymentEvent.id == bindparam("event_id")).with_for_update()


def process_event(event_id: int) -> None:
    """Apply one stored event, once. Not ours: ignored. A failure: retried with backoff, then dead; never forever."""
    event = db.session.scalar(_LOCKED_EVENT, {"event_id": event_id})
    if event is None or event.status is not EventStatus.PENDING:
        return
    seen = _Seen(event.id, event.stripe_id, event.type, event.attempts)  # before anything can expire or change it
    try:
        _apply(event)
        _finish(event, EventStatus.PROCESSED, None)
        db.session.commit()
    except NotYet as exc:
        _record(seen, _failed(seen, exc, expected=True))
    except NotOurs as exc:
        _record(seen, dict(status=EventStatus.IGNORED, processed_at=utcnow(), attempts=seen.attempts + 1,
                           next_attempt_at=None, last_error=str(exc)[:2000]))
        log.info("event %s ignored: %s", event_id, exc)
    except Exception as exc:
        _record(seen, _failed(seen, exc))
        raise  # the job's traceback stays in RQ's failed registry; the sweeper decides when to try again


def _apply(event: PaymentEvent) -> None:
    obj = event.payload["data"]["object"]
    for signal, about in MEANING.get(event.type, ()):
        sender = about(obj)
        if sender is not None:
            answers = [answer for _, answer in signal.send(sender, event=event)]
            if signal in CLAIMED and True not in answers:
                why = "; ".join(a for a in answers if isinstance(a, str))
                raise NotOurs(f"checkout {obj.get('id')} is no domain's of this installation: {why}")


class _Seen(NamedTuple):
    """The locked event as processing found it: what an outcome after a rollback is written from."""

    id: int
    stripe_id: str
    type: str
    attempts: int


def _record(seen: _Seen, values: dict) -> None:
    """Roll the attempt's work back, then write its outcome: no re-read, one round trip on PostgreSQL (issue 15).

    The row lock goes with the rollback, so the outcome is only written if the event is still as it was found:
    a worker that processed it meanwhile keeps its own outcome.
    """
    driver = _driver_connection()
    if driver is None:  # SQLite, or a session that must roll back before it gives its connection out again
        db.session.rollback()
        with db.engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(_outcome_statement(), {"seen_id": seen.id, "seen_attempts": seen.attempts, **values})
        return
    params = {key: value.value if isinstance(value, EventStatus) else value for key, value in values.items()}
    try:
        with psycopg.ClientCursor(driver) as cursor:
            cursor.execute(_pg_outcome(tuple(params)), {"seen_id": seen.id, "seen_attempts": seen.attempts, **params})
    finally:
        db.session.rollback()  # the session forgets the attempt; on the server it is rolled back already


def _driver_connection() -> psycopg.Connection | None:
    """The psycopg connection the job's session holds (on PostgreSQL, while the session can still use it)."""
    if db.engine.dialect.name != "postgresql":
        return None
    try:
        return db.session.connection().connection.driver_connection
    except PendingRollbackError:  # a flush failed: SQLAlchemy wants its own rollback first
        return None


@functools.cache
def _outcome_statement():
    # Built once with bound parameters (the columns to set come with each execution), so its compiled form is found
    # by identity rather than by walking a new statement.
    table = PaymentEvent.__table__
    return table.update().where(table.c.id == bindparam("seen_id"), table.c.status == EventStatus.PENDING,
                                table.c.attempts == bindparam("seen_attempts"))


@functools.cache
def _pg_outcome(columns: tuple[str, ...]) -> str:
    """The attempt's rollback and `_outcome_statement`, as PostgreSQL runs them: one round trip, and the outcome's
    commit does not wait for the disk.

    Sent as one query (values bound by psycopg on the client), the statements after the ROLLBACK are one transaction
    and SET LOCAL lasts for it alone. A failed or ignored attempt's outcome moves no money and sends nothing: lost in
    a database crash, the event is still pending as it was found and the sweeper tries it again (issue 15: the flush
    to disk was the larger part of the job's wait). A successful attempt, which writes the ledger, commits as always.
    """
    sets = ", ".join(f"{column} = %({column})s" for column in columns)
    return ("ROLLBACK; SET LOCAL synchronous_commit TO OFF; "
            f"UPDATE payment_events SET {sets} WHERE id = %(seen_id)s "
            f"AND status = '{EventStatus.PENDING.value}' AND attempts = %(seen_attempts)s")


def _finish(event: PaymentEvent, status: EventStatus, reason: str | None) -> None:
    event.status = status
    event.processed_at = utcnow()
    event.attempts += 1
    event.next_attempt_at = None
    event.last_error = reason


def _failed(seen: _Seen, exc: Exception, *, expected: bool = False) -> dict:
    """The outcome of a failed attempt: tried again after its backoff, or dead after the last one."""
    attempts, error = seen.attempts + 1, f"{type(exc).__name__}: {exc}"[:2000]
    if attempts >= MAX_ATTEMPTS:
        log.error("event %s (%s) is dead after %d attempts: %s", seen.stripe_id, seen.type, attempts, error)
        return dict(attempts=attempts, last_error=error, status=EventStatus.DEAD, next_attempt_at=None)
    next_attempt_at = utcnow() + BACKOFF[attempts - 1]
    log_at = log.info if expected else log.warning
    log_at("event %s (%s) %s (attempt %d), trying again after %s: %s", seen.stripe_id, seen.type,
           "waits for another" if expected else "failed", attempts, next_attempt_at.isoformat(), error)
    return dict(attempts=attempts, last_error=error, next_attempt_at=next_attempt_at)
