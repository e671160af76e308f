"""Time series drawn on the server as SVG: no script, no third party, prints on paper.

Each source is a step line (a cumulative figure holds until the source gives the next
one), dashed from its last figure to the cutoff. Colours are set by SVG presentation
attributes, which the Content-Security-Policy allows (inline ``style`` it does not).
"""

from __future__ import annotations

import datetime
import math
from dataclasses import dataclass
from typing import Any

from django.utils import formats, timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

PALETTE = ["#005bbb", "#b3261e", "#1e6b34", "#b35c00", "#6a3d9a", "#00707a"]
WIDTH, HEIGHT = 400, 190
LEFT, RIGHT, TOP, BOTTOM = 52, 10, 10, 22


@dataclass
class Chart:
    svg: SafeString
    legend: list[dict[str, Any]]


def _nice_step(top: float) -> float:
    rough = max(top, 1) / 4
    magnitude = 10 ** math.floor(math.log10(rough))
    for factor in (1, 2, 2.5, 5, 10):
        if factor * magnitude >= rough:
            return max(factor * magnitude, 1)
    return 10 * magnitude


def _number(value: float) -> str:
    return formats.number_format(round(value), force_grouping=True)


def draw(
    lines: list[dict[str, Any]],
    *,
    since: datetime.datetime,
    cutoff: datetime.datetime,
    label: str,
    source_name: Any,
) -> Chart | None:
    """An SVG of ``lines`` (from ``reconciliation.series``); None when there is nothing to
    draw. ``source_name`` turns a line's source dict into the name a reader sees."""
    if not lines:
        return None
    parsed = [
        [(datetime.datetime.fromisoformat(t), float(v)) for t, v in line["points"]]
        for line in lines
    ]
    top = max(v for points in parsed for _t, v in points)
    step = _nice_step(top * 1.1)
    y_max = step * math.ceil(top * 1.1 / step)
    span = max((cutoff - since).total_seconds(), 1)
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x(t: datetime.datetime) -> float:
        return round(LEFT + plot_w * min(max((t - since).total_seconds() / span, 0), 1), 1)

    def y(v: float) -> float:
        return round(TOP + plot_h * (1 - v / y_max), 1)

    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {WIDTH} {HEIGHT}" role="img" '
        f'class="trend" aria-label="{escape(label)}" font-size="11" font-family="system-ui, sans-serif">',
    ]
    tick = 0.0
    while tick <= y_max + 0.001:
        parts.append(
            f'<line x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{y(tick)}" y2="{y(tick)}" '
            f'stroke="#d5dae1" stroke-width="1"/>'
            f'<text x="{LEFT - 4}" y="{y(tick) + 4}" text-anchor="end" fill="#596270">'
            f"{escape(_number(tick))}</text>"
        )
        tick += step
    days = max(1, round(span / 86400))
    every = 1 if days <= 8 else 7 if days <= 60 else 30
    day = timezone.localtime(since).replace(hour=0, minute=0, second=0, microsecond=0)
    while day <= cutoff:
        if day >= since:
            parts.append(
                f'<text x="{x(day)}" y="{HEIGHT - 6}" text-anchor="middle" fill="#596270">'
                f"{escape(formats.date_format(day, 'd.m'))}</text>"
            )
        day += datetime.timedelta(days=every)
    legend = []
    for index, (line, points) in enumerate(zip(lines, parsed, strict=True)):
        colour = PALETTE[index % len(PALETTE)]
        name = str(source_name(line["source"]))
        path = []
        for i, (t, v) in enumerate(points):
            if i:
                path.append(f"{x(t)},{y(points[i - 1][1])}")
            path.append(f"{x(t)},{y(v)}")
        parts.append(
            f'<polyline points="{" ".join(path)}" fill="none" stroke="{colour}" stroke-width="2"/>'
        )
        last_t, last_v = points[-1]
        parts.append(
            f'<line x1="{x(last_t)}" x2="{x(cutoff)}" y1="{y(last_v)}" y2="{y(last_v)}" '
            f'stroke="{colour}" stroke-width="1.5" stroke-dasharray="4 3"/>'
        )
        for t, v in points:
            when = formats.date_format(timezone.localtime(t), "SHORT_DATETIME_FORMAT")
            parts.append(
                f'<circle cx="{x(t)}" cy="{y(v)}" r="3" fill="{colour}">'
                f"<title>{escape(name)}: {escape(_number(v))} ({escape(when)})</title></circle>"
            )
        legend.append({"colour": colour, "name": name, "last": _number(last_v)})
    parts.append("</svg>")
    return Chart(mark_safe("".join(parts)), legend)  # noqa: S308 (every text part is escaped)  # nosec B308 B703
