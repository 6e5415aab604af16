"""The public hub page and its JSON run a fixed number of SQL statements, however many members there are."""
import pytest
from sqlalchemy import event

from microhub.extensions import db

from ..factories import member_of
from ..payments.helpers import hub_with_plan


def statements_for(app, client, path: str) -> int:
    seen = []

    def count(*args):
        seen.append(args[2])

    with app.app_context():  # the serving app's engine, not the test's own
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert client.get(path).status_code == 200
    finally:
        event.remove(engine, "before_cursor_execute", count)
    return len(seen)


@pytest.mark.parametrize("path", ["/h/{slug}", "/api/v1/hubs/{slug}"])
def test_public_hub_queries_do_not_grow_with_members(app, client, path):
    hub, _ = hub_with_plan(cap=50)
    member_of(hub)
    url = path.format(slug=hub.slug)
    few = statements_for(app, client, url)
    for _ in range(20):
        member_of(hub)
    assert 1 <= statements_for(app, client, url) == few <= 4


def test_a_members_hub_page_queries_do_not_grow_with_members_rituals_or_cohorts(app):
    from microhub.cohorts import enrollment
    from microhub.hubs.rituals import RitualInfo, add_ritual

    from ..cohorts.helpers import make_cohort
    from ..helpers import signed_in

    hub, _ = hub_with_plan(cap=50)
    me = member_of(hub)
    cohort = make_cohort(hub)
    enrollment.enroll(cohort, me)
    ritual = dict(title="Weekly call", weekday="1", starts_at="19:00", duration_minutes="60", link="")
    add_ritual(hub, RitualInfo(**ritual), actor=None)
    db.session.commit()
    client = signed_in(app, me)
    url = f"/h/{hub.slug}"
    few = statements_for(app, client, url)
    for _ in range(20):
        enrollment.enroll(cohort, member_of(hub)) if cohort.seats_left else member_of(hub)
    for weekday in range(5):
        add_ritual(hub, RitualInfo(**{**ritual, "weekday": str(weekday)}), actor=None)
    enrollment.enroll(make_cohort(hub, title="Second circle"), me)
    db.session.commit()
    assert "Second circle" in client.get(url).get_data(as_text=True)
    assert statements_for(app, client, url) == few <= 7  # was <= 12: roles, membership and the page's questions in one


def test_the_organizers_overview_queries_do_not_grow_with_members_or_pages(app):
    from ..factories import organizer_of
    from ..helpers import signed_in

    hub, organizer = organizer_of(cap=80)
    member_of(hub)
    client = signed_in(app, organizer)
    url = f"/h/{hub.slug}/manage"
    few = statements_for(app, client, url)
    for _ in range(60):
        member_of(hub)
    assert "Page 1 of 2" in client.get(url).get_data(as_text=True)
    assert statements_for(app, client, url) == statements_for(app, client, f"{url}?page=2") == few <= 3  # was <= 5
    assert statements_for(app, client, f"{url}?q=person") == few


def test_a_member_is_not_asked_for_a_place_on_the_waitlist(app):
    from ..helpers import signed_in

    hub, _ = hub_with_plan(cap=50)
    me = member_of(hub)
    seen = []

    def count(*args):
        seen.append(args[2])

    client = signed_in(app, me)
    with app.app_context():
        engine = db.engine
    event.listen(engine, "before_cursor_execute", count)
    try:
        assert "You are a member" in client.get(f"/h/{hub.slug}").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert not [s for s in seen if s.startswith("SELECT waitlist_entries")]  # the position in line
    assert len([s for s in seen if "hub_roles" in s and "memberships" in s]) == 1  # roles and membership at once
