"""Reference tables generated from the models themselves, so the docs cannot drift.

A docs page asks for one with a marker line such as ``<!-- changetrail:reference change -->``;
the plugin replaces the marker with the table at build time.
"""

from __future__ import annotations

import enum
import json
import re
import types
import typing
from typing import Any, Literal

from pydantic import BaseModel

if typing.TYPE_CHECKING:
    from pydantic.fields import FieldInfo

__all__ = ["MARKER", "model_reference", "replace_markers"]

MARKER = re.compile(r"^<!--\s*changetrail:reference\s+([\w-]+)\s*-->\s*$", re.MULTILINE)


def _type_name(annotation: Any) -> str:
    origin = typing.get_origin(annotation)
    args = typing.get_args(annotation)
    if origin is typing.Annotated:
        return _type_name(args[0])
    if origin in (typing.Union, types.UnionType):
        names = [_type_name(a) for a in args if a is not type(None)]
        if set(names) == {"number", "integer"}:
            return "number"
        return " or ".join(dict.fromkeys(names))
    if origin is list:
        return f"list of {_type_name(args[0])}"
    if origin is dict:
        return f"mapping of {_type_name(args[0])} to {_type_name(args[1])}"
    if origin is Literal:
        return " \\| ".join(f"`{a}`" for a in args)
    if isinstance(annotation, type):
        if issubclass(annotation, BaseModel):
            return f"[{annotation.__name__}](#{annotation.__name__.lower()})"
        return {
            "str": "text",
            "int": "integer",
            "float": "number",
            "bool": "`true` \\| `false`",
            "date": "date `YYYY-MM-DD`",
            "Status": "status",
        }.get(annotation.__name__, annotation.__name__)
    return str(annotation)


def _nested(annotation: Any) -> list[type[BaseModel]]:
    found: list[type[BaseModel]] = []
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        found.append(annotation)
    for arg in typing.get_args(annotation):
        found.extend(_nested(arg))
    return found


def model_reference(
    model: type[BaseModel], *, heading_level: int = 3, required: dict[str, str] | None = None
) -> str:
    """A Markdown table per model (and per nested model): field, type, required, description.

    ``required`` overrides the "Required" cell of top-level fields (e.g. "by status").
    """
    required = required or {}
    seen: list[type[BaseModel]] = []
    queue = [model]
    while queue:
        current = queue.pop(0)
        if current in seen:
            continue
        seen.append(current)
        for info in current.model_fields.values():
            queue.extend(_nested(info.annotation))
    out: list[str] = []
    for current in seen:
        if current is not model:
            out.append(f"{'#' * heading_level} {current.__name__}\n")
        doc = (current.__doc__ or "").strip().split("\n")[0]
        if doc:
            out.append(f"{doc}\n")
        out.append("| Field | Type | Required | Default | Description |")
        out.append("| --- | --- | --- | --- | --- |")
        for name, info in current.model_fields.items():
            needed = "yes" if info.is_required() else "no"
            if current is model and name in required:
                needed = required[name]
            desc = (info.description or "").replace("\n", " ").replace("|", "\\|")
            default = "" if info.is_required() else _default(info)
            out.append(
                f"| `{name}` | {_type_name(info.annotation)} | {needed} | {default} | {desc} |"
            )
        out.append("")
    return "\n".join(out)


def _default(info: FieldInfo) -> str:
    value = info.get_default(call_default_factory=True)
    if value is None or value == [] or value == {}:
        return ""
    if isinstance(value, enum.Enum):
        value = value.value
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return "<br>".join(f"`{v}`" for v in value)
    if isinstance(value, dict):
        return "<br>".join(
            f"`{k}`: {', '.join(str(getattr(x, 'value', x)) for x in v)}" for k, v in value.items()
        )
    text = json.dumps(value) if isinstance(value, bool | int | float) else str(value)
    return f"`{text}`"


def replace_markers(markdown: str, tables: dict[str, str]) -> str:
    """Replace every known marker line with its table; unknown names are left as they are."""

    def sub(match: re.Match[str]) -> str:
        name = match.group(1)
        if name not in tables:
            return match.group(0)
        return tables[name]

    return MARKER.sub(sub, markdown)
