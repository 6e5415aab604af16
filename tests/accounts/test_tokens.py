"""E-mail verification and password reset links: signed, expiring, single-use."""
import re
from datetime import timedelta

import time_machine

from microhub.accounts.models import User
from microhub.database import utcnow
from microhub.extensions import db

from ..factories import PASSWORD, UserFactory
from ..mail import mails


def last_link(to: str) -> str:
    mail = mails(to=to)[-1]
    return re.search(r"http://127\.0\.0\.1:5000(/\S+)", mail.body_text).group(1)


def test_verification_link_confirms_the_address(client):
    client.submit("/signup", {"name": "Ivy", "email": "ivy@example.org", "password": "quiet-river-4821",
                              "timezone": "UTC"})
    response = client.get(last_link("ivy@example.org"))
    assert response.status_code == 302
    assert db.session.scalar(db.select(User.email_verified_at)) is not None


def test_expired_verification_link_is_refused(client):
    client.submit("/signup", {"name": "Ivy", "email": "ivy@example.org", "password": "quiet-river-4821",
                              "timezone": "UTC"})
    link = last_link("ivy@example.org")
    with time_machine.travel(utcnow() + timedelta(days=4), tick=False):
        response = client.get(link)
    assert response.status_code == 400 and "expired" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User.email_verified_at)) is None


def test_altered_verification_link_is_refused(client):
    client.submit("/signup", {"name": "Ivy", "email": "ivy@example.org", "password": "quiet-river-4821",
                              "timezone": "UTC"})
    link = last_link("ivy@example.org")
    response = client.get(link[:-3] + ("AAA" if not link.endswith("AAA") else "BBB"))
    assert response.status_code == 400 and "not valid" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(User.email_verified_at)) is None


def test_password_reset_works_once_and_signs_in(client):
    user = UserFactory()
    response = client.submit("/password/forgot", {"email": user.email})
    assert response.status_code == 302
    link = last_link(user.email)
    response = client.submit(link, {"password": "new-secret-9182", "confirm": "new-secret-9182"})
    assert response.status_code == 302
    client.submit("/logout", {})
    client.login(user.email, "new-secret-9182")
    # The link was bound to the old password: it cannot be used again.
    second = client.get(link)
    assert second.status_code == 400 and "used already" in second.get_data(as_text=True)


def test_forgot_password_does_not_reveal_whether_an_account_exists(client):
    known = client.submit("/password/forgot", {"email": UserFactory().email})
    unknown = client.submit("/password/forgot", {"email": "nobody@example.org"})
    assert known.status_code == unknown.status_code == 302
    assert len(mails()) == 1


def test_expired_reset_link_changes_nothing(client):
    user = UserFactory()
    client.submit("/password/forgot", {"email": user.email})
    link = last_link(user.email)
    with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
        response = client.post(link, data={"password": "new-secret-9182", "confirm": "new-secret-9182"})
    assert response.status_code == 400
    client.login(user.email, PASSWORD)


def test_reset_with_a_weak_or_mismatched_password_is_refused(client):
    user = UserFactory()
    client.submit("/password/forgot", {"email": user.email})
    link = last_link(user.email)
    weak = client.submit(link, {"password": "short", "confirm": "short"})
    assert weak.status_code == 400 and "at least 10 characters" in weak.get_data(as_text=True)
    differ = client.submit(link, {"password": "new-secret-9182", "confirm": "new-secret-9183"})
    assert differ.status_code == 400 and "The two passwords differ" in differ.get_data(as_text=True)
    client.login(user.email, PASSWORD)
