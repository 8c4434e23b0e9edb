"""A static SVG line chart of a metric's before and after values over time.

Built with ElementTree, so every text and attribute is escaped. Colours come from CSS classes
(``ct-chart__*``) with ``currentColor`` as the fallback, so the chart reads in light and dark
schemes and without the stylesheet; the two series also differ by marker and dash, not only by
colour. No JavaScript.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from ..render.filters import fmt_number

if TYPE_CHECKING:
    from collections.abc import Callable

    from .metrics import MetricTrend

__all__ = ["nice_ticks", "render_trend_svg", "xml_safe"]

WIDTH, HEIGHT = 640, 320
LEFT, RIGHT, TOP, BOTTOM = 76, 40, 44, 56
MIN_LABEL_GAP = 84  # a date label is about 70 units wide
SERIES = (("before", "Before"), ("after", "After"))

# Characters XML 1.0 cannot hold at all (YAML's "\x07" escapes can produce them).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")


def xml_safe(text: str) -> str:
    """``text`` without the characters that XML 1.0 forbids (ElementTree escapes the rest)."""
    return _NOT_XML.sub("", text)


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text == "-0" else text


def nice_ticks(low: float, high: float, count: int = 5) -> list[float]:
    """Round tick values (steps of 1, 2, 2.5 or 5 times a power of ten) covering low..high."""
    if low == high:
        pad = abs(low) * 0.1 or 1.0
        low, high = low - pad, high + pad
    if 0 < low < high / 2:
        low = 0.0  # a positive series close enough to zero reads better from zero
    elif low < high < 0 and high > low / 2:
        high = 0.0
    raw = (high - low) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(low / step + 1e-9) * step
    last = math.ceil(high / step - 1e-9) * step
    n = round((last - first) / step)
    return [round(first + i * step, 10) for i in range(n + 1)]


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(
        parent, tag, {k.rstrip("_").replace("_", "-"): xml_safe(v) for k, v in attrs.items()}
    )
    if text is not None:
        el.text = xml_safe(text)
    return el


def _unit_label(trend: MetricTrend) -> str:
    units = [u for u in trend.units if u]
    return f"{trend.name} ({', '.join(units)})" if units else trend.name


def _describe(trend: MetricTrend) -> str:
    first, last = trend.points[0], trend.points[-1]
    newest = last.metric
    unit = f" {newest.unit}" if newest.unit else ""
    return (
        f"Before and after values of {trend.name} in {trend.record_count} changes, "
        f"from {first.date.isoformat()} to {last.date.isoformat()}. The latest change, "
        f"on {last.date.isoformat()}, went from {fmt_number(newest.before)}{unit} to "
        f"{fmt_number(newest.after)}{unit}; {newest.better} is better. "
        "The table below lists every value."
    )


def render_trend_svg(trend: MetricTrend, *, chart_id: str) -> str:
    """The chart as SVG markup (no blank line: it stays one HTML block), with ``role="img"``, a title and a description.

    Args:
        trend: the metric and its points, oldest first.
        chart_id: unique in the page; prefixes the ids of the title and description.
    """
    svg = ET.Element(
        "svg",
        {
            "xmlns": "http://www.w3.org/2000/svg",
            "viewBox": f"0 0 {WIDTH} {HEIGHT}",
            "role": "img",
            "class": "ct-chart__svg",
            "aria-labelledby": f"{chart_id}-title {chart_id}-desc",
            "font-size": "12",
        },
    )
    _sub(svg, "title", f"{trend.name}: before and after each change", id=f"{chart_id}-title")
    _sub(svg, "desc", _describe(trend), id=f"{chart_id}-desc")

    values = [v for p in trend.points for v in (p.metric.before, p.metric.after)]
    ticks = nice_ticks(min(values), max(values))
    days = [p.date.toordinal() for p in trend.points]
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(day: int) -> float:
        span = days[-1] - days[0]
        return LEFT + (plot_w / 2 if span == 0 else (day - days[0]) / span * plot_w)

    def y_of(value: float) -> float:
        return TOP + plot_h - (value - ticks[0]) / (ticks[-1] - ticks[0]) * plot_h

    _draw_axes(svg, trend, ticks, y_of, x_of)
    for key, label in SERIES:
        group = _sub(svg, "g", class_=f"ct-chart__series ct-chart__{key}")
        coords = [(x_of(p.date.toordinal()), y_of(getattr(p.metric, key)), p) for p in trend.points]
        _sub(
            group,
            "polyline",
            points=" ".join(f"{_num(x)},{_num(y)}" for x, y, _ in coords),
            fill="none",
            stroke="currentColor",
            stroke_width="2",
            stroke_dasharray="6 4" if key == "after" else "none",
        )
        for x, y, point in coords:
            marker = _marker(group, key, x, y)
            value = getattr(point.metric, key)
            unit = f" {point.metric.unit}" if point.metric.unit else ""
            _sub(
                marker,
                "title",
                f"{point.date.isoformat()} · {point.record.meta.title}: "
                f"{label.lower()} {fmt_number(value)}{unit}",
            )
    _draw_legend(svg)
    ET.indent(svg, space=" ")  # one element a line, for readable diffs; never a blank line
    return ET.tostring(svg, encoding="unicode")


def _marker(group: ET.Element, key: str, x: float, y: float) -> ET.Element:
    if key == "before":
        return _sub(group, "circle", cx=_num(x), cy=_num(y), r="4", fill="currentColor")
    return _sub(
        group, "rect", x=_num(x - 4), y=_num(y - 4), width="8", height="8", fill="currentColor"
    )


def _draw_axes(
    svg: ET.Element,
    trend: MetricTrend,
    ticks: list[float],
    y_of: Callable[[float], float],
    x_of: Callable[[int], float],
) -> None:
    axes = _sub(svg, "g", class_="ct-chart__axes", fill="currentColor")
    bottom = str(HEIGHT - BOTTOM)
    for tick in ticks:
        y = _num(y_of(tick))
        _sub(
            axes,
            "line",
            class_="ct-chart__grid",
            x1=str(LEFT),
            x2=str(WIDTH - RIGHT),
            y1=y,
            y2=y,
            stroke="currentColor",
            stroke_opacity="0.15",
        )
        _sub(
            axes,
            "text",
            fmt_number(tick),
            x=str(LEFT - 8),
            y=y,
            text_anchor="end",
            dominant_baseline="middle",
        )
    _sub(axes, "line", x1=str(LEFT), x2=str(LEFT), y1=str(TOP), y2=bottom, stroke="currentColor")
    _sub(
        axes,
        "line",
        x1=str(LEFT),
        x2=str(WIDTH - RIGHT),
        y1=bottom,
        y2=bottom,
        stroke="currentColor",
    )
    for day in _date_ticks(sorted({p.date.toordinal() for p in trend.points}), x_of):
        x = _num(x_of(day.toordinal()))
        _sub(
            axes, "line", x1=x, x2=x, y1=bottom, y2=str(HEIGHT - BOTTOM + 5), stroke="currentColor"
        )
        _sub(axes, "text", day.isoformat(), x=x, y=str(HEIGHT - BOTTOM + 20), text_anchor="middle")
    _sub(
        axes,
        "text",
        "Record date",
        class_="ct-chart__label",
        x=str(LEFT + (WIDTH - LEFT - RIGHT) // 2),
        y=str(HEIGHT - 10),
        text_anchor="middle",
    )
    middle = TOP + (HEIGHT - TOP - BOTTOM) // 2
    _sub(
        axes,
        "text",
        _unit_label(trend),
        class_="ct-chart__label",
        x="0",
        y="0",
        text_anchor="middle",
        transform=f"translate(16 {middle}) rotate(-90)",
    )


def _date_ticks(days: list[int], x_of: Callable[[int], float]) -> list[dt.date]:
    """The dates to label: the first and last, and others at least ``MIN_LABEL_GAP`` apart."""
    shown = [days[0]]
    for day in days[1:]:
        if x_of(day) - x_of(shown[-1]) >= MIN_LABEL_GAP:
            shown.append(day)
    if shown[-1] != days[-1]:  # the newest date is always labelled, in place of a close one
        if len(shown) > 1:
            shown.pop()
        shown.append(days[-1])
    return [dt.date.fromordinal(d) for d in shown]


def _draw_legend(svg: ET.Element) -> None:
    legend = _sub(svg, "g", class_="ct-chart__legend", fill="currentColor")
    x = LEFT
    for key, label in SERIES:
        item = _sub(legend, "g", class_=f"ct-chart__{key}")
        _sub(
            item,
            "line",
            x1=str(x),
            x2=str(x + 28),
            y1="18",
            y2="18",
            stroke="currentColor",
            stroke_width="2",
            stroke_dasharray="6 4" if key == "after" else "none",
        )
        _marker(item, key, x + 14, 18)
        _sub(item, "text", label, x=str(x + 36), y="18", dominant_baseline="middle")
        x += 110
