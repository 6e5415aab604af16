"""Spots and placements: bad input changes nothing, at most `at_once` sponsors hold a period (also when two
organizers approve at once, on PostgreSQL), undecided and unpaid requests expire, only organizers decide."""
from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine

from microhub import jobs
from microhub.errors import Conflict
from microhub.extensions import db
from microhub.sponsors import placements
from microhub.sponsors.models import Placement, PlacementStatus as P, Spot

from ..factories import organizer_of
from ..helpers import at_once, person_as, signed_in
from .helpers import approved, approved_listing, make_sponsor, ready, requested, spot_of


def manage(hub) -> str:
    return f"/h/{hub.slug}/manage/sponsors"


@pytest.mark.parametrize("fields, message", [
    ({"price": "0"}, "costs more than"),
    ({"price": "1000000000"}, "The most MicroHub takes"),
    ({"price": "-5"}, "zero or more"),
    ({"price": "abc"}, "Write an amount"),
    ({"at_once": "0"}, "between 1 and 10"),
    ({"at_once": "11"}, "between 1 and 10"),
    ({"period_days": "0"}, "between 1 and 366"),
    ({"period_days": "400"}, "between 1 and 366"),
    ({"where": "sidebar"}, "Not a valid choice"),
])
def test_bad_spot_input_gets_a_message_and_changes_nothing(app, fields, message):
    hub, organizer = organizer_of()
    spot = spot_of(hub, organizer)
    client = signed_in(app, organizer)
    data = {"where": "hub_page", "at_once": "3", "period_days": "30", "price": "150", **fields}
    added = client.submit(f"{manage(hub)}/spots", data, form_url=manage(hub))
    assert added.status_code == 400 and message in added.get_data(as_text=True)
    prefixed = {f"spot{spot.id}-{key}": value for key, value in data.items()}
    token = client.csrf_token(manage(hub))
    changed = client.post(f"{manage(hub)}/spots/{spot.id}", data={f"spot{spot.id}-csrf_token": token, **prefixed})
    assert changed.status_code == 400 and message in changed.get_data(as_text=True)
    db.session.expire_all()
    [kept] = db.session.scalars(db.select(Spot)).all()
    assert (kept.price_minor, kept.at_once, kept.period_days) == (15000, 3, 30)


def test_an_organizer_offers_and_changes_a_spot(app):
    hub, organizer = organizer_of()
    client = signed_in(app, organizer)
    data = {"where": "cohort_pages", "at_once": "2", "period_days": "14", "price": "49.50"}
    assert client.submit(f"{manage(hub)}/spots", data, form_url=manage(hub)).status_code == 302
    spot = db.session.scalars(db.select(Spot)).one()
    assert (spot.where.value, spot.at_once, spot.period_days, spot.price_minor) == ("cohort_pages", 2, 14, 4950)
    token = client.csrf_token(manage(hub))
    prefixed = {f"spot{spot.id}-{k}": v for k, v in {**data, "price": "60"}.items()}
    client.post(f"{manage(hub)}/spots/{spot.id}", data={f"spot{spot.id}-csrf_token": token, **prefixed})
    db.session.expire_all()
    assert db.session.get(Spot, spot.id).price_minor == 6000


def test_no_more_than_at_once_sponsors_may_hold_overlapping_periods(app):
    hub, organizer = organizer_of()
    spot = spot_of(hub, organizer, at_once=1)
    first, second = make_sponsor("One"), make_sponsor("Two")
    for sponsor, _ in (first, second):
        approved_listing(sponsor, hub, organizer)
    one = approved(hub, organizer, *first, spot, in_days=3)
    with pytest.raises(Conflict, match="already shows 1 sponsors"):
        requested(hub, *second, spot, in_days=10)  # overlaps the first period
    db.session.rollback()
    later = requested(hub, *second, spot, in_days=3 + 30)  # right after it: fine
    assert later.status is P.REQUESTED and one.status is P.APPROVED


def test_an_approval_that_would_pass_the_limit_gets_a_message_and_changes_nothing(app):
    hub, organizer = organizer_of()
    spot = spot_of(hub, organizer, at_once=1)
    first, second = make_sponsor("One"), make_sponsor("Two")
    for sponsor, _ in (first, second):
        approved_listing(sponsor, hub, organizer)
    a, b = requested(hub, *first, spot), requested(hub, *second, spot)
    client = signed_in(app, organizer)
    assert client.submit(f"{manage(hub)}/placements/{a.id}/approve", {}, form_url=manage(hub)).status_code == 302
    refused = client.submit(f"{manage(hub)}/placements/{b.id}/approve", {}, form_url=manage(hub))
    assert refused.status_code == 409 and "already has 1 sponsors" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Placement, b.id).status is P.REQUESTED


@pytest.mark.parametrize("backend", ["postgresql"], indirect=True)
def test_two_organizers_approving_at_once_never_pass_the_limit(app):
    hub, organizer = organizer_of()
    spot = spot_of(hub, organizer, at_once=1)
    ids = []
    for n in range(4):
        sponsor = make_sponsor(f"S{n}")
        approved_listing(sponsor[0], hub, organizer)
        ids.append(requested(hub, *sponsor, spot).id)
    hub_id, organizer_id = hub.id, organizer.id

    def prepare(placement_id):
        from microhub.accounts.models import User
        from microhub.hubs.models import Hub
        return db.session.get(Hub, hub_id), placement_id, db.session.get(User, organizer_id)

    def act(prepared):
        hub_row, placement_id, user = prepared
        try:
            placements.approve(hub_row, placement_id, actor=user)
            db.session.commit()
            return "approved"
        except Conflict:
            db.session.rollback()
            return "refused"

    outcomes = at_once(app, ids, prepare, act)
    assert sorted(outcomes) == ["approved", "refused", "refused", "refused"]
    db.session.expire_all()
    assert db.session.scalar(db.select(db.func.count()).select_from(Placement)
                             .where(Placement.status == P.APPROVED)) == 1


def test_undecided_requests_expire_at_their_start_and_unpaid_approvals_at_pay_by(app):
    hub, organizer, sponsor, person, spot = ready()
    other = make_sponsor("Other")
    approved_listing(other[0], hub, organizer)
    undecided = requested(hub, sponsor, person, spot, in_days=2)
    unpaid = approved(hub, organizer, *other, spot, in_days=10)
    assert unpaid.pay_by is not None
    with time_machine.travel(unpaid.pay_by - timedelta(minutes=5)):
        jobs.tick()
    db.session.expire_all()
    assert db.session.get(Placement, unpaid.id).status is P.APPROVED
    with time_machine.travel(max(undecided.starts_at, unpaid.pay_by) + timedelta(minutes=1)):
        jobs.tick()
        jobs.tick()
    db.session.expire_all()
    assert db.session.get(Placement, undecided.id).status is P.EXPIRED
    assert db.session.get(Placement, unpaid.id).status is P.EXPIRED


@pytest.mark.parametrize("who", ["visitor", "member", "moderator", "other_organizer", "sponsor"])
def test_only_the_hubs_organizers_open_or_use_its_sponsor_page(app, who):
    hub, organizer, sponsor, person, spot = ready()
    placement = requested(hub, sponsor, person, spot)
    intruder = person if who == "sponsor" else person_as(hub, who)
    client = signed_in(app, intruder)
    assert client.get(manage(hub)).status_code == (302 if intruder is None else 403)
    token = signed_in(app, organizer).csrf_token(manage(hub))
    for url in (f"{manage(hub)}/placements/{placement.id}/approve", f"{manage(hub)}/spots"):
        assert client.post(url, data={"csrf_token": token, "where": "hub_page", "at_once": "3", "period_days": "3",
                                      "price": "1"}).status_code in (302, 400, 403)
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).status is P.REQUESTED
    assert db.session.scalar(db.select(db.func.count()).select_from(Spot)) == 1


def test_another_sponsor_cannot_pay_for_or_see_a_placement(app):
    hub, organizer, sponsor, person, spot = ready()
    placement = approved(hub, organizer, sponsor, person, spot)
    other, stranger = make_sponsor("Other")
    client = signed_in(app, stranger)
    token = client.csrf_token(f"/sponsor/{other.id}")
    assert client.post(f"/sponsor/{other.id}/placements/{placement.id}/pay",
                       data={"csrf_token": token}).status_code == 404
    assert client.post(f"/sponsor/{sponsor.id}/placements/{placement.id}/pay",
                       data={"csrf_token": token}).status_code == 404
    db.session.expire_all()
    assert db.session.get(Placement, placement.id).checkout_ref is None


def test_a_sponsor_requests_a_placement_through_its_listing_page(app):
    hub, organizer, sponsor, person, spot = ready()
    client = signed_in(app, person)
    url = f"/sponsor/{sponsor.id}/hubs/{hub.slug}/placements"
    form = f"/sponsor/{sponsor.id}/hubs/{hub.slug}/listing"
    from .helpers import day
    past = client.submit(url, {"spot_id": str(spot.id), "starts_on": day(-1).isoformat()}, form_url=form)
    assert past.status_code == 400 and "after today" in past.get_data(as_text=True)
    done = client.submit(url, {"spot_id": str(spot.id), "starts_on": day(5).isoformat()}, form_url=form)
    assert done.status_code == 302
    [placement] = db.session.scalars(db.select(Placement)).all()
    assert placement.price_minor == 15000 and (placement.ends_at - placement.starts_at).days == 30
