"""A visitor without a session cookie gets an empty session without any signing work, and no cookie back; a
session cookie is still read, and a bad one still counts for nothing."""
from flask import request, session

from microhub.app import CookieSessions

from ..payments.helpers import hub_with_plan


def test_a_visitor_gets_the_public_pages_without_a_cookie(app, client):
    hub, _ = hub_with_plan()
    for path in (f"/h/{hub.slug}", f"/api/v1/hubs/{hub.slug}", "/"):
        response = client.get(path)
        assert response.status_code == 200
        assert "Set-Cookie" not in response.headers


def test_a_session_cookie_is_still_read_and_a_forged_one_is_not(app):
    assert isinstance(app.session_interface, CookieSessions)
    signed = app.session_interface.get_signing_serializer(app).dumps({"seen": "yes"})
    name = app.config["SESSION_COOKIE_NAME"]
    for cookie, expected in ((signed, "yes"), (signed[:-2] + "xx", None), ("", None)):
        with app.test_request_context("/", headers={"Cookie": f"{name}={cookie}"} if cookie else {}):
            opened = app.session_interface.open_session(app, request)
            assert opened.get("seen") == expected
            assert not opened.modified
    with app.test_request_context("/"):
        assert session.get("seen") is None


def test_an_empty_session_read_by_the_page_varies_by_cookie_once(app, client):
    """What Flask would send for a session read and left empty: `Vary: Cookie` (caches must not share a signed-in
    page), no cookie; a page that already varies keeps its own value beside it."""
    hub, _ = hub_with_plan()
    response = client.get(f"/h/{hub.slug}")
    assert response.headers.getlist("Vary") == ["Cookie"] and "Set-Cookie" not in response.headers
    with app.test_request_context("/"):
        from flask import make_response

        page = make_response("x")
        page.headers["Vary"] = "Accept-Encoding"
        session.get("anything")
        app.session_interface.save_session(app, session._get_current_object(), page)
        assert page.headers["Vary"] == "Accept-Encoding, Cookie"
