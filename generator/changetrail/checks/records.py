"""Rules for one record that depend on its status or on the site's settings."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..errors import RecordError, show_value
from ..models import Status
from ..validation import field_path

if TYPE_CHECKING:
    import datetime as dt

    from ..frontmatter import Loc
    from ..loader import Record
    from ..settings import Settings

__all__ = ["check_record"]

#: Statuses whose date may lie in the future.
MAY_BE_FUTURE = frozenset({Status.PLANNED, Status.DRAFT})

_PLACEHOLDER = re.compile(r"^\s*TODO\b")

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
                _error(
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
            _error(
                rec,
                ("date",),
                "date.future",
                f"date {meta.date.isoformat()} is in the future but status is '{status}'",
                expected=f"a date on or before {today.isoformat()}",
                got=meta.date.isoformat(),
                hint="use status 'planned' for a change that has not happened yet",
            )
        )
    errors.extend(_placeholders(rec, rec.source.data, ()))
    return errors


def _placeholders(rec: Record, value: Any, loc: Loc) -> list[RecordError]:
    if isinstance(value, str):
        if _PLACEHOLDER.match(value):
            return [
                _error(
                    rec,
                    loc,
                    "placeholder",
                    "still holds the template's TODO placeholder",
                    got=show_value(value),
                    hint="replace the TODO text with the real value",
                )
            ]
        return []
    out: list[RecordError] = []
    if isinstance(value, dict):
        for key, item in value.items():
            out.extend(_placeholders(rec, item, (*loc, str(key))))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            out.extend(_placeholders(rec, item, (*loc, i)))
    return out


def _error(
    rec: Record,
    loc: Loc,
    code: str,
    message: str,
    *,
    expected: str | None = None,
    got: str | None = None,
    hint: str | None = None,
    at_key: bool = False,
) -> RecordError:
    pos = rec.source.position(loc)
    if pos is None:
        line, column = rec.source.start_line, 1
    elif at_key:
        line, column = pos.key_line, pos.key_column
    else:
        line, column = pos.line, pos.column
    return RecordError(
        code=code,
        file=rec.path,
        line=line,
        column=column,
        field=field_path(loc) or None,
        message=message,
        expected=expected,
        got=got,
        hint=hint,
    )
