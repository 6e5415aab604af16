"""Logins can be revoked (logout, other devices, new password); guessing is limited atomically; no enumeration."""
import re
import threading

import pytest

from microhub.accounts import services
from microhub.extensions import db

from ..factories import PASSWORD, UserFactory
from ..mail import mails
from ..payments.helpers import hub_with_plan
from .test_signup_login import SIGNUP, verify_link


def copy_cookies(source, target) -> None:
    for cookie in source._cookies.values():
        target.set_cookie(cookie.key, cookie.value, domain=cookie.domain, path=cookie.path)


def test_a_copied_session_cookie_opens_nothing_after_logout(app, client):
    client.login(UserFactory().email)
    thief = app.test_client()
    copy_cookies(client, thief)
    assert thief.get("/account/profile").status_code == 200
    client.submit("/logout", {})
    assert thief.get("/account/profile").status_code == 302


def test_the_remember_cookie_is_new_each_login_short_lived_and_dead_after_logout(app, client):
    user = UserFactory()
    first = client.login(user.email, remember=True)
    remember = [c for c in first.headers.getlist("Set-Cookie") if c.startswith("remember_token=")][0]
    assert "Max-Age=2592000" in remember or "Expires=" in remember  # 30 days, not a year
    kept = re.search(r"remember_token=([^;]+)", remember)[1]
    client.submit("/logout", {})
    second = app.test_client().login(user.email, remember=True)
    assert re.search(r"remember_token=([^;]+)", second.headers["Set-Cookie"] + ";")[1] != kept
    replay = app.test_client()
    replay.set_cookie("remember_token", kept)
    assert replay.get("/account/profile").status_code == 302


def test_a_password_reset_signs_out_every_browser_and_remember_cookie(app, client):
    user = UserFactory()
    other = app.test_client()
    response = other.login(user.email, remember=True)
    kept = re.search(r"remember_token=([^;]+)", ";".join(response.headers.getlist("Set-Cookie")))[1]
    services.request_password_reset(user.email)
    db.session.commit()
    mail = mails(to=user.email)[-1]
    reset_path = re.search(r"http://[^/]+(/password/reset/\S+)", mail.body_text)[1]
    assert client.submit(reset_path, {"password": "brand-new-phrase-77", "confirm": "brand-new-phrase-77"}) \
        .status_code == 302
    assert client.get("/account/profile").status_code == 200  # the browser that reset it is signed in
    assert other.get("/account/profile").status_code == 302
    replay = app.test_client()
    replay.set_cookie("remember_token", kept)
    assert replay.get("/account/profile").status_code == 302


def test_log_out_other_devices_keeps_this_one(app, client):
    user = UserFactory()
    phone, laptop = app.test_client(), app.test_client()
    phone.login(user.email)
    laptop.login(user.email)
    client.login(user.email)
    assert "2 other browsers" in client.get("/account/profile").get_data(as_text=True)
    assert client.submit("/account/sessions/others/end", {}, form_url="/account/profile").status_code == 302
    assert client.get("/account/profile").status_code == 200
    assert phone.get("/account/profile").status_code == 302 and laptop.get("/account/profile").status_code == 302


def test_twenty_parallel_guesses_get_no_more_checks_than_the_limit(app):
    email = UserFactory().email
    guessers = [app.test_client() for _ in range(20)]
    tokens = [g.csrf_token("/login") for g in guessers]
    barrier, codes = threading.Barrier(20), []

    def guess(client, token):
        barrier.wait()
        codes.append(client.post("/login", data={"csrf_token": token, "email": email,
                                                 "password": "wrong-guess-123"}).status_code)

    threads = [threading.Thread(target=guess, args=pair) for pair in zip(guessers, tokens)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert len(codes) == 20 and codes.count(401) <= 5 and codes.count(429) >= 15


def test_a_stranger_guessing_from_elsewhere_cannot_lock_the_owner_out(app, client):
    owner = UserFactory()
    stranger = app.test_client()
    for _ in range(8):
        stranger.submit("/login", {"email": owner.email, "password": "wrong-guess-123"},
                        environ_base={"REMOTE_ADDR": "203.0.113.9"})
    assert stranger.submit("/login", {"email": owner.email, "password": "wrong-guess-123"},
                           environ_base={"REMOTE_ADDR": "203.0.113.9"}).status_code == 429
    assert client.submit("/login", {"email": owner.email, "password": PASSWORD}).status_code == 302


def test_one_address_cannot_try_account_after_account_quickly(app):
    sprayer = app.test_client()
    codes = [sprayer.submit("/login", {"email": f"victim{i}@example.org", "password": "Summer2026!"}).status_code
             for i in range(22)]
    assert codes[:20] == [401] * 20 and codes[20:] == [429, 429]


def test_an_unknown_address_costs_one_password_hash_check_like_a_known_one(app, monkeypatch):
    checked = []
    real = services.check_password_hash
    monkeypatch.setattr(services, "check_password_hash", lambda h, p: checked.append(h.split("$")[0]) or real(h, p))
    known = UserFactory()
    for email in (known.email, "nobody@example.org"):
        try:
            services.authenticate(email, "wrong-guess-123")
        except services.ValidationFailed as error:
            assert error.message == services.LOGIN_FAILED
    assert len(checked) == 2 and checked[0] == checked[1]  # the same method and cost both times


def test_signing_up_from_the_join_page_comes_back_to_it(client):
    hub, _ = hub_with_plan()
    join = f"/h/{hub.slug}/join"
    to_login = client.get(join)
    assert to_login.status_code == 302 and "next=" in to_login.headers["Location"]
    login_page = client.get(to_login.headers["Location"]).get_data(as_text=True)
    signup_path = re.search(r'href="(/signup\?next=[^"]+)"', login_page)[1].replace("&amp;", "&")
    assert client.submit(signup_path, SIGNUP).status_code == 200
    landing = client.get(verify_link("rosa@example.org"))
    assert landing.status_code == 302 and landing.headers["Location"] == join
    assert client.get(join).status_code == 200


def test_signing_up_with_a_strangers_address_then_logging_in_tells_nothing(app, client):
    """The prober picks the password; a free address must not then let them in, or the 401/302 would tell."""
    owner = UserFactory(email="owner@example.org")
    for email in ("owner@example.org", "free@example.org"):
        assert client.submit("/signup", {**SIGNUP, "email": email}).status_code == 200
    answers = [client.submit("/login", {"email": email, "password": SIGNUP["password"]})
               for email in ("owner@example.org", "free@example.org")]
    assert [a.status_code for a in answers] == [401, 401]
    assert answers[0].get_data(as_text=True) == answers[1].get_data(as_text=True).replace("free@", "owner@")
    assert client.get("/account/profile").status_code == 302
    # The real owner of the free address gets the link again; the prober's password alone opens nothing.
    links = mails(to="free@example.org")
    assert len(links) == 2 and all("/verify/" in m.body_text for m in links)
    assert owner.email_verified_at is not None


def test_login_still_works_when_the_rate_limit_store_is_down(app_factory):
    down = app_factory(REDIS_URL="redis://127.0.0.1:1/0")
    client = down.test_client()
    user = UserFactory()
    assert client.submit("/login", {"email": user.email, "password": "wrong-guess-123"}).status_code == 401
    assert client.submit("/login", {"email": user.email, "password": PASSWORD}).status_code == 302


def test_one_address_cannot_flood_an_inbox_through_sign_up(app, client):
    UserFactory(email="target@example.org")
    codes = [client.submit("/signup", {**SIGNUP, "email": "target@example.org"}).status_code for _ in range(7)]
    assert codes == [200] * 5 + [429, 429]
    assert len(mails(to="target@example.org")) == 5


def test_behind_a_trusted_proxy_each_client_has_its_own_login_limit(app_factory):
    proxied = app_factory(PROXY_HOPS=1)
    user = UserFactory()
    client = proxied.test_client()
    for _ in range(5):
        client.submit("/login", {"email": user.email, "password": "wrong-guess-123"},
                      headers={"X-Forwarded-For": "203.0.113.7"})
    assert client.submit("/login", {"email": user.email, "password": PASSWORD},
                         headers={"X-Forwarded-For": "203.0.113.7"}).status_code == 429
    assert client.submit("/login", {"email": user.email, "password": PASSWORD},
                         headers={"X-Forwarded-For": "198.51.100.4"}).status_code == 302


def test_a_backslash_path_is_not_a_same_site_next(client):
    user = UserFactory()
    token = client.csrf_token("/login")
    response = client.post("/login", data={"csrf_token": token, "email": user.email, "password": PASSWORD,
                                           "next": "/\\evil.example/phish"})
    assert response.headers["Location"] == "/"


def test_the_limiter_adds_no_work_to_every_request_and_refuses_app_wide_limits(app_factory):
    """Limits live on their views (login, sign-up, reset, donations, sponsor counting: the tests above and theirs);
    no hook of Flask-Limiter runs around every request, and an app-wide limit would fail loudly at start."""
    app = app_factory()
    limiter = app.extensions["microhub.limiter"]
    hooks = [*app.before_request_funcs[None], *app.after_request_funcs[None], *app.teardown_request_funcs[None]]
    assert not [hook for hook in hooks if "limiter" in repr(hook).lower()]
    with pytest.raises(RuntimeError, match="app-wide"):
        app_factory(RATELIMIT_DEFAULT="100 per minute")
    assert limiter.limit_manager.default_limits == []
