"""Exactly what each view template sees, typed; and the selections behind each view."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypedDict

from ..models import Status
from ..render.context import checklist_view

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from ..catalog import Catalog
    from ..loader import Record
    from ..settings import Settings
    from .files import FileIndex

__all__ = [
    "OPEN_STATUSES",
    "RECENT_STATUSES",
    "WINDOWS",
    "ChecklistRow",
    "FileLink",
    "RecordRow",
    "WindowView",
    "age_days",
    "checklist_rows",
    "recent_windows",
    "record_row",
]

#: The recent-changes windows: (title, days). A record dated ``days`` or fewer days before the
#: build's UTC date is in the window: its day overlaps the last ``days`` x 24 hours.
WINDOWS = (("Last 24 hours", 1), ("Last 7 days", 7), ("Last 30 days", 30))
RECENT_STATUSES = frozenset({Status.SHIPPED, Status.ROLLED_BACK, Status.IN_PROGRESS})
OPEN_STATUSES = frozenset({Status.PLANNED, Status.IN_PROGRESS})


class FileLink(TypedDict):
    path: str
    uri: str | None  # relative to site_path


class RecordRow(TypedDict):
    id: str
    title: str
    status: str
    owner: str
    owner_slug: str
    date: dt.date
    files: list[FileLink]
    rollback_command: str | None


class WindowView(TypedDict):
    title: str
    days: int
    entries: list[RecordRow]


class ChecklistRow(TypedDict):
    record: RecordRow
    done: int
    total: int
    is_default: bool
    open_items: list[str]


def record_row(rec: Record, catalog: Catalog, files: FileIndex) -> RecordRow:
    """The values a listing shows for one record."""
    meta = rec.meta
    return RecordRow(
        id=rec.id,
        title=meta.title,
        status=meta.status.value,
        owner=meta.owner,
        owner_slug=catalog.owners.slugs[meta.owner],
        date=meta.date,
        files=[FileLink(path=p, uri=files.page_uri(p)) for p in dict.fromkeys(meta.files_touched)],
        rollback_command=meta.rollback.command if meta.rollback else None,
    )


def age_days(date: dt.date, today: dt.date) -> int:
    """Whole days from ``date`` to ``today`` (0 for today)."""
    return (today - date).days


def recent_windows(
    records: Iterable[Record], catalog: Catalog, files: FileIndex, *, today: dt.date
) -> list[WindowView]:
    """Shipped, rolled-back and in-progress records by window, each newest first.

    The windows do not overlap: a record is in the smallest window it fits.
    """
    windows = [WindowView(title=title, days=days, entries=[]) for title, days in WINDOWS]
    for rec in records:
        if rec.meta.status not in RECENT_STATUSES:
            continue
        age = age_days(rec.meta.date, today)
        window = next((w for w in windows if 0 <= age <= w["days"]), None)
        if window is not None:
            window["entries"].append(record_row(rec, catalog, files))
    return windows


def checklist_rows(
    records: Iterable[Record], catalog: Catalog, files: FileIndex, settings: Settings
) -> list[ChecklistRow]:
    """Shipped records with unfinished checklist items, in the order given."""
    rows = []
    for rec in records:
        if rec.meta.status is not Status.SHIPPED:
            continue
        view = checklist_view(rec, settings)
        open_items = [item["text"] for item in view["items"] if not item["done"]]
        if open_items:
            rows.append(
                ChecklistRow(
                    record=record_row(rec, catalog, files),
                    done=view["done"],
                    total=view["total"],
                    is_default=view["is_default"],
                    open_items=open_items,
                )
            )
    return rows
