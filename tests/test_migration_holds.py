"""Upgrading a database that the double-click bug left with two open holds for one person frees the extra seat."""
import pytest
from flask_migrate import downgrade, upgrade
from sqlalchemy import text

from microhub.extensions import db

pytestmark = pytest.mark.parametrize("backend", ["sqlite"], indirect=True)  # a file of its own, either way


def test_the_upgrade_keeps_one_open_hold_per_person_and_gives_the_other_seats_back(app_factory, tmp_path):
    app = app_factory(SQLALCHEMY_DATABASE_URI=f"sqlite:///{tmp_path / 'old.sqlite3'}")
    with app.app_context():
        upgrade(revision="d01ee22d6a8f")
        with db.engine.begin() as conn:
            conn.execute(text("INSERT INTO users (id, email, name, password_hash, timezone, created_at) "
                              "VALUES (1, 'a@example.org', 'A', 'x', 'UTC', '2026-11-01 10:00:00')"))
            conn.execute(text("INSERT INTO hubs (id, slug, name, purpose, promises, rituals, rules, cap, seats_taken,"
                              " currency, timezone, is_public, created_at) VALUES (1, 'h', 'H', 'p', '', '', '', 5,"
                              " 2, 'EUR', 'UTC', 1, '2026-11-01 10:00:00')"))
            conn.execute(text("INSERT INTO plans (id, hub_id, name, includes, price_minor, interval, active, "
                              "created_at) VALUES (1, 1, 'M', '', 900, 'month', 1, '2026-11-01 10:00:00')"))
            for hold_id in (1, 2):
                conn.execute(text("INSERT INTO seat_holds (id, hub_id, user_id, plan_id, status, expires_at, "
                                  "created_at) VALUES (:id, 1, 1, 1, 'held', '2026-11-01 11:00:00', "
                                  "'2026-11-01 10:00:00')"), {"id": hold_id})
        upgrade()
        with db.engine.connect() as conn:
            holds = conn.execute(text("SELECT id, status, price_minor, currency FROM seat_holds ORDER BY id")).all()
            seats = conn.execute(text("SELECT seats_taken FROM hubs")).scalar_one()
        assert [tuple(h) for h in holds] == [(1, "released", 900, "EUR"), (2, "held", 900, "EUR")] and seats == 1
        downgrade(revision="d01ee22d6a8f")
        db.engine.dispose()
