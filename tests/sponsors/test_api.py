"""API tokens and `GET /api/v1/sponsor/placements`: a token shown once, revocable, opening only its own
sponsor's figures, and nothing else (no session, no hub pages)."""
from __future__ import annotations

import re

from microhub.extensions import db
from microhub.sponsors.models import SponsorToken

from ..factories import organizer_of
from .counting_helpers import live_setup, sponsor_with_person
from .test_portal import with_figures

API = "/api/v1/sponsor/placements"


def new_token(client, sponsor_id: int, name: str = "Dashboard") -> str:
    response = client.submit(f"/sponsor/{sponsor_id}/tokens", {"name": name}, form_url=f"/sponsor/{sponsor_id}/stats")
    assert response.status_code == 200, response.get_data(as_text=True)
    page = response.get_data(as_text=True)
    return re.search(r'id="new-token" type="text" readonly value="(mhs_[^"]+)"', page).group(1)


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


def test_a_token_is_shown_once_kept_as_a_hash_and_gives_the_same_figures(client):
    live = live_setup(1)
    placement = with_figures(live)
    client.login(live.person.email)
    token = new_token(client, live.sponsor.id)
    assert token not in client.get(f"/sponsor/{live.sponsor.id}/stats").get_data(as_text=True)
    assert db.session.scalar(db.select(SponsorToken.token_hash)) != token
    client = client.application.test_client()
    answer = client.get(API, headers=bearer(token))
    assert answer.status_code == 200
    document = answer.get_json()
    assert [p["id"] for p in document["placements"]] == [placement.id]
    assert document == client.get(API, headers=bearer(token)).get_json()
    assert db.session.scalar(db.select(SponsorToken.last_used_at)) is not None


def test_unknown_malformed_and_revoked_tokens_get_401(client):
    live = live_setup(1)
    client.login(live.person.email)
    token = new_token(client, live.sponsor.id)
    for headers in ({}, bearer("mhs_unknown"), bearer(""), {"Authorization": token}, {"Authorization": "Basic x"}):
        response = client.get(API, headers=headers)
        assert response.status_code == 401 and response.get_json()["error"]
    token_id = db.session.scalar(db.select(SponsorToken.id))
    response = client.submit(f"/sponsor/{live.sponsor.id}/tokens/{token_id}/revoke", {},
                             form_url=f"/sponsor/{live.sponsor.id}/stats")
    assert response.status_code == 303
    assert client.get(API, headers=bearer(token)).status_code == 401


def test_a_token_opens_only_its_own_sponsors_figures_whoever_is_logged_in(client):
    mine, theirs = live_setup(1), live_setup(1)
    with_figures(theirs)
    client.login(mine.person.email)
    token = new_token(client, mine.sponsor.id)
    assert client.get(API).status_code == 401  # a session is not a token
    document = client.get(API, headers=bearer(token)).get_json()
    assert [p["id"] for p in document["placements"]] == [mine.placements[0].id]
    assert document["rows"] == []
    client = client.application.test_client()
    client.login(theirs.person.email)
    assert [p["id"] for p in client.get(API, headers=bearer(token)).get_json()["placements"]] == [mine.placements[0].id]


def test_another_sponsors_people_cannot_revoke_or_make_tokens_here(client):
    live = live_setup(1)
    client.login(live.person.email)
    token = new_token(client, live.sponsor.id)
    token_id = db.session.scalar(db.select(SponsorToken.id))
    client = client.application.test_client()
    other, stranger = sponsor_with_person("Other")
    client.login(stranger.email)
    response = client.post(f"/sponsor/{live.sponsor.id}/tokens/{token_id}/revoke",
                           data={"csrf_token": client.csrf_token(f"/sponsor/{other.id}/stats")})
    assert response.status_code == 404
    response = client.submit(f"/sponsor/{other.id}/tokens/{token_id}/revoke", {}, form_url=f"/sponsor/{other.id}/stats")
    assert response.status_code == 303
    assert "not one of this sponsor" in client.get(f"/sponsor/{other.id}/stats").get_data(as_text=True)
    assert client.get(API, headers=bearer(token)).status_code == 200  # still live


def test_a_sponsor_token_opens_no_hub_staff_page(client):
    live = live_setup(1)
    organizer_of(live.hub)
    client.login(live.person.email)
    token = new_token(client, live.sponsor.id)
    client = client.application.test_client()
    for path in (f"/h/{live.hub.slug}/manage/settings", f"/sponsor/{live.sponsor.id}/stats"):
        assert client.get(path, headers=bearer(token)).status_code == 302  # to the log-in page: a token is no login


def test_a_token_needs_a_name_and_bad_names_change_nothing(client):
    live = live_setup(1)
    client.login(live.person.email)
    for name in ("", "x" * 81, "line\nbreak"):
        response = client.submit(f"/sponsor/{live.sponsor.id}/tokens", {"name": name},
                                 form_url=f"/sponsor/{live.sponsor.id}/stats")
        assert response.status_code == 400
    assert db.session.scalar(db.select(db.func.count(SponsorToken.id))) == 0
