"""Exactly what each template sees, typed (cf. MkDocs' ``TemplateContext``)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypedDict

if TYPE_CHECKING:
    import datetime as dt

    from ..catalog import Catalog
    from ..loader import Record
    from ..models import ChecklistItem, Metric, Rollback
    from ..settings import Settings
    from ..views import ViewLinks

__all__ = [
    "ChecklistView",
    "RecordContext",
    "RepoLinks",
    "checklist_items",
    "checklist_view",
    "record_context",
]


class ChecklistItemView(TypedDict):
    text: str
    done: bool


class ChecklistView(TypedDict):
    items: list[ChecklistItemView]
    done: int
    total: int
    is_default: bool


class RefView(TypedDict):
    id: str
    title: str


@dataclass(frozen=True, slots=True)
class RepoLinks:
    """Where a record's commit and files are in the repository's web view (``repo_url``)."""

    commit: str | None = None
    files: dict[str, str | None] = field(default_factory=dict)


class RecordContext(TypedDict):
    id: str
    title: str
    status: str
    owner: str
    owner_slug: str
    date: dt.date
    area: str | None
    tags: list[tuple[str, str]]
    reason: str
    expected_result: str
    files_touched: list[tuple[str, str | None, str | None]]
    commit_url: str | None
    commands: list[str]
    metrics: list[tuple[Metric, str | None]]
    rollback: Rollback | None
    checklist: ChecklistView
    links: list[tuple[str, str]]
    commit: str | None
    related: list[RefView]
    related_from: list[RefView]
    body: str


def checklist_view(rec: Record, settings: Settings) -> ChecklistView:
    """The record's checklist, or the site's default one (all unchecked) when it has none."""
    return checklist_items(rec.meta.checklist, settings, default=True)


def checklist_items(
    checklist: list[ChecklistItem] | None, settings: Settings, *, default: bool
) -> ChecklistView:
    """A checklist with its progress; with ``default``, a missing one is the site's default."""
    if checklist is None:
        texts = settings.default_checklist if default else []
        items = [ChecklistItemView(text=t, done=False) for t in texts]
        is_default = default
    else:
        items = [ChecklistItemView(text=i.text, done=i.done) for i in checklist]
        is_default = False
    done = sum(i["done"] for i in items)
    return ChecklistView(items=items, done=done, total=len(items), is_default=is_default)


def record_context(
    rec: Record,
    catalog: Catalog,
    settings: Settings,
    links: ViewLinks | None = None,
    repo: RepoLinks | None = None,
) -> RecordContext:
    """Build the context of ``record.md.j2``; ``links`` point files and metrics at their views."""
    meta = rec.meta
    related = []
    for rid in meta.related:
        target = catalog.get(rid)
        if target is not None:
            related.append(RefView(id=target.id, title=target.meta.title))
    return RecordContext(
        id=rec.id,
        title=meta.title,
        status=meta.status.value,
        owner=meta.owner,
        owner_slug=catalog.owners.slugs.get(meta.owner, ""),
        date=meta.date,
        area=meta.area,
        tags=[(t, catalog.tags.slugs.get(t, "")) for t in dict.fromkeys(meta.tags)],
        reason=meta.reason,
        expected_result=meta.expected_result,
        files_touched=[
            (p, links.file_page_uri(p) if links else None, repo.files.get(p) if repo else None)
            for p in meta.files_touched
        ],
        commit_url=repo.commit if repo else None,
        commands=list(meta.commands),
        metrics=[(m, links.metric_page_uri(m.name) if links else None) for m in meta.metrics],
        rollback=meta.rollback,
        checklist=checklist_view(rec, settings),
        links=[(link.title, link.url) for link in meta.links],
        commit=meta.commit,
        related=related,
        related_from=[
            RefView(id=r.id, title=r.meta.title)
            for r in catalog.related_from.get(rec.id.lower(), ())
            if r.id != rec.id
        ],
        body=rec.body,
    )
