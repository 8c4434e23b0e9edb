"""One error shape for every stage, and the ways to print it.

Stages never raise for a problem in a user's file: they return ``RecordError`` values, and only
the front doors (CLI, plugin) turn a non-empty list into a failure.
"""

from __future__ import annotations

import difflib
import enum
import json
from dataclasses import asdict, dataclass, field
from typing import Any

__all__ = [
    "ChangetrailError",
    "ConfigError",
    "RecordError",
    "RecordErrors",
    "Severity",
    "close_match_hint",
    "format_errors",
    "located",
    "show_value",
]

#: How much of a bad value an error message quotes.
MAX_SHOWN = 80


class Severity(enum.StrEnum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True)
class RecordError:
    """One problem in one file, with everything a person needs to fix it."""

    code: str
    file: str
    line: int | None
    column: int | None
    field: str | None
    message: str
    expected: str | None = None
    got: str | None = None
    hint: str | None = None
    severity: Severity = Severity.ERROR

    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.file, self.line or 0, self.column or 0, self.field or "", self.code)

    def location(self) -> str:
        parts = [self.file]
        if self.line is not None:
            parts.append(str(self.line))
            if self.column is not None:
                parts.append(str(self.column))
        return ":".join(parts)

    def format_text(self) -> str:
        """Render like a compiler: ``path:line:col: field: message``, then detail lines."""
        head = f"{self.location()}: "
        if self.severity is Severity.WARNING:
            head += "warning: "
        if self.field:
            head += f"{self.field}: "
        message = self.message
        if self.expected is not None and "expected" not in message:
            message += f"; expected {self.expected}"
        if self.got is not None and "got " not in message:
            message += f"; got {self.got}"
        lines = [head + message]
        if self.hint:
            lines.append(f"  hint: {self.hint}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        data = asdict(self)
        data["severity"] = str(self.severity)
        return data

    def format_github(self) -> str:
        """Render as a GitHub Actions workflow command (an annotation on the file and line)."""
        level = "warning" if self.severity is Severity.WARNING else "error"
        props = [f"file={_gh_prop(self.file)}"]
        if self.line is not None:
            props.append(f"line={self.line}")
        if self.column is not None:
            props.append(f"col={self.column}")
        title = f"changetrail {self.code}" + (f" ({self.field})" if self.field else "")
        props.append(f"title={_gh_prop(title)}")
        detail = self.format_text().split(": ", 1)[1].removeprefix("warning: ")
        return f"::{level} {','.join(props)}::{_gh_data(detail)}"


def _gh_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _gh_prop(text: str) -> str:
    return _gh_data(text).replace(":", "%3A").replace(",", "%2C")


FORMATS = ("text", "json", "github")


def format_errors(errors: list[RecordError] | tuple[RecordError, ...], fmt: str = "text") -> str:
    """Render a list of errors in one of ``text``, ``json`` or ``github``.

    Args:
        errors: the problems, in any order; they are sorted by file, line and column.
        fmt: the output format.

    Returns:
        The whole report as one string, without a trailing newline.
    """
    ordered = sorted(errors, key=RecordError.sort_key)
    if fmt == "json":
        return json.dumps([e.as_json() for e in ordered], indent=2, ensure_ascii=False)
    if fmt == "github":
        return "\n".join(e.format_github() for e in ordered)
    return "\n".join(e.format_text() for e in ordered)


def summarize(errors: list[RecordError] | tuple[RecordError, ...], files: int) -> str:
    """Say how many problems were found in how many files."""
    n_err = sum(e.severity is Severity.ERROR for e in errors)
    n_warn = len(errors) - n_err
    bad_files = len({e.file for e in errors})
    parts = [f"{n_err} error{'s' * (n_err != 1)}"]
    if n_warn:
        parts.append(f"{n_warn} warning{'s' * (n_warn != 1)}")
    checked = f"{files} file{'s' * (files != 1)} checked"
    return f"{', '.join(parts)} in {bad_files} of {checked}"


def show_value(value: object) -> str:
    """Quote a found value for a message: repr-like, control characters escaped, cut to 80 chars."""
    if isinstance(value, str):
        text = value
    elif value is None:
        return "nothing (null)"
    elif isinstance(value, bool):
        return "true" if value else "false"
    elif isinstance(value, (dict, list)):
        text = json.dumps(value, default=str, ensure_ascii=False)
    else:
        return str(value)
    # Nothing to escape is the common case: then no loop over the characters.
    plain = text.isprintable() and "'" not in text and "\\" not in text
    shown = text if plain else _escaped(text)
    if len(shown) > MAX_SHOWN:
        shown = shown[: MAX_SHOWN - 1] + "…"
    return f"'{shown}'" if isinstance(value, str) else shown


def _escaped(text: str) -> str:
    out = []
    for ch in text:
        if ch == "'":
            out.append("\\'")
        elif ch == "\\":
            out.append("\\\\")
        elif ch.isprintable() or ch == " ":
            out.append(ch)
        else:
            out.append(ch.encode("unicode_escape").decode("ascii"))
    return "".join(out)


def located(
    path: str,
    line: int,
    column: int,
    code: str,
    message: str,
    *,
    expected: str | None = None,
    got: str | None = None,
    hint: str | None = None,
    severity: Severity = Severity.ERROR,
    field: str | None = None,
) -> RecordError:
    """A problem at a place in a file (``field`` names the frontmatter field, when one does)."""
    return RecordError(
        code=code,
        file=path,
        line=line,
        column=column,
        field=field,
        message=message,
        expected=expected,
        got=got,
        hint=hint,
        severity=severity,
    )


def close_match_hint(word: str, choices: list[str] | tuple[str, ...]) -> str | None:
    """Return ``did you mean 'x'?`` for the nearest choice, or ``None`` when nothing is near."""
    matches = difflib.get_close_matches(word, list(choices), n=1, cutoff=0.6)
    if not matches:
        matches = difflib.get_close_matches(word.lower(), [c.lower() for c in choices], n=1)
        matches = [c for c in choices if matches and c.lower() == matches[0]]
    return f"did you mean '{matches[0]}'?" if matches else None


class ChangetrailError(Exception):
    """The root of every error changetrail raises on purpose."""


class ConfigError(ChangetrailError):
    """The configuration (mkdocs.yml plugin options, CLI arguments) is wrong."""


@dataclass(eq=False)
class RecordErrors(ChangetrailError):  # noqa: N818 - a collection, named as in STYLE.md
    """One or more problems in records; the front doors print them all."""

    errors: tuple[RecordError, ...] = field(default_factory=tuple)
    files: int = 0

    def __post_init__(self) -> None:
        super().__init__(self.__str__())

    def __str__(self) -> str:
        report = format_errors(self.errors)
        return f"{report}\n{summarize(self.errors, self.files)}"
