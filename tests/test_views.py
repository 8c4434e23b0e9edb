"""views: recent changes, per-file history, metric trends, owners, checklist health, feeds and
records.json, from catalogs read the way the site reads them, at a fixed build time."""

from __future__ import annotations

import datetime as dt
import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import TYPE_CHECKING, Any

import feedparser
import jsonschema
import markdown
import pytest
from bs4 import BeautifulSoup

from changetrail.catalog import build_catalog
from changetrail.pipeline import load_project
from changetrail.render import Renderer
from changetrail.settings import Settings
from changetrail.views import (
    RECENT_JS,
    build_view_links,
    published,
    published_catalog,
    records_json_schema,
    render_feeds,
    render_records_json,
    render_views,
    sanitize_view_html,
)
from changetrail.views.chart import nice_ticks
from changetrail.views.feeds import FEED_LIMIT
from conftest import OMIT, MakeSite, mkdocs_build, record

if TYPE_CHECKING:
    from changetrail.catalog import Catalog

GOLDEN_DIR = Path(__file__).parent / "golden" / "views"

#: The build time of every test: 10:00 UTC, so "yesterday" is less than 24 hours away.
NOW = dt.datetime(2026, 11, 28, 10, 0, tzinfo=dt.UTC)
TODAY = NOW.date()
SITE_URL = "https://example.com/docs/"

HOSTILE = '<script>alert("x")</script> & {{ 7*7 }}'


def day(age: int) -> dt.date:
    return TODAY - dt.timedelta(days=age)


def catalog_of(make_site: MakeSite, records: dict[str, str], *, name: str = "project") -> Catalog:
    root = make_site({f"changes/{rid}.md": text for rid, text in records.items()}, name=name)
    project = load_project(root, Settings(), today=TODAY)
    loaded = {r.id for r in project.catalog.records}
    assert loaded == set(records), [e.format_text() for e in project.errors]
    return project.catalog


def views(catalog: Catalog, settings: Settings | None = None) -> dict[str, str]:
    settings = settings or Settings()
    return render_views(catalog, Renderer(settings), settings, now=NOW)


def section(page: str, title: str) -> str:
    """The Markdown of one recent-changes window."""
    start = page.index(f"## {title}")
    end = page.find('<div class="ct-recent-window"', start)
    return page[start : end if end != -1 else len(page)]


def entry_ids(markdown: str) -> list[str]:
    return [m.replace("\\", "") for m in re.findall(r"\*\*\[[^\]]*\]\(([^)]+)\.md\)\*\*", markdown)]


# -- drafts and scheduling -------------------------------------------------------------------


def test_published_leaves_out_drafts_and_future_records(make_site: MakeSite) -> None:
    catalog = catalog_of(
        make_site,
        {
            "today": record(date=TODAY),
            "draft": record(date=day(3), status="draft"),
            "tomorrow": record(date=day(-1), status="planned"),
            "old": record(date=day(400)),
        },
    )
    assert [r.id for r in published(catalog, now=NOW)] == ["today", "old"]
    assert [r.id for r in published_catalog(catalog, now=NOW).records] == ["today", "old"]
    # The build's date is the UTC date of now: 23:30 in UTC-5 is already tomorrow in UTC.
    late = dt.datetime(2026, 11, 27, 23, 30, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    assert [r.id for r in published(catalog, now=late)] == ["today", "old"]


def test_naive_now_is_refused(make_site: MakeSite) -> None:
    catalog = catalog_of(make_site, {"a": record()})
    with pytest.raises(ValueError, match="timezone-aware"):
        published(catalog, now=dt.datetime(2026, 11, 28))  # noqa: DTZ001


# -- recent changes --------------------------------------------------------------------------


@pytest.fixture
def recent_catalog(make_site: MakeSite) -> Catalog:
    ages = {"age-0": 0, "age-1": 1, "age-2": 2, "age-7": 7, "age-8": 8, "age-30": 30, "age-31": 31}
    records = {rid: record(date=day(age), title=f"Change {rid}") for rid, age in ages.items()}
    records["age-0-rolled-back"] = record(date=day(0), status="rolled-back", title="Rolled")
    records["age-3-in-progress"] = record(
        date=day(3), status="in-progress", rollback={"note": "Flip the flag back."}
    )
    records["age-0-planned"] = record(date=day(0), status="planned", title="Planned")
    records["age-0-abandoned"] = record(date=day(0), status="abandoned", rollback=OMIT)
    records["age-0-draft"] = record(date=day(0), status="draft")
    records["future"] = record(date=day(-2), status="planned")
    return catalog_of(make_site, records)


def test_recent_windows_at_their_boundaries(recent_catalog: Catalog) -> None:
    page = views(recent_catalog)["changes/recent.md"]
    assert entry_ids(section(page, "Last 24 hours")) == ["age-0", "age-0-rolled-back", "age-1"]
    assert entry_ids(section(page, "Last 7 days")) == ["age-2", "age-3-in-progress", "age-7"]
    assert entry_ids(section(page, "Last 30 days")) == ["age-8", "age-30"]
    assert "age-31" not in page
    for absent in ("age-0-planned", "age-0-abandoned", "age-0-draft", "future"):
        assert absent not in page


def test_recent_entries_carry_their_date_for_the_client_script(recent_catalog: Catalog) -> None:
    page = views(recent_catalog)["changes/recent.md"]
    dates = re.findall(r'<div class="ct-recent" data-ct-date="([\d-]+)" markdown>', page)
    assert dates == sorted(dates, reverse=True)  # newest first, window after window
    assert dates[0] == TODAY.isoformat()
    assert re.findall(r'data-ct-window="(\d+)"', page) == ["1", "7", "30"]
    assert 'Built at <time datetime="2026-11-28T10:00:00Z">' in page


def test_recent_entry_shows_owner_status_files_and_rollback_command(
    recent_catalog: Catalog,
) -> None:
    page = views(recent_catalog)["changes/recent.md"]
    first = section(page, "Last 24 hours").split('<div class="ct-recent" ')[1]
    assert '<span class="ct-status ct-status--shipped">shipped</span>' in first
    assert "**Owner:** [alice](owners/alice.md)" in first
    assert "[`db/migrations/0042_orders_created_at.sql`](files/" in first
    assert "``` sh\nmake migrate-down\n```" in first
    no_command = r"no command; see [how to roll it back](age\-3\-in\-progress.md#rollback)"
    assert no_command in section(page, "Last 7 days")


def test_recent_page_golden(recent_catalog: Catalog, *, update_goldens: bool) -> None:
    compare_golden("recent.md", views(recent_catalog)["changes/recent.md"], update=update_goldens)


def test_recent_script_is_shipped() -> None:
    script = RECENT_JS.read_text(encoding="utf-8")
    assert "data-ct-window" in script
    assert "DOMContentLoaded" in script
    assert "document$" in script
    assert "Checked in your browser at" in script


# -- files -----------------------------------------------------------------------------------


@pytest.fixture
def files_catalog(make_site: MakeSite) -> Catalog:
    return catalog_of(
        make_site,
        {
            "a": record(date=day(1), files_touched=["src/app/main.py", "src/app/util.py"]),
            "b": record(date=day(2), files_touched=["src/lib.py", "docs/index.md"]),
            "c": record(date=day(3), files_touched=["./src//app/main.py"]),
            "d": record(date=day(4), files_touched=["a/b.c", "a-b/c", "index"]),
            "draft": record(date=day(0), status="draft", files_touched=["secret/plan.md"]),
        },
    )


def test_folders_roll_up_their_files(files_catalog: Catalog) -> None:
    links = build_view_links(files_catalog, now=NOW)
    nodes = links.files.nodes
    assert [r.id for r in nodes["src"].records] == ["a", "b", "c"]
    assert [r.id for r in nodes["src/app"].records] == ["a", "c"]
    assert [r.id for r in nodes["src/app/main.py"].records] == ["a", "c"]
    assert nodes["src"].is_folder
    assert not nodes["src/lib.py"].is_folder
    assert nodes["src"].children == ("src/app", "src/lib.py")
    assert "secret/plan.md" not in nodes  # drafts are not published
    pages = views(files_catalog)
    folder = pages[f"changes/files/{nodes['src'].slug}.md"]
    assert "# Folder `src/`" in folder
    assert "`src/app/main.py`, `src/app/util.py`" in folder  # what record a touched inside
    assert entry_ids_table(folder) == ["a", "b", "c"]
    index = pages["changes/files/index.md"]
    listed = re.findall(r"^\| \[`([^`]+)`\]", index, re.M)
    assert listed.index("src/") < listed.index("src/app/") < listed.index("src/app/main.py")
    assert listed.index("src/app/util.py") < listed.index("src/lib.py")


def entry_ids_table(markdown: str) -> list[str]:
    return [
        m.replace("\\", "")
        for m in re.findall(r"^\| [\d\\-]+ \| \[[^\]]*\]\(\.\./([^)]+)\.md\)", markdown, re.M)
    ]


def test_file_slugs_are_unique_and_never_index(files_catalog: Catalog) -> None:
    links = build_view_links(files_catalog, now=NOW)
    slugs = [n.slug for n in links.files.nodes.values()]
    assert len(slugs) == len(set(slugs))
    assert "index" not in slugs
    assert links.file_page_uri("a/b.c") == "files/a-b-c.md"
    assert links.file_page_uri("a-b/c") == "files/a-b-c-2.md"
    assert links.file_page_uri("index") == "files/index-2.md"
    assert links.file_page_uri("./src//app/main.py") == links.file_page_uri("src/app/main.py")
    assert links.file_page_uri("never/touched.py") is None
    pages = views(files_catalog)
    for node in links.files.nodes.values():
        assert f"changes/files/{node.slug}.md" in pages
    assert pages["changes/files/index.md"].startswith('---\ntitle: "Files"\n---\n')


# -- metrics ---------------------------------------------------------------------------------


def metric(name: str, before: float, after: float, unit: str = "ms") -> dict[str, Any]:
    return {"name": name, "before": before, "after": after, "unit": unit, "better": "lower"}


@pytest.fixture
def metrics_catalog(make_site: MakeSite) -> Catalog:
    return catalog_of(
        make_site,
        {
            "m1": record(date=day(40), metrics=[metric("p95 latency", 820, 95)]),
            "m2": record(date=day(20), metrics=[metric("P95  Latency ", 300, 120)]),
            "m3": record(date=day(5), title="Cache", metrics=[metric("p95 latency", 150, 90.5)]),
            "once": record(date=day(5), metrics=[metric("error rate", 2, 1, "%")]),
            "draft": record(date=day(1), status="draft", metrics=[metric("error rate", 3, 1)]),
        },
    )


def test_metric_trend_only_for_names_in_more_than_one_record(metrics_catalog: Catalog) -> None:
    links = build_view_links(metrics_catalog, now=NOW)
    assert list(links.trends) == ["p95 latency"]
    assert links.metric_page_uri(" P95 latency") == "metrics/p95-latency.md"
    assert links.metric_page_uri("error rate") is None  # the second one is a draft
    pages = views(metrics_catalog)
    assert sorted(u for u in pages if "/metrics/" in u) == [
        "changes/metrics/index.md",
        "changes/metrics/p95-latency.md",
    ]
    assert "[p95 latency](p95\\-latency.md) | 3 | ms | lower |" in pages["changes/metrics/index.md"]


def test_metric_page_table_beside_the_chart(metrics_catalog: Catalog) -> None:
    page = views(metrics_catalog)["changes/metrics/p95-latency.md"]
    rows = re.findall(r"^\| (2026[^|]*) \| (.*) \| (.*) \| (.*) \| (.*) \|$", page, re.M)
    assert [(d.replace("\\", ""), b, a) for d, _, b, a, _ in rows] == [
        (day(40).isoformat(), "820 ms", "95 ms"),
        (day(20).isoformat(), "300 ms", "120 ms"),
        (day(5).isoformat(), "150 ms", "90\\.5 ms"),
    ]
    assert "\u221239\\.7 %" in rows[2][4]
    assert "[Cache](../m3.md)" in rows[2][1]


def test_metric_page_golden(metrics_catalog: Catalog, *, update_goldens: bool) -> None:
    page = views(metrics_catalog)["changes/metrics/p95-latency.md"]
    compare_golden("metric-p95-latency.md", page, update=update_goldens)


SVG = "{http://www.w3.org/2000/svg}"


def chart_of(page: str) -> ET.Element:
    match = re.search(r"<svg .*?</svg>", page, re.S)
    assert match is not None
    return ET.fromstring(match.group(0))


def test_svg_chart_is_accessible_xml_with_two_series(metrics_catalog: Catalog) -> None:
    svg = chart_of(views(metrics_catalog)["changes/metrics/p95-latency.md"])
    assert svg.get("role") == "img"
    title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
    assert title is not None
    assert desc is not None
    assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
    assert title.text == "p95 latency: before and after each change"
    series = svg.findall(f"{SVG}g[@class]")
    classes = [g.get("class") for g in series if "ct-chart__series" in (g.get("class") or "")]
    assert classes == ["ct-chart__series ct-chart__before", "ct-chart__series ct-chart__after"]
    for group in series[1:3]:
        polyline = group.find(f"{SVG}polyline")
        assert polyline is not None
        assert len(polyline.get("points", "").split()) == 3
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert "Before" in texts
    assert "After" in texts
    assert "Record date" in texts
    assert "p95 latency (ms)" in texts
    # Colours come from the theme: nothing is hard-coded black or white.
    markup = ET.tostring(svg, encoding="unicode")
    assert not re.search(r"#(000|fff)|black|white", markup, re.I)


def test_svg_escapes_a_hostile_metric_name_and_unit(make_site: MakeSite) -> None:
    name, unit = '<script>alert("n")</script> & co', '"><script>u</script>&'
    catalog = catalog_of(
        make_site,
        {
            "h1": record(date=day(3), metrics=[metric(name, 1, 2, unit)], title=HOSTILE),
            "h2": record(date=day(2), metrics=[metric(name, 3, 4, unit)]),
        },
    )
    [page] = [p for u, p in views(catalog).items() if "/metrics/" in u and "index" not in u]
    assert "<script" not in page
    svg = chart_of(page)
    texts = [t.text for t in svg.iter(f"{SVG}text")]
    assert f"{name} ({unit})" in texts  # escaped in the markup, exact once parsed
    titles = [t.text or "" for t in svg.iter(f"{SVG}title")]
    assert any(HOSTILE in t for t in titles)


def test_nice_ticks() -> None:
    assert nice_ticks(95, 820) == [0, 200, 400, 600, 800, 1000]
    assert nice_ticks(5, 5) == [4.4, 4.6, 4.8, 5, 5.2, 5.4, 5.6]
    assert nice_ticks(-3, 7) == [-4, -2, 0, 2, 4, 6, 8]
    assert nice_ticks(0.1, 0.3) == [0, 0.1, 0.2, 0.3]


# -- owners and checklists -------------------------------------------------------------------


@pytest.fixture
def people_catalog(make_site: MakeSite) -> Catalog:
    return catalog_of(
        make_site,
        {
            "shipped-old": record(
                date=day(90), checklist=[{"done": "backup"}, {"todo": "write the final note"}]
            ),
            "shipped-done": record(date=day(10), checklist=[{"done": "backup"}]),
            "shipped-default": record(date=day(5), owner="bob"),
            "open": record(date=day(2), status="in-progress"),
            "planned": record(date=day(1), status="planned"),
            "future": record(date=day(-3), status="planned"),
            "draft-only": record(date=day(1), status="draft", owner="carol"),
        },
    )


def test_owner_pages_have_open_recent_and_checklist_items(people_catalog: Catalog) -> None:
    pages = views(people_catalog)
    owners = {u for u in pages if "/owners/" in u}
    assert owners == {
        "changes/owners/index.md",
        *(f"changes/owners/{slug}.md" for slug in people_catalog.owners.slugs.values()),
    }
    alice = pages["changes/owners/alice.md"]
    open_part = alice.split("## Open changes")[1].split("## Recent changes")[0]
    assert entry_ids_table(open_part) == ["planned", "open"]
    recent_part = alice.split("## Recent changes")[1].split("## Open checklist items")[0]
    assert entry_ids_table(recent_part) == ["planned", "open", "shipped-done"]
    checklist_part = alice.split("## Open checklist items")[1].split("## All changes")[0]
    assert "write the final note" in checklist_part
    assert "shipped\\-old" in checklist_part
    assert "shipped\\-done" not in checklist_part
    assert "future" not in alice
    carol = pages["changes/owners/carol.md"]
    assert "No published changes yet." in carol
    index = pages["changes/owners/index.md"]
    assert "| [alice](alice.md) | 4 | 2 | 3 | 1 |" in index


def test_checklist_health_oldest_first_with_open_items(people_catalog: Catalog) -> None:
    page = views(people_catalog)["changes/checklists.md"]
    ids = [m.replace("\\", "") for m in re.findall(r"\*\*\[[^\]]*\]\(([^)]+)\.md\)\*\*", page)]
    assert ids == ["shipped-old", "shipped-default"]
    assert "1 of 2 done" in page
    assert "0 of 5 done (default checklist)" in page
    assert page.count('<li class="task-list-item">') == 1 + 5


# -- feeds -----------------------------------------------------------------------------------


@pytest.fixture
def feed_catalog(make_site: MakeSite) -> Catalog:
    records = {
        f"r{n:02d}": record(date=day(n), title=f"Change {n}", tags=["perf"] if n % 2 else [])
        for n in range(55)
    }
    records["draft"] = record(date=day(0), status="draft", title="Draft", tags=["perf"])
    records["future"] = record(date=day(-1), status="planned", title="Future", tags=["perf"])
    records["hostile"] = record(
        date=day(100),
        title=HOSTILE,
        owner="<b>owner</b>",
        reason="Why: **bold** <script>x</script>",
        tags=["perf"],
    )
    return catalog_of(make_site, records)


def test_feeds_parse_as_valid_atom_and_rss(feed_catalog: Catalog) -> None:
    feeds = render_feeds(feed_catalog, site_url=SITE_URL, site_name="Ops", now=NOW)
    assert sorted(feeds) == ["feed.xml", "rss.xml", "tags/perf/feed.xml", "tags/perf/rss.xml"]
    for name, version in [("feed.xml", "atom10"), ("rss.xml", "rss20")]:
        parsed = feedparser.parse(feeds[name])
        assert not parsed.bozo, parsed.get("bozo_exception")
        assert parsed.version == version
        titles = [e.title for e in parsed.entries]
        assert len(titles) == FEED_LIMIT
        assert titles[:3] == ["Change 0", "Change 1", "Change 2"]
        assert "Draft" not in titles
        assert "Future" not in titles
        first = parsed.entries[0]
        assert first.link == "https://example.com/docs/changes/r00/"
        assert first.id == first.link
        assert first.author == "alice"
        assert first.summary == "Listing orders by date scanned the whole orders table."
        assert first.published_parsed[:3] == (2026, 11, 28)
        self_links = [link.href for link in parsed.feed.links if link.rel == "self"]
        assert self_links == [f"https://example.com/docs/changes/{name}"]
        assert parsed.feed.link == "https://example.com/docs/changes/"


def test_tag_feeds_and_hostile_text(feed_catalog: Catalog) -> None:
    feeds = render_feeds(feed_catalog, site_url="https://example.com", site_name="Ops", now=NOW)
    parsed = feedparser.parse(feeds["tags/perf/feed.xml"])
    assert not parsed.bozo
    assert parsed.feed.title == "Ops: changes tagged perf"
    assert parsed.feed.link == "https://example.com/changes/tags/perf/"
    titles = [e.title for e in parsed.entries]
    assert titles[0] == "Change 1"
    assert titles[-1] == HOSTILE  # escaped in the XML, exact once parsed
    assert parsed.entries[-1].summary == "Why: bold"
    for text in feeds.values():
        assert "<script" not in text
        assert "<b>" not in text
    rss = feedparser.parse(feeds["tags/perf/rss.xml"])
    assert not rss.bozo
    assert [e.title for e in rss.entries] == titles


@pytest.mark.parametrize("site_url", [None, "", "example.com", "ftp://example.com/"])
def test_feeds_need_an_absolute_site_url(feed_catalog: Catalog, site_url: str | None) -> None:
    with pytest.raises(ValueError, match="site_url"):
        render_feeds(feed_catalog, site_url=site_url, site_name="Ops", now=NOW)


# -- records.json ----------------------------------------------------------------------------


def test_records_json_validates_against_its_schema(make_site: MakeSite) -> None:
    root = make_site(
        {
            "changes/a.md": record(
                date=day(1),
                checklist=[{"done": "one"}, "two"],
                links=[{"title": "PR", "url": "https://example.com/pr/1"}],
                tags=["x"],
            ),
            "changes/b.md": record(date=day(2), status="draft"),
            "changes/c.md": record(date=day(-5), status="planned"),
            "docs/guide.md": "---\nkind: article\ntitle: A guide\ndate: 2026-01-02\n"
            "revision: {status: reviewed, last_reviewed: 2026-01-02}\nextra: {when: 2026-01-03}\n"
            "---\n\nSome words.\n",
        }
    )
    project = load_project(root, Settings(), docs_dir=root / "docs", today=TODAY)
    text = render_records_json(project.catalog, now=NOW)
    data = json.loads(text)
    schema = records_json_schema()
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(
        schema, format_checker=jsonschema.Draft202012Validator.FORMAT_CHECKER
    ).validate(data)
    assert data["generated"] == "2026-11-28T10:00:00Z"
    assert [r["id"] for r in data["records"]] == ["a"]
    first = data["records"][0]
    assert (first["path"], first["date"], first["status"]) == (
        "changes/a.md",
        day(1).isoformat(),
        "shipped",
    )
    assert first["checklist"] == [{"text": "one", "done": True}, {"text": "two", "done": False}]
    [article] = data["articles"]
    assert (article["uri"], article["title"], article["reading_time"]) == ("guide.md", "A guide", 1)
    assert re.fullmatch("[0-9a-f]{16}", article["hash"])


def test_records_json_has_one_entry_a_line(make_site: MakeSite) -> None:
    root = make_site(
        {
            "changes/a.md": record(date=day(1), body="Two\nlines <b>&</b>.\n"),
            "changes/b.md": record(date=day(2), title="No: <script> & more"),
        }
    )
    project = load_project(root, Settings(), docs_dir=root / "docs", today=TODAY)
    text = render_records_json(project.catalog, now=NOW)
    lines = text.splitlines()
    entries = [line for line in lines if line.startswith('    {"id": ')]
    assert len(entries) == len(json.loads(text)["records"]) == 2
    assert [json.loads(line.rstrip(","))["id"] for line in entries] == ["a", "b"]  # newest first
    assert lines[-2:] == ['  "articles": []', "}"]
    assert not {"<", ">", "&"} & set(text)
    # No articles and no records: still valid JSON, with both lists.
    empty = render_records_json(build_catalog([]), now=NOW)
    assert json.loads(empty) == {"generated": "2026-11-28T10:00:00Z", "records": [], "articles": []}


def test_records_json_rejects_what_the_schema_forbids() -> None:
    validator = jsonschema.Draft202012Validator(records_json_schema())
    good: dict[str, Any] = {"generated": "2026-11-28T10:00:00Z", "records": [], "articles": []}
    assert validator.is_valid(good)
    assert not validator.is_valid({**good, "records": [{"id": "a", "title": "no path"}]})
    assert not validator.is_valid({**good, "extra": 1})


# -- hostile values and determinism ----------------------------------------------------------


@pytest.fixture
def hostile_catalog(make_site: MakeSite) -> Catalog:
    common: dict[str, Any] = {
        "title": HOSTILE,
        "owner": '<script>o</script>"&',
        "files_touched": ["src/<script>f</script>.js", 'a/"&amp;.py'],
        "metrics": [metric("<script>m</script>", 1, 2, "<script>u</script>")],
        "rollback": {"note": "n", "command": "echo '<script>r</script>'"},
        "tags": ["<script>t</script>"],
        "checklist": [{"todo": "<script>c</script>"}],
    }
    return catalog_of(
        make_site,
        {
            "h1": record(date=day(0), **common),
            "h2": record(date=day(3), status="in-progress", **common),
        },
    )


def test_hostile_values_come_out_escaped(hostile_catalog: Catalog) -> None:
    outputs = {
        **views(hostile_catalog),
        **render_feeds(hostile_catalog, site_url=SITE_URL, site_name="<script>s</script>", now=NOW),
        "records.json": render_records_json(hostile_catalog, now=NOW),
    }
    for uri, text in outputs.items():
        # Markdown pages are checked as HTML: a code span may hold "<script>" as text.
        html = to_html(text) if uri.endswith(".md") else text
        assert "<script" not in html, uri
        assert "49" not in html, uri  # "{{ 7*7 }}" is text, never a template
    for uri, text in outputs.items():
        frontmatter = text.split("\n---\n", 1)[0] if uri.endswith(".md") else ""
        assert "<script" not in frontmatter, uri
    assert "echo '<script>r</script>'" in outputs["changes/recent.md"]
    data = json.loads(outputs["records.json"])
    assert data["records"][0]["title"] == HOSTILE  # escaped for HTML, exact as JSON


def to_html(page: str) -> str:
    """A generated page through Python-Markdown with the extensions the plugin turns on."""
    body = page.split("\n---\n", 1)[1]
    return markdown.markdown(
        body,
        extensions=[
            "tables",
            "fenced_code",
            "md_in_html",
            "attr_list",
            "admonition",
            "pymdownx.tasklist",
        ],
    )


def test_same_input_gives_identical_output(make_site: MakeSite) -> None:
    records = {
        "b": record(date=day(1), files_touched=["x/y.py"], tags=["t"], metrics=[metric("m", 1, 2)]),
        "a": record(date=day(1), files_touched=["x/z.py"], tags=["t"], metrics=[metric("M", 3, 4)]),
    }
    outputs = []
    for name in ("one", "two"):
        catalog = catalog_of(make_site, records, name=name)
        outputs.append(
            (
                views(catalog),
                render_feeds(catalog, site_url=SITE_URL, site_name="S", now=NOW),
                render_records_json(catalog, now=NOW),
            )
        )
    assert outputs[0] == outputs[1]


def test_site_path_moves_every_view(make_site: MakeSite) -> None:
    catalog = catalog_of(make_site, {"a": record(date=day(1))})
    pages = views(catalog, Settings(site_path="log"))
    assert all(uri.startswith("log/") for uri in pages)


# -- the HTML a reader gets ------------------------------------------------------------------


def test_sanitizer_keeps_the_chart_and_the_hooks_and_nothing_else() -> None:
    html = (
        '<div class="ct-recent" data-ct-date="2026-11-28" onclick="x()">'
        '<p class="ct-recent__empty" hidden>none</p><time datetime="2026">t</time></div>'
        '<svg viewBox="0 0 1 1" role="img" aria-labelledby="t"><title id="t">T</title>'
        "<script>alert(1)</script><foreignObject><p>f</p></foreignObject>"
        '<a href="javascript:alert(1)"><text x="1" y="2">a</text></a>'
        '<polyline points="0,0 1,1" stroke="currentColor" onload="x()"/></svg>'
    )
    clean = sanitize_view_html(html)
    assert 'data-ct-date="2026-11-28"' in clean
    assert "hidden" in clean
    assert '<time datetime="2026">' in clean
    assert 'viewBox="0 0 1 1"' in clean
    assert '<polyline points="0,0 1,1" stroke="currentColor">' in clean
    for gone in ("onclick", "onload", "<script", "alert", "foreignObject", "javascript:"):
        assert gone not in clean


@pytest.mark.build
def test_views_build_strict_with_working_links(
    make_site: MakeSite, metrics_catalog: Catalog
) -> None:
    """The view pages, beside the record pages, pass MkDocs' link checks and keep their HTML."""
    settings = Settings()
    renderer = Renderer(settings)
    # As in a build: every page from the published records only.
    catalog = published_catalog(metrics_catalog, now=NOW)
    pages = renderer.render_site(catalog) | render_views(catalog, renderer, settings, now=NOW)
    root = make_site(
        {
            "mkdocs.yml": "site_name: Views\ntheme:\n  name: material\nmarkdown_extensions:\n"
            "  - attr_list\n  - md_in_html\n  - admonition\n  - pymdownx.tasklist\n"
            "validation:\n  links:\n    unrecognized_links: warn\n    anchors: warn\n",
            **{f"docs/{uri}": text for uri, text in pages.items()},
        },
        name="site",
    )
    site = mkdocs_build(root, strict=True)
    article = reader_html(site / "changes" / "metrics" / "p95-latency" / "index.html")
    svg = article.find("svg")
    assert svg is not None
    assert svg.get("role") == "img"
    assert len(article.select("table tbody tr")) == 3
    entries = reader_html(site / "changes" / "recent" / "index.html").select(
        ".ct-recent-window .ct-recent[data-ct-date]"
    )
    assert [e["data-ct-date"] for e in entries] == [
        d.isoformat() for d in (day(5), day(5), day(20))
    ]
    assert entries[0].select_one("pre code") is not None


def reader_html(page: Path) -> BeautifulSoup:
    """A built page's content as the plugin would pass it on: sanitized for views."""
    article = BeautifulSoup(page.read_text("utf-8"), "html.parser").select_one("article")
    assert article is not None
    return BeautifulSoup(sanitize_view_html(article.decode_contents()), "html.parser")


# -- golden files ----------------------------------------------------------------------------


def compare_golden(name: str, output: str, *, update: bool) -> None:
    path = GOLDEN_DIR / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(output, encoding="utf-8")
        return
    assert output == path.read_text(encoding="utf-8")


# -- page weight: every list is paginated ----------------------------------------------------

SIZE = 10
MANY = 23  # records: three pages of SIZE


def busy_records() -> dict[str, str]:
    """MANY records by one owner with one tag, each touching its own file in one folder and
    measuring one metric; every other one in progress, the rest shipped (default checklist)."""
    return {
        f"r{n:02d}": record(
            date=day(n * 2),
            title=f"Change {n}",
            status="in-progress" if n % 2 else "shipped",
            tags=["perf"],
            files_touched=[f"src/app/f{n:02d}.py"],
            metrics=[
                {"name": "p95", "before": 100 + n, "after": 90 + n, "unit": "ms", "better": "lower"}
            ],
        )
        for n in range(MANY)
    }


@pytest.fixture
def busy_pages(make_site: MakeSite) -> dict[str, str]:
    settings = Settings(page_size=SIZE)
    renderer = Renderer(settings)
    catalog = published_catalog(catalog_of(make_site, busy_records()), now=NOW)
    return renderer.render_site(catalog) | render_views(catalog, renderer, settings, now=NOW)


def linked_records(markdown: str) -> set[str]:
    return set(re.findall(r"\]\((?:\.\./)*(r\d\d)\.md[#)]", markdown))


def test_no_page_lists_more_than_page_size_records(busy_pages: dict[str, str]) -> None:
    assert len(linked_records("".join(busy_pages.values()))) == MANY
    for uri, text in busy_pages.items():
        if re.fullmatch(r"changes/r\d\d\.md", uri):
            continue  # a record page
        # An owner's first page has four lists (open, recent, checklists, all): each is bounded.
        sections = text.split("\n## ") if "/owners/" in uri else [text]
        for part in sections:
            assert len(linked_records(part)) <= SIZE, uri


def test_lists_continue_on_numbered_pages(busy_pages: dict[str, str]) -> None:
    def numbered(first: str) -> list[str]:
        stem = first.removesuffix("index.md").removesuffix(".md").rstrip("/")
        return sorted(u for u in busy_pages if u == first or u.startswith(f"{stem}/page/"))

    three = ["", "/page/2", "/page/3"]
    for base in ("tags/perf", "owners/alice", "files/src-app", "metrics/p95"):
        assert numbered(f"changes/{base}.md") == sorted(f"changes/{base}{s}.md" for s in three)
    assert numbered("changes/files/index.md") == [
        "changes/files/index.md",
        "changes/files/page/2.md",
        "changes/files/page/3.md",
    ]
    assert numbered("changes/checklists.md") == [
        "changes/checklists.md",
        "changes/checklists/page/2.md",
    ]
    last = busy_pages["changes/tags/perf/page/3.md"]
    assert linked_records(last) == {"r20", "r21", "r22"}
    assert "21 to 23 on this page" in last
    assert "[Previous](<2.md>)" in last
    assert "[1](<../../perf.md>)" in last
    assert "[All tags](../../index.md)" in last


def test_metric_pages_chart_the_newest_values_first(busy_pages: dict[str, str]) -> None:
    first = busy_pages["changes/metrics/p95.md"]
    assert linked_records(first) == {f"r{n:02d}" for n in range(SIZE)}
    assert first.count("<svg") == 1
    assert "Measured by 23 changes" in first
    assert "This page shows 10 of the 23 values" in first
    third = busy_pages["changes/metrics/p95/page/3.md"]
    assert linked_records(third) == {"r20", "r21", "r22"}
    assert 'id="ct-chart-p95-3-title"' in third


def test_a_big_folder_lists_part_of_its_contents(busy_pages: dict[str, str]) -> None:
    folder = busy_pages["changes/files/src-app.md"]
    inside = folder.split("## Inside")[1]
    assert inside.count("\n- [") == SIZE
    # The files index lists src/, src/app/ and then the 23 files: src/app/'s entry is on page 1.
    assert "13 more inside: the [files index](index.md)" in inside
    assert "## Inside" not in busy_pages["changes/files/src-app/page/2.md"]


def test_owner_page_sections_are_capped(busy_pages: dict[str, str]) -> None:
    alice = busy_pages["changes/owners/alice.md"]
    # Each summary list shows a fifth of page_size.
    assert "The 2 newest of 11; the others are under *All changes*." in alice  # open
    assert "The 2 newest of 16" in alice  # the last 30 days
    assert "The 2 oldest of 12 changes with open items" in alice
    second = busy_pages["changes/owners/alice/page/2.md"]
    assert "## Open changes" not in second
    assert linked_records(second) == {f"r{n:02d}" for n in range(SIZE, 2 * SIZE)}


def test_recent_page_shows_the_newest_page_size_entries(busy_pages: dict[str, str]) -> None:
    page = busy_pages["changes/recent.md"]
    assert len(re.findall(r"data-ct-date=", page)) == SIZE
    assert "Only the 10 newest are listed here; 6 older changes" in page


@pytest.mark.build
@pytest.mark.parametrize("directory_urls", [True, False])
def test_paginated_site_builds_strict_with_both_url_styles(
    make_site: MakeSite, directory_urls: bool
) -> None:
    """Through the plugin: every page link between numbered pages resolves in the built site."""
    yml = (
        "site_name: Pages\ntheme:\n  name: material\nplugins:\n  - search\n  - changetrail:\n"
        f"      page_size: {SIZE}\n      git_dates: false\n"
        f"use_directory_urls: {str(directory_urls).lower()}\n"
    )
    files = {f"changes/{rid}.md": text for rid, text in busy_records().items()}
    root = make_site({"mkdocs.yml": yml, **files})
    site = mkdocs_build(root, strict=True)
    ext = "/index.html" if directory_urls else ".html"
    second = site / "changes" / "tags" / "perf" / "page" / f"2{ext}"
    assert second.is_file()
    seen = 0
    for page in site.rglob("*.html"):
        soup = BeautifulSoup(page.read_text("utf-8"), "html.parser")
        for pager in soup.select("p.ct-pager"):
            for a in pager.select("a[href]"):
                target = (page.parent / a["href"]).resolve()
                if directory_urls:
                    target = target / "index.html"
                assert target.is_file(), (page, a["href"])
                seen += 1
    assert seen > 20
