"""The lighter writes of ingest and processing (issue 15) store what the ORM would have, and lose no outcome."""
import json
import time
from datetime import timedelta

import psycopg
import pytest
from sqlalchemy import event as sa_event
from sqlalchemy.exc import IntegrityError

from microhub import audit
from microhub.audit import AuditEntry
from microhub.billing import processing
from microhub.billing.models import EventStatus, PaymentEvent
from microhub.database import utcnow
from microhub.errors import NotYet
from microhub.extensions import db

from .helpers import post_event


def event(event_id, event_type="customer.created", obj=None):
    return {"id": event_id, "object": "event", "type": event_type, "created": int(time.time()),
            "data": {"object": obj or {"id": "cus_1", "object": "customer", "name": "Zoë \u00e9"}}, "livemode": False}


def row(stripe_id) -> PaymentEvent:
    db.session.expire_all()
    return db.session.scalar(db.select(PaymentEvent).filter_by(stripe_id=stripe_id))


def test_a_delivery_is_stored_as_the_orm_reads_it(client):
    body = event("evt_stored_1")
    before = utcnow()
    assert post_event(client, body).status_code == 200
    stored = row("evt_stored_1")
    assert stored.payload == body and stored.type == "customer.created" and stored.created == body["created"]
    assert before - timedelta(seconds=1) <= stored.received_at <= utcnow() and stored.received_at.tzinfo is not None
    assert stored.status is EventStatus.PROCESSED and stored.attempts == 1


def test_a_delivery_stored_as_its_own_text_reads_back_as_the_object_it_was_verified_as(client):
    # Stored as sent (PostgreSQL's json column keeps the text): spacing, an exponent, escapes and a repeated key
    # that serialising the parsed body again would have rewritten all read back as the same object.
    raw = ('{ "id" : "evt_as_sent", "object": "event", "type": "customer.created", "created": %d,\n'
           ' "data": {"object": {"id": "cus_1", "object": "customer", "name": "Zo\\u00eb \\/ \\ud83d\\ude00",'
           ' "balance": 1E2, "description": "first", "description": "last one wins"}}, "livemode": false}'
           % int(time.time()))
    assert post_event(client, raw).status_code == 200
    customer = row("evt_as_sent").payload["data"]["object"]
    assert row("evt_as_sent").payload == json.loads(raw)
    assert (customer["name"], customer["balance"], customer["description"]) == ("Zoë / 😀", 100.0, "last one wins")


def test_ingest_leaves_the_pooled_connections_transactional(client):
    for i in range(3):
        assert post_event(client, event(f"evt_pool_{i}")).status_code == 200
    # A write the session rolls back is gone: no connection came back to the pool in autocommit mode.
    db.session.add(PaymentEvent(stripe_id="evt_rolled_back", type="customer.created", created=1,
                                payload={"data": {"object": {}}}))
    db.session.flush()
    db.session.rollback()
    assert row("evt_rolled_back") is None
    assert db.session.scalar(db.select(db.func.count(PaymentEvent.id))) == 3


def test_a_refund_waiting_for_its_payment_records_one_attempt_and_its_retry_and_nothing_else(client):
    charge = {"id": "ch_unknown", "object": "charge", "amount_refunded": 900, "currency": "eur"}
    before = utcnow()
    assert post_event(client, event("evt_refund_early", "charge.refunded", charge)).status_code == 200
    waiting = row("evt_refund_early")
    assert waiting.status is EventStatus.PENDING and waiting.attempts == 1 and waiting.processed_at is None
    assert waiting.last_error.startswith("PaymentNotRecorded: no payment for charge ch_unknown")
    assert before + processing.BACKOFF[0] <= waiting.next_attempt_at <= utcnow() + processing.BACKOFF[0]
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))
                             .where(AuditEntry.action == "charge.refunded")) == 0  # rolled back with the attempt


def test_an_outcome_after_a_rollback_never_overwrites_one_recorded_meanwhile(app):
    event_row = PaymentEvent(stripe_id="evt_raced", type="charge.refunded", created=1, payload={"data": {"object": {}}})
    db.session.add(event_row)
    db.session.commit()
    seen = processing._Seen(event_row.id, event_row.stripe_id, event_row.type, event_row.attempts)
    # Another worker takes the event once this one's lock is gone, and processes it.
    processing._finish(event_row, EventStatus.PROCESSED, None)
    db.session.commit()
    processing._record(seen, processing._failed(seen, NotYet("still waiting"), expected=True))
    raced = row("evt_raced")
    assert raced.status is EventStatus.PROCESSED and raced.attempts == 1 and raced.last_error is None
    # As found, the same outcome is written.
    fresh = PaymentEvent(stripe_id="evt_calm", type="charge.refunded", created=1, payload={"data": {"object": {}}})
    db.session.add(fresh)
    db.session.commit()
    calm = processing._Seen(fresh.id, fresh.stripe_id, fresh.type, fresh.attempts)
    processing._record(calm, processing._failed(calm, NotYet("still waiting"), expected=True))
    written = row("evt_calm")
    assert written.status is EventStatus.PENDING and written.attempts == 1
    assert written.last_error == "NotYet: still waiting" and written.next_attempt_at is not None


def test_a_refund_waiting_for_its_payment_sends_its_audit_entry_nowhere_before_the_rollback(app, monkeypatch):
    stored = PaymentEvent(stripe_id="evt_refund_lean", type="charge.refunded", created=int(time.time()),
                          payload={"data": {"object": {"id": "ch_later", "amount_refunded": 900, "currency": "eur"}}})
    db.session.add(stored)
    db.session.commit()
    event_id, statements = stored.id, []
    listener = lambda *args: statements.append(args[2])  # noqa: E731
    sa_event.listen(db.engine, "before_cursor_execute", listener)
    _sent_by_psycopg(monkeypatch, statements)  # PostgreSQL's outcome is written on the driver's connection
    try:
        processing.process_event(event_id)
    finally:
        sa_event.remove(db.engine, "before_cursor_execute", listener)
    # The locked event, the ledger's lookup of the charge's payment, the outcome: the refund's audit entry, added
    # before the lookup, is not flushed ahead of it only to be rolled back.
    kinds = [sql.split()[0] for sql in statements]
    expected = ["SELECT", "SELECT", "UPDATE"]
    if db.engine.dialect.name == "postgresql":
        # The rollback travels with the outcome, whose commit does not wait for the disk.
        expected = ["SELECT", "SELECT", "ROLLBACK", "SET", "UPDATE"]
    assert kinds == expected, "\n".join(sql[:90] for sql in statements)
    waiting = row("evt_refund_lean")
    assert waiting.status is EventStatus.PENDING and waiting.attempts == 1
    assert waiting.last_error.startswith("PaymentNotRecorded: no payment for charge ch_later")


def _sent_by_psycopg(monkeypatch, statements: list, connections: list | None = None) -> None:
    """Note the statements sent through psycopg's client-side binding cursor (and on which connections)."""
    execute = psycopg.ClientCursor.execute

    def noting(cursor, query, *args, **kwargs):
        statements.extend(part.strip() for part in str(query).split(";") if part.strip())
        if connections is not None:
            connections.append(cursor.connection)
        return execute(cursor, query, *args, **kwargs)
    monkeypatch.setattr(psycopg.ClientCursor, "execute", noting)


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # SQLite has no asynchronous commit
def test_an_outcome_written_without_waiting_for_the_disk_leaves_every_later_commit_waiting(app, monkeypatch):
    # Only a failed or ignored attempt's outcome may be lost in a database crash (the event stays pending and is
    # swept again); the ledger's writes and a processed event's status must still be flushed before COMMIT returns.
    stored = PaymentEvent(stripe_id="evt_async", type="charge.refunded", created=1, payload={"data": {"object": {}}})
    db.session.add(stored)
    db.session.commit()
    seen = processing._Seen(stored.id, stored.stripe_id, stored.type, stored.attempts)
    statements, connections = [], []
    _sent_by_psycopg(monkeypatch, statements, connections)
    processing._record(seen, processing._failed(seen, NotYet("still waiting"), expected=True))
    assert statements[:2] == ["ROLLBACK", "SET LOCAL synchronous_commit TO OFF"] and len(connections) == 1
    used = connections[0]  # back in the pool, idle and transactional
    assert not used.autocommit and used.info.transaction_status == psycopg.pq.TransactionStatus.IDLE
    assert used.execute("SHOW synchronous_commit").fetchone()[0] == "on"
    used.rollback()
    assert row("evt_async").attempts == 1 and row("evt_async").last_error == "NotYet: still waiting"


def test_an_attempt_that_wrote_before_it_failed_leaves_nothing_but_its_outcome(app, monkeypatch):
    # The rollback that travels with the outcome undoes what the attempt had already sent to the database.
    stored = PaymentEvent(stripe_id="evt_wrote", type="charge.refunded", created=1, payload={"data": {"object": {}}})
    db.session.add(stored)
    db.session.commit()

    def writes_then_waits(event):
        audit.record("charge.refunded", event, actor_label="stripe")
        db.session.flush()
        raise NotYet("the payment is not there yet")
    monkeypatch.setattr(processing, "_apply", writes_then_waits)
    processing.process_event(stored.id)
    assert db.session.scalar(db.select(db.func.count(AuditEntry.id))) == 0
    waiting = row("evt_wrote")
    assert waiting.status is EventStatus.PENDING and waiting.attempts == 1
    assert waiting.last_error == "NotYet: the payment is not there yet" and waiting.next_attempt_at is not None


def test_an_attempt_whose_flush_failed_still_records_its_outcome(app, monkeypatch):
    # A failed flush leaves the session wanting its own rollback before it gives its connection out again.
    for stripe_id in ("evt_taken", "evt_flush_fails"):
        db.session.add(PaymentEvent(stripe_id=stripe_id, type="charge.refunded", created=1,
                                    payload={"data": {"object": {}}}))
    db.session.commit()
    failing = row("evt_flush_fails").id

    def flush_fails(event):
        db.session.add(PaymentEvent(stripe_id="evt_taken", type="x", created=1, payload={}))
        db.session.flush()
    monkeypatch.setattr(processing, "_apply", flush_fails)
    with pytest.raises(IntegrityError):
        processing.process_event(failing)
    failed = row("evt_flush_fails")
    assert failed.status is EventStatus.PENDING and failed.attempts == 1
    assert failed.last_error.startswith("IntegrityError") and failed.next_attempt_at is not None
