"""The front page: a signed-in person sees the hubs they belong to, run and wait for, then hubs to discover, each
section only when it has something; a visitor sees the pitch and the hubs open to join. Fixed statements."""
from datetime import timedelta
from zoneinfo import ZoneInfo

from microhub.cohorts import enrollment
from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.memberships import waitlist
from microhub.memberships.models import Membership, MembershipStatus
from microhub.scholarships.models import ApplicationStatus, Need, ScholarshipApplication
from microhub.sponsors import listings

from ..cohorts.helpers import make_cohort
from ..factories import HubFactory, PlanFactory, RoleFactory, UserFactory, member_of, organizer_of
from ..helpers import signed_in
from ..ledger.helpers import submitted
from ..sponsors.helpers import make_sponsor
from ..transparency.helpers import pay
from .test_query_counts import statements_for


def _membership(user, hub) -> Membership:
    return db.session.scalar(db.select(Membership).filter_by(user_id=user.id, hub_id=hub.id))


def _needs_attention(hub, organizer) -> None:
    """One of everything an organizer is asked to look at."""
    past_due = _membership(member_of(hub), hub)
    past_due.status, past_due.grace_until = MembershipStatus.PAST_DUE, utcnow() + timedelta(days=5)
    db.session.add(ScholarshipApplication(hub_id=hub.id, user_id=UserFactory().id, need=Need.STUDENT,
                                          status=ApplicationStatus.SUBMITTED, answers=[]))
    sponsor, person = make_sponsor()
    listings.save(sponsor, hub, listings.ListingInfo(name="Toolsmiths", link="https://tools.example",
                                                     helps_with="CI minutes", member_perk=""), actor=person)
    db.session.commit()
    submitted(hub, organizer)
    pay(hub, f"last-month-{hub.slug}", utcnow().replace(day=1) - timedelta(days=10))


def _world():
    me = UserFactory(timezone="America/New_York")
    mine = HubFactory(name="Alpha readers", slug="alpha")
    plan = PlanFactory(hub=mine, name="Reader", price_minor=700)
    member_of(mine, me)
    membership = _membership(me, mine)
    membership.plan_id, membership.current_period_end = plan.id, utcnow() + timedelta(days=20)
    cohort = make_cohort(mine, title="Slow reading circle")
    enrollment.enroll(cohort, me)
    ending = HubFactory(name="Bravo builders", slug="bravo")
    member_of(ending, me)
    leaving = _membership(me, ending)
    leaving.cancel_at_period_end, leaving.current_period_end = True, utcnow() + timedelta(days=3)
    run, _ = organizer_of(name="Charlie crafters", slug="charlie")
    RoleFactory(hub=run, user=me, role=Role.ORGANIZER)
    _needs_attention(run, me)
    full = HubFactory(name="Delta dancers", slug="delta", cap=1)
    member_of(full)
    waitlist.join(full, UserFactory())
    waitlist.join(full, me)
    HubFactory(name="Echo eaters", slug="echo")
    db.session.commit()
    return me, cohort


def test_a_person_sees_their_hubs_in_order_then_hubs_to_discover(app):
    me, cohort = _world()
    page = signed_in(app, me).get("/").get_data(as_text=True)
    order = ["Hubs you belong to", "Hubs you run", "Hubs you wait for", "Hubs to discover"]
    assert [page.index(h) for h in order] == sorted(page.index(h) for h in order)
    belong = page[page.index("Hubs you belong to"):page.index("Hubs you run")]
    assert "Alpha readers" in belong and "Reader: " in belong and ">active<" in belong and "Renews on" in belong
    first = cohort.sessions[0].starts_at.astimezone(ZoneInfo("America/New_York"))
    assert "Slow reading circle" in belong and first.strftime("%a %d %b, %H:%M") in belong  # in MY zone
    assert "Bravo builders" in belong and ">ending<" in belong and "Ends on" in belong
    assert 'href="/account/billing"' in belong
    run = page[page.index("Hubs you run"):page.index("Hubs you wait for")]
    assert "Charlie crafters" in run and "1 of 20 seats taken" in run and "0 on the waitlist" in run
    for need in ("1 past-due member", "1 scholarship application to review", "1 sponsor listing awaiting review",
                 "1 expense awaiting approval", "Last month&#39;s report to publish"):
        assert need in run, need
    waits = page[page.index("Hubs you wait for"):page.index("Hubs to discover")]
    assert "Delta dancers" in waits and "number <strong>2</strong> in line" in waits
    assert 'action="/h/delta/waitlist/leave"' in waits and 'name="csrf_token"' in waits
    discover = page[page.index("Hubs to discover"):]
    assert "Echo eaters" in discover
    assert not any(name in discover for name in ("Alpha", "Bravo", "Charlie", "Delta"))


def test_a_moderator_sees_seats_and_past_due_members_but_not_the_organizers_money_queue(app):
    hub, organizer = organizer_of(name="Foxtrot", slug="fox")
    _needs_attention(hub, organizer)
    moderator = UserFactory()
    RoleFactory(hub=hub, user=moderator, role=Role.MODERATOR)
    db.session.commit()
    page = signed_in(app, moderator).get("/").get_data(as_text=True)
    assert "Hubs you run" in page and "1 past-due member" in page and "moderator" in page
    assert "expense awaiting approval" not in page and "report to publish" not in page


def test_empty_sections_are_left_out(app):
    HubFactory(name="Echo eaters")
    page = signed_in(app, UserFactory()).get("/").get_data(as_text=True)
    assert "Hubs to discover" in page and "Echo eaters" in page and "You are in no hub yet" in page
    for heading in ("Hubs you belong to", "Hubs you run", "Hubs you wait for"):
        assert heading not in page


def test_a_visitor_sees_the_pitch_and_the_hubs_open_to_join(app, client):
    _world()
    page = client.get("/").get_data(as_text=True)
    assert "A kitchen table, not a conference hall." in page and "Start a hub" in page
    assert "Hubs you can join" in page and "Echo eaters" in page and "Alpha readers" in page
    assert "Hubs you belong to" not in page and "Hubs you run" not in page


def test_leaving_a_waitlist_from_the_home(app):
    me, _ = _world()
    client = signed_in(app, me)
    response = client.submit("/h/delta/waitlist/leave", {}, form_url="/")
    assert response.status_code == 302
    assert "Hubs you wait for" not in client.get("/").get_data(as_text=True)


def test_the_home_runs_a_fixed_number_of_statements_however_many_hubs_it_lists(app):
    me, _ = _world()
    client = signed_in(app, me)
    few = statements_for(app, client, "/")
    for n in range(3):
        hub = HubFactory(name=f"More {n}")
        member_of(hub, me)
        enrollment.enroll(make_cohort(hub), me)
        run, _ = organizer_of(name=f"Run {n}")
        RoleFactory(hub=run, user=me, role=Role.ORGANIZER)
        _needs_attention(run, me)
        full = HubFactory(cap=1)
        member_of(full)
        waitlist.join(full, me)
        HubFactory()
        db.session.commit()
    page = client.get("/").get_data(as_text=True)
    assert page.count("Last month&#39;s report to publish") == 4 and "Run 2" in page and "More 2" in page
    assert statements_for(app, client, "/") == few <= 12
