"""A signed-in person's hub page is the page kept for their kind (staff or not, member or not) for the hub's face,
filled with their own name, member side and click links: nobody ever sees another person's parts, the page is
rendered once per kind and face, and it follows the hub within the face's bound. A page with a form on it (the
waitlist place) or a flashed message is rendered for the person in full."""
import pytest
from flask import template_rendered
from markupsafe import escape

from microhub.cohorts import enrollment
from microhub.extensions import db
from microhub.memberships.models import WaitlistEntry

from ..cohorts.helpers import make_cohort
from ..factories import UserFactory, member_of, organizer_of
from ..helpers import signed_in
from ..payments.helpers import hub_with_plan
from .test_cache_hub_face import eventually


@pytest.fixture
def cached(app_factory):
    return app_factory(HUB_PAGE_CACHE_SECONDS=1.0)


@pytest.fixture
def rendered(cached):
    names: list[str] = []

    def note(sender, template, context, **extra):
        names.append(template.name)

    template_rendered.connect(note, cached)
    yield names
    template_rendered.disconnect(note, cached)


def test_two_members_get_their_own_name_zone_and_cohorts_from_one_kept_page(cached, rendered):
    hub, _ = hub_with_plan(cap=10)
    ada = member_of(hub, UserFactory(name="Ada <b>Lovelace</b>", timezone="Asia/Tokyo"))
    bob = member_of(hub, UserFactory(name="Bob Byte", timezone="America/Lima"))
    cohort = make_cohort(hub, title="Morning writers")
    enrollment.enroll(cohort, ada)
    db.session.commit()
    url = f"/h/{hub.slug}"
    ada_client, bob_client = signed_in(cached, ada), signed_in(cached, bob)
    rendered.clear()
    pages = {who: client.get(url).get_data(as_text=True) for who, client in (("ada", ada_client), ("bob", bob_client))}
    assert rendered.count("hubpage/show.html") == 1 and rendered.count("hubpage/_member.html") == 2
    assert "Ada &lt;b&gt;Lovelace&lt;/b&gt;" in pages["ada"] and "<b>Lovelace" not in pages["ada"]
    assert "Asia/Tokyo" in pages["ada"] and "Morning writers" in pages["ada"]
    assert "Bob Byte" in pages["bob"] and "America/Lima" in pages["bob"]
    assert "Lovelace" not in pages["bob"] and "Asia/Tokyo" not in pages["bob"] and "Morning writers" not in pages["bob"]
    assert "You are a member" in pages["bob"] and "Manage this hub" not in pages["bob"]
    assert "mh-" not in pages["ada"] + pages["bob"]  # every blank filled


def test_staff_and_members_get_the_page_of_their_kind_and_it_follows_the_hub(cached):
    hub, _ = hub_with_plan(cap=10, name="Before")
    _, organizer = organizer_of(hub)
    member = member_of(hub)
    staff_client, member_client = signed_in(cached, organizer), signed_in(cached, member)
    url = f"/h/{hub.slug}"
    assert "Manage this hub" in staff_client.get(url).get_data(as_text=True)
    assert "Manage this hub" not in member_client.get(url).get_data(as_text=True)
    hub.name = "After"
    db.session.commit()
    for client in (staff_client, member_client):
        eventually(client, url, lambda r: "<h1>After</h1>" in r.get_data(as_text=True))


def test_a_waiting_person_gets_their_place_and_form_rendered_for_them(cached):
    hub, _ = hub_with_plan(cap=1)
    member_of(hub)
    waiting = UserFactory()
    db.session.add(WaitlistEntry(hub_id=hub.id, user_id=waiting.id, rank=1.0))
    db.session.commit()
    client = signed_in(cached, waiting)
    page = client.get(f"/h/{hub.slug}").get_data(as_text=True)
    assert "You are number <strong>1</strong> on the waitlist" in page and 'name="csrf_token"' in page
    assert str(escape(waiting.name)) in page
