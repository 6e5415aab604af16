"""The public report: published months frozen, the running month marked not final, nothing else; charts that
need no script; the JSON API's exact shape; a fixed number of statements however many rows."""
from __future__ import annotations

import re
from datetime import date

import pytest
import time_machine

from microhub.extensions import db
from microhub.ledger.models import Account
from microhub.ledger.publishing import publish_month
from microhub.ledger.report_models import Reconciliation

from ..factories import HubFactory
from ..hubs.test_query_counts import statements_for
from .helpers import at, pay, spend, three_months

NOW = at(2026, 4, 10)
JAN, FEB = date(2026, 1, 1), date(2026, 2, 1)


@pytest.fixture
def hub(app):
    with time_machine.travel(NOW, tick=False):
        hub = HubFactory(slug="owls", name="Night Owls")
        three_months(hub)
        pay(hub, "apr-1", at(2026, 4, 2), gross=1200, fee=40)
        publish_month(hub, JAN, note="Our first month in the open.", user_id=None)
        db.session.add(Reconciliation(hub_id=hub.id, month=JAN, differences=2))
        db.session.commit()
        yield hub


def test_the_page_shows_published_months_and_the_running_month_only(client, hub):
    page = client.get("/h/owls/transparency").get_data(as_text=True)
    assert 'id="m-2026-01"' in page and 'id="m-2026-04"' in page
    assert 'id="m-2026-02"' not in page and 'id="m-2026-03"' not in page
    assert "Running month: not final" in page and "Our first month in the open." in page
    assert "2 differences" in page and "not checked yet" in page
    assert "Earlier months are not published yet" in page
    assert 'role="img"' in page and "<title id=" in page and "<table" in page
    assert "style=" not in page and "<script>" not in page  # nothing the CSP would block


def test_the_hub_page_links_to_the_report(client, hub):
    assert "/h/owls/transparency" in client.get("/h/owls").get_data(as_text=True)


MONTH_KEYS = {"month", "currency", "opening", "income", "refunds", "spending", "closing", "final", "reconciled",
              "hash"}


def test_the_api_lists_published_months_and_the_running_one_with_exact_keys(client, hub):
    body = client.get("/api/v1/hubs/owls/transparency").get_json()
    assert set(body) == {"schema_version", "hub", "currency", "months"}
    assert [m["month"] for m in body["months"]] == ["2026-04", "2026-01"]
    assert all(set(m) == MONTH_KEYS for m in body["months"])
    april, january = body["months"]
    assert (april["final"], april["reconciled"], january["final"], january["reconciled"]) == (False, None, True, False)
    assert january["closing"] == january["opening"] + january["income"] - january["refunds"] - january["spending"]
    assert all(type(m[k]) is int for m in body["months"] for k in ("opening", "income", "spending", "closing"))
    assert april["opening"] == 6774 and april["closing"] == 6774 + 1200 - 40


def test_the_api_gives_one_month_in_detail_with_exact_keys(client, hub):
    body = client.get("/api/v1/hubs/owls/transparency/2026-01").get_json()
    assert set(body) == MONTH_KEYS | {"schema_version", "income_by_source", "spending_by_category", "budgets",
                                      "adjustments", "note", "published_at", "differences", "other_currencies",
                                      "scholarship_fund"}
    assert body["income_by_source"] == {"income.membership": 2400}
    assert body["spending_by_category"] == {"spending.processor_fees": 88}
    assert re.fullmatch("[0-9a-f]{64}", body["hash"]) and body["final"] is True


@pytest.mark.parametrize("month", ["2026-02", "2026-03", "2025-12", "2026-05", "2026-13", "garbage", "9999-01"])
def test_the_api_has_no_month_that_is_neither_published_nor_running(client, hub, month):
    response = client.get(f"/api/v1/hubs/owls/transparency/{month}")
    assert response.status_code == 404 and response.is_json


def test_a_published_month_keeps_its_figures_after_a_late_movement(client, hub):
    with time_machine.travel(NOW, tick=False):
        spend(hub, "late", at(2026, 1, 25), 400, Account.EVENTS, "Meetup room, January")
    january = client.get("/api/v1/hubs/owls/transparency/2026-01").get_json()
    assert january["spending_by_category"] == {"spending.processor_fees": 88}


@pytest.mark.parametrize("path", ["/h/owls/transparency", "/api/v1/hubs/owls/transparency",
                                  "/api/v1/hubs/owls/transparency/2026-01",
                                  "/h/owls/transparency/movements.json?month=2026-04"])
def test_statements_do_not_grow_with_ledger_rows(app, client, hub, path):
    with time_machine.travel(NOW, tick=False):
        few = statements_for(app, client, path)
        for n in range(25):
            pay(hub, f"many-{n}", at(2026, 4, 3 + n % 5))
            spend(hub, f"costs-{n}", at(2026, 4, 3 + n % 5), 5 + n, Account.TOOLS)
        publish_month(hub, FEB, note="", user_id=None)
        db.session.commit()
        assert statements_for(app, client, path) == few
