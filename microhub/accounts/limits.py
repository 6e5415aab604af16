"""Rate limits (Flask-Limiter) on logging in, per network address and per account from each address, and on
the forms that e-mail someone (sign-up, password reset), per address.

Every attempt is counted before the password is checked, by one atomic increment in the limiter's storage
(Redis with REDIS_URL, else this process's memory), so parallel guesses cannot slip past the count. The
per-account limit is keyed by account *and* address: a stranger hammering someone's account from elsewhere
uses up only their own allowance and never locks the owner out; the per-address limit bounds how many
accounts one address may try. Slow guessing spread over many addresses is left to the password rules.

Every limit here is written on a view (a decorator, or `with limiter.limit(...)` inside one) and is checked by
that view. Flask-Limiter also hooks every request for app-wide limits and rate-limit headers; MicroHub has
neither, so those hooks are taken off (`_only_limits_on_views`): they cost a public page about a fifth of its time.
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
    _only_limits_on_views(app, limiter)
    app.extensions["microhub.limiter"] = limiter
    return limiter


def _only_limits_on_views(app: Flask, limiter: Limiter) -> None:
    """Take off the hooks Flask-Limiter runs around every request: the check before any view (it only ever finds
    app-wide, default or blueprint limits), the rate-limit headers after it and the clean-up of what they kept.
    A view's own limit is checked by its decorator or `with` block, in the view, either way. Refuses to start
    if anything would need those hooks, so adding an app-wide limit cannot silently go unchecked."""
    wanted = (limiter.limit_manager.default_limits or limiter.limit_manager.application_limits
              or limiter._meta_limits or limiter._headers_enabled)
    if wanted:
        raise RuntimeError("app-wide rate limits or headers need Flask-Limiter's per-request hooks: keep them")
    ours = {limiter._check_request_limit, limiter._Limiter__release_context}
    app.before_request_funcs[None] = [f for f in app.before_request_funcs.get(None, []) if f not in ours]
    app.teardown_request_funcs[None] = [f for f in app.teardown_request_funcs.get(None, []) if f not in ours]
    app.after_request_funcs[None] = [f for f in app.after_request_funcs.get(None, [])
                                     if getattr(f, "args", None) != (limiter,)]
