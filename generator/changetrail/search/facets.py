"""What Pagefind indexes about a page: its filters, its sort key and its metadata.

Every value comes from frontmatter that authors wrote, so every value goes into an HTML attribute,
escaped, and never into markup. Pagefind reads the ``name[data-value]`` form of its attributes:
the value is taken from the element's own ``data-value`` attribute, so commas, colons and
brackets in a value cannot split it or change the filter it belongs to.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from ..article import Article
    from ..models import ChangeRecord

__all__ = [
    "FILTERS",
    "Facets",
    "article_facets",
    "page_facets",
    "record_facets",
    "render_facets",
]

#: The filters, in the order the search dialog shows them.
FILTERS = ("kind", "status", "owner", "area", "stack", "difficulty", "tags")

#: Longest value kept for a filter or a title; longer ones are cut (they would only bloat the
#: index, and a legitimate owner or tag is far shorter).
MAX_VALUE = 200


@dataclass(frozen=True)
class Facets:
    """The filters (name -> values), the date for sorting and the title of one page."""

    kind: str
    title: str = ""
    date: dt.date | None = None
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)


def _clean(value: str) -> str:
    """One line, without control characters, at most ``MAX_VALUE`` characters."""
    text = " ".join("".join(ch if ch.isprintable() else " " for ch in value).split())
    return text[:MAX_VALUE]


def _values(values: Iterable[str]) -> tuple[str, ...]:
    """Cleaned, non-empty, each value once, in the order given."""
    return tuple(dict.fromkeys(v for v in (_clean(x) for x in values) if v))


def _top_folder(path: str) -> str | None:
    """``db/migrations/x.sql`` -> ``db``; a file at the top of the repository has no folder."""
    parts = PurePosixPath(path.replace("\\", "/").removeprefix("./")).parts
    return parts[0] if len(parts) > 1 else None


def record_facets(meta: ChangeRecord) -> Facets:
    """A change record: status, owner, area and tags.

    The area is the record's ``area`` when it has one; otherwise the top folders of its
    ``files_touched`` (``db/migrations/x.sql`` counts for ``db``), so a search can still be
    narrowed to the part of the repository a change touched.
    """
    if meta.area:
        areas = _values([meta.area])
    else:
        areas = _values(f for f in map(_top_folder, meta.files_touched) if f)
    filters = {
        "status": _values([meta.status.value]),
        "owner": _values([meta.owner]),
        "area": areas,
        "tags": _values(meta.tags),
    }
    return Facets("change", meta.title, meta.date, {k: v for k, v in filters.items() if v})


def article_facets(meta: Article) -> Facets:
    """A knowledge article: owner, area (its entities of type ``area``), stack, difficulty, tags."""
    filters = {
        "owner": _values([meta.owner] if meta.owner else []),
        "area": _values(e.name for e in meta.entities if e.type.strip().lower() == "area"),
        "stack": _values(meta.stack),
        "difficulty": _values([meta.difficulty.value] if meta.difficulty else []),
        "tags": _values(meta.tags),
    }
    return Facets("article", meta.title, meta.date, {k: v for k, v in filters.items() if v})


def page_facets(title: str, date: dt.date | None = None) -> Facets:
    """Any other page (the guide, the change log, the views): only its kind, title and date."""
    return Facets("page", title, date)


def _span(attribute: str, name: str, value: str) -> str:
    return (
        f'<span {attribute}="{name}[data-value]" data-value="{html.escape(value, quote=True)}">'
        "</span>"
    )


def render_facets(facets: Facets) -> str:
    """The hidden element that carries ``facets`` to Pagefind.

    Each value is an empty ``<span>`` whose ``data-value`` holds it, escaped; the element is
    ``hidden`` and ``data-pagefind-ignore`` (none of it is indexed as text, but Pagefind still
    reads the filters, sort key and metadata inside it).
    """
    spans = [_span("data-pagefind-filter", "kind", facets.kind)]
    for name in FILTERS:
        spans += [_span("data-pagefind-filter", name, v) for v in facets.filters.get(name, ())]
    title = _clean(facets.title)
    if title:
        spans.append(_span("data-pagefind-meta", "title", title))
    if facets.date is not None:
        day = facets.date.isoformat()
        spans.append(_span("data-pagefind-meta", "date", day))
        spans.append(_span("data-pagefind-sort", "date", day))
    return (
        '\n<div class="ct-search-facets" hidden data-pagefind-ignore>' + "".join(spans) + "</div>\n"
    )
