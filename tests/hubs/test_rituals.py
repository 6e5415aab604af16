"""Scheduled rituals: organizers add and remove them (CSRF, clear messages for bad input, nobody else may), and
each next meeting keeps its wall-clock time in the hub's zone across daylight-saving changes, shown in the
member's own zone."""
from datetime import datetime, time, timezone

import pytest
import time_machine

from microhub.extensions import db
from microhub.hubs.rituals import Ritual, RitualInfo, add_ritual, hub_rituals, next_start

from ..factories import HubFactory, member_of, organizer_of
from ..helpers import person_as, signed_in

GOOD = {"title": "Weekly call", "weekday": "1", "starts_at": "19:00", "duration_minutes": "60",
        "link": "https://meet.example.org/weekly"}


def test_an_organizer_adds_a_ritual_and_removes_it(app):
    hub, organizer = organizer_of(slug="larks")
    client = signed_in(app, organizer)
    page = client.get("/h/larks/manage/rituals").get_data(as_text=True)
    assert "Add a ritual" in page and 'aria-current="page">Rituals' in page
    response = client.submit("/h/larks/manage/rituals", GOOD)
    assert response.status_code == 302
    [ritual] = hub_rituals(hub.id)
    assert (ritual.title, ritual.weekday, ritual.local_time, ritual.duration_minutes) == \
        ("Weekly call", 1, time(19), 60)
    assert "Tuesdays, 19:00" in client.get("/h/larks/manage/rituals").get_data(as_text=True)
    response = client.submit("/h/larks/manage/rituals/remove", {"ritual_id": str(ritual.id)},
                             form_url="/h/larks/manage/rituals")
    assert response.status_code == 302 and hub_rituals(hub.id) == []


@pytest.mark.parametrize("field, value, message", [
    ("title", "", "Name the ritual"),
    ("title", "x" * 121, "at most 120 characters"),
    ("weekday", "9", "Pick the day of the week"),
    ("weekday", "Tuesday", "Pick the day of the week"),
    ("starts_at", "25:00", "e.g. 19:00"),
    ("starts_at", "7pm", "e.g. 19:00"),
    ("starts_at", "１９:００", "e.g. 19:00"),
    ("duration_minutes", "0", "from 5 to 720"),
    ("duration_minutes", "-30", "from 5 to 720"),
    ("duration_minutes", "99999999999999999999", "from 5 to 720"),
    ("link", "javascript:alert(1)", "full web address"),
    ("link", "https://a.example/x\nSet-Cookie: y", "one line"),
])
def test_bad_input_gets_a_clear_message_and_adds_nothing(app, field, value, message):
    hub, organizer = organizer_of(slug="larks")
    client = signed_in(app, organizer)
    response = client.submit("/h/larks/manage/rituals", {**GOOD, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert hub_rituals(hub.id) == []


def test_adding_or_removing_without_the_csrf_token_is_refused(app):
    hub, organizer = organizer_of(slug="larks")
    ritual = add_ritual(hub, RitualInfo(**GOOD), actor=organizer)
    db.session.commit()
    client = signed_in(app, organizer)
    assert client.post("/h/larks/manage/rituals", data=GOOD).status_code == 400
    assert client.post("/h/larks/manage/rituals/remove", data={"ritual_id": str(ritual.id)}).status_code == 400
    assert [r.id for r in hub_rituals(hub.id)] == [ritual.id]


@pytest.mark.parametrize("who", [None, "member", "moderator", "other_organizer"])
def test_only_the_hubs_organizers_manage_its_rituals(app, who):
    hub, organizer = organizer_of(slug="owls")
    ritual = add_ritual(hub, RitualInfo(**GOOD), actor=organizer)
    db.session.commit()
    user = person_as(hub, who)
    client = signed_in(app, user)
    expected = 302 if user is None else 403  # visitors are sent to log in
    assert client.get("/h/owls/manage/rituals").status_code == expected
    token = client.csrf_token("/login" if user is None else "/account/profile")
    for url, data in (("/h/owls/manage/rituals", GOOD), ("/h/owls/manage/rituals/remove", {"ritual_id": ritual.id})):
        assert client.post(url, data={"csrf_token": token, **data}).status_code == expected
    assert [r.id for r in hub_rituals(hub.id)] == [ritual.id]


def test_an_organizer_cannot_remove_another_hubs_ritual(app):
    theirs, _ = organizer_of(slug="theirs")
    ritual = add_ritual(theirs, RitualInfo(**GOOD), actor=None)
    db.session.commit()
    _, organizer = organizer_of(slug="ours")
    client = signed_in(app, organizer)
    response = client.submit("/h/ours/manage/rituals/remove", {"ritual_id": str(ritual.id)},
                             form_url="/h/ours/manage/rituals", follow_redirects=True)
    assert "not in this hub" in response.get_data(as_text=True)
    assert db.session.get(Ritual, ritual.id) is not None


def _utc(*args) -> datetime:
    return datetime(*args, tzinfo=timezone.utc)


def test_the_next_time_keeps_the_hubs_wall_clock_across_daylight_saving_changes():
    ritual = Ritual(weekday=1, local_time=time(19, 0), duration_minutes=60)  # Tuesdays 19:00 in Berlin
    # Winter (UTC+1), then the summer time of Europe (UTC+2) from 29 March 2026: still 19:00 in Berlin.
    assert next_start(ritual, "Europe/Berlin", _utc(2026, 3, 23, 12)) == _utc(2026, 3, 24, 18)
    assert next_start(ritual, "Europe/Berlin", _utc(2026, 3, 30, 12)) == _utc(2026, 3, 31, 17)
    # During the meeting it is still the next one; after it, next week's.
    assert next_start(ritual, "Europe/Berlin", _utc(2026, 3, 31, 17, 30)) == _utc(2026, 3, 31, 17)
    assert next_start(ritual, "Europe/Berlin", _utc(2026, 3, 31, 18, 0)) == _utc(2026, 4, 7, 17)


@pytest.mark.parametrize("today, shown", [
    ("2026-03-02 12:00", "Tue 03 Mar, 13:00 EST"),  # both on winter time: 6 hours apart
    ("2026-03-16 12:00", "Tue 17 Mar, 14:00 EDT"),  # New York moved on 8 March, Berlin not yet: 5 hours
    ("2026-03-30 12:00", "Tue 31 Mar, 13:00 EDT"),  # Berlin moved on 29 March: 6 hours again
])
def test_a_member_sees_the_next_time_in_their_own_zone_across_both_changes(app, today, shown):
    hub = HubFactory(slug="larks", timezone="Europe/Berlin")
    add_ritual(hub, RitualInfo(**GOOD), actor=None)
    db.session.commit()
    user = member_of(hub)
    user.timezone = "America/New_York"
    db.session.commit()
    with time_machine.travel(datetime.fromisoformat(today).replace(tzinfo=timezone.utc), tick=False):
        page = signed_in(app, user).get("/h/larks").get_data(as_text=True)
    assert shown in page and "https://meet.example.org/weekly" in page
