"""In Chromium: axe-core finds nothing on the sponsor portal, and static/sponsors.js reports a placement that
stayed on screen (under the app's strict CSP) exactly once."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from microhub.extensions import db
from microhub.sponsors.models import PlacementDay

from ..sponsors.counting_helpers import counting_app, flush, live_setup, serve  # noqa: F401
from ..sponsors.test_portal import with_figures
from .test_accessibility import violations
from .test_join_and_pay import log_in

pytestmark = [pytest.mark.browser, pytest.mark.parametrize("backend", ["sqlite"], indirect=True)]


def test_the_sponsor_portal_is_accessible_and_fits_a_phone(live_server, page, screenshot):  # noqa: F811
    live = live_setup(1)
    with_figures(live)
    log_in(page, live_server, live.person.email)
    found = violations(page, f"{live_server}/sponsor/{live.sponsor.id}/stats")
    page.get_by_label("Name of the new token").fill("Dashboard")
    page.get_by_role("button", name="Create a token").click()
    assert page.get_by_label("Your new token").input_value().startswith("mhs_")
    screenshot("sponsor-portal-new-token")
    found += violations(page, f"{live_server}/sponsor/{live.sponsor.id}/stats")
    assert found == []


def test_a_placement_on_screen_for_a_second_is_reported_viewable_once(counting_app, page, browser_errors):  # noqa: F811
    live = live_setup(1)
    [url] = serve(counting_app, live.placements, hub_id=live.hub.id).values()
    server = make_server("127.0.0.1", 0, counting_app, threaded=True)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    site = f"http://127.0.0.1:{server.server_port}"
    try:
        page.goto(f"{site}/login")
        page.evaluate("""url => {
            const box = document.createElement("p");
            box.setAttribute("data-sponsor-click", url);
            box.textContent = "Sponsored: Toolsmiths";
            document.querySelector("main").prepend(box);
            const script = document.createElement("script");
            script.src = "/static/sponsors.js";
            document.head.append(script);
        }""", url)
        page.wait_for_selector("[data-sponsor-token]", state="attached")
        page.wait_for_timeout(2000)
        page.evaluate("window.scrollBy(0, 10)")
        page.wait_for_timeout(500)
    finally:
        server.shutdown()
        server.server_close()
    flush(counting_app)
    db.session.expire_all()
    row = db.session.scalar(db.select(PlacementDay).filter_by(placement_id=live.placements[0].id))
    assert (row.served, row.viewable) == (1, 1)
    assert browser_errors == []
