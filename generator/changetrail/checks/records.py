"""Rules for one record that depend on its status or on the site's settings."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..models import Status
from .common import check_limits, error_at, find_placeholders

if TYPE_CHECKING:
    import datetime as dt

    from ..errors import RecordError
    from ..loader import Record
    from ..settings import Settings

__all__ = ["check_record"]

#: Statuses whose date may lie in the future.
MAY_BE_FUTURE = frozenset({Status.PLANNED, Status.DRAFT})

_REQUIRED_HINTS = {
    "files_touched": "list the paths, e.g.\n    files_touched:\n      - db/migrations/0042_orders_created_at.sql",
    "commands": "list the commands, e.g.\n    commands:\n      - make migrate",
    "metrics": "add a measurement, e.g.\n    metrics:\n      - {name: p95 latency, before: 820, after: 95, unit: ms, better: lower}",
    "rollback": "say how to undo it, e.g.\n    rollback:\n      note: revert the migration\n      command: make migrate-down\n      tested: true",
}


def check_record(rec: Record, settings: Settings, today: dt.date) -> list[RecordError]:
    """Check status-dependent fields, the date and unfilled placeholders of one record."""
    errors: list[RecordError] = []
    meta = rec.meta
    status = meta.status
    for name, statuses in settings.required.items():
        if status in statuses and not getattr(meta, name):
            present = name in rec.source.data
            what = "is empty" if present else "is missing"
            need = "at least one entry" if name != "rollback" else "a rollback note"
            errors.append(
                error_at(
                    rec,
                    (name,),
                    "required_for_status",
                    f"required when status is '{status}'; {what}",
                    expected=need,
                    hint=_REQUIRED_HINTS.get(name),
                    at_key=True,
                )
            )
    if meta.date > today and status not in MAY_BE_FUTURE:
        errors.append(
            error_at(
                rec,
                ("date",),
                "date.future",
                f"date {meta.date.isoformat()} is in the future but status is '{status}'",
                expected=f"a date on or before {today.isoformat()}",
                got=meta.date.isoformat(),
                hint="use status 'planned' for a change that has not happened yet",
            )
        )
    errors.extend(find_placeholders(rec, rec.source.data, ()))
    errors.extend(check_limits(rec, meta.title, meta.checklist, settings.limits))
    return errors
