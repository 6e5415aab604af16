"""Each row of the organizer's member list says who, since which day in the hub's zone, in which state; a member with
a subscription gets their own "advance to renewal" form under a test clock; page links are the ones url_for builds."""
import re
from datetime import datetime, timezone

from flask import url_for

from microhub.extensions import db
from microhub.hubs.models import HubRole, Role
from microhub.hubpage.overview import numbered
from microhub.memberships.models import Membership, MembershipStatus

from ..factories import UserFactory, member_of, organizer_of


def cells(html: str) -> list[list[str]]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    return [[re.sub(r"\s+", " ", cell).strip() for cell in re.findall(r"<td>(.*?)</td>", row, re.S)]
            for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)]


def membership(user) -> Membership:
    return db.session.scalar(db.select(Membership).filter_by(user_id=user.id))


def test_a_row_shows_name_email_the_local_day_and_the_state(client):
    hub, organizer = organizer_of(slug="club", timezone="Pacific/Auckland", cap=10)
    ada = member_of(hub, UserFactory(name="Ada <Lovelace>", email="ada@example.org"))
    grace = member_of(hub, UserFactory(name="Grace", email="grace@example.org"))
    late = membership(ada)
    late.activated_at = datetime(2026, 3, 1, 11, 30, tzinfo=timezone.utc)  # 2 March, 00:30 in Auckland
    owing = membership(grace)
    owing.activated_at = datetime(2026, 4, 4, 13, 30, tzinfo=timezone.utc)  # 5 April 01:30, the day summer time ends
    owing.status, owing.cancel_at_period_end = MembershipStatus.PAST_DUE, True
    db.session.commit()
    client.login(organizer.email)
    rows = cells(client.get("/h/club/manage").get_data(as_text=True))
    assert [row[:4] for row in rows] == [
        ["Ada &lt;Lovelace&gt;", "ada@example.org", "02 Mar 2026", "active"],
        ["Grace", "grace@example.org", "05 Apr 2026", "past due (ends at period end)"]]


def test_each_subscribed_member_has_an_advance_form_of_their_own_for_an_organizer(app, client):
    hub, organizer = organizer_of(slug="club", cap=10)
    subscribed = [member_of(hub) for _ in range(3)]
    member_of(hub)  # admitted without paying: nothing to advance
    for n, user in enumerate(subscribed):
        membership(user).subscription_ref = f"sub_test_{n}"
    moderator = UserFactory()
    db.session.add(HubRole(hub_id=hub.id, user_id=moderator.id, role=Role.MODERATOR))
    db.session.commit()
    client.login(organizer.email)
    html = client.get("/h/club/manage").get_data(as_text=True)
    forms = re.findall(r'<form method="post" action="([^"]+)" class="inline">\s*(<input[^>]*>)', html)
    assert [action for action, _ in forms] == [f"/h/club/manage/members/{membership(u).id}/advance" for u in subscribed]
    assert all('name="csrf_token"' in token and token == forms[0][1] for _, token in forms)
    client.submit("/logout", {})
    client.login(moderator.email)
    assert "Advance to renewal" not in client.get("/h/club/manage").get_data(as_text=True)


def test_numbered_links_are_the_ones_url_for_builds(app):
    with app.test_request_context():
        for slug, search in [("club", None), ("club-12", "1 2"), ("21", "page=2&x=1"), ("a-1", "12%_")]:
            page = lambda n: url_for("hubpage.manage", slug=slug, page=n, q=search)
            advance = lambda n: url_for("memberships.advance", slug=slug, membership_id=n)
            for link in (page, advance):
                made = numbered(link)
                assert [made(n) for n in (1, 2, 3, 9, 10, 11, 99, 100, 12345)] == \
                       [link(n) for n in (1, 2, 3, 9, 10, 11, 99, 100, 12345)]
    for odd in (lambda n: f"/list/{n:03d}", lambda n: f"/list/{n}?again={n}"):  # each link is then built as asked
        assert [numbered(odd)(n) for n in (3, 12, 456)] == [odd(n) for n in (3, 12, 456)]


def test_a_search_past_its_last_page_shows_its_last_page(client):
    from microhub.memberships.queries import MEMBERS_PER_PAGE

    hub, organizer = organizer_of(slug="club", cap=MEMBERS_PER_PAGE + 10)
    twins = [member_of(hub, UserFactory(name=f"Twin {n:03d}")) for n in range(MEMBERS_PER_PAGE + 2)]
    member_of(hub, UserFactory(name="Someone Else"))
    client.login(organizer.email)
    html = client.get("/h/club/manage?q=twin&page=7").get_data(as_text=True)
    assert [row[0] for row in cells(html)] == [t.name for t in twins[MEMBERS_PER_PAGE:]]
    assert f"Members ({MEMBERS_PER_PAGE + 2} matching" in html and "Page 2 of 2" in html
