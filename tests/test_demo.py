"""`microhub demo` loads the demo hub and can run again without duplicating anything."""
from microhub.accounts.models import User
from microhub.demo import ORGANIZER_EMAIL, ORGANIZER_PASSWORD
from microhub.extensions import db
from microhub.hubs.models import Hub, HubRole, Role
from microhub.memberships.models import Membership


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
