"""The sponsor portal's statistics and downloads: a sponsor's people see every placement of theirs across hubs,
and nobody sees another sponsor's figures (other sponsors' people, hub staff, members, visitors)."""
from __future__ import annotations

import csv
import io
from datetime import timedelta

from microhub.database import utcnow
from microhub.extensions import db
from microhub.sponsors.models import Channel, PlacementAdjustment, PlacementDay

from ..factories import HubFactory, member_of, organizer_of
from .counting_helpers import live_placement, live_setup, sponsor_with_person

COLUMNS = ["date", "placement", "hub", "channel", "served", "unique", "viewable", "clicks", "final", "adjustments"]


def with_figures(live):
    """Two days of figures for the first placement, the older one final with a dated adjustment."""
    placement = live.placements[0]
    today = utcnow().date()
    db.session.add_all([
        PlacementDay(placement_id=placement.id, day=today - timedelta(days=4), channel=Channel.WEB, served=200,
                     unique=150, viewable=120, clicks=8, discarded={"bot": 40}, final=True, finalized_at=utcnow()),
        PlacementDay(placement_id=placement.id, day=today, channel=Channel.WEB, served=50, unique=40, viewable=30,
                     clicks=2, discarded={}, final=False),
        PlacementAdjustment(placement_id=placement.id, day=today - timedelta(days=4), channel=Channel.WEB,
                            deltas={"clicks": 1}, reason="Counted after this day was final."),
    ])
    db.session.commit()
    return placement


def test_a_sponsors_person_sees_every_placement_across_hubs_with_figures_chart_and_table(client):
    live = live_setup(1)
    second_hub = live_placement(HubFactory(name="Second hub"), live.sponsor)
    placement = with_figures(live)
    client.login(live.person.email)
    page = client.get(f"/sponsor/{live.sponsor.id}/stats").get_data(as_text=True)
    assert live.hub.name in page and "Second hub" in page and second_hub.hub.name in page
    assert "Unique viewers per day" in page and "<svg" in page and "<table>" in page
    assert "<dd>250</dd>" in page and "<dd>11</dd>" in page  # 200 + 50 served; 8 + 2 clicks and 1 adjusted
    assert "4.4" in page  # click-through rate: (8 + 1 + 2) / 250
    assert "Counted after this day was final." in page
    assert f"placement {placement.id}" in page
    assert f"<title>Statistics · {live.sponsor.name}" in page and page.count('id="daily-webhook"') == 1


def test_csv_and_json_downloads_have_one_row_per_placement_day_and_channel(client):
    live = live_setup(1)
    placement = with_figures(live)
    client.login(live.person.email)
    response = client.get(f"/sponsor/{live.sponsor.id}/stats.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    table = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert list(table[0]) == COLUMNS and len(table) == 2
    assert table[0]["placement"] == str(placement.id) and table[0]["final"] == "true" and table[0]["clicks"] == "9"
    assert table[0]["adjustments"] == "1" and table[1]["final"] == "false"
    document = client.get(f"/sponsor/{live.sponsor.id}/stats.json").get_json()
    assert [row["served"] for row in document["rows"]] == [200, 50]
    [shown] = document["placements"]
    assert shown["totals"]["clicks"] == 11 and shown["adjustments"][0]["deltas"] == {"clicks": 1}


def test_another_sponsors_people_hub_staff_members_and_visitors_are_refused(app, client):
    live = live_setup(1)
    with_figures(live)
    _, stranger = sponsor_with_person("Other sponsor")
    _, organizer = organizer_of(live.hub)
    member = member_of(live.hub)
    urls = [f"/sponsor/{live.sponsor.id}/stats", f"/sponsor/{live.sponsor.id}/stats.csv",
            f"/sponsor/{live.sponsor.id}/stats.json"]
    for url in urls:
        assert client.get(url).status_code == 302  # visitors log in
    for person in (stranger, organizer, member):
        client = app.test_client()
        client.login(person.email)
        for url in urls + ["/sponsor/999999/stats", "/sponsor/0/stats"]:
            assert client.get(url).status_code == 404, (person.email, url)


def test_a_sponsor_in_several_sponsors_sees_each_only_under_its_own_id(client):
    live = live_setup(1)
    with_figures(live)
    other, _ = sponsor_with_person("Other sponsor")
    other_placement = live_placement(HubFactory(name="Elsewhere"), other)
    client.login(live.person.email)
    page = client.get(f"/sponsor/{live.sponsor.id}/stats").get_data(as_text=True)
    assert "Elsewhere" not in page
    rows = client.get(f"/sponsor/{live.sponsor.id}/stats.json").get_json()["placements"]
    assert other_placement.id not in [row["id"] for row in rows]
