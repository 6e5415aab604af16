"""Roles per hub: who may see and change what, and attempts to cross from one hub to another."""
import pytest

from microhub.extensions import db
from microhub.hubs.models import Hub, HubRole, Role

from ..factories import HubFactory, RoleFactory, UserFactory, member_of, organizer_of

SETTINGS = {"name": "Taken over", "purpose": "x", "cap": "99", "currency": "EUR", "timezone": "UTC",
            "promises": "", "rituals": "", "rules": ""}


@pytest.fixture
def two_hubs():
    mine, me = organizer_of(slug="mine", cap=10)
    theirs, them = organizer_of(slug="theirs", cap=10)
    return mine, me, theirs, them


@pytest.mark.parametrize("path", ["/manage", "/manage/settings", "/manage/team"])
def test_organizer_of_one_hub_cannot_open_another_hubs_management_pages(client, two_hubs, path):
    mine, me, theirs, _ = two_hubs
    client.login(me.email)
    assert client.get(f"/h/mine{path}").status_code == 200
    assert client.get(f"/h/theirs{path}").status_code == 403


def test_organizer_cannot_change_another_hubs_settings(client, two_hubs):
    _, me, theirs, _ = two_hubs
    client.login(me.email)
    response = client.submit("/h/theirs/manage/settings", SETTINGS, form_url="/h/mine/manage/settings")
    assert response.status_code == 403
    db.session.refresh(theirs)
    assert (theirs.name, theirs.cap) != ("Taken over", 99)


def test_role_id_from_another_hub_cannot_be_removed_through_my_hub(client, two_hubs):
    _, me, theirs, them = two_hubs
    their_grant = db.session.scalar(db.select(HubRole).filter_by(hub_id=theirs.id))
    extra = RoleFactory(hub=theirs, role=Role.MODERATOR)
    client.login(me.email)
    for grant_id in (their_grant.id, extra.id):
        response = client.submit(f"/h/mine/manage/team/{grant_id}/remove", {}, form_url="/h/mine/manage/team")
        assert response.status_code == 302
    assert db.session.scalar(db.select(db.func.count(HubRole.id)).filter_by(hub_id=theirs.id)) == 2


def test_member_cannot_open_organizer_pages(client):
    hub, _ = organizer_of(slug="club")
    member = member_of(hub)
    client.login(member.email)
    assert "You are a member" in client.get("/h/club").get_data(as_text=True)
    for path in ("/manage", "/manage/settings", "/manage/team"):
        assert client.get(f"/h/club{path}").status_code == 403
    response = client.submit("/h/club/manage/settings", SETTINGS, form_url="/account/profile")
    assert response.status_code == 403
    assert db.session.get(Hub, hub.id).name != "Taken over"


def test_moderator_sees_the_member_list_but_not_settings_or_team(client):
    hub, _ = organizer_of(slug="club")
    member = member_of(hub)
    moderator = UserFactory()
    RoleFactory(hub=hub, user=moderator, role=Role.MODERATOR)
    client.login(moderator.email)
    overview = client.get("/h/club/manage")
    assert overview.status_code == 200 and member.email in overview.get_data(as_text=True)
    assert client.get("/h/club/manage/settings").status_code == 403
    assert client.get("/h/club/manage/team").status_code == 403


def test_sponsor_contact_is_not_staff(client):
    hub, _ = organizer_of(slug="club")
    sponsor = UserFactory()
    RoleFactory(hub=hub, user=sponsor, role=Role.SPONSOR_CONTACT)
    client.login(sponsor.email)
    assert client.get("/h/club/manage").status_code == 403


def test_visitor_is_asked_to_log_in_for_management_pages(client):
    organizer_of(slug="club")
    response = client.get("/h/club/manage/settings")
    assert response.status_code == 302 and "/login" in response.headers["Location"]


def test_organizer_grants_and_revokes_a_moderator(client):
    hub, organizer = organizer_of(slug="club")
    helper = UserFactory(email="helper@example.org")
    client.login(organizer.email)
    response = client.submit("/h/club/manage/team", {"email": "HELPER@example.org", "role": "moderator"})
    assert response.status_code == 302
    grant = db.session.scalar(db.select(HubRole).filter_by(hub_id=hub.id, user_id=helper.id))
    assert grant.role is Role.MODERATOR and grant.granted_by_id == organizer.id
    again = client.submit("/h/club/manage/team", {"email": helper.email, "role": "moderator"})
    assert again.status_code == 400 and "already" in again.get_data(as_text=True)
    grant_id = grant.id
    client.submit(f"/h/club/manage/team/{grant_id}/remove", {}, form_url="/h/club/manage/team")
    assert db.session.scalar(db.select(HubRole).filter_by(id=grant_id)) is None


def test_granting_to_an_unknown_email_or_the_member_role_is_refused(client):
    hub, organizer = organizer_of(slug="club")
    client.login(organizer.email)
    unknown = client.submit("/h/club/manage/team", {"email": "ghost@example.org", "role": "moderator"})
    assert unknown.status_code == 400 and "Nobody has an account" in unknown.get_data(as_text=True)
    member_role = client.submit("/h/club/manage/team", {"email": organizer.email, "role": "member"})
    assert member_role.status_code == 400
    assert db.session.scalar(db.select(db.func.count(HubRole.id)).filter_by(hub_id=hub.id)) == 1


def test_the_last_organizer_cannot_be_removed(client):
    hub, organizer = organizer_of(slug="club")
    grant = db.session.scalar(db.select(HubRole).filter_by(hub_id=hub.id))
    client.login(organizer.email)
    response = client.submit(f"/h/club/manage/team/{grant.id}/remove", {}, form_url="/h/club/manage/team",
                             follow_redirects=True)
    assert "at least one organizer" in response.get_data(as_text=True)
    assert db.session.get(HubRole, grant.id) is not None


def test_public_page_and_api_show_seats_taken_and_left(client):
    hub = HubFactory(slug="club", cap=3)
    member_of(hub)
    page = client.get("/h/club").get_data(as_text=True)
    assert "<strong>1</strong> of 3 seats taken" in page and "<strong>2</strong> left" in page
    data = client.get("/api/v1/hubs/club").get_json()
    assert {k: data[k] for k in ("name", "purpose", "cap", "seats_taken", "seats_left", "waitlist_count")} == {
        "name": hub.name, "purpose": hub.purpose, "cap": 3, "seats_taken": 1, "seats_left": 2, "waitlist_count": 0}
    assert data["plans"] == []


def test_landing_page_lists_public_hubs_only(client):
    HubFactory(name="Open Circle", is_public=True)
    HubFactory(name="Hidden Circle", is_public=False)
    page = client.get("/").get_data(as_text=True)
    assert "Open Circle" in page and "Hidden Circle" not in page
