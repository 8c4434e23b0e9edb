"""Turn the post-meta entries of an export into Article frontmatter (fields, then ``extra``).

Every label ends up somewhere: a field of ``Article`` when the model has one, otherwise a
snake_cased key of ``extra``; the old site's computed values go to ``extra.legacy``.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from dataclasses import dataclass, field
from typing import Any, Literal

from slugify import slugify

from ..errors import RecordError, show_value
from .export import MetaEntry, MetaItem

__all__ = ["Meta", "read_meta", "snake"]

Kind = Literal["text", "int", "list", "map", "objects"]
Loc = tuple[str | int, ...]

#: label -> (shape of its value, where it goes: a field, or a path under ``extra``).
TARGETS: dict[str, tuple[Kind, Loc]] = {
    "topic": ("text", ("topic",)),
    "summary": ("text", ("summary",)),
    "ai outline": ("list", ("outline",)),
    "ai brief": ("text", ("extra", "ai_brief")),
    "stack": ("list", ("stack",)),
    "tools": ("list", ("tools",)),
    "code language": ("text", ("code_language",)),
    "difficulty": ("text", ("difficulty",)),
    "reading time": ("int", ("extra", "legacy", "reading_time")),
    "view count": ("int", ("extra", "view_count")),
    "score": ("map", ("score",)),
    "revision": ("map", ("revision",)),
    "reference": ("text", ("reference",)),
    "hash": ("text", ("extra", "legacy", "hash")),
    "flags": ("map", ("flags",)),
    "checklist": ("list", ("checklist",)),
    "entities": ("objects", ("entities",)),
    "image sources": ("objects", ("image_sources",)),
    "payload": ("map", ("extra", "payload")),
    "notes": ("list", ("notes",)),
    "tags": ("list", ("tags",)),
    "owner": ("text", ("owner",)),
}

#: Keys the model knows inside ``score`` and ``revision``; others go to ``extra.score`` etc.
_KNOWN_KEYS = {
    "score": ("quality", "freshness", "depth", "clarity"),
    "revision": ("status", "version", "last_reviewed"),
}
_INT = re.compile(r"[+-]?\d+")
#: Only integers that read back as written become numbers in ``extra`` ("007" stays text).
_EXACT_INT = re.compile(r"-?(0|[1-9]\d*)")
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_TRUE = frozenset({"1", "true", "yes", "on", "y"})
_FALSE = frozenset({"0", "false", "no", "off", "n"})


@dataclass(slots=True)
class Meta:
    """Frontmatter values read from the box, and the export line each one came from."""

    data: dict[str, Any] = field(default_factory=dict)
    lines: dict[Loc, int] = field(default_factory=dict)
    errors: list[RecordError] = field(default_factory=list)

    def put(self, loc: Loc, value: object, line: int) -> None:
        """Set ``data[loc[0]][loc[1]]…``, creating mappings on the way."""
        target = self.data
        for part in loc[:-1]:
            target = target.setdefault(str(part), {})
        target[str(loc[-1])] = value
        self.lines.setdefault(loc, line)

    def line_of(self, loc: Loc) -> int | None:
        """The line of the longest known prefix of ``loc``."""
        for end in range(len(loc), 0, -1):
            if loc[:end] in self.lines:
                return self.lines[loc[:end]]
        return None


def snake(text: str) -> str:
    """'Last reviewed' -> 'last_reviewed'; a valid flag name whatever the text."""
    name = slugify(text, separator="_") or "field"
    return name if name[0].isalpha() else f"n_{name}"


def read_meta(entries: tuple[MetaEntry, ...], path: str) -> Meta:
    """Map every entry to its place in the frontmatter; problems are collected in ``errors``."""
    meta = Meta()
    for entry in entries:
        kind, loc = TARGETS[entry.label]
        if kind in ("text", "int"):
            _read_scalar(meta, entry, kind, loc, path)
        elif kind == "list":
            _read_list(meta, entry, loc, path)
        elif kind == "map":
            _read_map(meta, entry, loc, path)
        else:
            _read_objects(meta, entry, loc, path)
    return meta


def _read_scalar(meta: Meta, entry: MetaEntry, kind: Kind, loc: Loc, path: str) -> None:
    if entry.items:
        meta.errors.append(_err(path, entry.items[0], entry.label, "expected a value, not a list"))
        return
    if not entry.inline:
        return  # an empty label carries nothing to keep
    if kind == "text":
        value: object = entry.inline.lower() if entry.label == "difficulty" else entry.inline
    elif _INT.fullmatch(entry.inline):
        value = int(entry.inline)
    else:
        meta.errors.append(
            _err(path, entry, entry.label, "expected a whole number", got=entry.inline)
        )
        return
    meta.put(loc, value, entry.line)


def _read_list(meta: Meta, entry: MetaEntry, loc: Loc, path: str) -> None:
    items = [entry.inline] if entry.inline else []
    items += [item.text for item in entry.items]
    if not items:
        return  # an empty label carries nothing to keep
    lines = [entry.line] if entry.inline else []
    lines += [item.line for item in entry.items]
    values: list[object] = [{"todo": t} for t in items] if loc == ("checklist",) else list(items)
    meta.put(loc, values, entry.line)
    for i, line in enumerate(lines):
        meta.lines[(*loc, i)] = line


def _read_map(meta: Meta, entry: MetaEntry, loc: Loc, path: str) -> None:
    if entry.inline:
        meta.errors.append(_err(path, entry, entry.label, "expected '  • key: value' lines"))
        return
    pairs = _pairs(meta, entry, entry.items, path)
    if pairs is None:
        return
    known = _KNOWN_KEYS.get(str(loc[0]))
    meta.lines[loc] = entry.line
    for key, value, item in pairs:
        typed = _typed(meta, entry, key, value, item, path)
        if typed is None:
            continue
        where = (*loc, key) if known is None or key in known else ("extra", str(loc[0]), key)
        meta.put(where, typed, item.line)


def _typed(
    meta: Meta, entry: MetaEntry, key: str, value: str, item: MetaItem, path: str
) -> object | None:
    """The value of one ``key: value`` line, typed by what its label holds."""
    where = f"{entry.label}.{key}"
    if entry.label == "flags":
        if value.lower() in _TRUE | _FALSE:
            return value.lower() in _TRUE
        meta.errors.append(_err(path, item, where, "expected 1 or 0", got=value))
        return None
    if entry.label == "revision":
        return _revision_value(meta, key, value, item, path)
    if entry.label == "score" and not _INT.fullmatch(value):
        meta.errors.append(_err(path, item, where, "expected a whole number", got=value))
        return None
    if entry.label == "score":
        return int(value)
    return int(value) if _EXACT_INT.fullmatch(value) else value


def _revision_value(meta: Meta, key: str, value: str, item: MetaItem, path: str) -> object | None:
    if key == "status":
        return "-".join(value.lower().split())  # "needs review" -> "needs-review"
    if key != "last_reviewed":
        return value
    if _DATE.fullmatch(value):
        with contextlib.suppress(ValueError):  # 2018-02-30 matches but is no date
            return dt.date.fromisoformat(value)
    where = f"revision.{key}"
    meta.errors.append(_err(path, item, where, "expected a date YYYY-MM-DD", got=value))
    return None


def _read_objects(meta: Meta, entry: MetaEntry, loc: Loc, path: str) -> None:
    if entry.inline:
        meta.errors.append(_err(path, entry, entry.label, "expected '    • key: value' lines"))
        return
    pairs = _pairs(meta, entry, entry.items, path, repeat_starts_new=True)
    if not pairs:
        return
    objects: list[dict[str, object]] = []
    for key, value, item in pairs:
        if not objects or key in objects[-1]:
            objects.append({})
            meta.lines[(*loc, len(objects) - 1)] = item.line
        objects[-1][key] = value
        meta.lines[(*loc, len(objects) - 1, key)] = item.line
    meta.put(loc, objects, entry.line)


def _pairs(
    meta: Meta,
    entry: MetaEntry,
    items: list[MetaItem],
    path: str,
    *,
    repeat_starts_new: bool = False,
) -> list[tuple[str, str, MetaItem]] | None:
    """Split '• key: value' items; a repeated key is an error unless it starts a new object."""
    pairs: list[tuple[str, str, MetaItem]] = []
    seen: set[str] = set()
    ok = True
    for item in items:
        key, sep, value = item.text.partition(":")
        name = snake(key)
        if not sep or not key.strip():
            meta.errors.append(_err(path, item, entry.label, "expected 'key: value'"))
            ok = False
        elif name in seen and not repeat_starts_new:
            meta.errors.append(_err(path, item, f"{entry.label}.{name}", "key is given twice"))
            ok = False
        else:
            seen.add(name)
            pairs.append((name, value.strip(), item))
    return pairs if ok else None


def _err(
    path: str, at: MetaEntry | MetaItem, where: str, message: str, *, got: str | None = None
) -> RecordError:
    column = at.column if isinstance(at, MetaItem) else 1
    return RecordError(
        code="legacy.meta_value",
        file=path,
        line=at.line,
        column=column,
        field=where,
        message=message,
        got=None if got is None else show_value(got),
    )
