"""Check what records claim against the repository: ``files_touched`` and ``commit``.

``check_git`` finds the repository (or takes it from a ``History`` read this run), gathers the
facts with a fixed number of git commands (``facts.gather_facts``), then judges each record
without git. Outside a repository it says so once, as a warning, and checks nothing.
"""

from __future__ import annotations

import difflib
import fnmatch
from typing import TYPE_CHECKING

from ..checks.common import error_at
from ..errors import RecordError, Severity, close_match_hint, show_value
from ..models import Status
from . import runner
from .facts import AMBIGUOUS, MISSING, Commit, Facts, at_head, gather_facts, normal_path
from .history import SHALLOW_HINT

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence
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
    skip = _unlisted_filter(records, facts, ignore_unlisted)
    for rec in claims:
        found, unsure = _judge_record(rec, facts, skip)
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


def _covers(listed: str, changed: str) -> bool:
    return changed == listed or changed.startswith(listed + "/")


def _judge_record(
    rec: Record, facts: Facts, skip: Callable[[str], bool]
) -> tuple[list[RecordError], str | None]:
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
    listed: list[str] = []
    for i, raw in enumerate(rec.meta.files_touched):
        path = normal_path(raw)
        if not path:
            continue
        listed.append(path)
        touched = changed is not None and any(_covers(path, c) for c in changed)
        exists = (
            at_head(path, facts)
            or touched
            or (commit is not None and (commit.sha, path) in facts.at_commit)
        )
        if not exists:
            if unsure is None:
                errors.append(_file_missing(rec, i, raw, path, facts, commit))
        elif changed is not None and not touched:
            errors.append(_file_untouched(rec, i, path, commit))
    if changed is not None and commit is not None:
        errors.extend(_unlisted(rec, listed, changed, commit, skip))
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
    rec: Record, i: int, raw: str, path: str, facts: Facts, commit: Commit | None
) -> RecordError:
    message = (
        f"path found neither at HEAD nor in commit {_short(commit)}"
        if commit
        else "path not found at HEAD"
    )
    hint = _nearest(path, facts) or (
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


def _nearest(path: str, facts: Facts) -> str | None:
    """``did you mean …?`` for a moved file (same name elsewhere) or a near-miss spelling."""
    name = path.rsplit("/", 1)[-1]
    same_name = [f for f in facts.head_files if f.rsplit("/", 1)[-1] == name]
    if same_name:
        return close_match_hint(path, sorted(same_name)) or f"did you mean '{min(same_name)}'?"
    pool = facts.head_files | facts.head_dirs
    if len(pool) > 20_000:  # difflib is quadratic-ish; look only beside the path on big repos
        top = path.split("/", 1)[0]
        pool = frozenset(p for p in pool if p.split("/", 1)[0] == top)
    with_prefix = str(facts.prefix / path)
    if facts.prefix.parts and with_prefix in pool:
        return f"paths are relative to the repository's top folder: did you mean '{with_prefix}'?"
    matches = difflib.get_close_matches(path, sorted(pool), n=1, cutoff=0.75)
    return f"did you mean '{matches[0]}'?" if matches else None


def _file_untouched(rec: Record, i: int, path: str, commit: Commit | None) -> RecordError:
    return error_at(
        rec,
        ("files_touched", i),
        "git.file_untouched",
        f"commit {_short(commit)} did not change '{path}'",
        hint="remove it from files_touched, or set 'commit' to the commit that changed it",
    )


def _unlisted(
    rec: Record,
    listed: list[str],
    changed: frozenset[str],
    commit: Commit,
    skip: Callable[[str], bool],
) -> list[RecordError]:
    missing = sorted(c for c in changed if not skip(c) and not any(_covers(p, c) for p in listed))
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
