"""Enrollment: members only, capacity taken atomically, a waitlist promoted in order, closed at the start."""
from __future__ import annotations

import threading
from datetime import timedelta

import pytest
import time_machine

from microhub.accounts.models import User
from microhub.cohorts import enrollment, services
from microhub.cohorts.models import Cohort, Enrollment, EnrollmentStatus
from microhub.errors import Conflict, NotAllowed
from microhub.extensions import db
from microhub.memberships.models import Membership, MembershipStatus

from ..factories import HubFactory, UserFactory, member_of
from ..helpers import signed_in
from ..mail import mails
from .helpers import enrolled_members, make_cohort


def statuses(cohort) -> dict[str, str]:
    rows = db.session.execute(db.select(User.email, Enrollment.status).join(Enrollment.user)
                              .where(Enrollment.cohort_id == cohort.id)).all()
    return {email: status.value for email, status in rows}


def page(client, cohort) -> str:
    return client.get(f"/h/{cohort.hub.slug}/cohorts/{cohort.id}").get_data(as_text=True)


def test_members_fill_the_places_then_line_up_and_a_leaver_is_replaced_by_the_first_in_line(app):
    cohort = make_cohort(capacity=2)
    a, b, c, d = (member_of(cohort.hub) for _ in range(4))
    for person in (a, b, c, d):
        enrollment.enroll(cohort, person)
        db.session.commit()
    db.session.refresh(cohort)
    assert cohort.seats_taken == 2
    assert statuses(cohort) == {a.email: "enrolled", b.email: "enrolled", c.email: "waiting", d.email: "waiting"}

    enrollment.leave(cohort, a)
    db.session.commit()
    db.session.refresh(cohort)
    assert cohort.seats_taken == 2
    assert statuses(cohort) == {a.email: "left", b.email: "enrolled", c.email: "enrolled", d.email: "waiting"}
    promoted = mails(to=c.email)
    assert [m.subject for m in promoted] == [f"A place opened up: you are in {cohort.title}"]
    welcome = mails(to=a.email)[0]
    assert welcome.subject == f"You are in: {cohort.title}" and "Week 6:" in welcome.body_text
    assert "/account/calendar" in welcome.body_text

    enrollment.leave(cohort, d)  # leaving the waitlist frees no place
    db.session.commit()
    assert statuses(cohort)[d.email] == "left" and db.session.get(Cohort, cohort.id).seats_taken == 2


def test_promotion_skips_people_whose_membership_ended_while_they_waited(app):
    cohort = make_cohort(capacity=2)
    a, _, gone, next_ = enrolled_members(cohort, 4)
    membership = db.session.scalar(db.select(Membership).filter_by(user_id=gone.id))
    membership.status = MembershipStatus.CANCELED
    db.session.commit()
    enrollment.leave(cohort, a)
    db.session.commit()
    assert statuses(cohort)[gone.email] == "left"
    assert statuses(cohort)[next_.email] == "enrolled"


def test_a_larger_capacity_lets_the_waitlist_in_and_a_smaller_one_removes_nobody(app):
    cohort = make_cohort(capacity=2)
    people = enrolled_members(cohort, 4)
    services.update_cohort(cohort, title=cohort.title, goal=cohort.goal, meeting_link="", capacity=3, actor=None)
    db.session.commit()
    assert [statuses(cohort)[p.email] for p in people] == ["enrolled", "enrolled", "enrolled", "waiting"]
    services.update_cohort(cohort, title=cohort.title, goal=cohort.goal, meeting_link="", capacity=2, actor=None)
    db.session.commit()
    assert [statuses(cohort)[p.email] for p in people] == ["enrolled", "enrolled", "enrolled", "waiting"]


def test_enrolling_needs_a_live_membership_of_that_hub(app):
    cohort = make_cohort()
    other_cohort = make_cohort()
    stranger = UserFactory()
    member_elsewhere = member_of(other_cohort.hub)
    for person in (stranger, member_elsewhere):
        with pytest.raises(NotAllowed, match="Join the hub first"):
            enrollment.enroll(cohort, person)
        db.session.rollback()
    assert statuses(cohort) == {}


def test_enrollment_and_leaving_close_when_the_cohort_starts(app):
    cohort = make_cohort()
    (inside,) = enrolled_members(cohort, 1)
    late = member_of(cohort.hub)
    with time_machine.travel(cohort.starts_at + timedelta(seconds=1), tick=False):
        with pytest.raises(Conflict, match="Enrollment closed"):
            enrollment.enroll(cohort, late)
        db.session.rollback()
        with pytest.raises(Conflict, match="has started"):
            enrollment.leave(cohort, inside)
        db.session.rollback()
    assert statuses(cohort) == {inside.email: "enrolled"}


def test_enrolling_twice_is_refused(app):
    cohort = make_cohort()
    (person,) = enrolled_members(cohort, 1)
    with pytest.raises(Conflict, match="enrolled already"):
        enrollment.enroll(cohort, person)


def test_the_enroll_button_works_and_a_non_member_gets_a_clear_message_and_nothing_changes(app, client):
    cohort = make_cohort(capacity=2)
    url = f"/h/{cohort.hub.slug}/cohorts/{cohort.id}"
    stranger = UserFactory()
    client.login(stranger.email)
    assert "Join the hub" in page(client, cohort)
    response = client.submit(f"{url}/enroll", {}, form_url="/account/profile", follow_redirects=True)
    assert "Cohorts are for members of" in response.get_data(as_text=True)
    assert statuses(cohort) == {}

    member = member_of(cohort.hub)
    client = signed_in(app, member)
    response = client.submit(f"{url}/enroll", {}, form_url=url, follow_redirects=True)
    assert "You are in." in response.get_data(as_text=True)
    assert statuses(cohort) == {member.email: "enrolled"}
    assert client.post(f"{url}/leave").status_code == 400  # no CSRF token
    response = client.submit(f"{url}/leave", {}, form_url=url, follow_redirects=True)
    assert "You left the cohort" in response.get_data(as_text=True)


def test_a_cohort_id_under_another_hubs_address_is_not_found(client):
    cohort = make_cohort()
    other = make_cohort()
    member = member_of(other.hub)
    client.login(member.email)
    assert client.get(f"/h/{other.hub.slug}/cohorts/{cohort.id}").status_code == 404
    assert client.submit(f"/h/{other.hub.slug}/cohorts/{cohort.id}/enroll", {},
                         form_url=f"/h/{other.hub.slug}/cohorts/{other.id}").status_code == 404
    assert statuses(cohort) == {}


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
@pytest.mark.parametrize("round_", range(2))
def test_twenty_members_racing_for_the_last_place_leave_exactly_one_enrolled(app_factory, round_):
    racers = 20
    app = app_factory(SQLALCHEMY_ENGINE_OPTIONS={"pool_size": racers + 5, "max_overflow": 0})
    with app.app_context():
        cohort = make_cohort(HubFactory(cap=racers + 5), capacity=3)
        enrolled_members(cohort, 2)
        user_ids = [member_of(cohort.hub).id for _ in range(racers)]
        cohort_id = cohort.id
    barrier = threading.Barrier(racers)
    errors = []

    def race(user_id: int):
        with app.app_context():
            cohort = db.session.get(Cohort, cohort_id)
            user = db.session.get(User, user_id)
            _ = cohort.hub
            db.session.connection()
            barrier.wait()
            try:
                enrollment.enroll(cohort, user)
                db.session.commit()
            except Exception as exc:  # noqa: BLE001  reported below
                db.session.rollback()
                errors.append(exc)

    threads = [threading.Thread(target=race, args=(uid,)) for uid in user_ids]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        counts = dict(db.session.execute(
            db.select(Enrollment.status, db.func.count()).where(Enrollment.cohort_id == cohort_id)
            .group_by(Enrollment.status)).all())
        assert counts == {EnrollmentStatus.ENROLLED: 3, EnrollmentStatus.WAITING: racers - 1}
        assert db.session.get(Cohort, cohort_id).seats_taken == 3


def test_leaving_the_hub_gives_up_cohort_places_to_those_waiting_and_stops_their_reminders(app):
    from collections import Counter

    import time_machine as tm

    from microhub import jobs
    from microhub.memberships.lifecycle import transition

    open_cohort = make_cohort(capacity=2)
    leaver, stayer, waiting = enrolled_members(open_cohort, 3)
    running = make_cohort(open_cohort.hub, capacity=5)
    for person in (leaver, stayer):
        enrollment.enroll(running, person)
    db.session.commit()

    membership = db.session.scalar(db.select(Membership).filter_by(user_id=leaver.id, hub_id=open_cohort.hub_id))
    transition(membership, MembershipStatus.CANCELED, actor_label="test")
    db.session.commit()

    assert statuses(open_cohort) == {leaver.email: "left", stayer.email: "enrolled", waiting.email: "enrolled"}
    assert statuses(running)[leaver.email] == "left" and db.session.get(Cohort, running.id).seats_taken == 1
    with tm.travel(running.sessions[0].starts_at - timedelta(hours=20), tick=False):
        jobs.tick()
    reminded = Counter(m.to for m in mails(subject_contains="meets tomorrow"))
    assert leaver.email not in reminded and reminded[stayer.email] == 2


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_a_double_click_on_enroll_takes_one_place_and_tells_the_second_request_so(app_factory):
    app = app_factory()
    with app.app_context():
        cohort = make_cohort(capacity=3)
        person = member_of(cohort.hub)
        cohort_id, user_id = cohort.id, person.id
    barrier = threading.Barrier(2)
    outcomes = []

    def click():
        with app.app_context():
            cohort, user = db.session.get(Cohort, cohort_id), db.session.get(User, user_id)
            _ = cohort.hub
            db.session.connection()
            barrier.wait()
            try:
                enrollment.enroll(cohort, user)
                db.session.commit()
                outcomes.append("enrolled")
            except Conflict as error:
                db.session.rollback()
                outcomes.append(error.message)

    threads = [threading.Thread(target=click) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)
    assert sorted(outcomes) == ["You are enrolled already.", "enrolled"]
    with app.app_context():
        assert db.session.get(Cohort, cohort_id).seats_taken == 1
