"""Fixtures: an application per database backend (SQLite and PostgreSQL), migrated once per run.

Tests run with their own application context (`app`), on a second app instance bound to the same
database, so every request the `client` makes has its own session exactly as in production.
"""
from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import has_app_context
from flask.testing import FlaskClient

from microhub.app import create_app
from microhub.extensions import db

from . import backends
from .fake_stripe import FakeStripe

BACKENDS = ("sqlite", "postgresql")
_databases: dict[str, str] = {}
_apps: dict[str, tuple] = {}


def pytest_sessionfinish(session, exitstatus):
    for backend, url in _databases.items():
        if backend == "postgresql":
            backends.drop_pg_database(url)


def database_url(backend: str, tmp_root: Path) -> str:
    if backend not in _databases:
        if backend == "sqlite":
            _databases[backend] = f"sqlite:///{tmp_root / 'microhub-test.sqlite3'}"
        else:
            _databases[backend] = backends.create_pg_database().replace("postgresql://", "postgresql+psycopg://")
        _migrate(_databases[backend])
    return _databases[backend]


def _migrate(url: str) -> None:
    from flask_migrate import upgrade

    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": url})
    with app.app_context():
        upgrade()
        db.engine.dispose()


def make_app(url: str, **overrides):
    return create_app("test", {"SQLALCHEMY_DATABASE_URI": url, **overrides})


@pytest.fixture(scope="session", params=BACKENDS)
def backend(request) -> str:
    return request.param


@pytest.fixture(scope="session")
def tmp_root(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("microhub")


@pytest.fixture
def db_url(backend, tmp_root) -> str:
    return database_url(backend, tmp_root)


class Client(FlaskClient):
    """A test client that ends the test's own transaction after each request, so reads see fresh rows."""

    def open(self, *args, **kwargs):
        response = super().open(*args, **kwargs)
        if has_app_context():
            db.session.commit()
        return response

    def csrf_token(self, url: str) -> str:
        page = self.get(url).get_data(as_text=True)
        match = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
        assert match, f"no CSRF token on {url}"
        return match.group(1)

    def submit(self, url: str, data: dict, *, form_url: str | None = None, **kwargs):
        """POST `data` to `url` with the CSRF token a browser would have read from `form_url`."""
        return self.post(url, data={"csrf_token": self.csrf_token(form_url or url), **data}, **kwargs)

    def login(self, email: str, password: str = "a-long-enough-passphrase", remember: bool = False):
        data = {"email": email, "password": password}
        if remember:
            data["remember"] = "y"
        response = self.submit("/login", data)
        assert response.status_code == 302, response.get_data(as_text=True)
        return response


@pytest.fixture
def app(db_url):
    """The serving app (for `client`) and, active for the test body, a twin app on the same database."""
    served, test_side = _apps.get(db_url) or _apps.setdefault(db_url, (make_app(db_url), make_app(db_url)))
    served.test_client_class = Client
    served.extensions["microhub.limiter"].reset()  # the served app lives all session; each test starts unthrottled
    with test_side.app_context():
        yield served
        db.session.remove()
        _truncate()


#: The ledger's append-only triggers on SQLite (as the migration makes them): dropped to empty the tables
#: between tests, then made again. tests/ledger/test_append_only.py proves they still refuse after that.
APPEND_ONLY = {f"{table}_no_{event.lower()}": f"CREATE TRIGGER {table}_no_{event.lower()} BEFORE {event} ON {table} "
               f"BEGIN SELECT RAISE(ABORT, 'ledger rows are append-only: {event} on {table}'); END"
               for table in ("ledger_groups", "ledger_entries") for event in ("UPDATE", "DELETE")}


def _truncate() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            # The ledger's triggers refuse TRUNCATE too; a replica session fires no ordinary trigger.
            conn.execute(db.text("SET LOCAL session_replication_role = replica"))
            conn.execute(db.text("TRUNCATE " + ", ".join(f'"{t.name}"' for t in tables) + " RESTART IDENTITY CASCADE"))
        else:
            for name in APPEND_ONLY:
                conn.execute(db.text(f"DROP TRIGGER IF EXISTS {name}"))
            for table in tables:
                conn.execute(table.delete())
            for create in APPEND_ONLY.values():
                conn.execute(db.text(create))


@pytest.fixture
def client(app) -> Client:
    return app.test_client()


@pytest.fixture
def app_factory(app, db_url):
    """Build another app on the test database with different settings (e.g. production, SMTP_URL).

    It depends on `app`, so the tables are emptied after the test whichever app wrote to them.
    """
    made = []

    def build(environment: str = "test", **overrides):
        built = create_app(environment, {"SQLALCHEMY_DATABASE_URI": db_url, **overrides})
        built.test_client_class = Client
        made.append(built)
        return built

    yield build
    for built in made:
        stop = built.extensions.get("microhub.scheduler_stop")
        if stop is not None:  # a development or production app without Redis ticks in a thread: not past its test
            stop.set()
        with built.app_context():
            db.engine.dispose()


@pytest.fixture
def fake():
    server = FakeStripe()
    yield server
    server.close()


@pytest.fixture
def stripe_app(app, app_factory, fake):
    """An app paying through Stripe (the fake) to serve requests, and a twin's context active for the test
    body: requests reusing the test's own app context would share `g`, and with it the logged-in user."""
    served, test_side = (app_factory(STRIPE_SECRET_KEY="sk_test_x", STRIPE_API_BASE=fake.url) for _ in range(2))
    with test_side.app_context():
        yield served
        db.session.remove()
