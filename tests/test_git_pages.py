"""Git truth on the built pages: dates and authors from one history read, repo_url links."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from bs4 import BeautifulSoup

from conftest import mkdocs_build, record
from test_gitinfo import commit, git

if TYPE_CHECKING:
    from conftest import MakeSite

pytestmark = pytest.mark.build

YML = """\
site_name: Test site
repo_url: https://github.com/example/shop
theme:
  name: material
plugins:
  - search
  - changetrail
"""


def test_pages_show_created_and_changed_and_record_pages_link_the_repository(
    make_site: MakeSite,
) -> None:
    root = make_site({"mkdocs.yml": YML})
    git(root, "init", "-q", "-b", "main")
    commit(root, "Alice", "2024-03-01T10:00:00+00:00", write={"src/app.py": "v1\n"})
    sha = commit(root, "Bob", "2024-03-04T10:00:00+00:00", write={"src/app.py": "v2\n"})
    rec = record(files_touched=["src/app.py"], commit=sha[:10])
    commit(root, "Carol", "2024-03-05T10:00:00+00:00", write={"changes/2024-03-04-a.md": rec})
    commit(root, "Dave", "2024-03-06T10:00:00+00:00", write={"docs/index.md": "# Home\n\nNew.\n"})

    site = mkdocs_build(root)
    home = BeautifulSoup((site / "index.html").read_text(encoding="utf-8"), "html.parser")
    dates = home.select_one("aside.ct-git-dates")
    assert dates is not None
    # make_site wrote docs/index.md before the repository existed: Alice's commit added it.
    assert dates.get_text() == "Created 2024-03-01 by Alice · last changed 2024-03-06 by Dave"

    page = BeautifulSoup(
        (site / "changes" / "2024-03-04-a" / "index.html").read_text(encoding="utf-8"),
        "html.parser",
    )
    aside = page.select_one("aside.ct-git-dates")
    assert aside is not None
    assert aside.get_text() == "Created 2024-03-05 by Carol · last changed 2024-03-05 by Carol"
    hrefs = {a.get_text(): a["href"] for a in page.select("article a")}
    assert hrefs["source"] == "https://github.com/example/shop/blob/HEAD/src/app.py"
    assert hrefs[sha[:10]] == f"https://github.com/example/shop/commit/{sha}"
