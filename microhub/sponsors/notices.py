"""E-mails to a sponsor's people: a listing decided, a placement decided, paid, cancelled or expired."""
from __future__ import annotations

from ..email import send_email
from ..extensions import db
from ..urls import external_url
from .models import SponsorPerson


def tell_sponsor(sponsor_id: int, subject: str, template: str, **context) -> None:
    """Send `templates/email/<template>.txt` to each of the sponsor's people."""
    emails = db.session.scalars(db.select(SponsorPerson).filter_by(sponsor_id=sponsor_id)).all()
    link = external_url("sponsors.home", sponsor_id=sponsor_id)
    for person in emails:
        send_email(person.user.email, subject, template, link=link, **context)
