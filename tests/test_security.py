"""Security headers, error pages in the product's look, and CSRF on state-changing forms."""
from microhub.extensions import db
from microhub.hubs.models import HubRole

from .factories import UserFactory, organizer_of


def test_every_page_carries_security_headers(client):
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp and "script-src 'self'" in csp and "default-src 'self'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
    assert response.headers["X-Frame-Options"] == "DENY"



def test_a_page_keeps_a_security_header_it_set_itself_and_https_adds_hsts(app):
    """The one look at what the response has: a header the view set is neither replaced nor doubled."""
    from flask import make_response

    from microhub.app import security_headers

    with app.test_request_context("/", base_url="https://hubs.example"):
        response = make_response("x")
        response.headers["Referrer-Policy"] = "origin"
        security_headers(response)
        assert response.headers.getlist("Referrer-Policy") == ["origin"]
        assert response.headers["X-Frame-Options"] == "DENY"
        assert response.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert len(response.headers.getlist("Content-Security-Policy")) == 1
    with app.test_request_context("/"):
        assert "Strict-Transport-Security" not in security_headers(make_response("x")).headers

def test_error_pages_use_the_layout_and_json_for_machines(client):
    page = client.get("/no/such/page")
    assert page.status_code == 404 and "Nothing here" in page.get_data(as_text=True)
    assert 'class="site-header"' in page.get_data(as_text=True)
    api = client.get("/api/v1/hubs/nope")
    assert api.status_code == 404 and api.get_json()["error"] == "Nothing here"


def test_forbidden_page_explains_itself(client):
    organizer_of(slug="club")
    client.login(UserFactory().email)
    response = client.get("/h/club/manage")
    assert response.status_code == 403 and "Not yours to see" in response.get_data(as_text=True)


def test_state_changing_forms_without_csrf_token_are_refused(client):
    hub, organizer = organizer_of(slug="club")
    grant = db.session.scalar(db.select(HubRole).filter_by(hub_id=hub.id))
    client.login(organizer.email)
    for url, data in [
        ("/h/club/manage/team", {"email": organizer.email, "role": "moderator"}),
        (f"/h/club/manage/team/{grant.id}/remove", {}),
        ("/account/profile", {"name": "X", "timezone": "UTC"}),
        ("/logout", {}),
        ("/signup", {"name": "X", "email": "x@example.org", "password": "quiet-river-4821", "timezone": "UTC"}),
    ]:
        assert client.post(url, data=data).status_code == 400, url
    assert db.session.scalar(db.select(db.func.count(HubRole.id))) == 1
    assert client.get("/account/profile").status_code == 200  # still signed in: logout was refused


def test_login_form_without_csrf_token_is_refused(client):
    user = UserFactory()
    response = client.post("/login", data={"email": user.email, "password": "a-long-enough-passphrase"})
    assert response.status_code == 400
    assert client.get("/account/profile").status_code == 302


def test_server_error_page_is_friendly(app_factory):
    app = app_factory(PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = app.test_client().get("/boom")
    assert response.status_code == 500 and "Something broke on our side" in response.get_data(as_text=True)
    assert "kaboom" not in response.get_data(as_text=True)
