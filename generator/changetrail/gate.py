"""The pull-request gate: what changed since a revision, and whether a change record came with it.

``changed_paths`` is the only part that runs git. It compares the merge base of the revision and
``HEAD`` (what ``git diff REV...HEAD`` compares) with two states of the repository:

* the index: the commits since the base plus staged changes, which is what a pull request or the
  commit being made carries. ``require_record`` judges this.
* the working tree, untracked files included: what is on disk. ``select_changed`` checks this, so
  that ``check --changed-since`` checks the files as you see them.

In CI the two are the same (a clean checkout). In a pre-commit hook (``--changed-since HEAD``) the
index is exactly what is being committed.
"""

from __future__ import annotations

import subprocess
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

import pathspec

from .catalog import build_catalog
from .checks import run_checks
from .errors import ConfigError, RecordError
from .loader import (
    IGNORED_NAMES,
    Job,
    collect,
    display_path,
    in_article_dirs,
    record_id,
    record_jobs,
)
from .pipeline import Project, load_files

if TYPE_CHECKING:
    import datetime as dt

    from .settings import Settings

__all__ = [
    "ChangedPaths",
    "Selection",
    "changed_paths",
    "default_code_globs",
    "load_selected",
    "require_record",
    "select_changed",
]

#: How many code paths the gate's message names before it only counts the rest.
SHOWN_PATHS = 5

_NEW_RECORD = 'changetrail new "TITLE" --from-commit HEAD'
_SHALLOW_HINT = (
    "the history may be missing: CI checkouts are shallow by default; with actions/checkout "
    "set 'fetch-depth: 0', or run 'git fetch --unshallow'"
)


@dataclass(frozen=True, slots=True)
class ChangedPaths:
    """Files that differ from a base commit, by path relative to the repository's top folder.

    Each mapping gives git's status letter: ``A`` added, ``M`` modified, ``D`` deleted, ``T``
    type changed (renames are reported as a deletion and an addition).
    """

    toplevel: Path
    since: str
    base: str  # the commit compared against: the merge base of ``since`` and HEAD
    #: Base against the index: the commits since the base and the staged changes.
    staged: Mapping[str, str] = field(default_factory=dict)
    #: Base against the working tree, untracked files (not ignored) included as ``A``.
    on_disk: Mapping[str, str] = field(default_factory=dict)

    def repo_path(self, path: Path) -> str | None:
        """``path`` relative to the top folder, with '/', or None when outside the repository."""
        try:
            return path.resolve().relative_to(self.toplevel).as_posix()
        except ValueError:
            return None


@dataclass(frozen=True, slots=True)
class Selection:
    """What ``check --changed-since`` reads: changed records and pages, and every record id."""

    records: tuple[Path, ...] = ()
    pages: tuple[Path, ...] = ()
    #: Lower-cased ids of every record file, changed or not: ``related`` resolves against them.
    known_ids: frozenset[str] = frozenset()
    #: Set when everything must be checked (the configuration changed), with the reason.
    full: str | None = None

    @property
    def empty(self) -> bool:
        return not (self.records or self.pages or self.full)


def changed_paths(repo: Path, since: str) -> ChangedPaths:
    """Ask git what changed between ``since`` and now (see the module's docstring).

    Args:
        repo: any folder inside the repository (the project root, usually).
        since: a revision: a branch (``origin/main``), a tag, a commit or ``HEAD``.

    Returns:
        The changed paths, relative to the repository's top folder.

    Raises:
        ConfigError: not a repository, or ``since`` does not resolve or shares no history with
            HEAD (a shallow clone); the message says how to fix it.
    """
    top = _run(["rev-parse", "--show-toplevel"], repo)
    if top is None or top.returncode != 0:
        why = top.stderr.strip().splitlines()[-1:] if top is not None else ["git did not run"]
        raise ConfigError(
            f"--changed-since: {repo} is not inside a git repository ({''.join(why)})"
        )
    toplevel = Path(top.stdout.strip()).resolve()
    has_head = _git(["rev-parse", "--verify", "--quiet", "HEAD^{commit}"], toplevel) is not None
    if not has_head and since == "HEAD":
        # The first commit of a repository: everything staged is new.
        base = (_git(["hash-object", "-t", "tree", "--stdin"], toplevel, stdin="") or "").strip()
    else:
        base = _merge_base(toplevel, since)
    staged = _name_status(["diff", "--cached", "--no-renames", base], toplevel)
    on_disk = dict(_name_status(["diff", "--no-renames", base], toplevel))
    untracked = _git(["ls-files", "--others", "--exclude-standard", "-z"], toplevel) or ""
    on_disk.update((p, "A") for p in untracked.split("\0") if p)
    return ChangedPaths(toplevel, since, base, staged, on_disk)


def _merge_base(toplevel: Path, since: str) -> str:
    if since.startswith("-"):
        raise ConfigError(f"--changed-since: '{since}' is not a revision")
    if _git(["rev-parse", "--verify", "--quiet", f"{since}^{{commit}}"], toplevel) is None:
        shallow = _git(["rev-parse", "--is-shallow-repository"], toplevel) or ""
        hint = _SHALLOW_HINT if shallow.strip() == "true" else "fetch it first (git fetch)"
        raise ConfigError(f"--changed-since: '{since}' is not a commit in this repository; {hint}")
    base = _git(["merge-base", since, "HEAD"], toplevel)
    if base is None:
        raise ConfigError(
            f"--changed-since: '{since}' and HEAD share no history, so there is nothing to "
            f"compare; {_SHALLOW_HINT}"
        )
    return base.strip()


def _name_status(args: list[str], toplevel: Path) -> dict[str, str]:
    out = _git([*args, "--name-status", "--no-color", "-z", "--"], toplevel)
    if out is None:
        raise ConfigError(f"git {' '.join(args)} failed in {toplevel}")
    fields = out.split("\0")
    return {path: status[:1] for status, path in zip(fields[::2], fields[1::2], strict=False)}


def _git(args: list[str], cwd: Path, *, stdin: str | None = None) -> str | None:
    """Run git; its output, or None when it fails."""
    done = _run(args, cwd, stdin=stdin)
    return done.stdout if done is not None and done.returncode == 0 else None


def _run(
    args: list[str], cwd: Path, *, stdin: str | None = None
) -> subprocess.CompletedProcess[str] | None:
    try:
        return subprocess.run(
            ["git", *args],
            cwd=cwd,
            input=stdin,
            capture_output=True,
            encoding="utf-8",
            errors="surrogateescape",  # any bytes in a path survive the round trip
            check=False,
            timeout=120,
        )
    except (OSError, subprocess.SubprocessError):
        return None


def select_changed(
    files: Sequence[Path],
    changed: ChangedPaths,
    *,
    docs_dir: Path | None = None,
    config_file: Path | None = None,
) -> Selection:
    """Choose the record files and pages that changed on disk; read nothing.

    Args:
        files: every record file (``loader.discover``): only their names are used.
        changed: from ``changed_paths``.
        docs_dir: the docs folder; changed Markdown pages under it are candidates for articles.
        config_file: mkdocs.yml; when it changed, the selection asks for a full check.

    Returns:
        The changed records (and any record sharing an id with one, so that duplicate ids are
        still found), the changed pages, and the ids of all record files.
    """
    known = frozenset(record_id(f).lower() for f in files)
    present = {p for p, status in changed.on_disk.items() if status != "D"}
    if config_file is not None and changed.repo_path(config_file) in changed.on_disk:
        return Selection(known_ids=known, full=f"{config_file.name} changed since {changed.since}")
    folders: dict[Path, str | None] = {}  # resolve each folder once, not each file

    def repo_path(file: Path) -> str | None:
        if file.parent not in folders:
            folders[file.parent] = changed.repo_path(file.parent)
        folder = folders[file.parent]
        return None if folder is None else f"{folder}/{file.name}".removeprefix("./")

    chosen = [f for f in files if repo_path(f) in present]
    ids = {record_id(f).lower() for f in chosen}
    records = tuple(f for f in files if record_id(f).lower() in ids)
    pages: list[Path] = []
    docs = changed.repo_path(docs_dir) if docs_dir is not None else None
    if docs is not None:
        prefix = "" if docs == "." else docs + "/"
        for path in sorted(present):
            rest = path.removeprefix(prefix)
            if path.startswith(prefix) and _is_page(rest):
                pages.append(changed.toplevel / path)
    return Selection(records=records, pages=tuple(pages), known_ids=known)


def _is_page(rel: str) -> bool:
    parts = PurePosixPath(rel).parts
    return rel.endswith(".md") and not any(p.startswith((".", "_")) for p in parts)


def load_selected(
    root: Path,
    settings: Settings,
    selection: Selection,
    *,
    docs_dir: Path,
    today: dt.date | None = None,
) -> Project:
    """Read and check only the selected files, as ``pipeline.load_project`` does for all.

    ``related`` ids resolve against every record file's id. Checks that compare the content of
    many files (duplicate article ``reference``s) see only the selected files.
    """
    records = list(selection.records)
    jobs = record_jobs(records, root)
    for page in selection.pages:
        uri = display_path(page, docs_dir)
        forced = in_article_dirs(uri, settings.article_dirs)
        jobs.append(Job(page, display_path(page, root), uri, article=True, forced=forced))
    # The same pass as a full check's: the cache (kept whole: only some files are read here),
    # every core, the secret scan on the way.
    results = load_files(jobs, root, settings, prune=False)
    loaded = collect(results[: len(records)])
    pages = collect(results[len(records) :])
    errors = [*loaded.errors, *pages.errors]
    articles = pages.articles
    catalog = build_catalog(loaded.records, known_ids=selection.known_ids, articles=articles)
    errors.extend(run_checks(catalog, settings, today=today))
    return Project(
        root=root,
        settings=settings,
        catalog=catalog,
        errors=tuple(sorted(errors, key=RecordError.sort_key)),
        files=len(records) + pages.files,
    )


def default_code_globs(changes_dir: str = "changes", docs_dir: str = "docs") -> list[str]:
    """Everything is code except the docs folder, the records folder and Markdown at the root.

    Globs are gitignore-style and relative to the repository's top folder; later lines win and
    ``!`` excludes.
    """
    return ["*", f"!/{docs_dir.strip('/')}/**", f"!/{changes_dir.strip('/')}/**", "!/*.md"]


def require_record(
    changed: ChangedPaths, *, code_globs: Sequence[str], changes_dir: str
) -> list[RecordError]:
    """Fail when the commits and staged changes touch code but add or change no change record.

    Args:
        changed: from ``changed_paths``; its ``staged`` paths are judged.
        code_globs: gitignore-style globs, relative to the repository's top folder, that say
            which paths are code (see ``default_code_globs``).
        changes_dir: the records folder, relative to the repository's top folder.

    Returns:
        Nothing, or one ``gate.no_record`` error naming the code paths.
    """
    folder = changes_dir.strip("/") + "/"
    spec = pathspec.GitIgnoreSpec.from_lines(code_globs)
    code = sorted(p for p in changed.staged if not p.startswith(folder) and spec.match_file(p))
    if not code or any(
        _is_record(p, folder) for p, status in changed.staged.items() if status != "D"
    ):
        return []
    unstaged = sorted(
        p
        for p, status in changed.on_disk.items()
        if status != "D" and _is_record(p, folder) and p not in changed.staged
    )
    shown = ", ".join(code[:SHOWN_PATHS])
    if len(code) > SHOWN_PATHS:
        shown += f" and {len(code) - SHOWN_PATHS} more"
    hint = f"write one with: {_NEW_RECORD}, fill it in and commit it"
    if unstaged:
        hint = f"{unstaged[0]} is not committed or staged: git add {unstaged[0]}"
    return [
        RecordError(
            code="gate.no_record",
            file=code[0],
            line=1,  # an annotation needs a line to show on the file
            column=1,
            field=None,
            message=f"{len(code)} code file{'s' * (len(code) != 1)} changed since "
            f"{changed.since} but no change record was added or changed: {shown}",
            expected=f"a new or changed record in {folder}",
            hint=hint,
        )
    ]


def _is_record(path: str, folder: str) -> bool:
    if not path.startswith(folder):
        return False
    rest = path[len(folder) :]
    name = PurePosixPath(rest).name
    return _is_page(rest) and name.lower() not in IGNORED_NAMES
