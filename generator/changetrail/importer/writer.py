"""Write imported articles safely: idempotent, atomic, and never over a hand edit.

A manifest (``out_dir/.changetrail-import.json``, a dotfile so MkDocs does not publish it) keeps,
for each output file, the source it came from and the SHA-256 of the source text and of the text
written. A file whose content no longer matches what was written was edited by hand and is left
alone unless ``force`` is given.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Literal

from ..errors import RecordError
from ..frontmatter import decode
from .convert import parse_legacy

__all__ = [
    "MANIFEST_NAME",
    "ImportEntry",
    "ImportReport",
    "ManifestEntry",
    "import_legacy",
    "read_manifest",
]

MANIFEST_NAME = ".changetrail-import.json"

Action = Literal["created", "updated", "unchanged", "skipped", "failed"]
ACTIONS: tuple[Action, ...] = ("created", "updated", "unchanged", "skipped", "failed")
_DRY_VERBS = {"created": "would create", "updated": "would update"}


@dataclass(frozen=True, slots=True)
class ManifestEntry:
    """What the importer knows about one file it wrote."""

    source: str
    source_sha256: str
    output_sha256: str


@dataclass(frozen=True, slots=True)
class ImportEntry:
    """What happened (or would happen) to one input."""

    source: str
    action: Action
    output: str | None = None
    reason: str | None = None
    errors: tuple[RecordError, ...] = ()

    def line(self, *, dry_run: bool = False) -> str:
        """One line for the log: ``created docs/imported/x.md <- a.txt``."""
        if self.action == "failed":
            return "failed " + _describe(self.errors, self.source)
        verb = _DRY_VERBS.get(self.action, self.action) if dry_run else self.action
        text = f"{verb} {self.output} <- {self.source}"
        return f"{text} ({self.reason})" if self.reason else text


@dataclass(frozen=True, slots=True)
class ImportReport:
    """One entry per input, in the order given."""

    entries: tuple[ImportEntry, ...] = ()
    dry_run: bool = False
    #: Set when the manifest could not be written (the articles may have been).
    manifest_error: RecordError | None = None

    @property
    def failed(self) -> bool:
        return self.manifest_error is not None or any(e.action == "failed" for e in self.entries)

    def counts(self) -> dict[Action, int]:
        return {a: sum(e.action == a for e in self.entries) for a in ACTIONS}

    def summary(self) -> str:
        """``3 files: 1 created, 1 unchanged, 1 skipped, 0 failed`` ("updated" when there are)."""
        counts = self.counts()
        n = len(self.entries)
        parts = [f"{counts[a]} {a}" for a in ACTIONS if a != "updated" or counts[a]]
        text = f"{n} file{'s' * (n != 1)}: " + ", ".join(parts)
        return text + " (dry run: nothing written)" if self.dry_run else text

    def lines(self) -> list[str]:
        """One line per input, then the summary."""
        lines = [e.line(dry_run=self.dry_run) for e in self.entries]
        if self.manifest_error is not None:
            lines.append("failed " + _describe((self.manifest_error,), ""))
        return [*lines, self.summary()]


def _describe(errors: tuple[RecordError, ...], source: str) -> str:
    if not errors:
        return source
    first = errors[0]
    where = f"{first.file}:{first.line}" if first.line is not None else first.file
    text: str = where + first.format_text().split("\n")[0][len(first.location()) :]
    return text + (f" (+{len(errors) - 1} more)" if len(errors) > 1 else "")


@dataclass(slots=True)
class _Run:
    out_dir: Path
    dry_run: bool
    force: bool
    manifest: dict[str, ManifestEntry]
    updated: dict[str, ManifestEntry] = field(default_factory=dict)
    claimed: dict[str, str] = field(default_factory=dict)


def import_legacy(
    paths: list[Path], out_dir: Path, *, dry_run: bool = False, force: bool = False
) -> ImportReport:
    """Import exports of the old site as articles in ``out_dir``, one ``<slug>.md`` per input.

    Args:
        paths: the export files, imported in this order.
        out_dir: where the articles go (e.g. ``docs/imported``); created when needed.
        dry_run: report what would happen, write nothing.
        force: overwrite files edited by hand or not written by the importer.

    Returns:
        The report; a malformed input is a ``failed`` entry and the others are still imported.
    """
    run = _Run(out_dir, dry_run, force, read_manifest(out_dir))
    entries = tuple(_import_one(path, run) for path in paths)
    merged = {**run.manifest, **run.updated}
    problem = None
    if not dry_run and merged != run.manifest:
        problem = _write_manifest(out_dir, merged)
    return ImportReport(entries=entries, dry_run=dry_run, manifest_error=problem)


def _import_one(path: Path, run: _Run) -> ImportEntry:
    shown = path.as_posix()
    text = _read_source(path, shown)
    if isinstance(text, RecordError):
        return ImportEntry(shown, "failed", errors=(text,))
    article = parse_legacy(text, shown)
    if isinstance(article, list):
        return ImportEntry(shown, "failed", errors=tuple(article))
    name = article.filename
    output = (run.out_dir / name).as_posix()
    if name in run.claimed:
        why = f"{run.claimed[name]} has the same title and is imported first"
        return ImportEntry(shown, "skipped", output, why)
    run.claimed[name] = shown
    rendered = article.render().encode("utf-8")
    record = ManifestEntry(shown, _sha256(text.encode("utf-8")), _sha256(rendered))
    target = run.out_dir / name
    try:
        current = target.read_bytes() if target.is_file() else None
    except OSError as exc:
        problem = _io_error("file.unreadable", output, f"cannot read: {exc.strerror or exc}")
        return ImportEntry(shown, "failed", output, errors=(problem,))
    if current == rendered:
        run.updated[name] = record
        return ImportEntry(shown, "unchanged", output)
    reason = None if current is None else _edited(run.manifest.get(name), current, shown)
    if reason and not run.force:
        return ImportEntry(shown, "skipped", output, reason + "; use --force")
    if not run.dry_run and (failure := _write_atomic(target, rendered, output)) is not None:
        return ImportEntry(shown, "failed", output, errors=(failure,))
    run.updated[name] = record
    return ImportEntry(shown, "created" if current is None else "updated", output)


def _edited(known: ManifestEntry | None, current: bytes, source: str) -> str | None:
    """Why an existing output must not be overwritten, or None when it is ours to replace."""
    if known is None:
        return "exists and was not written by the importer"
    if _sha256(current) != known.output_sha256:
        return "edited since import"
    if known.source != source:
        return f"imported from {known.source}"
    return None


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _read_source(path: Path, shown: str) -> str | RecordError:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        return _io_error("file.unreadable", shown, f"cannot read file: {exc.strerror or exc}")
    return decode(raw, shown)


def _io_error(code: str, shown: str, message: str) -> RecordError:
    return RecordError(code=code, file=shown, line=None, column=None, field=None, message=message)


def read_manifest(out_dir: Path) -> dict[str, ManifestEntry]:
    """The manifest of ``out_dir``; empty when absent or unreadable (then nothing is overwritten)."""
    try:
        data = json.loads((out_dir / MANIFEST_NAME).read_text(encoding="utf-8"))
        return {name: ManifestEntry(**entry) for name, entry in data["files"].items()}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _write_manifest(out_dir: Path, manifest: dict[str, ManifestEntry]) -> RecordError | None:
    data = {
        "version": 1,
        "files": {name: asdict(manifest[name]) for name in sorted(manifest)},
    }
    text = json.dumps(data, indent=2, ensure_ascii=False, sort_keys=True) + "\n"
    path = out_dir / MANIFEST_NAME
    return _write_atomic(path, text.encode("utf-8"), path.as_posix())


def _write_atomic(target: Path, data: bytes, shown: str) -> RecordError | None:
    """Write to a temporary file beside ``target``, then rename it over ``target``."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        mode = stat.S_IMODE(target.stat().st_mode) if target.exists() else 0o644
        fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=f".{target.name}.", suffix=".tmp")
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                fh.flush()
                os.fsync(fh.fileno())
            Path(tmp).chmod(mode)
            Path(tmp).replace(target)
        except BaseException:
            with contextlib.suppress(OSError):
                Path(tmp).unlink()
            raise
    except OSError as exc:
        return _io_error("file.unwritable", shown, f"cannot write {target}: {exc.strerror or exc}")
    return None
