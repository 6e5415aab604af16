"""Pooled connections: pinged only after sitting idle, and a dead idle connection is replaced unseen."""
import psycopg
import pytest
from sqlalchemy import text

from microhub import database
from microhub.extensions import db

from .backends import PG_ADMIN_URL


def pool_record():
    """The pool's only connection (FIFO pools would otherwise hand out another one next)."""
    db.engine.dispose()
    with db.engine.connect() as conn:
        return conn.connection._connection_record


def test_a_busy_connection_is_not_pinged_on_every_checkout(app, monkeypatch):
    pings = []
    monkeypatch.setattr(type(db.engine.dialect), "do_ping", lambda self, conn: pings.append(conn) or True)
    for _ in range(5):
        with db.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
    assert pings == []


def test_an_idle_connection_is_pinged_before_use(app, monkeypatch):
    pings = []
    monkeypatch.setattr(type(db.engine.dialect), "do_ping", lambda self, conn: pings.append(conn) or True)
    pool_record().info["idle_since"] -= database.PING_AFTER_IDLE + 1
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT 1")).scalar() == 1
    assert len(pings) == 1


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)  # a server that can drop the connection
def test_an_idle_connection_the_server_dropped_is_replaced_before_the_statement_runs(app):
    record = pool_record()
    with db.engine.connect() as conn:
        pid = conn.execute(text("SELECT pg_backend_pid()")).scalar()
    record.info["idle_since"] -= database.PING_AFTER_IDLE + 1
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        assert admin.execute("SELECT pg_terminate_backend(%s)", (pid,)).fetchone()[0]
    with db.engine.connect() as conn:
        assert conn.execute(text("SELECT pg_backend_pid()")).scalar() != pid
