"""The team page: nobody removes the last organizer (not even themselves), and removal is a confirmed, red step."""
from html import unescape

from microhub.extensions import db
from microhub.hubs.models import HubRole, Role

from ..factories import RoleFactory, organizer_of


def _organizer_grant(hub, user) -> HubRole:
    return db.session.scalar(db.select(HubRole).filter_by(hub_id=hub.id, user_id=user.id, role=Role.ORGANIZER))


def test_the_only_organizer_sees_no_remove_button_beside_their_own_name(client):
    hub, me = organizer_of(slug="solo")
    moderator = RoleFactory(hub=hub, role=Role.MODERATOR)
    client.login(me.email)
    page = client.get("/h/solo/manage/team").get_data(as_text=True)
    mine = _organizer_grant(hub, me)
    assert f"/manage/team/{mine.id}/remove" not in page
    assert "The only organizer" in page
    # Others can still be removed, through a confirmation step with a red button.
    assert f"/manage/team/{moderator.id}/remove" in page
    assert 'class="confirm-step"' in page and 'class="danger small"' in page


def test_the_server_refuses_to_remove_the_last_organizer_with_a_clear_message(client):
    hub, me = organizer_of(slug="solo")
    mine = _organizer_grant(hub, me)
    client.login(me.email)
    response = client.submit(f"/h/solo/manage/team/{mine.id}/remove", {}, form_url="/h/solo/manage/team",
                             follow_redirects=True)
    assert "You can't remove yourself: a hub needs at least one organizer." in unescape(response.get_data(as_text=True))
    assert _organizer_grant(hub, me) is not None


def test_with_a_second_organizer_one_may_leave_the_team(client):
    hub, me = organizer_of(slug="pair")
    RoleFactory(hub=hub, role=Role.ORGANIZER)
    mine = _organizer_grant(hub, me)
    client.login(me.email)
    page = client.get("/h/pair/manage/team").get_data(as_text=True)
    assert f"/manage/team/{mine.id}/remove" in page and "Yes, stop being organizer" in page
    response = client.submit(f"/h/pair/manage/team/{mine.id}/remove", {}, form_url="/h/pair/manage/team")
    assert response.status_code == 302
    assert _organizer_grant(hub, me) is None


def test_manage_pages_carry_breadcrumbs_and_tabs_including_plan_edit(client):
    from ..payments.helpers import hub_with_plan

    hub, plan = hub_with_plan(slug="owls", name="Night Owls")
    _, me = organizer_of(hub)
    client.login(me.email)
    page = client.get(f"/h/owls/manage/plans/{plan.id}").get_data(as_text=True)
    assert 'aria-label="Breadcrumb"' in page and 'aria-label="Manage Night Owls"' in page
    assert f'<span aria-current="page">{plan.name}</span>' in page
    assert '/h/owls/manage/plans"' in page  # the trail and the tabs lead back
    for path in ("/manage", "/manage/team", "/manage/settings", "/manage/cohorts", "/manage/money"):
        assert 'aria-label="Breadcrumb"' in client.get(f"/h/owls{path}").get_data(as_text=True), path
