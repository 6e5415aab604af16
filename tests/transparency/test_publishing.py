"""Organizers publish closed months in order from their reports page; members hear of it once, unless they
opted out; everyone else is refused; a month left unpublished reminds the organizers exactly once."""
from __future__ import annotations

from datetime import date

import pytest
import time_machine

from microhub import jobs
from microhub.audit import AuditEntry
from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.ledger.report_models import MonthReport, ReportOptOut, ReportReminder

from ..factories import RoleFactory, UserFactory, member_of, organizer_of
from ..helpers import person_as, signed_in
from ..mail import mails
from .helpers import at, three_months

NOW = at(2026, 4, 10)
URL = "/h/owls/manage/money/reports"


@pytest.fixture
def world(app):
    with time_machine.travel(NOW, tick=False):
        hub, organizer = organizer_of(slug="owls", name="Night Owls")
        three_months(hub)
        members = [member_of(hub) for _ in range(3)]
        yield hub, organizer, members


def test_an_organizer_publishes_and_each_member_gets_one_email_with_a_link(app, world):
    _, organizer, members = world
    client = signed_in(app, organizer)
    page = client.get(URL).get_data(as_text=True)
    assert "Publish January 2026" in page and "Publish February 2026" not in page
    response = client.submit(URL, {"month": "2026-01", "note": "Quiet month."})
    assert response.status_code == 302
    report = db.session.scalar(db.select(MonthReport))
    assert (report.month, report.note, report.published_by_id) == (date(2026, 1, 1), "Quiet month.", organizer.id)
    for member in members:
        [mail] = mails(member.email)
        assert "January 2026" in mail.subject and "/h/owls/transparency#m-2026-01" in mail.body_text
        assert "/h/owls/report-emails" in mail.body_text
    assert mails(organizer.email) == []
    entry = db.session.scalar(db.select(AuditEntry).filter_by(action="report.published"))
    assert (entry.actor_id, entry.details) == (organizer.id, {"month": "2026-01-01"})


def test_members_who_opted_out_get_no_email(app, world):
    _, organizer, members = world
    quiet = signed_in(app, members[0])
    assert quiet.get("/h/owls/report-emails").status_code == 200
    assert db.session.scalar(db.select(db.func.count(ReportOptOut.id))) == 0  # looking changes nothing
    assert quiet.submit("/h/owls/report-emails", {"choice": "stop"}).status_code == 302
    signed_in(app, organizer).submit(URL, {"month": "2026-01", "note": ""})
    assert mails(members[0].email) == []
    assert [len(mails(m.email)) for m in members[1:]] == [1, 1]
    quiet.submit("/h/owls/report-emails", {"choice": "send"})
    assert db.session.scalar(db.select(db.func.count(ReportOptOut.id))) == 0


def test_the_opt_out_needs_its_csrf_token(app, world):
    _, _, members = world
    client = signed_in(app, members[0])
    assert client.post("/h/owls/report-emails", data={"choice": "stop"}).status_code == 400
    assert db.session.scalar(db.select(db.func.count(ReportOptOut.id))) == 0


def test_months_are_published_in_order_and_once(app, world):
    _, organizer, members = world
    client = signed_in(app, organizer)
    response = client.submit(URL, {"month": "2026-02", "note": ""})
    assert response.status_code == 400 and "Publish January 2026 first" in response.get_data(as_text=True)
    assert client.submit(URL, {"month": "2026-01", "note": ""}).status_code == 302
    again = client.submit(URL, {"month": "2026-01", "note": ""})
    assert again.status_code == 409 and "published already" in again.get_data(as_text=True)
    running = client.submit(URL, {"month": "2026-04", "note": ""})
    assert running.status_code == 400 and "not over yet" in running.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(MonthReport.id))) == 1
    assert len(mails(members[0].email)) == 1


@pytest.mark.parametrize("who", ["visitor", "member", "moderator", "other_organizer"])
def test_only_the_hubs_organizers_reach_the_publish_page(app, world, who):
    hub, _, members = world
    user = person_as(hub, who, member=members[0])
    client = signed_in(app, user)
    expected = 302 if user is None else 403
    assert client.get(URL).status_code == expected
    token = client.csrf_token("/login" if user is None else "/account/profile")
    assert client.post(URL, data={"csrf_token": token, "month": "2026-01"}).status_code == expected
    assert db.session.scalar(db.select(db.func.count(MonthReport.id))) == 0


def test_an_unpublished_month_reminds_the_organizers_once_fifteen_days_after_it_ended(app, world):
    hub, organizer, _ = world
    second = UserFactory()
    RoleFactory(hub=hub, user=second, role=Role.ORGANIZER)
    with time_machine.travel(at(2026, 1, 31), tick=False):
        jobs.tick()
    with time_machine.travel(at(2026, 2, 14), tick=False):  # 13 days after January ended: not yet
        jobs.tick()
    assert mails(organizer.email) == []
    with time_machine.travel(at(2026, 2, 16), tick=False):
        jobs.tick()
        jobs.tick()
    for person in (organizer, second):
        assert [m.subject for m in mails(person.email)] == ["Night Owls: the report for January 2026 is waiting"]
    with time_machine.travel(NOW, tick=False):  # February is overdue by now, March not yet; January was reminded
        jobs.tick()
        jobs.tick()
    assert len(mails(organizer.email)) == 2
    with time_machine.travel(at(2026, 4, 17), tick=False):
        jobs.tick()
    assert [m.subject.split("report for ")[1] for m in mails(organizer.email)] == [
        "January 2026 is waiting", "February 2026 is waiting", "March 2026 is waiting"]
    assert db.session.scalar(db.select(db.func.count(ReportReminder.id))) == 3
