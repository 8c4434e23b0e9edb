"""Render the view pages (recent changes, files, metric trends, owners, checklist health)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypedDict

from markupsafe import Markup

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

    def recent(self) -> str:
        """``recent.md``: the 24 hours / 7 days / 30 days windows before the build."""
        return self._render(
            "recent.md.j2",
            built=self.now.strftime("%Y-%m-%dT%H:%M:%SZ"),
            windows=recent_windows(self.records, self.catalog, self.files, today=self.today),
            root=Markup(""),
        )

    def files_index(self) -> str:
        """``files/index.md``: every path and folder, folders before their contents."""
        return self._render("files_index.md.j2", nodes=self.files.sorted_nodes())

    def file_page(self, node: PathNode) -> str:
        """``files/<slug>.md``: the records that touched a path, or anything under a folder."""
        nodes = self.files.nodes
        return self._render(
            "file_page.md.j2",
            node=node,
            rows=[self._row(r) for r in node.records],
            parents=[(p, nodes[p].slug) for p in node.parents],
            children=[
                (c, nodes[c].slug, nodes[c].is_folder, len(nodes[c].records)) for c in node.children
            ],
        )

    def metrics_index(self) -> str:
        """``metrics/index.md``: every metric with a trend."""
        return self._render("metrics_index.md.j2", trends=list(self.trends.values()))

    def metric_page(self, trend: MetricTrend) -> str:
        """``metrics/<slug>.md``: the chart and its table."""
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
            for p in trend.points
        ]
        svg = render_trend_svg(trend, chart_id=f"ct-chart-{trend.slug}")
        return self._render("metric_page.md.j2", trend=trend, rows=rows, svg=Markup(svg))

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

    def owners_index(self, owners: list[OwnerView]) -> str:
        """``owners/index.md``."""
        return self._render("owners_index.md.j2", owners=owners)

    def owner_page(self, owner: OwnerView) -> str:
        """``owners/<slug>.md``: open, recent and all changes, and open checklist items."""
        return self._render("owner_page.md.j2", owner=owner, root=Markup("../"))

    def checklists(self) -> str:
        """``checklists.md``: shipped records with unfinished checklists, oldest first."""
        oldest_first = sorted(self.records, key=lambda r: (r.meta.date, r.id))
        rows = checklist_rows(oldest_first, self.catalog, self.files, self.renderer.settings)
        return self._render("checklists.md.j2", checklists=rows, root=Markup(""))
