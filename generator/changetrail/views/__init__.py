"""Views no other tool has: recent changes, per-file history, metric trends, owners, checklist
health; Atom and RSS feeds; ``records.json`` and its JSON Schema.

Pure functions: a catalog, the settings and the build time ``now`` (tz-aware) go in, Markdown
pages, XML and JSON strings come out. ``now`` is the only input that depends on time; nothing
here reads the clock. Every view, feed and export shows *published* records only (see
``published``): no drafts, and nothing dated after ``now``'s UTC date.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .export import records_json_schema, render_records_json
from .feeds import render_feeds
from .files import FileIndex, build_file_index
from .metrics import MetricTrend, build_trends, metric_key
from .pages import ViewPages
from .publish import build_day, published, published_catalog, utc
from .sanitize import sanitize_view_html

if TYPE_CHECKING:
    import datetime as dt

    from ..catalog import Catalog
    from ..render import Renderer
    from ..settings import Settings

__all__ = [
    "RECENT_JS",
    "ViewLinks",
    "build_day",
    "build_view_links",
    "published",
    "published_catalog",
    "records_json_schema",
    "render_feeds",
    "render_records_json",
    "render_views",
    "sanitize_view_html",
]

#: The client script of the recent-changes page (re-sorts entries by the reader's date).
RECENT_JS = Path(__file__).parent / "assets" / "recent.js"


@dataclass(frozen=True, slots=True)
class ViewLinks:
    """Where the view pages of paths and metrics are, for links from record pages.

    Both methods return a path relative to ``site_path`` (the folder of the record pages), so
    a record page links to it as it is, or ``None`` when there is no such page.
    """

    files: FileIndex
    trends: dict[str, MetricTrend]

    def file_page_uri(self, path: str) -> str | None:
        """``files/<slug>.md`` for a path as written in ``files_touched``."""
        return self.files.page_uri(path)

    def metric_page_uri(self, name: str) -> str | None:
        """``metrics/<slug>.md`` when more than one record measured ``name``, else None."""
        trend = self.trends.get(metric_key(name))
        return None if trend is None else f"metrics/{trend.slug}.md"


def build_view_links(catalog: Catalog, *, now: dt.datetime) -> ViewLinks:
    """Index the published records by path and metric (once per build).

    Args:
        catalog: every valid record.
        now: the build time, tz-aware; records dated after its UTC date are left out.
    """
    records = published(catalog, now=now)
    return ViewLinks(files=build_file_index(records), trends=build_trends(records))


def render_views(
    catalog: Catalog,
    renderer: Renderer,
    settings: Settings,
    *,
    now: dt.datetime,
    links: ViewLinks | None = None,
) -> dict[str, str]:
    """Every view page, keyed by its src_uri under ``settings.site_path``.

    Pages: ``recent.md``, ``checklists.md``, ``files/index.md`` and ``files/<slug>.md``,
    ``metrics/index.md`` and ``metrics/<slug>.md``, ``owners/index.md`` and
    ``owners/<slug>.md`` (the owner taxonomy's slugs, so these can replace its pages). Each
    list has at most ``page_size`` entries a page; the next pages are ``<page>/page/<n>.md``
    (``render.paging``). Only published records are shown.

    Args:
        catalog: every valid record; its owner slugs name the owner pages.
        renderer: its Jinja environment renders the pages, so escaping is the same everywhere.
        settings: ``site_path`` and the default checklist.
        now: the build time, tz-aware; stated on the recent-changes page.
        links: the indexes from ``build_view_links``, when already built for record pages.

    Raises:
        ValueError: when ``now`` is naive.
    """
    links = links or build_view_links(catalog, now=now)
    views = ViewPages(
        renderer=renderer,
        catalog=catalog,
        records=tuple(published(catalog, now=now)),
        files=links.files,
        trends=links.trends,
        now=utc(now),
        today=build_day(now),
    )

    pages = {**views.recent(), **views.checklists(), **views.files_index()}
    for node in links.files.sorted_nodes():
        pages.update(views.file_page(node))
    pages.update(views.metrics_index())
    for trend in links.trends.values():
        pages.update(views.metric_page(trend))
    owners = views.owners()
    pages.update(views.owners_index(owners))
    for owner in owners:
        pages.update(views.owner_page(owner))
    return {f"{settings.site_path}/{uri}": markdown for uri, markdown in pages.items()}
