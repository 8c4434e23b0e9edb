"""Check what records claim against the repository: ``files_touched`` and ``commit``.

``check_git`` finds the repository (or takes it from a ``History`` read this run), gathers the
facts with a fixed number of git commands (``facts.gather_facts``), then judges each record
without git. Outside a repository it says so once, as a warning, and checks nothing.
"""

from __future__ import annotations

import difflib
import fnmatch
from collections import defaultdict
from typing import TYPE_CHECKING

from ..checks.common import error_at
from ..errors import RecordError, Severity, close_match_hint, show_value
from ..models import Status
from . import runner
from .facts import (
    AMBIGUOUS,
    MISSING,
    Commit,
    Facts,
    at_head,
    gather_facts,
    normal_path,
    parent_folders,
)
from .history import SHALLOW_HINT

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence
    from pathlib import Path

    from ..loader import Record
    from .history import History

__all__ = ["check_git"]

#: Unlisted paths reported one by one per record; the rest are counted in one more warning.
MAX_UNLISTED = 20

#: Statuses of changes that may name files that do not exist yet (or never will).
_NOT_DONE = frozenset({Status.DRAFT, Status.PLANNED, Status.ABANDONED})


def check_git(
    records: Sequence[Record],
    repo: Path,
    *,
    history: History | None = None,
    config_file: str = "mkdocs.yml",
    ignore_unlisted: Sequence[str] = (),
    timeout: float = runner.DEFAULT_TIMEOUT,
) -> list[RecordError]:
    """Check each record's ``files_touched`` and ``commit`` against the git repository.

    Args:
        records: the valid records (their paths are relative to ``repo``).
        repo: the project root (the folder of mkdocs.yml), inside the work tree.
        history: a history already read this run; saves finding the repository again.
        config_file: where to report problems that belong to no record (no repository).
        ignore_unlisted: globs, relative to ``repo``, of changed paths that a record need not
            list (``*`` crosses folders, as in fnmatch), e.g. ``["changes/*"]`` for records
            added with the change. The records given are never reported as unlisted.
        timeout: seconds each git command may take.

    Returns:
        Every problem found; a single ``git.unavailable`` warning outside a repository.
    """
    claims = [r for r in records if r.meta.files_touched or r.meta.commit]
    if not claims:
        return []
    info = _repo_info(repo, history, timeout)
    if isinstance(info, str):
        return [_unavailable(config_file, info)]
    facts = gather_facts(claims, repo, info, timeout)
    if isinstance(facts, str):
        return [_unavailable(config_file, facts)]
    errors: list[RecordError] = []
    cut_short: list[tuple[Record, str]] = []
    listed = sum(len(r.meta.files_touched) for r in claims)
    index = _Index(facts, _unlisted_filter(records, facts, ignore_unlisted), listed=listed)
    for rec in claims:
        found, unsure = _judge_record(rec, facts, index)
        errors.extend(found)
        if unsure:
            cut_short.append((rec, unsure))
    if cut_short:
        errors.append(_shallow_summary(cut_short))
    return errors


def _unlisted_filter(
    records: Sequence[Record], facts: Facts, globs: Sequence[str]
) -> Callable[[str], bool]:
    """Whether a changed path (from the top folder) is exempt from being listed."""
    own = frozenset(str(facts.prefix / r.path) for r in records)
    base = f"{facts.prefix.as_posix()}/" if facts.prefix.parts else ""

    def skip(path: str) -> bool:
        if path in own:
            return True
        if not globs or not path.startswith(base):
            return False
        rel = path[len(base) :]
        return any(fnmatch.fnmatchcase(rel, g) for g in globs)

    return skip


def _repo_info(repo: Path, history: History | None, timeout: float) -> runner.RepoInfo | str:
    if history is None:
        return runner.locate_repo(repo, timeout=timeout)
    if history.toplevel is None:
        return history.problem or "not a git repository"
    return runner.RepoInfo(toplevel=history.toplevel, shallow=history.shallow)


def _unavailable(config_file: str, why: str) -> RecordError:
    return RecordError(
        code="git.unavailable",
        file=config_file,
        line=None,
        column=None,
        field=None,
        message=f"files_touched and commit were not checked against git: {why}",
        hint=(
            "mark the folder as safe: git config --global --add safe.directory <folder>"
            if "dubious ownership" in why
            else "run the check inside a git clone of the repository, with git installed"
        ),
        severity=Severity.WARNING,
    )


class _Index:
    """What the judging asks of the facts many times, computed once (lazily) per check.

    Without it, each record scanned every changed path and each missing path scanned every
    file at HEAD: quadratic in the size of the site.
    """

    def __init__(self, facts: Facts, skip: Callable[[str], bool], *, listed: int) -> None:
        self.facts = facts
        self.skip = skip
        # difflib compares a path with every candidate: on a big repository, or when many paths
        # may be looked up, near misses are looked for beside the path (same top folder) only.
        pool = len(facts.head_files) + len(facts.head_dirs)
        self.beside = pool > _BIG_POOL or pool * listed > _MAX_COMPARISONS
        self._covered: dict[str, frozenset[str]] = {}
        self._unlisted: dict[str, list[str]] = {}
        self._nearest: dict[str, str | None] = {}
        self._by_name: dict[str, list[str]] | None = None
        self._by_length: dict[str, dict[int, list[str]]] = {}

    def covered(self, commit: Commit) -> frozenset[str]:
        """The paths a commit changed and every folder above them: what a listed path covers."""
        if commit.sha not in self._covered:
            self._covered[commit.sha] = (commit.files or frozenset()) | parent_folders(
                commit.files or ()
            )
        return self._covered[commit.sha]

    def unlisted(self, commit: Commit) -> list[str]:
        """The changed paths of a commit that some record must list, sorted."""
        if commit.sha not in self._unlisted:
            self._unlisted[commit.sha] = sorted(c for c in commit.files or () if not self.skip(c))
        return self._unlisted[commit.sha]

    def nearest(self, path: str) -> str | None:
        """``did you mean …?`` for a moved file (same name elsewhere) or a near-miss spelling."""
        if path not in self._nearest:
            self._nearest[path] = self._find_nearest(path)
        return self._nearest[path]

    def _find_nearest(self, path: str) -> str | None:
        facts = self.facts
        if self._by_name is None:
            self._by_name = defaultdict(list)
            for f in facts.head_files:
                self._by_name[f.rsplit("/", 1)[-1]].append(f)
        same_name = self._by_name.get(path.rsplit("/", 1)[-1])
        if same_name:
            return close_match_hint(path, sorted(same_name)) or f"did you mean '{min(same_name)}'?"
        by_length = self._pool(path.split("/", 1)[0] if self.beside else None)
        with_prefix = str(facts.prefix / path)
        if facts.prefix.parts and with_prefix in by_length.get(len(with_prefix), ()):
            return (
                f"paths are relative to the repository's top folder: did you mean '{with_prefix}'?"
            )
        # Only lengths that can reach the cutoff: the test difflib makes first (real_quick_ratio).
        size = len(path)
        near = [
            p
            for length, paths in by_length.items()
            if 2.0 * min(size, length) / (size + length) >= _CUTOFF
            for p in paths
        ]
        matches = difflib.get_close_matches(path, near, n=1, cutoff=_CUTOFF)
        return f"did you mean '{matches[0]}'?" if matches else None

    def _pool(self, top: str | None) -> dict[int, list[str]]:
        """Files and folders at HEAD (under the top folder ``top``, if given) by length."""
        key = "" if top is None else f"/{top}"
        if key not in self._by_length:
            by_length: dict[int, list[str]] = defaultdict(list)
            for p in self.facts.head_files | self.facts.head_dirs:
                if top is None or p.split("/", 1)[0] == top:
                    by_length[len(p)].append(p)
            self._by_length[key] = by_length
        return self._by_length[key]


#: Above this many files and folders at HEAD, or this many path comparisons in the worst case,
#: near misses are looked for beside the path only.
_BIG_POOL = 20_000
_MAX_COMPARISONS = 5_000_000
_CUTOFF = 0.75


def _judge_record(rec: Record, facts: Facts, index: _Index) -> tuple[list[RecordError], str | None]:
    """Problems of one record, and why history could not settle it (a shallow checkout)."""
    errors: list[RecordError] = []
    rev = rec.meta.commit
    sha = facts.revs.get(rev, MISSING) if rev else None
    commit = facts.commits.get(sha) if sha else None
    unsure: str | None = None
    if rev and sha in (MISSING, AMBIGUOUS):
        if facts.shallow and sha == MISSING:
            unsure = f"commit '{rev}' is not in this checkout"
        else:
            errors.append(_commit_unknown(rec, rev, ambiguous=sha == AMBIGUOUS))
    elif commit is not None and commit.files is None:
        unsure = f"commit '{rev}' is at the edge of this checkout, so what it changed is unknown"
    changed = commit.files if commit is not None else None
    covered = index.covered(commit) if commit is not None and changed is not None else None
    listed: list[str] = []
    for i, raw in enumerate(rec.meta.files_touched):
        path = normal_path(raw)
        if not path:
            continue
        listed.append(path)
        # A listed path covers a changed one that is it or lies under it.
        touched = covered is not None and path in covered
        exists = (
            at_head(path, facts)
            or touched
            or (commit is not None and (commit.sha, path) in facts.at_commit)
        )
        if not exists:
            if unsure is None:
                errors.append(_file_missing(rec, i, raw, path, index, commit))
        elif changed is not None and not touched:
            errors.append(_file_untouched(rec, i, path, commit))
    if changed is not None and commit is not None:
        errors.extend(_unlisted(rec, listed, index.unlisted(commit), commit))
    return errors, unsure


def _short(commit: Commit | None) -> str:
    return commit.sha[:12] if commit else ""


def _commit_unknown(rec: Record, rev: str, *, ambiguous: bool) -> RecordError:
    if ambiguous:
        message = "ambiguous: several objects in the repository start with it"
        hint = "write more characters of the hash (git log --oneline shows 7 or more)"
    else:
        message = "not a commit in this repository"
        hint = (
            "copy the hash from 'git log --oneline'; if the commit is on a branch that was not "
            "fetched, fetch it first"
        )
    return error_at(rec, ("commit",), "git.commit_unknown", message, got=show_value(rev), hint=hint)


def _file_missing(
    rec: Record, i: int, raw: str, path: str, index: _Index, commit: Commit | None
) -> RecordError:
    message = (
        f"path found neither at HEAD nor in commit {_short(commit)}"
        if commit
        else "path not found at HEAD"
    )
    hint = index.nearest(path) or (
        "paths are relative to the repository's top folder (the one that holds .git)"
    )
    if commit is None:
        hint += " If" if hint.endswith("?") else "; if"
        hint += " the change deleted it, set 'commit' to the commit that did"
    not_done = rec.meta.status in _NOT_DONE
    return error_at(
        rec,
        ("files_touched", i),
        "git.file_missing",
        message,
        got=show_value(raw),
        hint=hint,
        severity=Severity.WARNING if not_done else Severity.ERROR,
    )


def _file_untouched(rec: Record, i: int, path: str, commit: Commit | None) -> RecordError:
    return error_at(
        rec,
        ("files_touched", i),
        "git.file_untouched",
        f"commit {_short(commit)} did not change '{path}'",
        hint="remove it from files_touched, or set 'commit' to the commit that changed it",
    )


def _unlisted(
    rec: Record, listed: list[str], candidates: list[str], commit: Commit
) -> list[RecordError]:
    own = set(listed)
    missing = [
        c for c in candidates if c not in own and not any(d in own for d in _folders_above(c))
    ]
    out = [
        error_at(
            rec,
            ("files_touched",),
            "git.file_unlisted",
            f"commit {_short(commit)} also changed '{path}', which files_touched does not list",
            hint="add it to files_touched (a folder covers every file under it)",
            at_key=True,
            severity=Severity.WARNING,
        )
        for path in missing[:MAX_UNLISTED]
    ]
    if len(missing) > MAX_UNLISTED:
        rest = len(missing) - MAX_UNLISTED
        out.append(
            error_at(
                rec,
                ("files_touched",),
                "git.file_unlisted",
                f"commit {_short(commit)} changed {rest} more unlisted path{'s' * (rest != 1)}",
                hint="list the folders the change touched instead of each file",
                at_key=True,
                severity=Severity.WARNING,
            )
        )
    return out


def _folders_above(path: str) -> Iterator[str]:
    """``a/b/c`` -> ``a/b``, ``a``."""
    end = path.rfind("/")
    while end > 0:
        yield path[:end]
        end = path.rfind("/", 0, end)


def _shallow_summary(cut_short: list[tuple[Record, str]]) -> RecordError:
    rec, why = cut_short[0]
    more = len(cut_short) - 1
    others = f" (and {more} other record{'s' * (more != 1)})" if more else ""
    return error_at(
        rec,
        ("commit",),
        "git.shallow",
        f"{why}{others}; files_touched were checked against HEAD only",
        hint=SHALLOW_HINT,
        severity=Severity.WARNING,
    )
