"""GET /healthz: 200 JSON when the database and the queue answer, 503 JSON naming what does not."""
from __future__ import annotations

from microhub.app import create_app

from .backends import redis_url

CLOSED_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1
UNREACHABLE_DB = "postgresql+psycopg://postgres@127.0.0.1:1/nope"


def test_healthz_is_ok_with_the_database_and_inline_jobs(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.is_json and response.get_json() == {"status": "ok", "queue": "inline"}


def test_healthz_is_ok_with_the_database_and_a_real_redis(app, app_factory):
    response = app_factory(REDIS_URL=redis_url()).test_client().get("/healthz")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok", "queue": "redis"}


def test_healthz_is_503_naming_the_queue_when_redis_is_unreachable(app, app_factory):
    response = app_factory(REDIS_URL=CLOSED_REDIS).test_client().get("/healthz")
    assert response.status_code == 503 and response.is_json
    body = response.get_json()
    assert body["status"] == "unavailable" and body["queue"] == "redis"
    assert list(body["problems"]) == ["queue"] and "ConnectionError" in body["problems"]["queue"]
    assert "127.0.0.1" not in response.get_data(as_text=True)  # the public page does not map the network


def test_healthz_is_503_naming_the_database_when_it_is_unreachable():
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB, "REDIS_URL": None})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503 and response.is_json
    body = response.get_json()
    assert body["status"] == "unavailable" and body["queue"] == "inline"
    assert list(body["problems"]) == ["database"] and "OperationalError" in body["problems"]["database"]
    assert "127.0.0.1" not in response.get_data(as_text=True) and "nope" not in response.get_data(as_text=True)


def test_healthz_names_both_when_database_and_redis_are_unreachable():
    app = create_app("test", {"SQLALCHEMY_DATABASE_URI": UNREACHABLE_DB, "REDIS_URL": CLOSED_REDIS})
    response = app.test_client().get("/healthz")
    assert response.status_code == 503
    assert sorted(response.get_json()["problems"]) == ["database", "queue"]
