"""Chart geometry for server-rendered SVG: bars in whole units of a fixed view box, drawn by a template."""
from __future__ import annotations

from datetime import date

from ..charts import Bar, Chart, scaled
from ..ledger.models import Account
from .public import CHART_MONTHS, in_currency

#: The view box of the monthly chart: plot height and the width of one month's pair of bars.
PLOT_HEIGHT, SLOT, BAR, LEFT, TOP = 160, 48, 18, 8, 12


def by_month(documents: list[dict], currency: str) -> Chart:
    """Income and spending (refunds counted as spending) of the shown months, oldest on the left."""
    points = []
    for document in reversed(documents[:CHART_MONTHS]):
        figures = in_currency(document, currency) or {"income": 0, "spending": 0, "refunds": 0}
        points.append((document["month"], figures["income"], figures["spending"] + figures["refunds"]))
    top = max([max(i, s) for _, i, s in points] + [1])
    chart = Chart(width=LEFT * 2 + SLOT * len(points), height=TOP + PLOT_HEIGHT + 24)
    for index, (month, income, spending) in enumerate(points):
        x = LEFT + index * SLOT + (SLOT - 2 * BAR) // 2
        for offset, value, css in ((0, income, "bar-income"), (BAR, spending, "bar-spending")):
            height = scaled(value, top, PLOT_HEIGHT)
            chart.bars.append(Bar(month, value, x + offset, TOP + PLOT_HEIGHT - height, BAR, height, css))
        chart.labels.append((x + BAR, date.fromisoformat(month + "-01").strftime("%b %y")))
        chart.rows.append((month, income, spending))
    return chart


def by_category(documents: list[dict], currency: str) -> Chart:
    """Spending of the shown months added up per category, largest first, as horizontal bars."""
    totals: dict[str, int] = {}
    for document in documents[:CHART_MONTHS]:
        for account, amount in (in_currency(document, currency) or {}).get("spending_by_category", {}).items():
            totals[account] = totals.get(account, 0) + amount
    ranked = sorted(((Account(a).label, v) for a, v in totals.items() if v > 0), key=lambda p: -p[1])
    top = max([v for _, v in ranked] + [1])
    chart = Chart(width=320, height=max(len(ranked), 1) * 44 + 4)
    for index, (label, value) in enumerate(ranked):
        chart.bars.append(Bar(label, value, 0, index * 44 + 20, max(scaled(value, top, 320), 2), 18, "bar-category"))
        chart.rows.append((label, value))
    return chart
