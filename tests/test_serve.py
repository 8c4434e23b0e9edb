"""The preview server, run for real: it survives a broken edit and recovers on the next save."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import pytest

from conftest import record, serving

if TYPE_CHECKING:
    import subprocess
    from collections.abc import Callable, Iterator
    from pathlib import Path

    from conftest import MakeSite

pytestmark = pytest.mark.build

RECORD = "changes/2024-03-04-orders-index.md"
PAGE = "/changes/2024-03-04-orders-index/"


def _fetch(url: str) -> str:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8"))
    except (urllib.error.URLError, ConnectionError, TimeoutError):
        return ""


def _wait_for(check: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        time.sleep(0.2)
    pytest.fail(f"timed out waiting for {what}")


@pytest.fixture
def server(make_site: MakeSite) -> Iterator[tuple[Path, str, subprocess.Popen[bytes]]]:
    root = make_site({RECORD: record(title="Add index on orders.created_at")})
    with serving(root) as (base, proc):
        yield root, base, proc


def test_serve_shows_a_broken_edit_in_place_and_recovers(
    server: tuple[Path, str, subprocess.Popen[bytes]],
) -> None:
    root, base, proc = server
    url = base + PAGE
    _wait_for(lambda: "Add index on orders.created_at</h1>" in _fetch(url), "the first build")

    good = (root / RECORD).read_text(encoding="utf-8")
    (root / RECORD).write_text(good.replace('status: "shipped"', "status: done"), encoding="utf-8")
    _wait_for(lambda: "Problems in changes/2024-03-04-orders-index.md" in _fetch(url), "the error")
    page = _fetch(url)
    assert "changes/2024-03-04-orders-index.md:5:9: status:" in page
    assert "did you mean &#39;shipped&#39;?" in page or "did you mean 'shipped'?" in page

    (root / RECORD).write_text("---\ntitle: [unclosed\n", encoding="utf-8")
    _wait_for(lambda: "never closed" in _fetch(url), "the unclosed-frontmatter error")
    assert proc.poll() is None, "the server died on bad input"

    (root / RECORD).write_text(good, encoding="utf-8")
    _wait_for(lambda: "Add index on orders.created_at</h1>" in _fetch(url), "the recovery")
    assert proc.poll() is None


def test_a_saved_title_shows_on_its_page_then_in_the_change_log_and_lists(
    server: tuple[Path, str, subprocess.Popen[bytes]],
) -> None:
    root, base, proc = server
    url = base + PAGE
    _wait_for(lambda: "Add index on orders.created_at</h1>" in _fetch(url), "the first build")
    text = (root / RECORD).read_text(encoding="utf-8")
    (root / RECORD).write_text(
        text.replace("Add index on orders.created_at", "Index on orders, renamed"), encoding="utf-8"
    )
    _wait_for(lambda: "Index on orders, renamed" in _fetch(url), "the saved page")
    _wait_for(lambda: "Index on orders, renamed" in _fetch(base + "/changes/"), "the change log")
    for listing in ("/changes/owners/alice/", "/changes/status/shipped/"):
        page = _fetch(base + listing)
        assert "Index on orders, renamed" in page, listing  # never a half-written page
    assert "Add index on orders.created_at" not in _fetch(base + "/changes/")
    assert proc.poll() is None
