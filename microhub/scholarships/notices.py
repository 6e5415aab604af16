"""The e-mail an applicant gets at every step of an application: one template, the step's own words."""
from __future__ import annotations

from ..email import send_email
from ..urls import external_url
from .models import ScholarshipApplication

#: Subject of each step's e-mail ({hub} is the hub's name).
SUBJECTS = {
    "received": "Your scholarship application to {hub} is in",
    "in_review": "Your scholarship application to {hub} is being reviewed",
    "offered": "A scholarship seat in {hub} is yours for 72 hours",
    "accepted": "Your scholarship in {hub}: one step left",
    "active": "Welcome to {hub}: your scholarship has started",
    "declined": "About your scholarship application to {hub}",
    "offer_declined": "You declined the scholarship seat in {hub}",
    "expired": "Your scholarship offer from {hub} has expired",
    "withdrawn": "You withdrew your scholarship application to {hub}",
    "ending": "Your scholarship in {hub} ends in 14 days",
    "ended": "Your scholarship in {hub} has ended",
    "renewed": "Your scholarship in {hub} is renewed",
}


def notify(application: ScholarshipApplication, step: str) -> None:
    hub, user = application.hub, application.user
    send_email(user.email, SUBJECTS[step].format(hub=hub.name), "scholarship_update", step=step, user=user, hub=hub,
               application=application, link=external_url("scholarships.mine", slug=hub.slug),
               hub_link=external_url("hubpage.show", slug=hub.slug))
