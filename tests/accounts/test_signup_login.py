"""Sign-up, log-in and remember-me, log-out, profile."""
import re
from datetime import timedelta

import pytest
import time_machine

from microhub.accounts.models import User
from microhub.database import utcnow
from microhub.extensions import db

from ..factories import PASSWORD, UserFactory
from ..mail import mails

SIGNUP = {"name": "Rosa Parks", "email": "Rosa@Example.org", "password": "quiet-river-4821", "timezone": "America/New_York"}


def users() -> list[User]:
    return db.session.scalars(db.select(User)).all()


def verify_link(email: str) -> str:
    mail = mails(to=email)[-1]
    return re.search(r"http://[^/]+(/verify/\S+)", mail.body_text)[1]


def test_sign_up_creates_an_account_and_its_e_mailed_link_confirms_it_and_signs_in(client):
    response = client.submit("/signup", SIGNUP)
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)
    [user] = users()
    assert (user.email, user.name, user.timezone, user.email_verified_at) == (
        "rosa@example.org", "Rosa Parks", "America/New_York", None)
    assert user.password_hash.startswith("scrypt:") and "quiet-river" not in user.password_hash
    assert client.get("/account/profile").status_code == 302  # not signed in until the address is confirmed
    assert client.get(verify_link("rosa@example.org")).status_code == 302
    assert "Rosa Parks" in client.get("/account/profile").get_data(as_text=True)


def test_signing_up_with_a_taken_address_reads_the_same_and_e_mails_its_owner(client):
    UserFactory(email="rosa@example.org", name="First Rosa")
    taken = client.submit("/signup", SIGNUP)
    fresh = client.submit("/signup", {**SIGNUP, "email": "someone.new@example.org"})
    assert taken.status_code == fresh.status_code == 200
    assert taken.get_data(as_text=True).replace("rosa@example.org", "X") == \
        fresh.get_data(as_text=True).replace("someone.new@example.org", "X")
    assert sorted(u.name for u in users()) == ["First Rosa", "Rosa Parks"]
    [warning] = mails(to="rosa@example.org")
    assert "tried to create a MicroHub account" in warning.body_text and "/verify/" not in warning.body_text


@pytest.mark.parametrize("password, message", [
    ("short1!", "at least 10 characters"),
    ("password123", "too easy to guess"),
    ("aaaaaaaaaaaa", "too easy to guess"),
    ("rosaparks2024", "from your name or e-mail"),
    ("onlyletterz", "Mix letters with digits"),
])
def test_weak_password_is_refused_next_to_its_field(client, password, message):
    response = client.submit("/signup", {**SIGNUP, "password": password})
    page = response.get_data(as_text=True)
    assert response.status_code == 400 and message in page
    assert 'id="password-error"' in page and 'aria-invalid="true"' in page
    assert users() == []


def test_malformed_email_and_unknown_time_zone_are_refused(client):
    assert client.submit("/signup", {**SIGNUP, "email": "not-an-email"}).status_code == 400
    response = client.submit("/signup", {**SIGNUP, "timezone": "Atlantis/Capital"})
    assert response.status_code == 400 and "not a known time zone" in response.get_data(as_text=True)
    assert users() == []


def test_log_in_and_log_out(client):
    user = UserFactory()
    response = client.login(user.email.upper())
    assert client.get("/account/profile").status_code == 200
    assert client.get("/logout").status_code == 200  # a confirmation page; GET changes nothing
    assert client.get("/account/profile").status_code == 200
    response = client.submit("/logout", {})
    assert response.status_code == 302
    assert client.get("/account/profile").status_code == 302


def test_wrong_password_says_so_without_telling_which_part_was_wrong(client):
    user = UserFactory()
    for email in (user.email, "nobody@example.org"):
        response = client.submit("/login", {"email": email, "password": "wrong-password-1"})
        assert response.status_code == 401
        assert "don&#39;t match a confirmed account" in response.get_data(as_text=True)


def test_repeated_logins_for_one_account_from_one_address_are_limited_then_allowed_again(client):
    user = UserFactory()
    for _ in range(5):
        assert client.submit("/login", {"email": user.email, "password": "wrong-password-1"}).status_code == 401
    response = client.submit("/login", {"email": user.email, "password": PASSWORD})
    assert response.status_code == 429 and "Slow down" in response.get_data(as_text=True)
    assert client.get("/account/profile").status_code == 302
    with time_machine.travel(utcnow() + timedelta(minutes=16), tick=False):
        assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302


def test_remember_me_sets_a_lasting_http_only_cookie(client):
    user = UserFactory()
    response = client.login(user.email, remember=True)
    cookies = response.headers.getlist("Set-Cookie")
    remember = [c for c in cookies if c.startswith("remember_token=")]
    assert remember and "HttpOnly" in remember[0] and "Expires=" in remember[0]


def test_without_remember_me_no_lasting_cookie_is_set(client):
    response = client.login(UserFactory().email)
    assert not [c for c in response.headers.getlist("Set-Cookie") if c.startswith("remember_token=")]


def test_login_redirects_only_to_paths_on_this_site(client):
    user = UserFactory()
    token = client.csrf_token("/login")
    data = {"csrf_token": token, "email": user.email, "password": PASSWORD}
    response = client.post("/login?next=https://evil.example/phish", data={**data, "next": "https://evil.example/x"})
    assert response.headers["Location"] == "/"
    client.submit("/logout", {})
    response = client.post("/login", data={**data, "csrf_token": client.csrf_token("/login"), "next": "/account/profile"})
    assert response.headers["Location"] == "/account/profile"


def test_profile_changes_name_and_time_zone_and_refuses_unknown_zone(client):
    user = UserFactory(timezone="UTC")
    client.login(user.email)
    response = client.submit("/account/profile", {"name": "New Name", "timezone": "Asia/Tokyo"})
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.timezone) == ("New Name", "Asia/Tokyo")
    response = client.submit("/account/profile", {"name": "Other", "timezone": "Nowhere/Land"})
    assert response.status_code == 400
    db.session.refresh(user)
    assert (user.name, user.timezone) == ("New Name", "Asia/Tokyo")
