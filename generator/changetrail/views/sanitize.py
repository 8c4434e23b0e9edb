"""The sanitizer allowlist of view pages: the record pages' one, plus the chart and data hooks.

View pages hold no author-written Markdown (every value goes through an escaping filter), but
they are sanitized all the same, as every generated page is. They need a few more things than
record pages: the inline SVG chart (no ``<script>``, ``<style>``, ``<foreignObject>``, ``<use>``
or ``href`` of any kind), ``<time>``, ``hidden``, and the ``data-ct-*`` attributes that the
recent-changes script reads.
"""

from __future__ import annotations

from ..render.sanitize import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitize_html

__all__ = ["VIEW_ATTRIBUTES", "VIEW_TAGS", "sanitize_view_html"]

_SVG_TAGS = frozenset({"svg", "g", "title", "desc", "line", "polyline", "circle", "rect", "text"})
VIEW_TAGS = ALLOWED_TAGS | _SVG_TAGS | {"time"}

_PAINT = {"fill", "stroke", "stroke-width", "stroke-dasharray", "stroke-opacity"}
_SVG_ATTRIBUTES: dict[str, set[str]] = {
    "svg": {"xmlns", "viewbox", "viewBox", "role", "aria-labelledby", "font-size"},
    "g": set(_PAINT),
    "line": {"x1", "x2", "y1", "y2", *_PAINT},
    "polyline": {"points", *_PAINT},
    "circle": {"cx", "cy", "r", *_PAINT},
    "rect": {"x", "y", "width", "height", *_PAINT},
    "text": {"x", "y", "text-anchor", "dominant-baseline", "transform"},
}


def _merge(*maps: dict[str, set[str]]) -> dict[str, set[str]]:
    merged: dict[str, set[str]] = {}
    for mapping in maps:
        for tag, attrs in mapping.items():
            merged.setdefault(tag, set()).update(attrs)
    return merged


VIEW_ATTRIBUTES = _merge(
    ALLOWED_ATTRIBUTES,
    _SVG_ATTRIBUTES,
    {"div": {"data-ct-date", "data-ct-window"}, "p": {"hidden"}, "time": {"datetime"}},
)


def sanitize_view_html(html: str) -> str:
    """Sanitize a rendered view page, keeping its chart and the recent-changes hooks."""
    return sanitize_html(html, tags=VIEW_TAGS, attributes=VIEW_ATTRIBUTES)
