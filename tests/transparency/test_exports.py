"""Exports: one row per public movement of published months and the running month, CSV or JSON, by month or
date range; bad input is a 4xx with a message; an unpublished past month is refused to everyone."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine

from microhub.extensions import db
from microhub.ledger.models import Account
from microhub.ledger.publishing import publish_month

from ..factories import UserFactory, member_of, organizer_of
from ..helpers import person_as, signed_in
from .helpers import at, pay, spend, three_months

NOW = at(2026, 4, 10)
COLUMNS = ["date", "month", "kind", "account", "label", "memo", "amount_minor", "currency", "direction",
           "adjustment", "hash"]


@pytest.fixture
def hub(app):
    with time_machine.travel(NOW, tick=False):
        hub, _ = organizer_of(slug="owls", name="Night Owls")
        three_months(hub)
        spend(hub, "apr-1", at(2026, 4, 2), 120, Account.EVENTS, "=HYPERLINK(\"x\")")
        publish_month(hub, date(2026, 1, 1), note="", user_id=None)
        db.session.commit()
        yield hub


def rows(response) -> list[dict]:
    assert response.status_code == 200 and response.mimetype == "text/csv"
    return list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))


def test_a_month_as_csv_has_one_row_per_public_movement_line(client, hub):
    response = client.get("/h/owls/transparency/movements.csv?month=2026-01")
    assert response.get_data(as_text=True).splitlines()[0] == ",".join(COLUMNS)
    found = rows(response)
    assert [(r["date"], r["account"], r["amount_minor"], r["direction"]) for r in found] == [
        ("2026-01-05", "income.membership", "900", "in"), ("2026-01-05", "spending.processor_fees", "38", "out"),
        ("2026-01-20", "income.membership", "1500", "in"), ("2026-01-20", "spending.processor_fees", "50", "out")]
    assert {r["currency"] for r in found} == {"EUR"} and all(len(r["hash"]) == 64 for r in found)
    assert "attachment" in response.headers["Content-Disposition"]


def test_a_range_as_json_keeps_to_published_months_and_the_running_one(client, hub):
    body = client.get("/h/owls/transparency/movements.json?from=2026-01-01&to=2026-04-30").get_json()
    assert body["schema_version"] == 1 and body["columns"] == COLUMNS
    assert {m["month"] for m in body["movements"]} == {"2026-01", "2026-04"}
    [april] = [m for m in body["movements"] if m["month"] == "2026-04"]
    assert (april["amount_minor"], april["direction"], april["kind"]) == (120, "out", "expense")


def test_a_memo_that_looks_like_a_formula_is_quoted_in_csv(client, hub):
    [row] = rows(client.get("/h/owls/transparency/movements.csv?month=2026-04"))
    assert row["memo"].startswith("'=")


@pytest.mark.parametrize("query, message", [
    ("from=2026-13-01&to=2026-04-01", "YYYY-MM-DD"), ("from=garbage&to=2026-04-01", "YYYY-MM-DD"),
    ("from=2026-04-01&to=", "YYYY-MM-DD"), ("from=0001-01-01&to=2026-01-01", "between"),
    ("from=2026-04-01&to=9999-12-31", "between"), ("from=2026-04-01&to=2026-01-01", "comes before"),
    ("from=2000-01-01&to=2026-01-01", "at most"), ("from=2026-01-01", "Ask for one month"), ("", "Ask for one month"),
    ("month=2026-1", "YYYY-MM"), ("month=%00", "YYYY-MM"), ("from=2026-01-01%00&to=2026-02-01", "YYYY-MM-DD"),
    ("from=%2B2026-01-01&to=2026-02-01", "YYYY-MM-DD"), ("from=20260101&to=2026-02-01", "YYYY-MM-DD"),
])
@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_bad_input_is_a_400_with_a_message(client, hub, query, message, fmt):
    response = client.get(f"/h/owls/transparency/movements.{fmt}?{query}")
    assert response.status_code == 400 and message in response.get_data(as_text=True)


def test_an_unknown_format_is_not_found(client, hub):
    assert client.get("/h/owls/transparency/movements.xlsx?month=2026-01").status_code == 404


@pytest.mark.parametrize("who", ["visitor", "member", "moderator", "other_organizer"])
def test_unpublished_past_months_are_refused_to_everyone_through_page_api_and_exports(app, hub, who):
    user = person_as(hub, who)
    client = signed_in(app, user)
    with time_machine.travel(NOW, tick=False):
        page = client.get("/h/owls/transparency").get_data(as_text=True)
        assert "m-2026-02" not in page and "m-2026-03" not in page and "m-2026-01" in page
        assert client.get("/api/v1/hubs/owls/transparency/2026-02").status_code == 404
        assert "2026-03" not in client.get("/api/v1/hubs/owls/transparency").get_data(as_text=True)
        for fmt in ("csv", "json"):
            assert client.get(f"/h/owls/transparency/movements.{fmt}?month=2026-03").status_code == 404
        ranged = client.get("/h/owls/transparency/movements.json?from=2026-02-01&to=2026-03-31").get_json()
        assert ranged["movements"] == []


def test_members_are_never_named_on_the_page_the_api_or_the_exports(app, client, hub):
    with time_machine.travel(NOW, tick=False):
        person = UserFactory(name="Zelda Quixotic-Member", email="zelda.quixotic@example.org")
        member_of(hub, person)
        pay(hub, "zelda-apr", at(2026, 4, 3))
        for url in ("/h/owls/transparency", "/api/v1/hubs/owls/transparency",
                    "/api/v1/hubs/owls/transparency/2026-04", "/h/owls/transparency/movements.csv?month=2026-04",
                    "/h/owls/transparency/movements.json?from=2026-01-01&to=2026-04-30"):
            text = client.get(url).get_data(as_text=True)
            assert "Zelda" not in text and "quixotic" not in text.lower() and "ch_zelda" not in text, url
