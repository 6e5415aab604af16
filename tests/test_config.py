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
    monkeypatch.setenv("STRIPE_SECRET_KEY", "sk_live_x")
    monkeypatch.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
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
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "STRIPE_SECRET_KEY": "sk_live_x",
                                    "STRIPE_WEBHOOK_SECRET": "whsec_x"})
    assert app.config["SESSION_COOKIE_SECURE"] and app.config["SESSION_COOKIE_HTTPONLY"]
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"


@pytest.fixture
def production_env(monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)
    for name in ("STRIPE_SECRET_KEY", "STRIPE_WEBHOOK_SECRET", "MICROHUB_TEST_PAYMENTS", "MICROHUB_DEV_MAILBOX"):
        monkeypatch.delenv(name, raising=False)
    return monkeypatch


def test_production_without_stripe_keys_refuses_to_take_test_payments_as_real(production_env, tmp_path):
    with pytest.raises(config.ConfigError, match="STRIPE_SECRET_KEY is not set"):
        config.load("production", tmp_path)
    production_env.setenv("STRIPE_SECRET_KEY", "sk_live_x")
    with pytest.raises(config.ConfigError, match="STRIPE_WEBHOOK_SECRET is not set"):
        config.load("production", tmp_path)
    production_env.setenv("STRIPE_WEBHOOK_SECRET", "whsec_x")
    assert config.load("production", tmp_path)["STRIPE_SECRET_KEY"] == "sk_live_x"


def test_production_with_test_payments_on_purpose_says_test_mode_on_every_page(production_env):
    production_env.setenv("MICROHUB_TEST_PAYMENTS", "1")
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    for path in ("/", "/login", "/signup", "/no/such/page"):
        assert "TEST MODE" in app.test_client().get(path).get_data(as_text=True), path


def test_with_stripe_keys_no_page_says_test_mode(production_env):
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "STRIPE_SECRET_KEY": "sk_live_x",
                                    "STRIPE_WEBHOOK_SECRET": "whsec_x"})
    assert "TEST MODE" not in app.test_client().get("/login").get_data(as_text=True)


def test_the_dev_mailbox_is_opt_in_and_never_in_production(production_env, tmp_path):
    assert not config.load("development", tmp_path)["DEV_MAILBOX"]
    production_env.setenv("MICROHUB_DEV_MAILBOX", "1")
    assert config.load("development", tmp_path)["DEV_MAILBOX"]
    production_env.setenv("MICROHUB_TEST_PAYMENTS", "1")
    with pytest.raises(config.ConfigError, match="never available in production"):
        config.load("production", tmp_path)


def test_a_development_server_without_the_opt_in_serves_no_mailbox(production_env, tmp_path):
    app = create_app("development", {"SQLALCHEMY_DATABASE_URI": "sqlite://", "EMBEDDED_SCHEDULER": False})
    assert app.test_client().get("/dev/mailbox/").status_code == 404


def test_microhub_demo_refuses_in_production_without_yes(production_env):
    production_env.setenv("MICROHUB_TEST_PAYMENTS", "1")
    app = create_app("production", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
    result = app.test_cli_runner().invoke(args=["demo"])
    assert result.exit_code != 0 and "--yes" in result.output
