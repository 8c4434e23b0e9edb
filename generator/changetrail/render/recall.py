"""An in-memory memo of rendered pages for `serve`: a page whose template context is the same
as in the last generation is not rendered again.

"The same" is decided by a *fingerprint* of the context: plain values by type and value (so
``1``, ``1.0`` and ``True`` differ, as they render differently), lists, tuples, dicts and
dataclasses by their parts, and records, articles and pydantic models by identity. Identity is
enough for those: they are frozen, and the preview keeps the very same object for every file
that was not saved again (``pipeline.reload_files``). A context holding anything else (a
callable, an unknown object) is not fingerprinted, and its page is rendered as always.

The memo keeps what the last generation used: each generation starts a new table and looks in
the previous one, so the memory it holds is about one generation's pages.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
from typing import Any

from markupsafe import Markup
from pydantic import BaseModel

from ..loader import ArticlePage, Record

__all__ = ["Recall", "fingerprint"]

_ATOMS = frozenset({str, int, float, bool, type(None), dt.date, dt.datetime, dt.time})


class NoFingerprintError(TypeError):
    """A value that a fingerprint cannot stand for."""


class _Same:
    """Stands for one object by identity (and keeps it alive, so its id is not reused)."""

    __slots__ = ("obj",)

    def __init__(self, obj: object) -> None:
        self.obj = obj

    def __hash__(self) -> int:
        return id(self.obj)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, _Same) and other.obj is self.obj


def fingerprint(value: Any) -> Any:
    """A hashable value equal for two contexts exactly when they render the same.

    Raises:
        NoFingerprintError: for a value of a kind it does not know.
    """
    kind = type(value)
    if kind in _ATOMS:
        return (kind, value)
    if kind is Markup:
        return (Markup, str(value))
    if kind is tuple or kind is list:
        return (kind, tuple([fingerprint(v) for v in value]))
    if kind is dict:
        return (dict, tuple([(fingerprint(k), fingerprint(v)) for k, v in value.items()]))
    if isinstance(value, Record | ArticlePage | BaseModel):
        return _Same(value)
    if isinstance(value, enum.Enum):
        return (kind, value.value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return (
            kind,
            tuple([fingerprint(getattr(value, f.name)) for f in dataclasses.fields(value)]),
        )
    raise NoFingerprintError(kind.__name__)


class Recall:
    """Rendered pages by template and context fingerprint, kept for one more generation."""

    def __init__(self) -> None:
        self.last: dict[Any, str] = {}
        self.now: dict[Any, str] = {}
        self.hits = 0
        self.misses = 0

    def next_generation(self) -> None:
        """Start a generation: what the last one did not use is let go."""
        self.last, self.now = self.now, {}
        self.hits = self.misses = 0

    def key(self, template: str, context: dict[str, Any]) -> Any:
        """The key of a page, or None when its context has no fingerprint."""
        try:
            return (template, fingerprint(context))
        except NoFingerprintError:
            return None

    def get(self, key: Any) -> str | None:
        if key is None:
            return None
        found = self.now.get(key)
        if found is None:
            found = self.last.get(key)
            if found is not None:
                self.now[key] = found
        if found is None:
            self.misses += 1
        else:
            self.hits += 1
        return found

    def put(self, key: Any, text: str) -> None:
        if key is not None:
            self.now[key] = text
