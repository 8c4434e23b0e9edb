"""The site as a reader sees it: a real build, served on 127.0.0.1, driven in Chromium.

One site is built for the module by MkDocs with the plugin, at the real time (as a nightly
rebuild would), with records dated relative to that day: one shipped today with a rollback
command and a checklist, one in progress for 2 days, one rolled back 3 days ago, one 10 and one
40 days old; today's, the 10-day-old and the 40-day-old one share a metric. An article has every
post-meta field. Each test opens its own browser contexts; screenshots go to the test's tmp
folder. Nothing leaves 127.0.0.1: every other request is aborted.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

import pytest

from conftest import mkdocs_build, write_files

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from playwright.sync_api import Browser, BrowserContext, Page

pytestmark = pytest.mark.browser

#: Milliseconds any single wait may take; a healthy page needs well under a second.
WAIT_MS = 10_000
VIEWPORT = {"width": 1280, "height": 900}
#: Material's copy button: ``.md-clipboard`` up to 9.7, a ``.md-code__button`` of type copy since.
COPY_BUTTON = '.md-clipboard, .md-code__button[data-md-type="copy"]'

MKDOCS_YML = """\
site_name: Demo operations
site_url: https://ops.example.com/
theme:
  name: material
  features:
    - search.suggest
    - search.highlight
    - content.code.copy
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
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.details
  - pymdownx.tasklist:
      custom_checkbox: true
plugins:
  - search
  - changetrail
"""

INDEX_MD = """\
# Demo operations

What changed in production, and how to undo it.
"""

#: The metric that three records measured: it gets a trend page.
METRIC = "p95 checkout latency"
#: A word that is only in the reason of the record of today.
SEARCH_WORD = "thundering"
ROLLBACK_COMMAND = "helm rollback checkout 41 --namespace payments --wait"

ARTICLE_TITLE = "Retry background jobs safely"


def _frontmatter(fields: dict[str, Any], body: str) -> str:
    # One field a line, as JSON (YAML's flow style): every string quoted, nothing re-typed.
    lines = [f"{k}: {json.dumps(v, ensure_ascii=False, default=str)}" for k, v in fields.items()]
    return "\n".join(["---", *lines, "---", "", body])


def _record(slug: str, date: dt.date, body: str = "", **fields: Any) -> tuple[str, str]:
    rid = f"{date.isoformat()}-{slug}"
    return f"changes/{rid}.md", _frontmatter({"date": date.isoformat(), **fields}, body)


def demo_site(today: dt.date) -> dict[str, str]:
    """The files of a small operations site whose records are dated relative to ``today``."""

    def ago(days: int) -> dt.date:
        return today - dt.timedelta(days=days)

    records = [
        _record(
            "checkout-worker-pool",
            today,
            title="Raise the checkout worker pool to 32",
            owner="payments-team",
            status="shipped",
            area="checkout",
            tags=["checkout", "capacity"],
            reason=f"A {SEARCH_WORD} herd of payment retries after the 09:00 deploy saturated "
            "the 16 checkout workers; carts timed out for eleven minutes.",
            expected_result="Checkout keeps its p95 latency under 300 ms at the morning peak.",
            files_touched=["services/checkout/worker.py", "deploy/checkout/values.yaml"],
            commands=["helm upgrade checkout deploy/checkout --namespace payments"],
            metrics=[
                {"name": METRIC, "before": 910, "after": 240, "unit": "ms", "better": "lower"},
                {
                    "name": "checkout errors",
                    "before": 3.1,
                    "after": 0.2,
                    "unit": "%",
                    "better": "lower",
                },
            ],
            rollback={
                "note": "Roll back to the previous Helm release; the pool shrinks to 16.",
                "command": ROLLBACK_COMMAND,
                "tested": True,
            },
            checklist=[
                {"done": "canary on 5% of traffic"},
                {"done": "dashboards updated"},
                {"todo": "write the incident note"},
            ],
        ),
        _record(
            "edge-http2",
            ago(3),
            title="Enable HTTP/2 on the edge proxy",
            owner="edge-team",
            status="rolled-back",
            area="edge",
            tags=["edge"],
            reason="Browsers opened six connections per visitor to the edge proxy.",
            expected_result="One connection per visitor; fewer TLS handshakes.",
            files_touched=["deploy/edge/nginx.conf"],
            commands=["make deploy-edge"],
            rollback={
                "note": "Remove http2 from the listen line.",
                "command": "git revert 3f2a9c1 && make deploy-edge",
                "tested": False,
            },
        ),
        _record(
            "card-vault",
            ago(2),
            title="Move card tokens to the new vault",
            owner="payments-team",
            status="in-progress",
            area="payments",
            tags=["payments", "security"],
            reason="The old token store runs on a host that leaves support in January.",
            expected_result="Every card token is read from the new vault; the old host is off.",
            files_touched=["services/payments/vault.py"],
            commands=["make vault-migrate BATCH=1000"],
            rollback={
                "note": "Point the payments service back at the old store; it is still written to.",
                "command": "kubectl set env deploy/payments VAULT=legacy",
                "tested": True,
            },
        ),
        _record(
            "tax-rate-cache",
            ago(10),
            title="Cache tax rates in Redis",
            owner="payments-team",
            status="shipped",
            area="checkout",
            tags=["checkout", "cache"],
            reason="Every checkout asked the tax service for rates that change twice a year.",
            expected_result="Checkout stops calling the tax service on the hot path.",
            files_touched=["services/checkout/tax.py"],
            commands=["kubectl apply -f deploy/checkout/redis.yaml"],
            metrics=[
                {"name": METRIC, "before": 1320, "after": 910, "unit": "ms", "better": "lower"}
            ],
            rollback={
                "note": "Set TAX_CACHE=off.",
                "command": "kubectl set env deploy/checkout TAX_CACHE=off",
            },
            checklist=[{"done": "cache hit rate on the dashboard"}],
        ),
        _record(
            "postgres-16",
            ago(40),
            title="Move the checkout database to Postgres 16",
            owner="data-team",
            status="shipped",
            area="database",
            tags=["database"],
            reason="Postgres 12 reached its end of life.",
            expected_result="Same latency or better; a supported version.",
            files_touched=["deploy/checkout/values.yaml", "db/migrations/0099_pg16.sql"],
            commands=["make pg-upgrade TARGET=16"],
            metrics=[
                {"name": METRIC, "before": 1100, "after": 1320, "unit": "ms", "better": "lower"}
            ],
            rollback={"note": "Fail over to the old primary; it is kept for a month."},
            checklist=[
                {"done": "backup restored on staging"},
                {"todo": "remove the old primary"},
            ],
        ),
    ]
    article = _frontmatter(
        {
            "kind": "article",
            "title": ARTICLE_TITLE,
            "date": ago(60).isoformat(),
            "owner": "platform-team",
            "topic": "background jobs",
            "summary": "Make a job safe to run twice, then let the queue retry it with backoff.",
            "outline": ["Why jobs run twice", "Idempotency keys", "Backoff and dead letters"],
            "stack": ["django", "postgres"],
            "tools": ["celery", "redis"],
            "code_language": "python",
            "difficulty": "intermediate",
            "score": {"quality": 85, "freshness": 70, "depth": 60, "clarity": 90},
            "revision": {
                "status": "reviewed",
                "version": "1.2.0",
                "last_reviewed": ago(20).isoformat(),
            },
            "reference": "kb-0042",
            "flags": {"has_images": True, "has_code": False},
            "checklist": [
                {"done": "explain idempotency keys"},
                {"done": "show the retry settings"},
                {"todo": "add the dead-letter dashboard"},
            ],
            "entities": [{"name": "celery", "type": "tool"}, {"name": "payments", "type": "area"}],
            "image_sources": [
                {
                    "source": "internal",
                    "url": "https://images.example.com/retry-timeline.png",
                    "caption": "A job retried three times",
                }
            ],
            "notes": ["Written after the checkout incident."],
            "tags": ["jobs", "reliability"],
            "extra": {"audience": "backend developers", "review": {"cadence": "yearly"}},
        },
        f"# {ARTICLE_TITLE}\n\nA job that charges a card must not charge it twice when it is "
        "retried.\n\n## Idempotency keys\n\nStore a key per job and skip a key already done.\n",
    )
    return {
        "mkdocs.yml": MKDOCS_YML,
        "docs/index.md": INDEX_MD,
        "docs/guides/retry-jobs.md": article,
        **dict(records),
    }


class Site:
    """The built and served site, with the ids of its records."""

    def __init__(self, url: str, folder: Path, today: dt.date) -> None:
        self.url = url
        self.folder = folder
        self.today = today
        self.new_id = f"{today.isoformat()}-checkout-worker-pool"
        self.old_id = f"{(today - dt.timedelta(days=40)).isoformat()}-postgres-16"

    def page(self, path: str) -> str:
        return self.url + path


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, serve_site: Callable[[Path], str]) -> Site:
    """The demo site built by MkDocs with the changetrail plugin at the real time, and served."""
    root = tmp_path_factory.mktemp("reader-site")
    # The build's date is the UTC date of its build time: date the records the same way.
    today = dt.datetime.now(tz=dt.UTC).date()
    write_files(root, demo_site(today))
    with pytest.MonkeyPatch.context() as mp:
        mp.delenv("SOURCE_DATE_EPOCH", raising=False)  # the real clock, as a nightly build
        folder = mkdocs_build(root, strict=True)
    return Site(serve_site(folder), folder, today)


@pytest.fixture
def new_context(browser: Browser, site: Site) -> Iterator[Callable[..., BrowserContext]]:
    """A factory of browser contexts that can reach the site and nothing else."""
    contexts: list[BrowserContext] = []

    def make(**options: Any) -> BrowserContext:
        context = browser.new_context(viewport=VIEWPORT, base_url=site.url, **options)
        context.set_default_timeout(WAIT_MS)
        # Material asks Google for its fonts; nothing but the site is reachable or wanted.
        context.route(re.compile(r"^(?!" + re.escape(site.url) + ")"), lambda route: route.abort())
        contexts.append(context)
        return context

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def page(new_context: Callable[..., BrowserContext]) -> Page:
    return new_context().new_page()


def _open(page: Page, path: str, scheme: str = "light") -> None:
    """Go to ``path`` and wait until Material has applied the reader's colour scheme."""
    page.goto(path, wait_until="domcontentloaded")
    material = "slate" if scheme == "dark" else "default"
    page.locator(f'body[data-md-color-scheme="{material}"]').wait_for(state="attached")
    page.locator("h1").first.wait_for()


# -- 1. recent changes ------------------------------------------------------------------------


def test_recent_changes_lists_today_and_not_last_month(page: Page, site: Site) -> None:
    from playwright.sync_api import expect

    _open(page, "changes/recent/")
    # recent.js has re-sorted the page by the reader's clock when it says so.
    expect(page.locator(".ct-recent__checked")).to_contain_text("Checked in your browser at")

    day_window = page.locator('.ct-recent-window[data-ct-window="1"]')
    today_entry = day_window.locator(f'.ct-recent[data-ct-date="{site.today.isoformat()}"]')
    expect(today_entry).to_be_visible()
    expect(today_entry).to_contain_text("Raise the checkout worker pool to 32")
    expect(today_entry.locator("pre code")).to_have_text(ROLLBACK_COMMAND)
    expect(day_window.locator(".ct-recent__empty")).to_be_hidden()

    # Last month's record is older than every window: not on the page, or hidden by recent.js.
    old = page.locator(".ct-recent", has_text="Move the checkout database to Postgres 16")
    for i in range(old.count()):
        expect(old.nth(i)).to_be_hidden()
    visible = page.locator(".ct-recent:visible").all_inner_texts()
    assert not any("Postgres 16" in text for text in visible)
    # The in-progress change of 2 days ago and the rolled-back one of 3 are in the 7-day window,
    # newest first.
    week = page.locator('.ct-recent-window[data-ct-window="7"] .ct-recent')
    expect(week.locator("strong > a")).to_have_text(
        ["Move card tokens to the new vault", "Enable HTTP/2 on the edge proxy"]
    )
    expect(week.first).to_be_visible()


@pytest.mark.parametrize(("days_later", "window"), [(3, "7"), (25, "30")])
def test_recent_changes_is_resorted_by_the_readers_clock(
    page: Page, site: Site, days_later: int, window: str
) -> None:
    """A page read days after its build moves today's record to an older window, and hides
    what has become older than 30 days."""
    from playwright.sync_api import expect

    later = dt.datetime.combine(site.today, dt.time(12), tzinfo=dt.UTC)
    later += dt.timedelta(days=days_later)
    page.clock.set_fixed_time(later)
    _open(page, "changes/recent/")
    expect(page.locator(".ct-recent__checked")).to_contain_text(later.date().isoformat())

    entry = page.locator(f'.ct-recent[data-ct-date="{site.today.isoformat()}"]')
    expect(
        page.locator(f'.ct-recent-window[data-ct-window="{window}"]').locator(entry)
    ).to_be_visible()
    day_window = page.locator('.ct-recent-window[data-ct-window="1"]')
    expect(day_window.locator(".ct-recent")).to_have_count(0)
    expect(day_window.locator(".ct-recent__empty")).to_be_visible()
    # The tax-rate change was 10 days old at the build: 25 days later it is 35, so hidden.
    tax = page.locator(".ct-recent", has_text="Cache tax rates in Redis")
    if days_later + 10 > 30:
        expect(tax).to_be_hidden()
    else:
        expect(tax).to_be_visible()


def test_every_page_links_to_recent_changes_in_its_header(page: Page, site: Site) -> None:
    from playwright.sync_api import expect

    for path in (f"changes/{site.new_id}/", "guides/retry-jobs/"):
        _open(page, path)
        link = page.locator("header a.ct-header-recent")
        expect(link).to_be_visible()
        expect(link).to_have_text("Recent changes")
    link.click()
    page.wait_for_url(site.page("changes/recent/"))
    expect(page.get_by_role("heading", level=1)).to_contain_text("Recent changes")


# -- 2. the copy button -----------------------------------------------------------------------


def test_copy_button_copies_the_rollback_command(
    new_context: Callable[..., BrowserContext], site: Site
) -> None:
    context = new_context()
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=site.url.rstrip("/"))
    page = context.new_page()
    _open(page, f"changes/{site.new_id}/")
    box = page.locator(".ct-rollback")
    box.locator("pre").hover()
    box.locator(COPY_BUTTON).click()
    page.wait_for_function(
        "async (cmd) => (await navigator.clipboard.readText()).trim() === cmd",
        arg=ROLLBACK_COMMAND,
        polling=100,
        timeout=WAIT_MS,
    )
    assert page.evaluate("navigator.clipboard.readText()").strip() == ROLLBACK_COMMAND


# -- 3. search --------------------------------------------------------------------------------


def test_search_finds_a_record_by_a_word_of_its_reason(page: Page, site: Site) -> None:
    from playwright.sync_api import expect

    _open(page, "")
    # Pagefind's dialog (the default `search: pagefind`; tests/browser/test_search.py has more).
    page.locator("header .ct-search__button").click()
    page.locator(".ct-search-dialog__input").press_sequentially(SEARCH_WORD, delay=20)
    titles = page.locator(".ct-search-result a")
    expect(titles.first).to_be_visible()
    expect(titles.filter(has_text="Raise the checkout worker pool to 32")).not_to_have_count(0)
    assert "Move the checkout database" not in " ".join(titles.all_inner_texts())


# -- 4. metric trends -------------------------------------------------------------------------


#: The computed colours of a chart's axes and series.
CHART_COLOURS = """svg => ({
    axes: getComputedStyle(svg).color,
    before: getComputedStyle(svg.querySelector('.ct-chart__before polyline')).stroke,
    after: getComputedStyle(svg.querySelector('.ct-chart__after polyline')).stroke,
})"""


def test_a_records_metric_links_to_its_trend_chart(
    page: Page, site: Site, new_context: Callable[..., BrowserContext]
) -> None:
    from playwright.sync_api import expect

    _open(page, f"changes/{site.new_id}/")
    link = page.locator(".md-typeset table a", has_text=METRIC)
    expect(link).to_have_count(1)
    link.click()
    page.wait_for_url(re.compile(r"/changes/metrics/[^/]+/$"))
    expect(page.get_by_role("heading", level=1)).to_contain_text(f"Metric: {METRIC}")

    chart = page.locator("figure.ct-chart svg.ct-chart__svg")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert box is not None
    assert box["width"] > 100
    assert box["height"] > 50
    for series in ("before", "after"):
        line = chart.locator(f".ct-chart__{series} polyline")
        expect(line).to_be_visible()
        points = (line.get_attribute("points") or "").split()
        assert len(points) == 3, (series, points)  # one point a record
        drawn = line.bounding_box()
        assert drawn is not None
        assert drawn["width"] > 0
    # The two series differ in colour, which follows the scheme (axes included).
    light = chart.evaluate(CHART_COLOURS)
    assert light["before"] != light["after"], light
    # The table beside the chart, for screen readers, has a row per record.
    expect(page.locator(".md-typeset table tbody tr")).to_have_count(3)

    dark_page = _scheme_page(new_context, "dark", page.url)
    dark_chart = dark_page.locator("figure.ct-chart svg.ct-chart__svg")
    expect(dark_chart).to_be_visible()
    dark = dark_chart.evaluate(CHART_COLOURS)
    assert dark["before"] != dark["after"], dark
    for part in ("axes", "before", "after"):
        assert light[part] != dark[part], (part, light, dark)


# -- 5. light and dark ------------------------------------------------------------------------


def _scheme_page(new_context: Callable[..., BrowserContext], scheme: str, path: str) -> Page:
    page = new_context(color_scheme=scheme).new_page()
    _open(page, path, scheme)
    return page


def test_post_meta_box_and_checklists_read_in_light_and_dark(
    new_context: Callable[..., BrowserContext], site: Site
) -> None:
    from playwright.sync_api import expect

    colours: dict[str, dict[str, str]] = {}
    for scheme in ("light", "dark"):
        page = _scheme_page(new_context, scheme, "guides/retry-jobs/")
        box = page.locator(".ct-postmeta")
        expect(box).to_be_visible()
        expect(box.locator("dt", has_text="Reading time")).to_be_visible()
        expect(box.locator(".ct-progress")).to_contain_text("2 of 3 done")
        expect(box.locator(".ct-checklist .task-list-item")).to_have_count(3)
        text = box.locator("dd").first
        colours[scheme] = {
            "box": text.evaluate("el => getComputedStyle(el).color"),
            "background": box.evaluate("el => getComputedStyle(el).backgroundColor"),
        }

        record = _scheme_page(new_context, scheme, f"changes/{site.new_id}/")
        checklist = record.locator(".md-typeset .ct-checklist")
        expect(checklist).to_be_visible()
        expect(record.locator(".md-typeset p.ct-progress")).to_contain_text("2 of 3 done")
        expect(checklist.locator(".task-list-item")).to_have_count(3)
        colours[scheme]["checklist"] = checklist.evaluate("el => getComputedStyle(el).color")

    for part in ("box", "background", "checklist"):
        assert colours["light"][part] != colours["dark"][part], (part, colours)


# -- 6. screenshots ---------------------------------------------------------------------------


def test_screenshots_of_the_key_pages(
    new_context: Callable[..., BrowserContext], site: Site, tmp_path: Path
) -> None:
    """One PNG a key page in the test's tmp folder: what a reader sees, for a human to look at."""
    shots = {
        "recent-changes": ("light", "changes/recent/", None),
        "record": ("light", f"changes/{site.new_id}/", None),
        "metric-trend": ("light", _trend_path(site), None),
        "post-meta-light": ("light", "guides/retry-jobs/", ".ct-postmeta"),
        "post-meta-dark": ("dark", "guides/retry-jobs/", ".ct-postmeta"),
        "checklist-health": ("light", "changes/checklists/", None),
        "files": ("light", "changes/files/", None),
    }
    pages = {scheme: new_context(color_scheme=scheme).new_page() for scheme in ("light", "dark")}
    for name, (scheme, path, element) in shots.items():
        page = pages[scheme]
        _open(page, path, scheme)
        out = tmp_path / f"{name}.png"
        if element:
            # The sticky header would cover the top of a box taller than the window.
            page.locator(element).screenshot(path=out, style=".md-header { visibility: hidden; }")
        else:
            page.screenshot(path=out, full_page=True)
        assert out.stat().st_size > 1000, name
    assert sorted(p.stem for p in tmp_path.glob("*.png")) == sorted(shots)


def _trend_path(site: Site) -> str:
    pages = sorted((site.folder / "changes" / "metrics").glob("*/index.html"))
    trend = [p for p in pages if METRIC in p.read_text(encoding="utf-8")]
    assert trend, "no trend page for the shared metric"
    return trend[0].parent.relative_to(site.folder).as_posix() + "/"
