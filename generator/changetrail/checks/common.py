"""Helpers shared by the checks: locate a problem in its file, find unfilled placeholders."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import RecordError, Severity, located, show_value
from ..validation import field_path

if TYPE_CHECKING:
    from ..frontmatter import Frontmatter, Loc
    from ..settings import Limits

__all__ = ["Sourced", "check_limits", "error_at", "find_placeholders"]

_PLACEHOLDER = re.compile(r"^\s*TODO\b")


class Sourced(Protocol):
    """Anything loaded from a file with frontmatter: a record or an article."""

    @property
    def path(self) -> str: ...

    @property
    def source(self) -> Frontmatter: ...


def check_limits(
    item: Sourced, title: str, checklist: list[Any] | None, limits: Limits
) -> list[RecordError]:
    """The site's configured limits on the title and the checklist."""
    found = []
    if len(title) > limits.title_length:
        found.append(
            error_at(
                item,
                ("title",),
                "limit.title_length",
                f"expected at most {limits.title_length} characters; got {len(title)} characters",
                hint="shorten the title; put the detail in the reason or the body",
            )
        )
    if checklist is not None and len(checklist) > limits.checklist_items:
        found.append(
            error_at(
                item,
                ("checklist",),
                "limit.checklist_items",
                f"expected at most {limits.checklist_items} checklist items; got {len(checklist)}",
                hint="split the work, or raise limits.checklist_items in the plugin options",
                at_key=True,
            )
        )
    return found


def find_placeholders(rec: Sourced, value: Any, loc: Loc) -> list[RecordError]:
    """Report every text value that still starts with the template's ``TODO``."""
    if value is rec.source.data and not rec.source.todo:
        return []
    found: list[Loc] = []
    _placeholders(value, loc, found)
    return [
        error_at(
            rec,
            where,
            "placeholder",
            "still holds the template's TODO placeholder",
            got=show_value(_at(value, where[len(loc) :])),
            hint="replace the TODO text with the real value",
        )
        for where in found
    ]


def _placeholders(value: Any, loc: Loc, found: list[Loc]) -> None:
    """The places of the placeholders, in order; texts without ``TODO`` cost one ``in``."""
    if isinstance(value, str):
        if "TODO" in value and _PLACEHOLDER.match(value):
            found.append(loc)
        return
    if isinstance(value, dict):
        items: Any = ((str(k), v) for k, v in value.items())
    elif isinstance(value, list):
        items = enumerate(value)
    else:
        return
    for part, item in items:
        if isinstance(item, str):
            if "TODO" in item and _PLACEHOLDER.match(item):
                found.append((*loc, part))
        elif isinstance(item, dict | list):
            _placeholders(item, (*loc, part), found)


def _at(value: Any, loc: Loc) -> Any:
    for part in loc:
        value = value[part]
    return value


def error_at(
    rec: Sourced,
    loc: Loc,
    code: str,
    message: str,
    *,
    expected: str | None = None,
    got: str | None = None,
    hint: str | None = None,
    at_key: bool = False,
    severity: Severity = Severity.ERROR,
) -> RecordError:
    pos = rec.source.position(loc)
    if pos is None:
        line, column = rec.source.start_line, 1
    elif at_key:
        line, column = pos.key_line, pos.key_column
    else:
        line, column = pos.line, pos.column
    return located(
        rec.path,
        line,
        column,
        code,
        message,
        expected=expected,
        got=got,
        hint=hint,
        severity=severity,
        field=field_path(loc) or None,
    )
