"""A member's hub page learns who they are with their roles: in no cohort means no cohort query, belonging to no
sponsor means no look-up of their sponsors; the answers still follow every change at once (nothing kept per person)."""

from microhub.cohorts import enrollment
from microhub.extensions import db
from microhub.sponsors.models import PlacementDay, SponsorPerson

from ..cohorts.helpers import make_cohort
from ..factories import member_of
from ..helpers import get_with_statements, signed_in
from ..payments.helpers import hub_with_plan
from ..sponsors.counting_helpers import counting_app, flush, live_placement, sponsor_with_person  # noqa: F401


def page(app, client, url: str) -> tuple[str, list[str]]:
    response, seen = get_with_statements(app, client, url)
    return response.get_data(as_text=True), seen


def test_a_member_in_no_cohort_costs_no_cohort_query_and_sees_one_as_soon_as_they_join(app):
    hub, _ = hub_with_plan(cap=10)
    me = member_of(hub)
    cohort = make_cohort(hub, title="Morning writers")
    client = signed_in(app, me)
    url = f"/h/{hub.slug}"
    html, seen = page(app, client, url)
    assert "You are in no cohort" in html
    assert not [s for s in seen if s.startswith("SELECT cohorts.")]  # asked with the roles, found none
    assert len([s for s in seen if "hub_roles" in s]) == 1
    enrollment.enroll(cohort, me)
    db.session.commit()
    html, seen = page(app, client, url)
    assert "Morning writers" in html and "You are in no cohort" not in html
    assert len([s for s in seen if s.startswith("SELECT cohorts.")]) == 1


def test_a_member_who_is_a_sponsors_person_is_still_discarded_as_sponsor_and_others_cost_no_lookup(counting_app):
    hub, _ = hub_with_plan(cap=10)
    sponsor, _ = sponsor_with_person()
    placement = live_placement(hub, sponsor)
    plain, insider = member_of(hub), member_of(hub)
    url = f"/h/{hub.slug}"
    html, seen = page(counting_app, signed_in(counting_app, plain), url)
    assert sponsor.name in html
    assert not [s for s in seen if s.startswith("SELECT sponsor_people")]  # nobody's people: no look-up
    db.session.add(SponsorPerson(sponsor_id=sponsor.id, user_id=insider.id))
    db.session.commit()
    html, seen = page(counting_app, signed_in(counting_app, insider), url)
    assert len([s for s in seen if s.startswith("SELECT sponsor_people")]) == 1
    flush(counting_app)
    row = db.session.scalar(db.select(PlacementDay).filter_by(placement_id=placement.id))
    assert row.served == 1 and row.discarded == {"sponsor": 1}
