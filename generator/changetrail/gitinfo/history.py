"""Who created each file and who changed it last, from one ``git log`` over the whole history.

``read_history`` runs two git commands, whatever the number of files: ``git rev-parse`` (where is
the repository, is it shallow) and one ``git log --name-status -z``. ``parse_log`` turns that
log into per-file facts and is pure, so it is tested without git.

Renames are followed (``-M``): a file moved from ``old.md`` to ``new.md`` was created when
``old.md`` was. One pass cannot use ``--follow`` (it takes a single path), so the walk keeps a
map from old names to the newest name and charges older changes to the file's current name.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from . import runner

if TYPE_CHECKING:
    from collections.abc import Mapping, Set
    from pathlib import Path

__all__ = [
    "SHALLOW_WARNING",
    "Change",
    "FileHistory",
    "History",
    "parse_log",
    "read_history",
]

SHALLOW_HINT = (
    "fetch the whole history: in GitHub Actions set 'fetch-depth: 0' on actions/checkout; "
    "elsewhere run 'git fetch --unshallow'"
)

SHALLOW_WARNING = (
    "the git checkout is shallow (only the latest commits were fetched), so the dates and "
    "authors of older changes are unknown and are not shown; " + SHALLOW_HINT
)

# A record separator starts each commit's header and a unit separator splits its fields;
# neither can appear in a hash, a date or a mail address, and the name comes last.
_MARK = b"\x1e"
_FORMAT = "%x1e%H%x1f%P%x1f%aI%x1f%aE%x1f%aN"


@dataclass(frozen=True, slots=True)
class Change:
    """One commit as far as a page cares: which, when (author date) and by whom."""

    commit: str
    date: dt.datetime
    author: str
    email: str


@dataclass(frozen=True, slots=True)
class FileHistory:
    """When a file was created and last changed; ``None`` where the history does not say."""

    path: str  # relative to the repository's top folder, with '/'
    created: Change | None
    last_changed: Change | None
    commits: int  # commits seen changing it (fewer than the truth in a shallow checkout)


@dataclass(frozen=True, slots=True)
class History:
    """Per-file dates and authors of one repository, read once per build."""

    available: bool
    shallow: bool = False
    toplevel: Path | None = None
    head: str | None = None
    files: Mapping[str, FileHistory] = field(default_factory=dict)
    problem: str | None = None  # why ``available`` is false

    def get(self, path: str) -> FileHistory | None:
        """The history of ``path``, relative to the repository's top folder."""
        return self.files.get(path)

    def for_file(self, file: Path) -> FileHistory | None:
        """The history of a file given by its path on disk (absolute or from the cwd)."""
        if self.toplevel is None:
            return None
        try:
            rel = file.resolve().relative_to(self.toplevel.resolve())
        except ValueError:
            return None
        return self.files.get(rel.as_posix())

    @property
    def warning(self) -> str | None:
        """What to log once per build: the checkout is shallow, or git is not there."""
        if not self.available:
            return (
                f"no git history ({self.problem or 'unknown reason'}); "
                "pages show no created or last-changed dates"
            )
        return SHALLOW_WARNING if self.shallow else None


def read_history(
    repo: Path,
    paths: Set[str] | None = None,
    *,
    renames: bool = True,
    timeout: float = runner.DEFAULT_TIMEOUT,
) -> History:
    """Read the created and last-changed commit of every file from one pass over the history.

    Args:
        repo: any folder inside the work tree.
        paths: keep only these paths (relative to the top folder); all files when ``None``.
        renames: follow renames, so a moved file keeps its creation date.
        timeout: seconds each git command may take.

    Returns:
        The history; ``available=False`` (and no files) outside a git repository.
    """
    info = runner.locate_repo(repo, timeout=timeout)
    if isinstance(info, str):
        return History(available=False, problem=info)
    args = [
        "log",
        "-z",
        "--name-status",
        "--root",  # the first commit creates its files, whatever log.showRoot says
        "--topo-order",  # children before parents, so a path's newest change comes first
        "--no-show-signature",
        "--no-color",
        "--use-mailmap",
        "--encoding=UTF-8",
        "-M" if renames else "--no-renames",
        f"--format={_FORMAT}",
    ]
    out = runner.run_git(args, info.toplevel, timeout=timeout)
    if not out.ok:
        return History(
            available=False, shallow=info.shallow, toplevel=info.toplevel, problem=out.error
        )
    files, head = parse_log(out.stdout, shallow=info.shallow, wanted=paths)
    return History(
        available=True, shallow=info.shallow, toplevel=info.toplevel, head=head, files=files
    )


def parse_log(
    raw: bytes, *, shallow: bool = False, wanted: Set[str] | None = None
) -> tuple[dict[str, FileHistory], str | None]:
    """Turn ``git log -z --name-status`` output (our ``_FORMAT``, newest first) into histories.

    In a shallow checkout the oldest fetched commits have no parents and seem to add every
    file; such a commit proves nothing, so it sets neither date. A file added by a commit
    that does have parents really was created then, shallow or not.

    Returns:
        The histories by path, and the hash of the first (newest) commit.
    """
    walk = _Walk(wanted)
    tokens = raw.split(b"\0")
    commit: Change | None = None
    boundary = False
    head: str | None = None
    i = 0
    while i < len(tokens):
        tok = tokens[i].lstrip(b"\n")
        i += 1
        if tok.startswith(_MARK):
            commit, parents = _parse_header(tok[1:])
            boundary = shallow and not parents
            head = head or commit.commit
            continue
        if not tok or commit is None:
            continue
        if tok[:1] in (b"R", b"C"):  # renamed or copied: the old path, then the new one
            old, new = _path(tokens, i), _path(tokens, i + 1)
            i += 2
            walk.move(commit, old, new, copied=tok[:1] == b"C")
        else:
            walk.touch(commit, _path(tokens, i), added=tok[:1] == b"A", boundary=boundary)
            i += 1
    return walk.result(), head


def _path(tokens: list[bytes], i: int) -> str:
    return tokens[i].decode("utf-8", "surrogateescape") if i < len(tokens) else ""


def _parse_header(raw: bytes) -> tuple[Change, str]:
    sha, parents, date, email, name = (raw.decode("utf-8", "replace").split("\x1f", 4) + [""] * 4)[
        :5
    ]
    try:
        when = dt.datetime.fromisoformat(date)
    except ValueError:
        when = dt.datetime.fromtimestamp(0, tz=dt.UTC)
    if when.tzinfo is None:  # %aI always has an offset; stay comparable if it ever does not
        when = when.replace(tzinfo=dt.UTC)
    return Change(commit=sha, date=when, author=name, email=email), parents.strip()


@dataclass(slots=True)
class _State:
    last: Change | None
    created: Change | None = None
    count: int = 0
    closed: bool = False  # older commits belong to an earlier file of the same name, or none


class _Walk:
    """Per-path state while the log goes from the newest commit to the oldest."""

    def __init__(self, wanted: Set[str] | None) -> None:
        self.wanted = wanted
        self.alias: dict[str, str] = {}  # an old name -> the name the file has now
        self.state: dict[str, _State] = {}

    def touch(self, commit: Change, path: str, *, added: bool, boundary: bool) -> None:
        key = self.alias.get(path, path)
        if self.wanted is not None and key not in self.wanted:
            return
        st = self.state.get(key)
        if st is None:
            st = self.state[key] = _State(last=None if boundary else commit)
        elif st.closed:
            return
        if boundary:  # the edge of a shallow checkout: anything older is unknown
            st.closed = True
            return
        st.count += 1
        if st.last is None or commit.date > st.last.date:
            st.last = commit  # merged branches can list an older change first
        if added:
            st.created, st.closed = commit, True

    def move(self, commit: Change, old: str, new: str, *, copied: bool) -> None:
        self.touch(commit, new, added=copied, boundary=False)
        if not copied:
            # Older changes to `old` are changes to the file now called by the newest name.
            self.alias[old] = self.alias.get(new, new)

    def result(self) -> dict[str, FileHistory]:
        return {
            key: FileHistory(path=key, created=st.created, last_changed=st.last, commits=st.count)
            for key, st in sorted(self.state.items())
        }
