"""Membership lifecycle through the local gateway's test clock: renewals, dunning, leaving, late payments."""
from datetime import timedelta

import time_machine

from microhub.memberships import joining
from microhub import jobs
from microhub.audit import AuditEntry
from microhub.billing.local import LocalObject
from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.memberships.models import HoldStatus, MembershipStatus

from ..factories import RoleFactory, UserFactory, member_of
from ..mail import mails, subjects
from .helpers import hold_of, hub_with_plan, join_and_pay, membership_of, pay, start_join


def paid_member(client, hub, plan, card="4242 4242 4242 4242"):
    user = UserFactory()
    client.login(user.email)
    join_and_pay(client, hub, plan, card)
    client.submit("/logout", {})
    return user


def advance(client, organizer, hub, membership):
    client.login(organizer.email)
    response = client.submit(f"/h/{hub.slug}/manage/members/{membership.id}/advance", {},
                             form_url=f"/h/{hub.slug}/manage")
    client.submit("/logout", {})
    assert response.status_code == 302
    db.session.refresh(membership)
    return membership


def reopen(checkout: str) -> None:
    """The person kept the checkout open in a tab: the (test) provider still takes the payment."""
    obj = db.session.get(LocalObject, checkout.rsplit("/", 1)[1])
    obj.data = {**obj.data, "status": "open", "expires_at": int((utcnow() + timedelta(hours=1)).timestamp())}
    db.session.commit()


def organizer_for(hub):
    organizer = UserFactory()
    RoleFactory(hub=hub, user=organizer, role=Role.ORGANIZER)
    return organizer


def test_renewal_extends_the_paid_period(client):
    hub, plan = hub_with_plan()
    organizer = organizer_for(hub)
    user = paid_member(client, hub, plan)
    membership = membership_of(user, hub)
    first_end = membership.current_period_end
    advance(client, organizer, hub, membership)
    assert membership.status is MembershipStatus.ACTIVE and membership.current_period_end > first_end + timedelta(days=27)


def test_failed_renewal_goes_past_due_with_a_dunning_email_then_expires_and_frees_the_seat(client):
    hub, plan = hub_with_plan(cap=2)
    organizer = organizer_for(hub)
    user = paid_member(client, hub, plan, card="4000 0000 0000 0341")
    membership = advance(client, organizer, hub, membership_of(user, hub))
    assert membership.status is MembershipStatus.PAST_DUE and membership.grace_until > utcnow()
    assert any("payment for" in subject and "failed" in subject for subject in subjects(user.email))
    assert hub.seats_taken == 1  # the seat is kept through the grace period
    membership = advance(client, organizer, hub, membership)
    assert membership.status is MembershipStatus.EXPIRED
    db.session.refresh(hub)
    assert hub.seats_taken == 0


def test_updating_the_card_settles_a_past_due_membership(client):
    hub, plan = hub_with_plan()
    organizer = organizer_for(hub)
    user = paid_member(client, hub, plan, card="4000 0000 0000 0341")
    membership = advance(client, organizer, hub, membership_of(user, hub))
    client.login(user.email)
    response = client.submit(f"/account/billing/{membership.id}/card", {"card_number": "4242424242424242"},
                             form_url="/account/billing")
    assert response.status_code == 302
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.ACTIVE and membership.grace_until is None


def test_leaving_keeps_the_seat_to_the_period_end_then_cancels_and_keeps_feedback(client):
    hub, plan = hub_with_plan()
    organizer = organizer_for(hub)
    user = paid_member(client, hub, plan)
    client.login(user.email)
    response = client.submit(f"/h/{hub.slug}/leave", {"feedback": "Moving abroad, thank you!"})
    assert response.status_code == 302
    client.submit("/logout", {})
    membership = membership_of(user, hub)
    assert membership.status is MembershipStatus.ACTIVE and membership.cancel_at_period_end
    assert membership.leaving_feedback == "Moving abroad, thank you!"
    membership = advance(client, organizer, hub, membership)
    assert membership.status is MembershipStatus.CANCELED
    actions = db.session.scalars(db.select(AuditEntry.action).filter_by(subject_id=membership.id,
                                                                        subject_type="Membership")).all()
    assert "membership.cancel_at_period_end" in actions and "membership.canceled" in actions


def test_every_transition_writes_an_audit_entry_naming_the_actor(client):
    hub, plan = hub_with_plan()
    user = paid_member(client, hub, plan)
    membership = membership_of(user, hub)
    entries = db.session.scalars(db.select(AuditEntry).filter_by(subject_type="Membership",
                                                                 subject_id=membership.id)).all()
    assert [(e.action, e.actor) for e in entries] == [("membership.active", "stripe")]
    hold_entries = db.session.scalars(db.select(AuditEntry).filter_by(subject_type="SeatHold")).all()
    assert [(e.action, e.actor) for e in hold_entries] == [("hold.taken", user.email), ("hold.converted", "stripe")]


def test_late_payment_after_the_hold_expired_and_the_hub_filled_is_refunded_never_admitted(client):
    hub, plan = hub_with_plan(cap=1)
    late = UserFactory()
    client.login(late.email)
    checkout = start_join(client, hub, plan).headers["Location"]
    with time_machine.travel(utcnow() + timedelta(minutes=joining.HOLD_MINUTES + 1), tick=False):
        jobs.tick()
    assert hold_of(late, hub).status is HoldStatus.RELEASED
    member_of(hub)  # someone else takes the freed seat
    reopen(checkout)
    pay(client, checkout)
    db.session.refresh(hub)
    assert hub.seats_taken == 1 == hub.cap
    assert membership_of(late, hub).status is MembershipStatus.EXPIRED
    refunds = db.session.scalars(db.select(LocalObject).filter_by(kind="charge")).all()
    assert [c.data["refunded"] for c in refunds] == [True]
    assert any("refunded" in subject for subject in subjects(late.email))
    assert db.session.scalar(db.select(AuditEntry.id).filter_by(action="payment.refunded_late")) is not None


def test_late_payment_is_admitted_when_a_seat_is_still_free(client):
    hub, plan = hub_with_plan(cap=2)
    user = UserFactory()
    client.login(user.email)
    checkout = start_join(client, hub, plan).headers["Location"]
    with time_machine.travel(utcnow() + timedelta(minutes=joining.HOLD_MINUTES + 1), tick=False):
        jobs.tick()
    reopen(checkout)
    pay(client, checkout)
    assert membership_of(user, hub).status is MembershipStatus.ACTIVE
    db.session.refresh(hub)
    assert hub.seats_taken == 1


def test_only_organizers_use_the_test_clock(client):
    hub, plan = hub_with_plan()
    user = paid_member(client, hub, plan)
    membership = membership_of(user, hub)
    client.login(user.email)
    response = client.submit(f"/h/{hub.slug}/manage/members/{membership.id}/advance", {}, form_url="/account/billing")
    assert response.status_code == 403


def test_a_lapsed_grace_period_expires_the_membership_once_and_stops_the_subscription(client):
    hub, plan = hub_with_plan(cap=2)
    organizer = organizer_for(hub)
    user = paid_member(client, hub, plan, card="4000 0000 0000 0341")
    membership = advance(client, organizer, hub, membership_of(user, hub))
    assert membership.status is MembershipStatus.PAST_DUE
    with time_machine.travel(membership.grace_until + timedelta(minutes=1), tick=False):
        jobs.tick()
        jobs.tick()
    db.session.refresh(membership)
    db.session.refresh(hub)
    assert membership.status is MembershipStatus.EXPIRED and hub.seats_taken == 0
    sub = db.session.get(LocalObject, membership.subscription_ref)
    assert sub.data["status"] == "canceled"
    expired = db.session.scalars(db.select(AuditEntry).filter_by(subject_id=membership.id,
                                                                 action="membership.expired")).all()
    assert [e.actor for e in expired] == ["scheduler"]


def test_operators_list_unprocessed_events_with_their_error(app_factory):
    app = app_factory(JOBS_RAISE=False)
    from .helpers import post_event

    with app.app_context():
        body = {"id": "evt_broken", "object": "event", "type": "customer.subscription.deleted", "created": 1,
                "data": {"object": {"object": "subscription"}}}
        assert post_event(app.test_client(), body).status_code == 200
    output = app.test_cli_runner().invoke(args=["events"]).output
    assert "evt_broken customer.subscription.deleted [waiting, 1 attempt(s), next try" in output
    assert "KeyError" in output


def test_a_past_due_member_is_reminded_once_two_days_before_the_grace_period_ends(client):
    hub, plan = hub_with_plan(cap=2)
    organizer = organizer_for(hub)
    user = paid_member(client, hub, plan, card="4000 0000 0000 0341")
    membership = advance(client, organizer, hub, membership_of(user, hub))
    reminder = f"Your seat in {hub.name} ends soon"
    with time_machine.travel(membership.grace_until - timedelta(days=3), tick=False):
        jobs.tick()
    assert reminder not in subjects(user.email)
    with time_machine.travel(membership.grace_until - timedelta(days=2) + timedelta(minutes=1), tick=False):
        jobs.tick()
        jobs.tick()
    with time_machine.travel(membership.grace_until - timedelta(hours=1), tick=False):
        jobs.tick()
    assert subjects(user.email).count(reminder) == 1
    body = mails(to=user.email, subject=reminder)[0].body_text
    assert "/account/billing" in body
    with time_machine.travel(membership.grace_until + timedelta(minutes=1), tick=False):
        jobs.tick()
    db.session.refresh(membership)
    assert membership.status is MembershipStatus.EXPIRED and subjects(user.email).count(reminder) == 1


def test_no_grace_reminder_when_the_scheduler_only_wakes_after_the_seat_is_gone(client):
    hub, plan = hub_with_plan(cap=2)
    organizer = organizer_for(hub)
    user = paid_member(client, hub, plan, card="4000 0000 0000 0341")
    membership = advance(client, organizer, hub, membership_of(user, hub))
    with time_machine.travel(membership.grace_until + timedelta(hours=3), tick=False):
        jobs.tick()
    assert f"Your seat in {hub.name} ends soon" not in subjects(user.email)
