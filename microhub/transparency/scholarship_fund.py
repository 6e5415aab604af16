"""The scholarship fund's part of a public month: the ledger's figures, the seats the organizers funded
themselves (which move no money, so the ledger does not know them), and the words the page says about them."""
from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from ..extensions import db
from ..hubs.models import Hub
from ..ledger.reports import next_month
from ..ledger.services import month_of
from ..scholarships.models import ApplicationStatus, ScholarshipApplication

#: The fund's public keys (README.md, "Transparency exports"): opening + donations + plan_shares − awards =
#: closing, in minor units of `currency`; then the seats, and the donors who chose to be named.
FUND = ("currency", "opening", "donations", "plan_shares", "awards", "closing", "seats_funded",
        "seats_funded_by_organizers", "organizer_reasons", "donors", "anonymous_donors")
#: An award the organizers fund is counted once the applicant accepted it, and stays counted after its term ends.
_TAKEN = (ApplicationStatus.ACCEPTED, ApplicationStatus.ACTIVE, ApplicationStatus.ENDED)


def organizer_funded(hub: Hub, months: list[date]) -> dict[str, list[str]]:
    """Per month ("YYYY-MM"), the public reasons of the awards funded by the organizers decided in it: one
    statement for all `months`. Only the organizers' reasons: never who the scholarship went to."""
    if not months:
        return {}
    zone = ZoneInfo(hub.timezone)
    start = datetime.combine(min(months), datetime.min.time(), tzinfo=zone)
    end = datetime.combine(next_month(max(months)), datetime.min.time(), tzinfo=zone)
    rows = db.session.execute(
        db.select(ScholarshipApplication.decided_at, ScholarshipApplication.organizer_reason)
        .where(ScholarshipApplication.hub_id == hub.id, ScholarshipApplication.funded_by == "organizers",
               ScholarshipApplication.status.in_(_TAKEN), ScholarshipApplication.decided_at >= start,
               ScholarshipApplication.decided_at < end)
        .order_by(ScholarshipApplication.decided_at, ScholarshipApplication.id)).all()
    wanted = {f"{m:%Y-%m}" for m in months}
    found: dict[str, list[str]] = {}
    for decided_at, reason in rows:
        label = f"{month_of(hub, decided_at):%Y-%m}"
        if label in wanted:
            found.setdefault(label, []).append((reason or "").strip())
    return found


def organizers_part(reasons: list[str]) -> dict:
    return {"seats_funded_by_organizers": len(reasons), "organizer_reasons": reasons}


def add_organizer_seats(hub: Hub, documents: list[dict]) -> None:
    """Give each document's fund its seats funded by the organizers, unless frozen with it when published.

    Copies the fund (a published month's figures are shared with its row); a month published before the fund
    was reported has none, and gets none."""
    missing = [d for d in documents if d.get("scholarship_fund") and
               "seats_funded_by_organizers" not in d["scholarship_fund"]]
    found = organizer_funded(hub, [date.fromisoformat(d["month"] + "-01") for d in missing])
    for document in missing:
        document["scholarship_fund"] = {**document["scholarship_fund"],
                                        **organizers_part(found.get(document["month"], []))}


def frozen_with_organizer_seats(hub: Hub, figures: dict, month: date) -> dict:
    """A month's figures as published: its fund with the seats the organizers funded in it, frozen too."""
    if not figures.get("scholarship_fund"):
        return figures
    reasons = organizer_funded(hub, [month]).get(f"{month:%Y-%m}", [])
    return {**figures, "scholarship_fund": {**figures["scholarship_fund"], **organizers_part(reasons)}}


def public_fund(document: dict) -> dict | None:
    """A public month's scholarship fund, in the hub's currency; None for a month published before the fund was
    part of the report (its frozen figures have none, and none is made up afterwards)."""
    fund = document.get("scholarship_fund")
    return {key: fund[key] for key in FUND} if fund else None


def donors_text(fund: dict) -> str:
    """"Given by Ada, Bob and 2 anonymous donors.": only names donors who chose to be named."""
    names, anonymous = list(fund.get("donors") or []), fund.get("anonymous_donors") or 0
    if anonymous:
        names.append(f"{anonymous} anonymous donor{'s' if anonymous != 1 else ''}")
    if not names:
        return "No donations this month."
    listed = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
    return f"Given by {listed}."


def seats_text(count: int, by: str) -> str:
    return f"{count} seat{'s' if count != 1 else ''} funded by {by}"
