"""Check-ins: members post weekly and reply to each other, organizers read along, outsiders see nothing."""
from __future__ import annotations

import re
from contextlib import contextmanager
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event

from microhub import jobs
from microhub.audit import AuditEntry
from microhub.cohorts import checkins, services
from microhub.cohorts.models import CheckIn, CheckInReply, Cohort, CohortStatus, Retro
from microhub.database import utcnow
from microhub.errors import Conflict, NotAllowed, ValidationFailed
from microhub.extensions import db

from ..factories import UserFactory, member_of, organizer_of
from ..helpers import signed_in
from ..mail import mails
from .helpers import NEXT_STEP, PROGRESS, at_week, enrolled_members, make_cohort, stored, week_url


@pytest.fixture
def circle(app, time_machine):
    """A running six-week cohort just after week 1's session: its organizer and three members, Alice first."""
    hub, organizer = organizer_of()
    cohort = make_cohort(hub)
    members = enrolled_members(cohort, 3)
    for person, name in zip(members, ("Alice Archer", "Bob Baker", "Carol Chen")):
        person.name = name  # plain names, so pages can be searched for them as typed
    db.session.commit()
    at_week(time_machine, cohort, 1)
    assert cohort.status is CohortStatus.RUNNING
    return SimpleNamespace(hub=hub, cohort=cohort, organizer=organizer, members=members, alice=members[0],
                           bob=members[1], clock=time_machine)


def reply_url(cohort: Cohort, checkin_id: int) -> str:
    return f"/h/{cohort.hub.slug}/cohorts/{cohort.id}/checkins/{checkin_id}/replies"


def retro_url(cohort: Cohort) -> str:
    return f"/h/{cohort.hub.slug}/cohorts/{cohort.id}/retro"


def check_in(client, cohort: Cohort, week: int = 1, form_url: str | None = None, **fields):
    data = {"progress": PROGRESS, "blocker": "", "next_step": NEXT_STEP, **fields}
    return client.submit(week_url(cohort, week), data, form_url=form_url)


@contextmanager
def statements():
    """The SQL statements the test's own session runs inside the block."""
    seen = []

    def count(*args):
        seen.append(args[2])

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


def test_members_read_and_reply_to_each_others_checkins(app, circle):
    alice, bob = signed_in(app, circle.alice), signed_in(app, circle.bob)

    response = check_in(alice, circle.cohort, blocker="Not sure how to price it.")
    assert response.status_code == 302 and response.location.endswith(week_url(circle.cohort))
    assert "check-in is saved" in alice.get(response.location).get_data(as_text=True)
    [checkin] = db.session.scalars(db.select(CheckIn)).all()
    assert (checkin.user_id, checkin.week, checkin.blocker) == (circle.alice.id, 1, "Not sure how to price it.")
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="checkin.posted", subject_id=checkin.id))

    page = bob.get(week_url(circle.cohort)).get_data(as_text=True)
    assert PROGRESS in page and NEXT_STEP in page and circle.alice.name in page
    response = bob.submit(reply_url(circle.cohort, checkin.id), {"body": "Try a pay-what-you-want week."},
                          form_url=week_url(circle.cohort))
    assert response.status_code == 302
    assert response.location.endswith(f"{week_url(circle.cohort)}#checkin-{checkin.id}")

    page = alice.get(week_url(circle.cohort)).get_data(as_text=True)
    assert "Try a pay-what-you-want week." in page and circle.bob.name in page
    [answer] = db.session.scalars(db.select(CheckInReply)).all()
    assert (answer.checkin_id, answer.user_id) == (checkin.id, circle.bob.id)


def test_writing_again_for_the_same_week_edits_the_checkin(app, circle):
    alice = signed_in(app, circle.alice)
    check_in(alice, circle.cohort)
    page = alice.get(week_url(circle.cohort)).get_data(as_text=True)
    assert "Save changes" in page and f"\n{PROGRESS}</textarea>" in page

    assert check_in(alice, circle.cohort, progress="Ten testers now.").status_code == 302

    [checkin] = db.session.scalars(db.select(CheckIn)).all()
    assert checkin.progress == "Ten testers now."
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="checkin.edited", subject_id=checkin.id))


def test_organizer_not_enrolled_reads_replies_and_sees_participation_in_their_zone(app, circle):
    circle.organizer.timezone = "America/New_York"
    db.session.commit()
    check_in(signed_in(app, circle.alice), circle.cohort)
    checkin = db.session.scalar(db.select(CheckIn))
    organizer = signed_in(app, circle.organizer)

    page = organizer.get(week_url(circle.cohort)).get_data(as_text=True)
    assert PROGRESS in page and "Your check-in" not in page
    assert re.search(r"\d\d:\d\d E[SD]T", page), "times are shown in the viewer's zone"
    assert "Participation" in page and "1 (33%)" in page and "<svg" in page
    response = organizer.submit(reply_url(circle.cohort, checkin.id), {"body": "Nice pace, Alice."},
                                form_url=week_url(circle.cohort))
    assert response.status_code == 302
    assert db.session.scalar(db.select(CheckInReply.user_id)) == circle.organizer.id
    # Organizers read along; check-ins are the members' own.
    assert check_in(organizer, circle.cohort).status_code == 403
    assert stored(CheckIn) == 1


def test_outsiders_see_and_post_nothing(app, circle):
    check_in(signed_in(app, circle.alice), circle.cohort)
    checkin = db.session.scalar(db.select(CheckIn))
    elsewhere = make_cohort(circle.hub, title="Another circle")
    [in_other_cohort] = enrolled_members(elsewhere, 1)
    other_hub, other_organizer = organizer_of()
    url = week_url(circle.cohort)

    visitor = app.test_client()
    response = visitor.get(url)
    assert response.status_code == 302 and "/login" in response.location
    assert check_in(visitor, circle.cohort, form_url="/login").status_code == 302

    for outsider in (UserFactory(), member_of(circle.hub), in_other_cohort):
        client = signed_in(app, outsider)
        response = client.get(url)
        assert response.status_code == 403 and PROGRESS not in response.get_data(as_text=True)
        assert check_in(client, circle.cohort, form_url="/hubs/new").status_code == 403
        response = client.submit(reply_url(circle.cohort, checkin.id), {"body": "Hi"}, form_url="/hubs/new")
        assert response.status_code == 403
        assert client.get(retro_url(circle.cohort)).status_code == 403

    # The hub always comes from the URL: another hub's address never finds this cohort, even for its staff.
    for person in (other_organizer, circle.alice):
        response = signed_in(app, person).get(week_url(circle.cohort, slug=other_hub.slug))
        assert response.status_code == 404 and PROGRESS not in response.get_data(as_text=True)
    assert stored(CheckIn) == 1 and stored(CheckInReply) == 0


@pytest.mark.parametrize("week, fields, status, message", [
    (2, {}, 400, "Week 2 has not begun yet"),
    (1, {"progress": ""}, 400, "Progress cannot be empty."),
    (1, {"next_step": "   \n "}, 400, "Next step cannot be empty."),
    (1, {"progress": "x" * 4001}, 400, "Progress is 4,001 characters; keep it under 4,000."),
    (1, {"blocker": "x" * 5000}, 400, "Blocker is 5,000 characters; keep it under 4,000."),
    (0, {}, 404, None),
    (99, {}, 404, None),
])
def test_bad_checkins_are_refused_clearly_and_nothing_is_stored(app, circle, week, fields, status, message):
    alice = signed_in(app, circle.alice)
    response = check_in(alice, circle.cohort, week, form_url=week_url(circle.cohort), **fields)
    assert response.status_code == status
    if message:
        assert message in response.get_data(as_text=True)
    assert stored(CheckIn) == 0


def test_a_double_post_edits_the_one_checkin(app, circle, monkeypatch):
    """Two submits of the same form at once: the one that loses the insert edits the winner's row."""
    savepoint = db.session.begin_nested

    def other_request_inserts_first():
        with db.engine.begin() as conn:
            conn.execute(db.insert(CheckIn).values(cohort_id=circle.cohort.id, user_id=circle.alice.id, week=1,
                                                   progress="First try.", blocker="", next_step=NEXT_STEP,
                                                   created_at=utcnow(), updated_at=utcnow()))
        monkeypatch.setattr(db.session, "begin_nested", savepoint)
        return savepoint()

    monkeypatch.setattr(db.session, "begin_nested", other_request_inserts_first)
    checkins.post_checkin(circle.cohort, circle.alice, 1, PROGRESS, "", NEXT_STEP)
    db.session.commit()
    assert db.session.scalars(db.select(CheckIn.progress)).all() == [PROGRESS]


def test_current_week_is_the_latest_started_session_canceled_ones_too(app):
    cohort = make_cohort(weeks=3)
    first, second, third = cohort.sessions
    services.cancel_session(cohort, second.id, actor=None)
    db.session.commit()
    assert checkins.current_week(cohort, first.starts_at - timedelta(seconds=1)) == 0
    assert checkins.current_week(cohort, first.starts_at) == 1
    assert checkins.current_week(cohort, second.starts_at) == 2
    assert checkins.current_week(cohort, third.ends_at + timedelta(days=30)) == 3


def test_checkin_rules_in_the_service(app, circle):
    cohort, alice = circle.cohort, circle.alice
    with pytest.raises(ValidationFailed, match="from 1 to 6") as refused:
        checkins.post_checkin(cohort, alice, 0, PROGRESS, "", NEXT_STEP)
    assert refused.value.field == "week"
    with pytest.raises(NotAllowed):
        checkins.post_checkin(cohort, member_of(circle.hub), 1, PROGRESS, "", NEXT_STEP)
    not_started = make_cohort(circle.hub)
    [early] = enrolled_members(not_started, 1)
    with pytest.raises(Conflict, match="not started yet"):
        checkins.post_checkin(not_started, early, 1, PROGRESS, "", NEXT_STEP)


def test_replies_stay_in_their_cohort_and_are_checked(app, circle):
    elsewhere = make_cohort(circle.hub, title="Another circle")
    [theirs] = enrolled_members(elsewhere, 1)
    at_week(circle.clock, elsewhere, 1)
    foreign = checkins.post_checkin(elsewhere, theirs, 1, "Their own progress.", "", NEXT_STEP)
    mine = checkins.post_checkin(circle.cohort, circle.alice, 1, PROGRESS, "", NEXT_STEP)
    db.session.commit()
    bob = signed_in(app, circle.bob)
    form_url = week_url(circle.cohort)

    assert bob.submit(reply_url(circle.cohort, foreign.id), {"body": "Hi"}, form_url=form_url).status_code == 404
    assert bob.submit(reply_url(circle.cohort, 999999), {"body": "Hi"}, form_url=form_url).status_code == 404
    response = bob.submit(reply_url(circle.cohort, mine.id), {"body": "  "}, form_url=form_url)
    assert response.status_code == 400 and "Your reply cannot be empty." in response.get_data(as_text=True)
    response = bob.submit(reply_url(circle.cohort, mine.id), {"body": "y" * 2001}, form_url=form_url)
    assert response.status_code == 400 and "keep it under 2,000" in response.get_data(as_text=True)
    assert stored(CheckInReply) == 0


def test_participation_counts_each_member_each_week_from_one_query(app, circle):
    alice, bob, carol = circle.members
    checkins.post_checkin(circle.cohort, alice, 1, PROGRESS, "", NEXT_STEP)
    checkins.post_checkin(circle.cohort, bob, 1, PROGRESS, "", NEXT_STEP)
    db.session.commit()
    at_week(circle.clock, circle.cohort, 2)
    checkins.post_checkin(circle.cohort, alice, 2, PROGRESS, "", NEXT_STEP)
    db.session.commit()
    assert circle.cohort.sessions  # loaded, so only the grid's own statements are counted

    with statements() as seen:
        grid = checkins.participation(circle.cohort)

    assert len(seen) == 1
    assert grid["weeks"] == [1, 2, 3, 4, 5, 6] and grid["current_week"] == 2 and grid["members"] == 3
    by_person = {row["user"].id: (row["checked_in"][:2], row["count"]) for row in grid["rows"]}
    assert by_person == {alice.id: ([True, True], 2), bob.id: ([True, False], 1), carol.id: ([False, False], 0)}
    assert grid["totals"] == [2, 1, 0, 0, 0, 0]
    assert grid["rates"][:2] == [pytest.approx(2 / 3), pytest.approx(1 / 3)]

    page = signed_in(app, circle.organizer).get(week_url(circle.cohort, 2)).get_data(as_text=True)
    assert "2 (67%)" in page and "1 (33%)" in page
    assert page.count("visually-hidden\">checked in") == 3 and page.count("no check-in") == 3


def test_the_retro_opens_at_the_end_and_organizers_read_everyones(app, circle):
    alice = signed_in(app, circle.alice)
    answers = {"worked": "Weekly deadlines.", "did_not_work": "Tuesday evenings.", "won": "My first paying user."}
    page = alice.get(retro_url(circle.cohort)).get_data(as_text=True)
    assert "The retro opens when the last week begins" in page
    assert alice.submit(retro_url(circle.cohort), answers, form_url=week_url(circle.cohort)).status_code == 409
    assert stored(Retro) == 0

    at_week(circle.clock, circle.cohort, 6)
    circle.clock.move_to(circle.cohort.ends_at + timedelta(minutes=5), tick=False)
    jobs.tick()
    assert db.session.get(Cohort, circle.cohort.id).status is CohortStatus.COMPLETED
    mail = mails(to=circle.alice.email, subject_contains="how did it go")[0]
    assert retro_url(circle.cohort) in mail.body_text

    alice = signed_in(app, circle.alice)  # six weeks on, the old session cookie has expired
    response = alice.submit(retro_url(circle.cohort), {**answers, "won": ""})
    assert response.status_code == 400 and "What you won cannot be empty." in response.get_data(as_text=True)
    assert stored(Retro) == 0
    assert alice.submit(retro_url(circle.cohort), answers).status_code == 302
    assert alice.submit(retro_url(circle.cohort), {**answers, "won": "Two paying users."}).status_code == 302
    [retro] = db.session.scalars(db.select(Retro)).all()
    assert (retro.user_id, retro.won) == (circle.alice.id, "Two paying users.")

    for reader, sees in ((circle.organizer, True), (circle.bob, False)):
        page = signed_in(app, reader).get(retro_url(circle.cohort)).get_data(as_text=True)
        assert ("Two paying users." in page) is sees


def test_the_checkin_prompt_links_to_the_weeks_page(app, circle):
    mail = mails(to=circle.alice.email, subject_contains="check-in")[0]
    assert week_url(circle.cohort, 1) in mail.body_text
    page = signed_in(app, circle.alice).get(week_url(circle.cohort, 1)).get_data(as_text=True)
    assert "Post check-in" in page
