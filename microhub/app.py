"""The application factory."""
from __future__ import annotations

import logging
import threading
from pathlib import Path
from zoneinfo import ZoneInfo

from flask import Flask, jsonify, redirect, render_template, request, url_for
from flask.sessions import SecureCookieSessionInterface
from flask_wtf.csrf import CSRFError
from werkzeug.exceptions import HTTPException
from werkzeug.middleware.proxy_fix import ProxyFix
from werkzeug.routing import IntegerConverter, UnicodeConverter

from . import config as settings
from . import jobs, models, wiring  # noqa: F401  models: every table known before migrations compare
from .accounts import limits
from .commands import demo_command, events_command, scheduler_command, worker_command
from .database import MAX_ID
from .extensions import csrf, db, login_manager, migrate
from .hubs.models import Role
from .ledger.commands import ledger_cli
from .mailbox import bp as mailbox
from .money import format_money

ROOT = Path(__file__).resolve().parent.parent

CONTENT_SECURITY_POLICY = "; ".join([
    "default-src 'self'",
    "img-src 'self' data:",
    "style-src 'self'",
    "script-src 'self'",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self' https://checkout.stripe.com https://billing.stripe.com",
    "frame-ancestors 'none'",
])


def create_app(environment: str | None = None, overrides: dict | None = None) -> Flask:
    app = Flask(
        "microhub",
        template_folder=str(ROOT / "templates"),
        static_folder=str(ROOT / "static"),
        instance_path=str(ROOT / "instance"),
    )
    app.config.update(settings.load(environment, Path(app.instance_path), overrides))
    app.session_interface = CookieSessions()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")

    register_extensions(app)
    register_converters(app)
    register_blueprints(app)
    register_domains(app)
    register_rate_limits(app)
    register_errorhandlers(app)
    register_template_helpers(app)
    register_commands(app)
    register_embedded_scheduler(app)
    app.after_request(security_headers)
    if app.config["PROXY_HOPS"]:
        # Behind N trusted proxies, take the client's address and scheme from their X-Forwarded-* headers:
        # log-in limits are per client address, and must not become one limit for the whole site.
        hops = app.config["PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops)
    return app


class CookieSessions(SecureCookieSessionInterface):
    """Flask's signed cookie sessions, with no signing work for a request that brings no session cookie (most
    visitors): it gets an empty session straight away, and a cookie is only ever set as Flask would set it; an
    empty session nobody changed costs no cookie settings on the way out either."""

    def open_session(self, app: Flask, request):
        if app.secret_key and not request.cookies.get(self.get_cookie_name(app)):
            return self.session_class()
        return super().open_session(app, request)

    def save_session(self, app: Flask, session, response) -> None:
        """An empty session nobody changed has no cookie to set or delete: only `Vary: Cookie` when it was read,
        as Flask would add, written directly (Flask's header-set route costs a visitor's page a tenth)."""
        if session or session.modified:
            return super().save_session(app, session, response)
        if session.accessed:
            vary = response.headers.get("Vary")
            if not vary:
                response.headers["Vary"] = "Cookie"
            elif "cookie" not in vary.lower():
                response.vary.add("Cookie")
        return None


def register_embedded_scheduler(app: Flask) -> None:
    """Without Redis, the first request starts a ticking thread in this process (see jobs.py)."""
    if not app.config["EMBEDDED_SCHEDULER"] or app.config["REDIS_URL"]:
        return
    lock = threading.Lock()
    started: list = []

    @app.before_request
    def start_scheduler():
        if not started:
            with lock:
                if not started:
                    started.append(jobs.start_embedded_scheduler(app))


def register_extensions(app: Flask) -> None:
    db.init_app(app)
    migrate.init_app(app, db, directory=str(ROOT / "migrations"))
    csrf.init_app(app)
    login_manager.init_app(app)
    login_manager.login_view = "accounts.login"
    login_manager.login_message = "Please log in to continue."
    login_manager.login_message_category = "info"


class BoundedIntConverter(IntegerConverter):
    """`<int:…>` in every URL: 1 to `database.MAX_ID`, what an id column holds; anything else is a plain 404."""

    def __init__(self, url_map, *args, **kwargs):
        kwargs.setdefault("min", 1)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(url_map, *args, **kwargs)


class PrintableConverter(UnicodeConverter):
    """The default `<name>` part: printable text only, so a NUL or CR in a URL never reaches a query."""

    def __init__(self, url_map, *args, **kwargs):
        super().__init__(url_map, *args, **kwargs)
        self.regex = "[^/\\x00-\\x1f\\x7f]+"  # UnicodeConverter sets its own in __init__


def register_converters(app: Flask) -> None:
    app.url_map.converters["int"] = BoundedIntConverter
    app.url_map.converters["default"] = PrintableConverter
    app.url_map.converters["string"] = PrintableConverter


def register_blueprints(app: Flask) -> None:
    for blueprint in wiring.BLUEPRINTS:
        app.register_blueprint(blueprint)
    if app.config["DEV_MAILBOX"]:
        app.register_blueprint(mailbox)
    # Pages name their icon (static/favicon.svg); clients that ask the old address anyway are sent there, not a 404.
    app.add_url_rule("/favicon.ico", "favicon", lambda: redirect(url_for("static", filename="favicon.svg"), 301))


def register_domains(app: Flask) -> None:
    """What the tick runs, who hears which signal and who reads the signed-in person: listed in `microhub.wiring`."""
    app.extensions[jobs.PERIODIC] = wiring.PERIODIC_TASKS
    wiring.connect_receivers()
    # Cookies name a login, not a person: a login that was ended (logout, other devices, new password) opens nothing.
    login_manager.user_loader(wiring.USER_LOADER)


def register_rate_limits(app: Flask) -> None:
    limits.register(app)


def _wants_json() -> bool:
    return request.path.startswith(("/api/", "/webhooks/", "/healthz"))


ERROR_TEXT = {
    400: ("That request could not be understood", "Something in it was missing or malformed. Nothing was changed."),
    401: ("Please log in", "This page needs you to be signed in."),
    403: ("Not yours to see", "Your role in this hub does not include this page."),
    404: ("Nothing here", "There is no page at this address. It may have moved, or the link was mistyped."),
    405: ("Not like that", "This address does not accept that kind of request."),
    429: ("Slow down a little", "Too many attempts in a short time. Wait a few minutes and try again."),
    500: ("Something broke on our side", "The team has the details. Please try again in a moment."),
}


def register_errorhandlers(app: Flask) -> None:
    def render_error(code: int, detail: str | None = None):
        title, text = ERROR_TEXT.get(code, ERROR_TEXT[500])
        if _wants_json():
            return jsonify(error=title, detail=detail or text), code
        return render_template("errors/error.html", code=code, title=title, text=detail or text), code

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, "The form was missing its security token or it expired. "
                                 "Go back, reload the page and send it again. Nothing was changed.")

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # e.g. a login redirect raised with abort()
            return error.response
        if error.code not in ERROR_TEXT:
            return error
        return render_error(error.code, error.description if error.code == 400 and _wants_json() else None)

    @app.errorhandler(500)
    def server_error(error):
        db.session.rollback()
        return render_error(500)


def register_template_helpers(app: Flask) -> None:
    @app.template_filter("money")
    def money_filter(amount_minor: int, currency: str) -> str:
        return format_money(amount_minor, currency)

    @app.template_filter("localtime")
    def localtime_filter(moment, zone: str = "UTC", fmt: str = "%a %d %b %Y, %H:%M %Z") -> str:
        return moment.astimezone(ZoneInfo(zone)).strftime(fmt) if moment else ""

    @app.context_processor
    def inject():
        return {"Role": Role, "dev_mailbox": app.config["DEV_MAILBOX"],
                "test_payments": not app.config["STRIPE_SECRET_KEY"]}


def register_commands(app: Flask) -> None:
    for command in (demo_command, worker_command, scheduler_command, events_command, ledger_cli):
        app.cli.add_command(command)


#: Sent with every response that does not set them itself (`security_headers`).
SECURITY_HEADERS = (
    ("Content-Security-Policy", CONTENT_SECURITY_POLICY),
    ("X-Content-Type-Options", "nosniff"),
    ("X-Frame-Options", "DENY"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("Permissions-Policy", "camera=(), microphone=(), geolocation=()"),
)
HSTS = ("Strict-Transport-Security", "max-age=31536000; includeSubDomains")


def security_headers(response):
    """Add each of SECURITY_HEADERS (and HSTS over HTTPS) the response has not set itself: one look at the
    headers it has, instead of a search per header."""
    headers = response.headers
    present = {name.lower() for name, _ in headers.items()}
    for name, value in (*SECURITY_HEADERS, HSTS) if request.is_secure else SECURITY_HEADERS:
        if name.lower() not in present:
            headers.add(name, value)
    return response
