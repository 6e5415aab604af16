"""E-mails to a sponsor's people (a listing decided; a placement decided, paid, cancelled or expired) and to a hub's
organizers (something waits for their decision)."""
from __future__ import annotations

from ..accounts.models import User
from ..email import send_email
from ..extensions import db
from ..hubs.models import HubRole, Role
from ..urls import external_url
from .models import SponsorPerson


def tell_sponsor(sponsor_id: int, subject: str, template: str, **context) -> None:
    """Send `templates/email/<template>.txt` to each of the sponsor's people."""
    emails = db.session.scalars(db.select(SponsorPerson).filter_by(sponsor_id=sponsor_id)).all()
    link = external_url("sponsors.home", sponsor_id=sponsor_id)
    for person in emails:
        send_email(person.user.email, subject, template, link=link, **context)


def tell_organizers(hub, subject: str, **context) -> None:
    """Tell the hub's organizers that a listing change or a placement request waits for them."""
    emails = db.session.scalars(db.select(User.email).join(HubRole, HubRole.user_id == User.id)
                                .where(HubRole.hub_id == hub.id, HubRole.role == Role.ORGANIZER)).all()
    link = external_url("sponsor_admin.index", slug=hub.slug)
    for email in emails:
        send_email(email, subject, "sponsor_review_waiting", hub=hub, link=link, **context)
