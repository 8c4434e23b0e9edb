"""Pagefind search: the facet attributes, the header button, and real builds with the index."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from mkdocs.exceptions import Abort

from changetrail.article import Article
from changetrail.models import ChangeRecord
from changetrail.search import (
    FILTERS,
    Facets,
    article_facets,
    button_html,
    insert_in_header,
    link_assets,
    page_facets,
    record_facets,
    render_facets,
    root_href,
)
from changetrail.search.facets import MAX_VALUE
from conftest import OMIT, MakeSite, load_mkdocs_config, mkdocs_build, record

HOSTILE = [
    '"><script>alert(1)</script>',
    "a' onmouseover='alert(1)",
    "x]&[data-value]=y, status:shipped",
    "</span></div><img src=x onerror=alert(1)>",
    "&amp; &lt;already escaped&gt;",
]


def change(**fields: Any) -> ChangeRecord:
    base: dict[str, Any] = {
        "title": "Add index",
        "date": "2024-03-04",
        "owner": "alice",
        "status": "shipped",
        "reason": "Slow.",
        "expected_result": "Fast.",
    }
    base.update(fields)
    return ChangeRecord.model_validate(base)


def spans(markup: str) -> list[Tag]:
    soup = BeautifulSoup(markup, "html.parser")
    box = soup.find("div", class_="ct-search-facets")
    assert isinstance(box, Tag)
    return [s for s in box.find_all("span") if isinstance(s, Tag)]


def parsed(markup: str) -> dict[str, list[str]]:
    """attribute=name -> values, as Pagefind reads them (``name[data-value]``)."""
    out: dict[str, list[str]] = {}
    for span in spans(markup):
        for attr in ("data-pagefind-filter", "data-pagefind-meta", "data-pagefind-sort"):
            if span.has_attr(attr):
                name = str(span[attr]).removesuffix("[data-value]")
                out.setdefault(f"{attr.rsplit('-', 1)[1]}:{name}", []).append(
                    str(span["data-value"])
                )
    return out


# -- facet values -------------------------------------------------------------------------------


def test_a_record_has_kind_status_owner_area_tags_and_a_date() -> None:
    facets = record_facets(
        change(area="database", tags=["performance", "db", "performance"], status="rolled-back")
    )
    assert facets == Facets(
        "change",
        "Add index",
        dt.date(2024, 3, 4),
        {
            "status": ("rolled-back",),
            "owner": ("alice",),
            "area": ("database",),
            "tags": ("performance", "db"),
        },
    )
    got = parsed(render_facets(facets))
    assert got == {
        "filter:kind": ["change"],
        "filter:status": ["rolled-back"],
        "filter:owner": ["alice"],
        "filter:area": ["database"],
        "filter:tags": ["performance", "db"],
        "meta:title": ["Add index"],
        "meta:date": ["2024-03-04"],
        "sort:date": ["2024-03-04"],
    }


def test_without_an_area_a_record_counts_for_the_top_folders_it_touched() -> None:
    facets = record_facets(
        change(files_touched=["db/migrations/1.sql", "./db/x.sql", "deploy/app.yaml", "Makefile"])
    )
    assert facets.filters["area"] == ("db", "deploy")
    assert "area" not in record_facets(change(files_touched=["Makefile"])).filters


def test_an_article_has_owner_area_stack_difficulty_and_tags() -> None:
    meta = Article.model_validate(
        {
            "title": "Retry jobs",
            "date": "2025-01-02",
            "owner": "platform",
            "stack": ["python", "redis"],
            "difficulty": "advanced",
            "entities": [
                {"name": "background jobs", "type": "area"},
                {"name": "redis", "type": "stack"},
            ],
            "tags": ["jobs"],
        }
    )
    got = parsed(render_facets(article_facets(meta)))
    assert got == {
        "filter:kind": ["article"],
        "filter:owner": ["platform"],
        "filter:area": ["background jobs"],
        "filter:stack": ["python", "redis"],
        "filter:difficulty": ["advanced"],
        "filter:tags": ["jobs"],
        "meta:title": ["Retry jobs"],
        "meta:date": ["2025-01-02"],
        "sort:date": ["2025-01-02"],
    }


def test_an_article_without_optional_fields_has_only_its_kind_and_title() -> None:
    got = parsed(render_facets(article_facets(Article.model_validate({"title": "Bare"}))))
    assert got == {"filter:kind": ["article"], "meta:title": ["Bare"]}


def test_a_page_has_its_kind_title_and_optional_date() -> None:
    assert parsed(render_facets(page_facets("Home"))) == {
        "filter:kind": ["page"],
        "meta:title": ["Home"],
    }
    got = parsed(render_facets(page_facets("Home", dt.date(2026, 1, 15))))
    assert got["sort:date"] == ["2026-01-15"]


def test_filters_are_rendered_in_the_documented_order() -> None:
    facets = Facets("x", "t", None, {name: ("v",) for name in reversed(FILTERS) if name != "kind"})
    found = spans(render_facets(facets))
    names = [str(s["data-pagefind-filter"]) for s in found if s.has_attr("data-pagefind-filter")]
    assert names == [f"{name}[data-value]" for name in FILTERS]


# -- hostile values -----------------------------------------------------------------------------


@pytest.mark.parametrize("value", HOSTILE)
def test_hostile_values_stay_inside_their_attribute(value: str) -> None:
    facets = record_facets(change(title=value, owner=value, area=value, tags=[value]))
    markup = render_facets(facets)
    soup = BeautifulSoup(markup, "html.parser")
    # Nothing but the one box and its empty spans: no element or attribute was injected.
    assert {t.name for t in soup.find_all(True)} == {"div", "span"}
    for span in spans(markup):
        assert set(span.attrs) <= {
            "data-pagefind-filter",
            "data-pagefind-meta",
            "data-pagefind-sort",
            "data-value",
        }
        assert span.get_text() == ""
    got = parsed(markup)
    for key in ("filter:owner", "filter:area", "filter:tags", "meta:title"):
        assert got[key] == [value], key
    assert "<script" not in markup
    assert "<img" not in markup


def test_control_characters_and_newlines_are_blanks_and_long_values_are_cut() -> None:
    facets = page_facets("one\ntwo\x00\tthree\u2028four")
    assert parsed(render_facets(facets))["meta:title"] == ["one two three four"]
    long = page_facets("x" * 5000)
    assert len(parsed(render_facets(long))["meta:title"][0]) == MAX_VALUE


# -- the header button --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("url", "root"),
    [
        ("", "./"),
        ("changes/", "../"),
        ("changes/2024-03-04-a/", "../../"),
        ("index.html", "./"),
        ("changes/index.html", "../"),
        ("changes/files/db/x.html", "../../../"),
    ],
)
def test_root_href_at_every_depth(url: str, root: str) -> None:
    assert root_href(url) == root


def test_the_button_goes_before_materials_search_the_source_link_or_the_end_of_the_header() -> None:
    button = button_html("../")
    search = '<label class="md-header__button md-icon" for="__search">'
    source = '<div class="md-header__source">'
    header = '<header class="md-header"><nav class="md-header__inner">{}</nav></header><nav>x</nav>'
    for inner, anchor in ((search + source, search), (source, source), ("", "</nav>")):
        out = insert_in_header(header.format(inner), button)
        assert out is not None
        assert out.index(button) + len(button) == out.index(anchor)
        assert out.count(button) == 1
    assert insert_in_header("<html><body>no Material</body></html>", button) is None


def test_button_and_assets_escape_the_root() -> None:
    markup = button_html('"><x')
    assert 'data-root="&quot;&gt;&lt;x"' in markup
    out = link_assets("<head></head>", "../")
    assert 'href="../assets/changetrail/search.css"' in out
    assert 'src="../assets/changetrail/search.js"' in out


# -- real builds --------------------------------------------------------------------------------

MKDOCS_YML = """\
site_name: Test site
theme:
  name: material
plugins:
  - search
  - changetrail{options}
"""

ARTICLE = """\
---
kind: article
title: Retry background jobs
date: 2025-01-02
owner: platform
stack: [python, redis]
difficulty: advanced
tags: [jobs]
---

# Retry background jobs

Use exponential backoff.
"""


def project(make_site: MakeSite, options: str = "", **extra: str) -> Path:
    files = {
        "mkdocs.yml": MKDOCS_YML.format(options=options),
        "changes/2024-03-04-orders-index.md": record(area="database", tags=["performance"]),
        "changes/2024-02-10-orders-table.md": record(
            title="Create the orders table",
            date=dt.date(2024, 2, 10),
            owner="db-team",
            status="rolled-back",
            metrics=OMIT,
        ),
        "docs/guides/retry.md": ARTICLE,
        **extra,
    }
    return make_site(files)


@pytest.mark.build
def test_a_build_indexes_every_page_with_its_filters(
    make_site: MakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    root = project(make_site)
    with caplog.at_level(logging.INFO):
        site = mkdocs_build(root, strict=True)
    entry = json.loads((site / "pagefind" / "pagefind-entry.json").read_text())
    pages = sum(1 for p in site.rglob("*.html") if "data-pagefind-body" in p.read_text())
    assert pages == 4  # home page, two records, one article; the generated lists are not indexed
    assert entry["languages"]["en"]["page_count"] == pages
    # One chunk per filter that has values: kind, status, owner, area, stack, difficulty, tags.
    assert len(list((site / "pagefind" / "filter").glob("*.pf_filter"))) == 7
    assert (site / "pagefind" / "pagefind-ui.js").is_file()
    assert (site / "assets" / "changetrail" / "search.js").is_file()
    # Material's own index is not written: Pagefind replaces it.
    assert not (site / "search" / "search_index.json").exists()
    messages = [r.getMessage() for r in caplog.records]
    assert any("Pagefind replaces Material's search plugin" in m for m in messages)
    assert any(f"search: Pagefind indexed {pages} pages" in m for m in messages)

    html = (site / "changes" / "2024-02-10-orders-table" / "index.html").read_text()
    soup = BeautifulSoup(html, "html.parser")
    body = soup.find_all(attrs={"data-pagefind-body": True})
    assert len(body) == 1, "one indexed region per page"
    assert soup.find("header").find_parent(attrs={"data-pagefind-body": True}) is None
    got = parsed(str(body[0]))
    assert got["filter:status"] == ["rolled-back"]
    assert got["filter:owner"] == ["db-team"]
    assert got["sort:date"] == ["2024-02-10"]
    button = soup.find("button", class_="ct-search__button")
    assert isinstance(button, Tag)
    assert button["data-root"] == "../../"
    assert button.find_parent("header") is not None
    assert soup.find("a", class_="ct-header-recent") is not None
    assert soup.find("script", src="../../assets/changetrail/search.js") is not None

    article = BeautifulSoup((site / "guides" / "retry" / "index.html").read_text(), "html.parser")
    got = parsed(str(article.find(attrs={"data-pagefind-body": True})))
    assert got["filter:kind"] == ["article"]
    assert got["filter:stack"] == ["python", "redis"]
    home = BeautifulSoup((site / "index.html").read_text(), "html.parser")
    assert parsed(str(home.find(attrs={"data-pagefind-body": True})))["filter:kind"] == ["page"]
    # Generated lists are not indexed: search leads to the records they list.
    for listing in ("changes/index.html", "changes/tags/index.html"):
        soup = BeautifulSoup((site / listing).read_text(), "html.parser")
        assert soup.find(attrs={"data-pagefind-body": True}) is None, listing


@pytest.mark.build
def test_without_directory_urls_the_root_is_relative_to_the_html_file(make_site: MakeSite) -> None:
    root = project(make_site)
    yml = root / "mkdocs.yml"
    yml.write_text(yml.read_text() + "use_directory_urls: false\n")
    site = mkdocs_build(root)
    soup = BeautifulSoup(
        (site / "changes" / "2024-02-10-orders-table.html").read_text(), "html.parser"
    )
    button = soup.find("button", class_="ct-search__button")
    assert isinstance(button, Tag)
    assert button["data-root"] == "../"
    assert (site / "pagefind" / "pagefind-entry.json").is_file()


@pytest.mark.build
def test_search_material_keeps_materials_search_and_writes_no_pagefind_index(
    make_site: MakeSite,
) -> None:
    root = project(make_site, ":\n      search: material")
    site = mkdocs_build(root)
    assert (site / "search" / "search_index.json").is_file()
    assert not (site / "pagefind").exists()
    html = (site / "changes" / "2024-02-10-orders-table" / "index.html").read_text()
    assert "data-pagefind" not in html
    assert "ct-search__button" not in html
    soup = BeautifulSoup(html, "html.parser")
    recent = soup.find("a", class_="ct-header-recent")
    assert isinstance(recent, Tag)
    assert recent.find_next_sibling("label", attrs={"for": "__search"}) is not None


@pytest.mark.build
def test_a_site_without_the_search_plugin_listed_gets_pagefind(make_site: MakeSite) -> None:
    root = project(make_site)
    yml = root / "mkdocs.yml"
    yml.write_text(yml.read_text().replace("  - search\n", ""))
    site = mkdocs_build(root)
    assert (site / "pagefind" / "pagefind-entry.json").is_file()
    assert not (site / "search").exists()


@pytest.mark.build
def test_a_missing_binary_stops_the_build_with_what_to_do(
    make_site: MakeSite,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    root = project(make_site)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        mkdocs_build(root)
    message = caplog.text
    assert "search index: the pagefind binary could not start" in message
    assert "search: material" in message
    assert "pip install" in message


@pytest.mark.build
def test_a_binary_that_dies_stops_the_build_with_what_to_do(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    root = project(make_site)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", "/bin/false")
    with caplog.at_level(logging.ERROR), pytest.raises(Abort):
        mkdocs_build(root)
    # Which of the two it reports depends on when the dead process is noticed.
    assert (
        "search index: pagefind could not index the site" in caplog.text
        or "search index: the pagefind binary stopped while indexing the site" in caplog.text
    )
    assert "search: material" in caplog.text


@pytest.mark.build
def test_the_cli_reports_a_broken_binary_without_a_traceback(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from click.testing import CliRunner

    from changetrail.cli import cli

    root = project(make_site)
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["build"])
    assert result.exit_code != 0
    assert "search index: the pagefind binary could not start" in result.output
    assert "Build failed; nothing was written." in result.output
    assert "Traceback" not in result.output


@pytest.mark.build
def test_hostile_frontmatter_reaches_the_index_as_data_only(make_site: MakeSite) -> None:
    root = make_site(
        {
            "changes/2024-03-04-hostile.md": record(
                title=HOSTILE[0], owner=HOSTILE[1], area=HOSTILE[3], tags=HOSTILE[2:]
            )
        }
    )
    site = mkdocs_build(root)
    soup = BeautifulSoup(
        (site / "changes" / "2024-03-04-hostile" / "index.html").read_text(), "html.parser"
    )
    body = soup.find(attrs={"data-pagefind-body": True})
    assert isinstance(body, Tag)
    got = parsed(str(body))
    assert got["meta:title"] == [HOSTILE[0]]
    assert got["filter:owner"] == [HOSTILE[1]]
    assert got["filter:area"] == [HOSTILE[3]]
    assert got["filter:tags"] == HOSTILE[2:]
    handlers = [
        (tag.name, attr)
        for tag in soup.find_all(True)
        for attr in tag.attrs
        if attr.startswith("on")
    ]
    assert handlers == []
    assert soup.find("img", src="x") is None
    assert "alert(1)" not in "".join(script.get_text() for script in soup.find_all("script"))


def _serve_build(root: Path) -> Path:
    """One `serve` build; on_shutdown waits for the index, which `serve` runs in the background."""
    from mkdocs.commands.build import build

    config = load_mkdocs_config(root)
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return Path(config.site_dir)


@pytest.mark.build
def test_a_serve_build_indexes_too(make_site: MakeSite) -> None:
    """`serve` rebuilds run on_post_build like a build: the index always matches the pages."""
    site = _serve_build(project(make_site))
    assert (site / "pagefind" / "pagefind-entry.json").is_file()


@pytest.mark.build
def test_in_serve_a_broken_binary_is_a_warning_and_the_preview_goes_on(
    make_site: MakeSite,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    monkeypatch.setenv("PAGEFIND_BINARY_PATH", str(tmp_path / "no-such-pagefind"))
    with caplog.at_level(logging.WARNING):
        site = _serve_build(project(make_site))
    assert (site / "changes" / "2024-02-10-orders-table" / "index.html").is_file()
    warnings = [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING]
    assert any("search index: the pagefind binary could not start" in m for m in warnings)
