"""The MkDocs plugin: real builds in tmp_path, with the HTML checked."""

from __future__ import annotations

import datetime as dt
import json
import logging
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup, Tag
from mkdocs.exceptions import Abort, PluginError

from conftest import OMIT, MakeSite, load_mkdocs_config, mkdocs_build, record

pytestmark = pytest.mark.build

NAV_YML = """\
site_name: Test site
theme:
  name: material
plugins:
  - search
  - changetrail
nav:
  - Home: index.md
  - Change log: changes/index.md
validation:
  omitted_files: warn
  absolute_links: warn
  unrecognized_links: warn
  anchors: warn
"""


def records() -> dict[str, str]:
    return {
        "changes/2024-03-04-orders-index.md": record(
            area="database",
            tags=["performance", "db"],
            checklist=[{"done": "capture the current behavior"}, {"todo": "write the final note"}],
            links=[{"title": "PR 42", "url": "https://github.com/acme/shop/pull/42"}],
            related=["2024-02-10-orders-table"],
            body="We tried a partial index first.\n",
        ),
        "changes/2024-02-10-orders-table.md": record(
            title="Create the orders table",
            date=dt.date(2024, 2, 10),
            owner="@db-team",
            status="rolled-back",
            metrics=OMIT,
        ),
        "changes/db/2024-03-20-search-rewrite.md": record(
            title="Rewrite search",
            date=dt.date(2024, 3, 20),
            owner="bob",
            status="planned",
            files_touched=OMIT,
            commands=OMIT,
            metrics=OMIT,
            tags=["performance"],
        ),
    }


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def article(path: Path) -> Tag:
    found = soup_of(path).select_one("article.md-content__inner")
    assert found is not None, path
    return found


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One build of a small project, shared by the read-only tests below."""
    root = tmp_path_factory.mktemp("plugin")
    for rel, text in {
        "mkdocs.yml": NAV_YML,
        "docs/index.md": "# Home\n\nSee the [change log](changes/index.md).\n",
        **records(),
    }.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return mkdocs_build(root, strict=True)


def test_index_lists_records_newest_first_grouped_by_month(site: Path) -> None:
    page = article(site / "changes" / "index.html")
    h1 = page.find("h1")
    assert h1 is not None
    assert h1.get_text(strip=True) == "Change log"
    assert [h.get_text(strip=True) for h in page.find_all("h2")] == [
        "March 2024",
        "February 2024",
        "Archive",
    ]
    tables = page.find_all("table")
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for table in tables
        for tr in table.select("tbody tr")
    ]
    assert rows == [
        ["2024-03-20", "Rewrite search", "planned", "bob", ""],
        [
            "2024-03-04",
            "Add index on orders.created_at",
            "shipped",
            "alice",
            "p95 latency: 820 → 95 ms (\u221288.4 %)",
        ],
        ["2024-02-10", "Create the orders table", "rolled-back", "@db-team", ""],
    ]
    hrefs = [a["href"] for a in page.select("tbody a")]
    assert hrefs[:2] == ["2024-03-20-search-rewrite/", "owners/bob/"]


def test_one_page_per_record_and_taxonomy_pages(site: Path) -> None:
    changes = site / "changes"
    pages = sorted(p.parent.relative_to(changes).as_posix() for p in changes.rglob("index.html"))
    file_pages = [p for p in pages if p.startswith("files/")]
    assert "files/db-migrations-0042-orders-created-at-sql" in file_pages
    assert [p for p in pages if not p.startswith("files/")] == [
        ".",
        "2024-02-10-orders-table",
        "2024-03-04-orders-index",
        "2024-03-20-search-rewrite",
        "archive/2024-02",
        "archive/2024-03",
        "checklists",
        "files",
        "metrics",
        "owners",
        "owners/alice",
        "owners/bob",
        "owners/db-team",
        "recent",
        "status",
        "status/planned",
        "status/rolled-back",
        "status/shipped",
        "tags",
        "tags/db",
        "tags/performance",
    ]
    tag_page = article(changes / "tags" / "performance" / "index.html")
    assert [a.get_text() for a in tag_page.select("tbody a")] == [
        "Rewrite search",
        "Add index on orders.created_at",
    ]


def test_record_page_sections(site: Path) -> None:
    page = article(site / "changes" / "2024-03-04-orders-index" / "index.html")
    h1 = page.find("h1")
    assert h1 is not None
    assert h1.get_text(strip=True) == "Add index on orders.created_at"
    assert [h.get_text(strip=True) for h in page.find_all("h2")] == [
        "Reason",
        "Expected result",
        "Files touched",
        "Commands",
        "Metrics",
        "Rollback",
        "Checklist",
        "Links",
        "Related changes",
        "Notes",
    ]
    meta = page.find("p")
    assert meta is not None
    assert meta.get_text(" ", strip=True) == (
        "shipped · 2024-03-04 · Owner: alice · Area: database · Tags: performance , db"
    )
    progress = page.select_one("p.ct-progress")
    assert progress is not None
    assert progress.get_text(strip=True) == "1 of 2 done"
    assert [
        (li.get_text(strip=True), li.select_one("input[checked]") is not None)
        for li in page.select("ul.ct-checklist li")
    ] == [("capture the current behavior", True), ("write the final note", False)]
    cells = [td.get_text(strip=True) for td in page.select("table tbody tr td")]
    assert cells == ["p95 latency", "820 ms", "95 ms", "\u221288.4 %", "better"]
    rollback = page.select_one("div.admonition.danger.ct-rollback")
    assert rollback is not None
    assert "How to roll back (tested)" in rollback.get_text()
    assert [c.get_text() for c in rollback.select("pre code")] == ["make migrate-down\n"]
    assert [c.get_text() for c in page.select("pre code")] == [
        "make migrate\n",
        "make migrate-down\n",
    ]


def test_record_page_html_snapshot(site: Path, *, update_goldens: bool) -> None:
    """Only the article region is snapshotted, so a theme update does not rewrite it."""
    html = article(site / "changes" / "2024-03-04-orders-index" / "index.html").prettify()
    golden = Path(__file__).parent / "golden" / "render" / "record-page.html"
    if update_goldens:
        golden.write_text(html, encoding="utf-8")
    assert html == golden.read_text(encoding="utf-8")


def test_code_copy_button_is_turned_on(site: Path) -> None:
    soup = soup_of(site / "changes" / "2024-03-04-orders-index" / "index.html")
    config = soup.select_one("script#__config")
    assert config is not None
    assert "content.code.copy" in json.loads(config.get_text())["features"]


def test_records_are_not_in_the_navigation(site: Path) -> None:
    for page in [site / "index.html", site / "changes" / "2024-03-04-orders-index" / "index.html"]:
        nav = soup_of(page).select_one("nav.md-nav--primary")
        assert nav is not None
        labels = [a.get_text(" ", strip=True) for a in nav.select("a.md-nav__link")]
        assert "Change log" in labels
        assert not [lab for lab in labels if "orders" in lab.lower() or "search" in lab.lower()]


def test_stylesheet_and_schema_are_published(site: Path) -> None:
    assert (site / "assets" / "changetrail" / "changetrail.css").is_file()
    soup = soup_of(site / "changes" / "index.html")
    assert any("changetrail.css" in str(link.get("href")) for link in soup.find_all("link"))
    schema = json.loads((site / "changes" / "schema.json").read_text(encoding="utf-8"))
    assert "title" in schema["properties"]


def test_search_index_covers_records(site: Path) -> None:
    # Pagefind (the default search) indexes each page's content region, rollback section included.
    body = soup_of(site / "changes" / "2024-03-04-orders-index" / "index.html").select_one(
        "[data-pagefind-body]"
    )
    assert body is not None
    assert body.find(id="rollback") is not None
    assert (site / "pagefind" / "pagefind-entry.json").is_file()


# -- builds that stop or change ---------------------------------------------------------------


def test_invalid_record_stops_the_build_naming_file_and_line(
    make_site: MakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    root = make_site(
        {
            "changes/2024-03-04-a.md": record(status="done"),
            "changes/2024-03-05-b.md": record(),
            "changes/2024-03-06-c.md": "",
        }
    )
    expected = (
        "changetrail found problems in the change records and articles:\n"
        "changes/2024-03-04-a.md:5:9: status: expected one of draft, planned, in-progress, "
        "shipped, rolled-back, abandoned; got 'done'\n"
        "  hint: did you mean 'shipped'?\n"
        "changes/2024-03-06-c.md:1:1: file is empty\n"
        """  hint: run 'changetrail new "TITLE"' to start from a complete template\n"""
        "2 errors in 2 of 3 files checked"
    )
    with caplog.at_level(logging.ERROR, logger="mkdocs"), pytest.raises(Abort) as info:
        mkdocs_build(root)
    # MkDocs logs a PluginError's message (no traceback) and aborts the build.
    assert isinstance(info.value.__context__, PluginError)
    assert str(info.value.__context__) == expected
    assert [(r.levelname, r.getMessage()) for r in caplog.records] == [("ERROR", expected)]
    assert not (root / "site" / "changes").exists()


def test_serve_keeps_going_with_invalid_records(
    make_site: MakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    from mkdocs.commands.build import build

    root = make_site({"changes/2024-03-04-a.md": record(status="done"), **records()})
    config = load_mkdocs_config(root)
    config.plugins.on_startup(command="serve", dirty=False)
    with caplog.at_level(logging.INFO, logger="mkdocs"):
        try:
            build(config)
        finally:
            config.plugins.on_shutdown()
    ours = [
        (r.levelname, r.getMessage())
        for r in caplog.records
        # The search index's own messages are checked in test_search.py.
        if "changetrail" in r.name and not r.getMessage().startswith("changetrail: search:")
    ]
    assert ours == [
        (
            "WARNING",
            (
                "changetrail: changes/2024-03-04-a.md:5:9: status: expected one of draft, "
                "planned, in-progress, shipped, rolled-back, abandoned; got 'done'\n"
                "  hint: did you mean 'shipped'?"
            ),
        ),
        ("INFO", "changetrail: feeds need site_url in mkdocs.yml; none were written"),
        ("INFO", "changetrail: 3 change records -> 25 pages under changes/"),
    ]
    site = Path(config.site_dir)
    assert (site / "changes" / "2024-03-20-search-rewrite" / "index.html").exists()
    # The broken record's page shows its problems instead, so the preview says what is wrong.
    broken = article(site / "changes" / "2024-03-04-a" / "index.html")
    assert broken.h1 is not None
    assert broken.h1.get_text() == "Problems in changes/2024-03-04-a.md"
    assert broken.pre is not None
    assert broken.pre.get_text() == (
        "changes/2024-03-04-a.md:5:9: status: expected one of draft, planned, in-progress, "
        "shipped, rolled-back, abandoned; got 'done'\n  hint: did you mean 'shipped'?\n"
    )


def test_records_folder_inside_docs_dir(make_site: MakeSite) -> None:
    yml = (
        "site_name: Test site\ntheme:\n  name: material\n"
        "plugins:\n  - search\n  - changetrail:\n      changes_dir: docs/changes\n"
    )
    files: dict[str, str | bytes] = {
        "mkdocs.yml": yml,
        "docs/changes/README.md": "# About this folder\n",
    }
    files.update({f"docs/{rel}": text for rel, text in records().items()})
    root = make_site(files)
    site = mkdocs_build(root, strict=True)
    page = article(site / "changes" / "2024-03-04-orders-index" / "index.html")
    assert [h.get_text(strip=True) for h in page.find_all("h2")][:2] == [
        "Reason",
        "Expected result",
    ]
    # The raw record in a sub-folder is not published beside the rendered one.
    assert not (site / "changes" / "db").exists()
    assert (site / "changes" / "2024-03-20-search-rewrite" / "index.html").exists()


def test_strict_build_fails_on_a_broken_link_in_a_record_body(make_site: MakeSite) -> None:
    root = make_site(
        {
            "mkdocs.yml": NAV_YML,
            "changes/2024-03-04-a.md": record(body="See [the runbook](../missing.md).\n"),
        }
    )
    with pytest.raises(Abort) as info:
        mkdocs_build(root, strict=True)
    assert "1 warnings in strict mode" in str(info.value)


def test_disabled_plugin_adds_nothing(make_site: MakeSite) -> None:
    yml = (
        "site_name: Test site\ntheme:\n  name: material\n"
        "plugins:\n  - search\n  - changetrail:\n      enabled: false\n"
    )
    root = make_site({"mkdocs.yml": yml, "changes/2024-03-04-a.md": "broken"})
    site = mkdocs_build(root)
    assert (site / "index.html").exists()
    assert not (site / "changes").exists()


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"chnages_dir": "x"}, "chnages_dir"),
        ({"changes_dir": 3}, "changes_dir"),
        ({"required": {"metric": ["shipped"]}}, "'metric' is not a status-dependent field"),
    ],
)
def test_bad_plugin_options_stop_before_the_build(
    make_site: MakeSite,
    caplog: pytest.LogCaptureFixture,
    options: dict[str, Any],
    message: str,
) -> None:
    block = json.dumps({"changetrail": options})
    yml = f"site_name: t\ntheme:\n  name: material\nplugins:\n  - search\n  - {block}\n"
    root = make_site({"mkdocs.yml": yml, **records()})
    with caplog.at_level(logging.WARNING, logger="mkdocs"), pytest.raises(Abort) as info:
        mkdocs_build(root, strict=True)
    # Unknown options and wrong types are MkDocs' own config errors; our own validation of
    # `required` arrives as a PluginError. Either way the message names the option.
    reported = [r.getMessage() for r in caplog.records] + [str(info.value.__context__)]
    assert any(message in line for line in reported), reported
    assert not (root / "site").exists()


ODD_IDS = [
    "2024-01-01 with space",
    "2024-01-02-(paren)",
    "2024-01-03-<b>x",
    "2024-01-04-50%",
    "2024-01-05-a#b",
    "2024-01-06-ünï",
    "2024-01-07-q?x",
    '2024-01-08-"q"',
    "2024-01-09-a]b",
]


def test_odd_file_names_are_refused_by_check_or_linked_correctly(make_site: MakeSite) -> None:
    """`check` passing must mean `build --strict` passes: a record id that cannot be linked
    to is either refused by check, or every generated link to it reaches its page."""
    from changetrail.pipeline import load_project
    from changetrail.settings import Settings

    root = make_site(
        {"mkdocs.yml": NAV_YML}
        | {f"changes/{rid}.md": record(title=f"Record {i}") for i, rid in enumerate(ODD_IDS)}
    )
    refused = {e.file for e in load_project(root, Settings()).errors}
    for rid in ODD_IDS:
        if f"changes/{rid}.md" in refused:
            (root / "changes" / f"{rid}.md").unlink()
    accepted = [rid for rid in ODD_IDS if f"changes/{rid}.md" not in refused]

    site = mkdocs_build(root, strict=True)
    index = site / "changes" / "index.html"
    links = {a.get_text(): str(a["href"]) for a in article(index).select("tbody td a")}
    for i, rid in enumerate(accepted):
        href = links[f"Record {ODD_IDS.index(rid)}"]
        target = (index.parent / unquote(href.split("#")[0])).resolve()
        assert (target / "index.html").is_file(), (rid, href, i)


def test_plugin_options_reach_the_pages(make_site: MakeSite) -> None:
    yml = (
        "site_name: Test site\ntheme:\n  name: material\nplugins:\n  - search\n"
        "  - changetrail:\n      changes_dir: records\n      site_path: log\n"
        "      default_checklist: [backup, announce]\n      required: {metrics: []}\n"
    )
    root = make_site({"mkdocs.yml": yml, "records/2024-03-04-a.md": record(metrics=OMIT)})
    site = mkdocs_build(root, strict=True)
    page = article(site / "log" / "2024-03-04-a" / "index.html")
    progress = page.select_one("p.ct-progress")
    assert progress is not None
    assert progress.get_text(strip=True) == "0 of 2 done (default checklist)"
    assert [li.get_text(strip=True) for li in page.select("ul.ct-checklist li")] == [
        "backup",
        "announce",
    ]
    assert "Metrics" not in [h.get_text(strip=True) for h in page.find_all("h2")]
    assert (site / "log" / "index.html").is_file()
    assert not (site / "changes").exists()
