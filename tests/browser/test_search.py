"""Pagefind search as a reader uses it: a real build, served on 127.0.0.1, driven in Chromium.

Two builds of one small site (four records, one article): with directory URLs (MkDocs' default)
and without (``use_directory_urls: false``), so result links are checked both ways and from
pages at several depths. Nothing leaves 127.0.0.1.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from changetrail.search.indexer import MANIFEST, SHARD_SIZE_ENV
from changetrail.search.shards import plan
from conftest import mkdocs_build, write_files

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

WAIT_MS = 10_000
VIEWPORT = {"width": 1280, "height": 900}

MKDOCS_YML = """\
site_name: Search demo
theme:
  name: material
  palette:
    - media: "(prefers-color-scheme: light)"
      scheme: default
      toggle:
        icon: material/weather-night
        name: Switch to dark mode
    - media: "(prefers-color-scheme: dark)"
      scheme: slate
      toggle:
        icon: material/weather-sunny
        name: Switch to light mode
plugins:
  - search
  - changetrail
"""

#: In one record only.
RARE = "thundering"
#: In every record's reason.
COMMON = "deployment"

RECORDS: list[dict[str, Any]] = [
    {
        "slug": "checkout-pool",
        "title": "Raise the checkout worker pool",
        "date": dt.date(2025, 6, 3),
        "owner": "payments-team",
        "status": "shipped",
        "area": "checkout",
        "tags": ["capacity"],
        "reason": f"A {RARE} herd of retries after the {COMMON} saturated the workers.",
    },
    {
        "slug": "edge-http2",
        "title": "Enable HTTP/2 on the edge",
        "date": dt.date(2025, 5, 20),
        "owner": "edge-team",
        "status": "rolled-back",
        "area": "edge",
        "tags": ["edge"],
        "reason": f"Six connections per visitor after each {COMMON}.",
    },
    {
        "slug": "tax-cache",
        "title": "Cache tax rates",
        "date": dt.date(2025, 4, 1),
        "owner": "payments-team",
        "status": "shipped",
        "area": "checkout",
        "tags": ["cache"],
        "reason": f"Every checkout asked the tax service; each {COMMON} cleared it.",
    },
    {
        "slug": "old-queue",
        "title": "Drain the old job queue",
        "date": dt.date(2025, 1, 15),
        "owner": "platform",
        "status": "rolled-back",
        "area": "jobs",
        "tags": ["queue"],
        "reason": f"The old queue lost jobs on every {COMMON}.",
    },
]

ARTICLE = """\
---
kind: article
title: Retry background jobs safely
date: 2025-03-01
owner: platform
stack: [python, redis]
difficulty: intermediate
tags: [jobs]
---

# Retry background jobs safely

Use exponential backoff; a retry storm after a deployment is worse than the failure.
"""


def _record(spec: dict[str, Any]) -> tuple[str, str]:
    fields = {k: v for k, v in spec.items() if k != "slug"}
    fields.update(
        date=spec["date"].isoformat(),
        expected_result="It works.",
        files_touched=["services/app.py"],
        commands=["make deploy"],
        metrics=[{"name": "errors", "before": 2, "after": 1, "unit": "%", "better": "lower"}],
        rollback={"note": "Revert the commit.", "command": "git revert HEAD"},
    )
    lines = [f"{k}: {json.dumps(v)}" for k, v in fields.items()]
    return f"changes/{spec['date'].isoformat()}-{spec['slug']}.md", "\n".join(
        ["---", *lines, "---", "", "Notes.\n"]
    )


class Site:
    """One build, served."""

    def __init__(self, url: str, folder: Path, *, directory_urls: bool) -> None:
        self.url = url
        self.folder = folder
        self.directory_urls = directory_urls

    def path(self, page: str) -> str:
        """``changes/`` or ``changes/x/`` as this build names it (``changes/x.html``)."""
        if self.directory_urls or not page:
            return page
        if page.count("/") == 1:  # a folder's index page
            return page + "index.html"
        return page.rstrip("/") + ".html"


def _build(root: Path, extra: str) -> Path:
    files = {
        "mkdocs.yml": MKDOCS_YML + extra,
        "docs/index.md": "# Search demo\n\nWhat changed.\n",
        "docs/guides/retry.md": ARTICLE,
        **dict(_record(r) for r in RECORDS),
    }
    write_files(root, files)
    return mkdocs_build(root, strict=True)


@pytest.fixture(scope="module")
def sites(
    tmp_path_factory: pytest.TempPathFactory, serve_site: Callable[[Path], str]
) -> dict[str, Site]:
    out = {}
    for name, extra, directory_urls in (
        ("dirs", "", True),
        ("files", "use_directory_urls: false\n", False),
    ):
        folder = _build(tmp_path_factory.mktemp(f"search-{name}"), extra)
        assert (folder / "pagefind" / "pagefind-entry.json").is_file()
        out[name] = Site(serve_site(folder), folder, directory_urls=directory_urls)
    # The same pages in three Pagefind shards (two pages each), merged in the browser.
    previous = os.environ.get(SHARD_SIZE_ENV)
    os.environ[SHARD_SIZE_ENV] = "2"
    try:
        folder = _build(tmp_path_factory.mktemp("search-shards"), "")
    finally:
        if previous is None:
            del os.environ[SHARD_SIZE_ENV]
        else:
            os.environ[SHARD_SIZE_ENV] = previous
    manifest = json.loads((folder / "pagefind" / MANIFEST).read_text())
    assert manifest["shards"] == ["shard-1/", "shard-2/"]
    out["shards"] = Site(serve_site(folder), folder, directory_urls=True)
    return out


@pytest.fixture
def site(sites: dict[str, Site]) -> Site:
    return sites["dirs"]


@pytest.fixture
def new_context(browser: Browser) -> Iterator[Callable[..., BrowserContext]]:
    contexts: list[BrowserContext] = []

    def make(site: Site, **options: Any) -> BrowserContext:
        context = browser.new_context(viewport=VIEWPORT, base_url=site.url, **options)
        context.set_default_timeout(WAIT_MS)
        context.route(re.compile(r"^(?!" + re.escape(site.url) + ")"), lambda route: route.abort())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext], site: Site) -> Page:
    return new_context(site).new_page()


def _open(page: Page, path: str) -> None:
    page.goto(path, wait_until="load")
    page.locator(".ct-search__button").wait_for()


def _search(page: Page, term: str) -> None:
    page.keyboard.press("/")
    page.locator(".ct-search-dialog__input").fill(term)
    page.locator(".ct-search-result a").first.wait_for()


def _count(page: Page) -> int:
    from playwright.sync_api import expect

    expect(page.locator(".ct-search-dialog__count")).to_have_text(re.compile(r"^\d+ results?$"))
    return int(page.locator(".ct-search-dialog__count").inner_text().split()[0])


def _open_filters(page: Page) -> None:
    page.locator(".ct-search-dialog__filters-toggle").click()
    page.locator(".ct-search-filter__count").first.wait_for()


def _filter_counts(page: Page, name: str) -> dict[str, int]:
    group = page.locator(f'fieldset.ct-search-filter[data-filter="{name}"]')
    out = {}
    for label in group.locator("label").all():
        value = label.locator(".ct-search-filter__label").inner_text()
        out[value] = int(label.locator(".ct-search-filter__count").inner_text())
    return out


# -- opening it -------------------------------------------------------------------------------


@pytest.mark.parametrize("key", ["/", "s", "Control+k", "Meta+k"])
def test_a_shortcut_opens_the_search_and_escape_closes_it(page: Page, key: str) -> None:
    from playwright.sync_api import expect

    _open(page, "")
    dialog = page.locator("dialog.ct-search-dialog")
    page.keyboard.press(key)
    expect(dialog).to_be_visible()
    expect(page.locator(".ct-search-dialog__input")).to_be_focused()
    page.keyboard.press("Escape")
    expect(dialog).to_be_hidden()


def test_the_header_button_opens_the_search(page: Page) -> None:
    from playwright.sync_api import expect

    _open(page, "changes/")
    button = page.locator("header .ct-search__button")
    expect(button).to_be_visible()
    button.click()
    expect(page.locator(".ct-search-dialog__input")).to_be_focused()


# -- results ----------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["dirs", "files", "shards"])
@pytest.mark.parametrize("start", ["", "changes/", "changes/2025-05-20-edge-http2/"])
def test_a_query_finds_the_record_and_its_link_works_from_any_depth(
    new_context: Callable[..., BrowserContext], sites: dict[str, Site], name: str, start: str
) -> None:
    from playwright.sync_api import expect

    site = sites[name]
    page = new_context(site).new_page()
    _open(page, site.path(start))
    _search(page, RARE)
    assert _count(page) == 1
    link = page.locator(".ct-search-result a")
    expect(link).to_have_text("Raise the checkout worker pool")
    expect(page.locator(".ct-search-result mark").first).to_have_text(re.compile(RARE, re.I))
    link.click()
    page.wait_for_url(re.compile(re.escape(site.path("changes/2025-06-03-checkout-pool/")) + "$"))
    expect(page.locator("h1").first).to_have_text("Raise the checkout worker pool")


@pytest.mark.parametrize("name", ["dirs", "shards"])
def test_filters_load_only_when_opened_and_show_counts_that_narrow_results(
    new_context: Callable[..., BrowserContext], sites: dict[str, Site], name: str
) -> None:
    from playwright.sync_api import expect

    page = new_context(sites[name]).new_page()

    filter_requests: list[str] = []
    page.on("request", lambda r: filter_requests.append(r.url) if "/filter/" in r.url else None)
    _open(page, "")
    _search(page, COMMON)
    total = _count(page)
    assert total >= len(RECORDS) + 1  # every record and the article
    assert filter_requests == [], "a plain query must not load the filters"

    _open_filters(page)
    assert filter_requests
    status = _filter_counts(page, "status")
    assert status == {"rolled-back": 2, "shipped": 2}
    kinds = _filter_counts(page, "kind")
    assert kinds["change"] == len(RECORDS)
    assert kinds["article"] == 1
    assert _filter_counts(page, "stack") == {"python": 1, "redis": 1}

    page.locator('fieldset[data-filter="status"] input[value="rolled-back"]').check()
    expect(page.locator(".ct-search-dialog__count")).to_have_text("2 results")
    titles = page.locator(".ct-search-result a").all_inner_texts()
    assert sorted(titles) == ["Drain the old job queue", "Enable HTTP/2 on the edge"]
    # The other groups now count within the narrowed results.
    assert _filter_counts(page, "owner") == {"edge-team": 1, "platform": 1}
    # A second value of the same group can still be added (any of them matches).
    page.locator('fieldset[data-filter="status"] input[value="shipped"]').check()
    expect(page.locator(".ct-search-dialog__count")).to_have_text("4 results")


@pytest.mark.parametrize("name", ["dirs", "shards"])
def test_results_sort_by_date_both_ways(
    new_context: Callable[..., BrowserContext], sites: dict[str, Site], name: str
) -> None:
    from playwright.sync_api import expect

    page = new_context(sites[name]).new_page()

    _open(page, "")
    _search(page, COMMON)
    _open_filters(page)
    page.locator('fieldset[data-filter="kind"] input[value="change"]').check()
    count = page.locator(".ct-search-dialog__count")
    expect(count).to_have_text(f"{len(RECORDS)} results")
    newest = sorted((r["date"].isoformat() for r in RECORDS), reverse=True)
    for order, expected in (("desc", newest), ("asc", newest[::-1])):
        page.locator("select.ct-search-dialog__sort").select_option(order)
        metas = page.locator(".ct-search-result__meta")
        expect(metas).to_have_count(len(RECORDS))
        expect(metas.first).to_contain_text(expected[0])
        dates = [re.search(r"\d{4}-\d{2}-\d{2}", m).group(0) for m in metas.all_inner_texts()]
        assert dates == expected, order
        expect(count).to_have_text(f"{len(RECORDS)} results · pages without a date are left out")


def test_filters_alone_list_pages_without_a_query(page: Page) -> None:
    from playwright.sync_api import expect

    _open(page, "")
    page.keyboard.press("/")
    _open_filters(page)
    page.locator('fieldset[data-filter="owner"] input[value="payments-team"]').check()
    expect(page.locator(".ct-search-dialog__count")).to_have_text("2 results")


def _links(page: Page) -> set[str]:
    return {
        page.evaluate("(a) => new URL(a.href).pathname", a)
        for a in page.locator(".ct-search-result a").element_handles()
    }


def test_a_sharded_index_finds_pages_of_every_shard(
    new_context: Callable[..., BrowserContext], sites: dict[str, Site]
) -> None:
    from playwright.sync_api import expect

    site = sites["shards"]
    shards = plan(site.folder, shard_size=2)
    assert len(shards) == 3
    requests: list[str] = []
    page = new_context(site).new_page()
    page.on("request", lambda r: requests.append(r.url))
    _open(page, "")
    _search(page, COMMON)
    assert _count(page) == len(RECORDS) + 1  # every record and the article
    expect(page.locator(".ct-search-result")).to_have_count(len(RECORDS) + 1)
    found = _links(page)
    # The home page ("Search demo") has no "deployment": a second query finds it.
    page.locator(".ct-search-dialog__input").fill("demo")
    expect(page.locator(".ct-search-dialog__count")).to_have_text("1 result")
    found |= _links(page)
    for shard in shards:
        assert shard.files, shard.index
        assert {"/" + rel.removesuffix("index.html") for rel, _ in shard.files} <= found
    for i in (1, 2):
        assert any(f"/pagefind/shard-{i}/pagefind-entry.json" in url for url in requests)
    # The merged shards use the first one's search code, not their own.
    assert not any(re.search(r"/shard-\d+/(wasm|pagefind\.js)", url) for url in requests)


# -- the dark scheme --------------------------------------------------------------------------

#: The dialog's background and text colours, and a result title's colour.
COLOURS = """() => {
    const d = document.querySelector("dialog.ct-search-dialog");
    const a = d.querySelector(".ct-search-result a");
    return [getComputedStyle(d).backgroundColor, getComputedStyle(d).color,
            getComputedStyle(a).color];
}"""


def _luminance(css: str) -> float:
    r, g, b = (int(x) for x in re.findall(r"\d+", css)[:3])
    return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255


def test_the_dialog_follows_materials_light_and_dark_schemes(
    new_context: Callable[..., BrowserContext], site: Site, tmp_path: Path
) -> None:
    colours = {}
    for scheme, material in (("light", "default"), ("dark", "slate")):
        page = new_context(site, color_scheme=scheme).new_page()
        _open(page, "changes/")
        page.locator(f'body[data-md-color-scheme="{material}"]').wait_for(state="attached")
        _search(page, COMMON)
        _open_filters(page)
        colours[scheme] = page.evaluate(COLOURS)
        shot = tmp_path / f"search-{scheme}.png"
        page.screenshot(path=shot)
        assert shot.stat().st_size > 1000
    light_bg, light_fg, _ = colours["light"]
    dark_bg, dark_fg, _ = colours["dark"]
    assert _luminance(light_bg) > 0.8 > _luminance(light_fg)
    assert _luminance(dark_bg) < 0.3 < _luminance(dark_fg)
    assert colours["light"][2] != colours["dark"][2]
