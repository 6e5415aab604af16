"""A placement's daily chart as server-drawn SVG geometry (bars in a fixed view box), drawn by a template."""
from __future__ import annotations

from ..charts import Bar, Chart, scaled
from .portal import Day

PLOT_HEIGHT, TOP, LEFT, MAX_DAYS = 120, 8, 4, 60


def daily(days: list[Day]) -> Chart:
    """Served per day on the web (sent, for e-mail-only placements), the latest `MAX_DAYS` days."""
    web = [d for d in days if d.channel == "web"] or days
    shown = web[-MAX_DAYS:]
    slot = 12 if len(shown) > 20 else 24
    chart = Chart(width=LEFT * 2 + slot * max(len(shown), 1), height=TOP + PLOT_HEIGHT + 20)
    top = max([d.served for d in shown] + [1])
    for index, day in enumerate(shown):
        height = scaled(day.served, top, PLOT_HEIGHT)
        x = LEFT + index * slot
        chart.bars.append(Bar(day.date.isoformat(), day.served, x + 2, TOP + PLOT_HEIGHT - height, slot - 4, height))
        if index % 7 == 0:
            chart.labels.append((x + slot // 2, day.date.strftime("%d %b")))
    return chart
