"""Issue 4's scenario in one temporary repository: seven problems, each reported once."""

from __future__ import annotations

import json
import random
import string
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from changetrail.cli import cli
from conftest import record
from test_gitinfo import commit, git

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import MakeSite

pytestmark = pytest.mark.build


def _key() -> str:
    rng = random.Random(11)
    return "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))


@pytest.fixture
def repo(make_site: MakeSite) -> Path:
    root = make_site({"docs/guide.md": "# Guide\n\n## Install\n"})
    git(root, "init", "-q", "-b", "main")
    base = commit(root, "Alice", "2024-03-01T10:00:00+00:00", write={"src/app.py": "v1\n"})
    body = (
        "See [the guide](../docs/gide.md), [setup](../docs/guide.md#setup) "
        "and ![chart](../docs/chart.png).\n"
    )
    rec = record(
        files_touched=["src/app.py", "src/nope.py"],
        commands=[f"aws configure set aws_access_key_id {_key()}"],
        commit="0123456789abcdef",
    )
    commit(
        root,
        "Bob",
        "2024-03-04T10:00:00+00:00",
        write={"changes/2024-03-04-a.md": rec + body, "src/app.py": "v2\n"},
    )
    commit(root, "Bob", "2024-03-05T10:00:00+00:00", write={"src/app.py": "v3\n"})
    git(root, "tag", "base", base)
    return root


def run(root: Path, monkeypatch: pytest.MonkeyPatch, fmt: str) -> Any:
    monkeypatch.chdir(root)
    args = ["check", "--links", "--changed-since", "HEAD~1", "--require-record"]
    return CliRunner().invoke(cli, [*args, "--format", fmt])


EXPECTED = {
    "link.not_found",
    "link.anchor",
    "link.asset",
    "git.file_missing",
    "git.commit_unknown",
    "secret.aws_access_key",
    "gate.no_record",
}


def test_each_problem_is_reported_once_with_file_and_line_in_every_format(
    repo: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # --changed-since HEAD~1 sees only the last commit (a code change, no record), so the
    # record's own problems come from a full check of the same tree.
    monkeypatch.chdir(repo)
    full = CliRunner().invoke(cli, ["check", "--links", "--format", "json"])
    gate = run(repo, monkeypatch, "json")
    found = json.loads(full.stdout)
    codes = [e["code"] for e in found if e["severity"] == "error"]
    assert sorted(c for c in codes if c in EXPECTED) == sorted(EXPECTED - {"gate.no_record"})
    assert all(e["file"] and e["line"] for e in found if e["code"] in EXPECTED)
    gated = [e for e in json.loads(gate.stdout) if e["code"] == "gate.no_record"]
    assert [(e["file"], e["line"]) for e in gated] == [("src/app.py", 1)]

    text = CliRunner().invoke(cli, ["check", "--links"]).stdout
    github = CliRunner().invoke(cli, ["check", "--links", "--format", "github"]).stdout
    for err in json.loads(full.stdout):
        where = f"{err['file']}:{err['line']}:{err['column']}"
        assert where in text, where
        assert f"file={err['file']},line={err['line']}" in github, where
    assert gate.exit_code == full.exit_code == 1
