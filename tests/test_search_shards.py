"""Pagefind in shards: which page goes where, the shard cache, and builds that reuse it."""

from __future__ import annotations

import json
import logging
import re
from typing import TYPE_CHECKING

import pytest

from changetrail.search.indexer import MANIFEST, SHARD_SIZE_ENV, build_index
from changetrail.search.shards import SIMILAR_SECTION, ShardCache, plan
from conftest import MakeSite, mkdocs_build, record

if TYPE_CHECKING:
    from pathlib import Path

#: Pagefind writes a filter's values in hash-map order, which changes from run to run: its filter
#: chunks, and the metadata and entry files that name them by hash (see tests/test_buildcache.py).
_UNORDERED = re.compile(
    r"pagefind/(shard-\d+/)?(filter/.*|pagefind\.[^/]*\.pf_meta|pagefind-entry\.json)$"
)


def page(title: str, words: str, *, date: str = "2024-01-01", status: str = "shipped") -> str:
    return (
        f"<!doctype html><html lang='en'><head><title>{title}</title></head><body>"
        "<nav>Navigation</nav>"
        f"<main data-pagefind-body><h1>{title}</h1><p>{words}</p>"
        f"<span data-pagefind-filter='status[data-value]' data-value='{status}'></span>"
        f"<span data-pagefind-sort='date[data-value]' data-value='{date}'></span>"
        "</main></body></html>"
    )


def site(tmp_path: Path, pages: int = 6, name: str = "site") -> Path:
    root = tmp_path / name
    for i in range(pages):
        path = root / "changes" / f"page-{i}" / "index.html"
        path.parent.mkdir(parents=True)
        status = "shipped" if i % 2 else "rolled-back"
        path.write_text(page(f"Page {i}", f"common word{i}", status=status))
    (root / "changes" / "index.html").write_text("<html><body>A list, not indexed</body></html>")
    return root


def tree(site_dir: Path, *, exact: bool = False) -> dict[str, bytes]:
    out = {}
    for p in sorted(site_dir.rglob("*")):
        name = p.relative_to(site_dir).as_posix()
        if p.is_file() and (exact or not _UNORDERED.match(name)):
            out[name] = p.read_bytes()
    return out


# -- the plan -----------------------------------------------------------------------------------


def test_only_indexed_pages_are_shared_out_and_always_to_the_same_shard(tmp_path: Path) -> None:
    root = site(tmp_path, pages=7)
    shards = plan(root, shard_size=3)
    assert len(shards) == 3  # ceil(7 / 3)
    files = [rel for s in shards for rel, _ in s.files]
    assert sorted(files) == sorted(f"changes/page-{i}/index.html" for i in range(7))
    assert plan(root, shard_size=3) == shards
    assert [s.index for s in shards] == [0, 1, 2]
    assert plan(root, shard_size=2000) == [
        type(shards[0])(
            0, tuple(sorted((entry for s in shards for entry in s.files), key=lambda e: e[0]))
        )
    ]


def test_a_site_without_data_pagefind_body_is_one_shard_of_every_page(tmp_path: Path) -> None:
    root = tmp_path / "plain"
    for name in ("a.html", "b/index.html"):
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text("<html><body>Text</body></html>")
    (root / "pagefind").mkdir()
    (root / "pagefind" / "old.html").write_text("not a page")
    shards = plan(root, shard_size=1)
    assert [[rel for rel, _ in s.files] for s in shards] == [["a.html", "b/index.html"]]


# -- indexing -----------------------------------------------------------------------------------


@pytest.mark.build
def test_a_small_site_is_one_index_as_before(tmp_path: Path) -> None:
    root = site(tmp_path)
    result = build_index(root)
    assert (result.pages, result.shards, result.reused) == (6, 1, 0)
    assert not list((root / "pagefind").glob("shard-*"))
    assert json.loads((root / "pagefind" / MANIFEST).read_text())["shards"] == []


@pytest.mark.build
def test_shards_are_indexed_apart_and_listed_in_the_manifest(tmp_path: Path) -> None:
    root = site(tmp_path)
    result = build_index(root, shard_size=2)
    assert (result.pages, result.shards, result.reused) == (6, 3, 0)
    output = root / "pagefind"
    manifest = json.loads((output / MANIFEST).read_text())
    assert manifest["shards"] == ["shard-1/", "shard-2/"]
    assert sorted(manifest["keys"]) == ["", "shard-1/", "shard-2/"]
    counts = []
    for folder in (output, output / "shard-1", output / "shard-2"):
        entry = json.loads((folder / "pagefind-entry.json").read_text())
        counts.append(entry["languages"]["en"]["page_count"])
        assert (folder / "pagefind.js").is_file()
    assert sum(counts) == 6
    assert min(counts) >= 1, "a hash spreads pages about evenly, not exactly"
    assert not list(tmp_path.glob(".pagefind-stage-*")), "the staging folders are removed"


@pytest.mark.build
def test_the_cache_reuses_unchanged_shards_and_never_changes_the_output(tmp_path: Path) -> None:
    cold = site(tmp_path, name="cold")
    build_index(cold, shard_size=2)
    root = site(tmp_path)
    cache = tmp_path / "cache"

    first = build_index(root, shard_size=2, cache_dir=cache)
    assert (first.shards, first.reused) == (3, 0)
    stored = tree(root, exact=True)
    second = build_index(root, shard_size=2, cache_dir=cache)
    assert (second.pages, second.shards, second.reused) == (6, 3, 3)
    assert tree(root, exact=True) == stored, "a restored shard is the stored one, byte for byte"
    assert tree(root) == tree(cold), "and equals a build without the cache"

    changed = root / "changes" / "page-3" / "index.html"
    changed.write_text(page("Page 3", "common word3 rewritten"))
    third = build_index(root, shard_size=2, cache_dir=cache)
    assert (third.shards, third.reused) == (3, 2)
    entries = sorted(p.name for p in (cache / "pagefind").iterdir())
    assert len(entries) == 3, "the entry of the changed shard's old pages is pruned"
    assert not [name for name in entries if name.startswith(".tmp-")]
    (cold / "changes" / "page-3" / "index.html").write_text(changed.read_text())
    build_index(cold, shard_size=2)
    assert tree(root) == tree(cold)


@pytest.mark.build
def test_indexing_again_rewrites_only_the_shards_whose_pages_changed(tmp_path: Path) -> None:
    root = site(tmp_path)
    build_index(root, shard_size=2)  # no cache: what is in the site is reused
    output = root / "pagefind"

    def inodes() -> dict[Path, int]:
        return {p: p.stat().st_ino for p in output.rglob("*") if p.is_file() and p.name != MANIFEST}

    files = inodes()
    again = build_index(root, shard_size=2)
    assert (again.shards, again.reused) == (3, 3)
    assert inodes() == files

    changed = root / "changes" / "page-3" / "index.html"
    (shard,) = [s for s in plan(root, shard_size=2) if any("page-3" in f for f, _ in s.files)]
    changed.write_text(page("Page 3", "common word3 rewritten"))
    third = build_index(root, shard_size=2)
    assert (third.shards, third.reused) == (3, 2)
    rewritten = f"shard-{shard.index}" if shard.index else ""
    for path, inode in files.items():
        first = path.relative_to(output).parts[0]
        owner = first if first.startswith("shard-") else ""
        if owner != rewritten:
            assert path.stat().st_ino == inode, f"{path} of an unchanged shard was written"
    assert not list(root.glob(".pagefind-*")), "no new or old folder is left behind"
    cold = site(tmp_path, name="cold")
    (cold / "changes" / "page-3" / "index.html").write_text(changed.read_text())
    build_index(cold, shard_size=2)
    assert tree(root) == tree(cold)


def test_a_page_whose_similar_posts_alone_changed_keeps_its_digest(tmp_path: Path) -> None:
    root = tmp_path / "site"
    path = root / "a" / "index.html"
    path.parent.mkdir(parents=True)

    def article(similar: str) -> str:
        return page("A", "words").replace(
            "</main>",
            f"{SIMILAR_SECTION.decode()}<h2>Similar posts</h2><ul><li>{similar}</li></ul></div>"
            "<p>after</p></main>",
        )

    path.write_text(article("One"))
    first = plan(root)
    path.write_text(article("Two, and another"))
    assert plan(root) == first
    path.write_text(article("One").replace("after", "changed after"))
    assert plan(root) != first


@pytest.mark.build
def test_a_restored_shard_is_removed_not_written_through_its_links(tmp_path: Path) -> None:
    root = site(tmp_path)
    cache = tmp_path / "cache"
    build_index(root, shard_size=2, cache_dir=cache)
    before = {p: p.read_bytes() for p in (cache / "pagefind").rglob("*") if p.is_file()}
    build_index(root, shard_size=2, cache_dir=cache)  # restored: links into the cache
    build_index(root, shard_size=2)  # no cache: writes every shard afresh
    after = {p: p.read_bytes() for p in (cache / "pagefind").rglob("*") if p.is_file()}
    assert after == before


def test_a_half_written_entry_is_never_used(tmp_path: Path) -> None:
    cache = ShardCache(tmp_path)
    (tmp_path / "pagefind" / "abc").mkdir(parents=True)  # no pagefind-entry.json
    assert not cache.restore("abc", tmp_path / "out")
    cache.prune()
    assert not (tmp_path / "pagefind" / "abc").exists()


def test_the_shard_size_can_be_set_for_tests(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(SHARD_SIZE_ENV, "3")
    root = site(tmp_path)
    assert build_index(root).shards == 2


@pytest.mark.build
def test_the_build_log_tells_the_shards_and_the_reused_ones(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setenv(SHARD_SIZE_ENV, "2")
    root = make_site(
        {
            "changes/2024-03-04-a.md": record(title="First"),
            "changes/2024-03-05-b.md": record(title="Second", owner="bob"),
            "docs/guides/x.md": "---\nkind: article\ntitle: X\n---\n# X\n\nText.\n",
        }
    )
    with caplog.at_level(logging.INFO):
        mkdocs_build(root)
        mkdocs_build(root)
    lines = [r.getMessage() for r in caplog.records if "Pagefind indexed" in r.getMessage()]
    assert len(lines) == 2
    assert "2 shards, 0 from the cache" in lines[0]
    assert "2 shards, 2 from the cache" in lines[1]
    assert (root / ".cache" / "changetrail" / "pagefind").is_dir()


def test_an_entry_that_cannot_be_restored_is_indexed_instead(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import changetrail.search.shards as shards

    entry = tmp_path / "pagefind" / "abc"
    entry.mkdir(parents=True)
    (entry / "pagefind-entry.json").write_text("{}")

    def full(source: object, target: object) -> None:
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(shards, "link_file", full)
    cache = ShardCache(tmp_path)
    assert not cache.restore("abc", tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_pages_whose_time_and_size_are_the_same_are_not_read_again(tmp_path: Path) -> None:
    root = site(tmp_path, pages=5)
    seen: dict[str, tuple[int, int, str, bool]] = {}
    first = plan(root, shard_size=2, seen=seen)
    assert first == plan(root, shard_size=2)
    indexed = [rel for s in first for rel, _ in s.files]
    assert sorted(seen) == sorted([*indexed, "changes/index.html"])

    changed = root / "changes" / "page-1" / "index.html"
    changed.write_text(page("Page 1", "other words"))
    assert plan(root, shard_size=2, seen=seen) == plan(root, shard_size=2) != first

    # The proof that unchanged pages are not read: a digest planted in ``seen`` stays.
    rel = "changes/page-2/index.html"
    mtime, size, _digest, mark = seen[rel]
    seen[rel] = (mtime, size, "planted", mark)
    digests = {r: d for s in plan(root, shard_size=2, seen=seen) for r, d in s.files}
    assert digests[rel] == "planted"
