"""`microhub demo` loads the demo hub and can run again without duplicating anything."""
from datetime import timedelta

from microhub.accounts.models import User
from microhub.demo import ORGANIZER_EMAIL, ORGANIZER_PASSWORD
from microhub.extensions import db
from microhub.hubs.models import Hub, HubRole, Role
from microhub.memberships.models import Membership

from .mail import mails


def counts():
    return tuple(db.session.scalar(db.select(db.func.count()).select_from(m)) for m in (User, Hub, HubRole, Membership))


def test_demo_command_is_idempotent_and_prints_the_organizer_login(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["demo"])
    assert first.exit_code == 0, first.output
    assert ORGANIZER_EMAIL in first.output and ORGANIZER_PASSWORD in first.output
    after_first = counts()
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert counts() == after_first
    hub = db.session.scalar(db.select(Hub).filter_by(slug="demo"))
    assert hub.seats_taken == 4 and hub.cap >= 15
    organizer = db.session.scalar(db.select(User).filter_by(email=ORGANIZER_EMAIL))
    assert db.session.scalar(db.select(HubRole.role).filter_by(hub_id=hub.id, user_id=organizer.id)) is Role.ORGANIZER


def test_demo_organizer_can_log_in_with_the_printed_password(app, client):
    app.test_cli_runner().invoke(args=["demo"])
    client.login(ORGANIZER_EMAIL, ORGANIZER_PASSWORD)
    assert client.get("/h/demo/manage").status_code == 200


def test_demo_has_a_running_cohort_whose_next_reminder_and_check_in_prompt_come_with_the_first_tick(app):
    import time_machine

    from microhub import jobs
    from microhub.cohorts.models import Cohort, CohortStatus
    from microhub.database import utcnow

    app.test_cli_runner().invoke(args=["demo"])
    cohorts = {c.title: c for c in db.session.scalars(db.select(Cohort))}
    running = next(c for c in cohorts.values() if c.status is CohortStatus.RUNNING)
    assert running.seats_taken == 4 and any(c.status is CohortStatus.OPEN for c in cohorts.values())
    jobs.tick()
    subjects = [m.subject for m in mails()]
    assert subjects.count(f"{running.title}: week 3 meets tomorrow") == 4
    # Two demo members checked in for week 2 already: only the other two are asked.
    assert subjects.count(f"{running.title}: your week 2 check-in") == 2
    with time_machine.travel(running.sessions[2].starts_at - timedelta(minutes=50), tick=False):
        jobs.tick()
    subjects = [m.subject for m in mails()]
    assert subjects.count(f"{running.title}: week 3 meets in an hour") == 4
    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(db.select(db.func.count(Cohort.id))) == 2
    assert running.sessions[2].starts_at > utcnow()


def test_demo_has_twelve_months_of_money_written_once_with_an_intact_chain(app):
    from microhub.ledger import chain
    from microhub.ledger.models import Account, GroupKind, LedgerEntry, LedgerGroup

    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    groups = db.session.scalar(db.select(db.func.count(LedgerGroup.id)))
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(db.select(db.func.count(LedgerGroup.id))) == groups  # nothing written twice
    hub = db.session.scalar(db.select(Hub).filter_by(slug="demo"))
    assert db.session.scalar(db.select(db.func.count(db.distinct(LedgerEntry.month)))
                             .where(LedgerEntry.hub_id == hub.id)) == 12
    kinds = set(db.session.scalars(db.select(LedgerGroup.kind).where(LedgerGroup.hub_id == hub.id)))
    assert kinds == {GroupKind.PAYMENT, GroupKind.REFUND, GroupKind.EXPENSE, GroupKind.DONATION, GroupKind.AWARD}
    assert not db.session.scalar(db.select(db.func.count(LedgerGroup.id)).filter_by(hub_id=hub.id, adjustment=True))
    spent = set(db.session.scalars(db.select(LedgerEntry.account).where(LedgerEntry.hub_id == hub.id)))
    assert {Account.TOOLS, Account.MODERATION, Account.EVENTS, Account.SCHOLARSHIPS} <= spent
    assert chain.verify(hub.id).ok
    from microhub.ledger.report_models import MonthReport

    assert db.session.scalar(db.select(db.func.count(MonthReport.id)).filter_by(hub_id=hub.id)) == 11


def test_demo_has_scholarship_seats_a_funded_fund_with_donors_and_one_scholarship_member(app):
    from microhub.ledger import fund
    from microhub.ledger.models import GroupKind, LedgerGroup
    from microhub.scholarships.models import ApplicationStatus, ScholarshipApplication

    app.test_cli_runner().invoke(args=["demo"])
    hub = db.session.scalar(db.select(Hub).filter_by(slug="demo"))
    assert (hub.scholarship_seats, hub.scholarship_seats_taken, hub.seats_taken) == (3, 1, 4)
    scholars = db.session.scalars(db.select(Membership).filter_by(hub_id=hub.id, scholarship=True)).all()
    assert len(scholars) == 1 and scholars[0].status.value == "active"
    statuses = set(db.session.scalars(db.select(ScholarshipApplication.status)))
    assert statuses == {ApplicationStatus.ACTIVE, ApplicationStatus.SUBMITTED}
    donors = [g.details.get("donor") for g in db.session.scalars(
        db.select(LedgerGroup).filter_by(hub_id=hub.id, kind=GroupKind.DONATION))]
    assert "Lin T." in donors and None in donors
    assert fund.balance(hub.id, "EUR") > 0


def test_demo_has_two_sponsors_with_live_placements_and_weeks_of_figures(app, client):
    from microhub.sponsors.demo import SPONSOR_EMAIL, SPONSOR_PASSWORD
    from microhub.sponsors.models import Placement, PlacementDay, PlacementStatus, Sponsor

    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    assert runner.invoke(args=["demo"]).exit_code == 0
    assert db.session.scalar(db.select(db.func.count(Sponsor.id))) == 2
    live = db.session.scalars(db.select(Placement).filter_by(status=PlacementStatus.LIVE)).all()
    assert len(live) == 3
    days = db.session.scalar(db.select(db.func.count(PlacementDay.id)))
    assert days >= 40 and db.session.scalar(db.select(db.func.count(PlacementDay.id)).filter_by(final=True)) < days
    assert "Toolsmiths Co-op" in client.get("/h/demo").get_data(as_text=True)
    client.login(SPONSOR_EMAIL, SPONSOR_PASSWORD)
    assert "Toolsmiths Co-op" in client.get("/sponsor").get_data(as_text=True)


def test_demo_members_see_the_scheduled_rituals_with_their_links_and_visitors_do_not(app, client):
    from microhub.demo import MEMBER_PASSWORD
    from microhub.hubs.rituals import hub_rituals

    runner = app.test_cli_runner()
    runner.invoke(args=["demo"])
    runner.invoke(args=["demo"])
    hub = db.session.scalar(db.select(Hub).filter_by(slug="demo"))
    assert [r.title for r in hub_rituals(hub.id)] == ["Monday kick-off call", "Thursday code reading"]
    assert "meet.example.org" not in client.get("/h/demo").get_data(as_text=True)
    client.login("ada@demo.microhub.local", MEMBER_PASSWORD)
    page = client.get("/h/demo").get_data(as_text=True)
    assert "Thursday code reading" in page and "https://meet.example.org/slow-code-reading" in page
