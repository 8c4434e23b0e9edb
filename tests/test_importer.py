"""importer: reading the old site's exports, mapping them to articles, and writing them safely."""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from changetrail.article import Article
from changetrail.errors import RecordError
from changetrail.frontmatter import Frontmatter, split
from changetrail.importer import (
    LABELS,
    MANIFEST_NAME,
    ImportReport,
    LegacyArticle,
    import_legacy,
    parse_legacy,
    render_article,
)
from conftest import MakeSite, mkdocs_build

FIXTURES = Path(__file__).parent / "fixtures" / "legacy"
#: The team's real export, kept beside the repository (``<repo>/../shared``), not in it.
SHARED_EXAMPLE = Path(__file__).resolve().parents[2] / "shared/examples/legacy-post-export.txt"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text(encoding="utf-8")


def parsed(text: str, path: str = "a.txt") -> LegacyArticle:
    result = parse_legacy(text, path)
    assert isinstance(result, LegacyArticle), result
    return result


def problems(text: str, path: str = "a.txt") -> list[RecordError]:
    result = parse_legacy(text, path)
    assert isinstance(result, list), result
    assert result
    assert all(isinstance(e, RecordError) for e in result)
    return result


def where(errors: list[RecordError]) -> list[tuple[str, int | None, str]]:
    return [(e.file, e.line, e.code) for e in errors]


def loaded(text: str) -> Frontmatter:
    fm = split(text, "out.md")
    assert isinstance(fm, Frontmatter), fm
    return fm


# -- parse: two shapes of valid export -----------------------------------------------------------

REDIS_DATA: dict[str, Any] = {
    "kind": "article",
    "title": "tuning redis eviction for session storage: a practical guide",
    "date": dt.date(2023, 3, 9),
    "topic": "session eviction / redis",
    "summary": "why sessions disappeared under memory pressure and how switching to "
    "volatile-lru with explicit ttls fixed it.",
    "outline": [
        "context: billing area sign-ins",
        "problem: sessions evicted under memory pressure",
        "stack: redis",
    ],
    "stack": ["redis", "backend"],
    "tools": ["redis-cli", "grafana"],
    "code_language": "bash",
    "difficulty": "advanced",
    "score": {"quality": 88, "freshness": 70, "depth": 77, "clarity": 91},
    "revision": {
        "status": "needs-review",
        "version": "2.0.1",
        "last_reviewed": dt.date(2023, 3, 9),
    },
    "reference": "fn-ref-000417-0001",
    "flags": {"has_images": True, "incident_follow_up": True, "needs_human_review": False},
    "checklist": [
        {"todo": "snapshot the current config"},
        {"todo": "apply the policy on one replica"},
        {"todo": "watch evicted_keys for an hour"},
        {"todo": "promote and note the result"},
    ],
    "entities": [{"name": "redis", "type": "stack"}, {"name": "billing area", "type": "area"}],
    "image_sources": [
        {
            "source": "internal grafana",
            "url": "https://grafana.example.com/render/redis-memory.png",
            "caption": "redis memory dashboard during the incident",
        }
    ],
    "notes": ["written the week after the incident", "numbers come from the staging replay"],
    "extra": {
        "ai_brief": "a short incident write-up that favours measured changes over config folklore.",
        "view_count": 2048,
        "payload": {"source_id": "fieldnotes-000417", "paragraphs": 6, "seed": 417},
        "legacy": {"reading_time": 6, "hash": "9f3ac2b71e04d5aa"},
    },
}

REDIS_BODY = """\
sessions that vanish at random are one of the most confusing bugs a login flow can have. this guide walks through how we found the eviction policy behind it and changed it without a maintenance window.

![redis memory dashboard during the incident](https://grafana.example.com/render/redis-memory.png)

*redis memory dashboard during the incident. image source: internal grafana*

## what we saw

users in the billing area were logged out a few minutes after signing in. the error rate stayed flat, so nothing paged anyone; the only signal was a rise in password resets.

the instance had reached its memory limit and was evicting keys with allkeys-lru. session keys were the largest and least recently touched, so they went first.

## what we changed

- moved sessions to their own logical database
- set maxmemory-policy to volatile-lru
- gave every cache key an explicit ttl

after the change, evictions only touch keys that carry a ttl, and sessions live until they expire on their own.

## rollout checklist

- [ ] snapshot the current config
- [ ] apply the policy on one replica
- [ ] watch evicted_keys for an hour
- [ ] promote and note the result
"""


def test_full_export_maps_every_label_to_a_field_or_extra() -> None:
    article = parsed(fixture("redis-eviction.txt"), "redis-eviction.txt")
    assert article.data == REDIS_DATA
    assert list(article.data) == list(REDIS_DATA)  # the model's order, kind first
    assert article.title == REDIS_DATA["title"]
    assert article.filename == "tuning-redis-eviction-for-session-storage-a-practical-guide.md"


def test_full_export_body_keeps_headings_images_lists_and_the_checklist() -> None:
    article = parsed(fixture("redis-eviction.txt"))
    assert article.body == REDIS_BODY
    assert "similar posts" not in article.body.lower()  # the trailer and what follows are dropped
    assert REDIS_DATA["title"] not in article.body  # the title lives in the frontmatter


VACUUM_DATA: dict[str, Any] = {
    "kind": "article",
    "title": "Keeping Postgres autovacuum ahead of a busy queue table",
    "topic": "autovacuum / postgres",
    "stack": ["postgres"],
    "difficulty": "beginner",
    "revision": {"status": "draft", "version": "0.3.0"},
    "flags": {"quick_read": True},
    "tags": ["database", "maintenance"],
}

VACUUM_BODY = """\
A queue table that is written and deleted thousands of times a minute grows dead tuples faster than the default autovacuum settings clean them.

![queue table bloat chart]()

*queue table bloat chart. image source: team wiki*

Signs to look for

- n_dead_tup climbing between runs
    - the table size grows while the row count stays flat
- autovacuum workers always busy

Lower autovacuum_vacuum_scale_factor for that one table, not for the whole cluster. Per-table storage parameters keep the change small and easy to revert.
"""


def test_small_export_without_review_date_images_sources_or_trailer() -> None:
    article = parsed(fixture("postgres-vacuum.txt"))
    # No last_reviewed, so no date: the importer never invents one ("today" is not deterministic).
    assert article.data == VACUUM_DATA
    assert article.body == VACUUM_BODY


# -- parse: malformed exports --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("no-title.txt", [(2, "legacy.title_missing")]),
        ("no-meta.txt", [(8, "legacy.meta_missing")]),
        ("unknown-label.txt", [(9, "legacy.label_unknown")]),
        (
            "bad-values.txt",
            [(9, "legacy.meta_value"), (12, "legacy.meta_value"), (13, "legacy.enum")],
        ),
    ],
)
def test_malformed_exports_report_file_and_line(name: str, expected: list[tuple[int, str]]) -> None:
    path = f"tests/fixtures/legacy/{name}"
    errors = problems(fixture(name), path)
    assert where(errors) == [(path, line, code) for line, code in expected]


def test_malformed_messages_read_like_a_compiler() -> None:
    errors = problems(fixture("bad-values.txt"), "b.txt")
    assert [e.format_text() for e in errors] == [
        "b.txt:9:3: score.quality: expected a whole number; got 'high'",
        "b.txt:12:3: revision.last_reviewed: expected a date YYYY-MM-DD; got 'last spring'",
        "b.txt:13:1: difficulty: expected beginner, intermediate or advanced; got 'expert'",
    ]
    (unknown,) = problems(fixture("unknown-label.txt"), "u.txt")
    assert unknown.got == "'authorjane doe'"
    assert "topic" in (unknown.expected or "")


@pytest.mark.parametrize("char", ["\x00", "\x1b", "\x85", "\u202e", "\u2066", "\ud800"])
def test_invisible_control_characters_are_refused_where_they_are(char: str) -> None:
    (error,) = problems(f"T\n\nfine line\nbad {char} line\n" + META)
    assert (error.line, error.column, error.code) == (4, 5, "legacy.control_character")
    assert f"U+{ord(char):04X}" in error.message


def test_an_empty_export_has_no_title() -> None:
    assert where(problems("\n \n")) == [("a.txt", 1, "legacy.title_missing")]


def test_a_misspelt_label_gets_a_hint() -> None:
    text = "T\n\nbody.\n\nx post meta\ndificultyadvanced\n"
    (error,) = problems(text)
    assert (error.line, error.hint) == (6, "did you mean 'difficulty'?")


def test_a_label_given_twice_and_an_item_before_any_label_are_errors() -> None:
    text = "T\n\nx post meta\n  • stray\ntopica\ntopicb\n"
    assert where(problems(text)) == [
        ("a.txt", 4, "legacy.meta_line"),
        ("a.txt", 6, "legacy.label_duplicate"),
    ]


def test_map_items_must_be_key_value_and_flags_must_be_one_or_zero() -> None:
    text = "T\n\nx post meta\nflags\n  • has images: maybe\nscore\n  • quality\n"
    errors = problems(text)
    assert [(e.line, e.field, e.message) for e in errors] == [
        (5, "flags.has_images", "expected 1 or 0"),
        (7, "score", "expected 'key: value'"),
    ]


# -- parse: the layout rules ---------------------------------------------------------------------

META = "\n\nsite post meta\n"


def test_labels_are_matched_longest_first_and_run_into_their_values() -> None:
    text = "T\n" + META + "ai briefshort\nai outline\n  • one\nreading time24\nview count7\n"
    data = parsed(text).data
    assert data["outline"] == ["one"]
    assert data["extra"] == {"ai_brief": "short", "view_count": 7, "legacy": {"reading_time": 24}}


def test_a_repeated_key_starts_a_new_object() -> None:
    text = "T\n" + META + "entities\n    • name: a\n    • type: x\n    • name: b\n    • type: y\n"
    assert parsed(text).data["entities"] == [
        {"name": "a", "type": "x"},
        {"name": "b", "type": "y"},
    ]


def test_unknown_keys_of_score_and_revision_go_to_extra() -> None:
    text = "T\n" + META + "score\n  • quality: 5\n  • reach: 9\nrevision\n  • editor: kim\n"
    data = parsed(text).data
    assert data["score"] == {"quality": 5}
    assert "revision" not in data  # an empty revision would read as a draft
    assert data["extra"] == {"score": {"reach": 9}, "revision": {"editor": "kim"}}


def test_payload_values_are_numbers_only_when_they_read_back_as_written() -> None:
    text = "T\n" + META + "payload\n  • seed: 12\n  • zip: 007\n  • ratio: 0.5\n  • n: -3\n"
    assert parsed(text).data["extra"] == {
        "payload": {"seed": 12, "zip": "007", "ratio": "0.5", "n": -3}
    }


def test_labels_without_a_value_carry_nothing() -> None:
    text = "T\n" + META + "topic\nstack\nscore\nentities\nnotes\n"
    assert parsed(text).data == {"kind": "article", "title": "T"}


@pytest.mark.parametrize("trailer", ["Similar Posts", "SIMILAR POSTS", "similar postsA B C"])
def test_similar_posts_ends_the_article_in_any_case(trailer: str) -> None:
    text = "T\n" + META + f"topicx\n{trailer}\nnot a label\n  • nor this\n"
    assert parsed(text).data == {"kind": "article", "title": "T", "topic": "x"}


def test_crlf_and_a_leading_bom_free_text_read_the_same() -> None:
    text = fixture("redis-eviction.txt")
    assert parsed(text.replace("\n", "\r\n")) == parsed(text)


def test_headings_are_short_unpunctuated_lines_standing_alone() -> None:
    text = (
        "T\n\nshort heading\n\nends with a stop.\n\nasks a question?\n\n"
        + " ".join(["word"] * 13)
        + "\n\nheading then text\nin one block\n"
        + META
    )
    assert parsed(text).body == (
        "## short heading\n\nends with a stop.\n\nasks a question?\n\n"
        + " ".join(["word"] * 13)
        + "\n\nheading then text\nin one block\n"
    )


def test_a_list_equal_to_the_checklist_is_a_task_list_anywhere() -> None:
    text = "T\n\n  • a\n  • b\n\nother\n\n  • c\n" + META + "checklist\n  • a\n  • b\n"
    assert parsed(text).body == "- [ ] a\n- [ ] b\n\n## other\n\n- c\n"


def test_image_lookup_is_by_caption_and_urls_with_spaces_are_bracketed() -> None:
    text = (
        "T\n\nDiagram (v2)\nDiagram (v2). image source: me\n"
        + META
        + "image sources\n    • source: me\n    • url: https://x.example/a b.png\n"
        + "    • caption: diagram (v2)\n"
    )
    assert parsed(text).body == (
        "![Diagram (v2)](<https://x.example/a%20b.png>)\n\n*Diagram (v2). image source: me*\n"
    )


@pytest.mark.parametrize(
    ("line", "markdown"),
    [
        (
            "<script>alert(1)</script> is plain text.",
            "&lt;script>alert(1)&lt;/script> is plain text.",
        ),
        (
            "[click](javascript:alert(1)) stays text.",
            "\\[click\\](javascript:alert(1)) stays text.",
        ),
        ("# not a heading.", "\\# not a heading."),
        ("- not a list.", "\\- not a list."),
        ("1. not a list either.", "1\\. not a list either."),
        ("!!! note not an admonition.", "\\!!! note not an admonition."),
        ("text {: onclick=x} no attributes.", "text \\{: onclick=x\\} no attributes."),
        ("*not emphasis* and `not code`.", "\\*not emphasis\\* and \\`not code\\`."),
        ("&amp; shows as typed.", "&amp;amp; shows as typed."),
        ("snake_case_names stay.", "snake_case_names stay."),
    ],
)
def test_plain_text_never_turns_into_markup(line: str, markdown: str) -> None:
    assert parsed("T\n\n" + line + "\n" + META).body == markdown + "\n"


# -- render_article ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", ["redis-eviction.txt", "postgres-vacuum.txt"])
def test_rendered_article_loads_back_and_validates(name: str) -> None:
    article = parsed(fixture(name))
    text = article.render()
    fm = loaded(text)
    assert fm.data == article.data
    assert fm.body.strip("\n") == article.body.strip("\n")
    model = Article.model_validate(fm.data)
    assert model.kind == "article"
    # Computed by the new site, never written as fields.
    assert "reading_time" not in fm.data
    assert "hash" not in fm.data


def test_render_article_is_deterministic_unfolded_and_alias_free() -> None:
    shared = ["a", "b"]
    long = "word " * 60
    data = {
        "kind": "article",
        "title": "T",
        "summary": long.strip(),
        "stack": shared,
        "tools": shared,
    }
    text = render_article(data, "Body.\n")
    assert text == render_article(data, "Body.\n")
    assert f"summary: {long.strip()}\n" in text
    assert "&" not in text
    assert "*" not in text
    assert text.startswith("---\nkind: article\ntitle: T\n")
    assert text.endswith("---\n\nBody.\n")
    assert loaded(text).data == data


def test_render_article_quotes_what_yaml_would_retype() -> None:
    data = {"kind": "article", "title": "yes", "reference": "1e3", "tags": ["null", "08"]}
    assert loaded(render_article(data, "")).data == data


# -- import_legacy -------------------------------------------------------------------------------


def inputs(tmp_path: Path, *names: str) -> list[Path]:
    src = tmp_path / "exports"
    src.mkdir(exist_ok=True)
    paths = []
    for name in names:
        path = src / name
        path.write_text(fixture(name), encoding="utf-8")
        paths.append(path)
    return paths


def snapshot(folder: Path) -> dict[str, tuple[bytes, int]]:
    return {
        p.relative_to(folder).as_posix(): (p.read_bytes(), p.stat().st_mtime_ns)
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


REDIS_MD = "tuning-redis-eviction-for-session-storage-a-practical-guide.md"
VACUUM_MD = "keeping-postgres-autovacuum-ahead-of-a-busy-queue-table.md"


def test_import_writes_one_article_per_input_and_a_manifest(tmp_path: Path) -> None:
    paths = inputs(tmp_path, "redis-eviction.txt", "postgres-vacuum.txt")
    out = tmp_path / "docs" / "imported"
    report = import_legacy(paths, out)
    src = paths[0].parent.as_posix()
    assert report.lines() == [
        f"created {out.as_posix()}/{REDIS_MD} <- {src}/redis-eviction.txt",
        f"created {out.as_posix()}/{VACUUM_MD} <- {src}/postgres-vacuum.txt",
        "2 files: 2 created, 0 unchanged, 0 skipped, 0 failed",
    ]
    assert not report.failed
    assert sorted(p.name for p in out.iterdir()) == [MANIFEST_NAME, VACUUM_MD, REDIS_MD]
    assert (out / REDIS_MD).read_text(encoding="utf-8") == parsed(
        fixture("redis-eviction.txt")
    ).render()
    manifest = json.loads((out / MANIFEST_NAME).read_text(encoding="utf-8"))
    assert manifest["version"] == 1
    assert manifest["files"][REDIS_MD]["source"] == f"{src}/redis-eviction.txt"
    assert set(manifest["files"][REDIS_MD]) == {"source", "source_sha256", "output_sha256"}


def test_import_twice_changes_no_file_not_even_its_mtime(tmp_path: Path) -> None:
    paths = inputs(tmp_path, "redis-eviction.txt", "postgres-vacuum.txt")
    out = tmp_path / "out"
    import_legacy(paths, out)
    before = snapshot(out)
    report = import_legacy(paths, out)
    assert [e.action for e in report.entries] == ["unchanged", "unchanged"]
    assert report.lines()[-1] == "2 files: 0 created, 2 unchanged, 0 skipped, 0 failed"
    assert snapshot(out) == before


def test_a_hand_edit_is_kept_without_force_and_replaced_with_force(tmp_path: Path) -> None:
    paths = inputs(tmp_path, "redis-eviction.txt")
    out = tmp_path / "out"
    import_legacy(paths, out)
    edited = (out / REDIS_MD).read_text(encoding="utf-8") + "\nA note added by hand.\n"
    (out / REDIS_MD).write_text(edited, encoding="utf-8")
    report = import_legacy(paths, out)
    assert report.lines()[0] == (
        f"skipped {out.as_posix()}/{REDIS_MD} <- {paths[0].as_posix()} "
        "(edited since import; use --force)"
    )
    assert (out / REDIS_MD).read_text(encoding="utf-8") == edited
    # Still skipped the next time: the manifest keeps what was written, not what is there now.
    assert import_legacy(paths, out).entries[0].action == "skipped"
    forced = import_legacy(paths, out, force=True)
    assert forced.entries[0].action == "updated"
    assert forced.lines()[-1] == "1 file: 0 created, 1 updated, 0 unchanged, 0 skipped, 0 failed"
    assert "by hand" not in (out / REDIS_MD).read_text(encoding="utf-8")
    assert import_legacy(paths, out).entries[0].action == "unchanged"


def test_a_file_the_importer_did_not_write_is_not_overwritten(tmp_path: Path) -> None:
    paths = inputs(tmp_path, "redis-eviction.txt")
    out = tmp_path / "out"
    out.mkdir()
    (out / REDIS_MD).write_text("# Mine\n", encoding="utf-8")
    entry = import_legacy(paths, out).entries[0]
    assert (entry.action, entry.reason) == (
        "skipped",
        "exists and was not written by the importer; use --force",
    )
    assert (out / REDIS_MD).read_text(encoding="utf-8") == "# Mine\n"
    assert import_legacy(paths, out, force=True).entries[0].action == "updated"


def test_a_changed_source_updates_an_unedited_import(tmp_path: Path) -> None:
    (path,) = inputs(tmp_path, "redis-eviction.txt")
    out = tmp_path / "out"
    import_legacy([path], out)
    path.write_text(fixture("redis-eviction.txt").replace("view count2048", "view count2049"))
    assert import_legacy([path], out).entries[0].action == "updated"
    assert "view_count: 2049" in (out / REDIS_MD).read_text(encoding="utf-8")


def test_a_malformed_input_fails_with_file_and_line_and_the_others_are_imported(
    tmp_path: Path,
) -> None:
    paths = inputs(tmp_path, "redis-eviction.txt", "unknown-label.txt", "postgres-vacuum.txt")
    out = tmp_path / "out"
    report = import_legacy(paths, out)
    assert [e.action for e in report.entries] == ["created", "failed", "created"]
    assert report.failed
    bad = paths[1].as_posix()
    assert report.lines()[1] == (
        f"failed {bad}:9: unknown label in the post-meta block; expected one of "
        + ", ".join(sorted(LABELS))
        + "; got 'authorjane doe'"
    )
    assert report.lines()[-1] == "3 files: 2 created, 0 unchanged, 0 skipped, 1 failed"
    assert report.entries[1].errors[0].line == 9
    assert (out / REDIS_MD).is_file()
    assert (out / VACUUM_MD).is_file()


def test_several_problems_in_one_input_are_one_line_with_a_count(tmp_path: Path) -> None:
    report = import_legacy(inputs(tmp_path, "bad-values.txt"), tmp_path / "out")
    assert report.lines()[0].endswith(
        ": score.quality: expected a whole number; got 'high' (+2 more)"
    )
    assert len(report.entries[0].errors) == 3


def test_an_unreadable_or_undecodable_input_fails(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("caf\xe9\n".encode("latin-1"))
    report = import_legacy([bad, tmp_path / "missing.txt"], tmp_path / "out")
    assert [(e.action, e.errors[0].code) for e in report.entries] == [
        ("failed", "encoding"),
        ("failed", "file.unreadable"),
    ]
    assert not (tmp_path / "out").exists()


def test_dry_run_writes_nothing_and_says_what_would_happen(tmp_path: Path) -> None:
    paths = inputs(tmp_path, "redis-eviction.txt", "no-meta.txt")
    out = tmp_path / "out"
    report = import_legacy(paths, out, dry_run=True)
    assert not out.exists()
    assert report.lines() == [
        f"would create {out.as_posix()}/{REDIS_MD} <- {paths[0].as_posix()}",
        (
            f"failed {paths[1].as_posix()}:8: the export has no post-meta block; expected a line "
            "ending in 'post meta' followed by labels such as 'topic…'"
        ),
        "2 files: 1 created, 0 unchanged, 0 skipped, 1 failed (dry run: nothing written)",
    ]
    # Over an existing import too: --force with --dry-run still writes nothing.
    import_legacy(paths, out)
    (out / REDIS_MD).write_text("edited\n", encoding="utf-8")
    before = snapshot(out)
    dry = import_legacy(paths, out, dry_run=True, force=True)
    assert dry.entries[0].action == "updated"
    assert dry.lines()[0].startswith("would update ")
    assert snapshot(out) == before


def test_two_inputs_with_one_title_do_not_overwrite_each_other(tmp_path: Path) -> None:
    (first,) = inputs(tmp_path, "postgres-vacuum.txt")
    second = tmp_path / "copy.txt"
    second.write_text(fixture("postgres-vacuum.txt").replace("beginner", "advanced"))
    report = import_legacy([first, second], tmp_path / "out")
    assert [e.action for e in report.entries] == ["created", "skipped"]
    assert (
        report.entries[1].reason == f"{first.as_posix()} has the same title and is imported first"
    )
    # Across runs too: an import of another source does not replace the first one's file.
    entry = import_legacy([second], tmp_path / "out").entries[0]
    assert (entry.action, entry.reason) == (
        "skipped",
        f"imported from {first.as_posix()}; use --force",
    )


def test_a_corrupt_manifest_protects_every_existing_file(tmp_path: Path) -> None:
    paths = inputs(tmp_path, "redis-eviction.txt")
    out = tmp_path / "out"
    import_legacy(paths, out)
    (out / REDIS_MD).write_text("edited\n", encoding="utf-8")
    (out / MANIFEST_NAME).write_text("{not json", encoding="utf-8")
    assert import_legacy(paths, out).entries[0].action == "skipped"


def test_the_report_of_nothing() -> None:
    assert ImportReport().lines() == ["0 files: 0 created, 0 unchanged, 0 skipped, 0 failed"]


# -- an imported article in a real build ---------------------------------------------------------


@pytest.mark.build
def test_imported_articles_build(
    tmp_path: Path, make_site: MakeSite, caplog: pytest.LogCaptureFixture
) -> None:
    site = make_site()
    names = ["redis-eviction.txt", "postgres-vacuum.txt"]
    paths = inputs(tmp_path, *names)
    if SHARED_EXAMPLE.is_file():
        paths.append(SHARED_EXAMPLE)
    report = import_legacy(paths, site / "docs" / "imported")
    assert not report.failed, report.lines()
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        built = mkdocs_build(site)
    page = (built / "imported" / REDIS_MD.removesuffix(".md") / "index.html").read_text()
    assert "redis memory dashboard during the incident" in page
    assert not (built / "imported" / MANIFEST_NAME).exists()  # a dotfile is never published
    link_warnings = [r.getMessage() for r in caplog.records if "link" in r.getMessage()]
    assert link_warnings == []


# -- the team's real export (only where ../shared exists) ----------------------------------------

#: Where each label of the old box lands (test-owned, so a mapping change shows up here).
LANDS_IN = {
    "topic": "topic",
    "summary": "summary",
    "ai outline": "outline",
    "ai brief": "extra.ai_brief",
    "stack": "stack",
    "tools": "tools",
    "code language": "code_language",
    "difficulty": "difficulty",
    "reading time": "extra.legacy.reading_time",
    "view count": "extra.view_count",
    "score": "score",
    "revision": "revision",
    "reference": "reference",
    "hash": "extra.legacy.hash",
    "flags": "flags",
    "checklist": "checklist",
    "entities": "entities",
    "image sources": "image_sources",
    "payload": "extra.payload",
    "notes": "notes",
    "tags": "tags",
    "owner": "owner",
}


def lookup(data: dict[str, Any], dotted: str) -> Any:
    value: Any = data
    for part in dotted.split("."):
        value = value[part]
    return value


def leaves(value: Any) -> list[str]:
    """Every scalar in the frontmatter as the export would show it (1/0 for flags)."""
    if isinstance(value, dict):
        return [s for v in value.values() for s in leaves(v)]
    if isinstance(value, list):
        return [s for v in value for s in leaves(v)]
    if isinstance(value, bool):
        return ["1" if value else "0"]
    if isinstance(value, dt.date):
        return [value.isoformat()]
    return [str(value)]


def box_labels(text: str) -> list[tuple[str, list[tuple[str, ...]]]]:
    """The labels of the export's post-meta box and the values written after each.

    A ``• key: value`` item gives both readings: the whole item (a list entry) and the value.
    """
    lines = text.split("\n")
    start = max(i for i, line in enumerate(lines) if line.strip().endswith("post meta"))
    found: list[tuple[str, list[tuple[str, ...]]]] = []
    for line in lines[start + 1 :]:
        if line.strip().lower().startswith("similar posts"):
            break
        if not line.strip():
            continue
        if line.lstrip().startswith("•"):
            item = line.strip()[1:].strip()
            found[-1][1].append((item, item.partition(": ")[2]))
            continue
        label = next(lb for lb in sorted(LABELS, key=len, reverse=True) if line.startswith(lb))
        inline = line[len(label) :].strip()
        found.append((label, [(inline,)] if inline else []))
    return found


@pytest.mark.skipif(not SHARED_EXAMPLE.is_file(), reason="shared/examples is not beside the repo")
def test_the_shared_example_imports_with_every_label_of_its_box() -> None:
    text = SHARED_EXAMPLE.read_text(encoding="utf-8")
    article = parsed(text, "legacy-post-export.txt")
    Article.model_validate(article.data)
    labels = box_labels(text)
    assert len(labels) >= 15
    values = leaves(article.data)
    for label, written in labels:
        assert lookup(article.data, LANDS_IN[label]) not in (None, "", [], {}), label
        for readings in written:
            assert any(r in values for r in readings), (label, readings)
    assert article.data["date"] == article.data["revision"]["last_reviewed"]
    assert "similar posts" not in article.body.lower()
    assert re.search(r"^## ", article.body, re.MULTILINE)
    assert re.search(r"^!\[[^\]]+\]\(https://", article.body, re.MULTILINE)
    assert re.search(r"^- \[ \] ", article.body, re.MULTILINE)


@pytest.mark.skipif(not SHARED_EXAMPLE.is_file(), reason="shared/examples is not beside the repo")
def test_the_shared_example_reimports_unchanged(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert import_legacy([SHARED_EXAMPLE], out).entries[0].action == "created"
    before = snapshot(out)
    assert import_legacy([SHARED_EXAMPLE], out).entries[0].action == "unchanged"
    assert snapshot(out) == before


# -- properties ----------------------------------------------------------------------------------

_LINES = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", "  ", "x post meta", "Similar Posts", "  • a", "    • name: n"]),
    st.builds(lambda label, rest: label + rest, st.sampled_from(LABELS), st.text(max_size=12)),
    st.builds(lambda k, v: f"  • {k}: {v}", st.text(max_size=8), st.text(max_size=8)),
    st.builds(
        lambda a, s: f"{a}\n{a}. image source: {s}", st.text(max_size=20), st.text(max_size=8)
    ),
)


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_LINES, max_size=30))
def test_parse_never_raises_on_export_like_text(lines: list[str]) -> None:
    check_parse("\n".join(lines))


@settings(max_examples=300)
@given(st.text(alphabet=st.characters(exclude_categories=())))  # surrogates and controls too
def test_parse_never_raises_on_any_text(text: str) -> None:
    check_parse(text)


def check_parse(text: str) -> None:
    result = parse_legacy(text, "p.txt")
    if isinstance(result, list):
        assert result
        assert all(isinstance(e, RecordError) for e in result)
        n_lines = text.replace("\r\n", "\n").replace("\r", "\n").count("\n") + 1
        assert all(e.line is not None and 1 <= e.line <= n_lines for e in result)
        return
    assert isinstance(result, LegacyArticle)
    fm = loaded(result.render())
    assert fm.data == result.data
    Article.model_validate(fm.data)
