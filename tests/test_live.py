"""The preview's page-at-a-time update: after a save, the same site as a whole build.

Each test builds a small synthetic site as `changetrail serve` does, saves files, lets the
preview update the saved pages and then the rest (its background step, waited for here),
and compares every file of the site with a whole build of the saved files.
"""

from __future__ import annotations

import gzip
import logging
import random
import re
from typing import TYPE_CHECKING

import pytest
from mkdocs.commands.build import build

from changetrail.live import LiveServer, Preview, _plugin
from changetrail.synth import synth
from conftest import load_mkdocs_config
from test_buildcache import EPOCH, tree

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from mkdocs.config.defaults import MkDocsConfig

pytestmark = pytest.mark.build

SERVE_URL = "http://127.0.0.1:8000/"


@pytest.fixture(autouse=True)
def _fixed_time(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", EPOCH)
    logger = logging.getLogger("mkdocs")
    saved = (list(logger.handlers), logger.level, logger.propagate)
    yield
    logger.handlers[:], logger.level, logger.propagate = saved[0], saved[1], saved[2]


def serve_build(root: Path, site_dir: Path) -> MkDocsConfig:
    """A whole build as `changetrail serve` makes it (site_url, drafts, problem pages)."""
    config = load_mkdocs_config(root, site_dir=str(site_dir))
    config.plugins.on_startup(command="serve", dirty=False)
    config.site_url = SERVE_URL
    build(config, serve_url=SERVE_URL)
    plugin = _plugin(config)
    assert plugin is not None
    plugin.wait_for_index()
    return config


def preview_of(root: Path, site_dir: Path) -> Preview:
    config = serve_build(root, site_dir)
    plugin = _plugin(config)
    assert plugin is not None
    server = LiveServer(builder=lambda: None, host="127.0.0.1", port=0, root=str(site_dir))
    return Preview(server, plugin, config)


def settle(preview: Preview) -> None:
    """Wait for the background step, as a reader who waits a few seconds would."""
    worker = preview.worker
    assert worker is not None, "the save started no background update"
    worker.join(timeout=120)
    assert not worker.is_alive()


def same_site(root: Path, live_site: Path, tmp_path: Path) -> None:
    whole = tmp_path / "whole"
    serve_build(root, whole)
    got, want = tree(live_site), tree(whole)
    assert sorted(got) == sorted(want)
    differ = [name for name in want if got[name] != want[name]]
    assert differ == []


def search_text(site: Path) -> str:
    """Every Pagefind fragment of the site, decompressed: what search can find."""
    return "\n".join(
        gzip.decompress(p.read_bytes()).decode("utf-8", "replace")
        for p in (site / "pagefind").rglob("*.pf_fragment")
    )


def newest_record(root: Path) -> Path:
    return sorted((root / "changes").glob("*.md"))[-1]


@pytest.fixture
def site(tmp_path: Path) -> Path:
    root = tmp_path / "project"
    synth(60, 3, root)
    return root


def test_a_saved_record_shows_at_once_and_every_list_and_the_search_follow(
    site: Path, tmp_path: Path
) -> None:
    live = tmp_path / "live"
    preview = preview_of(site, live)
    rec = newest_record(site)
    text = rec.read_text(encoding="utf-8")
    title = re.search(r"^title: \"?(.*?)\"?$", text, re.MULTILINE)
    assert title is not None
    new = title.group(1) + " rewritten"
    rec.write_text(
        text.replace(title.group(0), f'title: "{new}"').replace("tags:\n", "tags:\n  - brandnew\n"),
        encoding="utf-8",
    )

    assert preview.update({str(rec)})
    page = live / "changes" / rec.stem / "index.html"
    assert f">{new}<" in page.read_text(encoding="utf-8")  # before the background step

    settle(preview)
    tag_page = live / "changes" / "tags" / "brandnew" / "index.html"
    assert new in tag_page.read_text(encoding="utf-8")
    assert new in search_text(live)
    assert title.group(1) + "<" not in search_text(live)
    same_site(site, live, tmp_path)


def test_new_deleted_and_broken_records_and_an_edited_article(site: Path, tmp_path: Path) -> None:
    live = tmp_path / "live"
    preview = preview_of(site, live)
    records = sorted((site / "changes").glob("*.md"))
    added = site / "changes" / "2025-06-30-brand-new-record.md"
    added.write_text(
        records[0].read_text(encoding="utf-8").replace("title:", "title: Brand new ·", 1),
        encoding="utf-8",
    )
    records[1].unlink()
    broken = records[2]
    broken.write_text("---\ntitle: [unclosed\n", encoding="utf-8")
    article = sorted((site / "docs" / "articles").rglob("*.md"))[0]
    body = article.read_text(encoding="utf-8")
    article.write_text(body + "\nA paragraph about zeppelins.\n", encoding="utf-8")

    assert preview.update({str(added), str(records[1]), str(broken), str(article)})
    assert "never closed" in (live / "changes" / broken.stem / "index.html").read_text("utf-8")
    assert not (live / "changes" / records[1].stem / "index.html").exists()
    settle(preview)
    assert "zeppelins" in search_text(live)
    same_site(site, live, tmp_path)


def test_what_a_page_alone_cannot_show_builds_the_whole_site(site: Path, tmp_path: Path) -> None:
    config = site / "mkdocs.yml"  # the home page's title in the navigation: its own heading
    config.write_text(config.read_text().replace("- Home: index.md", "- index.md"))
    preview = preview_of(site, tmp_path / "live")
    assert not preview.update({str(site / "mkdocs.yml")})
    assert not preview.update({str(site / "docs" / "new-page.md")})  # a new page of the docs
    assert not preview.update({str(site / "changes") + "/"})  # a folder moved or deleted
    # Another watched folder (`watch:` in mkdocs.yml, e.g. theme overrides).
    assert not preview.update({str(site / "overrides" / "main.html")})
    # A page in the navigation whose title changed: every page's sidebar shows it. (With a
    # title given in `nav`, as `- Home: index.md`, its heading does not matter.)
    home = site / "docs" / "index.md"
    home.write_text("# A new home title\n\n" + home.read_text(encoding="utf-8"), encoding="utf-8")
    assert not preview.update({str(home)})
    # An editor's swap file next to the records is not part of the site: nothing to build.
    assert preview.update({str(site / "changes" / ".record.md.swp")})
    assert preview.worker is None


def _edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def test_saves_made_one_after_another_end_as_a_whole_build(site: Path, tmp_path: Path) -> None:
    """Saves of every kind, some before the background step of the one before has run."""
    live = tmp_path / "live"
    preview = preview_of(site, live)
    records = sorted((site / "changes").glob("*.md"))
    rng = random.Random(7)
    picked = rng.sample(records, 6)

    # A new date moves a record to another month (and shifts every page of the change log).
    _edit(picked[0], "date: 20", "date: 2019-01-02\nx-was: 20")
    _edit(picked[0], "\nx-was: ", "\n# was: ")
    _edit(picked[1], 'status: "', 'status: "draft"\n# was: "')  # a draft: only in serve
    _edit(picked[2], "tags:\n", "tags:\n  - first-of-its-kind\n")  # a new tag page
    assert preview.update({str(p) for p in picked[:3]})
    picked[3].unlink()  # gone before the first background step is applied
    assert preview.update({str(picked[3])})
    settle(preview)

    _edit(picked[4], 'owner: "', 'owner: "zed')  # a new owner page
    assert preview.update({str(picked[4])})
    picked[4].write_text("---\ntitle: broken\n", encoding="utf-8")  # then broken
    assert preview.update({str(picked[4])})
    article = sorted((site / "docs" / "articles").rglob("*.md"))[1]
    _edit(article, "title: ", "title: Renamed · ")
    assert preview.update({str(article)})
    settle(preview)
    same_site(site, live, tmp_path)


def test_a_new_record_alone_is_in_the_sitemap(site: Path, tmp_path: Path) -> None:
    live = tmp_path / "live"
    preview = preview_of(site, live)
    first = sorted((site / "changes").glob("*.md"))[0]
    added = site / "changes" / "2025-06-30-only-new-record.md"
    added.write_text(first.read_text(encoding="utf-8"), encoding="utf-8")
    assert preview.update({str(added)})
    settle(preview)
    assert "2025-06-30-only-new-record" in (live / "sitemap.xml").read_text(encoding="utf-8")
    same_site(site, live, tmp_path)
