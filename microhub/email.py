"""Outgoing e-mail: every message is an outbox row first, then a delivery job sends it over SMTP."""
from __future__ import annotations

import smtplib
import ssl
from datetime import datetime, timedelta
from email.message import EmailMessage
from email.utils import make_msgid
from urllib.parse import parse_qs, unquote, urlsplit

from flask import current_app, render_template
from jinja2 import TemplateNotFound
from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from . import jobs
from .database import UTCDateTime, utcnow
from .extensions import db
from .forms import flattened

#: A message whose delivery has not finished this long after it was queued is enqueued again.
RETRY_AFTER = timedelta(minutes=5)
MAX_ATTEMPTS = 5


class OutboxMessage(db.Model):
    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    to: Mapped[str] = mapped_column(String(254), index=True)
    subject: Mapped[str] = mapped_column(String(200))
    body_text: Mapped[str] = mapped_column(Text)
    body_html: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    #: Set once the SMTP server accepted the message; None while it waits in the outbox.
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime(), index=True)
    #: Delivery attempts so far, and the last one's error, for operators.
    attempts: Mapped[int] = mapped_column(default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    last_attempt_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    #: Set when the message can never be sent (it cannot be built, or the server refused it for good).
    failed_at: Mapped[datetime | None] = mapped_column(UTCDateTime())


def send_email(to: str, subject: str, template: str, **context) -> OutboxMessage:
    """Queue a message rendered from templates/email/<template>.txt (and .html if present)."""
    text = render_template(f"email/{template}.txt", **context)
    try:
        html = render_template(f"email/{template}.html", **context)
    except TemplateNotFound:  # a plain-text message is complete on its own
        html = None
    # A header is one line: whatever a name carried in, CR/LF never reaches the Subject.
    message = OutboxMessage(to=to, subject=flattened(subject)[:200], body_text=text, body_html=html)
    db.session.add(message)
    db.session.flush()
    if current_app.config["SMTP_URL"]:
        jobs.enqueue(deliver, message.id)
    return message


def deliver(message_id: int) -> None:
    """Send one outbox message through SMTP_URL; safe to run twice (a sent message is skipped)."""
    url = current_app.config["SMTP_URL"]
    message = db.session.get(OutboxMessage, message_id, with_for_update=True)
    if message is None or message.sent_at is not None or message.failed_at is not None or not url:
        return
    message.attempts += 1
    message.last_attempt_at = utcnow()
    try:
        _smtp_send(url, _build(message))
    except (OSError, smtplib.SMTPException, ValueError) as exc:
        if _permanent(exc):
            _give_up(message, exc)
            return
        message.last_error = f"{type(exc).__name__}: {exc}"
        db.session.commit()
        raise
    message.sent_at = utcnow()
    message.last_error = None
    db.session.commit()


def _permanent(exc: Exception) -> bool:
    """A message that cannot be built, or a 5xx refusal of it: trying again would get the same answer."""
    if isinstance(exc, ValueError):  # e.g. a header that would not fold into one line
        return True
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return all(code >= 500 for code, _ in exc.recipients.values())
    return isinstance(exc, smtplib.SMTPResponseException) and exc.smtp_code >= 500 \
        and not isinstance(exc, smtplib.SMTPServerDisconnected)


def _give_up(message: OutboxMessage, exc: Exception) -> None:
    """The message can never be sent as it is: keep it, with the reason, and never retry it."""
    message.failed_at = utcnow()
    message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    db.session.commit()
    current_app.logger.error("e-mail %s to %s failed for good: %s", message.id, message.to, message.last_error)


def sweep_outbox() -> None:
    """Enqueue deliveries that were lost (queue down) or failed, with a pause between attempts."""
    if not current_app.config["SMTP_URL"]:
        return
    due = utcnow() - RETRY_AFTER
    stuck = db.session.scalars(
        db.select(OutboxMessage.id)
        .where(OutboxMessage.sent_at.is_(None), OutboxMessage.failed_at.is_(None),
               OutboxMessage.attempts < MAX_ATTEMPTS)
        .where(db.or_(OutboxMessage.last_attempt_at.is_(None), OutboxMessage.last_attempt_at < due))
        .where(OutboxMessage.created_at < due)
        .limit(500)
    ).all()
    for message_id in stuck:
        jobs.enqueue(deliver, message_id)


def _build(message: OutboxMessage) -> EmailMessage:
    email = EmailMessage()
    email["From"] = current_app.config["MAIL_FROM"]
    email["To"] = message.to
    email["Subject"] = message.subject
    email["Message-ID"] = make_msgid(idstring=f"outbox-{message.id}", domain="microhub.local")
    email.set_content(message.body_text)
    if message.body_html:
        email.add_alternative(message.body_html, subtype="html")
    return email


def _smtp_send(url: str, email: EmailMessage) -> None:
    """Send through smtp://[user:pass@]host[:port][?starttls=1] or smtps://…"""
    parts = urlsplit(url)
    if parts.scheme not in ("smtp", "smtps"):
        raise smtplib.SMTPException(f"SMTP_URL must start with smtp:// or smtps://, not {parts.scheme}://")
    options = parse_qs(parts.query)
    host = parts.hostname or "localhost"
    if parts.scheme == "smtps":
        client = smtplib.SMTP_SSL(host, parts.port or 465, timeout=20, context=ssl.create_default_context())
    else:
        client = smtplib.SMTP(host, parts.port or 25, timeout=20)
    with client:
        if parts.scheme == "smtp" and options.get("starttls", ["0"])[0] in ("1", "true", "yes"):
            client.starttls(context=ssl.create_default_context())
        if parts.username:
            client.login(unquote(parts.username), unquote(parts.password or ""))
        client.send_message(email)
