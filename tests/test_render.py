"""render: golden Markdown for the generated pages, the escaping filters, and hostile values
through a real MkDocs build."""

from __future__ import annotations

import datetime as dt
import html
import json
import posixpath
import re
from pathlib import Path
from typing import Any

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given
from hypothesis import strategies as st

from changetrail.catalog import Catalog, build_catalog
from changetrail.loader import Record, load_text
from changetrail.render import Renderer, filters
from changetrail.render.paging import page_uri, paginate
from changetrail.settings import Settings
from conftest import OMIT, mkdocs_build, record

GOLDEN_DIR = Path(__file__).parent / "golden" / "render"


def rec(rid: str, **fields: Any) -> Record:
    if "date" not in fields:
        fields["date"] = dt.date.fromisoformat(rid[:10])
    result = load_text(record(**fields), f"changes/{rid}.md", rid)
    assert isinstance(result, Record), result
    return result


def sample_catalog() -> Catalog:
    return build_catalog(
        [
            rec(
                "2024-03-04-orders-index",
                area="database",
                tags=["performance", "db"],
                metrics=[
                    {
                        "name": "p95 latency",
                        "before": 820,
                        "after": 95,
                        "unit": "ms",
                        "better": "lower",
                    },
                    {
                        "name": "throughput",
                        "before": 1200,
                        "after": 1150.5,
                        "unit": "req/s",
                        "better": "higher",
                    },
                    {"name": "errors", "before": 0, "after": 0, "unit": "", "better": "lower"},
                ],
                commands=["make migrate", "psql -c 'ANALYZE orders;'"],
                checklist=[
                    {"done": "capture the current behavior"},
                    {"todo": "write the final note"},
                ],
                links=[{"title": "PR #42", "url": "https://github.com/acme/shop/pull/42"}],
                commit="3f2a9c1",
                related=["2024-02-10-orders-table"],
                body="We tried a partial index first.\n\n- it did not help\n",
            ),
            rec(
                "2024-02-10-orders-table",
                title="Create the orders table",
                owner="@db-team",
                status="rolled-back",
                metrics=OMIT,
                rollback={"note": "Dropped it again.", "tested": False},
                body="",
            ),
            rec(
                "2024-03-20-search-rewrite",
                title="Rewrite search",
                owner="bob",
                status="planned",
                files_touched=OMIT,
                commands=OMIT,
                metrics=OMIT,
                rollback={"note": "Switch the flag off."},
                tags=["performance"],
            ),
        ]
    )


def compare_golden(name: str, output: str, *, update: bool) -> None:
    path = GOLDEN_DIR / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(output, encoding="utf-8")
        return
    assert output == path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "rid", ["2024-03-04-orders-index", "2024-02-10-orders-table", "2024-03-20-search-rewrite"]
)
def test_record_page_golden(rid: str, *, update_goldens: bool) -> None:
    catalog = sample_catalog()
    target = catalog.get(rid)
    assert target is not None
    output = Renderer(Settings()).render_record(target, catalog)
    compare_golden(f"record-{rid}.md", output, update=update_goldens)


def test_index_golden(*, update_goldens: bool) -> None:
    output = Renderer(Settings()).render_changelog(sample_catalog())["changes/index.md"]
    compare_golden("index.md", output, update=update_goldens)


def test_taxonomy_goldens(*, update_goldens: bool) -> None:
    catalog = sample_catalog()
    renderer = Renderer(Settings())
    [index] = renderer.render_taxonomy_index(catalog.tags).values()
    compare_golden("tags-index.md", index, update=update_goldens)
    [(label, slug, records)] = [t for t in catalog.tags.items() if t[0] == "performance"]
    [page] = renderer.render_taxonomy_page(catalog.tags, label, slug, records).values()
    compare_golden("tags-performance.md", page, update=update_goldens)


def test_empty_index_golden(*, update_goldens: bool) -> None:
    output = Renderer(Settings()).render_changelog(build_catalog([]))["changes/index.md"]
    compare_golden("index-empty.md", output, update=update_goldens)


def test_render_site_pages_and_determinism() -> None:
    pages = Renderer(Settings()).render_site(sample_catalog())
    assert sorted(pages) == [
        "changes/2024-02-10-orders-table.md",
        "changes/2024-03-04-orders-index.md",
        "changes/2024-03-20-search-rewrite.md",
        "changes/archive/2024-02.md",
        "changes/archive/2024-03.md",
        "changes/index.md",
        "changes/owners/alice.md",
        "changes/owners/bob.md",
        "changes/owners/db-team.md",
        "changes/owners/index.md",
        "changes/status/index.md",
        "changes/status/planned.md",
        "changes/status/rolled-back.md",
        "changes/status/shipped.md",
        "changes/tags/db.md",
        "changes/tags/index.md",
        "changes/tags/performance.md",
    ]
    assert pages == Renderer(Settings()).render_site(sample_catalog())


def test_site_path_moves_every_page() -> None:
    pages = Renderer(Settings(site_path="log/")).render_site(sample_catalog())
    assert all(uri.startswith("log/") for uri in pages)


def test_default_checklist_comes_from_the_settings() -> None:
    catalog = build_catalog([rec("2024-01-01-a")])
    [only] = catalog.records
    page = Renderer(Settings(default_checklist=["one", "two"])).render_record(only, catalog)
    assert "0 of 2 done (default checklist)" in page
    assert page.count('<li class="task-list-item">') == 2


# -- filters -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("plain", "plain"),
        ("<b>&", "&lt;b&gt;&amp;"),
        ("\"quote'", "&quot;quote&#x27;"),
        ("*a* _b_ `c` #d", r"\*a\* \_b\_ \`c\` \#d"),
        ("[x](y) |", r"\[x\]\(y\) \|"),
        ("{{ 7*7 }}", r"\{\{ 7\*7 \}\}"),
        (12, "12"),
    ],
)
def test_md_escape(value: object, expected: str) -> None:
    assert filters.md_escape(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("make", "`make`"),
        ("a`b", "``a`b``"),
        ("`x`", "`` `x` ``"),
        ("a``b", "```a``b```"),
        ("two\nlines", "`two lines`"),
    ],
)
def test_code_span(value: str, expected: str) -> None:
    assert str(filters.code_span(value)) == expected


def test_code_block_fence_is_longer_than_any_fence_inside() -> None:
    assert str(filters.code_block("make")) == "``` sh\nmake\n```"
    assert str(filters.code_block("x\n````\ny")) == "````` sh\nx\n````\ny\n`````"


def test_link_url_cannot_break_out_of_the_destination() -> None:
    assert str(filters.link_url("https://x.test/a b>c<d")) == "<https://x.test/a%20b%3Ec%3Cd>"
    assert str(filters.link_url(" ../a.md#x ")) == "<../a.md#x>"


def test_page_title_is_html_escaped_json() -> None:
    assert str(filters.page_title('<b>"x"</b>')) == '"&lt;b&gt;&quot;x&quot;&lt;/b&gt;"'


@pytest.mark.parametrize(
    ("value", "expected"),
    [(-88.4146, "\u221288.4 %"), (5.0, "+5.0 %"), (0.0, "±0.0 %"), (None, "n/a")],
)
def test_percent(value: float | None, expected: str) -> None:
    assert filters.percent(value) == expected


@pytest.mark.parametrize(
    ("value", "expected"), [(1234, "1,234"), (0.5, "0.5"), (12.345678, "12.3457"), (3.0, "3")]
)
def test_fmt_number(value: float, expected: str) -> None:
    assert filters.fmt_number(value) == expected


# -- hostile values through a real build -----------------------------------------------------

HOSTILE = (
    '<script>alert(1)</script> "><img src=x onerror=alert(1)> {{ 7*7 }} {% raw %} '
    "[x](javascript:alert(1)) `tick` | pipe"
)
HOSTILE_BODY = (
    f"{HOSTILE}\n\n<script>alert(2)</script>\n\n<img src=x onerror=alert(3)>\n\n"
    '<a href="javascript:alert(4)" onclick="alert(5)">y</a> [z](javascript:alert(6))\n\n'
    '<a href="JaVaScRiPt:alert(7)">w</a> <iframe src="javascript:alert(8)"></iframe>\n'
)


def hostile_record() -> str:
    return record(
        body=HOSTILE_BODY,
        title=HOSTILE,
        owner=HOSTILE,
        reason=HOSTILE,
        expected_result=HOSTILE,
        files_touched=[HOSTILE],
        commands=[HOSTILE],
        metrics=[{"name": HOSTILE, "before": 1, "after": 2, "unit": HOSTILE, "better": "lower"}],
        rollback={"note": HOSTILE, "command": HOSTILE, "tested": False},
        checklist=[{"done": HOSTILE}, HOSTILE],
        area=HOSTILE,
        tags=[HOSTILE],
        links=[
            {"title": HOSTILE, "url": "javascript&colon;alert(9)"},
            {"title": HOSTILE, "url": "&#106;avascript:alert(10)"},
            {"title": HOSTILE, "url": "https://example.com/?q=<script>\"'`"},
        ],
        related=["2024-01-01-other"],
    )


_BAD_URL = re.compile(r"^(javascript|vbscript|data):")


def _is_bad_url(value: str) -> bool:
    squashed = "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()
    return bool(_BAD_URL.match(squashed))


def _unsafe_parts(soup: BeautifulSoup) -> list[str]:
    found = [str(s)[:80] for s in soup.find_all("script") if "alert" in s.get_text()]
    for el in soup.find_all(True):
        assert isinstance(el, Tag)
        for name, value in el.attrs.items():
            if name.lower().startswith("on"):
                found.append(f"<{el.name} {name}=...>")
            if name.lower() in {"href", "src", "action", "formaction", "xlink:href"} and (
                isinstance(value, str) and _is_bad_url(value)
            ):
                found.append(f"<{el.name} {name}={value!r}>")
    # The theme has its own <style>; the content must have no active elements at all.
    for article in soup.select("article"):
        found += [f"<{el.name}>" for el in article.find_all(["iframe", "object", "embed", "style"])]
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("hostile")
    files = {
        # Material's search, whose plain JSON index is checked below; Pagefind's hostile values
        # are checked in test_search.py.
        "mkdocs.yml": "site_name: Hostile\ntheme:\n  name: material\n"
        "plugins:\n  - search\n  - changetrail:\n      search: material\n",
        "docs/index.md": "# Home\n",
        "changes/2024-03-04-hostile.md": hostile_record(),
        "changes/2024-01-01-other.md": record(related=["2024-03-04-hostile"]),
    }
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return mkdocs_build(root)


@pytest.mark.build
def test_no_page_of_the_site_runs_a_record_value(hostile_site: Path) -> None:
    pages = sorted(hostile_site.rglob("*.html"))
    assert len(pages) >= 10
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        assert _unsafe_parts(soup) == [], page.relative_to(hostile_site)


@pytest.mark.build
def test_hostile_values_show_as_literal_text(hostile_site: Path) -> None:
    page = hostile_site / "changes" / "2024-03-04-hostile" / "index.html"
    raw = page.read_text(encoding="utf-8")
    soup = BeautifulSoup(raw, "html.parser")
    article = soup.select_one("article.md-content__inner")
    assert article is not None
    h1 = article.find("h1")
    assert h1 is not None
    assert h1.get_text(strip=True) == HOSTILE
    text = article.get_text(" ")
    assert "{{ 7*7 }}" in text
    assert "49" not in text
    # Plain-text fields show the whole value literally, each in its place.
    assert [c.get_text() for c in article.select("pre code")] == [f"{HOSTILE}\n"] * 2
    assert [li.get_text(strip=True) for li in article.select("ul.ct-checklist li")] == [HOSTILE] * 2
    assert article.select_one("td") is not None
    assert article.select("td")[0].get_text(strip=True) == HOSTILE
    # <title> is escaped in the raw HTML, not only in the parsed tree.
    title = re.search(r"<title>(.*?)</title>", raw, re.DOTALL)
    assert title is not None
    assert title.group(1).startswith("&lt;script&gt;alert(1)&lt;/script&gt;")
    assert "<script>alert" not in raw
    # ... and escaped once only: people read the value itself, not entities.
    assert soup.title is not None
    assert soup.title.get_text() == f"{HOSTILE} - Hostile"
    topics = [el.get_text(" ", strip=True) for el in soup.select(".md-header__topic")]
    assert topics == ["Hostile", HOSTILE]


@pytest.mark.build
def test_change_log_shows_hostile_values_as_text(hostile_site: Path) -> None:
    soup = BeautifulSoup(
        (hostile_site / "changes" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    rows = {
        tr.find_all("td")[1].get_text(strip=True): [td.get_text(strip=True) for td in tr("td")]
        for tr in soup.select("article tbody tr")
    }
    assert rows[HOSTILE][3] == HOSTILE
    assert rows[HOSTILE][4].startswith(HOSTILE + ": 1 → 2")


@pytest.mark.build
def test_taxonomy_pages_escape_the_label_in_their_title(hostile_site: Path) -> None:
    for kind in ("owners", "tags"):
        pages = [
            p for p in (hostile_site / "changes" / kind).rglob("index.html") if "script" in str(p)
        ]
        assert len(pages) == 1, kind
        raw = pages[0].read_text(encoding="utf-8")
        title = re.search(r"<title>(.*?)</title>", raw, re.DOTALL)
        assert title is not None
        assert "&lt;script&gt;" in title.group(1)
        assert "<script>alert" not in raw


@pytest.mark.build
def test_search_index_holds_no_raw_markup_from_records(hostile_site: Path) -> None:
    raw = (hostile_site / "search" / "search_index.json").read_text(encoding="utf-8")
    assert "<script" not in raw
    assert "<img" not in raw
    assert "<iframe" not in raw
    docs = json.loads(raw)["docs"]
    titles = [d["title"] for d in docs if d["location"] == "changes/2024-03-04-hostile/"]
    assert titles
    assert "<" not in titles[0]


# -- pagination ----------------------------------------------------------------------------

SIZE = 10


def resolve(source: str, href: str) -> str:
    """Where a relative Markdown link written in ``source`` points, as a path in the docs."""
    return posixpath.normpath(posixpath.join(posixpath.dirname(source), href.strip("<>")))


def record_links(markdown: str) -> list[str]:
    """The record pages a generated page links to (as written), in order."""
    return re.findall(r"\]\(((?:\.\./)*r\\-\d+)\.md\)", markdown)


@pytest.mark.parametrize(
    ("count", "sizes"),
    [(0, [0]), (1, [1]), (SIZE, [SIZE]), (SIZE + 1, [SIZE, 1]), (25, [10, 10, 5])],
)
@pytest.mark.parametrize("base", ["tags/perf.md", "files/index.md", "checklists.md"])
def test_paginate_at_its_boundaries(count: int, sizes: list[int], base: str) -> None:
    pages = paginate(list(range(count)), base, SIZE)
    assert [len(p.items) for p in pages] == sizes
    assert [p.uri for p in pages] == [page_uri(base, n) for n in range(1, len(sizes) + 1)]
    assert [p.total for p in pages] == [count] * len(sizes)
    assert [item for p in pages for item in p.items] == list(range(count))
    for page in pages:
        assert page.start == (0 if not count else (page.number - 1) * SIZE + 1)
        assert page.end == (page.start + len(page.items) - 1 if count else 0)
        # ``up`` leads back to the first page's folder.
        assert resolve(page.uri, f"{page.up}x.md") == resolve(base, "x.md")
        targets = {
            item["label"]: resolve(page.uri, item["href"]) for item in page.nav if item["href"]
        }
        if len(pages) == 1:
            assert page.nav == []
            continue
        current = [item["label"] for item in page.nav if item["current"]]
        assert current == [str(page.number)]
        for label, target in targets.items():
            number = {"Previous": page.number - 1, "Next": page.number + 1}.get(label)
            assert target == page_uri(base, number or int(label))
        assert ("Previous" in targets) == (page.number > 1)
        assert ("Next" in targets) == (page.number < len(pages))


def test_page_paths_never_take_a_slug() -> None:
    assert page_uri("tags/perf.md", 1) == "tags/perf.md"
    assert page_uri("tags/perf.md", 2) == "tags/perf/page/2.md"
    assert page_uri("tags/index.md", 3) == "tags/page/3.md"
    assert page_uri("needs-review.md", 2) == "needs-review/page/2.md"
    with pytest.raises(ValueError, match="at least 1"):
        paginate([1], "x.md", 0)


def test_page_links_stay_few_on_a_long_list() -> None:
    pages = paginate(list(range(1000)), "tags/perf.md", SIZE)
    assert len(pages) == 100
    labels = [item["label"] for item in pages[49].nav]
    assert labels == ["Previous", "1", "…", "48", "49", "50", "51", "52", "…", "100", "Next"]


def test_page_size_is_at_least_ten() -> None:
    with pytest.raises(ValueError, match="page_size"):
        Settings(page_size=9)
    assert Settings().page_size == 50


def numbered(count: int, *, start: dt.date = dt.date(2024, 3, 28), **fields: Any) -> Catalog:
    """``count`` records ``r-0``, ``r-1``…, one a day back from ``start``, newest first."""
    return build_catalog(
        [
            rec(f"r-{n}", date=start - dt.timedelta(days=n), title=f"Change {n}", **fields)
            for n in range(count)
        ]
    )


@pytest.mark.parametrize("count", [0, 1, SIZE, SIZE + 1])
def test_change_log_shows_the_newest_page_and_every_month(count: int) -> None:
    catalog = numbered(count, start=dt.date(2024, 3, 4))  # r-4 and older are in February
    pages = Renderer(Settings(page_size=SIZE)).render_changelog(catalog)
    index = pages["changes/index.md"]
    assert record_links(index) == [f"r\\-{n}" for n in range(min(count, SIZE))]
    months = sorted(uri for uri in pages if uri.startswith("changes/archive/"))
    expected = [] if not count else ["changes/archive/2024-03.md"]
    if count > 4:
        expected.insert(0, "changes/archive/2024-02.md")
    assert months == expected
    if count:
        assert "## Archive" in index
        assert "(archive/2024\\-03\\.md) (" in index
    else:
        assert "## Archive" not in index
    listed = [link for uri in months for link in record_links(pages[uri])]
    assert sorted(listed) == sorted(f"../r\\-{n}" for n in range(count))


def test_month_pages_are_paginated_and_linked() -> None:
    catalog = numbered(45, start=dt.date(2024, 3, 31))  # 31 in March, 14 in February
    pages = Renderer(Settings(page_size=SIZE)).render_changelog(catalog)
    march = [u for u in pages if u.startswith("changes/archive/2024-03")]
    assert sorted(march) == [
        "changes/archive/2024-03.md",
        *(f"changes/archive/2024-03/page/{n}.md" for n in (2, 3, 4)),
    ]
    for uri in march:
        assert len(record_links(pages[uri])) <= SIZE
    last = pages["changes/archive/2024-03/page/4.md"]
    assert record_links(last) == ["../../../r\\-30"]
    assert "[Older: February 2024](../../2024\\-02\\.md)" in last
    assert "[Change log](../../../index.md)" in last
    assert "[Previous](<3.md>)" in last
    february = pages["changes/archive/2024-02.md"]
    assert "[Newer: March 2024](2024\\-03\\.md)" in february
    assert "Older:" not in february
    assert "[Next](<2024-02/page/2.md>)" in february


@pytest.mark.parametrize("count", [1, SIZE, SIZE + 1])
def test_taxonomy_pages_at_the_page_boundaries(count: int) -> None:
    catalog = numbered(count, tags=["perf"])
    renderer = Renderer(Settings(page_size=SIZE))
    [(label, slug, records)] = catalog.tags.items()
    pages = renderer.render_taxonomy_page(catalog.tags, label, slug, records)
    expected = ["changes/tags/perf.md"] + (["changes/tags/perf/page/2.md"] if count > SIZE else [])
    assert list(pages) == expected
    assert record_links(pages[expected[0]]) == [f"../r\\-{n}" for n in range(min(count, SIZE))]
    if count > SIZE:
        second = pages[expected[1]]
        assert record_links(second) == ["../../../r\\-10"]
        assert "[All tags](../../index.md)" in second
        assert "[1](<../../perf.md>)" in second
        assert "Page 2 of 2" in second
    else:
        assert "Page 1" not in pages[expected[0]]


def test_taxonomy_index_is_paginated() -> None:
    catalog = build_catalog([rec("2024-01-01-a", tags=[f"tag {n:02d}" for n in range(25)])])
    pages = Renderer(Settings(page_size=SIZE)).render_taxonomy_index(catalog.tags)
    assert list(pages) == [
        "changes/tags/index.md",
        "changes/tags/page/2.md",
        "changes/tags/page/3.md",
    ]
    third = pages["changes/tags/page/3.md"]
    assert third.count("| [tag ") == 5
    assert "[tag 20](../tag\\-20.md)" in third
    assert "[Back to the change log](../../index.md)" in third


def test_month_page_golden(*, update_goldens: bool) -> None:
    catalog = numbered(12, start=dt.date(2024, 3, 31))
    pages = Renderer(Settings(page_size=SIZE)).render_changelog(catalog)
    compare_golden(
        "changelog-month-page-2.md",
        pages["changes/archive/2024-03/page/2.md"],
        update=update_goldens,
    )


@given(st.text(alphabet=st.sampled_from(list("\\`*_{}[]()#+-.!|ab <>&\"'é\n")), max_size=30))
def test_md_escape_backslashes_each_markdown_character_then_escapes_html(text: str) -> None:
    # The reference: one backslash before each of Python-Markdown's escapable characters.
    reference = re.sub(r"([\\`*_{}\[\]()#+\-.!|])", r"\\\1", text)
    assert filters.md_escape(text) == html.escape(reference, quote=True)
