"""The audit trail: every money or membership change writes an entry naming who did it."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column

from .database import UTCDateTime, utcnow
from .extensions import db


class AuditEntry(db.Model):
    __tablename__ = "audit_entries"

    id: Mapped[int] = mapped_column(primary_key=True)
    hub_id: Mapped[int | None] = mapped_column(ForeignKey("hubs.id", ondelete="CASCADE"), index=True)
    #: The person who acted; None when `actor` is a system ("stripe", "scheduler").
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    #: Who acted, in words: a user's e-mail, "stripe" or "scheduler".
    actor: Mapped[str] = mapped_column(String(254))
    #: What happened, e.g. "membership.active", "hold.released", "waitlist.moved".
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(40))
    subject_id: Mapped[int | None]
    details: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow, index=True)


def record(action: str, subject, *, actor=None, actor_label: str | None = None, hub_id: int | None = None,
           **details) -> AuditEntry:
    """Append an entry; `actor` is a User, or pass `actor_label` for a system actor."""
    entry = AuditEntry(
        hub_id=hub_id if hub_id is not None else getattr(subject, "hub_id", None),
        actor_id=getattr(actor, "id", None),
        actor=actor_label or getattr(actor, "email", None) or "system",
        action=action,
        subject_type=type(subject).__name__,
        subject_id=getattr(subject, "id", None),
        details=details,
    )
    db.session.add(entry)
    return entry
