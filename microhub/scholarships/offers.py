"""Offers: a scholarship seat kept for one applicant for 72 hours; accepted, declined, or run out and passed on.

An offer takes its seat from the scholarship pool when it is made (so the applicant is sure of it), and the
fund must cover the award unless an organizer records why the organizers fund it themselves.
"""
from __future__ import annotations

from datetime import timedelta

from .. import audit
from ..database import utcnow
from ..errors import Conflict, ValidationFailed
from ..extensions import db
from ..hubs.access import Permission, can
from .fund import FUND, ORGANIZERS, covers
from .models import ApplicationStatus as S, ScholarshipApplication
from .notices import notify
from .seats import give_back_and_pass_on, take_seat
from .states import decide

OFFER_HOURS = 72


def make_offer(application: ScholarshipApplication, *, actor=None, actor_label: str | None = None,
               reason: str | None) -> None:
    """Turn a ranked application into an offer whose seat is already taken (or, for a renewal, kept)."""
    application.status = S.OFFERED
    application.funded_by = ORGANIZERS if reason else FUND
    application.organizer_reason = reason
    application.offered_at = utcnow()
    application.offer_expires_at = application.offered_at + timedelta(hours=OFFER_HOURS)
    db.session.flush()
    audit.record("scholarships.offered", application, actor=actor, actor_label=actor_label,
                 hub_id=application.hub_id, funded_by=application.funded_by, value_minor=application.value_minor,
                 expires_at=application.offer_expires_at.isoformat())
    notify(application, "offered")


def offer(application: ScholarshipApplication, *, actor, reason: str | None = None) -> None:
    """A reviewer offers a seat to a ranked application (locked by the caller). Refused when no seat is open, or
    when the fund cannot cover the award and no organizer's reason was given."""
    if application.status is not S.IN_REVIEW or application.kind is None:
        raise Conflict("Rank the application with its award first; only ranked applications are offered a seat.")
    reason = (reason or "").strip() or None
    if reason and not can(application.hub, Permission.MANAGE, actor):
        raise ValidationFailed("Only an organizer can fund a seat beyond the fund.", field="reason")
    if reason is None and not covers(application):
        raise ValidationFailed("The scholarship fund cannot cover this award right now. An organizer can still "
                               "offer it by saying why the organizers fund it (shown in the public report).",
                               field="reason")
    if application.renews_id is None:
        take_seat(application.hub)
    make_offer(application, actor=actor, reason=reason)


def pass_on(application: ScholarshipApplication) -> None:
    """The seat of an offer that was declined, withdrawn or ran out goes to the next ranked applicant."""
    if application.renews_id is None:
        give_back_and_pass_on(application.hub_id)


def decline_offer(application: ScholarshipApplication, *, actor) -> None:
    if application.status is not S.OFFERED:
        raise Conflict("There is no open offer to decline.")
    decide(application, S.DECLINED, actor=actor, step="offer_declined", by="applicant")
    pass_on(application)


def expire_offer(application_id: int) -> None:
    """An offer whose 72 hours ran out passes on, once however many ticks see it (the row is locked)."""
    application = db.session.get(ScholarshipApplication, application_id, with_for_update=True,
                                 populate_existing=True)
    if application is None or application.status is not S.OFFERED or application.offer_expires_at > utcnow():
        return
    decide(application, S.EXPIRED, actor_label="scheduler", step="expired")
    pass_on(application)


def check_open(application: ScholarshipApplication) -> None:
    if application.status is not S.OFFERED:
        raise Conflict("This offer is not open any more.")
    if application.offer_expires_at <= utcnow():
        raise Conflict("This offer ran out; the seat has gone to the next applicant.")
