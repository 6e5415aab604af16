"""Cohort pages: organizers create and change cohorts through forms; private parts stay inside the cohort."""
from __future__ import annotations

from datetime import timedelta

import pytest

from microhub.accounts.models import User
from microhub.cohorts.models import Cohort, CohortStatus, CohortSession
from microhub.cohorts.services import today_in
from microhub.extensions import db
from microhub.hubs.models import Role

from ..factories import RoleFactory, UserFactory, member_of, organizer_of
from ..helpers import signed_in
from ..mail import mails
from .helpers import enrolled_members, make_cohort

LINK = "https://meet.example.org/slow-code"


def form(**overrides) -> dict:
    start = today_in("Europe/Berlin") + timedelta(days=10)
    data = {"title": "Finish the thesis", "goal": "Everyone hands in one chapter.", "format": "pod",
            "capacity": "6", "weeks": "6", "start_date": start.isoformat(), "weekday": str(start.weekday()),
            "starts_at_time": "19:00", "ends_at_time": "20:30", "timezone": "Europe/Berlin", "meeting_link": LINK}
    data.update(overrides)
    return data


def count(model) -> int:
    return db.session.scalar(db.select(db.func.count()).select_from(model))


def test_an_organizer_creates_a_cohort_and_its_schedule_from_the_form(client):
    hub, organizer = organizer_of()
    client.login(organizer.email)
    response = client.submit(f"/h/{hub.slug}/manage/cohorts/new", form())
    assert response.status_code == 302
    cohort = db.session.scalar(db.select(Cohort))
    assert (cohort.title, cohort.capacity, cohort.weeks, cohort.format.value) == ("Finish the thesis", 6, 6, "pod")
    assert cohort.duration_minutes == 90 and len(cohort.sessions) == 6
    page = client.get(response.headers["Location"]).get_data(as_text=True)
    assert "is open for enrollment with 6 sessions scheduled" in page
    assert client.get(f"/h/{hub.slug}/cohorts").get_data(as_text=True).count("Finish the thesis") == 1


@pytest.mark.parametrize(("overrides", "message"), [
    ({"ends_at_time": "18:00"}, "A session must end after it starts"),
    ({"ends_at_time": "19:00"}, "A session must end after it starts"),
    ({"capacity": "0"}, "A cohort takes 2 to 50 people."),
    ({"capacity": "many"}, "Not a valid integer value."),
    ({"weekday": "7"}, "Pick the weekday sessions meet on, Monday to Sunday."),
    ({"weekday": "-1"}, "Pick the weekday sessions meet on, Monday to Sunday."),
    ({"timezone": "Mars/Olympus_Mons"}, "is not a known time zone."),
    ({"weeks": "0"}, "A cohort runs 1 to 12 weeks."),
    ({"start_date": "2020-01-01"}, "The start date must be after today"),
    ({"start_date": "not a date"}, "Not a valid date value."),
    ({"format": "rave"}, "Pick one of the formats offered."),
    ({"meeting_link": "javascript:alert(1)"}, "Give the meeting link as a full web address"),
    ({"title": ""}, "This field is required."),
])
def test_bad_cohort_input_is_refused_with_a_clear_message_and_creates_nothing(client, overrides, message):
    hub, organizer = organizer_of()
    client.login(organizer.email)
    response = client.submit(f"/h/{hub.slug}/manage/cohorts/new", form(**overrides))
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert count(Cohort) == 0 and count(CohortSession) == 0


def test_only_organizers_create_and_change_cohorts_moderators_may_look(app, client):
    cohort = make_cohort()
    hub = cohort.hub
    moderator = UserFactory()
    RoleFactory(hub=hub, user=moderator, role=Role.MODERATOR)
    client.login(moderator.email)
    assert client.get(f"/h/{hub.slug}/manage/cohorts/{cohort.id}").status_code == 200
    assert client.get(f"/h/{hub.slug}/manage/cohorts/new").status_code == 403
    edit = f"/h/{hub.slug}/manage/cohorts/{cohort.id}"
    assert client.submit(edit, {"title": "Hijacked", "goal": "x", "capacity": "9"},
                         form_url="/account/profile").status_code == 403
    member = member_of(hub)
    other = signed_in(app, member)
    assert other.get(edit).status_code == 403
    other_hub, other_organizer = organizer_of()
    third = signed_in(app, other_organizer)
    assert third.get(f"/h/{other_hub.slug}/manage/cohorts/{cohort.id}").status_code == 404
    db.session.refresh(cohort)
    assert cohort.title == "Ship a side project"


def test_meeting_link_members_and_calendar_are_shown_only_inside_the_cohort(app, client):
    cohort = make_cohort()
    (inside,) = enrolled_members(cohort, 1)
    hub, url = cohort.hub, f"/h/{cohort.hub.slug}/cohorts/{cohort.id}"
    other_cohort = make_cohort(hub)
    outsider_member = member_of(hub)
    enrolled_elsewhere = enrolled_members(other_cohort, 1)[0]

    def seen_by(user) -> str:
        response = signed_in(app, user).get(url)
        assert response.status_code == 200
        return response.get_data(as_text=True)

    for viewer in (None, UserFactory(), outsider_member, enrolled_elsewhere):
        page = seen_by(viewer)
        assert cohort.goal in page  # the goal and schedule are public, to help people decide
        assert LINK not in page and inside.name not in page and "calendar.ics" not in page
    for viewer in (inside, db.session.get(User, cohort.created_by_id)):  # enrolled, and the organizer
        page = seen_by(viewer)
        assert LINK in page and inside.name in page and "calendar.ics" in page


def test_the_schedule_is_shown_in_the_viewers_own_time_zone(app, client):
    cohort = make_cohort()
    (member,) = enrolled_members(cohort, 1)
    member.timezone = "America/New_York"
    db.session.commit()
    client.login(member.email)
    page = client.get(f"/h/{cohort.hub.slug}/cohorts/{cohort.id}").get_data(as_text=True)
    first = cohort.sessions[0].starts_at
    from zoneinfo import ZoneInfo

    assert first.astimezone(ZoneInfo("America/New_York")).strftime("%a %d %b %Y, %H:%M") in page
    assert "Times in America/New York" in page and "the cohort meets at 19:00 Europe/Berlin" in page


def test_organizer_moves_and_cancels_a_session_and_cancels_the_cohort_and_members_are_told(client):
    cohort = make_cohort()
    people = enrolled_members(cohort, 2)
    organizer = db.session.get(User, cohort.created_by_id)
    client.login(organizer.email)
    edit = f"/h/{cohort.hub.slug}/manage/cohorts/{cohort.id}"
    week2, week3 = cohort.sessions[1], cohort.sessions[2]
    new_day = (week2.starts_at + timedelta(days=1)).date().isoformat()

    bad = client.submit(f"{edit}/sessions/{week2.id}/move", {"day": new_day, "starts_at_time": "10:00",
                                                             "ends_at_time": "09:00"}, form_url=edit)
    assert bad.status_code == 400 and "A session must end after it starts" in bad.get_data(as_text=True)
    ok = client.submit(f"{edit}/sessions/{week2.id}/move", {"day": new_day, "starts_at_time": "10:00",
                                                            "ends_at_time": "11:00"}, form_url=edit)
    assert ok.status_code == 302
    db.session.refresh(week2)
    assert week2.moved and week2.sequence == 1 and week2.starts_at.hour in (8, 9)  # 10:00 Berlin

    assert client.submit(f"{edit}/sessions/{week3.id}/cancel", {}, form_url=edit).status_code == 302
    assert client.post(f"{edit}/cancel", data={"reason": "x"}).status_code == 400  # no CSRF token
    assert client.submit(f"{edit}/cancel", {"reason": "Not enough time this season."}, form_url=edit).status_code == 302
    db.session.expire_all()
    assert db.session.get(Cohort, cohort.id).status is CohortStatus.CANCELED
    subjects = sorted(m.subject for m in mails(to=people[0].email))
    title = cohort.title
    assert subjects == sorted([f"You are in: {title}", f"{title} is canceled", f"{title}: week 2's session moved",
                               f"{title}: week 3's session is canceled"])
    # Once canceled, nothing can change any more.
    again = client.submit(f"{edit}/sessions/{week2.id}/cancel", {}, form_url="/account/profile",
                          follow_redirects=True)
    assert "This cohort is over" in again.get_data(as_text=True)


def test_a_session_of_another_cohort_cannot_be_moved_through_this_one(client):
    cohort = make_cohort()
    other = make_cohort(cohort.hub)
    organizer = db.session.get(User, cohort.created_by_id)
    client.login(organizer.email)
    edit = f"/h/{cohort.hub.slug}/manage/cohorts/{cohort.id}"
    target = other.sessions[0]
    response = client.submit(f"{edit}/sessions/{target.id}/cancel", {}, form_url=edit, follow_redirects=True)
    assert "That session is not part of this cohort." in response.get_data(as_text=True)
    db.session.refresh(target)
    assert not target.canceled


def test_an_organizer_removes_someone_saying_why_and_the_first_waiting_gets_the_place(app, client):
    cohort = make_cohort(capacity=2)
    removed, stays, waiting = enrolled_members(cohort, 3)
    organizer = db.session.get(User, cohort.created_by_id)
    client.login(organizer.email)
    edit = f"/h/{cohort.hub.slug}/manage/cohorts/{cohort.id}"
    from microhub.cohorts.models import Enrollment

    target = db.session.scalar(db.select(Enrollment).filter_by(cohort_id=cohort.id, user_id=removed.id))
    no_reason = client.submit(f"{edit}/remove", {"enrollment_id": str(target.id), "reason": " "},
                              form_url=edit, follow_redirects=True)
    assert "Say why" in no_reason.get_data(as_text=True)
    other = make_cohort(cohort.hub)
    foreign = enrolled_members(other, 1)[0]
    foreign_row = db.session.scalar(db.select(Enrollment).filter_by(cohort_id=other.id, user_id=foreign.id))
    crossing = client.submit(f"{edit}/remove", {"enrollment_id": str(foreign_row.id), "reason": "x"},
                             form_url=edit, follow_redirects=True)
    assert "not in this cohort" in crossing.get_data(as_text=True)

    ok = client.submit(f"{edit}/remove", {"enrollment_id": str(target.id), "reason": "Asked to be taken out."},
                       form_url=edit)
    assert ok.status_code == 302
    rows = dict(db.session.execute(db.select(Enrollment.user_id, Enrollment.status)
                                   .filter_by(cohort_id=cohort.id)).all())
    assert {k: v.value for k, v in rows.items()} == {removed.id: "left", stays.id: "enrolled", waiting.id: "enrolled"}
    told = mails(to=removed.email, subject=f"You are no longer in {cohort.title}")[0]
    assert "Asked to be taken out." in told.body_text
    assert foreign_row.status.value == "enrolled"

    member = signed_in(app, stays)
    assert member.submit(f"{edit}/remove", {"enrollment_id": str(target.id), "reason": "x"},
                         form_url="/account/profile").status_code == 403
