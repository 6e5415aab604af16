"""The overview's content is kept per process under exactly what it shows (hubpage.overview.Shown), so it is never
stale: every change to a shown row, the hub, the viewer's role or the mount point is on the very next page; the
test clock's forms, which carry the viewer's CSRF token, are never kept."""
import re
from datetime import datetime, timezone

from microhub.extensions import db
from microhub.hubs.models import HubRole, Role
from microhub.memberships.models import Membership, MembershipStatus

from ..factories import UserFactory, member_of, organizer_of
from .test_overview_rows import cells

KEPT = "microhub.overview_contents"


def kept(app) -> dict:
    """The served app's store, emptied (the served app lives all session: what earlier tests kept is still there)."""
    store = app.extensions.setdefault(KEPT, {})
    store.clear()
    return store


def membership(user) -> Membership:
    return db.session.scalar(db.select(Membership).filter_by(user_id=user.id))


def page(client, path: str = "/h/club/manage") -> str:
    response = client.get(path)
    assert response.status_code == 200
    return response.get_data(as_text=True)


def test_the_same_page_is_rendered_once_and_every_change_shows_on_the_next(app, client):
    hub, organizer = organizer_of(slug="club", name="Club", cap=10, timezone="UTC")
    ada = member_of(hub, UserFactory(name="Ada", email="ada@example.org"))
    membership(ada).activated_at = datetime(2026, 3, 1, 23, 30, tzinfo=timezone.utc)
    db.session.commit()
    client.login(organizer.email)
    store = kept(app)
    assert page(client) == page(client) and len(store) == 1  # kept, not rendered again
    assert cells(page(client))[0][:4] == ["Ada", "ada@example.org", "01 Mar 2026", "active"]

    ada.name, ada.email = "Ada <L>", "lovelace@example.org"
    db.session.commit()
    assert cells(page(client))[0][:2] == ["Ada &lt;L&gt;", "lovelace@example.org"]
    membership(ada).status, membership(ada).cancel_at_period_end = MembershipStatus.PAST_DUE, True
    db.session.commit()
    assert cells(page(client))[0][3] == "past due (ends at period end)"
    hub.timezone = "Pacific/Auckland"  # the day in the hub's zone
    db.session.commit()
    assert cells(page(client))[0][2] == "02 Mar 2026"

    member_of(hub, UserFactory(name="Grace"))
    html = page(client)
    assert [row[0] for row in cells(html)] == ["Ada &lt;L&gt;", "Grace"] and "Members (2)" in html
    assert '<span class="value">2</span><span class="label">seats taken</span>' in html
    hub.name, hub.cap = "Renamed club", 12
    db.session.commit()
    html = page(client)
    assert "<h1>Renamed club</h1>" in html and '<span class="value">12</span><span class="label">cap</span>' in html


def test_each_hub_and_each_role_gets_its_own_page(client):
    club, organizer = organizer_of(slug="club", name="Club")
    other, _ = organizer_of(slug="other", name="Club")
    moderator = UserFactory()
    db.session.add_all([HubRole(hub_id=club.id, user_id=moderator.id, role=Role.MODERATOR),
                        HubRole(hub_id=other.id, user_id=organizer.id, role=Role.ORGANIZER)])
    db.session.commit()
    client.login(organizer.email)
    assert 'href="/h/club/manage/settings"' in page(client)
    assert 'href="/h/other/manage/settings"' in page(client, "/h/other/manage") and "/h/club/" not in \
        page(client, "/h/other/manage")
    client.submit("/logout", {})
    client.login(moderator.email)
    assert "/settings" not in page(client) and 'href="/h/club/manage/waitlist"' in page(client)  # no organizer's tabs


def test_links_start_where_the_app_is_mounted(client):
    hub, organizer = organizer_of(slug="club")
    client.login(organizer.email)
    assert 'href="/h/club/manage/waitlist"' in page(client)
    mounted = client.get("/h/club/manage", base_url="http://localhost/mounted").get_data(as_text=True)
    assert 'href="/mounted/h/club/manage/waitlist"' in mounted and 'href="/h/club/manage/waitlist"' not in mounted
    assert 'href="/h/club/manage/waitlist"' in page(client)


def test_forms_with_a_token_are_each_viewers_own_and_never_kept(app):
    hub, first = organizer_of(slug="club", cap=10)
    second = UserFactory()
    db.session.add(HubRole(hub_id=hub.id, user_id=second.id, role=Role.ORGANIZER))
    membership(member_of(hub)).subscription_ref = "sub_test_1"
    db.session.commit()
    tokens, store = [], kept(app)
    for organizer in (first, second):
        client = app.test_client()
        client.login(organizer.email)
        html = page(client)
        tokens.append(re.search(r'class="inline">\s*<input[^>]*value="([^"]+)"', html).group(1))
    assert tokens[0] != tokens[1] and not store


def test_a_shown_row_is_the_first_columns_of_the_listing_in_their_order(app):
    from microhub.hubpage.overview import MemberShown
    from microhub.memberships.queries import live_members_page

    hub, _ = organizer_of(slug="club")
    member_of(hub)
    for search in ("", "@"):  # either statement: everyone, or a search
        row = live_members_page(hub.id, search=search).members[0]
        assert row._fields[:len(MemberShown._fields)] == MemberShown._fields
