"""The hub page's main action depends on who looks: staff manage (never join), members are in, people waiting
see their place and can leave the line, and a hub with no open plan says it is not open yet."""
from microhub.extensions import db
from microhub.memberships import waitlist

from ..factories import PlanFactory, UserFactory, member_of, organizer_of
from ..helpers import signed_in


def test_the_organizer_sees_manage_and_never_join(app):
    hub, organizer = organizer_of(slug="ours")
    PlanFactory(hub=hub)
    page = signed_in(app, organizer).get("/h/ours").get_data(as_text=True)
    assert "Manage this hub" in page and "Join " not in page and "join the waitlist" not in page


def test_a_hub_without_an_open_plan_is_not_open_yet(app):
    hub, _ = organizer_of(slug="fresh")
    page = signed_in(app, None).get("/h/fresh").get_data(as_text=True)
    assert "Not open yet" in page and "/h/fresh/join" not in page
    PlanFactory(hub=hub)
    assert "/h/fresh/join" in signed_in(app, None).get("/h/fresh").get_data(as_text=True)


def test_someone_waiting_sees_their_place_and_can_leave_the_line(app):
    hub, _ = organizer_of(slug="full", cap=1)
    PlanFactory(hub=hub)
    member_of(hub)
    person = UserFactory()
    waitlist.join(hub, person)
    db.session.commit()
    client = signed_in(app, person)
    page = client.get("/h/full").get_data(as_text=True)
    assert "number <strong>1</strong> on the waitlist" in page and "Full: join the waitlist" not in page
    response = client.submit("/h/full/waitlist/leave", {}, form_url="/h/full")
    assert response.status_code == 302
    assert "Full: join the waitlist" in client.get("/h/full").get_data(as_text=True)


def test_a_visitors_hub_page_sets_no_cookie_and_the_old_icon_address_leads_to_the_icon(app, client):
    hub, _ = organizer_of(slug="quiet")
    PlanFactory(hub=hub)
    response = client.get("/h/quiet")
    assert "Set-Cookie" not in response.headers
    icon = client.get("/favicon.ico")
    assert icon.status_code == 301 and icon.headers["Location"].endswith("/static/favicon.svg")
    assert client.get(icon.headers["Location"]).status_code == 200
