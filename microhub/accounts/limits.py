"""Rate limits (Flask-Limiter) on logging in, per network address and per account from each address, and on
the forms that e-mail someone (sign-up, password reset), per address.

Every attempt is counted before the password is checked, by one atomic increment in the limiter's storage
(Redis with REDIS_URL, else this process's memory), so parallel guesses cannot slip past the count. The
per-account limit is keyed by account *and* address: a stranger hammering someone's account from elsewhere
uses up only their own allowance and never locks the owner out; the per-address limit bounds how many
accounts one address may try. Slow guessing spread over many addresses is left to the password rules.
"""
from __future__ import annotations

from flask import Flask, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from .services import normalize_email

PER_ADDRESS = "20 per minute; 200 per hour"
PER_ACCOUNT_AND_ADDRESS = "5 per 15 minutes"
#: Sign-up and reset requests each send someone an e-mail: one address may not flood another's inbox.
MAILING_PER_ADDRESS = "5 per minute; 30 per hour"


def _account_and_address() -> str:
    return f"{normalize_email(request.form.get('email', ''))[:254]}|{get_remote_address()}"


def register(app: Flask) -> Limiter:
    """Give `app` its own limiter (one per app: Flask-Limiter keeps its storage per instance) on those POSTs."""
    limiter = Limiter(
        get_remote_address, app=app, storage_uri=app.config["REDIS_URL"] or "memory://",
        storage_options={"socket_connect_timeout": 2, "socket_timeout": 2} if app.config["REDIS_URL"] else {},
        # Redis down: count in memory meanwhile rather than refuse every login or let every guess through.
        in_memory_fallback_enabled=True, strategy="moving-window")
    view = app.view_functions["accounts.login"]
    view = limiter.limit(PER_ACCOUNT_AND_ADDRESS, key_func=_account_and_address, methods=["POST"])(view)
    app.view_functions["accounts.login"] = limiter.limit(PER_ADDRESS, methods=["POST"])(view)
    for endpoint in ("accounts.signup", "accounts.forgot_password"):
        app.view_functions[endpoint] = limiter.limit(MAILING_PER_ADDRESS, methods=["POST"])(app.view_functions[endpoint])
    app.extensions["microhub.limiter"] = limiter
    return limiter
