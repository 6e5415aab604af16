"""Creating and editing a hub: the organizer role, and bad input that changes nothing."""
import pytest

from microhub.extensions import db
from microhub.hubs.models import Hub, HubRole, Role

from ..factories import HubFactory, PlanFactory, UserFactory, organizer_of

HUB = {
    "slug": "quiet-readers", "name": "Quiet Readers", "purpose": "Read one book a month, together.",
    "cap": "30", "currency": "EUR", "timezone": "Europe/Berlin",
    "promises": "A calm space", "rituals": "First Sunday: discussion", "rules": "Be kind.", "is_public": "y",
}


def hub_count() -> int:
    return db.session.scalar(db.select(db.func.count(Hub.id)))


def test_signed_in_user_creates_a_hub_and_becomes_its_organizer(client):
    user = UserFactory()
    client.login(user.email)
    response = client.submit("/hubs/new", HUB)
    assert response.status_code == 302 and response.headers["Location"] == "/h/quiet-readers"
    hub = db.session.scalar(db.select(Hub).filter_by(slug="quiet-readers"))
    assert (hub.cap, hub.currency, hub.timezone, hub.seats_taken) == (30, "EUR", "Europe/Berlin", 0)
    roles = db.session.scalars(db.select(HubRole).filter_by(hub_id=hub.id)).all()
    assert [(r.user_id, r.role) for r in roles] == [(user.id, Role.ORGANIZER)]
    page = client.get("/h/quiet-readers").get_data(as_text=True)
    assert "Read one book a month, together." in page and "<strong>30</strong> left" in page
    assert "0</strong> of 30 seats taken" in page and "A calm space" in page


def test_visitor_is_sent_to_log_in_before_creating_a_hub(client):
    response = client.get("/hubs/new")
    assert response.status_code == 302 and response.headers["Location"].startswith("/login?next=")


@pytest.mark.parametrize("slug, message", [
    ("Bad Slug!", "lower-case letters"),
    ("ab", "lower-case letters"),
    ("-dash-first", "lower-case letters"),
    ("double--dash", "lower-case letters"),
    ("x" * 41, "longer than 40"),
    ("admin", "reserved"),
])
def test_malformed_or_reserved_slug_is_refused_and_nothing_is_created(client, slug, message):
    client.login(UserFactory().email)
    response = client.submit("/hubs/new", {**HUB, "slug": slug})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert hub_count() == 0


def test_taken_slug_is_refused_with_a_message(client):
    HubFactory(slug="quiet-readers")
    client.login(UserFactory().email)
    response = client.submit("/hubs/new", HUB)
    assert response.status_code == 400
    assert "/h/quiet-readers is taken" in response.get_data(as_text=True)
    assert hub_count() == 1


@pytest.mark.parametrize("cap", ["0", "-5", "", "many", "10001"])
def test_cap_below_one_or_not_a_number_is_refused(client, cap):
    client.login(UserFactory().email)
    response = client.submit("/hubs/new", {**HUB, "cap": cap})
    assert response.status_code == 400
    assert 'aria-invalid="true"' in response.get_data(as_text=True)
    assert hub_count() == 0


@pytest.mark.parametrize("field, value, message", [
    ("currency", "XXX", "Not a valid choice"),
    ("timezone", "Mars/Olympus", "not a known time zone"),
    ("name", "", "This field is required"),
])
def test_unknown_currency_time_zone_or_missing_name_is_refused(client, field, value, message):
    client.login(UserFactory().email)
    response = client.submit("/hubs/new", {**HUB, field: value})
    assert response.status_code == 400
    assert message in response.get_data(as_text=True)
    assert hub_count() == 0


def test_form_posted_without_its_csrf_token_is_refused_and_changes_nothing(client):
    client.login(UserFactory().email)
    response = client.post("/hubs/new", data=HUB)
    assert response.status_code == 400
    assert "security token" in response.get_data(as_text=True)
    assert hub_count() == 0


def test_organizer_edits_settings_and_lowering_the_cap_removes_nobody(client):
    hub, organizer = organizer_of(cap=10)
    from ..factories import member_of

    for _ in range(3):
        member_of(hub)
    client.login(organizer.email)
    url = f"/h/{hub.slug}/manage/settings"
    response = client.submit(url, {**HUB, "slug": hub.slug, "cap": "2", "name": "Renamed"})
    assert response.status_code == 302
    db.session.refresh(hub)
    assert (hub.name, hub.cap, hub.seats_taken, hub.seats_left) == ("Renamed", 2, 3, 0)


def test_unknown_hub_is_404_on_pages_and_api(client):
    assert client.get("/h/no-such-hub").status_code == 404
    response = client.get("/api/v1/hubs/no-such-hub")
    assert response.status_code == 404 and response.is_json


def test_currency_cannot_change_once_the_hub_has_priced_plans(client):
    hub, organizer = organizer_of(currency="EUR")
    PlanFactory(hub=hub)
    client.login(organizer.email)
    response = client.submit(f"/h/{hub.slug}/manage/settings", {**HUB, "slug": hub.slug, "currency": "USD"})
    assert response.status_code == 400 and "cannot change once plans have prices" in response.get_data(as_text=True)
    db.session.refresh(hub)
    assert hub.currency == "EUR"
