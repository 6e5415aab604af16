"""The member side of the hub page: a member sees the rituals with their next times, their cohorts with the next
session, member-only perks and links, billing and leaving; a visitor or a signed-in non-member never sees them."""
from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest

from microhub.cohorts import enrollment
from microhub.database import update_where, utcnow
from microhub.extensions import db
from microhub.hubs.rituals import RitualInfo, add_ritual
from microhub.sponsors.models import Placement, PlacementStatus

from ..cohorts.helpers import make_cohort
from ..factories import PlanFactory, UserFactory, member_of
from ..helpers import signed_in
from ..sponsors.helpers import approved, ready

CALL = "https://meet.example.org/weekly-secret"
# The navigation links everyone signed in to billing; the member side is what must not show.
MEMBER_ONLY = (CALL, "MICRO50", "Your side of", "/h/larks/leave")


def _world():
    """A hub with a ritual (its call link), a live sponsor perk and a cohort with a meeting link."""
    hub, organizer, sponsor, person, spot = ready(slug="larks")
    PlanFactory(hub=hub)
    add_ritual(hub, RitualInfo(title="Weekly call", weekday="1", starts_at="19:00", duration_minutes="60",
                               link=CALL), actor=organizer)
    placement = approved(hub, organizer, sponsor, person, spot)
    update_where(Placement, placement.id, status=PlacementStatus.LIVE, starts_at=utcnow() - timedelta(days=1),
                 turned_on_at=utcnow())
    db.session.commit()
    return hub, make_cohort(hub)


def test_a_member_sees_rituals_cohorts_perks_billing_and_leave(app):
    hub, cohort = _world()
    member = member_of(hub)
    enrollment.enroll(cohort, member)
    db.session.commit()
    page = signed_in(app, member).get("/h/larks").get_data(as_text=True)
    side = page[page.index('id="member-side"'):]
    assert "Weekly call" in side and "next on" in side and CALL in side
    assert f"/h/larks/cohorts/{cohort.id}" in side and "next session" in side
    first = cohort.sessions[0].starts_at.astimezone(ZoneInfo(member.timezone))
    assert first.strftime("%a %d %b, %H:%M") in side
    assert "Code MICRO50" in side
    assert 'href="/account/billing"' in side and 'href="/h/larks/leave"' in side
    assert 'href="#member-side"' in page  # the header's member branch points at it


def test_a_member_in_no_cohort_is_shown_where_to_find_one(app):
    hub, _ = _world()
    page = signed_in(app, member_of(hub)).get("/h/larks").get_data(as_text=True)
    assert "You are in no cohort" in page and 'href="/h/larks/cohorts"' in page


@pytest.mark.parametrize("who", ["visitor", "signed-in stranger", "former member"])
def test_nobody_but_members_sees_the_member_only_links(app, who):
    hub, _ = _world()
    user = None
    if who == "signed-in stranger":
        user = UserFactory()
    elif who == "former member":
        from microhub.memberships.models import Membership, MembershipStatus

        user = member_of(hub)
        membership = db.session.scalar(db.select(Membership).filter_by(user_id=user.id))
        membership.status = MembershipStatus.CANCELED
        db.session.commit()
    page = signed_in(app, user).get("/h/larks").get_data(as_text=True)
    assert "Weekly call" in page  # the public rituals text stays
    for secret in MEMBER_ONLY:
        assert secret not in page, secret
