"""Scholarships' periodic work (listed in `microhub.wiring.PERIODIC_TASKS`): offers that ran out, answers past
their 90 days, the 14-day notice before a term ends, and terms that ended. Each row is locked or claimed, so
two ticks at once do each thing once."""
from __future__ import annotations

from datetime import timedelta

from .. import audit
from ..database import update_where, utcnow
from ..extensions import db
from .awards import end_term
from .models import ApplicationStatus as S, ScholarshipApplication as A
from .notices import notify
from .offers import expire_offer

#: Answers and need statements are deleted this long after the decision; the decision stays.
KEEP_ANSWERS = timedelta(days=90)
#: How long before a term ends the member hears what comes next.
NOTICE_BEFORE_END = timedelta(days=14)


def _each(query, act, limit: int = 200) -> None:
    for row_id in db.session.scalars(query.limit(limit)).all():
        act(row_id)
        db.session.commit()


def expire_offers() -> None:
    """Offers whose 72 hours ran out pass on to the next ranked applicant."""
    _each(db.select(A.id).where(A.status == S.OFFERED, A.offer_expires_at < utcnow()), expire_offer)


def delete_old_answers() -> None:
    """Forget the answers (and the need statement's words) of applications decided 90 days ago."""
    due = db.session.scalars(db.select(A.id).where(A.decided_at < utcnow() - KEEP_ANSWERS,
                                                   A.answers_deleted_at.is_(None)).limit(500)).all()
    for application_id in due:
        if update_where(A, application_id, A.answers_deleted_at.is_(None), answers=None, answers_deleted_at=utcnow()):
            audit.record("scholarships.answers_deleted", db.session.get(A, application_id), actor_label="scheduler")
        db.session.commit()


def send_term_notices() -> None:
    """Fourteen days before a term ends: renew, move to a paid plan, or leave gracefully; sent once."""
    due = db.session.scalars(db.select(A.id).where(A.status == S.ACTIVE, A.term_notice_sent_at.is_(None),
                                                   A.term_ends_at <= utcnow() + NOTICE_BEFORE_END).limit(500)).all()
    for application_id in due:
        if update_where(A, application_id, A.term_notice_sent_at.is_(None), term_notice_sent_at=utcnow()):
            notify(db.session.get(A, application_id), "ending")
        db.session.commit()


def end_terms() -> None:
    """Terms that ran out end their memberships."""
    _each(db.select(A.id).where(A.status == S.ACTIVE, A.term_ends_at < utcnow()), end_term)
