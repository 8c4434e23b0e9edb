"""The per-file cache and the parallel per-file pass give exactly what reading every file gives."""

from __future__ import annotations

import datetime as dt
import json
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from changetrail import filecache, pipeline
from changetrail.cli import cli
from changetrail.errors import format_errors
from changetrail.settings import load_project_config
from conftest import Raw, record
from test_secretscan import AWS_KEY

if TYPE_CHECKING:
    from pathlib import Path

    from changetrail.pipeline import Project
    from conftest import MakeSite

TODAY = dt.date(2026, 11, 28)
ARTICLE = """\
---
kind: article
title: Deploying
topic: ops
revision:
  status: reviewed
  last_reviewed: 2020-01-02
---

Run `aws configure set aws_access_key_id {key}` and then deploy.

TODO: write the rest
"""


def _files() -> dict[str, str]:
    files = {
        f"changes/2024-03-{day:02d}-r{day}.md": record(title=f"Record {day}", related=["nope"])
        for day in range(1, 9)
    }
    files["changes/2024-03-09-bad.md"] = record(status="done")
    files["changes/2024-03-10-secret.md"] = record(commands=[f"export AWS_KEY={AWS_KEY}"])
    files["changes/2024-03-11-tab.md"] = "---\ntitle: x\n\towner: a\n---\n"
    files["docs/guides/deploying.md"] = ARTICLE.format(key=AWS_KEY)
    files["docs/guides/plain.md"] = "# Not an article\n"
    return files


@pytest.fixture
def site(make_site: MakeSite) -> Path:
    return make_site(_files())


def _load(root: Path, **changes: Any) -> Project:
    settings, root, docs_dir = load_project_config(root / "mkdocs.yml")
    settings = settings.model_copy(update=changes)
    return pipeline.load_project(root, settings, docs_dir=docs_dir, today=TODAY)


def _shown(project: Project) -> str:
    from changetrail.secretscan import scan_secrets

    items = [*project.catalog.records, *project.catalog.articles]
    found = [*project.errors, *scan_secrets(items)]
    return format_errors(found, "json") + f"\n{project.files} files"


@pytest.fixture
def reads(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The files that were read and parsed (not taken from the cache)."""
    seen: list[str] = []
    load_job = pipeline.load_job

    def counting(job: Any, raw: bytes) -> Any:
        seen.append(job.shown)
        return load_job(job, raw)

    monkeypatch.setattr(pipeline, "load_job", counting)
    return seen


def test_a_second_run_reads_nothing_and_gives_the_same(site: Path, reads: list[str]) -> None:
    first = _load(site)
    assert len(reads) == 14
    reads.clear()
    second = _load(site)
    assert reads == []
    assert _shown(second) == _shown(first)
    assert second.catalog.records == first.catalog.records
    assert [a.meta for a in second.catalog.articles] == [a.meta for a in first.catalog.articles]
    assert "secret.aws_access_key" in _shown(first)


def test_the_cache_gives_what_no_cache_gives(site: Path) -> None:
    uncached = _shown(_load(site, cache=False))
    assert not (site / ".cache").exists()
    assert _shown(_load(site)) == uncached  # filling the cache
    assert _shown(_load(site)) == uncached  # from the cache


def test_an_edited_file_is_read_again(site: Path, reads: list[str]) -> None:
    _load(site)
    reads.clear()
    path = site / "changes/2024-03-02-r2.md"
    path.write_text(record(title="Renamed", status="done"), encoding="utf-8")
    project = _load(site)
    assert reads == ["changes/2024-03-02-r2.md"]
    assert any(e.file == "changes/2024-03-02-r2.md" and e.code == "enum" for e in project.errors)
    assert _shown(project) == _shown(_load(site, cache=False))


def test_a_corrupt_cache_is_ignored_and_rebuilt(site: Path, reads: list[str]) -> None:
    expected = _shown(_load(site))
    shards = sorted((site / ".cache/changetrail").glob("files-*.json"))
    assert shards
    for i, shard in enumerate(shards):
        shard.write_bytes([b"\x00garbage", b"{", b"[]", b'{"fingerprint": 1}'][i % 4])
    reads.clear()
    assert _shown(_load(site)) == expected
    assert len(reads) == 14
    for shard in (site / ".cache/changetrail").glob("files-*.json"):
        assert json.loads(shard.read_text(encoding="utf-8"))["format"] == filecache.FORMAT


def test_a_poisoned_entry_is_read_from_the_file_instead(site: Path, reads: list[str]) -> None:
    expected = _shown(_load(site))
    for shard in (site / ".cache/changetrail").glob("files-*.json"):
        stored = json.loads(shard.read_text(encoding="utf-8"))
        for entry in stored["entries"].values():
            if "data" in entry:
                entry["data"] = {"title": 42}
                entry["dates"] = [[["nowhere", 3], "d"]]
        shard.write_text(json.dumps(stored), encoding="utf-8")
    reads.clear()
    assert _shown(_load(site)) == expected
    assert len(reads) == 10  # every valid file; the entries of invalid ones hold no data


def test_a_setting_that_changes_results_invalidates_the_cache(site: Path, reads: list[str]) -> None:
    with_scan = _shown(_load(site))
    reads.clear()
    without = _load(site, secret_scan=False)
    assert len(reads) == 14
    assert all(item.secrets is None for item in without.catalog.records)
    reads.clear()
    assert _shown(_load(site)) == with_scan
    assert len(reads) == 14


def test_entries_of_deleted_files_are_dropped(site: Path) -> None:
    _load(site)
    (site / "changes/2024-03-03-r3.md").unlink()
    _load(site)
    stored: dict[str, Any] = {}
    for shard in (site / ".cache/changetrail").glob("files-*.json"):
        stored |= json.loads(shard.read_text(encoding="utf-8"))["entries"]
    assert "changes/2024-03-03-r3.md" not in stored
    assert "changes/2024-03-04-r4.md" in stored


def test_on_every_core_the_results_are_the_same(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    serial = _shown(_load(site, cache=False))
    monkeypatch.setattr(pipeline, "PARALLEL_MIN", 1)
    monkeypatch.setattr(pipeline.os, "cpu_count", lambda: 2)
    assert _shown(_load(site, cache=False)) == serial
    assert _shown(_load(site)) == serial
    assert _shown(_load(site)) == serial


def test_check_prints_the_same_with_and_without_cache(
    site: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(site)
    runs = [
        CliRunner().invoke(cli, ["check", "--no-git", *extra])
        for extra in (["--no-cache"], [], [], ["--format", "json"], ["--format", "json"])
    ]
    assert [r.exit_code for r in runs] == [1] * 5
    assert runs[0].output == runs[1].output == runs[2].output
    assert runs[3].output == runs[4].output
    assert "looks like an AWS access key" in runs[0].output


def test_a_value_json_cannot_hold_is_not_cached(make_site: MakeSite, reads: list[str]) -> None:
    text = record(title="Binary").replace("---\n\n", "extra: !!binary aGk=\n---\n\n", 1)
    root = make_site({"changes/2024-03-04-bin.md": text})
    first = _shown(_load(root))
    reads.clear()
    assert _shown(_load(root)) == first == _shown(_load(root, cache=False))
    assert reads[0] == "changes/2024-03-04-bin.md"  # read again, when docs/index.md is not


def test_positions_from_the_cache_are_those_of_the_file(site: Path) -> None:
    fresh = _load(site, cache=False)
    _load(site)
    cached = _load(site)
    pairs = [
        *zip(fresh.catalog.records, cached.catalog.records, strict=True),
        *zip(fresh.catalog.articles, cached.catalog.articles, strict=True),
    ]
    for old, new in pairs:
        for loc, pos in old.source.positions.items():
            assert new.source.positions.get(loc) == pos
            assert new.source.position((*loc, "x")) == old.source.position((*loc, "x"))
        assert dict(new.source.positions) == dict(old.source.positions)
        assert new.source.positions.get(("nowhere",)) is None


def test_a_placeholder_written_with_an_escape_is_found_from_the_cache(
    make_site: MakeSite, reads: list[str]
) -> None:
    escaped = record(reason=Raw('"\\x54ODO: why"'))
    site = make_site({"changes/2024-03-01-a.md": escaped, "changes/2024-03-02-b.md": record()})
    first = _shown(_load(site))
    assert '"placeholder"' in first
    reads.clear()
    assert _shown(_load(site)) == first
    assert reads == []
