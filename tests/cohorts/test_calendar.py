"""Calendars: a cohort's .ics download and each member's private, revocable feed, read back with icalendar."""
from datetime import date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest
import time_machine
from icalendar import Calendar

from microhub.cohorts import calendar, enrollment
from microhub.cohorts.models import CalendarFeed
from microhub.cohorts.services import cancel_cohort, cancel_session, move_session
from microhub.extensions import db

from ..factories import UserFactory, member_of, organizer_of
from ..helpers import signed_in
from .helpers import enrolled_members, make_cohort

BERLIN = ZoneInfo("Europe/Berlin")


@pytest.fixture
def cohort_with_member():
    """A 6-week Berlin cohort a week ahead, its organizer and one enrolled member."""
    hub, organizer = organizer_of()
    cohort = make_cohort(hub)
    return cohort, organizer, enrolled_members(cohort)[0]


def download_url(cohort, slug=None) -> str:
    return f"/h/{slug or cohort.hub.slug}/cohorts/{cohort.id}/calendar.ics"


def download(app, cohort, user) -> Calendar:
    response = signed_in(app, user).get(download_url(cohort))
    assert response.status_code == 200
    return Calendar.from_ical(response.data)


def events(ics: Calendar) -> dict[int, object]:
    """The VEVENTs by week number, read from their SUMMARY."""
    return {int(str(e["SUMMARY"]).rsplit(" ", 1)[1]): e for e in ics.walk("VEVENT")}


def local_day(moment: datetime) -> date:
    return moment.astimezone(BERLIN).date()


def test_download_has_every_session_at_19_berlin_time_across_the_end_of_summer_time(app):
    # Summer time ends on Sunday 31 October 2027; the cohort meets on Mondays from 18 October.
    with time_machine.travel(datetime(2027, 10, 1, 12, tzinfo=timezone.utc), tick=False):
        hub, _ = organizer_of()
        cohort = make_cohort(hub, start_date=date(2027, 10, 18))
        member = enrolled_members(cohort)[0]
        response = signed_in(app, member).get(download_url(cohort))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert response.headers["Content-Disposition"] == 'attachment; filename="ship-a-side-project.ics"'
    ics = Calendar.from_ical(response.data)
    assert (str(ics["PRODID"]), str(ics["VERSION"]), str(ics["METHOD"])) == ("-//MicroHub//Cohorts//EN", "2.0",
                                                                           "PUBLISH")
    assert [str(tz["TZID"]) for tz in ics.walk("VTIMEZONE")] == ["Europe/Berlin"]
    weeks = events(ics)
    assert sorted(weeks) == [1, 2, 3, 4, 5, 6]
    for week, event in weeks.items():
        assert event["DTSTART"].params["TZID"] == "Europe/Berlin"
        assert event.start == datetime(2027, 10, 18, 19, tzinfo=BERLIN) + timedelta(weeks=week - 1)
        assert event.end.time() == time(20, 30)
        assert str(event["SUMMARY"]) == f"Ship a side project · week {week}"
        assert (event.decoded("SEQUENCE"), str(event["STATUS"])) == (0, "CONFIRMED")
    # The same 19:00 is an hour later in UTC once summer time is over.
    assert [weeks[w].start.astimezone(timezone.utc).hour for w in (1, 2, 3)] == [17, 17, 18]


def test_download_includes_the_meeting_link_and_keeps_each_sessions_uid(app, cohort_with_member):
    cohort, _, member = cohort_with_member
    first, again = download(app, cohort, member), download(app, cohort, member)

    event = events(first)[1]
    assert str(event["URL"]) == str(event["LOCATION"]) == "https://meet.example.org/slow-code"
    assert "https://meet.example.org/slow-code" in str(event["DESCRIPTION"])
    assert "Each of us ships one small thing" in str(event["DESCRIPTION"])
    uids = [str(e["UID"]) for e in first.walk("VEVENT")]
    assert len(set(uids)) == 6
    assert uids == [str(e["UID"]) for e in again.walk("VEVENT")]


def test_moved_session_is_an_update_with_sequence_1_at_the_new_time(app, cohort_with_member):
    cohort, organizer, member = cohort_with_member
    session = cohort.sessions[1]
    uid = str(events(download(app, cohort, member))[2]["UID"])
    new_day = local_day(session.starts_at) + timedelta(days=1)
    move_session(cohort, session.id, new_day, time(18, 0), time(19, 0), actor=organizer)
    db.session.commit()

    weeks = events(download(app, cohort, member))
    assert str(weeks[2]["UID"]) == uid
    assert weeks[2].decoded("SEQUENCE") == 1
    assert weeks[2].start == datetime.combine(new_day, time(18, 0), tzinfo=BERLIN)
    assert weeks[2].end == datetime.combine(new_day, time(19, 0), tzinfo=BERLIN)
    assert weeks[1].decoded("SEQUENCE") == weeks[3].decoded("SEQUENCE") == 0


def test_canceled_session_shows_as_cancelled_with_a_higher_sequence(app, cohort_with_member):
    cohort, organizer, member = cohort_with_member
    cancel_session(cohort, cohort.sessions[2].id, actor=organizer)
    db.session.commit()

    weeks = events(download(app, cohort, member))
    assert (str(weeks[3]["STATUS"]), weeks[3].decoded("SEQUENCE")) == ("CANCELLED", 1)
    assert {str(weeks[w]["STATUS"]) for w in (1, 2, 4, 5, 6)} == {"CONFIRMED"}


def test_canceling_the_cohort_cancels_every_event(app, cohort_with_member):
    cohort, organizer, member = cohort_with_member
    cancel_cohort(cohort, actor=organizer, reason="Not enough time this season.")
    db.session.commit()

    weeks = events(download(app, cohort, member))
    assert {(str(e["STATUS"]), e.decoded("SEQUENCE")) for e in weeks.values()} == {("CANCELLED", 1)}


def test_only_enrolled_members_and_staff_download_the_calendar(app, cohort_with_member):
    cohort, organizer, member = cohort_with_member
    url = download_url(cohort)

    visitor = app.test_client().get(url)
    assert visitor.status_code == 302 and "/login" in visitor.headers["Location"]
    assert signed_in(app, UserFactory()).get(url).status_code == 403
    assert signed_in(app, member_of(cohort.hub)).get(url).status_code == 403
    assert signed_in(app, member).get(url).status_code == 200
    assert signed_in(app, organizer).get(url).status_code == 200


def test_another_hubs_address_never_serves_this_cohort(app, cohort_with_member):
    cohort, _, member = cohort_with_member
    other_hub, other_organizer = organizer_of()

    assert signed_in(app, member).get(download_url(cohort, other_hub.slug)).status_code == 404
    assert signed_in(app, other_organizer).get(download_url(cohort, other_hub.slug)).status_code == 404


def feed_url(token: str) -> str:
    return f"/calendar/{token}.ics"


def test_feed_opens_without_login_and_holds_only_the_persons_cohorts(app, cohort_with_member):
    cohort, _, member = cohort_with_member
    elsewhere = make_cohort(organizer_of()[0], title="Write every day")
    member_of(elsewhere.hub, member)
    enrollment.enroll(elsewhere, member)
    full = make_cohort(cohort.hub, title="Full already", capacity=2)
    enrolled_members(full, 2)
    enrollment.enroll(full, member)  # waits in line: not in the feed
    make_cohort(cohort.hub, title="Not mine")
    token = calendar.feed_token(calendar.open_feed(member))
    db.session.commit()

    response = app.test_client().get(feed_url(token))

    assert response.status_code == 200
    assert response.headers["Content-Type"] == "text/calendar; charset=utf-8"
    assert "private" in response.headers["Cache-Control"]
    assert "Set-Cookie" not in response.headers
    ics = Calendar.from_ical(response.data)
    titles = {str(e["SUMMARY"]).rsplit(" · ", 1)[0] for e in ics.walk("VEVENT")}
    assert titles == {"Ship a side project", "Write every day"}
    assert len(ics.walk("VEVENT")) == 12
    assert all(str(e["URL"]) == "https://meet.example.org/slow-code" for e in ics.walk("VEVENT"))


def test_settings_page_turns_the_feed_on_resets_it_and_turns_it_off(app, cohort_with_member):
    _, _, member = cohort_with_member
    client, anyone = signed_in(app, member), app.test_client()

    assert "Turn the feed on" in client.get("/account/calendar").get_data(as_text=True)
    assert client.submit("/account/calendar/on", {}, form_url="/account/calendar").status_code == 302
    first = calendar.feed_token(calendar.feed_of(member))
    page = client.get("/account/calendar").get_data(as_text=True)
    assert f'value="http://127.0.0.1:5000/calendar/{first}.ics"' in page
    assert f'href="webcal://127.0.0.1:5000/calendar/{first}.ics"' in page
    assert "Ship a side project" in page
    assert anyone.get(feed_url(first)).status_code == 200

    assert client.submit("/account/calendar/reset", {}, form_url="/account/calendar").status_code == 302
    second = calendar.feed_token(calendar.feed_of(member))
    assert second != first
    assert anyone.get(feed_url(first)).status_code == 404
    assert anyone.get(feed_url(second)).status_code == 200

    assert client.submit("/account/calendar/off", {}, form_url="/account/calendar").status_code == 302
    assert calendar.feed_of(member) is None
    assert anyone.get(feed_url(second)).status_code == 404


def test_garbage_and_forged_tokens_open_nothing(app, cohort_with_member):
    _, _, member = cohort_with_member
    feed = calendar.open_feed(member)
    other = calendar.open_feed(UserFactory())
    db.session.commit()
    token = calendar.feed_token(feed)
    secret = token.split("-", 1)[1]
    forged = [
        "nonsense", "-", f"{feed.id}", f"{feed.id}-", f"{feed.id}-{'A' * 32}", token[:-1],
        f"{token}x", f"{other.id}-{secret}", "99999999999999999999999999-abc", "١-abc", f"{feed.id}-ü",
    ]

    for bad in forged:
        assert calendar.feed_for_token(bad) is None, bad
        assert app.test_client().get(feed_url(bad)).status_code == 404, bad
    assert calendar.feed_for_token(token) == feed


def test_feed_changes_need_the_forms_security_token(app, cohort_with_member):
    _, _, member = cohort_with_member
    client = signed_in(app, member)

    for action in ("on", "reset", "off"):
        assert client.post(f"/account/calendar/{action}").status_code == 400
    assert db.session.scalar(db.select(db.func.count(CalendarFeed.id))) == 0


def test_settings_page_is_for_signed_in_people(app):
    response = app.test_client().get("/account/calendar")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_turning_the_feed_on_twice_at_once_keeps_one_feed(app, cohort_with_member, monkeypatch):
    _, _, member = cohort_with_member
    first = calendar.open_feed(member)
    db.session.commit()
    found = calendar.feed_of
    # The second request looked before the first one committed, so it saw no feed yet.
    looks = iter([None])
    monkeypatch.setattr(calendar, "feed_of", lambda user: next(looks, found(user)))

    assert calendar.open_feed(member) == first
    db.session.commit()
    assert db.session.scalar(db.select(db.func.count(CalendarFeed.id))) == 1


def test_canceling_a_cohort_under_way_cancels_what_is_ahead_and_keeps_what_happened(app, cohort_with_member):
    cohort, organizer, member = cohort_with_member
    with time_machine.travel(cohort.sessions[1].ends_at + timedelta(hours=1), tick=False):
        cancel_cohort(cohort, actor=organizer)
        db.session.commit()
        weeks = events(download(app, cohort, member))
    assert {w: str(e["STATUS"]) for w, e in weeks.items()} == {
        1: "CONFIRMED", 2: "CONFIRMED", 3: "CANCELLED", 4: "CANCELLED", 5: "CANCELLED", 6: "CANCELLED"}
