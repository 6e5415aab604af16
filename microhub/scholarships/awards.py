"""Awards: an accepted offer becomes a membership (full: no payment; partial: the normal checkout with the
award's discount), its value is drawn from the fund, and its term runs out with a notice 14 days before.

A scholarship member is a member like any other to everyone but the organizers: the membership only carries
`scholarship=True`, which says which pool its seat goes back to.
"""
from __future__ import annotations

from dateutil.relativedelta import relativedelta

from .. import audit, jobs
from ..billing.provider import gateway
from ..database import utcnow
from ..errors import Conflict
from ..extensions import db
from ..memberships.joining import start_join
from ..memberships.lifecycle import transition
from ..memberships.models import Membership, MembershipStatus as M, SeatHold
from ..memberships.queries import live_membership
from ..memberships.services import admit
from .fund import draw, give_back
from .models import ApplicationStatus as S, AwardKind, ScholarshipApplication
from .notices import notify
from .offers import check_open
from .seats import SCHOLARSHIP_SEATS
from .states import decide


def accept(application: ScholarshipApplication, user) -> SeatHold | None:
    """The applicant takes the seat (the application is locked by the caller). A full award is a membership at
    once; a partial one returns the hold whose reduced checkout the person pays next."""
    check_open(application)
    now = utcnow()
    if application.renews_id is not None:
        return _renew(application, user)
    if live_membership(application.hub, user) is not None:
        raise Conflict("You are a member already; decline the offer so the seat goes to the next applicant.")
    decide(application, S.ACCEPTED, actor=user, step="accepted" if application.kind is AwardKind.PARTIAL else None)
    draw(application, actor=user.email, at=now)
    if application.kind is AwardKind.FULL:
        membership = admit(application.hub, user, actor=user, reason="scholarship", scholarship=True,
                           plan_id=application.plan_id)
        _start(application, membership)
        return None
    plan = application.plan
    coupon = gateway().scholarship_coupon(hub=application.hub, amount_off=plan.price_minor - application.pays_minor,
                                          currency=application.hub.currency)
    return start_join(application.hub, user, plan.id, scholarship=True, coupon_ref=coupon)


def _start(application: ScholarshipApplication, membership: Membership) -> None:
    application.status = S.ACTIVE
    application.membership_id = membership.id
    application.term_ends_at = application.term_until or utcnow() + relativedelta(months=application.term_months)
    db.session.flush()
    audit.record("scholarships.active", application, actor_label="scholarships", hub_id=application.hub_id,
                 membership_id=membership.id, term_ends_at=application.term_ends_at.isoformat())
    notify(application, "active")


def _renew(application: ScholarshipApplication, user) -> None:
    """A renewal keeps the running award's seat and membership and adds a term after it."""
    current = db.session.get(ScholarshipApplication, application.renews_id, with_for_update=True)
    if current is None or current.status is not S.ACTIVE:
        raise Conflict("The scholarship this renews has ended; apply again instead.")
    decide(application, S.ACCEPTED, actor=user, step=None)
    draw(application, actor=user.email, at=utcnow())
    current.status = S.ENDED
    application.status, application.membership_id = S.ACTIVE, current.membership_id
    if application.term_until is not None:  # a term fixed to a day (the next cohort's end)
        application.term_ends_at = max(application.term_until, current.term_ends_at)
    else:
        application.term_ends_at = current.term_ends_at + relativedelta(months=application.term_months)
    db.session.flush()
    audit.record("scholarships.renewed", application, actor=user, hub_id=application.hub_id, renews=current.id,
                 term_ends_at=application.term_ends_at.isoformat())
    notify(application, "renewed")


def _waiting_for_payment(membership: Membership) -> ScholarshipApplication | None:
    return db.session.scalar(db.select(ScholarshipApplication).filter_by(
        hub_id=membership.hub_id, user_id=membership.user_id, status=S.ACCEPTED, kind=AwardKind.PARTIAL)
        .with_for_update())


def membership_changed(membership: Membership, *, before: M, after: M) -> None:
    """A receiver of `signals.membership_changed`: a scholarship membership's news moves its award along."""
    if not membership.scholarship:
        return
    if before is M.PENDING and after is M.ACTIVE:
        application = _waiting_for_payment(membership)
        if application is not None:
            _start(application, membership)
    elif before is M.PENDING and after in (M.CANCELED, M.EXPIRED):
        application = _waiting_for_payment(membership)
        if application is not None:  # the reduced payment never came: the seat passes on, the draw goes back
            decide(application, S.EXPIRED, actor_label="scholarships", step="expired")
            give_back(application, at=utcnow())
            jobs.enqueue(offer_next, membership.hub_id)
    elif after in (M.CANCELED, M.EXPIRED):
        application = db.session.scalar(db.select(ScholarshipApplication).filter_by(
            membership_id=membership.id, status=S.ACTIVE))
        if application is not None:
            application.status = S.ENDED
            db.session.flush()
            audit.record("scholarships.ended", application, actor_label="scholarships", hub_id=application.hub_id)
            notify(application, "ended")


def offer_next(hub_id: int) -> None:
    """Offer free scholarship seats to the ranked applicants the fund covers (after an award fell through)."""
    SCHOLARSHIP_SEATS.offer_free(hub_id)
    db.session.commit()


def end_term(application_id: int) -> None:
    """A term that ran out ends its membership (and stops a partial award's subscription), once."""
    application = db.session.get(ScholarshipApplication, application_id, with_for_update=True,
                                 populate_existing=True)
    if application is None or application.status is not S.ACTIVE or application.term_ends_at > utcnow():
        return
    membership = db.session.get(Membership, application.membership_id, with_for_update=True)
    if membership is None or membership.status in (M.CANCELED, M.EXPIRED):
        application.status = S.ENDED
        return
    if membership.subscription_ref:
        gateway().cancel_subscription(membership.subscription_ref, at_period_end=False)
    transition(membership, M.EXPIRED, actor_label="scheduler", reason="scholarship term ended")


def move_to_paid(application: ScholarshipApplication, user, plan_id) -> SeatHold:
    """End the scholarship now and hold a regular seat on `plan_id` for the normal checkout; refused (nothing
    changed, the caller rolls back) when no regular seat is free."""
    if application.status is not S.ACTIVE:
        raise Conflict("Only a running scholarship can move to a paid plan.")
    membership = db.session.get(Membership, application.membership_id, with_for_update=True)
    transition(membership, M.CANCELED, actor=user, reason="moved to a paid plan")
    hold = start_join(application.hub, user, plan_id)  # raises when no regular seat is free: nothing was changed
    if membership.subscription_ref:
        gateway().cancel_subscription(membership.subscription_ref, at_period_end=False)
    return hold
