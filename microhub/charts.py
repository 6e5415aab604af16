"""Chart geometry for server-rendered SVG, shared by every chart: bars in whole units of a fixed view box, which a
template draws (no script, no image files)."""
from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class Bar:
    label: str
    value: int
    x: int
    y: int
    width: int
    height: int
    css: str = ""


@dataclass
class Chart:
    width: int
    height: int
    bars: list[Bar] = field(default_factory=list)
    labels: list[tuple[int, str]] = field(default_factory=list)  # (x, text) under the plot
    rows: list[tuple[str, ...]] = field(default_factory=list)  # the data table: one tuple per row


def scaled(value: int, top: int, size: int) -> int:
    """`value` as a length of at most `size` units, `top` being the largest value shown (negatives draw nothing)."""
    return round(max(value, 0) * size / top) if top > 0 else 0
