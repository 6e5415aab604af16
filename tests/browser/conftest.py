"""Browser fixtures: the served app on a real HTTP port, and Debian's Chromium driven by Playwright.

Playwright cannot download its own browsers here, so it launches the system Chromium; when that
is missing the tests skip loudly on a laptop and fail under CI.
"""
from __future__ import annotations

import threading
from pathlib import Path

import pytest
from werkzeug.serving import make_server

from ..backends import unavailable

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]
#: Screenshots for people to look at; git-ignored.
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture
def live_server(app):
    """Serve the `app` fixture's application on a free port; yield its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, name="live-server", daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


@pytest.fixture(scope="session")
def browser():
    if not CHROMIUM.exists():
        unavailable("Chromium", f"{CHROMIUM} is missing; install it with `apt-get install -y chromium`")
    from playwright.sync_api import Error, sync_playwright

    with sync_playwright() as playwright:
        try:
            launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        except Error as exc:
            unavailable("Chromium", exc)
        yield launched
        launched.close()


@pytest.fixture
def browser_errors() -> list[str]:
    """Console errors and uncaught exceptions of the `page` (a CSP violation shows up here)."""
    return []


def _keep(message) -> bool:
    # HTTP error statuses (a 400 form answer, the absent favicon) are the server's business, not the page's.
    return message.type == "error" and not message.text.startswith("Failed to load resource")


@pytest.fixture
def page(browser, browser_errors):
    # A fresh context per test: no cookies carried over; a fixed zone so app.js has something to guess.
    context = browser.new_context(viewport={"width": 1280, "height": 900}, timezone_id="Europe/Berlin",
                                  locale="en-GB")
    context.set_default_timeout(10_000)
    opened = context.new_page()
    opened.on("console", lambda msg: _keep(msg) and browser_errors.append(msg.text))
    opened.on("pageerror", lambda exc: browser_errors.append(str(exc)))
    yield opened
    context.close()


@pytest.fixture
def screenshot(page):
    """Save the page (whole length) as test-artifacts/<name>.png and return the path."""
    ARTIFACTS.mkdir(exist_ok=True)

    def take(name: str, **options) -> Path:
        path = ARTIFACTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True, **options)
        return path

    return take
