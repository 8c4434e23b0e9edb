"""The link checker: internal links of real builds, mapped to source lines; external links
against a local HTTP server only."""

from __future__ import annotations

import json
import threading
import time
from collections import Counter, defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from changetrail.errors import RecordError, Severity, format_errors
from changetrail.linkcheck import (
    Layout,
    SourceMap,
    check_site,
    check_source_tree,
    rebase_markdown,
    rebase_url,
    scan_frontmatter,
    scan_markdown,
)
from changetrail.linkcheck.external import (
    ExternalLink,
    ExternalOptions,
    check_external,
    collect_external,
)
from changetrail.pipeline import load_project
from changetrail.settings import Settings
from conftest import DEFAULT_MKDOCS_YML, MakeSite, field_line, mkdocs_build, record

if TYPE_CHECKING:
    from collections.abc import Iterator

GOLDEN_DIR = Path(__file__).parent / "golden" / "linkcheck"
RID = "2024-03-04-orders-index"
RECORD_PATH = f"changes/{RID}.md"

INDEX_MD = """\
# Home

Read the [guide](guide.md#setup) and the [runbook](runbooks/order.md).

![diagram](img/diagram.png)
![flow](img/flow.png)

## Intro

Jump to [the setup](guide.md#set-up), or [back up](#intro).

```md
[not a link](nowhere.md)
```
"""

GUIDE_MD = "# Guide\n\n## Setup\n\nBack [home](index.md), see [orders](runbooks/orders.md).\n"
RECORD_BODY = "The plan is in the [guide](../guide.md).\n\n![latency graph](graph.png)\n"
RECORD_LINKS = [
    {"title": "Runbook", "url": "../runbooks/orders.md"},
    {"title": "Old runbook", "url": "../runbooks/order.md"},
]

# Records a map page.url -> src_uri the way the plugin would (see the report: the lead's wiring),
# and adds one link no source wrote, as a theme or plugin might.
PAGES_HOOK = """\
import json
from pathlib import Path

PAGES = {}


def on_page_markdown(markdown, page, config, files):
    PAGES[page.url] = page.file.src_uri


def on_page_content(html, page, config, files):
    if page.file.src_uri == "guide.md":
        return html + '<p><a href="ghost.md">ghost</a></p>'
    return None


def on_post_build(config):
    out = Path(config.config_file_path).parent / "pages.json"
    out.write_text(json.dumps(PAGES, sort_keys=True))
"""


def site_files(mkdocs_yml: str = DEFAULT_MKDOCS_YML) -> dict[str, str | bytes]:
    return {
        "mkdocs.yml": mkdocs_yml,
        "docs/index.md": INDEX_MD,
        "docs/guide.md": GUIDE_MD,
        "docs/runbooks/orders.md": "# Orders runbook\n",
        "docs/img/diagram.png": b"\x89PNG\r\n\x1a\n",
        "changes/graph.png": b"\x89PNG\r\n\x1a\n",  # next to the record, but not published
        RECORD_PATH: record(body=RECORD_BODY, links=RECORD_LINKS),
    }


def build_and_check(root: Path, *, page_urls: dict[str, str] | None = None) -> list[RecordError]:
    site = mkdocs_build(root)
    from mkdocs.config import load_config

    udu = load_config(str(root / "mkdocs.yml")).use_directory_urls
    sources = source_map(root, page_urls=page_urls, use_directory_urls=udu)
    return check_site(site, sources, use_directory_urls=udu)


def source_map(
    root: Path, *, page_urls: dict[str, str] | None = None, use_directory_urls: bool = True
) -> SourceMap:
    project = load_project(root, Settings(), docs_dir=root / "docs")
    assert not project.failed, format_errors(project.errors)
    return SourceMap.from_project(
        project, root / "docs", page_urls=page_urls, use_directory_urls=use_directory_urls
    )


def where(errors: list[RecordError]) -> list[tuple[str, int | None, int | None, str | None, str]]:
    return sorted((e.file, e.line, e.column, e.field, e.code) for e in errors)


def col(text: str, line: int, needle: str) -> int:
    return text.split("\n")[line - 1].index(needle) + 1


RECORD_TEXT = record(body=RECORD_BODY, links=RECORD_LINKS)
BODY_LINE = RECORD_TEXT.split("\n").index("The plan is in the [guide](../guide.md).") + 1
LINKS_LINE = field_line("links", links=RECORD_LINKS)

EXPECTED = [
    ("docs/index.md", 3, col(INDEX_MD, 3, "runbooks/order.md"), None, "link.not_found"),
    ("docs/index.md", 6, col(INDEX_MD, 6, "img/flow.png"), None, "link.asset"),
    ("docs/index.md", 10, col(INDEX_MD, 10, "guide.md#set-up"), None, "link.anchor"),
    (
        RECORD_PATH,
        LINKS_LINE,
        col(RECORD_TEXT, LINKS_LINE, "../runbooks/order.md"),
        "links[1].url",
        "link.not_found",
    ),
    (RECORD_PATH, BODY_LINE + 2, col(RECORD_TEXT, BODY_LINE + 2, "graph.png"), None, "link.asset"),
]


# -- internal links of a built site ----------------------------------------------------------


@pytest.mark.build
def test_each_broken_link_is_reported_once_at_its_source(
    make_site: MakeSite, *, update_goldens: bool
) -> None:
    errors = build_and_check(make_site(site_files()))
    assert where(errors) == sorted(EXPECTED)
    for fmt, ext in (("text", "txt"), ("json", "json"), ("github", "github")):
        compare_golden(f"site.{ext}", format_errors(errors, fmt) + "\n", update=update_goldens)

    by_kind = {(e.file, e.code, e.field): e for e in errors}
    assert by_kind["docs/index.md", "link.not_found", None].hint == (
        "did you mean 'runbooks/orders.md'?"
    )
    assert by_kind["docs/index.md", "link.anchor", None].hint == ("did you mean 'guide.md#setup'?")
    assert by_kind["docs/index.md", "link.anchor", None].message == (
        "link to 'guide.md#set-up': 'guide.md' has no anchor '#set-up'"
    )
    assert by_kind[RECORD_PATH, "link.not_found", "links[1].url"].hint == (
        "did you mean '../runbooks/orders.md'?"
    )
    assert by_kind[RECORD_PATH, "link.asset", None].message == (
        "image 'graph.png' is not in the built site"
    )
    assert by_kind[RECORD_PATH, "link.asset", None].hint == (
        "'changes/graph.png' is in the repository but not in the site: move it under 'docs/'"
    )


@pytest.mark.build
@pytest.mark.parametrize("directory_urls", [True, False])
def test_recorded_page_map_and_both_url_styles(make_site: MakeSite, directory_urls: bool) -> None:
    yml = DEFAULT_MKDOCS_YML + f"use_directory_urls: {str(directory_urls).lower()}\n"
    yml += "hooks:\n  - hooks/pages.py\n"
    files = site_files(yml)
    files["hooks/pages.py"] = PAGES_HOOK
    root = make_site(files)
    site = mkdocs_build(root)
    page_urls = json.loads((root / "pages.json").read_text(encoding="utf-8"))
    assert page_urls[f"changes/{RID}/" if directory_urls else f"changes/{RID}.html"] == (
        RECORD_PATH
    )
    sources = source_map(root, page_urls=page_urls, use_directory_urls=directory_urls)
    errors = check_site(site, sources, use_directory_urls=directory_urls)
    ghost = [e for e in errors if "ghost" in e.message]
    assert where(errors) == sorted(
        [*EXPECTED, ("docs/guide.md", None, None, None, "link.not_found")]
    )
    assert ghost[0].message.startswith(
        "link to 'ghost.md': no such page in the built site (not found in the source: the link "
        "comes from a template, a plugin or frontmatter; built page guide/"
        if directory_urls
        else "link to 'ghost.md': no such page in the built site (not found in the source"
    )


@pytest.mark.build
def test_a_clean_site_passes_including_generated_pages(make_site: MakeSite) -> None:
    files = site_files()
    files["docs/index.md"] = "# Home\n\nThe [guide](guide.md#setup), the [log](changes/index.md).\n"
    files["docs/guide.md"] = "# Guide\n\n## Setup\n\n[Home](index.md#home) [top](#top)\n"
    files[RECORD_PATH] = record(
        body="[Guide](../guide.md#setup)\n", links=[{"title": "R", "url": "../runbooks/orders.md"}]
    )
    assert build_and_check(make_site(files)) == []


def test_root_relative_links_and_folders_in_a_hand_made_site(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "guide").mkdir(parents=True)
    links = (
        '<a href="/docs/guide/#setup">a</a> <a href="/docs/guide#setup">b</a> <a href="#top">c</a>'
    )
    links += ' <a href="/guide/">d</a> <a href="guide/index.html#setpu">e</a>'
    (site / "index.html").write_text(
        f'<nav><a href="/nav-only/">n</a></nav><main><article class="md-content__inner">{links}'
        "</article></main>",
        encoding="utf-8",
    )
    (site / "guide" / "index.html").write_text(
        '<main><article class="md-content__inner"><h2 id="setup">S</h2></article></main>',
        encoding="utf-8",
    )
    sources = SourceMap({}, Layout(tmp_path, "docs"))
    errors = check_site(site, sources, use_directory_urls=True, base_path="/docs/")
    assert [(e.file, e.line, e.code) for e in errors] == [
        ("index.html", None, "link.not_found"),
        ("index.html", None, "link.anchor"),
    ]
    assert errors[0].message.startswith(
        "link to '/guide/' points outside the site (not found in the generated page"
    )
    assert errors[1].hint == "did you mean 'guide/index.html#setup'?"


ARTICLE_MD = """\
---
kind: article
title: Photo guide
image_sources:
  - source: unsplash
    url: img/missing.png
  - source: us
    url: img/diagram.png
---

# Photo guide
"""


@pytest.mark.build
def test_article_frontmatter_links_are_checked(make_site: MakeSite) -> None:
    files = site_files()
    files["docs/photos.md"] = ARTICLE_MD
    errors = [e for e in build_and_check(make_site(files)) if e.file == "docs/photos.md"]
    # Relative image_sources URLs are written from the Markdown file and rewritten for the
    # built page (the box is raw HTML, which MkDocs does not rewrite): only the missing one fails.
    assert where(errors) == [
        ("docs/photos.md", 6, col(ARTICLE_MD, 6, "img/"), "image_sources[0].url", "link.asset"),
    ]


# -- one link for both layouts: the site and the repository --------------------------------


def test_site_only_links_are_reported_with_the_link_that_works_in_both(
    make_site: MakeSite,
) -> None:
    root = make_site(site_files())  # no build needed: both layouts are read from the sources
    errors = sorted(check_source_tree(source_map(root)), key=RecordError.sort_key)
    assert [(e.file, e.line, e.field, e.code, e.severity) for e in errors] == [
        (RECORD_PATH, LINKS_LINE, "links[0].url", "link.source_tree", Severity.WARNING),
        (RECORD_PATH, BODY_LINE, None, "link.source_tree", Severity.WARNING),
    ]
    assert (
        errors[1].hint
        == "write '../docs/guide.md': links are relative to the file they are written in"
    )
    assert errors[1].message == (
        "link to '../guide.md' works in the site but not in the source tree, where it points "
        "at 'guide.md', which does not exist"
    )


REBASE_HOOK = """\
from pathlib import Path

from changetrail.linkcheck import Layout, rebase_markdown


def on_page_markdown(markdown, page, config, files):
    root = Path(config.config_file_path).parent
    records = {f"changes/{p.name}": f"changes/{p.name}" for p in (root / "changes").glob("*.md")}
    layout = Layout(root.resolve(), "docs", records)
    uri = page.file.src_uri
    source = uri if uri in records else f"docs/{uri}"
    if source in records or (root / source).is_file():
        return rebase_markdown(markdown, source_path=source, page_uri=uri, layout=layout)
    return None
"""


@pytest.mark.build
def test_rebased_links_work_in_both_layouts(make_site: MakeSite) -> None:
    files = site_files(DEFAULT_MKDOCS_YML + "hooks:\n  - hooks/rebase.py\n")
    files["hooks/rebase.py"] = REBASE_HOOK
    files["docs/index.md"] = f"# Home\n\nThe [latest change](../changes/{RID}.md#reason).\n"
    files[RECORD_PATH] = record(
        body="![graph](../docs/img/diagram.png) [guide](../docs/guide.md#setup) `[x](../y.md)`\n",
        links=[{"title": "Runbook", "url": "../docs/runbooks/orders.md"}],
    )
    root = make_site(files)
    sources = source_map(root)
    assert check_site(mkdocs_build(root), sources, use_directory_urls=True) == []
    assert check_source_tree(sources) == []


def test_rebase_url_maps_source_tree_links_to_the_site(tmp_path: Path) -> None:
    for rel in ("docs/guide.md", "docs/img/a.png", f"changes/{RID}.md", "changes/b.md"):
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text("x", encoding="utf-8")
    records = {f"changes/{RID}.md": f"log/{RID}.md", "changes/b.md": "log/b.md"}
    layout = Layout(tmp_path, "docs", records)

    def rebase(url: str, source: str = f"changes/{RID}.md", page: str = f"log/{RID}.md") -> str:
        return rebase_url(url, source_path=source, page_uri=page, layout=layout)

    assert rebase("../docs/guide.md#setup") == "../guide.md#setup"
    assert rebase("../docs/img/a.png") == "../img/a.png"
    assert rebase("b.md") == "b.md"  # a record next to it: the same in both layouts
    assert rebase("../guide.md") == "../guide.md"  # not in the source tree: left alone
    assert rebase("../src/app.py") == "../src/app.py"  # exists nowhere published
    assert rebase("https://example.com/x.md") == "https://example.com/x.md"
    assert rebase("#reason") == "#reason"
    assert rebase(f"../changes/{RID}.md", "docs/guide.md", "guide.md") == f"log/{RID}.md"
    text = "[a](../docs/guide.md) `[b](../docs/guide.md)`\n\n```\n[c](../docs/guide.md)\n```\n"
    assert rebase_markdown(
        text, source_path=f"changes/{RID}.md", page_uri=f"log/{RID}.md", layout=layout
    ) == text.replace("[a](../docs/guide.md)", "[a](../guide.md)")


# -- finding links in Markdown and frontmatter -----------------------------------------------


def test_scan_markdown_finds_links_outside_code_with_positions() -> None:
    text = (
        '[a](x.md) ![b](<img/a b.png> "t") [c](u(1).md)\n'
        "`[no](code.md)` <https://example.com/q>\n"
        "```\n[no](fence.md)\n```\n"
        '[ref]: ref.md "T"\n'
        '<img src="raw.png"> [d](\n  next-line.md)\n'
    )
    found = [(link.url, link.line, link.column) for link in scan_markdown(text, first_line=10)]
    assert found == [
        ("x.md", 10, 5),
        ("img/a b.png", 10, 17),
        ("u(1).md", 10, 39),
        ("https://example.com/q", 11, 18),
        ("ref.md", 15, 8),
        ("raw.png", 16, 11),
        ("next-line.md", 17, 3),
    ]


def test_scan_frontmatter_points_at_each_url_value() -> None:
    from changetrail.frontmatter import Frontmatter, split

    text = '---\ntitle: T\nlinks:\n  - title: A\n    url: "https://a.example/"\n  - {title: B, url: ../b.md}\n---\nbody\n'
    fm = split(text, "x.md")
    assert isinstance(fm, Frontmatter)
    found = [(link.url, link.line, link.column, link.field) for link in scan_frontmatter(fm)]
    assert found == [
        ("https://a.example/", 5, col(text, 5, "https"), "links[0].url"),
        ("../b.md", 6, col(text, 6, "../b.md"), "links[1].url"),
    ]


# -- external links, against a local server only ---------------------------------------------


class _Server(ThreadingHTTPServer):
    daemon_threads = True

    def __init__(self) -> None:
        super().__init__(("127.0.0.1", 0), _Handler)
        self.lock = threading.Lock()
        self.hits: Counter[str] = Counter()
        self.times: dict[str, list[float]] = defaultdict(list)
        self.stop = threading.Event()
        self.in_flight = 0
        self.max_in_flight = 0

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # a client that gave up on /slow closes its socket; that is expected

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _Handler(BaseHTTPRequestHandler):
    server: _Server

    def do_HEAD(self) -> None:
        self._answer(body=False)

    def do_GET(self) -> None:
        self._answer(body=True)

    def _answer(self, *, body: bool) -> None:
        srv = self.server
        path = self.path.split("?")[0]
        with srv.lock:
            srv.hits[path] += 1
            srv.times[path].append(time.monotonic())
            count = srv.hits[path]
            srv.in_flight += 1
            srv.max_in_flight = max(srv.max_in_flight, srv.in_flight)
        try:
            status, headers = 200, {}
            if path == "/missing":
                status = 404
            elif path == "/busy" and count == 1:
                status, headers = 429, {"Retry-After": "1"}
            elif path == "/slow":
                srv.stop.wait(2.0)  # past the client's timeout; ends early at shutdown
            elif path == "/pause":
                srv.stop.wait(0.2)
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Length", "2")
            self.end_headers()
            if body:
                self.wfile.write(b"ok")
        finally:
            with srv.lock:
                srv.in_flight -= 1

    def log_message(self, format: str, *args: Any) -> None:
        pass


@pytest.fixture
def server() -> Iterator[_Server]:
    srv = _Server()
    thread = threading.Thread(target=srv.serve_forever, kwargs={"poll_interval": 0.05})
    thread.start()
    try:
        yield srv
    finally:
        srv.stop.set()
        srv.shutdown()
        srv.server_close()
        thread.join(timeout=5)


FAST = ExternalOptions(timeout=0.5, retries=1, backoff=0.05, host_interval=0.0, trust_env=False)


def links_to(base: str, *paths: str) -> list[ExternalLink]:
    return [ExternalLink(f"{base}{p}", "docs/x.md", i + 1, 3) for i, p in enumerate(paths)]


def test_external_reports_exactly_the_404_and_the_timeout_and_honours_429(
    server: _Server, tmp_path: Path
) -> None:
    links = links_to(server.base, "/ok", "/missing", "/busy", "/slow", "/ok#part")
    report = check_external(links, FAST, tmp_path / "cache.json")
    assert [(e.code, e.line, e.message) for e in report.errors] == [
        ("link.external", 2, f"external link '{server.base}/missing' answered HTTP 404"),
        ("link.timeout", 4, f"external link '{server.base}/slow' did not answer within 0.5 s"),
    ]
    assert report.summary() == "checked 4, cached 0, broken 2, skipped 0"
    # The 429 was retried once, after the second its Retry-After asked for, and then passed.
    assert server.hits["/busy"] == 2
    first, second = server.times["/busy"]
    assert second - first >= 0.95
    assert server.hits["/ok"] == 1  # one request per URL; the fragment is not the server's
    assert server.hits["/missing"] == 2  # HEAD, then GET in case HEAD is not supported

    hits = server.hits.copy()
    again = check_external(links, FAST, tmp_path / "cache.json")
    # The cache answered all but the timeout, which is not cached: a rerun asks again.
    assert server.hits - hits == Counter({"/slow": 2})
    assert again.errors == report.errors
    assert again.summary() == "checked 1, cached 3, broken 2, skipped 0"


def test_external_cache_expires_after_its_max_age(server: _Server, tmp_path: Path) -> None:
    links = links_to(server.base, "/ok")
    cache = tmp_path / "sub" / "cache.json"
    cache.parent.mkdir()
    cache.write_text("{not json", encoding="utf-8")  # a broken cache is ignored, then replaced
    check_external(links, FAST, cache, clock=lambda: 1_000.0)
    check_external(links, FAST, cache, clock=lambda: 1_000.0 + 86_000)
    assert server.hits["/ok"] == 1
    report = check_external(links, FAST, cache, clock=lambda: 1_000.0 + 86_401)
    assert server.hits["/ok"] == 2
    assert report.summary() == "checked 1, cached 0, broken 0, skipped 0"
    entries = json.loads(cache.read_text(encoding="utf-8"))["entries"]
    assert entries == {f"{server.base}/ok": {"checked_at": 87_401.0, "error": None, "status": 200}}


def test_external_exclusions_skip_without_a_request(server: _Server, tmp_path: Path) -> None:
    options = ExternalOptions(
        timeout=0.5, host_interval=0.0, trust_env=False, exclude=(r"/missing$", r"^ftp:")
    )
    report = check_external(links_to(server.base, "/missing", "/ok"), options, tmp_path / "c")
    assert report.errors == ()
    assert report.summary() == "checked 1, cached 0, broken 0, skipped 1"
    assert server.hits["/missing"] == 0


def test_external_bounds_concurrency_and_spaces_requests_per_host(
    server: _Server, tmp_path: Path
) -> None:
    paused = [ExternalLink(f"{server.base}/pause?{i}", "x.md", 1, 1) for i in range(5)]
    check_external(
        paused, ExternalOptions(concurrency=2, host_interval=0.0, trust_env=False), tmp_path / "a"
    )
    assert 1 <= server.max_in_flight <= 2  # the bound holds; reaching it depends on load

    spaced = [ExternalLink(f"{server.base}/ok?{i}", "x.md", 1, 1) for i in range(3)]
    check_external(spaced, ExternalOptions(host_interval=0.2, trust_env=False), tmp_path / "b")
    times = server.times["/ok"]
    assert times[-1] - times[0] >= 0.38


def test_external_errors_point_at_the_link_in_the_source(
    make_site: MakeSite, server: _Server, tmp_path: Path
) -> None:
    files = site_files()
    files["docs/guide.md"] = f"# Guide\n\nSee [the status page]({server.base}/missing).\n"
    files[RECORD_PATH] = record(links=[{"title": "Dashboard", "url": f"{server.base}/slow"}])
    root = make_site(files)
    links = collect_external(source_map(root))
    report = check_external(links, FAST, tmp_path / "cache.json")
    line = field_line("links", links=[{"title": "Dashboard", "url": f"{server.base}/slow"}])
    assert where(list(report.errors)) == [
        (RECORD_PATH, line, col(files[RECORD_PATH], line, "http"), "links[0].url", "link.timeout"),
        ("docs/guide.md", 3, col(files["docs/guide.md"], 3, "http"), None, "link.external"),
    ]
    assert "\n::error file=docs/guide.md,line=3" in "\n" + format_errors(
        list(report.errors), "github"
    )


def test_bad_exclude_pattern_is_a_config_error() -> None:
    from changetrail.errors import ConfigError

    with pytest.raises(ConfigError, match="bad exclude pattern"):
        ExternalOptions(exclude=("(",))


# -- golden files ----------------------------------------------------------------------------


def compare_golden(name: str, output: str, *, update: bool) -> None:
    path = GOLDEN_DIR / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(output, encoding="utf-8")
        return
    assert output == path.read_text(encoding="utf-8")
