"""Small SVG charts written directly, so reports need no JavaScript and no remote library.

Styling uses presentation attributes only: the report's Content-Security-Policy
allows one hashed <style> block, which does not reach style="" attributes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence

from markupsafe import Markup, escape

from reports.viewmodels import WeekPoint

NEW_COLOUR = "#c0392b"
CLOSED_COLOUR = "#27ae60"
OPEN_COLOUR = "#2c3e50"
BAR_COLOUR = "#8e44ad"
GRID_COLOUR = "#dddddd"
FONT = "Noto Sans CJK SC, sans-serif"


def _nice_ceiling(value: int, ticks: int = 4) -> int:
    """A round axis maximum at or above `value` whose `ticks` steps are whole 1, 2, 5 × 10^n numbers."""
    step = 1
    while step * ticks < value:
        magnitude = 10 ** int(math.floor(math.log10(step)))
        step = next(s * magnitude for s in (2, 5, 10) if s * magnitude > step)
    return step * ticks


def _axis(width: int, height: int, left: int, bottom: int, top: int, ceiling: int) -> list[str]:
    parts = []
    plot_height = height - bottom - top
    for tick in range(5):
        value = ceiling * tick // 4
        y = height - bottom - plot_height * tick / 4
        parts.append(
            f'<line x1="{left}" y1="{y:.1f}" x2="{width - 8}" y2="{y:.1f}" stroke="{GRID_COLOUR}" stroke-width="1"/>'
            f'<text x="{left - 6}" y="{y + 4:.1f}" font-size="11" text-anchor="end" fill="#555">{value}</text>'
        )
    return parts


def _svg(width: int, height: int, title: str, body: list[str]) -> Markup:
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" font-family="{FONT}">'
        f"<title>{escape(title)}</title>{''.join(body)}</svg>"
    )


def _legend(x: int, y: int, items: Sequence[tuple[str, str]]) -> list[str]:
    parts = []
    for label, colour in items:
        parts.append(
            f'<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{colour}"/>'
            f'<text x="{x + 14}" y="{y}" font-size="11" fill="#333">{escape(label)}</text>'
        )
        x += 14 + 13 * len(label) + 16
    return parts


def weekly_flow_chart(points: Sequence[WeekPoint], *, width: int = 640, height: int = 220) -> Markup:
    """New and closed cases per week as paired bars."""
    left, bottom, top = 40, 34, 24
    ceiling = _nice_ceiling(max([p.new for p in points] + [p.closed for p in points] + [1]))
    body = _axis(width, height, left, bottom, top, ceiling)
    plot_width = width - left - 8
    plot_height = height - bottom - top
    slot = plot_width / max(len(points), 1)
    bar = max(2.0, slot * 0.35)
    for index, point in enumerate(points):
        x = left + slot * index + slot * 0.12
        for offset, value, colour in ((0, point.new, NEW_COLOUR), (bar, point.closed, CLOSED_COLOUR)):
            bar_height = plot_height * value / ceiling
            body.append(
                f'<rect x="{x + offset:.1f}" y="{height - bottom - bar_height:.1f}" width="{bar:.1f}" '
                f'height="{bar_height:.1f}" fill="{colour}"><title>{escape(point.week)}: {value}</title></rect>'
            )
        body.append(
            f'<text x="{left + slot * index + slot / 2:.1f}" y="{height - bottom + 14}" font-size="10" '
            f'text-anchor="middle" fill="#555">{escape(_short_week(point.week))}</text>'
        )
    body += _legend(left, 14, [("新增案件", NEW_COLOUR), ("结案", CLOSED_COLOUR)])
    return _svg(width, height, "近12周每周新增与结案数", body)


def open_cases_chart(points: Sequence[WeekPoint], *, width: int = 640, height: int = 200) -> Markup:
    """Cases still open at the end of each week, as a line."""
    left, bottom, top = 40, 34, 24
    ceiling = _nice_ceiling(max([p.open for p in points] + [1]))
    body = _axis(width, height, left, bottom, top, ceiling)
    plot_width = width - left - 8
    plot_height = height - bottom - top
    slot = plot_width / max(len(points), 1)
    coordinates = [
        (left + slot * index + slot / 2, height - bottom - plot_height * point.open / ceiling)
        for index, point in enumerate(points)
    ]
    if coordinates:
        path = " ".join(f"{x:.1f},{y:.1f}" for x, y in coordinates)
        body.append(f'<polyline points="{path}" fill="none" stroke="{OPEN_COLOUR}" stroke-width="2"/>')
    for (x, y), point in zip(coordinates, points, strict=True):
        body.append(
            f'<circle cx="{x:.1f}" cy="{y:.1f}" r="3" fill="{OPEN_COLOUR}">'
            f"<title>{escape(point.week)}: {point.open}</title></circle>"
            f'<text x="{x:.1f}" y="{height - bottom + 14}" font-size="10" text-anchor="middle" '
            f'fill="#555">{escape(_short_week(point.week))}</text>'
        )
    body += _legend(left, 14, [("周末在办案件", OPEN_COLOUR)])
    return _svg(width, height, "近12周每周末在办案件数", body)


def bar_list_chart(rows: Sequence[tuple[str, int]], *, title: str, width: int = 640) -> Markup:
    """Horizontal bars, one per label (e.g. new cases by violation type)."""
    label_width, row_height, top = 150, 22, 8
    height = top * 2 + row_height * max(len(rows), 1)
    ceiling = max([value for _, value in rows] + [1])
    plot_width = width - label_width - 50
    body = []
    for index, (label, value) in enumerate(rows):
        y = top + row_height * index
        bar_width = plot_width * value / ceiling
        body.append(
            f'<text x="{label_width - 6}" y="{y + 15}" font-size="12" text-anchor="end" fill="#333">'
            f"{escape(label)}</text>"
            f'<rect x="{label_width}" y="{y + 4}" width="{bar_width:.1f}" height="{row_height - 8}" '
            f'fill="{BAR_COLOUR}"/>'
            f'<text x="{label_width + bar_width + 4:.1f}" y="{y + 15}" font-size="11" fill="#333">{value}</text>'
        )
    return _svg(width, height, title, body)


def _short_week(week: str) -> str:
    """"2026-W48" -> "W48": the year is in the report heading."""
    return week.rpartition("-")[2] or week
