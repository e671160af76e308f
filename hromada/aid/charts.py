"""Small bar charts drawn on the server as inline SVG.

The Content-Security-Policy forbids inline styles and scripts, so a chart is plain SVG with
presentation attributes (``fill``, ``font-size``) and nothing else. Bars are laid out in
percentages of the width, text in pixels: the chart fills a 360 px phone and a desktop column
alike, and its labels stay readable on both. Every number is formatted here, with a dot: a
template would localise it ("12,5" in Ukrainian), which SVG does not read.

Each chart sits beside a table with the same figures; the SVG is a picture of that table.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

# Colours of the stylesheet (hromada.css :root), repeated because SVG fills take no CSS variables
# without a style attribute.
RED = "#b3261e"
ORANGE = "#b35c00"
BLUE = "#005bbb"
GREEN = "#1e6b34"
GREY = "#596270"
TRACK = "#e4e7eb"
INK = "#1b1f24"

ROW_HEIGHT = 34  # a label line (13 px text) and a 10 px bar under it
BAR_OFFSET = 18
BAR_HEIGHT = 10
LABEL_CHARS = 30  # longer labels are cut with an ellipsis so they never run into the value


def _pct(value: float) -> str:
    return f"{max(0.0, min(100.0, value)):.2f}"


def _short(label: str) -> str:
    return label if len(label) <= LABEL_CHARS else label[: LABEL_CHARS - 1].rstrip() + "…"


@dataclass(frozen=True)
class Segment:
    value: float
    colour: str
    x: str = "0"
    width: str = "0"


@dataclass
class Bar:
    label: str  # cut to LABEL_CHARS for a phone
    value_label: str
    segments: list[Segment]
    text_y: int = 0
    bar_y: int = 0
    full_label: str = ""  # the whole label, for wider screens

    @property
    def total(self) -> float:
        return sum(s.value for s in self.segments)


@dataclass
class Chart:
    """A horizontal bar chart: one row per bar, a label on the left, the value on the right."""

    title: str
    bars: list[Bar] = field(default_factory=list)
    height: int = 0
    track: str = TRACK
    ink: str = INK
    bar_height: int = BAR_HEIGHT

    def __bool__(self) -> bool:
        return bool(self.bars)


def bar_chart(
    title: str,
    rows: list[tuple[str, str, list[tuple[float | Decimal, str]]]],
    *,
    scale_max: float | None = None,
) -> Chart:
    """A chart of ``rows``: (label, value label, [(value, colour), ...]) with stacked segments.

    ``scale_max`` fixes the value of a full-width bar (longer bars are cut at the edge);
    by default the longest bar fills the width.
    """
    totals = [sum(float(v) for v, _c in segments) for _l, _v, segments in rows]
    top = scale_max if scale_max else max(totals, default=0.0)
    bars = []
    for index, (label, value_label, segments) in enumerate(rows):
        placed = []
        start = 0.0
        for value, colour in segments:
            share = 100.0 * float(value) / top if top else 0.0
            share = min(share, 100.0 - start)
            if share > 0:
                placed.append(Segment(float(value), colour, _pct(start), _pct(share)))
            start += max(share, 0.0)
        y = index * ROW_HEIGHT
        bars.append(
            Bar(
                _short(label),
                value_label,
                placed,
                text_y=y + 13,
                bar_y=y + BAR_OFFSET,
                full_label=label,
            )
        )
    return Chart(title=title, bars=bars, height=len(bars) * ROW_HEIGHT)
