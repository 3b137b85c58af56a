"""The SVG charts: well-formed, to scale, labels escaped."""

from __future__ import annotations

import pytest
from lxml import etree

from reports.charts import _nice_ceiling, bar_list_chart, open_cases_chart, weekly_flow_chart
from reports.viewmodels import WeekPoint

SVG = "{http://www.w3.org/2000/svg}"
POINTS = [WeekPoint(f"2026-W{w}", new=w - 36, closed=(w - 36) // 2, open=10 * (w - 36)) for w in range(37, 49)]


def parse(markup) -> etree._Element:
    return etree.fromstring(str(markup).encode("utf-8"))  # raises if the SVG is not well-formed XML


def test_flow_chart_bars_are_to_scale():
    svg = parse(weekly_flow_chart(POINTS))
    bars = svg.findall(f"{SVG}rect[{SVG}title]")
    assert len(bars) == 24  # new and closed for each of 12 weeks
    heights = {bar.findtext(f"{SVG}title"): float(bar.get("height")) for bar in bars}
    tallest = max(heights.values())
    assert heights["2026-W48: 12"] == tallest  # 12 new in the last week is the largest value
    assert heights["2026-W43: 7"] == pytest.approx(tallest * 7 / 12, abs=0.2)
    assert [text.text for text in svg.iter(f"{SVG}text")][-14:-2] == [f"W{w}" for w in range(37, 49)]


def test_open_chart_has_one_point_per_week():
    svg = parse(open_cases_chart(POINTS))
    assert len(svg.findall(f"{SVG}circle")) == 12
    assert len(svg.find(f"{SVG}polyline").get("points").split()) == 12


def test_labels_are_escaped():
    svg = parse(bar_list_chart([("<script>alert(1)</script>", 3), ("近似标识", 1)], title="a&b"))
    assert "<script>alert(1)</script>" in [text.text for text in svg.iter(f"{SVG}text")]
    assert not list(svg.iter(f"{SVG}script"))
    assert svg.findtext(f"{SVG}title") == "a&b"


@pytest.mark.parametrize("value, ceiling", [(0, 4), (4, 4), (5, 8), (13, 20), (41, 80), (1234, 2000)])
def test_axis_ceiling_is_round_and_not_below_the_data(value, ceiling):
    assert _nice_ceiling(value) == ceiling


def test_empty_series_still_draw():
    parse(weekly_flow_chart([]))
    parse(open_cases_chart([]))
    parse(bar_list_chart([], title="无数据"))
