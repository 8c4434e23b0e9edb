"""gitinfo: dates and authors from one pass over the history, records checked against real git.

Every repository here is made by the test with real git, isolated from the user's and the
system's configuration, with fixed authors and dates so that every run sees the same hashes.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from changetrail.errors import RecordError, Severity
from changetrail.gitinfo import (
    SHALLOW_WARNING,
    History,
    check_git,
    parse_log,
    read_history,
    repo_links,
    resolve_commits,
)
from changetrail.gitinfo import runner as git_runner
from changetrail.loader import Record, load_text
from conftest import field_line, record

if TYPE_CHECKING:
    from collections.abc import Sequence

#: Git sees no user or system configuration, and never looks above the test's folder.
ISOLATED = {
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_COMMITTER_NAME": "CI",
    "GIT_COMMITTER_EMAIL": "ci@example.com",
    "LC_ALL": "C",
}


def _env(tmp: Path, **extra: str) -> dict[str, str]:
    return {**os.environ, **ISOLATED, "GIT_CEILING_DIRECTORIES": str(tmp.parent), **extra}


def git(repo: Path, *args: str, env: dict[str, str] | None = None) -> str:
    done = subprocess.run(
        ["git", *args],
        cwd=repo,
        env=env or _env(repo),
        check=True,
        capture_output=True,
        text=True,
        timeout=30,
    )
    return done.stdout.strip()


def commit(
    repo: Path,
    author: str,
    date: str,
    *,
    write: dict[str, str] | None = None,
    delete: Sequence[str] = (),
    move: Sequence[tuple[str, str]] = (),
) -> str:
    """Make one commit by ``author`` on ``date`` (ISO); return its full hash."""
    for rel, text in (write or {}).items():
        (repo / rel).parent.mkdir(parents=True, exist_ok=True)
        (repo / rel).write_text(text, encoding="utf-8")
    for rel in delete:
        git(repo, "rm", "-q", rel)
    for old, new in move:
        git(repo, "mv", old, new)
    env = _env(
        repo,
        GIT_AUTHOR_NAME=author,
        GIT_AUTHOR_EMAIL=f"{author.lower()}@example.com",
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
    )
    git(repo, "add", "-A", env=env)
    git(repo, "commit", "-q", "-m", f"{author} on {date}", env=env)
    return git(repo, "rev-parse", "HEAD", env=env)


@dataclass(frozen=True)
class Repo:
    root: Path
    c1: str
    c2: str
    c3: str
    c4: str


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Repo:
    """Four commits by four people, one a month; the third adds this file's record."""
    root = tmp_path_factory.mktemp("history") / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    c1 = commit(
        root,
        "Alice",
        "2024-01-01T10:00:00+00:00",
        write={
            "README.md": "# App\n",
            "src/app.py": "print('app')\n",
            "src/util.py": "def util(): ...\n",
            "docs/index.md": "# Docs\n",
            "docs/old.md": "# Old\n",
        },
    )
    c2 = commit(
        root,
        "Bob",
        "2024-02-01T10:00:00+00:00",
        write={"src/app.py": "print('app v2')\n", "changes/rec.md": "record\n"},
        delete=["docs/old.md"],
    )
    c3 = commit(
        root,
        "Carol",
        "2024-03-01T10:00:00+00:00",
        write={
            "src/util.py": "def util(): return 1\n",
            "db/migrations/0042.sql": "CREATE INDEX;\n",
            "README.md": "# App\n\nNow with an index.\n",
        },
    )
    c4 = commit(
        root,
        "Dave",
        "2024-04-01T10:00:00+00:00",
        write={"src/new.py": "NEW = 1\n"},
        move=[("src/util.py", "src/helpers.py")],
    )
    return Repo(root, c1, c2, c3, c4)


@pytest.fixture(autouse=True)
def isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """The code under test inherits the environment: isolate its git calls too."""
    for key, value in ISOLATED.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("GIT_CEILING_DIRECTORIES", str(tmp_path.parent))


@pytest.fixture
def git_calls(monkeypatch: pytest.MonkeyPatch) -> list[list[str]]:
    """Every git command the code under test runs, by its arguments."""
    calls: list[list[str]] = []
    real = git_runner.run_git

    def counting(args: Sequence[str], cwd: Path, **kwargs: Any) -> git_runner.GitOutput:
        calls.append(list(args))
        return real(args, cwd, **kwargs)

    monkeypatch.setattr(git_runner, "run_git", counting)
    return calls


def rec(rid: str = "rec", **fields: Any) -> Record:
    result = load_text(record(**fields), f"changes/{rid}.md", rid)
    assert isinstance(result, Record), result
    return result


AP, APP = '"src/ap.py"', '"src/app.py"'


def column_of(text: str, line: int, needle: str) -> int:
    return text.split("\n")[line - 1].index(needle) + 1


def found(errors: list[RecordError]) -> list[tuple[str, str, str | None, Severity]]:
    return [
        (e.code, e.location(), e.field, e.severity)
        for e in sorted(errors, key=RecordError.sort_key)
    ]


# --- read_history ---------------------------------------------------------------------------


def when(day: str) -> dt.datetime:
    return dt.datetime.fromisoformat(f"{day}T10:00:00+00:00")


def test_history_gives_created_and_last_changed_from_one_log(
    repo: Repo, git_calls: list[list[str]]
) -> None:
    history = read_history(repo.root)

    assert [call[0] for call in git_calls] == ["rev-parse", "log"]
    assert history.available
    assert not history.shallow
    assert history.warning is None
    assert history.head == repo.c4
    app = history.get("src/app.py")
    assert app is not None
    assert app.created is not None
    assert app.last_changed is not None
    assert (app.created.author, app.created.date, app.created.commit) == (
        "Alice",
        when("2024-01-01"),
        repo.c1,
    )
    assert (app.last_changed.author, app.last_changed.date) == ("Bob", when("2024-02-01"))
    assert app.last_changed.email == "bob@example.com"
    assert app.commits == 2


def test_history_follows_a_rename_back_to_the_creation(repo: Repo) -> None:
    helpers = read_history(repo.root).get("src/helpers.py")

    assert helpers is not None
    assert helpers.created is not None
    assert helpers.last_changed is not None
    assert (helpers.created.author, helpers.last_changed.author) == ("Alice", "Dave")
    assert helpers.commits == 3  # added, changed, moved


def test_history_without_renames_starts_a_moved_file_at_the_move(repo: Repo) -> None:
    helpers = read_history(repo.root, renames=False).get("src/helpers.py")

    assert helpers is not None
    assert helpers.created is not None
    assert helpers.created.author == "Dave"


def test_history_keeps_only_the_paths_asked_for_and_finds_files_on_disk(repo: Repo) -> None:
    history = read_history(repo.root, {"README.md", "src/helpers.py"})

    assert sorted(history.files) == ["README.md", "src/helpers.py"]
    readme = history.for_file(repo.root / "README.md")
    assert readme is not None
    assert readme.last_changed is not None
    assert readme.last_changed.author == "Carol"
    assert history.for_file(Path("/elsewhere/README.md")) is None


def shallow_clone(repo: Repo, tmp_path: Path, depth: int) -> Path:
    clone = tmp_path / f"clone-{depth}"
    git(tmp_path, "clone", "-q", "--depth", str(depth), f"file://{repo.root}", str(clone))
    return clone


def test_a_shallow_clone_warns_and_claims_no_creation_date(repo: Repo, tmp_path: Path) -> None:
    history = read_history(shallow_clone(repo, tmp_path, depth=1))

    assert history.available
    assert history.shallow
    assert history.warning == SHALLOW_WARNING
    assert "fetch-depth: 0" in SHALLOW_WARNING
    assert "git fetch --unshallow" in SHALLOW_WARNING
    # The one fetched commit seems to add every file; it proves neither date.
    assert history.files
    assert all(f.created is None and f.last_changed is None for f in history.files.values())


def test_a_deeper_shallow_clone_knows_only_what_it_saw(repo: Repo, tmp_path: Path) -> None:
    history = read_history(shallow_clone(repo, tmp_path, depth=2))

    helpers, new, app = (history.get(p) for p in ("src/helpers.py", "src/new.py", "src/app.py"))
    assert helpers is not None
    assert new is not None
    assert app is not None
    # Moved in the newest commit: its last change is known, its creation is beyond the edge.
    assert helpers.last_changed is not None
    assert helpers.last_changed.author == "Dave"
    assert helpers.created is None
    # Added by a commit whose parent was fetched: really created then.
    assert new.created is not None
    assert new.created.author == "Dave"
    # Last changed before the edge: unknown, not the date of the edge commit.
    assert app.last_changed is None
    assert app.created is None


def test_no_repository_gives_an_empty_history(tmp_path: Path) -> None:
    history = read_history(tmp_path)

    assert not history.available
    assert history.files == {}
    assert history.problem is not None
    assert "not a git repository" in history.problem
    assert history.warning is not None
    assert history.warning.startswith("no git history (not a git repository")


def test_no_git_program_gives_an_empty_history(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("PATH", "")

    history = read_history(repo.root)

    assert not history.available
    assert history.problem == "git is not installed (no 'git' program on PATH)"


def test_parse_log_ignores_what_the_edge_of_a_shallow_history_seems_to_add() -> None:
    head = "\x1e" + "b" * 20 + "\x1f" + "a" * 20 + "\x1f2024-02-01T00:00:00+00:00\x1fb@x\x1fBob"
    edge = "\x1e" + "a" * 20 + "\x1f\x1f2024-01-01T00:00:00+00:00\x1fa@x\x1fAl\x1fice"
    raw = f"{head}\0\nM\0f.txt\0A\0g.txt\0{edge}\0\nA\0f.txt\0A\0h.txt\0".encode()

    files, first = parse_log(raw, shallow=True)

    assert first == "b" * 20
    assert sorted(files) == ["f.txt", "g.txt", "h.txt"]
    f, g, h = files["f.txt"], files["g.txt"], files["h.txt"]
    assert f.last_changed is not None
    assert (f.last_changed.author, f.created) == ("Bob", None)
    assert g.created is not None
    assert g.created.author == "Bob"
    assert (h.created, h.last_changed) == (None, None)
    full, _ = parse_log(raw, shallow=False)
    assert full["h.txt"].created is not None
    assert full["h.txt"].created.author == "Al\x1fice"  # the name is the last field, kept whole


_LOG_PIECES = [b"\x1e", b"\x1f", b"\0", b"\n", b"A", b"D", b"R100", b"C75", b"M", b"f", b"g/h"]
_LOG_PIECES += [b"2024-01-01T00:00:00+00:00", b"2024-01-02", b"not a date", b"\xff"]


@given(st.lists(st.sampled_from(_LOG_PIECES), max_size=60).map(b"".join))
def test_parse_log_takes_any_bytes(raw: bytes) -> None:
    for shallow in (False, True):
        files, _ = parse_log(raw, shallow=shallow)
        for f in files.values():
            assert f.commits >= 0
            if f.created is not None and f.last_changed is not None:
                assert f.commits >= 1


# --- check_git ------------------------------------------------------------------------------


def test_a_path_that_never_existed_is_an_error_with_its_place_and_a_hint(repo: Repo) -> None:
    fields: dict[str, Any] = {"files_touched": ["src/app.py", "src/ap.py"]}
    text = record(**fields)
    line = field_line("files_touched", **fields)

    errors = check_git([rec(**fields)], repo.root)

    assert found(errors) == [
        (
            "git.file_missing",
            f"changes/rec.md:{line}:{column_of(text, line, AP)}",
            "files_touched[1]",
            Severity.ERROR,
        )
    ]
    assert errors[0].format_text() == (
        f"changes/rec.md:{line}:{column_of(text, line, AP)}: files_touched[1]: "
        "path not found at HEAD; got 'src/ap.py'\n"
        "  hint: did you mean 'src/app.py'? "
        "If the change deleted it, set 'commit' to the commit that did"
    )
    assert errors[0].hint == (
        "did you mean 'src/app.py'? If the change deleted it, set 'commit' to the commit that did"
    )


def test_a_moved_file_is_suggested_by_its_name(repo: Repo) -> None:
    errors = check_git([rec(files_touched=["lib/helpers.py"])], repo.root)

    assert [(e.code, e.hint) for e in errors] == [
        (
            "git.file_missing",
            (
                "did you mean 'src/helpers.py'? "
                "If the change deleted it, set 'commit' to the commit that did"
            ),
        )
    ]


def test_with_many_paths_to_judge_near_misses_are_looked_for_beside_the_path(
    repo: Repo, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Judging stays linear: past a budget of comparisons, only the same top folder is searched."""
    from changetrail.gitinfo import truth

    records = [rec(files_touched=["src/ap.py", "scr/ap.py"])]
    wide = [e.hint for e in check_git(records, repo.root)]
    monkeypatch.setattr(truth, "_MAX_COMPARISONS", 0)
    beside = [e.hint for e in check_git(records, repo.root)]
    assert wide[0] == beside[0]
    assert str(wide[0]).startswith("did you mean 'src/app.py'?")
    assert str(wide[1]).startswith("did you mean 'src/app.py'?")
    assert str(beside[1]).startswith("paths are relative to the repository's top folder")


def test_a_file_the_records_commit_deleted_is_fine(repo: Repo) -> None:
    listed = ["src/app.py", "docs/old.md"]

    assert check_git([rec(files_touched=listed, commit=repo.c2)], repo.root) == []


def test_a_file_deleted_later_is_fine_when_it_existed_at_the_commit(repo: Repo) -> None:
    # src/util.py is gone at HEAD (moved by c4) but was changed by c3.
    listed = ["src/util.py", "db/migrations/0042.sql", "README.md"]

    assert check_git([rec(files_touched=listed, commit=repo.c3[:10])], repo.root) == []


def test_a_deleted_file_without_a_commit_is_missing(repo: Repo) -> None:
    errors = check_git([rec(files_touched=["docs/old.md"])], repo.root)

    assert [(e.code, e.field) for e in errors] == [("git.file_missing", "files_touched[0]")]
    assert errors[0].hint is not None
    assert "set 'commit' to the commit that did" in errors[0].hint


def test_a_wrong_commit_is_an_error_at_the_commit_field(repo: Repo) -> None:
    fields: dict[str, Any] = {"files_touched": ["src/app.py"], "commit": "deadbeef"}
    line = field_line("commit", **fields)

    errors = check_git([rec(**fields)], repo.root)

    assert found(errors) == [
        ("git.commit_unknown", f"changes/rec.md:{line}:9", "commit", Severity.ERROR)
    ]
    assert errors[0].format_text() == (
        f"changes/rec.md:{line}:9: commit: not a commit in this repository; got 'deadbeef'\n"
        "  hint: copy the hash from 'git log --oneline'; "
        "if the commit is on a branch that was not fetched, fetch it first"
    )


def test_unlisted_and_untouched_paths_of_the_commit(repo: Repo) -> None:
    fields: dict[str, Any] = {"files_touched": ["src/util.py", "src/app.py"], "commit": repo.c3}
    text = record(**fields)
    line = field_line("files_touched", **fields)

    errors = check_git([rec(**fields)], repo.root)

    assert found(errors) == [
        ("git.file_unlisted", f"changes/rec.md:{line}:1", "files_touched", Severity.WARNING),
        ("git.file_unlisted", f"changes/rec.md:{line}:1", "files_touched", Severity.WARNING),
        (
            "git.file_untouched",
            f"changes/rec.md:{line}:{column_of(text, line, APP)}",
            "files_touched[1]",
            Severity.ERROR,
        ),
    ]
    short = repo.c3[:12]
    assert sorted(e.message for e in errors) == [
        f"commit {short} also changed 'README.md', which files_touched does not list",
        f"commit {short} also changed 'db/migrations/0042.sql', which files_touched does not list",
        f"commit {short} did not change 'src/app.py'",
    ]


def test_a_folder_covers_the_files_under_it(repo: Repo) -> None:
    covering = rec(files_touched=["src", "db/migrations/", "README.md"], commit=repo.c3)
    untouched = rec("other", files_touched=["docs", "src", "db", "README.md"], commit=repo.c3)

    assert check_git([covering], repo.root) == []
    assert [(e.code, e.field) for e in check_git([untouched], repo.root)] == [
        ("git.file_untouched", "files_touched[0]")
    ]


def test_the_record_file_itself_is_not_an_unlisted_path(repo: Repo) -> None:
    # c2 added changes/rec.md, this very record; it changed the app and deleted a page.
    errors = check_git([rec(files_touched=["src/app.py"], commit=repo.c2)], repo.root)

    assert [e.message for e in errors] == [
        f"commit {repo.c2[:12]} also changed 'docs/old.md', which files_touched does not list"
    ]


def test_unlisted_paths_can_be_exempted_by_glob(repo: Repo) -> None:
    listed = ["src/util.py"]
    exempt = ["db/*", "README.md"]

    assert (
        check_git([rec(files_touched=listed, commit=repo.c3)], repo.root, ignore_unlisted=exempt)
        == []
    )


def test_many_unlisted_paths_are_summed_up(repo: Repo, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("changetrail.gitinfo.truth.MAX_UNLISTED", 1)

    errors = check_git([rec(files_touched=[], commit=repo.c1)], repo.root)

    assert [e.message for e in errors] == [
        f"commit {repo.c1[:12]} also changed 'README.md', which files_touched does not list",
        f"commit {repo.c1[:12]} changed 4 more unlisted paths",
    ]


def test_planned_changes_may_name_files_that_do_not_exist_yet(repo: Repo) -> None:
    errors = check_git([rec(status="planned", files_touched=["src/later.py"])], repo.root)

    assert [(e.code, e.severity) for e in errors] == [("git.file_missing", Severity.WARNING)]


def test_git_calls_are_batched_and_records_share_a_commit(
    repo: Repo, git_calls: list[list[str]]
) -> None:
    history = read_history(repo.root)
    git_calls.clear()
    records = [
        rec("a", files_touched=["src/util.py"], commit=repo.c3),
        rec("b", files_touched=["README.md"], commit=repo.c3),
        rec("c", files_touched=["docs/old.md"], commit=repo.c2),
        rec("d", files_touched=["src/app.py"], commit="deadbeef"),
        rec("e", files_touched=["src/app.py"]),
    ]

    errors = check_git(records, repo.root, history=history)

    # ls-files (HEAD), cat-file (commits), log (two distinct commits), cat-file (paths at commits)
    assert [c[0] for c in git_calls] == ["ls-files", "cat-file", "log", "cat-file"]
    assert next(c for c in git_calls if c[0] == "log")[1] == "--stdin"
    assert {e.code for e in errors} == {"git.file_unlisted", "git.commit_unknown"}


def test_no_repository_is_a_single_warning(tmp_path: Path, git_calls: list[list[str]]) -> None:
    records = [rec(files_touched=["a.py"], commit="deadbeef"), rec("b", files_touched=["b.py"])]

    errors = check_git(records, tmp_path)

    assert found(errors) == [("git.unavailable", "mkdocs.yml", None, Severity.WARNING)]
    assert errors[0].message.startswith("files_touched and commit were not checked against git")
    assert [c[0] for c in git_calls] == ["rev-parse"]
    # With a history read this run, the verdict is reused: no git at all.
    git_calls.clear()
    assert len(check_git(records, tmp_path, history=History(available=False))) == 1
    assert git_calls == []


def test_records_without_claims_need_no_git(tmp_path: Path, git_calls: list[list[str]]) -> None:
    assert check_git([rec(files_touched=[])], tmp_path) == []
    assert git_calls == []


def test_a_shallow_clone_warns_instead_of_reporting_false_errors(
    repo: Repo, tmp_path: Path
) -> None:
    clone = shallow_clone(repo, tmp_path, depth=1)
    records = [
        rec("old", files_touched=["docs/old.md"], commit=repo.c2),  # not fetched
        rec("edge", files_touched=["src/app.py"], commit=repo.c4),  # fetched, without parents
        rec("plain", files_touched=["src/nope.py"]),  # HEAD alone proves this one wrong
    ]

    errors = check_git(records, clone)

    assert [(e.code, e.file, e.severity) for e in sorted(errors, key=RecordError.sort_key)] == [
        ("git.shallow", "changes/old.md", Severity.WARNING),
        ("git.file_missing", "changes/plain.md", Severity.ERROR),
    ]
    shallow = next(e for e in errors if e.code == "git.shallow")
    assert shallow.message == (
        f"commit '{repo.c2}' is not in this checkout (and 1 other record); "
        "files_touched were checked against HEAD only"
    )
    assert shallow.hint is not None
    assert "fetch-depth: 0" in shallow.hint


def test_a_merge_commit_changed_what_it_brought_into_its_first_parent(tmp_path: Path) -> None:
    root = tmp_path / "merges"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(root, "Alice", "2024-01-01T10:00:00+00:00", write={"base.txt": "base\n"})
    git(root, "checkout", "-q", "-b", "feature")
    commit(root, "Bob", "2024-01-02T10:00:00+00:00", write={"feature.txt": "f\n"})
    git(root, "checkout", "-q", "main")
    commit(root, "Carol", "2024-01-03T10:00:00+00:00", write={"main.txt": "m\n"})
    date = "2024-01-04T10:00:00+00:00"
    env = _env(
        root,
        GIT_AUTHOR_NAME="Dave",
        GIT_AUTHOR_EMAIL="dave@example.com",
        GIT_AUTHOR_DATE=date,
        GIT_COMMITTER_DATE=date,
    )
    git(root, "merge", "-q", "--no-ff", "-m", "Merge feature", "feature", env=env)
    merge = git(root, "rev-parse", "HEAD")

    assert check_git([rec(files_touched=["feature.txt"], commit=merge)], root) == []
    errors = check_git([rec(files_touched=["main.txt"], commit=merge)], root)
    assert sorted(e.code for e in errors) == ["git.file_unlisted", "git.file_untouched"]


def test_paths_are_relative_to_the_repository_not_the_project(repo: Repo) -> None:
    project = repo.root / "docs"  # mkdocs.yml could live here

    assert check_git([rec(files_touched=["docs/index.md"])], project) == []
    errors = check_git([rec(files_touched=["index.md"])], project)
    assert [e.hint for e in errors] == [
        "did you mean 'docs/index.md'? If the change deleted it, set 'commit' to the commit that did"
    ]


def test_resolve_commits_in_one_call(repo: Repo, git_calls: list[list[str]]) -> None:
    resolved = resolve_commits(repo.root, ["main", repo.c1[:8], "nope", "two\nlines"])

    assert resolved == {"main": repo.c4, repo.c1[:8]: repo.c1, "nope": None, "two\nlines": None}
    assert len(git_calls) == 1


# --- repo_links -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("repo_url", "commit", "path", "expected"),
    [
        (
            "https://github.com/org/app",
            None,
            "src/my file#1.py",
            "https://github.com/org/app/blob/HEAD/src/my%20file%231.py",
        ),
        (
            "https://github.com/org/app.git/",
            "abc123",
            None,
            "https://github.com/org/app/commit/abc123",
        ),
        (
            "https://github.com/org/app",
            "abc123",
            "./docs/ü.md",
            "https://github.com/org/app/blob/abc123/docs/%C3%BC.md",
        ),
        (
            "https://gitlab.com/group/sub/app",
            None,
            "src/app.py",
            "https://gitlab.com/group/sub/app/-/blob/HEAD/src/app.py",
        ),
        (
            "https://gitlab.example.org/g/app/",
            "abc123",
            None,
            "https://gitlab.example.org/g/app/-/commit/abc123",
        ),
        (
            "https://codeberg.org/o/app",
            None,
            "a.py",
            "https://codeberg.org/o/app/src/branch/HEAD/a.py",
        ),
        ("https://codeberg.org/o/app", "abc123", None, "https://codeberg.org/o/app/commit/abc123"),
        (
            "https://user:token@github.com/org/app",
            "abc",
            None,
            "https://github.com/org/app/commit/abc",
        ),
        ("javascript:alert(1)//github.com/org/app", "abc", None, None),
        ("ftp://github.com/org/app", "abc", None, None),
        ("https://github.com/org/app", None, "../etc/passwd", None),
        ("https://github.com/org/app", None, None, None),
        ("https://github.com/org/app\n/x", "abc", None, None),
        (" https://github.com/org/app\n", "abc", None, "https://github.com/org/app/commit/abc"),
    ],
)
def test_repo_links(
    repo_url: str, commit: str | None, path: str | None, expected: str | None
) -> None:
    assert repo_links(repo_url, commit=commit, path=path) == expected


def test_repo_links_to_a_folder_and_with_a_forge_given() -> None:
    assert (
        repo_links("https://github.com/org/app", commit=None, path="src", folder=True)
        == "https://github.com/org/app/tree/HEAD/src"
    )
    assert (
        repo_links("https://git.example.com/org/app", commit="abc", path=None, forge="gitlab")
        == "https://git.example.com/org/app/-/commit/abc"
    )
