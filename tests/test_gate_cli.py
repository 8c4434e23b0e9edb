"""`check --changed-since REV --require-record` and the secrets scan, run as a user would."""

from __future__ import annotations

import random
import string
from typing import TYPE_CHECKING, Any

from click.testing import CliRunner

from changetrail.cli import cli
from conftest import record
from test_gitinfo import commit, git

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

    from conftest import MakeSite


def run(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.chdir(root)
    return CliRunner().invoke(cli, ["check", "--no-git", *args])


def test_a_code_change_without_a_record_fails_the_gate(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"changes/2024-03-04-a.md": record()})
    git(root, "init", "-q", "-b", "main")
    commit(root, "Alice", "2024-03-01T10:00:00+00:00", write={"src/app.py": "v1\n"})
    commit(root, "Bob", "2024-03-02T10:00:00+00:00", write={"src/app.py": "v2\n"})

    result = run(root, monkeypatch, "--changed-since", "HEAD~1", "--require-record")
    assert result.exit_code == 1
    assert result.stdout.startswith("src/app.py")
    assert "gate" in result.stdout or "no change record" in result.stdout
    assert 'changetrail new "TITLE" --from-commit HEAD' in result.stdout

    commit(
        root,
        "Bob",
        "2024-03-02T11:00:00+00:00",
        write={"src/app.py": "v3\n", "changes/2024-03-02-b.md": record(title="Second")},
    )
    result = run(root, monkeypatch, "--changed-since", "HEAD~1", "--require-record")
    assert (result.exit_code, result.stdout) == (0, "1 record checked, no problems\n")


def test_require_record_needs_changed_since(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({"changes/2024-03-04-a.md": record()})
    result = run(root, monkeypatch, "--require-record")
    assert result.exit_code == 2
    assert result.stderr == "Error: --require-record needs --changed-since REV\n"


def test_a_key_in_a_command_fails_check_and_the_build(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    rng = random.Random(7)
    key = "AKIA" + "".join(rng.choice(string.ascii_uppercase + "234567") for _ in range(16))
    root = make_site(
        {"changes/2024-03-04-a.md": record(commands=[f"aws configure set aws_access_key_id {key}"])}
    )
    result = run(root, monkeypatch)
    assert result.exit_code == 1
    assert "secret.aws_access_key" not in result.stdout  # the code is in json, the text says it
    assert key not in result.stdout, "a finding must never print the secret"
    assert "AKIA…" in result.stdout
    build = CliRunner().invoke(cli, ["build"])
    assert build.exit_code == 1
    assert not (root / "site").exists()
