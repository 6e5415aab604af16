"""Settings come from the environment; production refuses to start without a secret key."""
import subprocess
import sys

import pytest

from microhub import config
from microhub.app import create_app


def test_production_without_secret_key_refuses_with_a_clear_message(monkeypatch, tmp_path):
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(config.ConfigError, match="SECRET_KEY is not set"):
        config.load("production", tmp_path)


def test_wsgi_entry_point_refuses_to_start_without_secret_key(tmp_path):
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)}
    result = subprocess.run([sys.executable, "-c", "import wsgi"], capture_output=True, text=True, env=env)
    assert result.returncode != 0
    assert "SECRET_KEY is not set" in result.stderr


def test_settings_are_read_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("SECRET_KEY", "from-env")
    monkeypatch.setenv("DATABASE_URL", "postgres://u@db.example/microhub")
    monkeypatch.setenv("REDIS_URL", "redis://cache:6379/0")
    monkeypatch.setenv("SMTP_URL", "smtp://mail:25")
    monkeypatch.setenv("MICROHUB_BASE_URL", "https://hubs.example.org/")
    settings = config.load("production", tmp_path)
    assert settings["SECRET_KEY"] == "from-env"
    assert settings["SQLALCHEMY_DATABASE_URI"] == "postgresql+psycopg://u@db.example/microhub"
    assert settings["REDIS_URL"] == "redis://cache:6379/0"
    assert settings["SMTP_URL"] == "smtp://mail:25"
    assert settings["MICROHUB_BASE_URL"] == "https://hubs.example.org"
    assert settings["SESSION_COOKIE_SECURE"] and settings["REMEMBER_COOKIE_SECURE"]
    assert not settings["DEV_MAILBOX"]


def test_unset_settings_mean_the_embedded_default(monkeypatch, tmp_path):
    for name in ("DATABASE_URL", "REDIS_URL", "STRIPE_SECRET_KEY", "SMTP_URL", "SECRET_KEY"):
        monkeypatch.delenv(name, raising=False)
    settings = config.load("development", tmp_path)
    assert settings["SQLALCHEMY_DATABASE_URI"] == f"sqlite:///{tmp_path / 'microhub.sqlite3'}"
    assert settings["REDIS_URL"] is None and settings["STRIPE_SECRET_KEY"] is None and settings["SMTP_URL"] is None
    # The development key is generated once and kept, so sign-ins survive a restart.
    assert settings["SECRET_KEY"] == config.load("development", tmp_path)["SECRET_KEY"]


def test_unknown_environment_name_is_refused(tmp_path):
    with pytest.raises(config.ConfigError, match="MICROHUB_ENV"):
        config.load("staging", tmp_path)


def test_production_cookies_are_secure(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
