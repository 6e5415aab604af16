"""On a hub page marked `person.asks`, the signed-in person's login, the hub, their roles and the page's checks are one
statement: whatever it finds is exactly what the rows say (an ended login opens nothing, a role taken away is gone on
the next page, an unknown hub is a 404), and nothing about the person is asked twice."""
from microhub.accounts import logins
from microhub.accounts.models import LoginSession
from microhub.extensions import db
from microhub.hubs.models import HubRole, Role

from ..factories import member_of, organizer_of
from ..helpers import get_with_statements, signed_in
from ..payments.helpers import hub_with_plan


def test_a_members_page_reads_login_hub_and_roles_in_one_statement(app):
    hub, _ = hub_with_plan(cap=10)
    client = signed_in(app, member_of(hub))
    response, seen = get_with_statements(app, client, f"/h/{hub.slug}")
    about_the_person = [s for s in seen if "login_sessions" in s or "hub_roles" in s]
    assert len(about_the_person) == 1 and "hub_roles" in about_the_person[0] and "login_sessions" in about_the_person[0]
    assert "Leave" in response.get_data(as_text=True) or "member" in response.get_data(as_text=True).lower()


def test_the_overview_reads_login_hub_and_roles_in_one_statement_and_follows_a_role_taken_away(app):
    hub, _ = hub_with_plan(cap=10)
    _, organizer = organizer_of(hub)
    client = signed_in(app, organizer)
    response, seen = get_with_statements(app, client, f"/h/{hub.slug}/manage")
    assert len([s for s in seen if "login_sessions" in s or "hub_roles" in s]) == 1
    db.session.execute(db.delete(HubRole).where(HubRole.hub_id == hub.id, HubRole.user_id == organizer.id,
                                                HubRole.role == Role.ORGANIZER))
    db.session.commit()
    assert client.get(f"/h/{hub.slug}/manage").status_code == 403


def test_an_ended_login_opens_no_hub_page_and_an_unknown_hub_is_a_404(app):
    hub, _ = hub_with_plan(cap=10)
    _, organizer = organizer_of(hub)
    client = signed_in(app, organizer)
    assert client.get(f"/h/{hub.slug}/manage").status_code == 200
    assert client.get("/h/no-such-hub/manage").status_code == 404
    assert client.get("/h/no-such-hub").status_code == 404
    db.session.execute(db.delete(LoginSession).where(LoginSession.user_id == organizer.id))
    db.session.commit()
    gone = client.get(f"/h/{hub.slug}/manage")
    assert gone.status_code == 302 and "/login" in gone.headers["Location"]
    page = client.get(f"/h/{hub.slug}").get_data(as_text=True)
    assert "Log in" in page or "log in" in page


def test_the_token_is_kept_on_the_person_so_signing_out_everywhere_else_keeps_this_browser(app):
    hub, _ = hub_with_plan(cap=10)
    me = member_of(hub)
    client = signed_in(app, me)
    other = signed_in(app, me)
    assert client.get(f"/h/{hub.slug}").status_code == 200
    assert db.session.scalar(db.select(db.func.count(LoginSession.id)).filter_by(user_id=me.id)) == 2
    token_rows = {row.token_hash for row in db.session.scalars(db.select(LoginSession).filter_by(user_id=me.id))}
    assert len(token_rows) == 2 and all(len(t) == 64 for t in token_rows)
    assert other.get(f"/h/{hub.slug}").status_code == 200
    assert logins.user_for("not-a-token") is None
