"""The waitlist: a full hub lines people up, and each freed seat becomes one offer to the first in line."""
from datetime import timedelta

import pytest
import time_machine

from microhub import jobs
from microhub.audit import AuditEntry
from microhub.billing.models import Plan
from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Role
from microhub.memberships import waitlist
from microhub.memberships.models import Membership, MembershipStatus, OfferStatus, SeatHold, WaitlistStatus

from ..factories import PlanFactory, RoleFactory, UserFactory, member_of, organizer_of
from ..helpers import signed_in
from ..mail import mails
from .helpers import entry_of, free_a_seat, line_up, offer_link, offers, seats_taken

SETTINGS = {"name": "Full club", "purpose": "People who meet about one clear thing.", "currency": "EUR",
            "timezone": "UTC", "promises": "", "rituals": "", "rules": "", "is_public": "y"}


@pytest.fixture
def full_hub():
    """A hub with two seats, both taken, a plan, and its organizer."""
    hub, organizer = organizer_of(slug="club", cap=2)
    PlanFactory(hub=hub, name="Member")
    members = [member_of(hub), member_of(hub)]
    return hub, organizer, members


def test_full_hub_offers_the_waitlist_and_shows_the_position(app, full_hub):
    hub, _, _ = full_hub
    first, second = UserFactory(), UserFactory()
    client = signed_in(app, first)
    assert "Join the waitlist" in client.get("/h/club/join").get_data(as_text=True)
    client.submit("/h/club/waitlist", {}, form_url="/h/club/join")
    assert "number 1</strong> on the waitlist" in client.get("/h/club/join").get_data(as_text=True)
    client = signed_in(app, second)
    client.submit("/h/club/waitlist", {}, form_url="/h/club/join")
    assert "number 2</strong> on the waitlist" in client.get("/h/club/join").get_data(as_text=True)


def test_freed_seat_becomes_one_offer_to_the_first_in_line_and_holds_the_seat(app, full_hub):
    hub, _, members = full_hub
    first, second = line_up(app, hub, 2)
    free_a_seat(hub, members[0])

    [offer] = offers(hub)
    assert offer.status is OfferStatus.OPEN and offer.entry.user_id == first.id
    assert offer.expires_at - utcnow() > timedelta(hours=47)
    assert entry_of(hub, first).status is WaitlistStatus.OFFERED
    assert entry_of(hub, second).status is WaitlistStatus.WAITING
    link = offer_link(first)
    token = link.rsplit("/", 1)[1]
    assert offer.token_hash == waitlist.token_hash(token) and token not in offer.token_hash
    assert len(mails(to=second.email)) == 0
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="waitlist.offered", subject_id=offer.id))

    # The offer keeps the seat: the counter still says full, and nobody else can hold it.
    assert seats_taken(hub) == 2
    outsider = UserFactory()
    client = signed_in(app, outsider)
    plan = db.session.scalar(db.select(Plan).filter_by(hub_id=hub.id))
    response = client.submit("/h/club/join", {"plan": str(plan.id)})
    assert response.status_code != 302 and "full" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(SeatHold).filter_by(user_id=outsider.id)) is None
    assert seats_taken(hub) == 2


def test_accepting_the_offer_leads_to_checkout_with_the_seat_moved_to_a_hold(app, full_hub):
    hub, _, members = full_hub
    [first] = line_up(app, hub, 1)
    free_a_seat(hub, members[0])
    link = offer_link(first)
    client = signed_in(app, first)
    page = client.get(link)
    assert page.status_code == 200 and "Member" in page.get_data(as_text=True)
    plan = db.session.scalar(db.select(Plan).filter_by(hub_id=hub.id))

    response = client.submit(link, {"plan": str(plan.id)})

    assert response.status_code == 302 and "/billing/test-checkout/" in response.location
    [offer] = offers(hub)
    hold = db.session.scalar(db.select(SeatHold).filter_by(user_id=first.id))
    assert hold.offer_id == offer.id and hold.checkout_ref
    assert offer.status is OfferStatus.USED
    assert entry_of(hub, first).status is WaitlistStatus.JOINED
    assert seats_taken(hub) == 2
    # A used link cannot be used twice.
    assert client.get(link).status_code == 410


def test_offer_link_is_only_for_its_person(app, full_hub):
    hub, _, members = full_hub
    [first] = line_up(app, hub, 1)
    free_a_seat(hub, members[0])
    link = offer_link(first)
    client = signed_in(app, UserFactory())
    assert client.get(link).status_code == 404
    client = signed_in(app, first)
    assert client.get(link[:-3] + "xyz").status_code == 404


def test_expired_offer_passes_to_the_next_person_once(app, full_hub):
    hub, _, members = full_hub
    first, second, third = line_up(app, hub, 3)
    free_a_seat(hub, members[0])
    link = offer_link(first)

    with time_machine.travel(utcnow() + timedelta(hours=49), tick=False):
        jobs.tick()
        db.session.commit()
        old, new = offers(hub)
        assert old.status is OfferStatus.EXPIRED and new.status is OfferStatus.OPEN
        assert new.entry.user_id == second.id
        assert entry_of(hub, first).status is WaitlistStatus.REMOVED
        assert seats_taken(hub) == 2
        offer_link(second)

        jobs.tick()  # a second tick finds nothing more to do
        db.session.commit()
        assert len(offers(hub)) == 2
        assert entry_of(hub, third).status is WaitlistStatus.WAITING

        client = signed_in(app, first)
        response = client.get(link)
        assert response.status_code == 410 and "next person" in response.get_data(as_text=True)


def test_declining_passes_the_offer_on(app, full_hub):
    hub, _, members = full_hub
    first, second = line_up(app, hub, 2)
    free_a_seat(hub, members[0])
    link = offer_link(first)
    client = signed_in(app, first)
    assert client.post(link + "/decline", data={}).status_code == 400  # no CSRF token, nothing changes
    assert offers(hub)[0].status is OfferStatus.OPEN

    response = client.submit(link + "/decline", {}, form_url=link)

    assert response.status_code == 302
    old, new = offers(hub)
    assert old.status is OfferStatus.DECLINED and new.entry.user_id == second.id
    assert entry_of(hub, first).status is WaitlistStatus.LEFT
    assert seats_taken(hub) == 2


def test_freed_seat_with_nobody_waiting_goes_back_to_the_pool(app, full_hub):
    hub, _, members = full_hub
    free_a_seat(hub, members[0])
    assert offers(hub) == [] and seats_taken(hub) == 1


def test_leaving_the_list(app, full_hub):
    hub, _, members = full_hub
    first, second = line_up(app, hub, 2)
    client = signed_in(app, first)
    response = client.submit("/h/club/waitlist/leave", {}, form_url="/h/club/join")
    assert response.status_code == 302
    assert entry_of(hub, first).status is WaitlistStatus.LEFT
    assert waitlist.waitlist_position(hub.id, second.id) == 1
    free_a_seat(hub, members[0])
    [offer] = offers(hub)
    assert offer.entry.user_id == second.id


def test_leaving_with_an_offer_in_hand_passes_it_on(app, full_hub):
    hub, _, members = full_hub
    first, second = line_up(app, hub, 2)
    free_a_seat(hub, members[0])
    client = signed_in(app, first)
    client.submit("/h/club/waitlist/leave", {}, form_url="/h/club/join")
    old, new = offers(hub)
    assert old.status is OfferStatus.DECLINED and new.entry.user_id == second.id
    assert seats_taken(hub) == 2


def test_organizer_moves_someone_with_a_reason(app, full_hub):
    hub, organizer, _ = full_hub
    a, b, c = line_up(app, hub, 3)
    client = signed_in(app, organizer)
    page = client.get("/h/club/manage/waitlist")
    assert page.status_code == 200 and c.email in page.get_data(as_text=True)

    response = client.submit("/h/club/manage/waitlist/move",
                             {"entry_id": entry_of(hub, c).id, "position": "1", "reason": "Scholarship student"},
                             form_url="/h/club/manage/waitlist")

    assert response.status_code == 302
    assert [waitlist.waitlist_position(hub.id, p.id) for p in (c, a, b)] == [1, 2, 3]
    audit = db.session.scalar(db.select(AuditEntry).filter_by(action="waitlist.moved"))
    assert audit.actor_id == organizer.id and audit.details["reason"] == "Scholarship student"
    assert (audit.details["from_position"], audit.details["to_position"]) == (3, 1)

    client.submit("/h/club/manage/waitlist/move",
                  {"entry_id": entry_of(hub, a).id, "position": "2", "reason": "back in order"},
                  form_url="/h/club/manage/waitlist")
    client.submit("/h/club/manage/waitlist/move",
                  {"entry_id": entry_of(hub, c).id, "position": "2", "reason": "middle"},
                  form_url="/h/club/manage/waitlist")
    assert [waitlist.waitlist_position(hub.id, p.id) for p in (a, c, b)] == [1, 2, 3]


@pytest.mark.parametrize("change, message", [
    ({"position": "4"}, "Pick a position from 1 to 3"),
    ({"position": "0"}, "Pick a position from 1 to 3"),
    ({"position": "first"}, "whole number"),
    ({"reason": "  "}, "Say why"),
    ({"entry_id": "999999"}, "not on this hub"),
])
def test_bad_moves_are_refused_and_change_nothing(app, full_hub, change, message):
    hub, organizer, _ = full_hub
    people = line_up(app, hub, 3)
    ranks = [entry_of(hub, p).rank for p in people]
    client = signed_in(app, organizer)
    data = {"entry_id": entry_of(hub, people[2]).id, "position": "1", "reason": "because", **change}
    response = client.submit("/h/club/manage/waitlist/move", data, form_url="/h/club/manage/waitlist")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert [entry_of(hub, p).rank for p in people] == ranks
    assert db.session.scalar(db.select(AuditEntry).filter_by(action="waitlist.moved")) is None


def test_another_hubs_entry_cannot_be_moved_through_my_hub(app, full_hub):
    hub, organizer, _ = full_hub
    other, _ = organizer_of(slug="other", cap=1)
    member_of(other)
    theirs = line_up(app, other, 2)
    ranks = [entry_of(other, p).rank for p in theirs]
    client = signed_in(app, organizer)
    response = client.submit("/h/club/manage/waitlist/move",
                             {"entry_id": entry_of(other, theirs[1]).id, "position": "1", "reason": "sneaky"},
                             form_url="/account/profile")
    assert response.status_code == 400
    db.session.expire_all()
    assert [entry_of(other, p).rank for p in theirs] == ranks
    # Nor through the other hub's page, which is not mine.
    assert client.get("/h/other/manage/waitlist").status_code == 403


def test_moderator_sees_the_list_but_a_member_does_not(app, full_hub):
    hub, _, members = full_hub
    [waiting] = line_up(app, hub, 1)
    moderator = UserFactory()
    RoleFactory(hub=hub, user=moderator, role=Role.MODERATOR)
    client = signed_in(app, moderator)
    page = client.get("/h/club/manage/waitlist")
    assert page.status_code == 200 and waiting.email in page.get_data(as_text=True)
    response = client.submit("/h/club/manage/waitlist/move",
                             {"entry_id": entry_of(hub, waiting).id, "position": "1", "reason": "x"},
                             form_url="/account/profile")
    assert response.status_code == 403
    client = signed_in(app, members[0])
    assert client.get("/h/club/manage/waitlist").status_code == 403


def test_raising_the_cap_hands_the_new_seats_to_the_waitlist(app, full_hub):
    hub, organizer, _ = full_hub
    first, second, third = line_up(app, hub, 3)
    client = signed_in(app, organizer)
    response = client.submit("/h/club/manage/settings", {**SETTINGS, "cap": "4"})
    assert response.status_code == 302
    assert sorted(o.entry.user_id for o in offers(hub)) == sorted([first.id, second.id])
    assert entry_of(hub, third).status is WaitlistStatus.WAITING
    assert seats_taken(hub) == 4
    offer_link(first), offer_link(second)


def test_lowering_the_cap_removes_nobody(app, full_hub):
    hub, organizer, members = full_hub
    [waiting] = line_up(app, hub, 1)
    client = signed_in(app, organizer)
    response = client.submit("/h/club/manage/settings", {**SETTINGS, "cap": "1"})
    assert response.status_code == 302
    live = db.session.scalar(db.select(db.func.count(Membership.id)).filter_by(
        hub_id=hub.id, status=MembershipStatus.ACTIVE))
    assert live == 2 and seats_taken(hub) == 2 and offers(hub) == []
    assert entry_of(hub, waiting).status is WaitlistStatus.WAITING
    # The first freed seat goes nowhere while the hub is over its new cap.
    free_a_seat(hub, members[0])
    assert offers(hub) == [] and seats_taken(hub) == 1
