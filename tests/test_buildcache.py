"""The build cache: warm builds give the cold build's bytes, and a bad cache never fails a build."""

from __future__ import annotations

import logging
import re
import sqlite3
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest
from click.testing import CliRunner

from changetrail.buildcache import BuildCache, digest
from changetrail.cli import cli
from changetrail.profile import Progress, Timeline
from conftest import MakeSite, mkdocs_build, record

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.build

EPOCH = "1795000000"  # 2026-11-18: a fixed build time, so two builds can be compared


@pytest.fixture(autouse=True)
def _restore_mkdocs_logging() -> Iterator[None]:
    logger = logging.getLogger("mkdocs")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def tree(site: Path) -> dict[str, bytes]:
    """Every file of a built site, except Pagefind's filter files and the two that name them.

    Pagefind writes a filter's values in hash-map order, so two runs over the same pages can
    differ there (and in the file names derived from it); the pages, fragments and word index
    it writes are compared like every other file.
    """
    out = {}
    for p in site.rglob("*"):
        name = p.relative_to(site).as_posix()
        if p.is_file() and not _UNORDERED.match(name):
            out[name] = p.read_bytes()
    return out


_UNORDERED = re.compile(r"pagefind/(filter/.*|pagefind\.[^/]*\.pf_meta|pagefind-entry\.json)$")


def cache_file(root: Path) -> Path:
    return root / ".cache" / "changetrail" / "pages.sqlite"


SITE = {
    "changes/2024-03-04-a.md": record(tags=["db"], body="See [b](2024-03-05-b.md).\n"),
    "changes/2024-03-05-b.md": record(title="Second", owner="bob"),
    "docs/guides/x.md": "---\nkind: article\ntitle: X\nstack: [python]\n---\n# X\n\n## Part\n\nText.\n",
    "docs/plain.md": "# Plain\n\nA [link](guides/x.md#part).\n",
}


# -- the store --------------------------------------------------------------------------------


def test_store_round_trip_and_prune(tmp_path: Path) -> None:
    store = BuildCache(tmp_path)
    assert store.get("md", "k1") is None
    store.put("md", "k1", {"content": "<p>é</p>", "n": [1, 2]})
    store.put("md", "k2", "two")
    store.close(prune=True)

    again = BuildCache(tmp_path)
    assert again.get("md", "k1") == {"content": "<p>é</p>", "n": [1, 2]}
    assert again.summary() == "md 1 hits, 0 misses"
    again.close(prune=True)  # k2 was not used by this "build": pruned

    third = BuildCache(tmp_path)
    assert third.has("md", "k1")
    assert not third.has("md", "k2")
    third.close(prune=False)


def test_a_corrupt_cache_file_turns_the_cache_off_with_a_warning(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    (tmp_path / "pages.sqlite").write_bytes(b"this is not a database" * 100)
    with caplog.at_level(logging.WARNING):
        store = BuildCache(tmp_path)
    assert not store.enabled
    assert "building without it" in caplog.text
    store.put("md", "k", "v")
    assert store.get("md", "k") is None
    store.close(prune=True)


def test_an_entry_that_is_not_json_is_a_miss(tmp_path: Path) -> None:
    store = BuildCache(tmp_path)
    store.put("md", "k", "v")
    store.close(prune=False)
    with sqlite3.connect(tmp_path / "pages.sqlite") as db:
        db.execute("UPDATE entries SET value = ?", (b"garbage",))
    store = BuildCache(tmp_path)
    assert store.get("md", "k") is None
    assert store.misses == {"md": 1}
    store.close(prune=False)


def test_digest_separates_its_parts() -> None:
    assert digest("ab", "c") != digest("a", "bc")
    assert digest({"b": 1, "a": 2}) == digest({"a": 2, "b": 1})
    assert digest(b"x") == digest("x")


# -- real builds ------------------------------------------------------------------------------


def test_a_warm_build_after_an_edit_equals_a_cold_build(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_site(SITE)
    mkdocs_build(root)  # cold: fills the cache
    assert cache_file(root).is_file()
    edited = root / "changes" / "2024-03-05-b.md"
    edited.write_text(record(title="Second, edited", owner="bob"), encoding="utf-8")
    warm = tree(mkdocs_build(root))

    cold_root = make_site(SITE, name="cold")
    (cold_root / "changes" / "2024-03-05-b.md").write_text(
        record(title="Second, edited", owner="bob"), encoding="utf-8"
    )
    cold = tree(mkdocs_build(cold_root))  # a new project: no cache yet
    assert warm.keys() == cold.keys()
    assert [name for name in warm if warm[name] != cold[name]] == []
    assert b"Second, edited" in warm["changes/2024-03-05-b/index.html"]


def test_a_warm_build_on_a_later_day_equals_a_cold_build_on_that_day(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # The article is fresh on the first day and needs review a year later: its box changes.
    article = (
        "---\nkind: article\ntitle: Y\nrevision:\n  last_reviewed: 2026-11-01\n---\n# Y\n\nText.\n"
    )
    site = {**SITE, "docs/guides/y.md": article}
    root = make_site(site)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    mkdocs_build(root)
    later = str(int(EPOCH) + 400 * 86400)
    monkeypatch.setenv("SOURCE_DATE_EPOCH", later)
    warm = tree(mkdocs_build(root))
    cold = tree(mkdocs_build(make_site(site, name="cold")))
    assert [name for name in warm if warm[name] != cold.get(name)] == []
    assert warm.keys() == cold.keys()


def test_a_new_site_url_reuses_the_html_and_renders_the_theme_again(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `serve` points site_url at the preview's address: the Markdown's HTML does not depend on
    # it, the theme's output does (canonical links, feeds).
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    yml = "site_name: Test site\ntheme:\n  name: material\nplugins:\n  - search\n  - changetrail\n"
    first = {**SITE, "mkdocs.yml": yml + "site_url: https://a.example/\n"}
    second = {**SITE, "mkdocs.yml": yml + "site_url: https://b.example/docs/\n"}
    root = make_site(first)
    monkeypatch.chdir(root)
    runner = CliRunner()
    assert runner.invoke(cli, ["build"], catch_exceptions=False).exit_code == 0
    (root / "mkdocs.yml").write_text(second["mkdocs.yml"], encoding="utf-8")
    warm = runner.invoke(cli, ["build", "--profile"], catch_exceptions=False)
    assert warm.exit_code == 0, warm.output
    line = next(x for x in warm.output.splitlines() if x.startswith("cache: "))
    assert re.search(r"md \d+ hits, 0 misses", line), line
    assert re.search(r"page 0 hits", line), line
    warm_tree = tree(root / "site")
    cold_root = make_site(second, name="cold")
    monkeypatch.chdir(cold_root)
    assert runner.invoke(cli, ["build"], catch_exceptions=False).exit_code == 0
    cold_tree = tree(cold_root / "site")
    assert [name for name in warm_tree if warm_tree[name] != cold_tree.get(name)] == []
    assert b"https://b.example/docs/" in warm_tree["index.html"]


def test_the_cli_reports_hits_and_stages_with_profile(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_site(SITE)
    monkeypatch.chdir(root)
    runner = CliRunner()
    first = runner.invoke(cli, ["build", "--profile"], catch_exceptions=False)
    assert first.exit_code == 0, first.output
    assert "Markdown to HTML (all pages)" in first.output
    assert " 0 hits" in first.output
    cold = tree(root / "site")

    second = runner.invoke(cli, ["build", "--profile"], catch_exceptions=False)
    assert second.exit_code == 0, second.output
    line = next(x for x in second.output.splitlines() if x.startswith("cache: "))
    assert " 0 misses" in line, line  # nothing changed: every page came from the cache
    assert tree(root / "site") == cold

    third = runner.invoke(cli, ["build", "--no-cache", "--profile"], catch_exceptions=False)
    assert third.exit_code == 0, third.output
    assert "cache: off" in third.output
    assert tree(root / "site") == cold


def test_a_broken_link_fails_a_strict_warm_build_too(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    root = make_site({**SITE, "docs/plain.md": "# Plain\n\nA [link](missing.md).\n"})
    monkeypatch.chdir(root)
    runner = CliRunner()
    for _ in range(2):  # cold, then warm: the warning is stored with the HTML and logged again
        result = runner.invoke(cli, ["build", "--strict"], catch_exceptions=False)
        assert result.exit_code == 1, result.output
        assert "missing.md" in result.output


def test_a_corrupt_cache_does_not_fail_the_build(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    root = make_site(SITE)
    cold = tree(mkdocs_build(root))
    cache_file(root).write_bytes(b"\0" * 4096)
    assert tree(mkdocs_build(root)) == cold


# -- profile and progress ---------------------------------------------------------------------


def test_timeline_report_adds_up() -> None:
    now = [0.0]
    timeline = Timeline(clock=lambda: now[0])
    now[0] = 1.0
    timeline.mark("read")
    now[0] = 4.0
    timeline.mark("render")
    timeline.note("cache", "md 3 hits, 1 misses")
    assert timeline.report(total=5.0).splitlines() == [
        "stage                                 seconds   share",
        "read                                     1.00   20.0%",
        "render                                   3.00   60.0%",
        "other (start-up, MkDocs' own steps)      1.00   20.0%",
        "total                                    5.00",
        "cache: md 3 hits, 1 misses",
    ]


def test_progress_is_quiet_for_short_work_and_periodic_for_long() -> None:
    now = [0.0]
    lines: list[str] = []
    quick = Progress("pages", 3, lines.append, clock=lambda: now[0])
    for _ in range(3):
        quick.step()
    assert lines == []

    slow = Progress("pages", 10, lines.append, after=2, every=5, clock=lambda: now[0])
    for _ in range(10):
        now[0] += 1.0
        slow.step()
    assert lines == ["pages 2/10 (20%)", "pages 7/10 (70%)", "pages 10/10 (100%)"]
