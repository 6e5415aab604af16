"""Tiny jobs the job tests enqueue by dotted name ("tests.jobfuncs:<name>"); each leaves a row behind."""
from __future__ import annotations

from microhub.email import OutboxMessage
from microhub.extensions import db
from microhub.hubs.models import Hub

from .mail import mails

#: What each in-process run saw; a worker process leaves only its rows.
calls: list[dict] = []


def note_hub(hub_id: int) -> None:
    """Write an outbox row saying whether the hub was visible to this job's own session."""
    hub = db.session.get(Hub, hub_id)
    calls.append({"job": "note_hub", "hub_id": hub_id, "found": hub is not None, "session": db.session()})
    db.session.add(OutboxMessage(to="jobs@example.org", subject=f"saw {hub.slug if hub else 'nothing'}",
                                 body_text="written by tests.jobfuncs:note_hub"))
    db.session.commit()


def explode(message: str) -> None:
    """Write a row, then fail before committing it: a failed job must leave nothing behind."""
    calls.append({"job": "explode", "message": message})
    db.session.add(OutboxMessage(to="jobs@example.org", subject="explode was here", body_text=message))
    db.session.flush()
    raise RuntimeError(message)


def subjects() -> list[str]:
    """Subjects of the rows these jobs committed, as any fresh reader sees them."""
    db.session.expire_all()
    return [message.subject for message in mails(to="jobs@example.org")]
