"""discover -> load -> catalog -> check: the read-everything half, shared by CLI and plugin.

Each file is read, validated and scanned for secrets on its own (its results cached on disk by
``filecache``, and, when many files are not in the cache, on every core); what depends on
other files or on the date is checked afterwards, every run.
"""

from __future__ import annotations

import contextlib
import functools
import gc
import logging
import multiprocessing
import os
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from .catalog import Catalog, build_catalog
from .checks import run_checks
from .errors import RecordError, RecordErrors, Severity
from .filecache import (
    Entry,
    FileCache,
    Uncacheable,
    decode_entry,
    encode_entry,
    entry_digest,
    fingerprint,
)
from .frontmatter import decode
from .loader import (
    ArticlePage,
    Job,
    Loaded,
    Record,
    article_jobs,
    collect,
    discover,
    load_job,
    read_bytes,
    record_id,
    record_jobs,
    unreadable,
)

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterator
    from pathlib import Path

    from .secretscan import SecretScanner
    from .settings import Settings

log = logging.getLogger(__name__)

#: Below this many files to read (not found in the cache), one process does all the work:
#: starting the others costs more than it saves.
PARALLEL_MIN = 400

__all__ = ["Project", "load_one", "load_project", "paused_gc", "reload_files"]


@dataclass(frozen=True, slots=True)
class Project:
    """Everything read from a project: the catalog of valid records and every problem found."""

    root: Path
    settings: Settings
    catalog: Catalog
    errors: tuple[RecordError, ...]
    files: int
    #: The part of ``errors`` each file gave on its own (reading, validation, secrets loaded
    #: with it); the rest comes from checks across files (``reload_files`` keeps these apart).
    file_errors: tuple[RecordError, ...] = ()

    @property
    def failed(self) -> bool:
        return any(e.severity is Severity.ERROR for e in self.errors)

    def raise_for_errors(self) -> None:
        """Raise ``RecordErrors`` carrying every problem when any is an error."""
        if self.failed:
            raise RecordErrors(self.errors, self.files)


def load_project(
    root: Path,
    settings: Settings,
    *,
    files: list[Path] | None = None,
    docs_dir: Path | None = None,
    today: dt.date | None = None,
) -> Project:
    """Read and check every record of the project rooted at ``root``.

    Args:
        root: the folder of mkdocs.yml; ``settings.changes_dir`` is relative to it.
        settings: the plugin options.
        files: the record files to read; by default every record under ``changes_dir``.
        docs_dir: the docs folder whose articles to read; none when not given.
        today: the date used for "in the future" (the local date by default).

    Returns:
        The project, with problems collected rather than raised.
    """
    with paused_gc():
        return _load_project(root, settings, files=files, docs_dir=docs_dir, today=today)


@contextlib.contextmanager
def paused_gc() -> Iterator[None]:
    """No cyclic garbage collection inside: the loading makes millions of objects that all
    live on (the cache's JSON, the records), and each collection would walk every one of them
    again, for nothing (a third of a warm check on 10,000 files).
    """
    if not gc.isenabled():
        yield
        return
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def _load_project(
    root: Path,
    settings: Settings,
    *,
    files: list[Path] | None,
    docs_dir: Path | None,
    today: dt.date | None,
) -> Project:
    if files is None:
        files = discover(root / settings.changes_dir)
    jobs = record_jobs(files, root)
    if docs_dir:
        jobs += article_jobs(docs_dir, root, settings.article_dirs)
    results = load_files(jobs, root, settings)
    loaded = collect(results[: len(files)])
    loaded.files = len(files)
    articles = collect(results[len(files) :])
    catalog = build_catalog(
        loaded.records,
        known_ids=frozenset(record_id(f).lower() for f in files),
        articles=articles.articles,
    )
    errors = [*loaded.errors, *articles.errors, *run_checks(catalog, settings, today=today)]
    return Project(
        root=root,
        settings=settings,
        catalog=catalog,
        errors=tuple(sorted(errors, key=RecordError.sort_key)),
        files=loaded.files + articles.files,
        file_errors=(*loaded.errors, *articles.errors),
    )


def reload_files(
    project: Project,
    *,
    records: dict[str, Loaded],
    pages: dict[str, Loaded],
    today: dt.date | None = None,
) -> Project:
    """``project`` with some files read again (a preview's saves), without reading the rest.

    Args:
        project: from ``load_project`` (or from this function).
        records: for each record file read again, by its path as shown in messages, what it
            gives now (``load_one``); None when it was deleted.
        pages: the same for pages of the docs tree; None when deleted or not an article.
        today: the date used for "in the future", as for ``load_project``.

    Returns:
        The project as ``load_project`` would read it; the checks across files run again.
    """
    with paused_gc():
        changed = {**records, **pages}
        old = project.catalog
        before = {r.path for r in old.records} | {a.path for a in old.articles}
        before |= {e.file for e in project.file_errors}
        fresh = collect(list(changed.values()))
        kept_records = [r for r in old.records if r.path not in changed]
        articles = [a for a in old.articles if a.path not in changed] + fresh.articles
        articles.sort(key=lambda a: a.path.split("/"))  # as discover_pages orders them
        file_errors = [e for e in project.file_errors if e.file not in changed]
        file_errors += fresh.errors
        known = set(old.known_ids)
        for path, item in records.items():
            rid = record_id(project.root / path).lower()
            if item is None:
                known.discard(rid)
            else:
                known.add(rid)
        catalog = build_catalog(
            [*kept_records, *fresh.records], known_ids=frozenset(known), articles=articles
        )
        checks = run_checks(catalog, project.settings, today=today)
        gone = sum(1 for path in changed if path in before)
        return replace(
            project,
            catalog=catalog,
            errors=tuple(sorted([*file_errors, *checks], key=RecordError.sort_key)),
            files=project.files - gone + fresh.files,
            file_errors=tuple(file_errors),
        )


def load_one(job: Job, root: Path, settings: Settings) -> Loaded:
    """One file read and checked on its own, as ``load_files`` would (without the cache)."""
    raw = read_bytes(job.file, job.shown, max_bytes=settings.limits.file_bytes)
    if isinstance(raw, list):
        return unreadable(job, raw)
    with _scanner() if settings.secret_scan else contextlib.nullcontext() as scanner:
        return _load_one(job, raw, scanner)


def load_files(
    jobs: list[Job], root: Path, settings: Settings, *, prune: bool = True
) -> list[Loaded]:
    """Read, validate and (with ``secret_scan``) scan every file; results in the jobs' order.

    Results come from the cache under ``settings.cache_dir`` when the file's bytes are the
    same; the others are worked out here, or on every core when there are many. With
    ``prune`` (``jobs`` are every file of the project) the cache drops the entries of other
    files; without, it keeps them.
    """
    cache = _open_cache(root, settings)
    results: list[Loaded] = [None] * len(jobs)
    todo: list[tuple[int, bytes, str]] = []
    for i, job in enumerate(jobs):
        raw = read_bytes(job.file, job.shown, max_bytes=settings.limits.file_bytes)
        if isinstance(raw, list):
            results[i] = unreadable(job, raw)
            continue
        digest = entry_digest(job, raw) if cache else ""
        entry = cache.get(job.shown, digest) if cache else None
        if entry is not None:
            try:
                results[i] = decode_entry(entry, job, raw)
                continue
            except Exception as exc:  # a cache is only a hint: read the file instead
                log.debug("cache entry of %s ignored: %r", job.shown, exc)
        todo.append((i, raw, digest))
    batch = [(jobs[i], raw) for i, raw, _ in todo]
    for (i, raw, digest), entry in zip(
        todo, _work_out(batch, scan=settings.secret_scan), strict=True
    ):
        job = jobs[i]
        if entry is None:  # not cacheable: the live result
            with _scanner() if settings.secret_scan else contextlib.nullcontext() as scanner:
                results[i] = _load_one(job, raw, scanner)
            continue
        results[i] = decode_entry(entry, job, raw)
        if cache:
            cache.put(job.shown, digest, entry)
    if cache:
        cache.save([job.shown for job in jobs] if prune else None)
    return results


def _open_cache(root: Path, settings: Settings) -> FileCache | None:
    if not settings.cache:
        return None
    return FileCache.open(root / settings.cache_dir, fingerprint(secret_scan=settings.secret_scan))


def _work_out(batch: list[tuple[Job, bytes]], *, scan: bool) -> Iterator[Entry | None]:
    """The entries of the files in ``batch``, in order; on every core when there are many."""
    workers = os.cpu_count() or 1
    if len(batch) < PARALLEL_MIN or workers < 2:
        yield from work(batch, scan=scan)
        return
    # Forking a process with threads (``serve``) can deadlock; start fresh ones then.
    method = "fork" if threading.active_count() == 1 else "spawn"
    if method not in multiprocessing.get_all_start_methods():
        method = "spawn"
    size = -(-len(batch) // (workers * 4))
    chunks = [batch[i : i + size] for i in range(0, len(batch), size)]
    done = 0
    try:
        with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context(method)) as pool:
            for entries in pool.map(functools.partial(work, scan=scan), chunks):
                done += 1
                yield from entries
    except (BrokenProcessPool, OSError) as exc:
        log.debug("working on one core: %r", exc)
        for chunk in chunks[done:]:
            yield from work(chunk, scan=scan)


def work(batch: list[tuple[Job, bytes]], *, scan: bool) -> list[Entry | None]:
    """Read, validate and scan files; an entry each (None when it cannot be cached)."""
    out: list[Entry | None] = []
    with _scanner() if scan else contextlib.nullcontext() as scanner:
        for job, raw in batch:
            loaded = _load_one(job, raw, scanner)
            text = decode(raw, job.shown)
            try:
                out.append(encode_entry(loaded, text if isinstance(text, str) else None))
            except Uncacheable:
                out.append(None)
    return out


def _scanner() -> SecretScanner:
    from .secretscan import SecretScanner

    return SecretScanner()


def _load_one(job: Job, raw: bytes, scanner: SecretScanner | None) -> Loaded:
    """One file's result, with its secret-scan findings when ``scanner`` is given."""
    loaded = load_job(job, raw)
    if scanner is None or not isinstance(loaded, Record | ArticlePage):
        return loaded
    text = decode(raw, job.shown)
    source = text if isinstance(text, str) else None
    return replace(loaded, secrets=tuple(scanner.scan(loaded, lambda: source)))
