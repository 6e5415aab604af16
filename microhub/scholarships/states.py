"""Deciding an application: the one place a decided state is set, dated, audited and told to the applicant."""
from __future__ import annotations

from .. import audit
from ..database import utcnow
from ..extensions import db
from .models import ApplicationStatus as S, ScholarshipApplication
from .notices import notify


def decide(application: ScholarshipApplication, status: S, *, actor=None, actor_label: str | None = None,
           step: str | None, **facts) -> None:
    """Move to a decided state, dated (answers go 90 days later), audited, and tell the applicant."""
    before = application.status
    application.status = status
    application.decided_at = utcnow()
    db.session.flush()
    audit.record(f"scholarships.{status.value}", application, actor=actor, actor_label=actor_label,
                 hub_id=application.hub_id, previous=before.value, **facts)
    if step is not None:
        notify(application, step)
