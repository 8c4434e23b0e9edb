"""Validate frontmatter with a pydantic model and turn every failure into a ``RecordError``.

This is the only place that reads pydantic errors. It uses their structured parts (``type``,
``loc``, ``input``, ``ctx``), never the text of the exception.
"""

from __future__ import annotations

import datetime as dt
import re
import typing
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from .errors import RecordError, close_match_hint, located, show_value
from .models import STATUS_SYNONYMS

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from .frontmatter import Frontmatter, Loc

__all__ = ["field_path", "validate"]

M = TypeVar("M", bound=BaseModel)


def validate(model: type[M], fm: Frontmatter, path: str) -> M | list[RecordError]:
    """Validate ``fm.data`` against ``model``; return the model or one error per problem."""
    try:
        return model.model_validate(fm.data)
    except ValidationError as exc:
        return [from_pydantic(err, fm, path, model) for err in exc.errors(include_url=False)]


def field_path(loc: Loc | tuple[Any, ...]) -> str:
    """Turn a pydantic ``loc`` into ``links[2].url`` (pydantic's ``loc_to_dot_sep`` recipe)."""
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += f".{part}" if out else str(part)
    return out


def from_pydantic(
    err: ErrorDetails, fm: Frontmatter, path: str, model: type[BaseModel]
) -> RecordError:
    """Describe one pydantic error with the file, line, column, field, expected, got and a hint."""
    loc = _data_loc(err["loc"], fm.data)
    kind = err["type"]
    value = err.get("input")
    pos = fm.position(loc)
    line, column = (pos.line, pos.column) if pos else (fm.start_line, 1)
    hint: str | None = None
    expected: str | None = None
    got: str | None = show_value(value)

    if kind == "extra_forbidden":
        key_pos = fm.positions.get(loc)
        if key_pos:
            line, column = key_pos.key_line, key_pos.key_column
        name = str(loc[-1])
        known = _fields_at(model, loc[:-1])
        hint = close_match_hint(name, known)
        if hint is None and known:
            hint = f"known fields here: {', '.join(known)}"
        return _make(
            path, line, column, loc, "unknown_field", f"unknown field '{name}'", None, None, hint
        )
    if kind == "missing":
        parent = fm.positions.get(loc[:-1]) if loc[:-1] else None
        if parent:
            line, column = parent.key_line, parent.key_column
        else:
            line, column = fm.start_line, 1
        return _make(
            path,
            line,
            column,
            loc,
            "missing",
            "required field is missing",
            None,
            None,
            _missing_hint(loc),
        )

    expected, message = _describe(kind, err, value)
    hint = _hint(
        kind,
        loc,
        value,
        pos.raw if pos else None,
        plain=bool(pos and pos.plain),
        ctx=err.get("ctx"),
    )
    return _make(path, line, column, loc, kind, message, expected, got, hint)


def _describe(kind: str, err: ErrorDetails, value: object) -> tuple[str, str]:
    """Return (expected, message); every message reads ``expected X; got Y``."""
    ctx = err.get("ctx") or {}
    got = show_value(value)
    msg = err["msg"]
    if msg.startswith("expected "):  # our own validators (models.py) word them this way
        expected = msg.removeprefix("expected ")
    elif kind == "enum":
        expected = "one of " + ", ".join(_enum_choices(ctx))
    elif kind == "literal_error":
        expected = f"one of {ctx.get('expected', '')}".replace("'", "")
    elif kind == "string_type":
        expected = "text"
    elif kind in ("bool_type", "bool_parsing"):
        expected = "true or false"
    elif kind in ("int_type", "int_parsing", "int_from_float"):
        expected = "a whole number"
    elif kind in ("greater_than_equal", "less_than_equal"):
        expected = "a whole number from 0 to 100"
    elif kind in ("list_type", "tuple_type"):
        expected = "a list (one '- item' per line)"
    elif kind in ("model_type", "model_attributes_type", "dict_type"):
        expected = "a mapping ('name: value' lines)"
    elif kind == "string_too_short":
        expected = "a non-empty value"
    elif kind in ("string_too_long", "too_long") and isinstance(value, str):
        expected = f"at most {ctx.get('max_length')} characters"
        got = f"{len(value)} characters"
    elif kind == "string_pattern_mismatch":
        expected = "a git revision (a hash, tag or branch name)"
    else:
        expected = msg[0].lower() + msg[1:] if msg else kind
    return expected, f"expected {expected}; got {got}"


def _enum_choices(ctx: dict[str, Any]) -> list[str]:
    """The allowed values of an enum error, from pydantic's "'a', 'b' or 'c'"."""
    return re.findall(r"'([^']*)'", str(ctx.get("expected", "")))


def _hint(
    kind: str,
    loc: Loc,
    value: object,
    raw: str | None,
    *,
    plain: bool,
    ctx: dict[str, Any] | None = None,
) -> str | None:
    name = str(loc[-1]) if loc else ""
    if kind == "enum" and isinstance(value, str):
        key = value.strip().lower().replace(" ", "").replace("_", "-")
        choices = _enum_choices(ctx or {})
        if key in choices:
            return f"write it in lower case: '{key}'"
        if loc == ("status",) and key.replace("-", "") in STATUS_SYNONYMS:
            return f"did you mean '{STATUS_SYNONYMS[key.replace('-', '')]}'?"
        return close_match_hint(key, choices)
    if value is None and kind in ("string_type", "list_type", "model_type", "dict_type"):
        return "the value is empty: write it after the colon, or remove the line"
    if kind == "string_type" and plain and raw is not None and not isinstance(value, str):
        read_as = show_value(value)
        where = f'- "{raw}"' if loc and isinstance(loc[-1], int) else f'{name}: "{raw}"'
        return f"YAML read `{raw}` as {read_as}; quote it: {where}"
    if kind == "date_format" and isinstance(value, str):
        return _date_hint(value)
    if kind == "date_format" and isinstance(value, dt.datetime):
        return f"drop the time: {value.date().isoformat()}"
    if kind == "number_type" and isinstance(value, str):
        if raw is not None and not plain:
            return "remove the quotes around the number"
        if re.fullmatch(r"[-+]?\d+(\.\d*)?[eE][-+]?\d+", value.strip()):
            return f"YAML 1.1 reads `{value.strip()}` as text; write it as {float(value):.1e} or in full"
        return "write only the number, e.g. 120, and put the unit in 'unit'"
    if kind == "number_type" and isinstance(value, bool):
        return f"YAML read `{raw}` as {show_value(value)}; write a number"
    if kind in ("list_type",) and isinstance(value, str):
        return f"write it as a list:\n    {name}:\n      - {value[:40]}"
    if kind == "string_too_short":
        return "fill in the value"
    if kind == "url_scheme" and isinstance(value, str):
        if value.strip().startswith("//"):
            return "write the scheme of an external link, e.g. https://"
        scheme = value.split(":", 1)[0].strip().lower().encode("unicode_escape").decode()
        return f"'{scheme}:' links are not allowed; use an https:// link or a relative path"
    if kind in ("path_absolute", "path_home", "path_escape"):
        return "write the path from the repository root, e.g. src/app/orders.py"
    return None


def _date_hint(value: str) -> str | None:
    if m := re.fullmatch(r"\s*(\d{1,2})[/.](\d{1,2})[/.](\d{4})\s*", value):
        a, b, year = m.groups()
        options = []
        for month, day in ((a, b), (b, a)):
            try:
                options.append(dt.date(int(year), int(month), int(day)).isoformat())
            except ValueError:
                continue
        unique = list(dict.fromkeys(options))
        if len(unique) == 2:
            return (
                f"write it as {unique[0]} (if {a} is the month) or {unique[1]} (if {a} is the day)"
            )
        if unique:
            return f"write it as {unique[0]}"
    return "write the date as YYYY-MM-DD, e.g. 2026-11-28"


def _missing_hint(loc: Loc) -> str | None:
    examples = {
        "title": 'title: "Add index on orders.created_at"',
        "date": "date: 2026-11-28",
        "owner": "owner: alice (or a team handle such as @db-team)",
        "status": "status: shipped (one of draft, planned, in-progress, shipped, rolled-back, abandoned)",
        "reason": "reason: why the change was needed and what the system did before",
        "expected_result": "expected_result: what should be true once it is live",
        "note": "note: how to undo the change",
        "name": "name: p95 latency",
        "before": "before: 820",
        "after": "after: 95",
        "better": "better: lower (or higher)",
        "url": "url: https://example.com/pr/42",
        "text": "text: what to do",
    }
    name = str(loc[-1])
    return f"add it, e.g. {examples[name]}" if name in examples else None


def _data_loc(loc: tuple[int | str, ...], data: dict[str, Any]) -> Loc:
    """Keep the parts of a pydantic loc that name keys and items in the data.

    Parts such as ``function-after[...]`` name pydantic's validators, not the user's fields;
    they only follow scalars, which end the walk. A key that is absent (a missing field) is kept so that the message can name it.
    """
    out: list[str | int] = []
    node: Any = data
    for part in loc:
        if isinstance(node, list) and isinstance(part, int) and 0 <= part < len(node):
            out.append(part)
            node = node[part]
        elif isinstance(node, dict) and isinstance(part, str):
            if part in node:
                out.append(part)
                node = node[part]
            elif "[" not in part:
                out.append(part)
                node = None
    return tuple(out)


def _fields_at(model: type[BaseModel], loc: Loc) -> list[str]:
    """Field names of the (sub-)model that sits at ``loc``."""
    current: Any = model
    for part in loc:
        if isinstance(part, int):
            continue
        if not (isinstance(current, type) and issubclass(current, BaseModel)):
            return []
        info = current.model_fields.get(part)
        if info is None:
            return []
        current = _find_model(info.annotation)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return [
            n
            for n in current.model_fields
            if not (current.__name__ == "ChecklistItem" and n == "text")
        ]
    return []


def _find_model(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _find_model(arg)
        if found is not None:
            return found
    return None


def _make(
    path: str,
    line: int,
    column: int,
    loc: Loc,
    code: str,
    message: str,
    expected: str | None,
    got: str | None,
    hint: str | None,
) -> RecordError:
    return located(
        path,
        line,
        column,
        code,
        message,
        expected=expected,
        got=got,
        hint=hint,
        field=field_path(loc) or None,
    )
