"""The bytes a reader's browser loads for a first search, on a built changetrail site.

Serves SITE on 127.0.0.1, opens a page in Debian's Chromium (``/usr/bin/chromium``, driven by
Playwright), waits until the page has loaded and the network is quiet, then opens the search with
``/``, types the query and waits until the first list of results is on screen and the network is
quiet again. Every request after the page load counts, with the bytes Chromium received for it
(Playwright's ``request.sizes()``: the response body as sent, compressed or not, plus its
headers; requests from Pagefind's web worker included, its own script by Content-Length). Each measurement uses a fresh browser context, so nothing comes from the cache.

It measures twice: served as stored (Python's http.server; Pagefind's index, fragments and
WebAssembly are gzip files already, its JavaScript and CSS are not) and with gzip for text files
(JavaScript, CSS, JSON, HTML, SVG), as GitHub Pages, Netlify or nginx with ``gzip on`` serve them.

    python tests/benchmarks/search_bytes.py SITE [--query rollback] [--page changes/] [--json OUT]
"""

from __future__ import annotations

import argparse
import functools
import gzip
import http.server
import io
import json
import re
import sys
import threading
import time
from collections import defaultdict
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

CHROMIUM = "/usr/bin/chromium"
#: Milliseconds without a request that count as "the network is quiet".
QUIET_MS = 800
TIMEOUT_MS = 60_000
_GZIP_TYPES = (".js", ".css", ".json", ".html", ".svg")


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves files as stored, or text files gzipped when ``compress`` is set."""

    compress = False

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def send_head(self) -> Any:
        path = Path(self.translate_path(self.path))
        if path.is_dir():
            path = path / "index.html"
        wants = "gzip" in self.headers.get("Accept-Encoding", "")
        if not (self.compress and wants and path.suffix in _GZIP_TYPES and path.is_file()):
            return super().send_head()
        body = gzip.compress(path.read_bytes(), compresslevel=6)
        self.send_response(200)
        self.send_header("Content-Type", self.guess_type(str(path)))
        self.send_header("Content-Encoding", "gzip")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        return io.BytesIO(body)


def _serve(site: Path, *, compress: bool) -> tuple[http.server.ThreadingHTTPServer, str]:
    handler = type("Handler", (_Handler,), {"compress": compress})
    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(handler, directory=str(site))
    )
    threading.Thread(target=server.serve_forever, daemon=True).start()
    host, port = server.server_address[:2]
    return server, f"http://{host}:{port}/"


def category(url: str) -> str:
    """What a request is for: the search engine, the index, filters or page fragments."""
    path = re.sub(r"/pagefind/shard-\d+/", "/pagefind/", urlsplit(url).path)
    name = path.rsplit("/", 1)[-1]
    if "/pagefind/index/" in path:
        return "index chunks"
    if "/pagefind/fragment/" in path:
        return "result fragments"
    if "/pagefind/filter/" in path:
        return "filter chunks"
    if name.endswith((".pf_meta", ".json")):
        return "index metadata"
    if "/pagefind/" in path:
        return "search engine (js, wasm)"
    return "other"


def _quiet(log: dict[str, dict[str, Any]], page: Any) -> None:
    """Wait until no request is in flight and none started for ``QUIET_MS``."""
    deadline = time.monotonic() + TIMEOUT_MS / 1000
    while time.monotonic() < deadline:
        pending = [r for r in log.values() if "bytes" not in r and not r.get("failed")]
        latest = max((r["started"] for r in log.values()), default=0.0)
        if not pending and time.monotonic() - latest > QUIET_MS / 1000:
            return
        page.wait_for_timeout(100)
    pending = [r["url"] for r in log.values() if "bytes" not in r and not r.get("failed")]
    raise TimeoutError(f"the network never went quiet: {pending}")


def measure(browser: Any, base: str, *, page_path: str, query: str) -> dict[str, Any]:
    """One first search on a fresh context: the requests after the page load and their bytes."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    # Nothing leaves 127.0.0.1 (Material asks Google for its fonts).
    context.route(
        "**/*",
        lambda route: route.continue_() if route.request.url.startswith(base) else route.abort(),
    )
    page = context.new_page()
    log: dict[Any, dict[str, Any]] = {}

    def started(request: Any) -> None:
        log[request] = {"url": request.url, "started": time.monotonic()}

    def finished(request: Any) -> None:
        if request in log:
            sizes = request.sizes()
            body = sizes["responseBodySize"]
            if not body:  # Chromium reports 0 for a worker's own script: use Content-Length
                response = request.response()
                body = int(response.headers.get("content-length", 0)) if response else 0
            log[request]["bytes"] = body + sizes["responseHeadersSize"]

    def failed(request: Any) -> None:
        if request in log:
            log[request]["failed"] = True

    context.on("request", started)
    context.on("requestfinished", finished)
    context.on("requestfailed", failed)
    page.goto(base + page_path, wait_until="load")
    _quiet(log, page)
    before = sum(r.get("bytes", 0) for r in log.values())
    log.clear()
    t0 = time.monotonic()
    page.keyboard.press("/")
    page.wait_for_selector(".ct-search-dialog__input", timeout=TIMEOUT_MS)
    page.fill(".ct-search-dialog__input", query)
    page.wait_for_selector(".ct-search-result a", timeout=TIMEOUT_MS)
    shown = time.monotonic() - t0
    _quiet(log, page)
    message = page.inner_text(".ct-search-dialog__count")
    snapshot = [dict(r) for r in log.values()]
    first = sum(r.get("bytes", 0) for r in snapshot)
    # Then the reader opens the filters: every filter chunk, and the query again with counts.
    page.click(".ct-search-dialog__filters-toggle")
    page.wait_for_selector(".ct-search-filter__count", timeout=TIMEOUT_MS)
    _quiet(log, page)
    filters = sum(r.get("bytes", 0) for r in log.values()) - first
    by_category: dict[str, int] = defaultdict(int)
    requests: dict[str, int] = defaultdict(int)
    for r in snapshot:
        by_category[category(r["url"])] += r.get("bytes", 0)
        requests[category(r["url"])] += 1
    context.close()
    return {
        "page": page_path,
        "query": query,
        "message": message,
        "page_load_bytes": before,
        "first_query_bytes": first,
        "filters_bytes": filters,
        "requests": sum(requests.values()),
        "by_category": dict(sorted(by_category.items())),
        "requests_by_category": dict(sorted(requests.items())),
        "seconds_to_results": round(shown, 2),
    }


def _index_size(site: Path) -> dict[str, int]:
    folder = site / "pagefind"
    files = [p for p in folder.rglob("*") if p.is_file()]
    return {"files": len(files), "bytes": sum(p.stat().st_size for p in files)}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("site", type=Path, help="a site built by changetrail (with pagefind/)")
    parser.add_argument("--query", default="rollback", help="what to type (default: rollback)")
    parser.add_argument("--page", default="", help="the page to start from (default: home)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args(argv)
    if not (args.site / "pagefind" / "pagefind-entry.json").is_file():
        parser.error(f"{args.site}/pagefind/pagefind-entry.json: not found; build with pagefind")
    from playwright.sync_api import sync_playwright

    pages = sum(1 for _ in args.site.rglob("*.html"))
    results: dict[str, Any] = {"site": str(args.site), "html_pages": pages}
    results["index"] = _index_size(args.site)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        try:
            for label, compress in (("as stored", False), ("gzip", True)):
                server, base = _serve(args.site, compress=compress)
                try:
                    results[label] = measure(browser, base, page_path=args.page, query=args.query)
                finally:
                    server.shutdown()
                    server.server_close()
        finally:
            browser.close()
    out = sys.stdout
    out.write(
        f"{args.site}: {pages:,} HTML files; pagefind/ {results['index']['bytes'] / 1e6:.1f} MB "
        f"in {results['index']['files']:,} files\n"
    )
    for label in ("as stored", "gzip"):
        r = results[label]
        out.write(
            f"\n{label}: first query {r['query']!r} from /{r['page']}: "
            f"{r['first_query_bytes'] / 1000:.0f} KB in {r['requests']} requests "
            f"({r['message']}; results after {r['seconds_to_results']} s)\n"
        )
        for name, size in r["by_category"].items():
            count = r["requests_by_category"][name]
            out.write(f"  {name:<26} {size / 1000:8.1f} KB  {count:3d} requests\n")
        out.write(f"  then opening the filters: {r['filters_bytes'] / 1000:.0f} KB more\n")
    if args.json:
        args.json.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
