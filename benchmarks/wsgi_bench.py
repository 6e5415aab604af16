"""One WSGI app for the ingest benchmark: MicroHub, with a bare Flask endpoint mounted beside it."""
import os

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from microhub.app import create_app

bare = Flask("bare")


@bare.post("/")
def ok():
    return "", 200


# Test payments on purpose: the benchmark posts signed events and never talks to Stripe.
microhub = create_app("production", {"SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret"),
                                     "STRIPE_WEBHOOK_SECRET": "whsec_bench", "TEST_PAYMENTS_ALLOWED": True})
app = DispatcherMiddleware(microhub, {"/bare": bare})
