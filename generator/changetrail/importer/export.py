"""Read the old site's text export into its parts: title, body blocks and the post-meta entries.

This layer knows the layout only (blank lines, bullets, labels that run into their values); what
each label means is decided in ``convert``. Pure: text in, ``Export`` or ``RecordError`` list out.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass, field

from ..errors import RecordError, located, show_value
from .blocks import BULLET, Block, read_body

__all__ = ["LABELS", "Export", "MetaEntry", "MetaItem", "read_export"]

#: Every label of the post-meta box the importer understands (matched longest first).
LABELS = (
    "topic",
    "summary",
    "ai outline",
    "ai brief",
    "stack",
    "tools",
    "code language",
    "difficulty",
    "reading time",
    "view count",
    "score",
    "revision",
    "reference",
    "hash",
    "flags",
    "checklist",
    "entities",
    "image sources",
    "payload",
    "notes",
    "tags",
    "owner",
)
_BY_LENGTH = sorted(LABELS, key=lambda label: (-len(label), label))


@dataclass(frozen=True, slots=True)
class MetaItem:
    """One ``  • text`` line under a label; ``depth`` 2 for the four-space ``    • key: value``."""

    depth: int
    text: str
    line: int
    column: int


@dataclass(slots=True)
class MetaEntry:
    """A label of the post-meta box, its inline value and the bullet lines that follow it."""

    label: str
    inline: str
    line: int
    items: list[MetaItem] = field(default_factory=list)


@dataclass(frozen=True, slots=True)
class Export:
    """One exported page, split into its parts, with 1-based line numbers."""

    title: str
    title_line: int
    blocks: tuple[Block, ...]
    meta: tuple[MetaEntry, ...]
    meta_line: int


def read_export(text: str, path: str) -> Export | list[RecordError]:
    """Split an export into title, body blocks and post-meta entries.

    Args:
        text: the whole export.
        path: the file as it should appear in messages.

    Returns:
        The parts, or the problems (no title, no post-meta block, unknown labels).
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if control := _find_control(lines, path):
        return [control]
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None:
        return [
            located(path, 1, 1, "legacy.title_missing", "the export is empty", hint=_TITLE_HINT)
        ]
    meta_at = _find_meta(lines)
    if first == meta_at or lines[first].lstrip().startswith(BULLET):
        return [_missing_title(path, lines, first)]
    if meta_at is None:
        return [_missing_meta(path, lines)]
    end = next(
        (i for i in range(meta_at + 1, len(lines)) if _is_similar_posts(lines[i])), len(lines)
    )
    meta = _read_meta(lines, meta_at + 1, end, path)
    if isinstance(meta, list):
        return meta
    return Export(
        title=lines[first].strip(),
        title_line=first + 1,
        blocks=tuple(read_body(lines, first + 1, meta_at)),
        meta=tuple(meta.values()),
        meta_line=meta_at + 1,
    )


#: Control characters (C0 but tab, DEL, C1), bidirectional-text controls ("Trojan Source") and
#: lone surrogates: invisible or misleading in text, and refused by changetrail's loader.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ud800-\udfff]")


def _find_control(lines: list[str], path: str) -> RecordError | None:
    for i, line in enumerate(lines):
        if match := _CONTROL.search(line):
            return located(
                path,
                i + 1,
                match.start() + 1,
                "legacy.control_character",
                f"the export contains the invisible control character U+{ord(match[0]):04X}",
                hint="delete it; if there are many, the file is damaged: export the page again",
            )
    return None


_TITLE_HINT = "an export starts with the article's title on its first non-blank line"


def _find_meta(lines: list[str]) -> int | None:
    """The last unindented line ending in 'post meta' (the body may mention the words)."""
    found = None
    for i, line in enumerate(lines):
        if line[:1].isspace() or line.startswith(BULLET):
            continue
        if _is_similar_posts(line) and found is not None:
            break
        if line.strip().lower().endswith("post meta"):
            found = i
    return found


def _is_similar_posts(line: str) -> bool:
    return not line[:1].isspace() and line.strip().lower().startswith("similar posts")


def _missing_title(path: str, lines: list[str], first: int) -> RecordError:
    return located(
        path,
        first + 1,
        1,
        "legacy.title_missing",
        "the export has no title before its content",
        got=show_value(lines[first].strip()),
        hint=_TITLE_HINT,
    )


def _missing_meta(path: str, lines: list[str]) -> RecordError:
    last = max((i for i, line in enumerate(lines) if line.strip()), default=0)
    return located(
        path,
        last + 1,
        1,
        "legacy.meta_missing",
        "the export has no post-meta block",
        expected="a line ending in 'post meta' followed by labels such as 'topic…'",
        hint="export the whole page, including the post-meta box after the article",
    )


def _read_meta(
    lines: list[str], start: int, end: int, path: str
) -> dict[str, MetaEntry] | list[RecordError]:
    entries: dict[str, MetaEntry] = {}
    errors: list[RecordError] = []
    current: MetaEntry | None = None
    for i in range(start, end):
        raw = lines[i]
        text = raw.strip()
        if not text:
            continue
        if text.startswith(BULLET):
            indent = len(raw) - len(raw.lstrip())
            item = MetaItem(2 if indent >= 4 else 1, text[1:].strip(), i + 1, indent + 1)
            if current is None:
                errors.append(_orphan_item(path, item))
            else:
                current.items.append(item)
            continue
        read = _read_label(raw, i + 1, path)
        current = None
        if isinstance(read, RecordError):
            errors.append(read)
        elif read.label in entries:
            first = entries[read.label].line
            msg = f"label '{read.label}' is given twice (first on line {first})"
            errors.append(located(path, i + 1, 1, "legacy.label_duplicate", msg))
        else:
            entries[read.label] = current = read
    return errors or entries


def _read_label(raw: str, line: int, path: str) -> MetaEntry | RecordError:
    if raw[:1].isspace():
        return located(
            path,
            line,
            1,
            "legacy.meta_line",
            "an indented line in the post-meta block that is not a '•' item",
            got=show_value(raw.strip()),
            hint="labels start at the beginning of a line; list items are '  • text'",
        )
    lowered = raw.lower()
    for label in _BY_LENGTH:
        if lowered.startswith(label):
            return MetaEntry(label=label, inline=raw[len(label) :].strip(), line=line)
    return located(
        path,
        line,
        1,
        "legacy.label_unknown",
        "unknown label in the post-meta block",
        expected="one of " + ", ".join(sorted(LABELS)),
        got=show_value(raw.strip()),
        hint=_label_hint(lowered),
    )


def _label_hint(lowered: str) -> str | None:
    def closeness(label: str) -> float:
        return difflib.SequenceMatcher(None, label, lowered[: len(label) + 1]).ratio()

    best = max(LABELS, key=lambda label: (closeness(label), label))
    return f"did you mean '{best}'?" if closeness(best) >= 0.75 else None


def _orphan_item(path: str, item: MetaItem) -> RecordError:
    return located(
        path,
        item.line,
        item.column,
        "legacy.meta_line",
        "a list item in the post-meta block before any label",
        got=show_value(item.text),
    )
