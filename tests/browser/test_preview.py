"""The preview in a real browser: a real `changetrail serve`, a save, and the open pages update
by themselves (MkDocs' live reload), the record's page first and then the change log."""

from __future__ import annotations

import time
import urllib.error
import urllib.request
from typing import TYPE_CHECKING

import pytest

from changetrail.synth import synth
from conftest import serving

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

    from playwright.sync_api import Browser

pytestmark = pytest.mark.build


def _ready(url: str, seconds: float = 120) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            with urllib.request.urlopen(url, timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.2)
    pytest.fail(f"{url} was not served within {seconds:.0f} s")


@pytest.fixture
def served(tmp_path: Path) -> Iterator[tuple[Path, str]]:
    root = tmp_path / "project"
    synth(40, 5, root)
    with serving(root) as (base, _proc):
        _ready(base + "/changes/")
        yield root, base


def test_open_pages_show_a_saved_title_without_the_reader_reloading(
    browser: Browser, served: tuple[Path, str]
) -> None:
    root, base = served
    record = sorted((root / "changes").glob("*.md"))[-1]
    text = record.read_text(encoding="utf-8")
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{base}/changes/{record.stem}/")
        changelog = context.new_page()
        changelog.goto(f"{base}/changes/")
        old_title = page.locator("h1").first.inner_text().strip()

        record.write_text(text.replace('title: "', 'title: "Zeppelin · ', 1), encoding="utf-8")
        page.wait_for_function(
            "() => (document.querySelector('h1')?.textContent ?? '').includes('Zeppelin')",
            timeout=30_000,
        )
        changelog.wait_for_function(
            "() => (document.body?.textContent ?? '').includes('Zeppelin')", timeout=60_000
        )
        assert page.locator("h1").first.inner_text() == "Zeppelin · " + old_title
    finally:
        context.close()
