"""Read the outbox the way tests need it: messages by recipient and subject, oldest first."""
from __future__ import annotations

from microhub.email import OutboxMessage
from microhub.extensions import db


def mails(to: str | None = None, *, subject: str | None = None,
          subject_contains: str | None = None) -> list[OutboxMessage]:
    """Outbox rows in the order they were written, optionally only those to `to`, with exactly `subject`,
    or whose subject contains `subject_contains` (matched in Python: case-sensitive on every backend)."""
    query = db.select(OutboxMessage).order_by(OutboxMessage.id)
    if to is not None:
        query = query.filter_by(to=to)
    if subject is not None:
        query = query.filter_by(subject=subject)
    found = list(db.session.scalars(query))
    if subject_contains is not None:
        found = [message for message in found if subject_contains in message.subject]
    return found


def subjects(to: str | None = None) -> list[str]:
    """The subjects of `mails(to)`, oldest first."""
    return [message.subject for message in mails(to)]
