"""The organizer's overview lists the members a page at a time (longest-standing first) and finds one by name or
e-mail; the pages are links in a labelled nav with the current one marked."""
import re

from microhub.memberships.queries import MEMBERS_PER_PAGE

from ..factories import UserFactory, member_of, organizer_of


def rows(html: str) -> list[str]:
    body = html.split("<tbody>", 1)[1].split("</tbody>", 1)[0] if "<tbody>" in html else ""
    return re.findall(r"<tr><td>(.*?)</td>", body)


def test_the_member_list_comes_a_page_at_a_time_with_the_total(client):
    hub, organizer = organizer_of(slug="club", cap=MEMBERS_PER_PAGE + 20)
    members = [member_of(hub, UserFactory(name=f"Person {n:03d}")) for n in range(MEMBERS_PER_PAGE + 5)]
    client.login(organizer.email)
    first = client.get("/h/club/manage").get_data(as_text=True)
    assert f"Members ({MEMBERS_PER_PAGE + 5})" in first
    assert rows(first) == [m.name for m in members[:MEMBERS_PER_PAGE]]
    nav = first.split('<nav class="pages" aria-label="Pages of the member list">', 1)[1].split("</nav>", 1)[0]
    assert "Page 1 of 2" in nav and 'href="/h/club/manage?page=2" rel="next"' in nav
    assert re.search(r'page=1" aria-current="page"', nav) and "rel=\"prev\"" not in nav
    second = client.get("/h/club/manage?page=2").get_data(as_text=True)
    assert rows(second) == [m.name for m in members[MEMBERS_PER_PAGE:]]
    assert 'page=2" aria-current="page"' in second and 'rel="prev"' in second and 'rel="next"' not in second


def test_a_page_out_of_range_or_not_a_number_shows_a_page_that_exists(client):
    hub, organizer = organizer_of(slug="club", cap=MEMBERS_PER_PAGE + 5)
    members = [member_of(hub) for _ in range(MEMBERS_PER_PAGE + 2)]
    client.login(organizer.email)
    first, last = members[:MEMBERS_PER_PAGE], members[MEMBERS_PER_PAGE:]
    for query, names in [("page=abc", first), ("page=-3", first), ("page=99", last), ("page=" + "9" * 30, last)]:
        response = client.get(f"/h/club/manage?{query}")
        assert response.status_code == 200, query
        assert rows(response.get_data(as_text=True)) == [m.name for m in names], query


def test_a_short_list_has_no_page_links(client):
    hub, organizer = organizer_of(slug="club")
    member_of(hub)
    client.login(organizer.email)
    assert '<nav class="pages"' not in client.get("/h/club/manage").get_data(as_text=True)


def test_finding_a_member_by_name_or_email_keeps_the_search_on_the_page_links(client):
    hub, organizer = organizer_of(slug="club", cap=10)
    ada = member_of(hub, UserFactory(name="Ada Lovelace", email="ada@example.org"))
    member_of(hub, UserFactory(name="Grace Hopper", email="grace@navy.example"))
    member_of(hub, UserFactory(name="100% Real", email="real@example.org"))
    client.login(organizer.email)
    assert rows(client.get("/h/club/manage?q=lovelace").get_data(as_text=True)) == [ada.name]
    by_email = client.get("/h/club/manage?q=NAVY.example").get_data(as_text=True)
    assert rows(by_email) == ["Grace Hopper"] and "Members (1 matching “NAVY.example”)" in by_email
    assert rows(client.get("/h/club/manage?q=0%25").get_data(as_text=True)) == ["100% Real"]  # % is a character
    none = client.get("/h/club/manage?q=_").get_data(as_text=True)  # so is _
    assert rows(none) == [] and "No member's name or e-mail contains “_”." in none
    assert 'value="lovelace"' in client.get("/h/club/manage?q=lovelace").get_data(as_text=True)


def test_search_and_paging_together(client):
    hub, organizer = organizer_of(slug="club", cap=MEMBERS_PER_PAGE + 10)
    for n in range(MEMBERS_PER_PAGE + 1):
        member_of(hub, UserFactory(name=f"Twin {n:03d}"))
    member_of(hub, UserFactory(name="Someone Else"))
    client.login(organizer.email)
    first = client.get("/h/club/manage?q=twin").get_data(as_text=True)
    assert f"Members ({MEMBERS_PER_PAGE + 1} matching" in first and "page=2&amp;q=twin" in first
    assert rows(client.get("/h/club/manage?q=twin&page=2").get_data(as_text=True)) == [f"Twin {MEMBERS_PER_PAGE:03d}"]
