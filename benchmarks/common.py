"""Shared set-up for benchmarks: a throwaway PostgreSQL database, a migrated app, a Redis queue."""
from __future__ import annotations

import os
import uuid
from contextlib import contextmanager

import psycopg

PG = os.environ.get("MICROHUB_BENCH_PG", "postgresql://postgres@127.0.0.1:5432/test")
REDIS = os.environ.get("MICROHUB_BENCH_REDIS", "redis://127.0.0.1:6379/12")


@contextmanager
def bench_database():
    """Yield the SQLAlchemy URL of a new, migrated database; drop it afterwards."""
    name = f"microhub_bench_{uuid.uuid4().hex[:8]}"
    with psycopg.connect(PG, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = PG.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://") + f"/{name}"
    try:
        from flask_migrate import upgrade

        from microhub.app import create_app
        from microhub.extensions import db

        app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
        with app.app_context():
            upgrade()
            db.engine.dispose()
        yield url
    finally:
        with psycopg.connect(PG, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
