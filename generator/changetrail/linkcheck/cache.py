"""The on-disk cache of external link results: ``url -> status, checked_at``.

A JSON file, written atomically. An unreadable or foreign file is treated as empty (a cache
must never fail a check), and entries older than the configured age are ignored.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["CacheEntry", "LinkCache"]

_VERSION = 1


@dataclass(frozen=True, slots=True)
class CacheEntry:
    """The outcome of checking one URL."""

    status: int | None  # the final HTTP status; None when no response came
    checked_at: float  # seconds since the epoch
    error: str | None = None  # "timeout" or a short transport error


class LinkCache:
    """URL results loaded from ``path``, kept fresh for ``max_age`` seconds."""

    def __init__(self, path: Path, *, max_age: float, now: float) -> None:
        self.path = path
        self.max_age = max_age
        self.now = now
        self.entries: dict[str, CacheEntry] = _read(path)

    def fresh(self, url: str) -> CacheEntry | None:
        """The cached result of ``url``, unless it is older than ``max_age``."""
        entry = self.entries.get(url)
        if entry is None or not (0 <= self.now - entry.checked_at <= self.max_age):
            return None
        return entry

    def put(self, url: str, entry: CacheEntry) -> None:
        self.entries[url] = entry

    def save(self) -> None:
        """Write the cache atomically, dropping entries too old to be used again."""
        keep = {
            url: asdict(e)
            for url, e in sorted(self.entries.items())
            if self.now - e.checked_at <= self.max_age
        }
        data = json.dumps({"version": _VERSION, "entries": keep}, indent=1, sort_keys=True)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.path.parent, prefix=".linkcache-", suffix=".tmp")
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                fh.write(data + "\n")
            os.replace(tmp, self.path)  # noqa: PTH105 - atomic rename of a str path
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)  # noqa: PTH108
            raise


def _read(path: Path) -> dict[str, CacheEntry]:
    try:
        data: Any = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(data, dict) or data.get("version") != _VERSION:
        return {}
    entries = data.get("entries")
    out: dict[str, CacheEntry] = {}
    for url, raw in entries.items() if isinstance(entries, dict) else ():
        try:
            out[str(url)] = CacheEntry(
                status=None if raw["status"] is None else int(raw["status"]),
                checked_at=float(raw["checked_at"]),
                error=None if raw.get("error") is None else str(raw["error"]),
            )
        except (KeyError, TypeError, ValueError):
            continue
    return out
