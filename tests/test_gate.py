"""gate: what changed since a revision (real git), the record requirement, the changed-only check."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from changetrail.errors import ConfigError, RecordError
from changetrail.gate import (
    ChangedPaths,
    changed_paths,
    default_code_globs,
    load_selected,
    require_record,
    select_changed,
)
from changetrail.loader import discover
from changetrail.settings import Settings
from conftest import TODAY, record, write_files

REPO_ROOT = Path(__file__).resolve().parents[1]
GLOBS = default_code_globs()


@pytest.fixture(autouse=True)
def git_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """Isolate git from the user's and the system's configuration; fix the identity."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    for role in ("AUTHOR", "COMMITTER"):
        monkeypatch.setenv(f"GIT_{role}_NAME", "Test")
        monkeypatch.setenv(f"GIT_{role}_EMAIL", "test@example.com")
        monkeypatch.setenv(f"GIT_{role}_DATE", "2024-03-04T12:00:00Z")


def git(repo: Path, *args: str) -> str:
    done = subprocess.run(
        ["git", *args], cwd=repo, capture_output=True, text=True, check=True, timeout=30
    )
    return done.stdout


def commit(repo: Path, files: dict[str, str], message: str = "change") -> None:
    write_files(repo, files)
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", message)


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A repository on 'main' with a site, two records and some code; HEAD on branch 'feature'."""
    root = tmp_path / "repo"
    root.mkdir()
    git(root, "init", "-q", "-b", "main")
    commit(
        root,
        {
            "mkdocs.yml": "site_name: t\nplugins:\n  - changetrail\n",
            "README.md": "# t\n",
            "docs/index.md": "# Home\n",
            "changes/2024-01-01-first.md": record(),
            "changes/2024-01-02-second.md": record(related=["2024-01-01-first"]),
            "src/app.py": "print('hi')\n",
        },
        "initial",
    )
    git(root, "checkout", "-q", "-b", "feature")
    return root


def gate(repo: Path, since: str = "main") -> list[RecordError]:
    return require_record(changed_paths(repo, since), code_globs=GLOBS, changes_dir="changes")


def test_a_code_change_without_a_record_fails_naming_the_path(repo: Path) -> None:
    commit(repo, {"src/app.py": "print('hello')\n"})
    [error] = gate(repo)
    assert error.code == "gate.no_record"
    assert (error.file, error.line, error.column) == ("src/app.py", 1, 1)
    assert error.message == (
        "1 code file changed since main but no change record was added or changed: src/app.py"
    )
    assert error.expected == "a new or changed record in changes/"
    assert error.hint == (
        'write one with: changetrail new "TITLE" --from-commit HEAD, fill it in and commit it'
    )


def test_a_code_change_with_a_new_record_passes(repo: Path) -> None:
    commit(repo, {"src/app.py": "print('hello')\n"})
    commit(repo, {"changes/2024-03-04-greeting.md": record(title="Say hello")})
    assert gate(repo) == []


def test_changing_an_existing_record_counts(repo: Path) -> None:
    commit(
        repo,
        {"src/app.py": "x = 1\n", "changes/2024-01-01-first.md": record(owner="bob")},
    )
    assert gate(repo) == []


def test_docs_records_and_root_markdown_are_not_code(repo: Path) -> None:
    commit(repo, {"docs/guide.md": "# Guide\n", "README.md": "# t, again\n"})
    assert gate(repo) == []
    assert set(changed_paths(repo, "main").staged) == {"docs/guide.md", "README.md"}


def test_deleting_a_record_is_not_a_record_and_many_paths_are_counted(repo: Path) -> None:
    git(repo, "rm", "-q", "changes/2024-01-02-second.md")
    commit(repo, {f"src/m{i}.py": "" for i in range(7)} | {"sub/README.md": "x\n"})
    [error] = gate(repo)
    assert error.message.endswith(
        "8 code files changed since main but no change record was added or changed: "
        "src/m0.py, src/m1.py, src/m2.py, src/m3.py, src/m4.py and 3 more"
    )


def test_only_what_is_committed_or_staged_counts(repo: Path) -> None:
    commit(repo, {"src/app.py": "x = 2\n"})
    write_files(repo, {"changes/2024-03-04-wip.md": record()})  # on disk, not added
    [error] = gate(repo)
    wip = "changes/2024-03-04-wip.md"
    assert error.hint == f"{wip} is not committed or staged: git add {wip}"
    git(repo, "add", "changes/2024-03-04-wip.md")
    assert gate(repo) == []


def test_pre_commit_mode_judges_the_staged_changes(repo: Path) -> None:
    write_files(repo, {"src/app.py": "x = 3\n", "src/other.py": "y = 1\n"})
    assert gate(repo, "HEAD") == []  # nothing staged yet
    git(repo, "add", "src/app.py")
    [error] = gate(repo, "HEAD")
    assert error.message.startswith("1 code file changed since HEAD")
    write_files(repo, {"changes/2024-03-04-x.md": record()})
    git(repo, "add", "changes")
    assert gate(repo, "HEAD") == []


def test_the_first_commit_of_a_repository_can_be_gated(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    write_files(tmp_path, {"src/app.py": "x = 1\n"})
    git(tmp_path, "add", "-A")
    [error] = gate(tmp_path, "HEAD")
    assert error.file == "src/app.py"


def test_only_changes_since_the_merge_base_count(repo: Path) -> None:
    """Commits on main after the branch point are not the pull request's (REV...HEAD)."""
    commit(repo, {"docs/guide.md": "# Guide\n"})
    git(repo, "checkout", "-q", "main")
    commit(repo, {"src/app.py": "on main\n"})
    git(repo, "checkout", "-q", "feature")
    changed = changed_paths(repo, "main")
    assert dict(changed.staged) == {"docs/guide.md": "A"}
    assert gate(repo) == []


def test_configurable_code_globs(repo: Path) -> None:
    commit(repo, {"tests/test_app.py": "", "scripts/tool.sh": ""})
    changed = changed_paths(repo, "main")
    only_src = require_record(changed, code_globs=["src/**"], changes_dir="changes")
    assert only_src == []
    everything = require_record(changed, code_globs=["*", "!tests/"], changes_dir="changes")
    assert [e.file for e in everything] == ["scripts/tool.sh"]
    assert default_code_globs("notes/changes", "site/docs") == [
        "*",
        "!/site/docs/**",
        "!/notes/changes/**",
        "!/*.md",
    ]


def test_a_revision_that_does_not_resolve_is_a_usage_error(repo: Path) -> None:
    with pytest.raises(ConfigError, match=r"'origin/main' is not a commit .* \(git fetch\)"):
        changed_paths(repo, "origin/main")
    with pytest.raises(ConfigError, match="is not a revision"):
        changed_paths(repo, "--output=x")
    with pytest.raises(ConfigError, match="not inside a git repository"):
        changed_paths(repo.parent, "main")


def test_a_shallow_clone_says_how_to_fetch_the_history(repo: Path, tmp_path: Path) -> None:
    commit(repo, {"src/app.py": "1\n"})
    commit(repo, {"src/app.py": "2\n"})
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", "--depth", "1", "--branch", "feature", f"file://{repo}", "clone")
    with pytest.raises(ConfigError, match="fetch-depth: 0"):
        changed_paths(clone, "HEAD~2")


def test_paths_are_relative_to_the_repository_when_the_site_is_in_a_subfolder(
    tmp_path: Path,
) -> None:
    git(tmp_path, "init", "-q", "-b", "main")
    commit(tmp_path, {"site/mkdocs.yml": "site_name: t\n", "app.py": ""})
    commit(tmp_path, {"app.py": "x\n", "site/changes/2024-03-04-a.md": record()})
    changed = changed_paths(tmp_path / "site", "HEAD~1")
    assert changed.repo_path(tmp_path / "site" / "changes") == "site/changes"
    assert require_record(changed, code_globs=["*"], changes_dir="site/changes") == []
    assert require_record(changed, code_globs=["*"], changes_dir="changes") != []


# --- check --changed-since: select and load only what changed ---------------------------------


def test_select_changed_picks_only_changed_records_and_pages(repo: Path) -> None:
    commit(
        repo,
        {
            "changes/2024-01-02-second.md": record(owner="carol"),
            "docs/howto.md": "# How to\n",
            "docs/_partial.md": "x\n",
            "src/app.py": "y\n",
        },
    )
    write_files(repo, {"changes/2024-03-04-new.md": record()})  # untracked: on disk
    files = discover(repo / "changes")
    selection = select_changed(
        files, changed_paths(repo, "main"), docs_dir=repo / "docs", config_file=repo / "mkdocs.yml"
    )
    assert [p.name for p in selection.records] == ["2024-01-02-second.md", "2024-03-04-new.md"]
    assert [p.name for p in selection.pages] == ["howto.md"]
    assert selection.known_ids == {"2024-01-01-first", "2024-01-02-second", "2024-03-04-new"}
    assert selection.full is None
    assert not selection.empty


def test_a_changed_configuration_asks_for_a_full_check(repo: Path) -> None:
    commit(repo, {"mkdocs.yml": "site_name: renamed\nplugins:\n  - changetrail\n"})
    selection = select_changed(
        discover(repo / "changes"), changed_paths(repo, "main"), config_file=repo / "mkdocs.yml"
    )
    assert selection.full == "mkdocs.yml changed since main"
    assert selection.records == ()


def test_nothing_changed_selects_nothing(repo: Path) -> None:
    selection = select_changed(discover(repo / "changes"), changed_paths(repo, "main"))
    assert selection.empty


def test_load_selected_reads_only_changed_files_and_resolves_ids_against_all(
    repo: Path,
) -> None:
    # An unchanged broken record must not be reported; a changed one relates to an unchanged one.
    git(repo, "checkout", "-q", "main")
    commit(repo, {"changes/2024-01-03-broken.md": "not a record\n"})
    git(repo, "checkout", "-q", "feature")
    git(repo, "merge", "-q", "main")
    commit(
        repo,
        {
            "changes/2024-01-02-second.md": record(related=["2024-01-01-first", "2024-01-09-gone"]),
            "docs/guide.md": "---\nkind: article\ntitle: Guide\n---\n\nText.\n",
            "docs/plain.md": "# Not an article\n",
        },
    )
    files = discover(repo / "changes")
    selection = select_changed(files, changed_paths(repo, "main"), docs_dir=repo / "docs")
    project = load_selected(repo, Settings(), selection, docs_dir=repo / "docs", today=TODAY)
    assert [r.id for r in project.catalog.records] == ["2024-01-02-second"]
    assert [a.path for a in project.catalog.articles] == ["docs/guide.md"]
    assert project.files == 2
    assert [(e.code, e.file, e.field) for e in project.errors] == [
        ("related.not_found", "changes/2024-01-02-second.md", "related[1]")
    ]


def test_changed_paths_lists_all_three_states(repo: Path) -> None:
    commit(repo, {"src/committed.py": ""})
    write_files(repo, {"src/staged.py": "", "src/unstaged.py": "", "src/app.py": "edited\n"})
    git(repo, "add", "src/staged.py")
    changed = changed_paths(repo, "main")
    assert isinstance(changed, ChangedPaths)
    assert dict(changed.staged) == {"src/committed.py": "A", "src/staged.py": "A"}
    assert dict(changed.on_disk) == {
        "src/app.py": "M",
        "src/committed.py": "A",
        "src/staged.py": "A",
        "src/unstaged.py": "A",
    }
    assert len(changed.base) == 40


# --- the pre-commit hooks this repository publishes ------------------------------------------


def test_pre_commit_hook_definitions() -> None:
    hooks = yaml.safe_load((REPO_ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    by_id = {h["id"]: h for h in hooks}
    assert set(by_id) == {"changetrail-check", "changetrail-require-record"}
    for hook in hooks:
        assert {"id", "name", "entry", "language"} <= set(hook)
        assert hook["language"] == "python"
    check = by_id["changetrail-check"]
    assert check["entry"] == "changetrail check"
    assert check["files"] == r"^(changes|docs)/.*\.md$"
    assert check["pass_filenames"] is True
    gate_hook = by_id["changetrail-require-record"]
    assert gate_hook["entry"] == "changetrail check --changed-since HEAD --require-record"
    assert gate_hook["pass_filenames"] is False
    assert gate_hook["always_run"] is True
