"""Outgoing e-mail through a real SMTP server (aiosmtpd), the outbox, and the dev mailbox page."""
from __future__ import annotations

import re
import socket
from datetime import timedelta
from email import message_from_bytes, policy
from email.message import EmailMessage
from urllib.parse import urlsplit

import pytest
import time_machine
from aiosmtpd.controller import Controller

from microhub import email as mail
from microhub import jobs
from microhub.database import utcnow
from microhub.accounts.models import User
from microhub.email import OutboxMessage
from microhub.extensions import db

from .factories import UserFactory
from .mail import mails


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class Collector:
    """aiosmtpd handler that keeps every accepted message; `refuse` answers RCPT with a 550."""

    def __init__(self):
        self.envelopes = []
        self.refuse = False

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.refuse:
            return self.refuse if isinstance(self.refuse, str) else "550 5.1.1 Mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        self.envelopes.append(envelope)
        return "250 Message accepted for delivery"

    def messages(self) -> list[EmailMessage]:
        return [message_from_bytes(e.original_content, policy=policy.default) for e in self.envelopes]


@pytest.fixture
def smtp():
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    handler.url = f"smtp://127.0.0.1:{controller.port}"
    yield handler
    controller.stop()


@pytest.fixture
def smtp_app(app, app_factory, smtp):
    # `app` is requested so the tables are emptied after the test, like every other test's.
    return app_factory(SMTP_URL=smtp.url)


def body(message: EmailMessage) -> str:
    return message.get_body(("plain",)).get_content()


def queue_verify_email(user: User, link: str = "http://x/y") -> int:
    message = mail.send_email(user.email, "Confirm your e-mail for MicroHub", "verify_email",
                              user=user, link=link)
    db.session.commit()  # the delivery job runs in-process once the row is committed
    return message.id


def outbox(message_id: int) -> OutboxMessage:
    db.session.expire_all()
    return db.session.get(OutboxMessage, message_id)


def test_committed_message_is_delivered_over_smtp_once(smtp_app, smtp):
    with smtp_app.app_context():
        user = UserFactory(name="Ada Lovelace")
        message_id = queue_verify_email(user)

        assert len(smtp.envelopes) == 1
        envelope, received = smtp.envelopes[0], smtp.messages()[0]
        assert envelope.rcpt_tos == [user.email]
        assert envelope.mail_from == "no-reply@microhub.local"
        assert received["To"] == user.email
        assert received["Subject"] == "Confirm your e-mail for MicroHub"
        assert "Hello Ada Lovelace" in body(received) and "http://x/y" in body(received)

        row = outbox(message_id)
        assert row.sent_at is not None and row.attempts == 1 and row.last_error is None

        mail.deliver(message_id)  # a second run of the job (e.g. a retried worker) sends nothing
        assert len(smtp.envelopes) == 1
        assert outbox(message_id).attempts == 1


def test_rolled_back_message_is_neither_kept_nor_sent(smtp_app, smtp):
    with smtp_app.app_context():
        user = UserFactory()
        mail.send_email(user.email, "Never sent", "verify_email", user=user, link="http://x/y")
        db.session.rollback()
        assert smtp.envelopes == []
        assert len(mails()) == 0


def test_without_smtp_url_the_message_waits_in_the_outbox_and_shows_on_the_dev_mailbox(client):
    user = UserFactory(name="Grace Hopper")
    message_id = queue_verify_email(user, link="http://127.0.0.1:5000/verify/a.b-c_d")
    row = outbox(message_id)
    assert row.sent_at is None and row.attempts == 0

    page = client.get("/dev/mailbox/")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert user.email in html and "Confirm your e-mail for MicroHub" in html and "kept in outbox" in html
    assert f'href="/dev/mailbox/{message_id}"' in html

    detail = client.get(f"/dev/mailbox/{message_id}")
    assert detail.status_code == 200
    text = detail.get_data(as_text=True)
    assert "Hello Grace Hopper" in text and 'href="http://127.0.0.1:5000/verify/a.b-c_d"' in text
    assert client.get(f"/dev/mailbox/{message_id + 1000}").status_code == 404


def test_dev_mailbox_escapes_what_people_typed(client):
    user = UserFactory(name='<script>alert("hi")</script>')
    message_id = queue_verify_email(user)
    text = client.get(f"/dev/mailbox/{message_id}").get_data(as_text=True)
    assert "<script>alert" not in text and "&lt;script&gt;" in text


def test_dev_mailbox_does_not_exist_in_production(app, app_factory, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "x" * 32)  # production checks the environment before overrides
    production = app_factory("production", SECRET_KEY="x" * 32, STRIPE_SECRET_KEY="sk_live_x",
                             STRIPE_WEBHOOK_SECRET="whsec_x")
    with production.app_context():
        message_id = queue_verify_email(UserFactory())
    client = production.test_client()
    assert client.get("/dev/mailbox/").status_code == 404
    assert client.get(f"/dev/mailbox/{message_id}").status_code == 404
    assert "Dev mailbox" not in client.get("/").get_data(as_text=True)


def test_unreachable_smtp_server_records_the_error_and_keeps_the_message(app, app_factory):
    closed = f"smtp://127.0.0.1:{free_port()}"  # nothing listens there
    broken = app_factory(SMTP_URL=closed, JOBS_RAISE=False)
    with broken.app_context():
        message_id = queue_verify_email(UserFactory())  # the failed job does not break the commit
        row = outbox(message_id)
        assert row.sent_at is None and row.attempts == 1
        assert row.last_error.startswith("ConnectionRefusedError") and row.last_attempt_at is not None

        with pytest.raises(ConnectionRefusedError):
            mail.deliver(message_id)
        row = outbox(message_id)
        assert row.sent_at is None and row.attempts == 2


def test_a_recipient_refused_for_now_is_recorded_and_a_later_attempt_delivers(app, app_factory, smtp):
    smtp.refuse = "450 4.2.1 Mailbox busy, try later"
    flaky = app_factory(SMTP_URL=smtp.url, JOBS_RAISE=False)
    with flaky.app_context():
        message_id = queue_verify_email(UserFactory())
        row = outbox(message_id)
        assert row.sent_at is None and row.attempts == 1
        assert "SMTPRecipientsRefused" in row.last_error and "Mailbox busy" in row.last_error
        assert smtp.envelopes == []

        smtp.refuse = False
        mail.deliver(message_id)
        row = outbox(message_id)
        assert row.sent_at is not None and row.attempts == 2 and row.last_error is None
        assert len(smtp.envelopes) == 1


def test_a_recipient_refused_for_good_is_marked_failed_and_never_retried(app, app_factory, smtp):
    smtp.refuse = True  # 550: permanent
    refused = app_factory(SMTP_URL=smtp.url, JOBS_RAISE=False)
    with refused.app_context():
        message_id = queue_verify_email(UserFactory())
        row = outbox(message_id)
        assert row.failed_at is not None and row.attempts == 1 and "Mailbox unavailable" in row.last_error
        smtp.refuse = False
        with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
            jobs.tick()
        assert outbox(message_id).attempts == 1 and smtp.envelopes == []


def test_a_message_that_cannot_be_built_is_marked_failed_not_retried_forever(app, app_factory, smtp):
    strict = app_factory(SMTP_URL=smtp.url)  # JOBS_RAISE: a raised error would fail this test
    with strict.app_context():
        user = UserFactory()
        message = mail.send_email(user.email, "Welcome to Evil\r\nBcc: victim@example.org", "verify_email",
                                  user=user, link="http://x/y")
        assert "\n" not in message.subject and "\r" not in message.subject  # subjects are one line
        message.to = "someone@example.org\r\nBcc: victim@example.org"  # as an older row might hold
        db.session.commit()
        row = outbox(message.id)
        assert row.failed_at is not None and "ValueError" in row.last_error and smtp.envelopes == []
        with time_machine.travel(utcnow() + timedelta(hours=2), tick=False):
            jobs.tick()
        assert outbox(message.id).attempts == 1


def test_failed_inline_delivery_raises_when_jobs_raise(app, app_factory):
    strict = app_factory(SMTP_URL=f"smtp://127.0.0.1:{free_port()}")  # the test config's JOBS_RAISE=True
    with strict.app_context():
        user = UserFactory()
        mail.send_email(user.email, "Hello", "verify_email", user=user, link="http://x/y")
        with pytest.raises(ConnectionRefusedError):
            db.session.commit()
        db.session.close()  # the exception left the session mid-commit
        # The message itself was committed before the job ran; only its delivery failed.
        [row] = mails()
        assert row.sent_at is None and row.attempts == 1 and row.last_error


def test_signup_sends_a_verification_link_that_confirms_the_address(smtp_app, smtp):
    client = smtp_app.test_client()
    response = client.submit("/signup", {
        "name": "Margaret Hamilton", "email": "Margaret@Example.org",
        "password": "quiet-river-4821", "timezone": "Europe/Berlin",
    })
    assert response.status_code == 200 and "Check your inbox" in response.get_data(as_text=True)

    assert len(smtp.envelopes) == 1
    received = smtp.messages()[0]
    assert received["To"] == "margaret@example.org"
    assert received["Subject"] == "Confirm your e-mail for MicroHub"
    link = re.search(r"https?://\S+/verify/\S+", body(received)).group(0)

    user = db.session.scalar(db.select(User).filter_by(email="margaret@example.org"))
    assert user.email_verified_at is None
    [row] = mails()
    assert row.sent_at is not None

    response = client.get(urlsplit(link).path)
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.email_verified_at is not None

    # A mangled link is refused with a message, not an error page.
    assert client.get(urlsplit(link).path[:-3] + "xyz").status_code == 400
