"""Render the view pages (recent changes, files, metric trends, owners, checklist health)."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any, TypedDict

from markupsafe import Markup

from ..render.paging import page_uri, paginate
from .chart import render_trend_svg
from .context import (
    OPEN_STATUSES,
    ChecklistRow,
    RecordRow,
    checklist_rows,
    recent_windows,
    record_row,
)

if TYPE_CHECKING:
    import datetime as dt

    from ..catalog import Catalog
    from ..loader import Record
    from ..render import Renderer
    from .files import FileIndex, PathNode
    from .metrics import MetricTrend

__all__ = ["ViewPages"]

#: Days an owner's change counts as recent.
OWNER_RECENT_DAYS = 30
#: An owner's open, recent and checklist lists each show ``page_size`` divided by this (their
#: summary above the list of all their changes).
OWNER_SECTION_SHARE = 5


class MetricRow(TypedDict):
    date: dt.date
    id: str
    title: str
    before: float
    after: float
    unit: str
    change_percent: float | None
    improved: bool | None


class OwnerView(TypedDict):
    label: str
    slug: str
    rows: list[RecordRow]
    open: list[RecordRow]
    recent: list[RecordRow]
    checklists: list[ChecklistRow]
    checklist_open: int


@dataclass(frozen=True, slots=True)
class ViewPages:
    """The view pages of one build: published records, their indexes and the build time."""

    renderer: Renderer
    catalog: Catalog
    records: tuple[Record, ...]  # published, newest first
    files: FileIndex
    trends: dict[str, MetricTrend]
    now: dt.datetime  # UTC
    today: dt.date

    def _render(self, template: str, **context: Any) -> str:
        return self.renderer.env.get_template(f"views/{template}").render(**context)

    def _row(self, rec: Record) -> RecordRow:
        return record_row(rec, self.catalog, self.files)

    @property
    def size(self) -> int:
        """Entries per page of every list (``page_size``)."""
        return self.renderer.settings.page_size

    def recent(self) -> dict[str, str]:
        """``recent.md``: the 24 hours / 7 days / 30 days windows before the build.

        At most ``page_size`` entries, the newest; the page says how many more the windows had.
        """
        windows = recent_windows(self.records, self.catalog, self.files, today=self.today)
        room = self.size
        found = 0
        for window in windows:
            found += len(window["entries"])
            window["entries"] = window["entries"][: max(room, 0)]
            room -= len(window["entries"])
        shown = self.size - room
        return {
            "recent.md": self._render(
                "recent.md.j2",
                built=self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
                windows=windows,
                shown=shown,
                hidden=found - shown,
                root=Markup(""),
            )
        }

    def files_index(self) -> dict[str, str]:
        """``files/index.md``: every path and folder, folders before their contents."""
        return {
            f"files/{page.uri}": self._render("files_index.md.j2", page=page)
            for page in paginate(self.files.sorted_nodes(), "index.md", self.size)
        }

    def _files_index_page(self, path: str) -> str:
        """The page of the files index (relative to ``files/``) that lists ``path``."""
        order = [n.path for n in self.files.sorted_nodes()]
        return page_uri("index.md", order.index(path) // self.size + 1)

    def file_page(self, node: PathNode) -> dict[str, str]:
        """``files/<slug>.md``: the records that touched a path, or anything under a folder.

        A folder's page lists at most ``page_size`` of the paths directly inside it, and links
        to the files index for the rest.
        """
        nodes = self.files.nodes
        children = [
            (c, nodes[c].slug, nodes[c].is_folder, len(nodes[c].records)) for c in node.children
        ]
        pages = {}
        for page in paginate(node.records, f"{node.slug}.md", self.size):
            first = page.number == 1
            pages[f"files/{page.uri}"] = self._render(
                "file_page.md.j2",
                node=node,
                page=page,
                rows=[self._row(r) for r in page.items],
                parents=[(p, nodes[p].slug) for p in node.parents],
                children=children[: self.size] if first else [],
                more_children=max(len(children) - self.size, 0) if first else 0,
                children_index=Markup(self._files_index_page(node.path))
                if first and len(children) > self.size
                else "",
            )
        return pages

    def metrics_index(self) -> dict[str, str]:
        """``metrics/index.md``: every metric with a trend."""
        return {
            f"metrics/{page.uri}": self._render("metrics_index.md.j2", page=page)
            for page in paginate(list(self.trends.values()), "index.md", self.size)
        }

    def metric_page(self, trend: MetricTrend) -> dict[str, str]:
        """``metrics/<slug>.md``: the chart and its table, ``page_size`` values a page.

        Page 1 has the newest values; each page charts its own values, oldest first.
        """
        pages = {}
        newest_first = list(reversed(trend.points))
        for page in paginate(newest_first, f"{trend.slug}.md", self.size):
            points = tuple(reversed(page.items))
            rows = [
                MetricRow(
                    date=p.date,
                    id=p.record.id,
                    title=p.record.meta.title,
                    before=p.metric.before,
                    after=p.metric.after,
                    unit=p.metric.unit,
                    change_percent=p.metric.change_percent,
                    improved=p.metric.improved,
                )
                for p in points
            ]
            chart_id = f"ct-chart-{trend.slug}" + (f"-{page.number}" if page.number > 1 else "")
            svg = render_trend_svg(replace(trend, points=points), chart_id=chart_id)
            pages[f"metrics/{page.uri}"] = self._render(
                "metric_page.md.j2", trend=trend, page=page, rows=rows, svg=Markup(svg)
            )
        return pages

    def owners(self) -> list[OwnerView]:
        """Every owner of the catalog (so the pages match the owner taxonomy's), by name."""
        mine: dict[str, list[Record]] = {}
        for rec in self.records:
            mine.setdefault(rec.meta.owner, []).append(rec)
        views = []
        for label, slug, _ in self.catalog.owners.items():
            records = mine.get(label, [])
            oldest_first = sorted(records, key=lambda r: (r.meta.date, r.id))
            checklists = checklist_rows(
                oldest_first, self.catalog, self.files, self.renderer.settings
            )
            views.append(
                OwnerView(
                    label=label,
                    slug=slug,
                    rows=[self._row(r) for r in records],
                    open=[self._row(r) for r in records if r.meta.status in OPEN_STATUSES],
                    recent=[
                        self._row(r)
                        for r in records
                        if (self.today - r.meta.date).days <= OWNER_RECENT_DAYS
                    ],
                    checklists=checklists,
                    checklist_open=sum(len(c["open_items"]) for c in checklists),
                )
            )
        return views

    def owners_index(self, owners: list[OwnerView]) -> dict[str, str]:
        """``owners/index.md``."""
        return {
            f"owners/{page.uri}": self._render("owners_index.md.j2", page=page)
            for page in paginate(owners, "index.md", self.size)
        }

    def owner_page(self, owner: OwnerView) -> dict[str, str]:
        """``owners/<slug>.md``: open, recent and all changes, and open checklist items.

        The first page has the open and recent changes and open checklist items, at most a
        fifth of ``page_size`` of each (``OWNER_SECTION_SHARE``); every page has ``page_size``
        of all the owner's changes.
        """
        return {
            f"owners/{page.uri}": self._render(
                "owner_page.md.j2",
                owner=owner,
                page=page,
                limit=self.size // OWNER_SECTION_SHARE,
                root=Markup(page.up + "../"),
            )
            for page in paginate(owner["rows"], f"{owner['slug']}.md", self.size)
        }

    def checklists(self) -> dict[str, str]:
        """``checklists.md``: shipped records with unfinished checklists, oldest first."""
        oldest_first = sorted(self.records, key=lambda r: (r.meta.date, r.id))
        rows = checklist_rows(oldest_first, self.catalog, self.files, self.renderer.settings)
        return {
            page.uri: self._render("checklists.md.j2", page=page, root=page.up)
            for page in paginate(rows, "checklists.md", self.size)
        }
