"""A sponsor's figures: every placement across hubs with its daily rows and dated adjustments, the same for the
portal page, its CSV and JSON downloads and the API (three queries, whatever the number of placements)."""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field

from ..extensions import db
from ..hubs.models import Hub
from .models import Placement, PlacementAdjustment, PlacementDay, Spot

COLUMNS = ("date", "placement", "hub", "channel", "served", "unique", "viewable", "clicks", "final", "adjustments")
SUMMED = ("served", "viewable", "clicks")


@dataclass
class Day:
    """One day and channel as the sponsor sees it: the rolled-up row plus any dated adjustments of it."""

    date: date
    channel: str
    served: int
    unique: int
    viewable: int
    clicks: int
    final: bool
    discarded: dict
    adjustments: int = 0


@dataclass
class Figures:
    placement: Placement
    hub: Hub
    where: str
    days: list[Day] = field(default_factory=list)
    adjustments: list[PlacementAdjustment] = field(default_factory=list)

    @property
    def price_paid(self) -> int:
        return (self.placement.price_minor - self.placement.refunded_minor) if self.placement.paid_at else 0

    @property
    def totals(self) -> dict:
        sums = {name: sum(getattr(day, name) for day in self.days) for name in SUMMED}
        web_days = [day for day in self.days if day.channel == "web"]
        sums["unique_per_day"] = round(sum(d.unique for d in web_days) / len(web_days)) if web_days else 0
        sums["ctr"] = round(100 * sums["clicks"] / sums["served"], 2) if sums["served"] else 0.0
        return sums


def figures_of(sponsor_id: int) -> list[Figures]:
    """Every placement of this sponsor (newest period first) with its days and adjustments; nobody else's."""
    rows = db.session.execute(db.select(Placement, Hub, Spot).join(Hub, Hub.id == Placement.hub_id)
                              .join(Spot, Spot.id == Placement.spot_id).where(Placement.sponsor_id == sponsor_id)
                              .order_by(Placement.starts_at.desc(), Placement.id.desc())).all()
    found = {p.id: Figures(p, hub, spot.where.label) for p, hub, spot in rows}
    if not found:
        return []
    adjustments = list(db.session.scalars(db.select(PlacementAdjustment).where(
        PlacementAdjustment.placement_id.in_(found)).order_by(PlacementAdjustment.created_at, PlacementAdjustment.id)))
    days = db.session.scalars(db.select(PlacementDay).where(PlacementDay.placement_id.in_(found))
                              .order_by(PlacementDay.day, PlacementDay.channel))
    by_day = {}
    for row in days:
        day = Day(row.day, row.channel.value, row.served, row.unique, row.viewable, row.clicks, row.final,
                  dict(row.discarded or {}))
        by_day[(row.placement_id, row.day, row.channel.value)] = day
        found[row.placement_id].days.append(day)
    for adjustment in adjustments:
        found[adjustment.placement_id].adjustments.append(adjustment)
        day = by_day.get((adjustment.placement_id, adjustment.day, adjustment.channel.value))
        if day is not None:
            _apply(day, adjustment.deltas or {})
    return list(found.values())


def _apply(day: Day, deltas: dict) -> None:
    for name in (*SUMMED, "unique"):
        setattr(day, name, getattr(day, name) + int(deltas.get(name, 0)))
    day.adjustments += 1


def as_rows(figures: list[Figures]) -> list[dict]:
    """One row per placement, day and channel (adjustments included, and counted in `adjustments`)."""
    return [{"date": day.date.isoformat(), "placement": f.placement.id, "hub": f.hub.slug, "channel": day.channel,
             "served": day.served, "unique": day.unique, "viewable": day.viewable, "clicks": day.clicks,
             "final": day.final, "adjustments": day.adjustments} for f in figures for day in f.days]


def as_csv(figures: list[Figures]) -> str:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    for row in as_rows(figures):
        writer.writerow({**row, "final": "true" if row["final"] else "false"})
    return out.getvalue()


def as_document(sponsor, figures: list[Figures]) -> dict:
    """The JSON download and the API's answer."""
    return {"sponsor": {"id": sponsor.id, "name": sponsor.name},
            "placements": [_placement(f) for f in figures], "rows": as_rows(figures)}


def _placement(f: Figures) -> dict:
    p = f.placement
    return {"id": p.id, "hub": {"slug": f.hub.slug, "name": f.hub.name}, "where": p.spot.where.value,
            "status": p.status.value, "starts_at": p.starts_at.isoformat(), "ends_at": p.ends_at.isoformat(),
            "price_paid_minor": f.price_paid, "currency": p.currency, "totals": f.totals,
            "adjustments": [{"date": a.day.isoformat(), "channel": a.channel.value, "deltas": a.deltas,
                             "reason": a.reason, "created_at": a.created_at.isoformat()} for a in f.adjustments]}
