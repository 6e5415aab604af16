"""Ids, text, money, dates and caps are bounded in one place: a clear message or a 404, never a 500 or a stored NUL."""
from datetime import timedelta

import pytest
from icalendar import Calendar

from microhub.accounts.models import User
from microhub.billing.models import Plan
from microhub.cohorts import calendar
from microhub.cohorts.models import Cohort
from microhub.cohorts.services import today_in
from microhub.database import parse_id
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.money import to_minor
from microhub.errors import ValidationFailed

from .cohorts.helpers import enrolled_members, make_cohort
from .cohorts.test_pages import form as cohort_form
from .factories import UserFactory, organizer_of
from .payments.helpers import hub_with_plan


@pytest.mark.parametrize("path", ["/h/demo%00", "/h/x%0d%0aSet-Cookie:a", f"/h/x/join/{2**63}/confirming",
                                  f"/h/x/join/{10**30}/confirming", "/h/x/join/0/confirming",
                                  "/h/x/cohorts/2147483648", "/h/x/manage/plans/2147483648",
                                  "/calendar/99999999999-abc.ics", "/calendar/2147483648-abc.ics",
                                  f"/h/x/manage/plans/{2**64}", f"/h/x/cohorts/{2**63}"])
def test_ids_beyond_a_bigint_and_control_characters_in_urls_are_not_found(client, path):
    organizer_of(slug="x")
    assert client.get(path).status_code == 404


def test_an_id_from_a_form_is_a_positive_bigint_or_nothing():
    assert [parse_id(v) for v in ("12", " 7 ", "0", "-3", str(2**31), str(2**31 - 1), "1e3", "١٢", "²", None, "")] \
        == [12, 7, None, None, None, 2**31 - 1, None, None, None, None, None]


def test_an_oversized_hidden_plan_id_is_a_clear_400(client):
    hub, _ = hub_with_plan()
    client.login(UserFactory().email)
    for plan in (str(10**30), "2147483648", "²"):
        response = client.submit(f"/h/{hub.slug}/join", {"plan": plan})
        assert response.status_code == 400 and "Pick one of this hub" in response.get_data(as_text=True)


def test_a_nul_in_an_email_is_refused_with_a_message_not_stored(client):
    response = client.submit("/signup", {"name": "Ada", "email": "ada\x00@example.org",
                                         "password": "quiet-river-4821", "timezone": "UTC"})
    assert response.status_code == 400 and db.session.scalar(db.select(db.func.count(User.id))) == 0


@pytest.mark.parametrize("price, message", [("21474836.48", "most MicroHub takes"), ("1e400", "most MicroHub takes"),
                                            ("999999.999", "most MicroHub takes"), ("NaN", "zero or more")])
def test_prices_beyond_what_stripe_takes_are_refused_per_currency(client, price, message):
    hub, organizer = organizer_of()
    client.login(organizer.email)
    response = client.submit(f"/h/{hub.slug}/manage/plans", {"name": "Huge", "price": price, "interval": "month"})
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Plan.id))) == 0


def test_the_ceiling_is_in_minor_units_of_each_currency():
    assert to_minor("999999.99", "EUR") == 99_999_999 and to_minor("99999999", "JPY") == 99_999_999
    with pytest.raises(ValidationFailed):
        to_minor("100000000", "JPY")


def test_a_cohort_in_year_9999_is_a_clear_message(client):
    hub, organizer = organizer_of()
    client.login(organizer.email)
    response = client.submit(f"/h/{hub.slug}/manage/cohorts/new", cohort_form(start_date="9999-12-27", weekday="0"))
    assert response.status_code == 400 and "within two years" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Cohort.id))) == 0


@pytest.mark.parametrize("field, value", [("title", "Ship it\r\nATTACH:evil"), ("meeting_link",
                                          "https://meet.example.org/x\r\nATTACH:https://evil"),
                                          ("title", "Tab\tin title"), ("goal", "Bell \x07 in goal")])
def test_single_line_fields_refuse_control_characters(client, field, value):
    hub, organizer = organizer_of()
    client.login(organizer.email)
    response = client.submit(f"/h/{hub.slug}/manage/cohorts/new", cohort_form(**{field: value}))
    assert response.status_code == 400 and "control characters" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Cohort.id))) == 0


def test_a_hub_name_with_a_line_break_is_refused(client):
    hub, organizer = organizer_of()
    client.login(organizer.email)
    settings = client.get(f"/h/{hub.slug}/manage/settings")
    assert settings.status_code == 200
    response = client.submit(f"/h/{hub.slug}/manage/settings", {
        "name": "Evil\r\nBcc: all@example.org", "purpose": "x", "cap": "20", "currency": "EUR",
        "timezone": "UTC", "promises": "", "rituals": "", "rules": ""})
    assert response.status_code == 400 and db.session.get(Hub, hub.id).name == hub.name


def test_one_bad_row_never_breaks_a_members_whole_feed(app):
    hub, _ = organizer_of()
    good, bad = make_cohort(hub, title="Good one"), make_cohort(hub, title="Bad one")
    member = enrolled_members(good)[0]
    from microhub.cohorts import enrollment

    enrollment.enroll(bad, member)
    # As a row written before the one-line rule could hold it:
    bad.title, bad.meeting_link = "Bad\r\nATTACH:x", "https://meet.example.org/x\r\nATTACH:https://evil"
    token = calendar.feed_token(calendar.open_feed(member))
    db.session.commit()
    response = app.test_client().get(f"/calendar/{token}.ics")
    assert response.status_code == 200
    ics = Calendar.from_ical(response.data)
    summaries = [str(e["SUMMARY"]) for e in ics.walk("VEVENT")]
    assert len(summaries) == 12 and any(s.startswith("Bad ATTACH:x") for s in summaries)
    assert b"ATTACH" not in response.data.replace(b"ATTACH:x", b"")  # the bad link is left out, not attached


def test_the_cap_stops_at_500_unless_the_installation_allows_more_and_advises_above_150(client, app_factory):
    hub, organizer = organizer_of()
    client.login(organizer.email)
    settings = {"name": hub.name, "purpose": hub.purpose, "currency": "EUR", "timezone": "UTC", "promises": "",
                "rituals": "", "rules": ""}
    url = f"/h/{hub.slug}/manage/settings"
    assert client.submit(url, {**settings, "cap": "501"}).status_code == 400
    assert db.session.get(Hub, hub.id).cap == 20
    advised = client.submit(url, {**settings, "cap": "200"}, follow_redirects=True)
    assert "above 150" in advised.get_data(as_text=True) and db.session.get(Hub, hub.id).cap == 200
    roomy = app_factory(MAX_CAP=2000).test_client()
    roomy.login(organizer.email)
    assert roomy.submit(url, {**settings, "cap": "1500"}).status_code == 302


def test_a_cohort_starting_off_its_weekday_starts_on_its_first_meeting_day_and_says_so(client):
    hub, organizer = organizer_of()
    client.login(organizer.email)
    start = today_in("Europe/Berlin") + timedelta(days=10)
    while start.weekday() != 1:  # a Tuesday
        start += timedelta(days=1)
    response = client.submit(f"/h/{hub.slug}/manage/cohorts/new",
                             cohort_form(start_date=start.isoformat(), weekday="0"), follow_redirects=True)
    monday = start + timedelta(days=6)
    assert f"First session: Mon {monday:%d %b %Y}, 19:00" in response.get_data(as_text=True)
    cohort = db.session.scalar(db.select(Cohort))
    assert cohort.start_date == monday and cohort.sessions[0].starts_at.date() == monday
    listing = client.get(f"/h/{hub.slug}/cohorts").get_data(as_text=True)
    assert f"starts {monday:%d %b %Y}" in listing


def test_a_check_in_with_a_control_character_is_refused_with_the_reason_shown(app, client):
    import time_machine
    from microhub import jobs

    hub, _ = organizer_of()
    cohort = make_cohort(hub, weeks=3)
    member = enrolled_members(cohort)[0]
    with time_machine.travel(cohort.sessions[0].starts_at + timedelta(minutes=5), tick=False):
        jobs.tick()
        db.session.commit()
        client.login(member.email)
        url = f"/h/{hub.slug}/cohorts/{cohort.id}/weeks/1"
        response = client.submit(url, {"progress": "Shipped\x00", "blocker": "", "next_step": "More"})
    assert response.status_code == 400 and "control characters" in response.get_data(as_text=True)
