"""Split a Markdown file into YAML frontmatter and body, keeping the line of every value.

Pure: text in, ``Frontmatter`` or a list of ``RecordError`` out. The YAML is read with PyYAML's safe
loader (libyaml's when present), composed into nodes first so that each field knows the line and
column it came from, and refused when it uses aliases (alias bombs) or repeats a key.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any

from frontmatter.default_handlers import YAMLHandler

from .errors import RecordError, located
from .yamlread import Loc, Position, read_mapping

__all__ = ["Frontmatter", "Loc", "Position", "decode", "may_hold_todo", "split"]


# The same boundary python-frontmatter uses: a line of three or more dashes.
_BOUNDARY: re.Pattern[str] = YAMLHandler.FM_BOUNDARY
# "=======" alone is also a setext heading underline, so only the outer markers count.
_CONFLICT = re.compile(r"^(<{7}|>{7})( |$)", re.MULTILINE)


@dataclass(frozen=True, slots=True)
class Frontmatter:
    """A split file: the metadata, the Markdown body and where each value came from."""

    data: dict[str, Any]
    body: str
    body_line: int
    start_line: int
    positions: Mapping[Loc, Position] = field(default_factory=dict)
    #: Problems found and worked around while reading (tabs in indentation), so that the rest
    #: of the file could still be checked. The file is not valid while any is present.
    problems: tuple[RecordError, ...] = ()
    #: Worth telling but not wrong; they do not make the file invalid.
    warnings: tuple[RecordError, ...] = ()
    #: False when the YAML text cannot give a value holding ``TODO`` (see ``may_hold_todo``),
    #: so that the placeholder check need not walk the data.
    todo: bool = True

    def position(self, loc: Loc) -> Position | None:
        """Return the position of ``loc``, or of its nearest parent that has one."""
        while loc:
            pos = self.positions.get(loc)
            if pos is not None:
                return pos
            loc = loc[:-1]
        return None


def decode(raw: bytes, path: str) -> str | RecordError:
    """Decode a file's bytes as UTF-8 (a BOM is allowed) and normalise line ends to ``\\n``."""
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        col = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        hint = "save the file as UTF-8"
        if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
            hint = "the file looks like UTF-16; save it as UTF-8"
        return RecordError(
            code="encoding",
            file=path,
            line=line,
            column=col,
            field=None,
            message="file is not valid UTF-8",
            expected="UTF-8 text",
            got=f"byte 0x{raw[exc.start]:02x}",
            hint=hint,
        )
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")


def split(text: str, path: str) -> Frontmatter | list[RecordError]:
    """Split ``text`` (already decoded) into frontmatter and body.

    Args:
        text: the whole file, with ``\\n`` line ends.
        path: the file's path as it should appear in messages.

    Returns:
        The parsed frontmatter, or the problems that stopped it being read.
    """
    if not text.strip():
        return [located(path, 1, 1, "empty", "file is empty", hint=_TEMPLATE_HINT)]
    lines = text.split("\n")
    if conflict := _CONFLICT.search(text):
        line = text.count("\n", 0, conflict.start()) + 1
        return [
            located(
                path,
                line,
                1,
                "merge_conflict",
                "file contains a merge-conflict marker",
                got=repr(lines[line - 1][:20]),
                hint="resolve the conflict and remove the <<<<<<<, ======= and >>>>>>> lines",
            )
        ]
    if not _BOUNDARY.fullmatch(lines[0]):
        return [_no_frontmatter(lines, path)]
    if nul := text.find("\x00") + 1:
        line = text.count("\n", 0, nul - 1) + 1
        return [
            located(
                path,
                line,
                nul - text.rfind("\n", 0, nul - 1) - 1,
                "file.nul",
                "file contains a NUL character",
                hint="the file is probably binary or was saved in a wrong encoding",
            )
        ]
    # A closing '...' ends a YAML document too; MkDocs accepts it, so do we.
    close = next(
        (i for i in range(1, len(lines)) if _BOUNDARY.fullmatch(lines[i]) or lines[i] == "..."),
        None,
    )
    if close is None:
        return [
            located(
                path,
                1,
                1,
                "frontmatter.unclosed",
                "frontmatter that starts on line 1 is never closed",
                expected="a line '---' after the last field",
                hint="add a line '---' between the fields and the Markdown body",
            )
        ]
    fm_text = "\n".join(lines[1:close]) + "\n"  # a last block scalar keeps its newline
    body = "\n".join(lines[close + 1 :])
    if not fm_text.strip():
        return [
            located(path, 1, 1, "frontmatter.empty", "frontmatter is empty", hint=_TEMPLATE_HINT)
        ]
    return _parse(fm_text, body, close + 2, path)


def _parse(fm_text: str, body: str, body_line: int, path: str) -> Frontmatter | list[RecordError]:
    doc = read_mapping(fm_text, path)
    if isinstance(doc, list):
        return [_ran_into_body(err, fm_text, body_line) for err in doc]
    return Frontmatter(
        data=doc.data,
        body=body,
        body_line=body_line,
        start_line=1,
        positions=doc.positions,
        problems=doc.problems,
        warnings=doc.warnings,
        todo=may_hold_todo(fm_text),
    )


def may_hold_todo(yaml_text: str) -> bool:
    """Whether a value read from ``yaml_text`` may hold ``TODO``.

    Without an escape (a backslash) YAML only gives back characters it was written with, so a
    text without ``TODO`` in it gives no value with ``TODO`` in it.
    """
    return "TODO" in yaml_text or "\\" in yaml_text


def _ran_into_body(err: RecordError, fm_text: str, body_line: int) -> RecordError:
    """Add a hint when the closing '---' seems missing and a rule in the body ended the YAML."""
    if not err.code.startswith(("yaml.syntax", "frontmatter.not_mapping")):
        return err
    prose = [
        i + 2
        for i, line in enumerate(fm_text.split("\n"))
        if line.strip() and ":" not in line and not line.lstrip().startswith(("-", "#"))
    ]
    # Only when fields come first and prose before (or at) the error: then the body, not the
    # YAML, is the cause.
    if not prose or (err.line is not None and prose[0] > err.line):
        return err
    if not any(":" in line for line in fm_text.split("\n")[: prose[0] - 2]):
        return err
    return replace(
        err,
        hint=f"line {prose[0]} looks like text, not a field: is the closing '---' after the "
        f"fields missing? The '---' on line {body_line - 1} was read as the end",
    )


_TEMPLATE_HINT = "run 'changetrail new \"TITLE\"' to start from a complete template"


def _no_frontmatter(lines: list[str], path: str) -> RecordError:
    first = next(i for i, line in enumerate(lines) if line.strip())
    if _BOUNDARY.fullmatch(lines[first].strip()):
        hint = f"remove what comes before the '---' on line {first + 1}; it must be the first line"
    else:
        hint = "did you forget to add '---'? The file starts with '---', its fields, then '---'"
    return located(
        path,
        first + 1,
        1,
        "frontmatter.missing",
        "file has no frontmatter",
        expected="'---' on the first line",
        got=repr(lines[first][:40]),
        hint=hint,
    )
