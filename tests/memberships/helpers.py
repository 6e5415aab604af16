"""Shared steps for waitlist tests: people lining up through the real pages, seats freed, offers read back."""
from __future__ import annotations

import re

from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.memberships.lifecycle import transition
from microhub.memberships.models import Membership, MembershipStatus, WaitlistEntry, WaitlistOffer

from ..factories import UserFactory
from ..helpers import signed_in
from ..mail import mails


def line_up(app, hub, count: int):
    people = []
    for _ in range(count):
        person = UserFactory()
        response = signed_in(app, person).submit(f"/h/{hub.slug}/waitlist", {}, form_url=f"/h/{hub.slug}/join")
        assert response.status_code == 302
        people.append(person)
    return people


def free_a_seat(hub, member):
    membership = db.session.scalar(db.select(Membership).filter_by(hub_id=hub.id, user_id=member.id))
    transition(membership, MembershipStatus.CANCELED, actor_label="test")
    db.session.commit()


def offers(hub) -> list[WaitlistOffer]:
    return list(db.session.scalars(db.select(WaitlistOffer).filter_by(hub_id=hub.id).order_by(WaitlistOffer.id)))


def entry_of(hub, user) -> WaitlistEntry:
    return db.session.scalar(db.select(WaitlistEntry).filter_by(hub_id=hub.id, user_id=user.id)
                             .order_by(WaitlistEntry.id.desc()))


def seats_taken(hub) -> int:
    return db.session.scalar(db.select(Hub.seats_taken).filter_by(id=hub.id))


def offer_link(user) -> str:
    message = (mails(to=user.email) or [None])[-1]
    assert message is not None, f"no e-mail to {user.email}"
    match = re.search(r"https?://[^/\s]+(/h/\S+/waitlist/offer/\S+)", message.body_text)
    assert match, message.body_text
    return match.group(1)
