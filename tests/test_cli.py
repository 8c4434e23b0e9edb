"""The changetrail command, through click's CliRunner: whole output and exit codes."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
import subprocess
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from click.testing import CliRunner, Result

from changetrail.cli import cli
from changetrail.frontmatter import Frontmatter, split
from changetrail.models import ChangeRecord
from conftest import OMIT, MakeSite, record, write_files

if TYPE_CHECKING:
    from pathlib import Path

ERROR_KEYS = [
    "file",
    "line",
    "column",
    "field",
    "code",
    "message",
    "expected",
    "got",
    "hint",
    "severity",
]


@pytest.fixture(autouse=True)
def _restore_mkdocs_logging() -> Iterator[None]:
    # `changetrail build` configures the "mkdocs" logger for a terminal (its own handler, no
    # propagation); undo that so later tests' caplog still sees MkDocs' records.
    logger = logging.getLogger("mkdocs")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


@pytest.fixture
def in_site(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> Any:
    """Make a site and chdir into it."""

    def make(files: dict[str, str | bytes] | None = None) -> Path:
        root = make_site(files)
        monkeypatch.chdir(root)
        return root

    return make


def local_today() -> dt.date:
    return dt.datetime.now().astimezone().date()


# -- check ------------------------------------------------------------------------------------


def test_check_clean(in_site: Any) -> None:
    in_site({"changes/2024-03-04-a.md": record(), "changes/2024-03-05-b.md": record()})
    result = run("check")
    assert (result.exit_code, result.output) == (0, "2 records checked, no problems\n")


def test_check_with_an_empty_records_folder(in_site: Any) -> None:
    root = in_site()
    (root / "changes").mkdir()
    result = run("check")
    assert (result.exit_code, result.output) == (0, "0 records checked, no problems\n")


def test_check_without_a_records_folder_is_a_usage_error(in_site: Any) -> None:
    """A wrong folder (or a typo in changes_dir) must not pass as "no problems"."""
    in_site()
    result = run("check")
    assert result.exit_code == 2
    assert result.stdout == ""
    assert result.stderr.startswith("Error: no records folder at changes and no articles in docs; ")


def test_check_reports_every_problem_and_exits_1(in_site: Any) -> None:
    in_site(
        {
            "changes/2024-03-04-a.md": record(status="done"),
            "changes/2024-03-05-b.md": record(metrics=[]),
            "changes/2024-03-06-c.md": record(),
        }
    )
    result = run("check")
    assert result.exit_code == 1
    assert result.output == (
        "changes/2024-03-04-a.md:5:9: status: expected one of draft, planned, in-progress, "
        "shipped, rolled-back, abandoned; got 'done'\n"
        "  hint: did you mean 'shipped'?\n"
        "changes/2024-03-05-b.md:10:1: metrics: required when status is 'shipped'; is empty; "
        "expected at least one entry\n"
        "  hint: add a measurement, e.g.\n"
        "    metrics:\n"
        "      - {name: p95 latency, before: 820, after: 95, unit: ms, better: lower}\n"
        "\n"
        "2 errors in 2 of 3 files checked\n"
    )


@pytest.mark.parametrize("args", [(), ("--format", "json"), ("--format", "github")])
def test_the_console_script_prints_all_and_exits_like_the_command(
    in_site: Any, args: tuple[str, ...]
) -> None:
    # The script ends a check's process without freeing its objects; nothing may be lost.
    files = {f"changes/2024-03-{d:02d}-a.md": record(status="done") for d in range(1, 29)}
    root = in_site({**files, "changes/2024-04-01-b.md": record()})
    inside = run("check", *args)
    script = subprocess.run(
        [sys.executable, "-m", "changetrail", "check", *args],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert script.returncode == inside.exit_code == 1
    assert (script.stdout, script.stderr) == (inside.stdout, inside.stderr)
    clean = subprocess.run(
        [sys.executable, "-m", "changetrail", "check", "changes/2024-04-01-b.md"],
        cwd=root,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert clean.returncode == 0
    assert clean.stdout == "1 record checked, no problems\n"


def test_a_profiled_check_still_writes_its_profile(in_site: Any, tmp_path: Path) -> None:
    root = in_site({"changes/2024-03-04-a.md": record()})
    profile = tmp_path / "check.prof"
    command = [sys.executable, "-m", "cProfile", "-o", str(profile), "-m", "changetrail", "check"]
    done = subprocess.run(command, cwd=root, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert profile.stat().st_size > 0


def test_check_json(in_site: Any) -> None:
    in_site({"changes/2024-03-04-a.md": record(status="done"), "changes/b.md": ""})
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert isinstance(found, list)
    assert all(sorted(item) == sorted(ERROR_KEYS) for item in found)
    assert found == [
        {
            "file": "changes/2024-03-04-a.md",
            "line": 5,
            "column": 9,
            "field": "status",
            "code": "enum",
            "message": "expected one of draft, planned, in-progress, shipped, rolled-back, "
            "abandoned; got 'done'",
            "expected": "one of draft, planned, in-progress, shipped, rolled-back, abandoned",
            "got": "'done'",
            "hint": "did you mean 'shipped'?",
            "severity": "error",
        },
        {
            "file": "changes/b.md",
            "line": 1,
            "column": 1,
            "field": None,
            "code": "empty",
            "message": "file is empty",
            "expected": None,
            "got": None,
            "hint": """run 'changetrail new "TITLE"' to start from a complete template""",
            "severity": "error",
        },
    ]


def test_check_json_when_clean_is_an_empty_list(in_site: Any) -> None:
    in_site({"changes/2024-03-04-a.md": record()})
    result = run("check", "--format", "json")
    assert (result.exit_code, json.loads(result.stdout)) == (0, [])


def test_check_github(in_site: Any) -> None:
    in_site({"changes/2024-03-04-a.md": record(status="done"), "changes/b.md": ""})
    result = run("check", "--format", "github")
    assert result.exit_code == 1
    assert result.stdout.splitlines() == [
        (
            "::error file=changes/2024-03-04-a.md,line=5,col=9,title=changetrail enum (status)::"
            "status: expected one of draft, planned, in-progress, shipped, rolled-back, "
            "abandoned; got 'done'%0A  hint: did you mean 'shipped'?"
        ),
        (
            "::error file=changes/b.md,line=1,col=1,title=changetrail empty::file is empty%0A"
            """  hint: run 'changetrail new "TITLE"' to start from a complete template"""
        ),
    ]
    assert result.stderr == "2 errors in 2 of 2 files checked\n"


def test_check_paths_limit_the_report_but_not_the_references(in_site: Any) -> None:
    in_site(
        {
            "changes/2024-03-01-target.md": record(),
            "changes/2024-03-04-a.md": record(related=["2024-03-01-target"]),
            "changes/db/2024-03-05-b.md": record(related=["nope"]),
            "changes/db/2024-03-06-c.md": record(status="done"),
        }
    )
    result = run("check", "changes/2024-03-04-a.md")
    assert (result.exit_code, result.output) == (0, "1 record checked, no problems\n")
    result = run("check", "changes/db/2024-03-05-b.md")
    assert result.exit_code == 1
    assert result.output == (
        "changes/db/2024-03-05-b.md:12:11: related[0]: no record with id 'nope'; "
        "expected the id of an existing record\n"
        "  hint: use a file name from the changes folder, without '.md'\n"
        "\n"
        "1 error in 1 of 1 file checked\n"
    )
    result = run("check", "changes/db")
    assert result.exit_code == 1
    assert result.output.endswith("\n2 errors in 2 of 2 files checked\n")


def test_a_reference_to_an_invalid_record_is_not_reported_as_missing(in_site: Any) -> None:
    """The real cause is the target's own problem; "no record with id" would mislead."""
    in_site(
        {
            "changes/2024-03-01-target.md": record(status="done"),
            "changes/2024-03-04-a.md": record(related=["2024-03-01-target"]),
        }
    )
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    assert [(p["file"], p["code"]) for p in json.loads(result.stdout)] == [
        ("changes/2024-03-01-target.md", "enum")
    ]


def test_check_a_path_outside_the_changes_folder(in_site: Any) -> None:
    in_site({"elsewhere/2024-03-04-x.md": record(title=""), "changes/2024-03-04-a.md": record()})
    result = run("check", "elsewhere/2024-03-04-x.md")
    assert result.exit_code == 1
    assert result.output.splitlines()[0] == (
        "elsewhere/2024-03-04-x.md:2:8: title: expected a non-empty value; got ''"
    )


def test_check_missing_path_is_a_usage_error(in_site: Any) -> None:
    in_site()
    result = run("check", "nope.md")
    assert result.exit_code == 2
    assert "Path 'nope.md' does not exist" in result.stderr


@pytest.mark.parametrize(
    ("yml", "message"),
    [
        (
            "site_name: t\nplugins:\n  - changetrail:\n      chnages_dir: x\n",
            (
                "Error: mkdocs.yml: plugins.changetrail.chnages_dir: unknown option; "
                "did you mean 'changes_dir'?\n"
            ),
        ),
        (
            "site_name: t\nplugins:\n  - changetrail:\n      required: {metric: [shipped]}\n",
            (
                "Error: mkdocs.yml: plugins.changetrail.required: 'metric' is not a "
                "status-dependent field; expected one of files_touched, commands, metrics, "
                "rollback. did you mean 'metrics'?\n"
            ),
        ),
        ("site_name: [unclosed\n", None),
        ("- just\n- a list\n", "Error: mkdocs.yml: expected a mapping of options\n"),
    ],
)
def test_bad_mkdocs_yml_exits_2(in_site: Any, yml: str, message: str | None) -> None:
    in_site({"mkdocs.yml": yml})
    result = run("check")
    assert result.exit_code == 2
    assert result.stdout == ""
    if message is None:
        assert result.stderr.startswith("Error: mkdocs.yml: not valid YAML: ")
    else:
        assert result.stderr == message


def test_mkdocs_yml_with_mkdocs_tags_is_read(in_site: Any) -> None:
    yml = (
        "site_name: !ENV [SITE_NAME, 't']\n"
        "markdown_extensions:\n  - pymdownx.emoji:\n"
        "      emoji_index: !!python/name:material.extensions.emoji.twemoji\n"
        "plugins:\n  - changetrail:\n      changes_dir: log\n"
    )
    in_site({"mkdocs.yml": yml, "log/2024-03-04-a.md": record(status="done")})
    result = run("check")
    assert result.exit_code == 1
    assert result.output.startswith("log/2024-03-04-a.md:5:9: status:")


# -- new --------------------------------------------------------------------------------------


def git(repo: Path, *args: str) -> str:
    out = subprocess.run(
        ["git", *args], cwd=repo, check=True, capture_output=True, text=True, timeout=30
    )
    return out.stdout


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    # Only the repository a test makes counts: no user-wide config, no inherited repository.
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


@pytest.fixture
def repo(in_site: Any) -> Path:
    root: Path = in_site()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Alice Example")
    git(root, "config", "user.email", "alice@example.com")
    git(root, "config", "commit.gpgsign", "false")
    write_files(root, {"src/orders.py": "x = 1\n", "db/migrations/0042.sql": "create index;\n"})
    git(root, "add", "src/orders.py", "db/migrations/0042.sql")
    return root


TITLE = "Add index on orders.created_at"


def new_path() -> str:
    return f"changes/{local_today().isoformat()}-add-index-on-orders-created-at.md"


def read_frontmatter(path: Path) -> Frontmatter:
    fm = split(path.read_text(encoding="utf-8"), str(path))
    assert isinstance(fm, Frontmatter), fm
    return fm


def test_new_writes_a_record_from_git(repo: Path) -> None:
    result = run("new", TITLE)
    assert (result.exit_code, result.output) == (0, f"{new_path()}\n")
    fm = read_frontmatter(repo / new_path())
    assert fm.data["title"] == TITLE
    assert fm.data["owner"] == "Alice Example"
    assert fm.data["date"] == local_today()
    assert fm.data["status"] == "shipped"
    assert fm.data["files_touched"] == ["db/migrations/0042.sql", "src/orders.py"]
    assert "commit" not in fm.data
    assert [next(iter(i.values())) for i in fm.data["checklist"]] == [
        "capture the current behavior",
        "create a safe backup",
        "test the smallest change",
        "watch logs after release",
        "write the final note",
    ]


def test_new_never_overwrites_without_force(repo: Path) -> None:
    assert run("new", TITLE).exit_code == 0
    path = repo / new_path()
    path.write_text(path.read_text(encoding="utf-8") + "\nMy notes.\n", encoding="utf-8")
    before = path.read_bytes()

    again = run("new", TITLE)
    assert again.exit_code == 1
    assert again.stdout == ""
    assert again.stderr == (
        f"Error: {new_path()} already exists; nothing was written. "
        "Edit that file, choose another title, or pass --force to replace it.\n"
    )
    assert path.read_bytes() == before

    forced = run("new", TITLE, "--force", "--owner", "bob")
    assert (forced.exit_code, forced.output) == (0, f"{new_path()}\n")
    assert path.read_bytes() != before
    assert read_frontmatter(path).data["owner"] == "bob"
    assert not list(path.parent.glob(".*.tmp"))


def test_new_from_commit(repo: Path) -> None:
    git(repo, "commit", "-q", "-m", "orders index")
    write_files(repo, {"other.txt": "staged but not in the commit\n"})
    git(repo, "add", "other.txt")
    sha = git(repo, "rev-parse", "HEAD").strip()
    result = run("new", TITLE, "--from-commit", "HEAD")
    assert result.exit_code == 0
    fm = read_frontmatter(repo / new_path())
    assert fm.data["files_touched"] == ["db/migrations/0042.sql", "src/orders.py"]
    assert fm.data["commit"] == sha
    assert len(sha) == 40


def test_new_from_a_commit_that_does_not_exist(repo: Path) -> None:
    result = run("new", TITLE, "--from-commit", "nope")
    assert result.exit_code == 2
    assert result.stderr == "Error: --from-commit: 'nope' is not a commit in this repository\n"
    assert not (repo / "changes").exists()


def test_new_options(repo: Path) -> None:
    result = run(
        "new", "Rewrite search", "--status", "planned", "--area", "search", "--tag", "perf",
        "--tag", "api", "--date", "2030-01-02", "--owner", "@search-team",
    )  # fmt: skip
    assert (result.exit_code, result.output) == (0, "changes/2030-01-02-rewrite-search.md\n")
    data = read_frontmatter(repo / "changes/2030-01-02-rewrite-search.md").data
    assert (data["status"], data["area"], data["tags"], data["owner"]) == (
        "planned",
        "search",
        ["perf", "api"],
        "@search-team",
    )


@pytest.mark.parametrize(
    ("title", "slug"),
    [
        ('Fix: "search" #1 — naïve café', "fix-search-1-naive-cafe"),
        ("yes", "yes"),
        ("2024-03-04", "2024-03-04"),
        ("{{ 7*7 }} & <b>", "7-7-b"),
        ("!!!", "item"),
    ],
)
def test_new_keeps_any_title_exactly(repo: Path, title: str, slug: str) -> None:
    result = run("new", title, "--date", "2024-03-04")
    assert (result.exit_code, result.output) == (0, f"changes/2024-03-04-{slug}.md\n")
    assert read_frontmatter(repo / f"changes/2024-03-04-{slug}.md").data["title"] == title


@pytest.mark.parametrize("title", ["", "   ", "two\nlines"])
def test_new_refuses_a_bad_title(repo: Path, title: str) -> None:
    result = run("new", title)
    assert result.exit_code == 2
    assert result.stderr == "Error: TITLE must be one non-empty line\n"


def test_new_outside_git_needs_an_owner(in_site: Any) -> None:
    in_site()
    result = run("new", TITLE)
    assert result.exit_code == 2
    assert result.stderr == "Error: no owner: pass --owner NAME, or set `git config user.name`\n"
    result = run("new", TITLE, "--owner", "alice")
    assert (result.exit_code, result.output) == (0, f"{new_path()}\n")


def test_new_takes_the_email_when_git_has_no_name(in_site: Any) -> None:
    root = in_site()
    git(root, "init", "-q")
    git(root, "config", "user.email", "alice@example.com")
    assert run("new", TITLE).exit_code == 0
    assert read_frontmatter(root / new_path()).data["owner"] == "alice@example.com"


def _fill_placeholders(text: str) -> str:
    text = re.sub(r'"TODO: [^"]*"', '"filled in"', text)
    return re.sub(r"^(\s+)TODO: .*$", r"\1filled in", text, flags=re.MULTILINE)


def test_new_record_fails_check_only_on_placeholders_until_filled(repo: Path) -> None:
    assert run("new", TITLE).exit_code == 0
    path = repo / new_path()

    result = run("check", "--format", "json")
    assert result.exit_code == 1
    problems = json.loads(result.stdout)
    assert problems
    assert {p["code"] for p in problems} == {"placeholder"}
    assert {p["field"] for p in problems} == {
        "reason",
        "expected_result",
        "commands[0]",
        "metrics[0].name",
        "rollback.note",
        "rollback.command",
    }

    path.write_text(_fill_placeholders(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run("check")
    assert (result.exit_code, result.output) == (0, "1 record checked, no problems\n")


def test_new_record_without_staged_files_has_a_placeholder_path(in_site: Any) -> None:
    root = in_site()
    git(root, "init", "-q")
    assert run("new", TITLE, "--owner", "alice").exit_code == 0
    result = run("check", "--format", "json")
    fields = {p["field"] for p in json.loads(result.stdout)}
    assert "files_touched[0]" in fields


# -- schema -----------------------------------------------------------------------------------


def test_schema_change_prints_the_json_schema() -> None:
    result = run("schema", "change")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema == ChangeRecord.model_json_schema()
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "title", "date", "owner", "status", "reason", "expected_result", "files_touched",
        "commands", "metrics", "rollback", "checklist", "area", "tags", "links", "commit",
        "related",
    }  # fmt: skip
    assert sorted(schema["required"]) == sorted(
        ["title", "date", "owner", "status", "reason", "expected_result"]
    )
    assert all(prop.get("description") for prop in schema["properties"].values())
    assert run("schema").output == result.output


def _as_editor_sees_it(text: str) -> dict[str, Any]:
    """Frontmatter as a YAML language server would hand it to a JSON Schema validator."""
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    as_json: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return as_json


def test_schema_is_valid_and_accepts_records_that_check_accepts() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(run("schema", "change").output)
    validator = jsonschema.Draft202012Validator
    validator.check_schema(schema)
    good = _as_editor_sees_it(
        record(
            checklist=[{"done": "capture the current behavior"}, {"todo": "backup"}, "test it"],
            links=[{"title": "PR", "url": "https://example.com/pr/1"}],
        )
    )
    assert [e.message for e in validator(schema).iter_errors(good)] == []
    bad = _as_editor_sees_it(record(rollbak={"note": "x"}, title=OMIT))
    assert len(list(validator(schema).iter_errors(bad))) == 2


# -- build ------------------------------------------------------------------------------------


def snapshot(folder: Path) -> dict[str, bytes]:
    return {
        p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*") if p.is_file()
    }


@pytest.mark.build
def test_build_writes_the_site_and_a_failed_build_leaves_it_as_it_was(in_site: Any) -> None:
    root = in_site({"changes/2024-03-04-orders-index.md": record()})
    result = run("build")
    assert result.exit_code == 0, result.output
    assert result.stdout == ""
    assert result.stderr.endswith("Site written to site\n")
    assert (root / "site" / "changes" / "index.html").is_file()
    assert (root / "site" / "changes" / "2024-03-04-orders-index" / "index.html").is_file()
    before = snapshot(root / "site")

    write_files(root, {"changes/2024-03-05-broken.md": record(status="done")})
    failed = run("build")
    assert failed.exit_code == 1
    assert failed.stdout == ""
    assert [line for line in failed.stderr.splitlines() if not line.startswith("INFO ")] == [
        "ERROR   -  changetrail found problems in the change records and articles:",
        (
            "changes/2024-03-05-broken.md:5:9: status: expected one of draft, planned, "
            "in-progress, shipped, rolled-back, abandoned; got 'done'"
        ),
        "  hint: did you mean 'shipped'?",
        "1 error in 1 of 2 files checked",
        "Error: Aborted with a BuildError!",
        f"Build failed; the previous site in {root / 'site'} was left as it was.",
    ]
    assert snapshot(root / "site") == before
    # No staging folder is left behind; .cache holds the build cache (content-keyed).
    assert sorted(p.name for p in root.iterdir()) == [
        ".cache",
        "changes",
        "docs",
        "mkdocs.yml",
        "site",
    ]


@pytest.mark.build
def test_build_site_dir_and_strict(in_site: Any) -> None:
    root = in_site({"changes/2024-03-04-a.md": record(body="See [missing](missing.md).\n")})
    result = run("build", "--site-dir", "out")
    assert result.exit_code == 0, result.output
    assert (root / "out" / "changes" / "2024-03-04-a" / "index.html").is_file()
    strict = run("build", "--strict", "--site-dir", "out2")
    assert strict.exit_code == 1
    assert "Build failed;" in strict.stderr
    assert not (root / "out2").exists()


def test_build_needs_the_plugin(in_site: Any) -> None:
    in_site({"mkdocs.yml": "site_name: t\n"})
    result = run("build")
    assert result.exit_code == 2
    assert result.stderr == (
        "Error: mkdocs.yml does not enable the changetrail plugin; add it:\n"
        "    plugins:\n      - search\n      - changetrail\n"
    )


# -- help ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("command", [[], ["new"], ["check"], ["build"], ["serve"], ["schema"]])
def test_help(command: list[str]) -> None:
    result = run(*command, "--help")
    assert result.exit_code == 0
    assert result.output.startswith(f"Usage: cli {' '.join(command)}".rstrip() + " [OPTIONS]")


def test_version() -> None:
    result = run("--version")
    assert (result.exit_code, result.output) == (0, "changetrail, version 0.1.0\n")


def test_check_pauses_garbage_collection_but_not_for_the_link_build(
    in_site: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    import gc

    from changetrail import cli as cli_module

    in_site({"changes/2024-03-04-a.md": record()})
    seen: dict[str, bool] = {}
    load_project = cli_module.load_project
    link_errors = cli_module._link_errors

    def loading(*args: Any, **kwargs: Any) -> Any:
        seen["load"] = gc.isenabled()
        return load_project(*args, **kwargs)

    def linking(*args: Any, **kwargs: Any) -> Any:
        seen["links"] = gc.isenabled()
        return link_errors(*args, **kwargs)

    monkeypatch.setattr(cli_module, "load_project", loading)
    monkeypatch.setattr(cli_module, "_link_errors", linking)
    assert gc.isenabled()
    assert run("check").exit_code == 0
    assert seen == {"load": False, "links": True}
    assert gc.isenabled()
