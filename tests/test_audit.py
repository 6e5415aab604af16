"""Every money, membership, role, cap and plan change writes an audit entry naming who made it."""
from __future__ import annotations

from datetime import timedelta

import pytest

from microhub.audit import AuditEntry
from microhub.billing.services import create_plan, update_plan
from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.ledger import budgets, expenses
from microhub.hubs.services import HubInfo, create_hub, grant_role, revoke_role, update_hub
from microhub.memberships import joining, leaving, waitlist
from microhub.memberships.lifecycle import transition
from microhub.memberships.models import Membership, MembershipStatus, WaitlistOffer
from microhub.memberships.services import admit

from .factories import UserFactory, member_of, organizer_of
from .payments.helpers import hub_with_plan


def _info(hub, **changes) -> HubInfo:
    values = dict(name=hub.name, purpose=hub.purpose, cap=hub.cap, currency=hub.currency, timezone=hub.timezone,
                  promises=hub.promises, rituals=hub.rituals, rules=hub.rules, is_public=hub.is_public)
    return HubInfo(**{**values, **changes})


def hub_created(hub, organizer):
    create_hub(organizer, "audited-hub", _info(hub, name="Audited"))
    return organizer, "hub.created"


def cap_changed(hub, organizer):
    update_hub(hub, _info(hub, cap=hub.cap + 5), actor=organizer)
    return organizer, "hub.updated"


def currency_changed(hub, organizer):
    plain, _ = organizer_of(hub=None)
    update_hub(plain, _info(plain, currency="USD"), actor=organizer)
    return organizer, "hub.updated"


def role_granted(hub, organizer):
    grant_role(hub, UserFactory().email, Role.MODERATOR, organizer)
    return organizer, "role.granted"


def role_revoked(hub, organizer):
    grant = grant_role(hub, UserFactory().email, Role.MODERATOR, organizer)
    revoke_role(hub, grant.id, actor=organizer)
    return organizer, "role.revoked"


def plan_created(hub, organizer):
    create_plan(hub, name="Patron", includes="", price="20.00", interval="month", actor=organizer)
    return organizer, "plan.created"


def plan_edited(hub, organizer):
    plan = create_plan(hub, name="Patron", includes="", price="20.00", interval="month", actor=organizer)
    update_plan(plan, name="Patron+", includes="More", active=False, actor=organizer)
    return organizer, "plan.updated"


def member_admitted(hub, organizer):
    admit(hub, UserFactory(), actor=organizer)
    return organizer, "membership.admitted"


def membership_moved(hub, organizer):
    member = member_of(hub)
    membership = db.session.scalar(db.select(Membership).filter_by(user_id=member.id))
    transition(membership, MembershipStatus.CANCELED, actor=organizer, reason="removed by staff")
    return organizer, "membership.canceled"


def member_left(hub, organizer):
    member = member_of(hub)
    membership = db.session.scalar(db.select(Membership).filter_by(user_id=member.id))
    leaving.leave(membership, member, feedback=None)
    return member, "membership.canceled"


def seat_held(hub, organizer):
    person = UserFactory()
    joining.start_join(hub, person, str(_plan(hub).id))
    return person, "hold.taken"


def hold_released(hub, organizer):
    person = UserFactory()
    hold = joining.start_join(hub, person, str(_plan(hub).id))
    joining.cancel_checkout(hold, person)
    return person, "hold.released"


def line_moved(hub, organizer):
    first, second = UserFactory(), UserFactory()
    waitlist.join(hub, first)
    entry = waitlist.join(hub, second)
    waitlist.move(hub, entry.id, 1, "came first by mail", actor=organizer)
    return organizer, "waitlist.moved"


def offer_accepted(hub, organizer):
    offer, person = _offer(hub)
    joining.accept_offer(hub, person, offer, str(_plan(hub).id))
    return person, "waitlist.accepted"


def offer_declined(hub, organizer):
    offer, person = _offer(hub)
    waitlist.decline(offer, person)
    return person, "waitlist.declined"


def _expense(hub, organizer, *moves):
    made = expenses.create_draft(hub, expenses.ExpenseInfo("12.00", hub.currency, "spending.tools",
                                                           expenses.today_in(hub), "Host", "Hosting"), actor=organizer)
    for move in moves:
        move(hub, made.id, actor=organizer)
    return made


def expense_recorded(hub, organizer):
    _expense(hub, organizer)
    return organizer, "expense.draft"


def expense_approved(hub, organizer):
    _expense(hub, organizer, expenses.submit, expenses.approve)
    return organizer, "expense.approved"


def expense_paid(hub, organizer):
    _expense(hub, organizer, expenses.submit, expenses.approve, expenses.pay)
    return organizer, "expense.paid"


def expense_rejected(hub, organizer):
    made = _expense(hub, organizer, expenses.submit)
    expenses.reject(hub, made.id, reason="Not a hub cost", actor=organizer)
    return organizer, "expense.rejected"


def budget_set(hub, organizer):
    budgets.set_budget(hub, category="spending.tools", amount="50", month="2026-03", actor=organizer)
    return organizer, "budget.set"


def money_settings(hub, organizer):
    expenses.save_settings(hub, two_approvals_above="100", actor=organizer)
    return organizer, "money.settings"
def report_published(hub, organizer):
    from datetime import date

    from microhub.transparency.publishing import publish

    from .transparency.helpers import at, pay

    when = utcnow() - timedelta(days=62)
    pay(hub, "audited-payment", at(when.year, when.month, 10))
    publish(hub, date(when.year, when.month, 1), note="", actor=organizer)
    return organizer, "report.published"


def _plan(hub):
    return create_plan(hub, name="Member", includes="", price="9.00", interval="month")


def _offer(hub):
    """A full hub, one person waiting, one seat freed: the offer that seat becomes."""
    hub.cap = hub.seats_taken + 1
    member = member_of(hub)
    person = UserFactory()
    waitlist.join(hub, person)
    membership = db.session.scalar(db.select(Membership).filter_by(user_id=member.id))
    transition(membership, MembershipStatus.CANCELED, actor=member, reason="left")
    db.session.flush()
    return db.session.scalars(db.select(WaitlistOffer).order_by(WaitlistOffer.id.desc())).first(), person


def _scholarship_programme(hub, organizer):
    from microhub.billing.models import Plan
    from microhub.scholarships.program import ProgramInfo, save_program
    from microhub.scholarships.seats import set_pool

    plan = db.session.scalar(db.select(Plan).filter_by(hub_id=hub.id))
    save_program(hub, ProgramInfo(covers="", who_for="", questions=[], deadline=None, term_months=12,
                                  plan_id=plan.id), actor=organizer)
    set_pool(hub, 2, actor=organizer)


def scholarship_pool_set(hub, organizer):
    _scholarship_programme(hub, organizer)
    return organizer, "scholarships.pool_set"


def scholarship_offered(hub, organizer):
    from microhub.scholarships import applications, offers

    _scholarship_programme(hub, organizer)
    application = applications.apply(hub, UserFactory(), need="student", answers=[])
    applications.rank(application, rank=1, kind="full", pays_minor=None, actor=organizer)
    offers.offer(application, actor=organizer, reason="The organizers fund this seat")
    return organizer, "scholarships.offered"


def scholarship_accepted(hub, organizer):
    from microhub.scholarships import awards
    from microhub.scholarships.models import ScholarshipApplication

    scholarship_offered(hub, organizer)
    application = db.session.scalar(db.select(ScholarshipApplication))
    awards.accept(application, application.user)
    return application.user, "membership.admitted"


def reviewer_assigned(hub, organizer):
    from microhub.scholarships import reviewers

    moderator = grant_role(hub, UserFactory().email, Role.MODERATOR, organizer).user
    reviewers.assign(hub, moderator.email, actor=organizer)
    return organizer, "scholarships.reviewer_assigned"


def _sponsor_ready(hub, organizer):
    from .sponsors.helpers import approved_listing, make_sponsor, spot_of

    sponsor, person = make_sponsor()
    approved_listing(sponsor, hub, organizer)
    return sponsor, person, spot_of(hub, organizer)


def sponsor_created(hub, organizer):
    from microhub.sponsors.people import create_sponsor

    create_sponsor("Audited sponsor", actor=organizer)
    return organizer, "sponsor.created"


def sponsor_person_added(hub, organizer):
    from microhub.sponsors.people import add_person

    sponsor, person, _ = _sponsor_ready(hub, organizer)
    add_person(sponsor, UserFactory().email, actor=person)
    return person, "sponsor.person_added"


def listing_approved(hub, organizer):
    _sponsor_ready(hub, organizer)
    return organizer, "listing.approved"


def spot_created(hub, organizer):
    _sponsor_ready(hub, organizer)
    return organizer, "spot.created"


def placement_approved(hub, organizer):
    from .sponsors.helpers import approved

    sponsor, person, spot = _sponsor_ready(hub, organizer)
    approved(hub, organizer, sponsor, person, spot)
    return organizer, "placement.approved"


def placement_requested(hub, organizer):
    from .sponsors.helpers import requested

    sponsor, person, spot = _sponsor_ready(hub, organizer)
    requested(hub, sponsor, person, spot)
    return person, "placement.requested"


CHANGES = [hub_created, cap_changed, currency_changed, role_granted, role_revoked, plan_created, plan_edited,
           member_admitted, membership_moved, member_left, seat_held, hold_released, line_moved, offer_accepted,
           offer_declined, expense_recorded, expense_approved, expense_paid, expense_rejected, budget_set,
           money_settings, report_published, scholarship_pool_set, scholarship_offered, scholarship_accepted,
           reviewer_assigned, sponsor_created, sponsor_person_added, listing_approved, spot_created,
           placement_requested, placement_approved]


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__ for c in CHANGES])
def test_change_writes_an_audit_entry_naming_its_actor(app, change):
    hub, _ = hub_with_plan(cap=10)
    hub, organizer = organizer_of(hub=hub)
    started = utcnow() - timedelta(seconds=1)
    actor, action = change(hub, organizer)
    db.session.commit()
    entries = db.session.scalars(db.select(AuditEntry).where(AuditEntry.action == action,
                                                             AuditEntry.created_at >= started)).all()
    assert entries, f"{change.__name__} wrote no {action} entry"
    assert any(e.actor_id == actor.id and e.actor == actor.email for e in entries), \
        [(e.actor_id, e.actor) for e in entries]
