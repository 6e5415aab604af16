"""Sponsors and their people: creating a sponsor, adding a person by e-mail, removing one (never the last)."""
from __future__ import annotations

from .. import audit
from ..accounts.models import User
from ..database import added_unless_taken
from ..errors import Conflict, NotFound, ValidationFailed
from ..extensions import db
from ..forms import flattened
from .models import Sponsor, SponsorPerson


def create_sponsor(name: str, *, actor: User) -> Sponsor:
    """A new sponsor named `name`; `actor` is its first person. Flushes."""
    name = flattened(name)
    if not name:
        raise ValidationFailed("Write the organization's name.", field="name")
    if len(name) > 120:
        raise ValidationFailed("Use at most 120 characters for the name.", field="name")
    sponsor = Sponsor(name=name, created_by_id=actor.id)
    db.session.add(sponsor)
    db.session.flush()
    db.session.add(SponsorPerson(sponsor_id=sponsor.id, user_id=actor.id))
    db.session.flush()
    audit.record("sponsor.created", sponsor, actor=actor, name=name)
    return sponsor


def people(sponsor: Sponsor) -> list[SponsorPerson]:
    return list(db.session.scalars(db.select(SponsorPerson).filter_by(sponsor_id=sponsor.id)
                                   .order_by(SponsorPerson.id)))


def add_person(sponsor: Sponsor, email: str, *, actor: User) -> SponsorPerson:
    """Add the person with this e-mail (an existing account) to the sponsor. Flushes."""
    email = (email or "").strip().lower()
    user = db.session.scalar(db.select(User).where(db.func.lower(User.email) == email)) if email else None
    if user is None:
        raise NotFound("Nobody has a MicroHub account with that e-mail address; ask them to sign up first.",
                       field="email")
    person = SponsorPerson(sponsor_id=sponsor.id, user_id=user.id)
    if not added_unless_taken(person):
        raise Conflict(f"{user.email} already acts for {sponsor.name}.", field="email")
    audit.record("sponsor.person_added", sponsor, actor=actor, user_id=user.id, email=user.email)
    return person


def remove_person(sponsor: Sponsor, person_id, *, actor: User) -> None:
    """Remove one of the sponsor's people; the last one stays (a sponsor always has someone to act for it)."""
    # The sponsor row is locked, so two people removing each other at once cannot leave nobody.
    db.session.get(Sponsor, sponsor.id, with_for_update=True, populate_existing=True)
    person = db.session.get(SponsorPerson, person_id) if person_id else None
    if person is None or person.sponsor_id != sponsor.id:
        raise NotFound("That person does not act for this sponsor.")
    if len(people(sponsor)) <= 1:
        raise Conflict("A sponsor keeps at least one person: add someone else before removing the last one.")
    user_id = person.user_id
    db.session.delete(person)
    db.session.flush()
    audit.record("sponsor.person_removed", sponsor, actor=actor, user_id=user_id)
