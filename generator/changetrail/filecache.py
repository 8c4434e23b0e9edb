"""A per-file cache on disk: what reading, validating and scanning one file gave, by its bytes.

An entry is found by the file's path and a digest of its bytes and of how it was read (a record
or an article, by folder or by frontmatter); the whole cache is thrown away when the
*fingerprint* changes: changetrail's code, the Python, pydantic, PyYAML and detect-secrets
versions, or a setting that changes what one file gives (``secret_scan``). What depends on other
files or on the date (ids, references, git, review dates) is never cached.

The cache is JSON, in a few shard files written atomically (a temporary file, then
``os.replace``). Nothing in it is trusted: a CI cache can be restored from anywhere, so it is
never unpickled, and an entry is only data that goes through the same pydantic validation as a
file read from disk. A shard that cannot be read, or that another version wrote, is ignored and
rebuilt. Entries of files that are gone are dropped when the shard is written.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import os
import platform
import tempfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml

from .article import Article
from .errors import RecordError, Severity
from .frontmatter import Frontmatter, Position, decode, may_hold_todo
from .loader import ArticlePage, Job, Loaded, Record, Unread
from .models import ChangeRecord

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

    from .yamlread import Loc

__all__ = [
    "FileCache",
    "Uncacheable",
    "decode_entry",
    "encode_entry",
    "entry_digest",
    "fingerprint",
]

log = logging.getLogger(__name__)

#: Bumped when the layout of an entry changes.
FORMAT = 1
#: Entries are spread over this many shard files, by their path, so that one edited file
#: rewrites a sixteenth of the cache.
SHARDS = 16

Entry = dict[str, Any]


class Uncacheable(Exception):  # noqa: N818 - not an error: the entry is just not stored
    """A value JSON cannot hold exactly (``!!binary``, ``!!set``): the file is not cached."""


def fingerprint(*, secret_scan: bool) -> str:
    """What the cached results depend on besides the files: code, libraries, settings."""
    digest = hashlib.sha256()
    package = Path(__file__).resolve().parent
    for source in sorted(package.rglob("*.py")):
        digest.update(source.relative_to(package).as_posix().encode() + b"\0")
        digest.update(source.read_bytes() + b"\0")
    versions = [platform.python_implementation(), platform.python_version()]
    for dist in ("pydantic", "pydantic-core", "PyYAML", "detect-secrets"):
        try:
            versions.append(f"{dist}={metadata.version(dist)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{dist}=none")
    versions.append(f"libyaml={getattr(yaml, '__with_libyaml__', False)}")
    versions.append(f"secret_scan={secret_scan}")
    digest.update(json.dumps([FORMAT, versions]).encode())
    return digest.hexdigest()


def entry_digest(job: Job, raw: bytes) -> str:
    """The key of a file's entry: its bytes and how it is read."""
    digest = hashlib.sha256(raw)
    digest.update(json.dumps([job.name, job.article, job.forced]).encode())
    return digest.hexdigest()


@dataclass(slots=True)
class FileCache:
    """The entries of one project, loaded from and saved to ``folder``."""

    folder: Path
    fingerprint: str
    _shards: list[dict[str, Entry]] = field(default_factory=list)
    _changed: set[int] = field(default_factory=set)

    @classmethod
    def open(cls, folder: Path, fingerprint: str) -> FileCache:
        """Read the shards under ``folder``; an unreadable or foreign one starts empty."""
        cache = cls(folder, fingerprint)
        for i in range(SHARDS):
            cache._shards.append(cache._read_shard(i))
        return cache

    def _path(self, shard: int) -> Path:
        return self.folder / f"files-{shard:02d}.json"

    def _read_shard(self, shard: int) -> dict[str, Entry]:
        path = self._path(shard)
        try:
            with path.open("rb") as fh:
                stored = json.load(fh)
        except FileNotFoundError:
            return {}
        except (OSError, ValueError) as exc:
            log.debug("cache shard %s ignored: %s", path, exc)
            self._changed.add(shard)
            return {}
        if (
            not isinstance(stored, dict)
            or stored.get("fingerprint") != self.fingerprint
            or not isinstance(stored.get("entries"), dict)
        ):
            log.debug("cache shard %s ignored: written by another version", path)
            self._changed.add(shard)
            return {}
        entries: dict[str, Entry] = stored["entries"]
        return entries

    @staticmethod
    def _shard_of(path: str) -> int:
        return hashlib.blake2b(path.encode(), digest_size=1).digest()[0] % SHARDS

    def get(self, path: str, digest: str) -> Entry | None:
        """The entry of ``path`` when it was stored for the same digest."""
        entry = self._shards[self._shard_of(path)].get(path)
        if isinstance(entry, dict) and entry.get("digest") == digest:
            return entry
        return None

    def put(self, path: str, digest: str, entry: Entry) -> None:
        """Store ``entry`` for ``path`` (written by ``save``)."""
        shard = self._shard_of(path)
        self._shards[shard][path] = {**entry, "digest": digest}
        self._changed.add(shard)

    def save(self, keep: Iterable[str] | None) -> None:
        """Drop the entries of paths not in ``keep`` (none when None), and write the shards that
        changed."""
        wanted = None if keep is None else set(keep)
        for shard, entries in enumerate(self._shards):
            stale = [] if wanted is None else [p for p in entries if p not in wanted]
            for path in stale:
                del entries[path]
            if stale or shard in self._changed:
                self._write(shard, entries)
        self._changed.clear()

    def _write(self, shard: int, entries: dict[str, Entry]) -> None:
        path = self._path(shard)
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            if not entries:
                path.unlink(missing_ok=True)
                return
            data = {"format": FORMAT, "fingerprint": self.fingerprint, "entries": entries}
            fd, tmp = tempfile.mkstemp(dir=self.folder, prefix=".files-", suffix=".tmp")
            try:
                with os.fdopen(fd, "w", encoding="utf-8") as fh:
                    # dumps, not dump: only the one-shot encoder is the fast C one
                    fh.write(json.dumps(data, ensure_ascii=False, separators=(",", ":")))
                Path(tmp).replace(path)
            except BaseException:
                Path(tmp).unlink(missing_ok=True)
                raise
        except OSError as exc:  # a read-only checkout still checks, just without a cache
            log.debug("cache shard %s not written: %s", path, exc)


# -- entries ------------------------------------------------------------------------------------


def encode_entry(loaded: Loaded, text: str | None) -> Entry:
    """What one file gave, as JSON-able data (``text``: the file's decoded text, if it has one).

    Raises:
        Uncacheable: when the frontmatter holds a value JSON cannot hold exactly.
    """
    if loaded is None:
        return {"skip": True}
    if isinstance(loaded, Unread):
        return {"unread": _errors(loaded.problems)}
    if isinstance(loaded, list):
        return {"errors": _errors(loaded)}
    assert text is not None
    fm = loaded.source
    dates: list[list[Any]] = []
    entry: Entry = {
        "data": _value(fm.data, [], dates),
        "dates": dates,
        "positions": _pack_positions(fm.data, fm.positions),
        "warnings": _errors(fm.warnings),
        "body_at": len(text) - len(loaded.body),
        "body_line": fm.body_line,
        "start_line": fm.start_line,
        "secrets": None if loaded.secrets is None else _errors(loaded.secrets),
    }
    if isinstance(loaded, ArticlePage):
        entry["article"] = [loaded.reading_time, loaded.hash]
    return entry


def decode_entry(entry: Entry, job: Job, raw: bytes) -> Loaded:
    """Rebuild what one file (``raw``: its bytes) gave from its entry.

    The data goes through the model's validation again, as if it were read from the file.
    """
    if entry.get("skip"):
        return None
    if "unread" in entry:
        return Unread(_from_errors(entry["unread"]))
    if "errors" in entry:
        return _from_errors(entry["errors"])
    text = decode(raw, job.shown)
    assert isinstance(text, str)
    data = dict(entry["data"])  # the entry itself stays JSON (it may be written again)
    for loc, kind in entry["dates"]:
        _restore_date(data, loc, kind)
    body = text[entry["body_at"] :]
    source = Frontmatter(
        data=data,
        body=body,
        body_line=entry["body_line"],
        start_line=entry["start_line"],
        positions=_Positions(data, entry["positions"]),
        warnings=tuple(_from_errors(entry["warnings"])),
        todo=may_hold_todo(text[: entry["body_at"]]),
    )
    secrets = None if entry["secrets"] is None else tuple(_from_errors(entry["secrets"]))
    if not job.article:
        meta = ChangeRecord.model_validate(data)
        return Record(
            id=job.name, path=job.shown, meta=meta, body=body, source=source, secrets=secrets
        )
    reading, digest = entry["article"]
    return ArticlePage(
        uri=job.name,
        path=job.shown,
        meta=Article.model_validate(data),
        body=body,
        source=source,
        reading_time=reading,
        hash=digest,
        secrets=secrets,
    )


def _errors(errors: Iterable[RecordError]) -> list[list[Any]]:
    return [
        [
            *(e.code, e.file, e.line, e.column, e.field, e.message),
            *(e.expected, e.got, e.hint, e.severity.value),
        ]
        for e in errors
    ]


def _from_errors(rows: list[list[Any]]) -> list[RecordError]:
    return [
        RecordError(code, file, line, column, fld, message, expected, got, hint, Severity(severity))
        for code, file, line, column, fld, message, expected, got, hint, severity in rows
    ]


def _value(value: object, path: list[str | int], dates: list[list[Any]]) -> Any:
    """YAML data as JSON; the places of dates and datetimes (written as ISO text) in ``dates``.

    ``path`` is the place of ``value`` (a list that grows and shrinks on the way down).
    """
    kind = type(value)
    if kind is str or kind is int or value is None or kind is bool or kind is float:
        return value
    if isinstance(value, dict):
        out = {}
        for k, v in value.items():
            path.append(k)
            out[k] = _value(v, path, dates)
            path.pop()
        return out
    if isinstance(value, list):
        items = []
        for i, v in enumerate(value):
            path.append(i)
            items.append(_value(v, path, dates))
            path.pop()
        return items
    if isinstance(value, bool | int | float | str):
        return value
    if isinstance(value, dt.datetime | dt.date):
        dates.append([list(path), "t" if isinstance(value, dt.datetime) else "d"])
        return value.isoformat()
    raise Uncacheable(type(value).__name__)


def _restore_date(data: dict[str, Any], loc: list[str | int], kind: str) -> None:
    """Put the date back at ``loc``, copying the containers on the way instead of changing them."""
    parent: Any = data
    for part in loc[:-1]:
        child = parent[part]
        parent[part] = child = dict(child) if isinstance(child, dict) else list(child)
        parent = child
    text = parent[loc[-1]]
    parent[loc[-1]] = (
        dt.datetime.fromisoformat(text) if kind == "t" else dt.date.fromisoformat(text)
    )


def _walk_locs(value: object, loc: Loc, out: list[tuple[Loc, object]]) -> None:
    """Every place in the data, in the order the YAML reader records positions."""
    out.append((loc, value))
    if isinstance(value, dict):
        for k, v in value.items():
            _walk_locs(v, (*loc, k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _walk_locs(v, (*loc, i), out)


def _size(value: object) -> int:
    """How many places the data holds (itself included)."""
    if isinstance(value, dict):
        return 1 + sum(_size(v) for v in value.values())
    if isinstance(value, list):
        return 1 + sum(_size(v) for v in value)
    return 1


def _pack_positions(data: dict[str, Any], positions: Mapping[Loc, Position]) -> str:
    """Positions as one JSON text, decoded only when a message needs one.

    The places are those of the data, in order (written out only if they are not); a scalar's
    source text is left out when it is the value itself.
    """
    rows: list[str] = []
    items = iter(positions.items())
    # A row per line (JSON escapes line breaks in text): one row is read without the others.
    # The first line says where each top-level field starts.
    tops: list[int] = []
    if _rows(data, (), items, rows, tops) and next(items, None) is None:
        return "\n".join([json.dumps(tops), *rows])
    explicit = [
        [list(loc), p.line, p.column, p.key_line, p.key_column, int(p.plain), p.raw]
        for loc, p in positions.items()
    ]
    return json.dumps({"at": explicit}, ensure_ascii=False, separators=(",", ":"))


def _rows(
    value: object,
    loc: Loc,
    items: Iterator[tuple[Loc, Position]],
    rows: list[str],
    tops: list[int] | None,
) -> bool:
    """Add the rows of ``value`` and what it holds, walking the data and the positions side by
    side; False as soon as they differ (then the positions are written out with their places).

    ``tops`` (at the top only) gets the row of each top-level field.
    """
    found = next(items, None)
    if found is None or found[0] != loc:
        return False
    pos = found[1]
    # What json.dumps gives for the row of numbers (and the raw text), made directly.
    row = f"[{pos.line:d},{pos.column:d},{pos.key_line:d},{pos.key_column:d},{pos.plain:d}"
    raw = pos.raw
    if not (raw == value if isinstance(value, str) else raw is None):
        row += "," + _json_text(raw)
    rows.append(row + "]")
    if isinstance(value, dict):
        for k, v in value.items():
            if tops is not None:
                tops.append(len(rows))
            if not _rows(v, (*loc, k), items, rows, None):
                return False
    elif isinstance(value, list):
        for i, v in enumerate(value):
            if not _rows(v, (*loc, i), items, rows, None):
                return False
    return True


def _json_text(text: str | None) -> str:
    """``json.dumps(text, ensure_ascii=False)``; directly when nothing needs escaping."""
    if text is not None and text.isprintable() and '"' not in text and "\\" not in text:
        return f'"{text}"'
    return json.dumps(text, ensure_ascii=False)


class _Positions(Mapping["Loc", Position]):
    """A file's positions, unpacked from the cache when first asked for.

    A single place is found by walking only the data before it, so that a message about one
    field does not unpack the positions of all the others.
    """

    __slots__ = ("_data", "_found", "_packed", "_rows", "_tops")

    def __init__(self, data: dict[str, Any], packed: str) -> None:
        self._data = data
        self._packed = packed
        self._rows: list[str] | dict[Loc, Position] | None = None
        self._found: dict[Loc, Position | None] = {}
        self._tops: list[int] | None = None

    def _unpack(self) -> list[str] | dict[Loc, Position]:
        if self._rows is None:
            if self._packed.startswith("{"):
                self._rows = {
                    tuple(loc): Position(line, col, kline, kcol, raw, bool(plain))
                    for loc, line, col, kline, kcol, plain, raw in json.loads(self._packed)["at"]
                }
            else:
                self._rows = self._packed.split("\n")
        return self._rows

    def _position(self, packed_row: str, value: object) -> Position:
        numbers = packed_row[1:-1].split(",")
        if len(numbers) == 5 and all(n.isascii() and n.isdecimal() for n in numbers):
            # five plain numbers, the common row: read without the JSON decoder
            line, column, key_line, key_column, plain = map(int, numbers)
            raw = value if isinstance(value, str) else None
            return Position(line, column, key_line, key_column, raw, bool(plain))
        row = json.loads(packed_row)
        raw = row[5] if len(row) > 5 else value if isinstance(value, str) else None
        return Position(row[0], row[1], row[2], row[3], raw, bool(row[4]))

    def get(self, loc: Loc, default: Any = None) -> Any:  # Mapping.get, without a KeyError
        if loc not in self._found:
            self._found[loc] = self._find(loc)
        found = self._found[loc]
        return default if found is None else found

    def _find(self, loc: Loc) -> Position | None:
        rows = self._unpack()
        if isinstance(rows, dict):
            return rows.get(loc)
        index, value = 0, self._data
        for depth, part in enumerate(loc):
            index += 1
            if depth == 0 and isinstance(part, str) and part in self._data:
                if self._tops is None:
                    self._tops = json.loads(rows[0])
                index = self._tops[list(self._data).index(part)]
                value = self._data[part]
            elif isinstance(value, dict) and isinstance(part, str) and part in value:
                for key, item in value.items():
                    if key == part:
                        break
                    index += _size(item)
                value = value[part]
            elif isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
                index += sum(_size(item) for item in value[:part])
                value = value[part]
            else:
                return None
        return self._position(rows[index + 1], value)

    def __getitem__(self, loc: Loc) -> Position:
        found = self.get(loc)
        if found is None:
            raise KeyError(loc)
        return found  # type: ignore[no-any-return]

    def _all(self) -> dict[Loc, Position]:
        rows = self._unpack()
        if isinstance(rows, dict):
            return rows
        walked: list[tuple[Loc, object]] = []
        _walk_locs(self._data, (), walked)
        return {loc: self._position(row, v) for (loc, v), row in zip(walked, rows[1:], strict=True)}

    def __iter__(self) -> Iterator[Loc]:
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())
