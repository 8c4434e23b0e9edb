"""Drafts and scheduled records: what a build publishes and what a preview shows."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from conftest import DEFAULT_MKDOCS_YML, MakeSite, load_mkdocs_config, mkdocs_build, record


def _site(make_site: MakeSite) -> Path:
    tomorrow = dt.datetime.now().astimezone().date() + dt.timedelta(days=1)
    return make_site(
        {
            # Material's search: its index is plain JSON, so "nowhere" below includes it.
            "mkdocs.yml": DEFAULT_MKDOCS_YML.replace(
                "  - changetrail\n", "  - changetrail:\n      search: material\n"
            ),
            "changes/2024-03-04-shipped.md": record(title="Shipped change", tags=["db"]),
            "changes/2024-03-05-draft.md": record(
                title="Secret draft", status="draft", tags=["db"]
            ),
            f"changes/{tomorrow.isoformat()}-planned.md": record(
                title="Planned change", status="planned", date=tomorrow.isoformat()
            ),
        }
    )


def test_a_build_publishes_no_draft_anywhere(make_site: MakeSite) -> None:
    site = mkdocs_build(_site(make_site))
    assert not (site / "changes" / "2024-03-05-draft").exists()
    everything = "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file()
    )
    assert "Secret draft" not in everything
    assert "2024-03-05-draft" not in everything
    titles = [
        d["title"] for d in json.loads((site / "search" / "search_index.json").read_text())["docs"]
    ]
    assert "Shipped change" in titles


def test_a_future_record_is_published_by_the_build_on_its_date(make_site: MakeSite) -> None:
    """Until its date a record is in no page, listing, search index or sitemap of a build."""
    site = mkdocs_build(_site(make_site))
    assert not [p for p in (site / "changes").iterdir() if p.name.endswith("-planned")]
    everything = "".join(
        p.read_text(encoding="utf-8", errors="replace") for p in site.rglob("*") if p.is_file()
    )
    assert "Planned change" not in everything


def test_a_preview_shows_drafts_with_a_banner(make_site: MakeSite) -> None:
    from mkdocs.commands.build import build

    config = load_mkdocs_config(_site(make_site))
    config.plugins.on_startup(command="serve", dirty=False)
    try:
        build(config, serve_url="http://127.0.0.1:8000/")
    finally:
        config.plugins.on_shutdown()
    page = Path(config.site_dir) / "changes" / "2024-03-05-draft" / "index.html"
    text = page.read_text(encoding="utf-8")
    assert "Secret draft" in text
    assert "This record is a draft" in text
    index = (Path(config.site_dir) / "changes" / "index.html").read_text(encoding="utf-8")
    assert "Secret draft" in index
