"""The build cache: results of pure steps, stored on disk under a key made of their inputs.

One SQLite file (``pages.sqlite`` in ``settings.cache_dir``) holds, for each key, a zlib-
compressed JSON value. Keys are SHA-256 digests of everything a step reads (see ``digest``), so
an entry can never be stale: a changed input is a different key. That makes the file safe to keep
between CI runs and safe to delete at any time; a build without it is a cold build, and its
output is byte-identical to a warm one (tested).

Nothing here knows MkDocs; the plugin decides which steps are pure and what their inputs are.
Values are JSON, never pickle, so a cache file from somewhere else can at worst change the HTML
of a page, not run code; it is trusted as much as the built site itself (see docs/performance.md).

SQLite is the standard library's, chosen over one file per entry: a 10,000-page build makes
20,000 entries, and one file with one transaction writes them in a fraction of a second where
20,000 small files take seconds on slow disks.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import sqlite3
import time
import zlib
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["BuildCache", "digest"]

log = logging.getLogger(__name__)

#: Bumped when the layout of the stored values changes; older files are then emptied.
SCHEMA = 1


def digest(*parts: Any) -> str:
    """A SHA-256 hex digest of ``parts`` (strings, bytes, or anything JSON can write)."""
    h = hashlib.sha256()
    for part in parts:
        if isinstance(part, bytes):
            data = part
        elif isinstance(part, str):
            data = part.encode("utf-8", "surrogatepass")
        else:
            data = json.dumps(part, sort_keys=True, ensure_ascii=False, default=str).encode()
        h.update(len(data).to_bytes(8, "little"))  # no two part lists give the same stream
        h.update(data)
    return h.hexdigest()


class BuildCache:
    """A key-value store of JSON values for one build; ``close()`` commits and prunes.

    A missing, locked or corrupt file never fails a build: the cache turns itself off (with a
    warning) and the build goes on cold.
    """

    def __init__(self, folder: Path | None) -> None:
        self.hits: dict[str, int] = {}
        self.misses: dict[str, int] = {}
        self._used: set[str] = set()
        self._pending: list[tuple[str, bytes]] = []
        self._db: sqlite3.Connection | None = None
        if folder is None:
            return
        path = folder / "pages.sqlite"
        try:
            folder.mkdir(parents=True, exist_ok=True)
            self._db = self._open(path)
        except (OSError, sqlite3.Error) as exc:
            log.warning("build cache %s is unusable (%s); building without it", path, exc)
            self._db = None

    @staticmethod
    def _open(path: Path) -> sqlite3.Connection:
        db = sqlite3.connect(path, timeout=10, isolation_level=None)
        try:
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.execute("CREATE TABLE IF NOT EXISTS meta (name TEXT PRIMARY KEY, value TEXT)")
            row = db.execute("SELECT value FROM meta WHERE name = 'schema'").fetchone()
            if row is None or row[0] != str(SCHEMA):
                db.execute("DROP TABLE IF EXISTS entries")
                db.execute("INSERT OR REPLACE INTO meta VALUES ('schema', ?)", (str(SCHEMA),))
            db.execute(
                "CREATE TABLE IF NOT EXISTS entries "
                "(key TEXT PRIMARY KEY, value BLOB NOT NULL, used REAL NOT NULL)"
            )
            db.execute("SELECT count(*) FROM entries").fetchone()  # fails now if corrupt
        except sqlite3.DatabaseError:
            db.close()
            raise
        return db

    @property
    def enabled(self) -> bool:
        return self._db is not None

    def get(self, kind: str, key: str, *, count: bool = True) -> Any:
        """The value stored under ``kind``/``key``, or ``None``; counts a hit or a miss."""
        value = None
        row = self._row("value", kind, key)
        if row is not None:
            try:
                value = json.loads(zlib.decompress(row[0]))
            except (zlib.error, ValueError) as exc:
                log.debug("build cache: unreadable entry %s:%s (%s)", kind, key, exc)
        if count:
            self._count(kind, hit=value is not None)
        if value is not None:
            self._used.add(f"{kind}:{key}")
        return value

    def has(self, kind: str, key: str) -> bool:
        """Whether an entry exists (without reading it); counts a hit or a miss."""
        found = self._row("1", kind, key) is not None
        self._count(kind, hit=found)
        return found

    def _row(self, column: str, kind: str, key: str) -> tuple[Any, ...] | None:
        """``column`` of the entry ``kind``/``key``; ``None`` when absent or unreadable."""
        if self._db is None:
            return None
        try:
            row: tuple[Any, ...] | None = self._db.execute(
                f"SELECT {column} FROM entries WHERE key = ?",  # column: a literal of this class
                (f"{kind}:{key}",),
            ).fetchone()
        except sqlite3.Error as exc:
            log.debug("build cache: unreadable entry %s:%s (%s)", kind, key, exc)
            return None
        return row

    def _count(self, kind: str, *, hit: bool) -> None:
        counter = self.hits if hit else self.misses
        counter[kind] = counter.get(kind, 0) + 1

    def put(self, kind: str, key: str, value: Any) -> None:
        """Store ``value`` (JSON-able) under ``kind``/``key``; written at ``close()``."""
        if self._db is None:
            return
        full = f"{kind}:{key}"
        data = json.dumps(value, ensure_ascii=False, separators=(",", ":")).encode()
        self._pending.append((full, zlib.compress(data, 3)))
        self._used.add(full)

    def close(self, *, prune: bool) -> None:
        """Write the new entries; with ``prune``, drop the entries this build did not use."""
        db, self._db = self._db, None
        if db is None:
            return
        now = time.time()
        try:
            with contextlib.closing(db):
                db.execute("BEGIN")
                db.executemany(
                    "INSERT OR REPLACE INTO entries VALUES (?, ?, ?)",
                    [(k, v, now) for k, v in self._pending],
                )
                db.executemany(
                    "UPDATE entries SET used = ? WHERE key = ?", [(now, k) for k in self._used]
                )
                if prune:
                    # Everything this build did not touch belongs to an older version of a page.
                    db.execute("DELETE FROM entries WHERE used < ?", (now,))
                db.execute("COMMIT")
        except sqlite3.Error as exc:
            log.warning("build cache: could not save (%s); the next build will be cold", exc)
        self._pending.clear()

    def summary(self) -> str:
        """'md 9,990 hits, 10 misses; page …' for the profile and the log."""
        kinds = sorted(set(self.hits) | set(self.misses))
        return "; ".join(
            f"{k} {self.hits.get(k, 0):,} hits, {self.misses.get(k, 0):,} misses" for k in kinds
        )
