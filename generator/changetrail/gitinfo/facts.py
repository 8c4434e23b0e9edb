"""Every git call of the records check, batched: a fixed number of commands for any site.

1. ``git ls-files``: the files at HEAD, plus what is staged, so that a pre-commit hook sees a
   new file committed together with its record;
2. ``git cat-file --batch-check``: every distinct ``commit`` resolved at once;
3. ``git log --stdin --no-walk --name-status``: the files each distinct commit changed
   (records that share a commit share its listing);
4. ``git cat-file --batch-check``: ``<commit>:<path>`` for listed paths that are not at HEAD
   (only when there are such paths), so a file deleted after the change still counts.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING

from . import runner

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from ..loader import Record

__all__ = [
    "AMBIGUOUS",
    "MISSING",
    "Commit",
    "Facts",
    "gather_facts",
    "normal_path",
    "parent_folders",
    "resolve_commits",
]

MISSING = "missing"
AMBIGUOUS = "ambiguous"


@dataclass(frozen=True, slots=True)
class Commit:
    """A record's commit: its full hash and the paths it changed."""

    sha: str
    files: frozenset[str] | None  # None: unknown (the edge of a shallow checkout)


@dataclass(frozen=True, slots=True)
class Facts:
    """What the repository says, gathered once for all records."""

    shallow: bool
    prefix: PurePosixPath  # the project root, relative to the repository's top folder
    head_files: frozenset[str]
    head_dirs: frozenset[str]
    revs: dict[str, str]  # rev -> full hash, or MISSING / AMBIGUOUS
    commits: dict[str, Commit]  # full hash -> what it changed
    at_commit: frozenset[tuple[str, str]]  # (hash, path) that exist in that commit's tree


def resolve_commits(
    repo: Path, revs: Iterable[str], *, timeout: float = runner.DEFAULT_TIMEOUT
) -> dict[str, str | None]:
    """Resolve revisions (hashes, tags, branches) to full commit hashes with one git call.

    Returns:
        Each revision mapped to its full hash, or ``None`` when it names no commit here.
    """
    given = set(revs)
    # One revision per line on git's stdin: a blank or a line break cannot be part of one.
    wanted = sorted(r for r in given if r and not any(ch.isspace() for ch in r))
    answers: dict[str, str | None] = dict.fromkeys(given)
    found = _resolve(wanted, repo, timeout) if wanted else {}
    if isinstance(found, str):
        return answers
    answers.update(
        {rev: sha if sha not in (MISSING, AMBIGUOUS) else None for rev, sha in found.items()}
    )
    return answers


def gather_facts(
    claims: Sequence[Record], repo: Path, info: runner.RepoInfo, timeout: float
) -> Facts | str:
    """Ask git everything the records' claims need; a sentence when git fails."""
    top = info.toplevel
    try:
        prefix = PurePosixPath(repo.resolve().relative_to(top.resolve()).as_posix())
    except ValueError:
        prefix = PurePosixPath()
    listed = runner.run_git(["ls-files", "-z", "--full-name"], top, timeout=timeout)
    if not listed.ok:
        return listed.error
    head_files = frozenset(p for p in _split_z(listed.stdout) if p)
    revs = sorted({r.meta.commit for r in claims if r.meta.commit})
    resolved = _resolve(revs, top, timeout) if revs else {}
    if isinstance(resolved, str):
        return resolved
    shas = sorted({s for s in resolved.values() if s not in (MISSING, AMBIGUOUS)})
    commits = _changed_files(shas, top, timeout, shallow=info.shallow) if shas else {}
    if isinstance(commits, str):
        return commits
    facts = Facts(
        shallow=info.shallow,
        prefix=prefix,
        head_files=head_files,
        head_dirs=frozenset(parent_folders(head_files)),
        revs=resolved,
        commits=commits,
        at_commit=frozenset(),
    )
    queries = sorted(_tree_queries(claims, facts))
    if not queries:
        return facts
    present = _in_trees(queries, top, timeout)
    if isinstance(present, str):
        return present
    return replace(facts, at_commit=present)


def _split_z(raw: bytes) -> list[str]:
    return raw.decode("utf-8", "surrogateescape").split("\0")


def parent_folders(files: Iterable[str]) -> set[str]:
    """Every folder above the given paths: ``a/b/c.py`` -> ``a``, ``a/b``."""
    dirs: set[str] = set()
    for f in files:
        parts = f.split("/")[:-1]
        for i in range(1, len(parts) + 1):
            dirs.add("/".join(parts[:i]))
    return dirs


def _resolve(revs: Sequence[str], top: Path, timeout: float) -> dict[str, str] | str:
    # Revisions are validated by the model (no blanks, no newline), so one per line is safe.
    lines = "".join(f"{rev}^{{commit}}\n" for rev in revs).encode()
    out = runner.run_git(
        ["cat-file", "--batch-check=%(objectname)"], top, stdin=lines, timeout=timeout
    )
    if not out.ok:
        return out.error
    answers = out.stdout.decode("utf-8", "replace").splitlines()
    found: dict[str, str] = {}
    for rev, answer in zip(revs, answers, strict=False):
        if answer.endswith(" ambiguous"):
            found[rev] = AMBIGUOUS
        elif answer.endswith(" missing") or " " in answer or not answer:
            found[rev] = MISSING
        else:
            found[rev] = answer
    for rev in revs[len(answers) :]:
        found[rev] = MISSING
    return found


def _changed_files(
    shas: Sequence[str], top: Path, timeout: float, *, shallow: bool
) -> dict[str, Commit] | str:
    args = [
        "log",
        "--stdin",
        "--no-walk=unsorted",
        "-z",
        "--name-status",
        "--no-renames",  # a moved file is a deleted path and an added one; a record lists both
        "--root",
        "-m",
        "--first-parent",  # a merge commit changed what it brought into its first parent
        "--no-show-signature",
        "--no-color",
        "--format=%x1e%H%x1f%P",
    ]
    stdin = "".join(f"{sha}\n" for sha in shas).encode()
    out = runner.run_git(args, top, stdin=stdin, timeout=timeout)
    if not out.ok:
        return out.error
    commits: dict[str, Commit] = {}
    sha, parents, files = "", "", set[str]()
    tokens = _split_z(out.stdout)
    i = 0
    while i < len(tokens):
        tok = tokens[i].lstrip("\n")
        i += 1
        if tok.startswith("\x1e"):
            if sha:
                commits[sha] = _commit(sha, parents, files, shallow=shallow)
            sha, _, parents = tok[1:].partition("\x1f")
            files = set()
        elif tok and i < len(tokens):
            files.add(tokens[i])
            i += 1
    if sha:
        commits[sha] = _commit(sha, parents, files, shallow=shallow)
    return commits


def _commit(sha: str, parents: str, files: set[str], *, shallow: bool) -> Commit:
    # At the edge of a shallow checkout a commit seems to add every file: its list means nothing.
    known = not (shallow and not parents.strip())
    return Commit(sha=sha, files=frozenset(files) if known else None)


def _tree_queries(claims: Sequence[Record], facts: Facts) -> set[tuple[str, str]]:
    queries = set()
    for rec in claims:
        sha = facts.revs.get(rec.meta.commit or "", MISSING)
        if sha in (MISSING, AMBIGUOUS):
            continue
        for raw in rec.meta.files_touched:
            path = normal_path(raw)
            if path and "\n" not in path and not at_head(path, facts):
                queries.add((sha, path))
    return queries


def _in_trees(
    queries: Sequence[tuple[str, str]], top: Path, timeout: float
) -> frozenset[tuple[str, str]] | str:
    stdin = "".join(f"{sha}:{path}\n" for sha, path in queries).encode("utf-8", "surrogateescape")
    out = runner.run_git(
        ["cat-file", "--batch-check=%(objectname) %(objecttype)"], top, stdin=stdin, timeout=timeout
    )
    if not out.ok:
        return out.error
    answers = out.stdout.decode("utf-8", "surrogateescape").splitlines()
    return frozenset(
        q
        for q, answer in zip(queries, answers, strict=False)
        if answer.endswith((" blob", " tree", " commit"))
    )


def normal_path(raw: str) -> str:
    """``./src//a.py/`` -> ``src/a.py``; placeholders left by the template -> ``''``."""
    text = raw.strip().replace("\\", "/")
    if not text or text.startswith("TODO:"):
        return ""
    # What PurePosixPath(text).as_posix() gives with "./" and "/" taken off the ends, without
    # building a path: empty and "." parts dropped, ".." kept.
    parts = [part for part in text.split("/") if part and part != "."]
    if not parts:
        return "" if text.startswith("/") else "."
    return "/".join(parts)


def at_head(path: str, facts: Facts) -> bool:
    """Whether ``path`` is a file or a folder at HEAD (or staged)."""
    return path in facts.head_files or path in facts.head_dirs
