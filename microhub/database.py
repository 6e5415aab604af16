"""Column types and helpers shared by every domain's models."""
from __future__ import annotations

import functools
import time
from datetime import datetime, timezone

from flask import abort, g
from sqlalchemy import DateTime, Enum, event
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session
from sqlalchemy.orm.util import identity_key
from sqlalchemy.exc import InvalidatePoolError
from sqlalchemy.pool import Pool
from sqlalchemy.types import TypeDecorator

from .extensions import READS_ONLY, db


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


class UTCDateTime(TypeDecorator):
    """An aware UTC datetime; SQLite hands back naive values, so the zone is attached on read."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column; attach a time zone first")
        return value.astimezone(timezone.utc)

    def process_result_value(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=timezone.utc)
        return value.astimezone(timezone.utc)


def value_enum(enum_class, length: int = 20) -> Enum:
    """A string column holding an Enum's values ('active', not 'ACTIVE'), the same on SQLite and PostgreSQL."""
    return Enum(enum_class, native_enum=False, length=length, values_callable=lambda e: [m.value for m in e])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    # SQLite ignores foreign keys unless asked on every connection; WAL lets readers run beside a writer.
    if type(dbapi_connection).__module__.startswith("sqlite3"):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.close()


#: A pooled connection idle longer than this is pinged before use (seconds). Busy connections skip the round
#: trip that `pool_pre_ping` paid on every checkout; a statement that still meets a dead connection raises,
#: and SQLAlchemy then replaces every pooled connection older than the failure.
PING_AFTER_IDLE = 10.0


@event.listens_for(Pool, "checkin")
def _note_idle_since(dbapi_connection, connection_record):
    if connection_record is not None and dbapi_connection is not None:
        connection_record.info["idle_since"] = time.monotonic()


@event.listens_for(Pool, "checkout")
def _ping_if_idle(dbapi_connection, connection_record, connection_proxy):
    # The record's info is cleared when its connection is replaced, so a new connection is never pinged.
    idle_since = connection_record.info.get("idle_since")
    if idle_since is None or time.monotonic() - idle_since < PING_AFTER_IDLE:
        return
    ping = getattr(connection_proxy._pool._dialect, "do_ping", None)  # absent on a pool built without an engine
    if ping is None:
        return
    try:
        ping(dbapi_connection)
    except Exception as exc:
        # The pool reconnects this checkout and retires the connections opened before the outage.
        raise InvalidatePoolError(f"idle connection failed its ping: {exc}") from exc


#: Largest id an INTEGER primary key holds (PostgreSQL refuses to compare a bigger number with one: a 500);
#: anything above, or not a plain positive ASCII number, names no row.
MAX_ID = 2**31 - 1


def parse_id(value) -> int | None:
    """An id from a URL or a form as an int, or None when it cannot name a row (text, 0, negative, too big)."""
    text = str(value if value is not None else "").strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 10):
        return None
    number = int(text)
    return number if 0 < number <= MAX_ID else None


def get_or_404(model, **criteria):
    row = db.session.execute(db.select(model).filter_by(**criteria)).scalar_one_or_none()
    if row is None:
        abort(404)
    return row


def added_unless_taken(row) -> bool:
    """Insert `row` in a savepoint; False (and nothing written) when a unique constraint says it exists.

    For rows a double click may send twice: the second request's INSERT meets the first one's row and
    the caller decides what that means (use the other row, or tell the person).
    """
    try:
        with db.session.begin_nested():
            db.session.add(row)
    except IntegrityError:
        return False
    return True


def update_where(model, row_id: int, *conditions, **values) -> bool:
    """Set `values` on row `row_id` only where `conditions` still hold; True for the one caller that did it.

    One conditional UPDATE: PostgreSQL re-checks the WHERE after waiting on a concurrent writer, and
    SQLite serializes writers, so of two callers racing for the same change only one succeeds. Counters
    and the scheduler's exactly-once markers are built on it.
    """
    result = db.session.execute(
        db.update(model).where(model.id == row_id, *conditions).values(**values)
        .execution_options(synchronize_session=False))
    # The UPDATE bypassed the ORM: a row already loaded must re-read what it changed.
    row = db.session.identity_map.get(identity_key(model, row_id))
    if row is not None:
        db.session.expire(row, list(values))
    return result.rowcount == 1


def take_one(counter, limit, row_id: int, *also) -> bool:
    """Add one to `counter` on row `row_id` only while it stays below `limit` (and `also` holds); False when full."""
    return update_where(counter.class_, row_id, counter < limit, *also, **{counter.key: counter + 1})


def give_back_one(counter, row_id: int) -> None:
    """Subtract one from `counter` (never below zero); freeing a place needs no lock."""
    update_where(counter.class_, row_id, counter > 0, **{counter.key: counter - 1})


def reads_only(view):
    """Mark a GET view that never writes to the database: its statements run autocommitted, saving the BEGIN and
    ROLLBACK round trips around them (`extensions.Session`). A flush inside it is a mistake and raises."""

    @functools.wraps(view)
    def marked(*args, **kwargs):
        # A transaction already open keeps its connection as it is; a request with no session yet (a visitor's
        # kept page) makes none here.
        if not db.session.registry.has() or not db.session().in_transaction():
            g.setdefault(READS_ONLY, True)
        return view(*args, **kwargs)

    return marked


@event.listens_for(Session, "before_flush")
def _no_writes_in_reads_only(session, flush_context, instances) -> None:
    if g and g.get(READS_ONLY) and (session.new or session.deleted or any(map(session.is_modified, session.dirty))):
        raise RuntimeError("a view marked reads_only wrote to the database")
