"""Hostile and odd input to the splitter: each gets one precise message, or is safely accepted."""

from __future__ import annotations

import datetime as dt
import html
import shutil
from typing import TYPE_CHECKING
from urllib.parse import unquote

from bs4 import BeautifulSoup
from click.testing import CliRunner

from changetrail.cli import cli
from changetrail.errors import RecordError, Severity
from changetrail.frontmatter import Frontmatter, split
from changetrail.loader import discover
from changetrail.pipeline import load_project
from changetrail.settings import Limits, Settings
from conftest import MakeSite, mkdocs_build, record

if TYPE_CHECKING:
    from pathlib import Path

    import pytest

TODAY = dt.date(2026, 11, 28)

PATH = "changes/x.md"


def problems(text: str) -> list[tuple[str, int | None, int | None]]:
    result = split(text, PATH)
    assert isinstance(result, list), result
    return [(e.code, e.line, e.column) for e in result]


def test_a_single_space_before_hash_warns_that_the_value_was_cut() -> None:
    result = split("---\ntitle: Fix issue #42 in search\nowner: a\n---\n", PATH)
    assert isinstance(result, Frontmatter)
    assert result.data["title"] == "Fix issue"
    [warning] = result.warnings
    assert (warning.code, warning.line, warning.column) == ("yaml.comment_cut", 2, 18)
    assert warning.severity is Severity.WARNING
    assert warning.format_text() == (
        "changes/x.md:2:18: warning: the value stops at ' #': YAML read '#42 in search' as a "
        "comment; got 'Fix issue'\n"
        '  hint: if the text after # belongs to the value, quote it: "Fix issue #42 in search"'
    )


def test_a_comment_set_off_by_two_spaces_is_taken_as_meant() -> None:
    result = split("---\nbetter: lower   # or higher\nowner: a  # the lead\n---\n", PATH)
    assert isinstance(result, Frontmatter)
    assert result.warnings == ()
    assert result.data == {"better": "lower", "owner": "a"}


def test_a_quoted_value_with_hash_is_kept_whole_and_not_warned_about() -> None:
    result = split('---\ntitle: "Fix issue #42"\ntag: C#\n---\n', PATH)
    assert isinstance(result, Frontmatter)
    assert result.data == {"title": "Fix issue #42", "tag": "C#"}
    assert result.warnings == ()


def test_three_dots_close_the_frontmatter_as_in_mkdocs() -> None:
    result = split("---\ntitle: T\n...\nBody\n", PATH)
    assert isinstance(result, Frontmatter)
    assert (result.data, result.body, result.body_line) == ({"title": "T"}, "Body\n", 4)


def test_a_nul_anywhere_is_refused_on_its_line() -> None:
    assert problems("---\ntitle: T\n---\nBody\x00 here\n") == [("file.nul", 4, 5)]


def test_bidi_controls_in_metadata_are_refused_where_they_are() -> None:
    text = "---\ntitle: safe\u202eevil\nowner: a\u2066b\n---\n"
    assert problems(text) == [("yaml.bidi", 2, 12), ("yaml.bidi", 3, 9)]


def test_bidi_controls_in_the_body_are_left_to_the_author() -> None:
    assert isinstance(split("---\ntitle: T\n---\nعربي \u202b text\n", PATH), Frontmatter)


def test_an_anchor_alone_is_refused() -> None:
    assert problems("---\ntitle: &t T\nowner: a\n---\n") == [("yaml.anchor", 2, 8)]


def test_a_horizontal_rule_that_closed_unclosed_frontmatter_gets_a_hint() -> None:
    text = "---\ntitle: T\nowner: a\n\nSome text of the body.\n\n---\n\nMore body.\n"
    [err] = split(text, PATH)  # type: ignore[misc]
    assert isinstance(err, RecordError)
    assert err.hint == (
        "line 5 looks like text, not a field: is the closing '---' after the fields missing? "
        "The '---' on line 7 was read as the end"
    )


# -- configured limits --------------------------------------------------------------------------


def test_limits_title_and_checklist_default_and_configured(make_site: MakeSite) -> None:
    checklist = "checklist:\n" + "".join(f"  - todo: step {i}\n" for i in range(4))
    root = make_site(
        {
            "changes/2024-03-04-a.md": record(title="x" * 201),
            "changes/2024-03-05-b.md": record().replace("---\n", "---\n" + checklist, 1),
        }
    )
    found = load_project(root, Settings(), today=TODAY).errors
    assert [(e.file, e.code, e.message) for e in found] == [
        (
            "changes/2024-03-04-a.md",
            "limit.title_length",
            "expected at most 200 characters; got 201 characters",
        )
    ]
    tight = Settings(limits=Limits(title_length=300, checklist_items=3, file_bytes=4096))
    found = load_project(root, tight, today=TODAY).errors
    assert [(e.file, e.line, e.code, e.message) for e in found] == [
        (
            "changes/2024-03-05-b.md",
            2,
            "limit.checklist_items",
            "expected at most 3 checklist items; got 4",
        )
    ]


def test_a_file_over_the_size_limit_is_refused_before_it_is_parsed(make_site: MakeSite) -> None:
    root = make_site({"changes/2024-03-04-a.md": "---\n" + "x: [\n" * 5000})
    [err] = load_project(root, Settings(limits=Limits(file_bytes=4096)), today=TODAY).errors
    assert (err.code, err.message) == ("file.too_large", "file is 25,004 bytes; the limit is 4,096")


def test_a_big_docs_page_that_is_not_an_article_is_left_alone(make_site: MakeSite) -> None:
    root = make_site({"docs/big.md": "# Big\n\n" + "word " * 2000})
    project = load_project(
        root, Settings(limits=Limits(file_bytes=4096)), docs_dir=root / "docs", today=TODAY
    )
    assert project.errors == ()


# -- check writes nothing; links and loops --------------------------------------------------------


def _tree(root: Path) -> dict[str, tuple[int, int]]:
    return {
        p.relative_to(root).as_posix(): (p.stat().st_mtime_ns, p.stat().st_size)
        for p in sorted(root.rglob("*"))
    }


def test_check_writes_nothing(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> None:
    root = make_site(
        {
            "changes/2024-03-04-a.md": record(status="done"),
            "changes/2024-03-05-b.md": record(),
            "docs/guides/x.md": "---\nkind: article\ntitle: X\n---\nTODO: body\n",
        }
    )
    before = _tree(root)
    monkeypatch.chdir(root)
    result = CliRunner().invoke(cli, ["check", "--format", "json", "--no-cache"])
    assert result.exit_code == 1
    assert _tree(root) == before
    # With its cache, check writes inside the cache folder only.
    cached = CliRunner().invoke(cli, ["check", "--format", "json"])
    assert cached.exit_code == 1
    assert cached.output == result.output
    after = {p: v for p, v in _tree(root).items() if not p.startswith(".cache")}
    assert after == before
    assert any(p.startswith(".cache/changetrail/") for p in _tree(root))


def test_a_symlink_loop_reads_each_real_file_once(make_site: MakeSite) -> None:
    root = make_site({"changes/2024-03-05-b.md": record()})
    (root / "changes" / "loop").symlink_to(root / "changes", target_is_directory=True)
    (root / "changes" / "again.md").symlink_to(root / "changes" / "2024-03-05-b.md")
    assert [p.name for p in discover(root / "changes")] == ["2024-03-05-b.md"]


HOSTILE_URLS = [
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "jav&#x09;ascript:alert(1)",
    "javascript&colon;alert(1)",
]


def test_entity_encoded_javascript_urls_never_become_live_links(make_site: MakeSite) -> None:
    links = "links:\n" + "".join(
        f"  - {{title: L{i}, url: '{u}'}}\n" for i, u in enumerate(HOSTILE_URLS)
    )
    body = "\n".join(f'[B{i}]({u}) <a href="{u}">A{i}</a>' for i, u in enumerate(HOSTILE_URLS))
    root = make_site(
        {"changes/2024-03-04-a.md": record().replace("---\n", "---\n" + links, 1) + body + "\n"}
    )
    site = mkdocs_build(root)
    page = (site / "changes" / "2024-03-04-a" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(page, "html.parser")
    hrefs = [str(a.get("href", "")) for a in soup.find_all("a")]
    decoded = [html.unescape(unquote(h)).replace("\t", "").lower() for h in hrefs]
    assert not [
        h for h in decoded if h.replace(" ", "").startswith(("javascript", "vbscript", "data"))
    ]
    assert {"L0", "L1", "B0", "A0"} <= {a.get_text() for a in soup.find_all("a")}


# -- reproducible builds ----------------------------------------------------------------------


def test_two_builds_of_the_same_sources_are_byte_identical(
    make_site: MakeSite, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("SOURCE_DATE_EPOCH", "1795000000")  # 2026-11-18, fixed build time
    root = make_site(
        {
            "changes/2024-03-04-a.md": record(tags=["db"]),
            "changes/2024-03-05-b.md": record(title="Second", owner="bob"),
            "docs/guides/x.md": "---\nkind: article\ntitle: X\nstack: [python]\n---\n# X\n\nText.\n",
        }
    )

    def tree(site: Path) -> dict[str, bytes]:
        return {
            p.relative_to(site).as_posix(): p.read_bytes()
            for p in sorted(site.rglob("*"))
            if p.is_file() and not _unordered(p.relative_to(site).as_posix())
        }

    def _unordered(name: str) -> bool:
        # Pagefind 1.5 writes the values of a filter in hash-map order, which changes from run
        # to run: its filter chunks, and the metadata and entry files that name them by hash,
        # hold the same data in another order. Its word index and fragments are compared.
        return (
            name.startswith("pagefind/filter/")
            or name == "pagefind/pagefind-entry.json"
            or (name.startswith("pagefind/") and name.endswith(".pf_meta"))
        )

    first = tree(mkdocs_build(root))
    shutil.copytree(root / "site", tmp_path / "first")
    second = tree(mkdocs_build(root))
    assert first.keys() == second.keys()
    assert [name for name in first if first[name] != second[name]] == []
    assert b"2026-11-18" in first["changes/recent/index.html"]
