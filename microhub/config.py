"""Settings read from the environment; unset means the embedded single-machine default."""
from __future__ import annotations

import os
import secrets
from datetime import timedelta
from pathlib import Path

ENVIRONMENTS = ("development", "production", "test")


class ConfigError(RuntimeError):
    """The configuration cannot run safely; the message says what to set."""


def _dev_secret_key(instance_path: Path) -> str:
    # A development key that survives restarts, so sessions and e-mailed links keep working.
    key_file = instance_path / "secret_key"
    if not key_file.exists():
        instance_path.mkdir(parents=True, exist_ok=True)
        key_file.write_text(secrets.token_hex(32))
    return key_file.read_text().strip()


def _connect_args(database_url: str) -> dict:
    # A database host that drops packets must make /healthz answer 503, not hang.
    if database_url.startswith("postgresql"):
        return {"connect_args": {"connect_timeout": 5}}
    return {}


def _secret_key(env: str, instance_path: Path, overrides: dict | None) -> str:
    secret_key = (overrides or {}).get("SECRET_KEY") or os.environ.get("SECRET_KEY")
    if not secret_key:
        if env == "production":
            raise ConfigError(
                "SECRET_KEY is not set. A production MicroHub refuses to start without it: "
                "set SECRET_KEY to a long random string (e.g. `python -c 'import secrets; "
                "print(secrets.token_hex(32))'`), the same for web, worker and scheduler."
            )
        secret_key = "test-secret-key" if env == "test" else _dev_secret_key(instance_path)
    return secret_key


def _database_url(instance_path: Path) -> str:
    database_url = os.environ.get("DATABASE_URL") or f"sqlite:///{instance_path / 'microhub.sqlite3'}"
    # Heroku-style URLs name the old scheme; SQLAlchemy 2 wants the driver spelled out.
    if database_url.startswith("postgres://"):
        database_url = "postgresql://" + database_url[len("postgres://"):]
    if database_url.startswith("postgresql://"):
        database_url = "postgresql+psycopg://" + database_url[len("postgresql://"):]
    return database_url


def _cookies(production: bool) -> dict:
    """Session and remember cookies: HTTP-only and same-site always, Secure (HTTPS only) in production."""
    return {
        "SESSION_COOKIE_SECURE": production,
        "REMEMBER_COOKIE_SECURE": production,
        "SESSION_COOKIE_HTTPONLY": True,
        "REMEMBER_COOKIE_HTTPONLY": True,
        "SESSION_COOKIE_SAMESITE": "Lax",
        "REMEMBER_COOKIE_SAMESITE": "Lax",
        "PREFERRED_URL_SCHEME": "https" if production else "http",
    }


def load(environment: str | None, instance_path: Path, overrides: dict | None = None) -> dict:
    """Build the Flask config for `environment` (development, production or test)."""
    env = environment or os.environ.get("MICROHUB_ENV", "development")
    if env not in ENVIRONMENTS:
        raise ConfigError(f"MICROHUB_ENV must be one of {', '.join(ENVIRONMENTS)}, not {env!r}.")
    production = env == "production"

    secret_key = _secret_key(env, instance_path, overrides)
    database_url = _database_url(instance_path)
    config = {
        "MICROHUB_ENV": env,
        "SECRET_KEY": secret_key,
        "SQLALCHEMY_DATABASE_URI": database_url,
        # No pool_pre_ping: database.py pings only connections idle for a while, not one per checkout.
        "SQLALCHEMY_ENGINE_OPTIONS": _connect_args(database_url),
        "REDIS_URL": os.environ.get("REDIS_URL") or None,
        "STRIPE_SECRET_KEY": os.environ.get("STRIPE_SECRET_KEY") or None,
        "STRIPE_WEBHOOK_SECRET": os.environ.get("STRIPE_WEBHOOK_SECRET") or None,
        "STRIPE_API_BASE": os.environ.get("STRIPE_API_BASE") or None,
        "SMTP_URL": os.environ.get("SMTP_URL") or None,
        "MAIL_FROM": os.environ.get("MAIL_FROM", "MicroHub <no-reply@microhub.local>"),
        "MICROHUB_BASE_URL": (os.environ.get("MICROHUB_BASE_URL") or "http://127.0.0.1:5000").rstrip("/"),
        # Jobs run in-process unless REDIS_URL is set; tests may ask inline jobs to raise.
        "JOBS_RAISE": env == "test",
        # Without Redis a thread in the web process ticks every minute (tests tick by hand).
        "EMBEDDED_SCHEDULER": env != "test" and not os.environ.get("REDIS_URL"),
        # Everyone's e-mail (reset links too) in a browser: only when asked for, and never in production.
        "DEV_MAILBOX": _flag("MICROHUB_DEV_MAILBOX") or env == "test",
        # Production takes payments through Stripe unless test payments are switched on on purpose.
        "TEST_PAYMENTS_ALLOWED": _flag("MICROHUB_TEST_PAYMENTS"),
        **_cookies(production),
        "WTF_CSRF_TIME_LIMIT": None,  # tied to the session instead; long forms must not expire
        "TOKEN_MAX_AGE_VERIFY": 3 * 24 * 3600,
        "TOKEN_MAX_AGE_RESET": 3600,
        # How many trusted proxies (load balancer, nginx) stand in front; their X-Forwarded-* headers are believed.
        "PROXY_HOPS": _whole_number("MICROHUB_PROXY_HOPS", 0, lowest=0, highest=5),
        # MicroHub is for 15-500 people; an installation may allow bigger hubs on purpose.
        "MAX_CAP": _whole_number("MICROHUB_MAX_CAP", 500),
        # A remember-me cookie keeps a browser signed in this long (Flask-Login's default is a year).
        "REMEMBER_COOKIE_DURATION": timedelta(days=30),
        # Werkzeug's scrypt default; tests lower the cost so the suite stays fast.
        "PASSWORD_HASH_METHOD": "scrypt",
        # A hub's public face (counters, plans, sponsors) is read at most this often per process (hubpage.document);
        # tests read it every time unless they ask for the cache.
        "HUB_PAGE_CACHE_SECONDS": 0 if env == "test" else 1.0,
        # Sponsor views known not to count (bots, staff, repeats) reach Redis at most this late (sponsors.tally);
        # tests write them at once unless they ask for the tally.
        "SPONSOR_TALLY_SECONDS": 0 if env == "test" else 1.0,
    }
    if env == "test":
        config["PASSWORD_HASH_METHOD"] = "scrypt:1024:8:1"
    if overrides:
        config.update(overrides)
    if production:
        _check_production(config)
    return config


def _whole_number(name: str, default: int, *, lowest: int = 1, highest: int = 1_000_000) -> int:
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    if not raw.isdigit() or not lowest <= int(raw) <= highest:
        raise ConfigError(f"{name} must be a whole number from {lowest} to {highest:,}, not {raw!r}.")
    return int(raw)


def _flag(name: str) -> bool:
    return os.environ.get(name, "").strip().lower() in ("1", "true", "yes", "on")


def _check_production(config: dict) -> None:
    """Refuse settings that would quietly put people's money or mail at risk in production."""
    if not config["STRIPE_SECRET_KEY"] and not config["TEST_PAYMENTS_ALLOWED"]:
        raise ConfigError(
            "STRIPE_SECRET_KEY is not set. A production MicroHub refuses to take test payments as real ones: set "
            "STRIPE_SECRET_KEY and STRIPE_WEBHOOK_SECRET, or MICROHUB_TEST_PAYMENTS=1 for a demo that says TEST MODE "
            "on every page.")
    if config["STRIPE_SECRET_KEY"] and not config["STRIPE_WEBHOOK_SECRET"]:
        raise ConfigError(
            "STRIPE_WEBHOOK_SECRET is not set. Without it no webhook from Stripe can be verified and no payment would "
            "ever be confirmed: copy the endpoint's signing secret (whsec_…) from Stripe's dashboard.")
    if config["DEV_MAILBOX"]:
        raise ConfigError("MICROHUB_DEV_MAILBOX is set, but the development mailbox shows everyone's e-mail, reset "
                          "links included: it is never available in production. Unset it.")
