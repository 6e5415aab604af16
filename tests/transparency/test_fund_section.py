"""The scholarship fund on the public report: opening + donations + plans' share − awards = closing, the seats
the fund and the organizers paid for, donors named only when they chose to be and members never; the same in the
API and the exports; frozen when published; a fixed number of statements however many movements."""
from __future__ import annotations

import csv
import io
from datetime import date

import pytest
import time_machine

from microhub.extensions import db
from microhub.ledger.report_models import MonthReport
from microhub.scholarships.models import ApplicationStatus, AwardKind, Need, ScholarshipApplication
from microhub.transparency.publishing import publish

from ..factories import UserFactory, member_of, organizer_of
from ..hubs.test_query_counts import statements_for
from ..ledger.test_fund_report import award, donate, share
from .helpers import at

NOW = at(2026, 4, 10)
FEB, MAR = date(2026, 2, 1), date(2026, 3, 1)
REASON = "A student from the evening school; the fund was short, so we pay this seat ourselves."
FUND_KEYS = {"currency", "opening", "donations", "plan_shares", "awards", "closing", "seats_funded",
             "seats_funded_by_organizers", "organizer_reasons", "donors", "anonymous_donors"}


def application(hub, user, *, funded_by: str, decided_at, status=ApplicationStatus.ACTIVE,
                reason: str | None = None) -> ScholarshipApplication:
    """An award as the scholarships pages leave it once accepted."""
    row = ScholarshipApplication(hub_id=hub.id, user_id=user.id, need=Need.STUDENT, status=status,
                                 kind=AwardKind.FULL, value_minor=3000, term_months=12, funded_by=funded_by,
                                 organizer_reason=reason, decided_at=decided_at,
                                 answers=[{"question": "Why?", "answer": "I study at night."}])
    db.session.add(row)
    db.session.commit()
    return row


@pytest.fixture
def world(app):
    """February: Ada's gift, an anonymous one and a plan's share. March: the fund pays Zora's seat, the organizers
    pay Yusuf's (a declined offer they would have paid counts for nothing). April (running): Bea's gift."""
    with time_machine.travel(NOW, tick=False):
        hub, organizer = organizer_of(slug="owls", name="Night Owls")
        zora, yusuf, xena = (member_of(hub, UserFactory(name=n)) for n in ("Zora Quill", "Yusuf Brandt", "Xena Moss"))
        donate(hub, "d-ada", at(2026, 2, 2), 5000, "Ada Lovelace", fee=100)
        donate(hub, "d-anon", at(2026, 2, 3), 2000)
        share(hub, "in-feb", at(2026, 2, 6), gross=900, share=200)
        funded = application(hub, zora, funded_by="fund", decided_at=at(2026, 3, 2))
        award(hub, funded.id, at(2026, 3, 2), 3000)
        application(hub, yusuf, funded_by="organizers", decided_at=at(2026, 3, 15), reason=REASON)
        application(hub, xena, funded_by="organizers", decided_at=at(2026, 3, 16), reason="Not taken",
                    status=ApplicationStatus.DECLINED)
        publish(hub, FEB, note="", actor=organizer)
        publish(hub, MAR, note="", actor=organizer)
        db.session.commit()
        donate(hub, "d-bea", at(2026, 4, 2), 700, "Bea")
        yield hub, organizer, (zora, yusuf, xena)


def test_the_page_shows_each_months_fund_adding_up_with_named_and_anonymous_donors(client, world):
    page = client.get("/h/owls/transparency").get_data(as_text=True)
    assert page.count("<h3 id=\"fund-") == 3  # April (running), March, February
    february = page[page.index('id="m-2026-02"'):]
    for words in ("Opening</dt><dd>€0.00", "+ Donations</dt><dd>€70.00", "+ Plans' share</dt><dd>€2.00",
                  "− Awards drawn</dt><dd>€0.00", "= Closing</dt><dd><strong>€72.00",
                  "Given by Ada Lovelace and 1 anonymous donor."):
        assert words in february
    march = page[page.index('id="m-2026-03"'):page.index('id="m-2026-02"')]
    assert "− Awards drawn</dt><dd>€30.00" in march and "= Closing</dt><dd><strong>€42.00" in march
    assert "1 seat funded by the fund." in march and "1 seat funded by the organizers" in march
    assert REASON in march and "Not taken" not in page and "No donations this month." in march
    april = page[page.index('id="m-2026-04"'):page.index('id="m-2026-03"')]
    assert "Given by Bea." in april and "0 seats funded by the fund." in april


def test_no_member_is_named_and_no_answer_shown_anywhere_in_the_report(client, world):
    _, _, members = world
    for path in ("/h/owls/transparency", "/api/v1/hubs/owls/transparency/2026-03",
                 "/h/owls/transparency/movements.json?from=2026-02-01&to=2026-04-30",
                 "/h/owls/transparency/fund.csv?from=2026-02-01&to=2026-04-30"):
        body = client.get(path).get_data(as_text=True)
        for member in members:
            assert member.name not in body and member.name.split()[0] not in body and member.email not in body
        assert "I study at night" not in body


def test_the_api_gives_the_months_fund_with_exact_keys(client, world):
    march = client.get("/api/v1/hubs/owls/transparency/2026-03").get_json()["scholarship_fund"]
    assert set(march) == FUND_KEYS
    assert march == {"currency": "EUR", "opening": 7200, "donations": 0, "plan_shares": 0, "awards": 3000,
                     "closing": 4200, "seats_funded": 1, "seats_funded_by_organizers": 1,
                     "organizer_reasons": [REASON], "donors": [], "anonymous_donors": 0}
    april = client.get("/api/v1/hubs/owls/transparency/2026-04").get_json()["scholarship_fund"]
    assert (april["opening"], april["donations"], april["closing"], april["donors"]) == (4200, 700, 4900, ["Bea"])
    assert april["closing"] == april["opening"] + april["donations"] + april["plan_shares"] - april["awards"]
    listed = client.get("/api/v1/hubs/owls/transparency").get_json()["months"]
    assert all("scholarship_fund" not in m for m in listed)  # the index keeps its shape


def test_the_exports_carry_the_fund_per_month(client, world):
    body = client.get("/h/owls/transparency/movements.json?month=2026-02").get_json()
    assert body["schema_version"] == 1 and [m["month"] for m in body["scholarship_fund"]] == ["2026-02"]
    assert body["scholarship_fund"][0]["donors"] == ["Ada Lovelace"]
    response = client.get("/h/owls/transparency/fund.csv?from=2026-02-01&to=2026-04-30")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(response.get_data(as_text=True))))
    assert [(r["month"], r["opening"], r["closing"], r["seats_funded"], r["seats_funded_by_organizers"])
            for r in rows] == [("2026-02", "0", "7200", "0", "0"), ("2026-03", "7200", "4200", "1", "1"),
                               ("2026-04", "4200", "4900", "0", "0")]
    assert rows[0]["donors"] == "Ada Lovelace" and rows[0]["anonymous_donors"] == "1"
    as_json = client.get("/h/owls/transparency/fund.json?month=2026-03").get_json()
    assert as_json["scholarship_fund"][0]["organizer_reasons"] == [REASON]


@pytest.mark.parametrize("query", ["month=2026-01", "month=garbage", "from=2026-04-01", "from=x&to=y", ""])
def test_a_fund_export_of_nothing_public_or_bad_dates_is_refused_with_a_reason(client, world, query):
    response = client.get(f"/h/owls/transparency/fund.csv?{query}")
    assert response.status_code in (400, 404) and response.mimetype == "text/plain"
    assert client.get("/h/owls/transparency/fund.xml?month=2026-03").status_code == 404


def test_a_published_month_keeps_its_fund_and_its_organizers_seats(client, world):
    hub, _, (_, yusuf, _) = world
    with time_machine.travel(NOW, tick=False):
        before = client.get("/api/v1/hubs/owls/transparency/2026-03").get_json()["scholarship_fund"]
        donate(hub, "d-late", at(2026, 3, 20), 999, "Late Larry")  # booked into April, as an adjustment
        db.session.execute(db.update(ScholarshipApplication).where(ScholarshipApplication.user_id == yusuf.id)
                           .values(status=ApplicationStatus.EXPIRED))
        application(hub, UserFactory(), funded_by="organizers", decided_at=at(2026, 3, 30), reason="Backdated")
        after = client.get("/api/v1/hubs/owls/transparency/2026-03").get_json()["scholarship_fund"]
        april = client.get("/api/v1/hubs/owls/transparency/2026-04").get_json()["scholarship_fund"]
    assert after == before
    assert april["donors"] == ["Bea", "Late Larry"] and april["donations"] == 700 + 999


def test_a_month_published_before_the_fund_was_reported_shows_none(client, world):
    hub, _, _ = world
    report = db.session.scalar(db.select(MonthReport).filter_by(hub_id=hub.id, month=FEB))
    report.figures = {k: v for k, v in report.figures.items() if k != "scholarship_fund"}
    db.session.commit()
    assert client.get("/api/v1/hubs/owls/transparency/2026-02").get_json()["scholarship_fund"] is None
    page = client.get("/h/owls/transparency").get_data(as_text=True)
    assert 'id="fund-2026-02"' not in page and 'id="fund-2026-03"' in page


@pytest.mark.parametrize("path", ["/h/owls/transparency", "/api/v1/hubs/owls/transparency/2026-04",
                                  "/h/owls/transparency/fund.csv?from=2026-02-01&to=2026-04-30"])
def test_statements_do_not_grow_with_gifts_awards_and_organizers_seats(app, client, world, path):
    hub, _, _ = world
    with time_machine.travel(NOW, tick=False):
        few = statements_for(app, client, path)
        for n in range(15):
            donate(hub, f"more-{n}", at(2026, 4, 3 + n % 5), 100 + n, f"Donor {n}" if n % 2 else None)
            share(hub, f"in-more-{n}", at(2026, 4, 3 + n % 5))
            award(hub, 1000 + n, at(2026, 4, 3 + n % 5), 50)
            application(hub, UserFactory(), funded_by="organizers", decided_at=at(2026, 4, 3 + n % 5), reason=f"R{n}")
        assert statements_for(app, client, path) == few
