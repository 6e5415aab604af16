"""One WSGI app for the served benchmarks: MicroHub, with a bare Flask endpoint and a minimal durable ingest mounted
beside it, so all three share the same gunicorn, workers and cores."""
import hashlib
import json
import os

import psycopg
from flask import Flask, request
from redis import Redis
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from microhub.app import create_app

bare = Flask("bare")


@bare.route("/", methods=["GET", "POST"])
def ok():
    return "ok", 200


#: The floor for webhook ingest: a raw INSERT … RETURNING on a connection kept by the worker, and one Redis push.
floor = Flask("floor")
_kept: dict = {}
FLOOR_INSERT = ("INSERT INTO payment_events (stripe_id, type, created, payload, received_at, attempts) "
                "VALUES (%s, %s, %s, %s::json, now(), 0) ON CONFLICT (stripe_id) DO NOTHING RETURNING id")


@floor.post("/")
def durable():
    if not _kept:
        _kept["pg"] = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
        _kept["redis"] = Redis.from_url(os.environ["REDIS_URL"])
    text = request.get_data(as_text=True)
    body = json.loads(text)
    row = _kept["pg"].execute(FLOOR_INSERT, (body["id"], body["type"], body["created"], text)).fetchone()
    if row is not None:
        _kept["redis"].lpush("bench:floor", row[0])
    return {"received": body["id"]}, 200


#: The floor for a signed-in person's page: their signed session cookie read as Flask reads it, ONE statement on a
#: kept connection (the person and their membership), and the member's hub page (as MicroHub rendered it once,
#: BENCH_PERSON_PAGE) given back with their name in it: what no personalised page can do with less.
person = Flask("person")
person.secret_key = os.environ.get("SECRET_KEY", "bench-secret")
_person: dict = {}
PERSON_READ = ("SELECT u.name, m.status FROM login_sessions l JOIN users u ON u.id = l.user_id "
               "JOIN memberships m ON m.user_id = u.id "
               "WHERE l.token_hash = %s AND m.hub_id = (SELECT id FROM hubs WHERE slug = %s)")


@person.get("/<slug>")
def personal(slug: str):
    if "page" not in _person:
        with open(os.environ["BENCH_PERSON_PAGE"]) as page:
            _person["page"] = page.read()
        _person["pg"] = psycopg.connect(os.environ["DATABASE_URL"], autocommit=True)
    signer = person.session_interface.get_signing_serializer(person)
    cookie = request.cookies.get(os.environ.get("BENCH_COOKIE_NAME", "session"), "")
    token = signer.loads(cookie, max_age=86400)["_user_id"]  # a login's token, kept hashed
    digest = hashlib.sha256(token.encode()).hexdigest()
    name, _ = _person["pg"].execute(PERSON_READ, (digest, slug)).fetchone()
    return _person["page"].replace("{{name}}", name), 200


# Test payments on purpose: the benchmark posts signed events and never talks to Stripe.
microhub = create_app("production", {"SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret"),
                                     "STRIPE_WEBHOOK_SECRET": "whsec_bench", "TEST_PAYMENTS_ALLOWED": True})
app = DispatcherMiddleware(microhub, {"/bare": bare, "/floor": floor, "/person": person})
