"""Find record files and read them: the only module that touches the disk for input."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TypeVar

from pydantic import BaseModel

from .article import Article, content_hash, reading_time
from .errors import RecordError
from .frontmatter import Frontmatter, decode, split
from .models import ChangeRecord
from .validation import validate

__all__ = [
    "ArticlePage",
    "Job",
    "LoadResult",
    "Loaded",
    "Record",
    "Unread",
    "article_jobs",
    "discover",
    "discover_pages",
    "in_article_dirs",
    "load_all",
    "load_articles",
    "load_job",
    "load_record",
    "load_text",
    "read_bytes",
    "record_jobs",
]

#: Files larger than this are refused before they are parsed.
MAX_FILE_BYTES = 1024 * 1024

#: Names in a records folder that are documentation about the folder, not records.
IGNORED_NAMES = frozenset({"readme.md", "index.md"})


@dataclass(frozen=True, slots=True)
class Record:
    """A valid change record: its id, where it came from, its metadata and its body."""

    id: str
    path: str  # as shown in messages: relative to the project root, with '/'
    meta: ChangeRecord
    body: str
    source: Frontmatter = field(repr=False, compare=False)
    #: The secret scan's findings when it ran as the file was loaded; None when it did not.
    secrets: tuple[RecordError, ...] | None = field(default=None, repr=False, compare=False)


@dataclass(frozen=True, slots=True)
class ArticlePage:
    """A valid knowledge article: a page of the docs tree with its metadata."""

    uri: str  # its path under docs_dir with '/', as MkDocs names it (src_uri)
    path: str  # as shown in messages: relative to the project root
    meta: Article
    body: str
    source: Frontmatter = field(repr=False, compare=False)
    reading_time: int = 1
    hash: str = ""
    #: The secret scan's findings when it ran as the file was loaded; None when it did not.
    secrets: tuple[RecordError, ...] | None = field(default=None, repr=False, compare=False)


@dataclass(slots=True)
class LoadResult:
    """Everything that loaded, and every problem with what did not."""

    records: list[Record] = field(default_factory=list)
    errors: list[RecordError] = field(default_factory=list)
    files: int = 0
    articles: list[ArticlePage] = field(default_factory=list)


def discover(changes_dir: Path) -> list[Path]:
    """List the record files under ``changes_dir``, sorted, following no link out of it.

    Hidden files and folders, names starting with ``_``, and README.md / index.md are skipped.
    """
    return _walk_markdown(changes_dir, skip=IGNORED_NAMES)


def discover_pages(docs_dir: Path) -> list[Path]:
    """List every Markdown page under ``docs_dir`` (not hidden ones), sorted."""
    return _walk_markdown(docs_dir, skip=frozenset())


def _walk_markdown(folder: Path, *, skip: frozenset[str]) -> list[Path]:
    if not folder.is_dir():
        return []
    root = folder.resolve()
    # real path -> (the parts under ``folder``, which order the result as Paths order, and the
    # path as found); strings, not Paths, for ten thousand files.
    found: dict[str, tuple[tuple[str, ...], str]] = {}
    _scan(os.fspath(folder), (), root, skip, found)
    return [Path(path) for _, path in sorted(found.values())]


def _scan(
    folder: str,
    under: tuple[str, ...],
    root: Path,
    skip: frozenset[str],
    found: dict[str, tuple[tuple[str, ...], str]],
) -> None:
    """``os.walk(followlinks=False)``, top-down with sorted folders, in one ``scandir`` each."""
    try:
        with os.scandir(folder) as listing:
            entries = list(listing)
    except OSError:
        return
    # os.walk does not enter linked folders: only a linked file needs resolving.
    real_dir = _join(str(root), *under)
    folders = []
    for entry in entries:
        name = entry.name
        try:
            is_dir = entry.is_dir()
        except OSError:
            is_dir = False
        if is_dir:
            if not name.startswith((".", "_")) and not entry.is_symlink():
                folders.append(name)
            continue
        if not name.endswith(".md") or name.startswith((".", "_")):
            continue
        if name.lower() in skip:
            continue
        path = _join(folder, name)
        try:
            regular = entry.is_file(follow_symlinks=False)
        except OSError:
            continue
        if regular:
            found.setdefault(_join(real_dir, name), ((*under, name), path))
            continue
        real = Path(path).resolve()
        if not real.is_relative_to(root) or not real.is_file():
            continue  # a link that leaves the folder is never read
        found.setdefault(str(real), ((*under, name), path))
    for name in sorted(folders):
        _scan(_join(folder, name), (*under, name), root, skip, found)


def _join(folder: str, *names: str) -> str:
    """``os.path.join`` for names that are plain names (as ``scandir`` gives them)."""
    for name in names:
        folder = f"{folder}{name}" if folder.endswith(os.sep) else f"{folder}{os.sep}{name}"
    return folder


def record_id(path: Path) -> str:
    """A record's id is its file name without ``.md``."""
    return path.name[: -len(".md")] if path.name.endswith(".md") else path.stem


M = TypeVar("M", bound=BaseModel)


def _split_and_validate(
    model: type[M], text: str, path: str
) -> tuple[M, Frontmatter] | list[RecordError]:
    """Split ``text`` and validate its frontmatter; a file with any problem yields them all."""
    fm = split(text, path)
    if isinstance(fm, list):
        return fm
    meta = validate(model, fm, path)
    if isinstance(meta, list):
        return [*fm.problems, *fm.warnings, *meta]
    if fm.problems:
        return [*fm.problems, *fm.warnings]
    return meta, fm


def load_text(text: str, path: str, rid: str) -> Record | list[RecordError]:
    """Split and validate one record given as text (already decoded)."""
    loaded = _split_and_validate(ChangeRecord, text, path)
    if isinstance(loaded, list):
        return loaded
    meta, fm = loaded
    return Record(id=rid, path=path, meta=meta, body=fm.body, source=fm)


def load_record(
    file: Path, root: Path, *, max_bytes: int = MAX_FILE_BYTES
) -> Record | list[RecordError]:
    """Read, decode, split and validate one file; ``root`` makes the path in messages relative."""
    shown = display_path(file, root)
    text = read_text(file, shown, max_bytes=max_bytes)
    if isinstance(text, list):
        return text
    return load_text(text, shown, record_id(file))


def read_text(
    file: Path, shown: str, *, max_bytes: int = MAX_FILE_BYTES
) -> str | list[RecordError]:
    """Read and decode a file, refusing one that is too large before reading it."""
    raw = read_bytes(file, shown, max_bytes=max_bytes)
    if isinstance(raw, list):
        return raw
    text = decode(raw, shown)
    return [text] if isinstance(text, RecordError) else text


def read_bytes(
    file: Path, shown: str, *, max_bytes: int = MAX_FILE_BYTES
) -> bytes | list[RecordError]:
    """Read a file, refusing one that is too large before reading it."""
    try:
        with file.open("rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if size > max_bytes:
                return [
                    RecordError(
                        code="file.too_large",
                        file=shown,
                        line=None,
                        column=None,
                        field=None,
                        message=f"file is {size:,} bytes; the limit is {max_bytes:,}",
                        hint="move large logs or data out of the file and link to them",
                    )
                ]
            raw = fh.read()
    except OSError as exc:
        return [
            RecordError(
                code="file.unreadable",
                file=shown,
                line=None,
                column=None,
                field=None,
                message=f"cannot read file: {exc.strerror or exc}",
            )
        ]
    return raw


@dataclass(frozen=True, slots=True)
class Job:
    """One file to read: a record, or a page of the docs tree that may be an article."""

    file: Path
    shown: str  # as shown in messages: relative to the project root
    name: str  # a record's id, or an article's uri
    article: bool = False
    forced: bool = False  # an article by its folder (article_dirs), whatever its frontmatter


@dataclass(frozen=True, slots=True)
class Unread:
    """An article that could not be read: reported, but not counted as a file checked."""

    problems: list[RecordError]


#: What one file gives: a record or an article, its problems, or None for a page of the docs
#: tree that is not an article (not counted as checked).
Loaded = Record | ArticlePage | list[RecordError] | Unread | None


def record_jobs(files: list[Path], root: Path) -> list[Job]:
    """A job per record file; ``root`` makes the paths in messages relative."""
    shown = _Relative(root)
    return [Job(f, shown(f), record_id(f)) for f in files]


def article_jobs(
    docs_dir: Path, root: Path, article_dirs: list[str] | tuple[str, ...] = ()
) -> list[Job]:
    """A job per Markdown page under ``docs_dir``; pages in ``article_dirs`` are articles."""
    jobs = []
    shown, in_docs = _Relative(root), _Relative(docs_dir)
    for file in discover_pages(docs_dir):
        uri = in_docs(file)
        forced = in_article_dirs(uri, article_dirs)
        jobs.append(Job(file, shown(file), uri, article=True, forced=forced))
    return jobs


def in_article_dirs(uri: str, article_dirs: list[str] | tuple[str, ...]) -> bool:
    """True when the page ``uri`` (under docs_dir) is in one of ``article_dirs``: an article
    by its folder, whatever its frontmatter."""
    return any(uri.startswith(d.rstrip("/") + "/") for d in article_dirs)


class _Relative:
    """``display_path`` for many files under one folder, with string operations."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.cwd = str(Path.cwd())
        self.prefix = str(root.absolute()) + os.sep

    def __call__(self, file: Path) -> str:
        name = str(file)  # a Path's text is already normalised
        if not file.is_absolute():
            name = self.cwd + os.sep + name
        if name.startswith(self.prefix):
            return name[len(self.prefix) :].replace(os.sep, "/")
        return display_path(file, self.root)


def unreadable(job: Job, problems: list[RecordError]) -> Loaded:
    """What a file that could not be read gives.

    A page of the docs tree is reported only when it is an article: by its folder, or (when it
    is too large to read) by a peek at its head.
    """
    if not job.article:
        return problems
    if job.forced or (
        any(e.code == "file.too_large" for e in problems) and _head_is_article(job.file)
    ):
        return Unread(problems)
    return None


def load_job(job: Job, raw: bytes) -> Loaded:
    """Decode, split and validate one file's bytes."""
    text = decode(raw, job.shown)
    if isinstance(text, RecordError):
        return unreadable(job, [text])
    if not job.article:
        return load_text(text, job.shown, job.name)
    if not job.forced and not looks_like_article(text):
        return None
    return load_article_text(text, job.shown, job.name)


def run_jobs(jobs: list[Job], *, max_bytes: int = MAX_FILE_BYTES) -> list[Loaded]:
    """Load every job in order, in this process and without a cache."""
    out: list[Loaded] = []
    for job in jobs:
        raw = read_bytes(job.file, job.shown, max_bytes=max_bytes)
        out.append(unreadable(job, raw) if isinstance(raw, list) else load_job(job, raw))
    return out


def collect(loaded: list[Loaded]) -> LoadResult:
    """Sort what the jobs gave into records, articles and problems (with warnings)."""
    result = LoadResult()
    for item in loaded:
        if item is None:
            continue
        if isinstance(item, Unread):
            result.errors.extend(item.problems)
            continue
        result.files += 1
        if isinstance(item, list):
            result.errors.extend(item)
        elif isinstance(item, Record):
            result.records.append(item)
            result.errors.extend(item.source.warnings)
        else:
            result.articles.append(item)
            result.errors.extend(item.source.warnings)
    return result


def load_all(files: list[Path], root: Path, *, max_bytes: int = MAX_FILE_BYTES) -> LoadResult:
    """Load every file, collecting records and problems; never stops at the first problem."""
    result = collect(run_jobs(record_jobs(files, root), max_bytes=max_bytes))
    result.files = len(files)
    return result


def load_articles(
    docs_dir: Path,
    root: Path,
    article_dirs: list[str] | tuple[str, ...] = (),
    *,
    max_bytes: int = MAX_FILE_BYTES,
) -> LoadResult:
    """Load every article under ``docs_dir``: pages with ``kind: article`` or in ``article_dirs``.

    Other pages are skipped without being parsed, so a large docs tree costs little.
    """
    return collect(run_jobs(article_jobs(docs_dir, root, article_dirs), max_bytes=max_bytes))


def _head_is_article(file: Path) -> bool:
    try:
        with file.open("rb") as fh:
            head = fh.read(8192).decode("utf-8", errors="replace")
    except OSError:
        return False
    return looks_like_article(head)


_KIND_ARTICLE = re.compile(r"^kind:\s*[\"']?article[\"']?\s*(#.*)?$", re.MULTILINE)


def looks_like_article(text: str) -> bool:
    """True when the frontmatter says ``kind: article`` (read without parsing the YAML)."""
    if not text.startswith("---"):
        return False
    end = text.find("\n---", 3)
    return bool(_KIND_ARTICLE.search(text, 0, end if end != -1 else len(text)))


def load_article_text(text: str, path: str, uri: str) -> ArticlePage | list[RecordError]:
    """Split and validate one article given as text."""
    loaded = _split_and_validate(Article, text, path)
    if isinstance(loaded, list):
        return loaded
    meta, fm = loaded
    return ArticlePage(
        uri=uri,
        path=path,
        meta=meta,
        body=fm.body,
        source=fm,
        reading_time=reading_time(fm.body),
        hash=content_hash(fm.body),
    )


def display_path(file: Path, root: Path) -> str:
    """``file`` relative to ``root`` with forward slashes, or as given when outside it."""
    try:
        return PurePosixPath(file.absolute().relative_to(root.absolute())).as_posix()
    except ValueError:
        return PurePosixPath(file).as_posix()
