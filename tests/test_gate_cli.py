"""`check --changed-since REV --require-record` and the secrets scan, run as a user would."""

from __future__ import annotations

import json
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


def test_changed_since_reads_through_the_cache_and_keeps_the_other_entries(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    from changetrail import pipeline

    files = {f"changes/2024-03-{d:02d}-a.md": record(title=f"R{d}") for d in range(1, 6)}
    root = make_site(files)
    git(root, "init", "-q", "-b", "main")
    commit(root, "Alice", "2024-03-01T10:00:00+00:00", write={"src/app.py": "v1\n"})
    changed = {"changes/2024-03-06-b.md": record(title="New", status="done")}
    commit(root, "Bob", "2024-03-02T10:00:00+00:00", write=changed)
    assert run(root, monkeypatch).exit_code == 1  # a full check fills the cache
    shards = sorted((root / ".cache/changetrail").glob("files-*.json"))
    entries = sum(len(json.loads(s.read_text())["entries"]) for s in shards)
    assert entries >= 6  # the records and the pages of the docs folder

    seen: list[str] = []
    load_job = pipeline.load_job
    monkeypatch.setattr(
        pipeline, "load_job", lambda job, raw: seen.append(job.shown) or load_job(job, raw)
    )
    first = run(root, monkeypatch, "--changed-since", "HEAD~1")
    assert seen == []  # taken from the cache
    assert first.exit_code == 1
    assert first.stdout.startswith("changes/2024-03-06-b.md:")
    assert first.stdout.endswith("1 error in 1 of 1 file checked\n")
    after = sum(len(json.loads(s.read_text())["entries"]) for s in shards if s.exists())
    assert after == entries
    no_cache = run(root, monkeypatch, "--changed-since", "HEAD~1", "--no-cache")
    assert seen == ["changes/2024-03-06-b.md"]
    assert no_cache.stdout == first.stdout
