"""Bad input on the scholarship pages gets a message beside its field and changes nothing."""
from datetime import timedelta

import pytest

from microhub.database import utcnow
from microhub.extensions import db
from microhub.hubs.models import Hub
from microhub.scholarships.models import ScholarshipApplication, ScholarshipProgram

from ..factories import UserFactory
from ..helpers import signed_in
from .helpers import QUESTIONS, applied, scholarship_hub


def settings(plan, **changes) -> dict:
    data = {"seats": "2", "plan_id": str(plan.id), "term_months": "12", "deadline": "", "covers": "A seat",
            "who_for": "Students", "questions": "\n".join(QUESTIONS)}
    return {**data, **changes}


@pytest.mark.parametrize("changes, message", [
    ({"seats": "11"}, "keep at most that many"),
    ({"seats": "-1"}, "Number must be between 0 and 500"),
    ({"seats": "two"}, "Not a valid integer"),
    ({"deadline": (utcnow() - timedelta(days=2)).date().isoformat()}, "The deadline is in the past"),
    ({"term_months": "0"}, "Number must be between 1 and 24"),
    ({"questions": "\n".join(f"Question {n}?" for n in range(6))}, "Ask at most 5 questions"),
    ({"plan_id": "999999"}, "Not a valid choice"),
])
def test_bad_programme_settings_are_refused_with_a_message(app, changes, message):
    hub, plan, organizer = scholarship_hub(cap=10, seats=2)
    before = db.session.get(ScholarshipProgram, hub.id).questions
    client = signed_in(app, organizer)
    response = client.submit(f"/h/{hub.slug}/manage/scholarships/settings", settings(plan, **changes),
                             form_url=f"/h/{hub.slug}/manage/scholarships")
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Hub, hub.id).scholarship_seats == 2
    assert db.session.get(ScholarshipProgram, hub.id).questions == before


@pytest.mark.parametrize("data, message", [
    ({"rank": "1", "kind": "partial", "pays": "9.00"}, "less than the plan"),
    ({"rank": "1", "kind": "partial", "pays": "12.00"}, "less than the plan"),
    ({"rank": "1", "kind": "partial", "pays": "-1"}, "zero or more"),
    ({"rank": "1", "kind": "partial", "pays": "abc"}, "Write an amount"),
    ({"rank": "0", "kind": "full"}, "Number must be between"),
    ({"rank": "1", "kind": "free"}, "Not a valid choice"),
])
def test_a_partial_award_at_or_above_the_price_and_other_bad_ranks_are_refused(app, data, message):
    hub, _, organizer = scholarship_hub()
    application = applied(hub)
    url = f"/h/{hub.slug}/manage/scholarships/{application.id}"
    response = signed_in(app, organizer).submit(f"{url}/rank", data, form_url=url)
    assert response.status_code == 400 and message in response.get_data(as_text=True)
    application = db.session.get(ScholarshipApplication, application.id, populate_existing=True)
    assert application.rank is None and application.kind is None


def test_an_over_long_answer_is_refused_and_nothing_is_saved(app):
    hub, _, _ = scholarship_hub()
    client = signed_in(app, UserFactory())
    url = f"/h/{hub.slug}/scholarships"
    response = client.submit(f"{url}/apply", {"need": "student", "answer_1": "x" * 1001, "answer_2": "ok"},
                             form_url=url)
    assert response.status_code == 400 and "Keep the answer to 1,000 characters" in response.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(ScholarshipApplication.id))) == 0


def test_a_missing_need_or_answer_is_refused(app):
    hub, _, _ = scholarship_hub()
    client = signed_in(app, UserFactory())
    url = f"/h/{hub.slug}/scholarships"
    response = client.submit(f"{url}/apply", {"answer_1": "", "answer_2": "ok"}, form_url=url)
    body = response.get_data(as_text=True)
    assert response.status_code == 400 and "Pick one" in body and "Answer this question" in body
    assert db.session.scalar(db.select(db.func.count(ScholarshipApplication.id))) == 0


def test_applying_without_the_csrf_token_is_refused(app):
    hub, _, _ = scholarship_hub()
    response = signed_in(app, UserFactory()).post(f"/h/{hub.slug}/scholarships/apply",
                                                  data={"need": "student", "answer_1": "a", "answer_2": "b"})
    assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(ScholarshipApplication.id))) == 0
