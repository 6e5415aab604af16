"""The hub page and its API show scholarship seats and how many are open, with an Apply link while any are open or
an application window is set; applying through the page."""
from datetime import timedelta

from microhub.database import utcnow
from microhub.extensions import db
from microhub.scholarships.models import ScholarshipApplication, ScholarshipProgram

from ..factories import UserFactory
from ..helpers import signed_in
from ..mail import mails
from .helpers import offered, scholarship_hub


def test_the_api_and_hub_page_show_the_seats_and_the_apply_link_while_seats_are_open(app, client):
    hub, _, organizer = scholarship_hub(cap=10, seats=1)
    document = client.get(f"/api/v1/hubs/{hub.slug}").get_json()
    assert (document["scholarship_seats"], document["scholarship_seats_left"]) == (1, 1)
    assert document["scholarships_url"].endswith(f"/h/{hub.slug}/scholarships")
    assert document["seats_left"] == 9
    assert "Apply for a scholarship" in client.get(f"/h/{hub.slug}").get_data(as_text=True)
    offered(hub, organizer)
    document = client.get(f"/api/v1/hubs/{hub.slug}").get_json()
    assert document["scholarship_seats_left"] == 0 and document["scholarships_url"] is None
    assert "Apply for a scholarship" not in client.get(f"/h/{hub.slug}").get_data(as_text=True)


def test_an_application_window_keeps_the_link_while_seats_are_full(app, client):
    hub, _, organizer = scholarship_hub(cap=10, seats=1)
    offered(hub, organizer)
    db.session.get(ScholarshipProgram, hub.id).deadline = (utcnow() + timedelta(days=10)).date()
    db.session.commit()
    assert client.get(f"/api/v1/hubs/{hub.slug}").get_json()["scholarships_url"]


def test_a_person_applies_through_the_page_and_is_told_at_every_step(app):
    hub, _, _ = scholarship_hub()
    person = UserFactory()
    client = signed_in(app, person)
    page = client.get(f"/h/{hub.slug}/scholarships").get_data(as_text=True)
    assert "2</strong> of 2 scholarship seats open" in page and "What would you do here?" in page
    response = client.submit(f"/h/{hub.slug}/scholarships/apply",
                             {"need": "low_income", "answer_1": "Learn with others", "answer_2": "No"},
                             form_url=f"/h/{hub.slug}/scholarships")
    assert response.status_code == 302 and response.headers["Location"].endswith("/scholarships/mine")
    application = db.session.scalar(db.select(ScholarshipApplication).filter_by(user_id=person.id))
    assert application.need.value == "low_income" and application.answers[0]["answer"] == "Learn with others"
    assert len(mails(person.email, subject_contains="is in")) == 1
    again = client.submit(f"/h/{hub.slug}/scholarships/apply", {"need": "student", "answer_1": "a", "answer_2": "b"},
                          form_url=f"/h/{hub.slug}/scholarships")
    assert again.status_code == 409 and "waiting for a decision already" in again.get_data(as_text=True)


def test_a_visitor_is_asked_to_log_in_to_apply(app, client):
    hub, _, _ = scholarship_hub()
    page = client.get(f"/h/{hub.slug}/scholarships").get_data(as_text=True)
    assert "Log in to apply" in page and 'name="need"' not in page
