"""Golden files for error messages: one broken record per file, the whole report compared.

Each ``golden/errors/*.yml`` holds ``files`` (path -> text), optionally ``encode`` (a codec the
text is saved in, to test files that are not UTF-8) and ``today``, and last the ``expected``
``changetrail check`` lines. Refresh with ``pytest --update-goldens`` and review the diff.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from click.testing import CliRunner

from changetrail.cli import cli
from changetrail.errors import (
    ChangetrailError,
    RecordError,
    RecordErrors,
    Severity,
    close_match_hint,
    format_errors,
    show_value,
    summarize,
)
from changetrail.pipeline import load_project
from changetrail.settings import Settings
from conftest import TODAY, MakeSite

if TYPE_CHECKING:
    import datetime as dt


GOLDEN_DIR = Path(__file__).parent / "golden" / "errors"
GOLDEN_FILES = sorted(GOLDEN_DIR.glob("*.yml"))


def read_golden(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(data, dict), path
    assert list(data)[-1] == "expected", f"{path}: 'expected' must be the last key"
    return data


def write_expected(path: Path, output: str) -> None:
    """Replace everything from the ``expected:`` line on, keeping the input as written."""
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("\nexpected:") + 1]
    body = "".join(f"  {line}\n" if line else "\n" for line in output.split("\n"))
    path.write_text(f"{head}expected: |\n{body}", encoding="utf-8")


def site_files(case: dict[str, Any]) -> dict[str, str | bytes]:
    codec = case.get("encode")
    files: dict[str, str | bytes] = {}
    for rel, text in case["files"].items():
        files[rel] = text.encode(codec) if codec else text
    return files


def check_output(root: Path, today: dt.date) -> tuple[str, tuple[RecordError, ...]]:
    project = load_project(root, Settings(), today=today)
    return format_errors(project.errors), project.errors


def test_golden_files_exist() -> None:
    assert len(GOLDEN_FILES) >= 30


@pytest.mark.parametrize("golden", GOLDEN_FILES, ids=[p.stem for p in GOLDEN_FILES])
def test_error_golden(golden: Path, make_site: MakeSite, *, update_goldens: bool) -> None:
    case = read_golden(golden)
    root = make_site(site_files(case))
    output, errors = check_output(root, case.get("today", TODAY))

    assert errors, "a broken record must give at least one error"
    assert all(e.severity is Severity.ERROR for e in errors)
    for err in errors:
        # Lines point into the file on disk.
        text = (root / err.file).read_bytes()
        if err.line is not None:
            assert 1 <= err.line <= text.count(b"\n") + 1, err
        assert err.column is None or err.column >= 1, err
        assert "Traceback" not in err.message
    if update_goldens:
        write_expected(golden, output)
        return
    assert output == case["expected"].rstrip("\n")


def test_messages_say_expected_and_got_once(make_site: MakeSite) -> None:
    """Each problem says what was expected and what was found at most once."""
    repeated = []
    for golden in GOLDEN_FILES:
        case = read_golden(golden)
        root = make_site(site_files(case), name=golden.stem)
        try:
            _, errors = check_output(root, case.get("today", TODAY))
        except Exception:
            continue
        for err in errors:
            line = err.format_text().split("\n")[0].split(": ", 1)[1]
            if line.count("expected ") > 1 or line.count("got ") > 1:
                repeated.append(f"{golden.stem}: {line}")
    assert repeated == []


def test_five_problems_in_one_file_are_all_reported(make_site: MakeSite) -> None:
    case = read_golden(GOLDEN_DIR / "five-problems.yml")
    root = make_site(site_files(case))
    _, errors = check_output(root, TODAY)
    fields = [e.field for e in errors]
    assert fields == ["date", "owner", "status", "metrics[0].before", "rollbak"]
    assert [e.line for e in errors] == [3, 4, 5, 14, 18]


def test_problems_in_many_files_are_all_reported(make_site: MakeSite) -> None:
    cases = [read_golden(GOLDEN_DIR / f"{n}.yml") for n in ("status-done", "empty-file")]
    root = make_site(
        {
            "changes/a.md": cases[0]["files"]["changes/2024-03-04-orders-index.md"],
            "changes/b.md": "",
            "changes/c.md": "---\ntitle: x\n",
        }
    )
    _, errors = check_output(root, TODAY)
    assert [(e.file, e.code) for e in errors] == [
        ("changes/a.md", "enum"),
        ("changes/b.md", "empty"),
        ("changes/c.md", "frontmatter.unclosed"),
    ]


def test_issue_example_through_the_cli(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Done-when point 3: text, json and github formats carry the same findings."""
    case = read_golden(GOLDEN_DIR / "five-problems.yml")
    root = make_site(site_files(case))
    monkeypatch.chdir(root)
    runner = CliRunner()

    text = runner.invoke(cli, ["check"])
    assert text.exit_code == 1
    expected = case["expected"].rstrip("\n")
    assert text.output == f"{expected}\n\n5 errors in 1 of 1 file checked\n"

    as_json = runner.invoke(cli, ["check", "--format", "json"])
    assert as_json.exit_code == 1
    found = json.loads(as_json.stdout)
    assert [(e["line"], e["field"]) for e in found] == [
        (3, "date"),
        (4, "owner"),
        (5, "status"),
        (14, "metrics[0].before"),
        (18, "rollbak"),
    ]

    github = runner.invoke(cli, ["check", "--format", "github"])
    assert github.exit_code == 1
    lines = github.stdout.splitlines()
    assert len(lines) == 5
    assert all(
        line.startswith("::error file=changes/2024-03-04-orders-index.md,line=") for line in lines
    )


# -- the error shape and its formats ------------------------------------------------------------


def make_error(**overrides: Any) -> RecordError:

    fields: dict[str, Any] = {
        "code": "enum",
        "file": "changes/a.md",
        "line": 5,
        "column": 9,
        "field": "status",
        "message": "expected one of draft, shipped; got 'done'",
    }
    fields.update(overrides)
    return RecordError(**fields)


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        ("done", "'done'"),
        ("it's", "'it\\'s'"),
        ("a\tb\nc\x00d\x1b", "'a\\tb\\nc\\x00d\\x1b'"),
        ("back\\slash", "'back\\\\slash'"),
        ("x" * 81, "'" + "x" * 79 + "…'"),
        ("x" * 80, "'" + "x" * 80 + "'"),
        ("\u202etxt.exe", "'\\u202etxt.exe'"),
        (None, "nothing (null)"),
        (True, "true"),
        (False, "false"),
        (750, "750"),
        (1.5, "1.5"),
        ({"a": [1]}, '{"a": [1]}'),
    ],
)
def test_show_value_quotes_escapes_and_cuts(value: object, shown: str) -> None:
    assert show_value(value) == shown


def test_close_match_hint() -> None:
    assert close_match_hint("rollbak", ["rollback", "reason"]) == "did you mean 'rollback'?"
    assert close_match_hint("ROLLBACK", ["rollback"]) == "did you mean 'rollback'?"
    assert close_match_hint("zzz", ["rollback"]) is None


def test_format_text_adds_expected_got_and_hint_lines() -> None:
    err = make_error(message="bad value", expected="a number", got="'x'", hint="fix it")
    assert err.format_text() == (
        "changes/a.md:5:9: status: bad value; expected a number; got 'x'\n  hint: fix it"
    )
    assert make_error(line=None, column=None, field=None).format_text() == (
        "changes/a.md: expected one of draft, shipped; got 'done'"
    )


def test_warnings_are_marked_in_every_format() -> None:
    warning = make_error(severity=Severity.WARNING)
    assert warning.format_text().startswith("changes/a.md:5:9: warning: status: ")
    assert format_errors([warning], "github").startswith("::warning file=changes/a.md,")
    assert json.loads(format_errors([warning], "json"))[0]["severity"] == "warning"


def test_github_annotations_escape_their_properties_and_data() -> None:
    err = make_error(file="changes/a,b:c%.md", message="100% wrong", hint="two\nlines")
    assert format_errors([err], "github") == (
        "::error file=changes/a%2Cb%3Ac%25.md,line=5,col=9,title=changetrail enum (status)::"
        "status: 100%25 wrong%0A  hint: two%0Alines"
    )


def test_format_errors_sorts_by_file_line_and_column() -> None:
    errors = [
        make_error(file="changes/b.md", line=1),
        make_error(line=7, column=1),
        make_error(line=None, column=None),
        make_error(line=7, column=0 + 1, field="a", code="x"),
    ]
    lines = format_errors(errors).splitlines()
    assert [line.split(": ")[0] for line in lines] == [
        "changes/a.md",
        "changes/a.md:7:1",
        "changes/a.md:7:1",
        "changes/b.md:1:9",
    ]


@pytest.mark.parametrize(
    ("counts", "files", "summary"),
    [
        ((1, 0), 1, "1 error in 1 of 1 file checked"),
        ((2, 0), 3, "2 errors in 1 of 3 files checked"),
        ((1, 1), 2, "1 error, 1 warning in 1 of 2 files checked"),
        ((0, 2), 2, "0 errors, 2 warnings in 1 of 2 files checked"),
    ],
)
def test_summary_wording(counts: tuple[int, int], files: int, summary: str) -> None:
    errors = [make_error()] * counts[0] + [make_error(severity=Severity.WARNING)] * counts[1]
    assert summarize(errors, files) == summary


def test_record_errors_exception_carries_every_problem() -> None:
    exc = RecordErrors((make_error(), make_error(file="changes/b.md")), files=2)
    assert isinstance(exc, ChangetrailError)
    assert str(exc) == (
        "changes/a.md:5:9: status: expected one of draft, shipped; got 'done'\n"
        "changes/b.md:5:9: status: expected one of draft, shipped; got 'done'\n"
        "2 errors in 2 of 2 files checked"
    )
