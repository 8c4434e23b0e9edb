"""Find the link destinations written in Markdown and in frontmatter, with their positions.

Pure: text in, ``SourceLink`` values out. It is not a Markdown parser: it finds what can become a
link (inline links and images, reference definitions, autolinks, ``href``/``src`` attributes of raw
HTML) and skips code blocks and code spans, which is enough to point an error at the line and
column where a link was written, and to rewrite destinations in place.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..frontmatter import Frontmatter, Loc

__all__ = ["SourceLink", "find_links", "scan_frontmatter", "scan_markdown", "split_url"]


@dataclass(frozen=True, slots=True)
class SourceLink:
    """One link destination as written in a source file."""

    url: str  # as written, without the <...> of an angle-bracket destination
    line: int  # 1-based, in the file
    column: int  # 1-based, where the destination starts
    field: str | None = None  # "links[0].url" for a frontmatter value; None in the body


@dataclass(frozen=True, slots=True)
class _Span:
    url: str
    start: int  # offsets of the destination in the scanned text
    end: int


_FENCE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_CODE_SPAN = re.compile(r"(`+)(?!`).*?(?<!`)\1(?!`)", re.DOTALL)
_INLINE = re.compile(r"\]\([ \t]*\n?[ \t]*")
_REF_DEF = re.compile(r"^ {0,3}\[[^\]\n]+\]:[ \t]*(?:<([^>\n]*)>|(\S+))", re.MULTILINE)
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^\s<>]+)>", re.IGNORECASE)
_HTML_ATTR = re.compile(
    r"<[A-Za-z][^<>]*?\s(?:href|src|poster)\s*=\s*(?:\"([^\"]*)\"|'([^']*)')", re.IGNORECASE
)


def _mask_code(text: str) -> str:
    """Blank out fenced code blocks and code spans, keeping every offset and newline."""
    out: list[str] = []
    fence: str | None = None
    for line in text.split("\n"):
        m = _FENCE.match(line)
        if fence is None and m:
            fence = m.group(1)
            out.append(" " * len(line))
        elif fence is not None:
            closing = m is not None and m.group(1)[0] == fence[0] and len(m.group(1)) >= len(fence)
            if closing and m is not None and not line[m.end() :].strip():
                fence = None
            out.append(" " * len(line))
        else:
            out.append(line)
    masked = "\n".join(out)
    return _CODE_SPAN.sub(lambda m: re.sub(r"[^\n]", " ", m.group(0)), masked)


def _inline_destination(text: str, pos: int) -> _Span | None:
    """Read the destination of ``](`` starting at ``pos``: ``<...>`` or balanced parentheses."""
    if pos < len(text) and text[pos] == "<":
        end = text.find(">", pos + 1)
        if end == -1 or "\n" in text[pos:end]:
            return None
        return _Span(text[pos + 1 : end], pos + 1, end)
    depth = 0
    i = pos
    while i < len(text):
        ch = text[i]
        if ch == "\\" and i + 1 < len(text):
            i += 2
            continue
        if ch.isspace() or (ch == ")" and depth == 0):
            break
        depth += {"(": 1, ")": -1}.get(ch, 0)
        i += 1
    return _Span(text[pos:i], pos, i) if i > pos else None


def find_links(text: str) -> list[_Span]:
    """Every link destination in Markdown ``text``, in order, with its offsets."""
    masked = _mask_code(text)
    found: dict[int, _Span] = {}
    for m in _INLINE.finditer(masked):
        span = _inline_destination(masked, m.end())
        if span is not None:
            found.setdefault(span.start, span)
    for m in _REF_DEF.finditer(masked):
        group = 1 if m.group(1) is not None else 2
        found.setdefault(m.start(group), _Span(m.group(group), m.start(group), m.end(group)))
    for m in _AUTOLINK.finditer(masked):
        found.setdefault(m.start(1), _Span(m.group(1), m.start(1), m.end(1)))
    for m in _HTML_ATTR.finditer(masked):
        group = 1 if m.group(1) is not None else 2
        found.setdefault(m.start(group), _Span(m.group(group), m.start(group), m.end(group)))
    return [found[k] for k in sorted(found) if found[k].url.strip()]


def scan_markdown(text: str, *, first_line: int = 1) -> list[SourceLink]:
    """Every link destination in ``text`` with its line and column.

    Args:
        text: Markdown (a whole file, or a body that starts on ``first_line`` of its file).
        first_line: the line of the file on which ``text`` starts.

    Returns:
        The links in the order they are written.
    """
    links = []
    for span in find_links(text):
        line_start = text.rfind("\n", 0, span.start) + 1
        line = text.count("\n", 0, span.start) + first_line
        links.append(SourceLink(span.url, line, span.start - line_start + 1))
    return links


def scan_frontmatter(fm: Frontmatter) -> list[SourceLink]:
    """Every ``url`` value in the frontmatter (``links[i].url``, ``image_sources[i].url``)."""
    out: list[SourceLink] = []
    for loc, value in _urls(fm.data, ()):
        pos = fm.position(loc)
        line, column = (pos.line, pos.column) if pos else (fm.start_line, 1)
        if pos is not None and pos.raw is not None and not pos.plain:
            column += 1  # past the opening quote, where the URL itself starts
        out.append(SourceLink(value, line, column, _dotted(loc)))
    return out


def _urls(data: Any, loc: Loc) -> list[tuple[Loc, str]]:
    if isinstance(data, dict):
        found = []
        for key, value in data.items():
            if key == "url" and isinstance(value, str):
                found.append(((*loc, key), value))
            else:
                found.extend(_urls(value, (*loc, str(key))))
        return found
    if isinstance(data, list):
        return [item for i, v in enumerate(data) for item in _urls(v, (*loc, i))]
    return []


def _dotted(loc: Loc) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else part)
    return out


def split_url(url: str) -> tuple[str, str, str]:
    """Split a relative URL into path, query (with its ``?``) and fragment (without ``#``)."""
    url, _, fragment = url.partition("#")
    path, sep, query = url.partition("?")
    return path, sep + query, fragment
