"""Reach the real PostgreSQL and Redis the tests need; skip loudly on a laptop, fail under CI."""
from __future__ import annotations

import os
import uuid

import pytest

CI = os.environ.get("CI", "").lower() in ("1", "true", "yes")
PG_ADMIN_URL = os.environ.get("MICROHUB_TEST_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS_TEST_URL = os.environ.get("MICROHUB_TEST_REDIS", "redis://127.0.0.1:6379/13")


def unavailable(service: str, why: object) -> None:
    message = f"{service} is not reachable ({why}); this test needs the real one."
    if CI:
        pytest.fail(f"CI=true and {message}", pytrace=False)
    pytest.skip(f"!!! SKIPPED: {message} Start it to run this test.")


def _admin_connection():
    import psycopg

    return psycopg.connect(PG_ADMIN_URL, autocommit=True, connect_timeout=3)


def create_pg_database() -> str:
    """Create a throwaway database for this test run and return its SQLAlchemy URL."""
    try:
        with _admin_connection() as conn:
            name = f"microhub_test_{os.getpid()}_{uuid.uuid4().hex[:6]}"
            conn.execute(f'CREATE DATABASE "{name}"')
    except Exception as exc:  # noqa: BLE001  any failure means the server is not usable
        unavailable("PostgreSQL", exc)
    base = PG_ADMIN_URL.rsplit("/", 1)[0]
    return f"{base}/{name}"


def drop_pg_database(url: str) -> None:
    name = url.rsplit("/", 1)[1]
    with _admin_connection() as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def redis_url() -> str:
    """The real Redis for tests (its own database number), flushed; fails under CI when absent."""
    from redis import Redis

    try:
        conn = Redis.from_url(REDIS_TEST_URL, socket_connect_timeout=2)
        conn.ping()
        conn.flushdb()
    except Exception as exc:  # noqa: BLE001
        unavailable("Redis", exc)
    return REDIS_TEST_URL
