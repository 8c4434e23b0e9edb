"""Browser fixtures: Debian's Chromium driven by Playwright, and a local server for a built site.

Browsers cannot be downloaded here, so Playwright never installs one: it launches
``/usr/bin/chromium`` (``apt-get install -y chromium``). Without it, or without the
``playwright`` package, the browser tests are skipped on a developer machine and fail under
``CI=true``: a missing browser must never turn the browser tests green by skipping them.
"""

from __future__ import annotations

import functools
import http.server
import os
import threading
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

if TYPE_CHECKING:
    from playwright.sync_api import Browser

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
MISSING_CHROMIUM = (
    f"Chromium not found at {CHROMIUM}: install it with 'apt-get install -y chromium'"
)
MISSING_PLAYWRIGHT = (
    "The playwright package is not installed: pip install 'playwright>=1.49,<2' "
    "(never 'playwright install': the tests use Debian's chromium)"
)

#: Seconds a server thread waits on a silent connection before dropping it.
SOCKET_TIMEOUT = 10


def in_ci() -> bool:
    return os.environ.get("CI", "").strip().lower() == "true"


def unavailable(reason: str) -> None:
    """Skip on a developer machine; fail under CI=true."""
    if in_ci():
        pytest.fail(f"{reason} (CI=true: the browser tests must run, not skip)", pytrace=False)
    pytest.skip(reason)


# Module scope, not session: while Playwright's sync API runs, its event loop is the running loop
# of the main thread, and a later test calling asyncio.run() would fail.
@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium from /usr/bin/chromium, headless, for one test module."""
    if not (CHROMIUM.is_file() and os.access(CHROMIUM, os.X_OK)):
        unavailable(MISSING_CHROMIUM)
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        unavailable(MISSING_PLAYWRIGHT)
    with sync_playwright() as p:
        chromium = p.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, timeout=30_000
        )
        try:
            yield chromium
        finally:
            chromium.close()


class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    timeout = SOCKET_TIMEOUT

    def log_message(self, format: str, *args: Any) -> None:
        pass


class _Server(http.server.ThreadingHTTPServer):
    daemon_threads = True


@pytest.fixture(scope="module")
def serve_site() -> Iterator[Callable[[Path], str]]:
    """A factory: ``serve_site(folder)`` serves it on 127.0.0.1 and returns its base URL.

    Each folder gets a ``ThreadingHTTPServer`` on a free port, in a thread, shut down when the
    test module is done.
    """
    servers: list[tuple[_Server, threading.Thread]] = []

    def start(directory: Path) -> str:
        handler = functools.partial(_QuietHandler, directory=str(directory))
        server = _Server(("127.0.0.1", 0), handler)
        thread = threading.Thread(target=server.serve_forever, name="site-server", daemon=True)
        thread.start()
        servers.append((server, thread))
        host, port = server.server_address[:2]
        return f"http://{host}:{port}/"

    try:
        yield start
    finally:
        for server, thread in servers:
            server.shutdown()
            server.server_close()
            thread.join(timeout=SOCKET_TIMEOUT)
