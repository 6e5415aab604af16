"""One WSGI app for the ingest benchmark: MicroHub, with a bare Flask endpoint mounted beside it."""
import os

from flask import Flask
from werkzeug.middleware.dispatcher import DispatcherMiddleware

from microhub.app import create_app

bare = Flask("bare")


@bare.post("/")
def ok():
    return "", 200


microhub = create_app("production", {"SECRET_KEY": os.environ.get("SECRET_KEY", "bench-secret"),
                                     "STRIPE_WEBHOOK_SECRET": "whsec_bench"})
app = DispatcherMiddleware(microhub, {"/bare": bare})
