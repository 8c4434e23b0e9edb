"""Knowledge articles (issue 3): the model's rules, loading from docs/, review freshness, the
rendered summary, box and pages (goldens), hostile values through a real build (done-when 3),
task-list progress, the needs-review page, and the CLI (`check`, `new --kind article`,
`schema article`).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from bs4 import BeautifulSoup, Tag
from click.testing import CliRunner, Result
from hypothesis import given
from hypothesis import strategies as st
from pydantic import ValidationError

from changetrail.article import _WORD as WORD
from changetrail.article import (
    WORDS_PER_MINUTE,
    Article,
    Difficulty,
    RevisionStatus,
    content_hash,
    is_stale,
    reading_time,
    word_count,
)
from changetrail.catalog import Catalog, build_catalog
from changetrail.cli import cli
from changetrail.errors import RecordError, Severity
from changetrail.loader import ArticlePage, Record, load_article_text, load_articles, load_text
from changetrail.pipeline import load_project
from changetrail.render import Renderer
from changetrail.render.article import ArticleRenderer, insert_after_title
from changetrail.settings import Settings
from changetrail.similar import catalog_docs, compute_similar
from conftest import OMIT, Raw, mkdocs_build, record, write_files

if TYPE_CHECKING:
    from conftest import MakeSite

GOLDEN_DIR = Path(__file__).parent / "golden" / "render"

#: The fixed "today" of the freshness tests (the brief's date).
TODAY = dt.date(2026, 11, 28)

# -- the article builder ------------------------------------------------------------------------

#: Every field of the model, in the order ``article()`` writes them (one per line from line 2).
FULL_FIELDS: dict[str, Any] = {
    "kind": "article",
    "title": "Handling background jobs with next.js",
    "date": dt.date(2026, 3, 2),
    "owner": "alice",
    "topic": "background jobs",
    "summary": "Queues, cron events and import scripts that are idempotent, logged and safe to "
    "run again.",
    "outline": ["production checks", "why this matters", "security and maintenance notes"],
    "stack": ["next.js", "postgres"],
    "tools": ["bullmq", "redis"],
    "code_language": "typescript",
    "difficulty": "intermediate",
    "score": {"quality": 92, "freshness": 0, "depth": 100, "clarity": 88},
    "revision": {"status": "reviewed", "version": "1.9.4", "last_reviewed": "2025-06-01"},
    "reference": "anp-ref-039725",
    "flags": {"has_images": True, "has_code_samples": False},
    "checklist": [{"done": "capture the current behavior"}, {"todo": "write the final note"}],
    "entities": [{"name": "next.js", "type": "stack"}, {"name": "job queue", "type": "area"}],
    "image_sources": [
        {
            "source": "unsplash",
            "url": "https://images.unsplash.com/photo-1",
            "caption": "A queue of jobs",
        },
        {"source": "our team", "url": "img/queue.png"},
    ],
    "notes": ["Imported from the old site.", "Check the retry numbers every quarter."],
    "tags": ["jobs", "reliability"],
    "extra": {
        "legacy_id": 39725,
        "audience": {"team": "platform", "levels": ["junior", "senior"]},
        "published": True,
    },
}

BODY = """\
# Handling background jobs with next.js

A reliable next.js setup is less about clever code and more about repeatable habits.

## Production checks

Queues, cron events and import scripts should be idempotent, logged and safe to run again.

- [x] retries are idempotent
- [ ] the dead-letter queue is watched
"""


def _yaml_value(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return json.dumps(value, ensure_ascii=False, default=str)


def article(body: str = BODY, /, **fields: Any) -> str:
    """The text of a valid article with every field, ``fields`` overriding the defaults.

    As ``record()``: one field per line (``name: <JSON>``), defaults first, then new fields in
    the order given; ``OMIT`` leaves a field out and a ``Raw`` value is written as it is.
    """
    merged = dict(FULL_FIELDS)
    merged.update(fields)
    lines = ["---"]
    lines += [f"{name}: {_yaml_value(v)}" for name, v in merged.items() if v is not OMIT]
    lines += ["---", ""]
    return "\n".join(lines) + body


def minimal(body: str = "Some text.\n", /, **fields: Any) -> str:
    """An article with only ``kind`` and ``title`` (and ``fields``)."""
    omitted = {name: OMIT for name in FULL_FIELDS if name not in ("kind", "title")}
    return article(body, **{**omitted, **fields})


def line_of(name: str, **fields: Any) -> int:
    """The line on which ``article(**fields)`` writes ``name``."""
    merged = dict(FULL_FIELDS)
    merged.update(fields)
    return [n for n, v in merged.items() if v is not OMIT].index(name) + 2


def load(text: str, uri: str = "guides/jobs.md") -> ArticlePage | list[RecordError]:
    return load_article_text(text, f"docs/{uri}", uri)


def page_of(text: str, uri: str = "guides/jobs.md") -> ArticlePage:
    result = load(text, uri)
    assert isinstance(result, ArticlePage), [e.format_text() for e in result]
    return result


def problems(text: str) -> list[str]:
    """Every problem with an article, as ``changetrail check`` prints it, sorted."""
    result = load(text)
    assert isinstance(result, list), f"expected problems, got {result!r}"
    return [e.format_text() for e in sorted(result, key=RecordError.sort_key)]


# -- the model: every field's rules -------------------------------------------------------------


def test_the_full_article_is_valid_and_every_field_is_read() -> None:
    page = page_of(article())
    meta = page.meta
    assert meta.kind == "article"
    assert meta.title == "Handling background jobs with next.js"
    assert (meta.date, meta.owner, meta.topic) == (dt.date(2026, 3, 2), "alice", "background jobs")
    assert meta.outline == [
        "production checks",
        "why this matters",
        "security and maintenance notes",
    ]
    assert (meta.stack, meta.tools, meta.code_language) == (
        ["next.js", "postgres"],
        ["bullmq", "redis"],
        "typescript",
    )
    assert meta.difficulty is Difficulty.INTERMEDIATE
    assert meta.score is not None
    assert meta.score.model_dump() == {"quality": 92, "freshness": 0, "depth": 100, "clarity": 88}
    assert meta.revision is not None
    assert meta.revision.status is RevisionStatus.REVIEWED
    assert (meta.revision.version, meta.revision.last_reviewed) == ("1.9.4", dt.date(2025, 6, 1))
    assert meta.reference == "anp-ref-039725"
    assert meta.flags == {"has_images": True, "has_code_samples": False}
    assert meta.checklist is not None
    assert [(i.text, i.done) for i in meta.checklist] == [
        ("capture the current behavior", True),
        ("write the final note", False),
    ]
    assert [(e.name, e.type) for e in meta.entities] == [
        ("next.js", "stack"),
        ("job queue", "area"),
    ]
    assert [(i.source, i.url, i.caption) for i in meta.image_sources] == [
        ("unsplash", "https://images.unsplash.com/photo-1", "A queue of jobs"),
        ("our team", "img/queue.png", None),
    ]
    assert meta.notes == ["Imported from the old site.", "Check the retry numbers every quarter."]
    assert meta.tags == ["jobs", "reliability"]
    assert meta.extra == FULL_FIELDS["extra"]
    assert page.uri == "guides/jobs.md"
    assert page.path == "docs/guides/jobs.md"
    assert page.body == BODY
    assert page.reading_time == reading_time(BODY) == 1
    assert page.hash == content_hash(BODY)


def test_only_the_title_is_required() -> None:
    meta = page_of(minimal()).meta
    assert meta.title == "Handling background jobs with next.js"
    assert (meta.date, meta.owner, meta.difficulty, meta.score, meta.revision) == (None,) * 5
    assert (meta.outline, meta.stack, meta.flags, meta.extra, meta.checklist) == (
        [],
        [],
        {},
        {},
        None,
    )
    text = minimal(title=OMIT)
    assert problems(text) == [
        (
            "docs/guides/jobs.md:1:1: title: required field is missing\n"
            '  hint: add it, e.g. title: "Add index on orders.created_at"'
        )
    ]


def test_the_model_is_frozen() -> None:
    meta = page_of(article()).meta
    with pytest.raises(ValidationError):
        meta.title = "other"  # type: ignore[misc]


@pytest.mark.parametrize("value", ["beginner", "intermediate", "advanced"])
def test_difficulty_accepts_the_three_levels(value: str) -> None:
    meta = page_of(article(difficulty=value)).meta
    assert meta.difficulty is not None
    assert meta.difficulty.value == value


@pytest.mark.parametrize("value", ["expert", "Advanced", "easy", ""])
def test_difficulty_outside_the_enum_names_the_difficulty_levels(value: str) -> None:
    """The message must list what difficulty accepts, not the change-record statuses."""
    line = line_of("difficulty")
    [message] = problems(article(difficulty=value))
    assert message.split("\n")[0] == (
        f"docs/guides/jobs.md:{line}:13: difficulty: expected one of beginner, intermediate, "
        f"advanced; got '{value}'"
    )


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("Reviewed", "write it in lower case: 'reviewed'"),
        ("needs_review", None),
        ("approved", None),
    ],
)
def test_revision_status_outside_the_enum_names_the_revision_statuses(
    value: str, expected: str | None
) -> None:
    line = line_of("revision")
    [message] = problems(article(revision={"status": value}))
    head, *hint = message.split("\n")
    assert head == (
        f"docs/guides/jobs.md:{line}:22: revision.status: expected one of draft, reviewed, "
        f"needs-review; got '{value}'"
    )
    if expected is not None:
        assert hint == [f"  hint: {expected}"]


@pytest.mark.parametrize("value", [0, 1, 50, 99, 100])
def test_score_accepts_whole_numbers_from_0_to_100(value: int) -> None:
    score = page_of(article(score={"quality": value})).meta.score
    assert score is not None
    assert score.quality == value
    assert (score.freshness, score.depth, score.clarity) == (None, None, None)


@pytest.mark.parametrize(
    ("value", "message"),
    [
        (-1, "expected a whole number from 0 to 100; got -1"),
        (101, "expected a whole number from 0 to 100; got 101"),
        (50.5, "expected a whole number; got 50.5"),
        (50.0, "expected a whole number; got 50.0"),
        ("50", "expected a whole number; got '50'"),
        (True, "expected a whole number; got true"),
    ],
)
def test_score_refuses_anything_but_whole_numbers_from_0_to_100(value: Any, message: str) -> None:
    line = line_of("score")
    for name in ("quality", "clarity"):
        got = problems(article(score={name: value}))
        assert got == [f"docs/guides/jobs.md:{line}:20: score.{name}: {message}"], name


def test_score_knows_only_its_four_names() -> None:
    line = line_of("score")
    assert problems(article(score={"qualty": 5})) == [
        (
            f"docs/guides/jobs.md:{line}:9: score.qualty: unknown field 'qualty'\n"
            "  hint: did you mean 'quality'?"
        )
    ]


@pytest.mark.parametrize(
    "version", ["0.1.0", "1.9.4", "10.20.30", "1.0.0-rc.1", "1.0.0-alpha-2", "2.0.0+build.5"]
)
def test_revision_version_accepts_semver(version: str) -> None:
    revision = page_of(article(revision={"version": version})).meta.revision
    assert revision is not None
    assert revision.version == version


@pytest.mark.parametrize(
    "version",
    [
        "1.2",
        "v1.2.3",
        "01.2.3",
        "1.2.3.4",
        "1.2.3-",
        "",
        "1.0.0-<script>alert(1)</script>",
        "1.0.0+{{ 7*7 }}",
        "1.0.0\n",
    ],
)
def test_revision_version_refuses_anything_else(version: str) -> None:
    line = line_of("revision")
    got = load(article(revision={"version": version}))
    assert isinstance(got, list)
    assert [(e.code, e.field, e.line) for e in got] == [("semver", "revision.version", line)]
    assert got[0].message.startswith("expected a version like 1.9.4 (semver); got ")


def test_an_unquoted_version_read_as_a_number_gets_a_quoting_hint() -> None:
    text = article(revision=Raw("\n  version: 1.10"))
    line = line_of("revision") + 1
    assert problems(text) == [
        (
            f"docs/guides/jobs.md:{line}:12: revision.version: expected text; got 1.1\n"
            '  hint: YAML read `1.10` as 1.1; quote it: version: "1.10"'
        )
    ]


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("2024-02-30", "expected a date that exists; got '2024-02-30'"),
        (
            "2024/01/01",
            (
                "expected a date written YYYY-MM-DD; got '2024/01/01'\n"
                "  hint: write the date as YYYY-MM-DD, e.g. 2026-11-28"
            ),
        ),
        (
            Raw("2024-01-01 10:00:00"),
            (
                "expected a date without a time, written YYYY-MM-DD; got 2024-01-01 10:00:00\n"
                "  hint: drop the time: 2024-01-01"
            ),
        ),
        (
            "last year",
            (
                "expected a date written YYYY-MM-DD; got 'last year'\n"
                "  hint: write the date as YYYY-MM-DD, e.g. 2026-11-28"
            ),
        ),
    ],
)
def test_revision_last_reviewed_is_a_date(value: Any, message: str) -> None:
    if isinstance(value, Raw):
        text = article(revision=Raw(f"\n  last_reviewed: {value}"))
        where = f"{line_of('revision') + 1}:18"
    else:
        text = article(revision={"last_reviewed": value})
        where = f"{line_of('revision')}:29"
    assert problems(text) == [f"docs/guides/jobs.md:{where}: revision.last_reviewed: {message}"]


def test_revision_defaults_to_draft_and_knows_only_its_fields() -> None:
    revision = page_of(article(revision={})).meta.revision
    assert revision is not None
    assert (revision.status, revision.version, revision.last_reviewed) == (
        RevisionStatus.DRAFT,
        None,
        None,
    )
    line = line_of("revision")
    assert problems(article(revision={"staus": "draft"})) == [
        (
            f"docs/guides/jobs.md:{line}:12: revision.staus: unknown field 'staus'\n"
            "  hint: did you mean 'status'?"
        )
    ]


@pytest.mark.parametrize("name", ["has_images", "a", "x2", "needs_ssl_v3"])
def test_flags_accept_snake_case_names(name: str) -> None:
    assert page_of(article(flags={name: True})).meta.flags == {name: True}


@pytest.mark.parametrize(
    "name",
    [
        "HasImages",
        "has-images",
        "has images",
        "_private",
        "2fast",
        "",
        "<script>alert(1)</script>",
        '"><img src=x onerror=alert(1)>',
        "{{ 7*7 }}",
    ],
)
def test_flags_refuse_other_names(name: str) -> None:
    line = line_of("flags")
    got = load(article(flags={"ok": True, name: False}))
    assert isinstance(got, list)
    assert [(e.code, e.field, e.line, e.column) for e in got] == [("flag_name", "flags", line, 8)]
    assert got[0].message.startswith("expected snake_case flag names; got ")


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("maybe", "expected true or false; got 'maybe'"),
        (2, "expected true or false; got 2"),
        (None, "expected true or false; got nothing (null)"),
        ([True], "expected true or false; got [true]"),
    ],
)
def test_flag_values_are_booleans(value: Any, message: str) -> None:
    line = line_of("flags")
    assert problems(article(flags={"has_images": value})) == [
        f"docs/guides/jobs.md:{line}:23: flags.has_images: {message}"
    ]


def test_entities_need_a_name_and_a_type() -> None:
    line = line_of("entities")
    assert problems(article(entities=[{"name": "next.js"}])) == [
        f"docs/guides/jobs.md:{line}:12: entities[0].type: required field is missing"
    ]
    assert problems(article(entities=[{"name": "", "type": "stack"}])) == [
        (
            f"docs/guides/jobs.md:{line}:21: entities[0].name: expected a non-empty value; got ''\n"
            "  hint: fill in the value"
        )
    ]
    assert problems(article(entities=[{"name": "a", "type": "b", "kind": "c"}])) == [
        (
            f"docs/guides/jobs.md:{line}:39: entities[0].kind: unknown field 'kind'\n"
            "  hint: known fields here: name, type"
        )
    ]
    assert problems(article(entities=["next.js"])) == [
        (
            f"docs/guides/jobs.md:{line}:12: entities[0]: expected a mapping ('name: value' lines); "
            "got 'next.js'"
        )
    ]


@pytest.mark.parametrize(
    "url",
    [
        "https://images.unsplash.com/photo-1",
        "http://example.com/a.png",
        "HTTPS://EXAMPLE.COM/A.PNG",
        "img/queue.png",
        "../img/queue.png",
        "/assets/queue.png",
        "#figure-1",
        "queue.png?v=2",
    ],
)
def test_image_urls_may_be_http_https_or_relative(url: str) -> None:
    sources = page_of(article(image_sources=[{"source": "s", "url": url}])).meta.image_sources
    assert [s.url for s in sources] == [url]


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        " javascript:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        "\x01javascript:alert(1)",
        "vbscript:msgbox(1)",
        "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==",
        "data:image/svg+xml,<svg onload=alert(1)>",
        "file:///etc/passwd",
        "ftp://example.com/a.png",
        "//evil.example/a.png",
        "",
    ],
)
def test_image_urls_with_any_other_scheme_are_refused(url: str) -> None:
    """Done-when 3: `javascript:` as an image URL is refused by validation, before rendering."""
    line = line_of("image_sources")
    got = load(article(image_sources=[{"source": "s", "url": url, "caption": "c"}]))
    assert isinstance(got, list)
    assert [(e.code, e.field, e.line) for e in got] == [
        ("url_empty" if not url else "url_scheme", "image_sources[0].url", line)
    ]


def test_image_sources_need_a_source_and_a_url() -> None:
    line = line_of("image_sources")
    assert problems(article(image_sources=[{"url": "a.png"}])) == [
        f"docs/guides/jobs.md:{line}:17: image_sources[0].source: required field is missing"
    ]
    assert problems(article(image_sources=[{"source": "s", "url": "a.png", "captoin": "c"}])) == [
        (
            f"docs/guides/jobs.md:{line}:49: image_sources[0].captoin: unknown field 'captoin'\n"
            "  hint: did you mean 'caption'?"
        )
    ]


@pytest.mark.parametrize("name", ["outline", "stack", "tools", "tags", "notes"])
def test_list_fields_are_lists_of_text(name: str) -> None:
    line = line_of(name)
    column = len(name) + 3
    assert problems(article(**{name: "next.js"})) == [
        (
            f"docs/guides/jobs.md:{line}:{column}: {name}: expected a list (one '- item' per line); "
            f"got 'next.js'\n  hint: write it as a list:\n    {name}:\n      - next.js"
        )
    ]
    got = load(article(**{name: ["ok", {"a": "b"}]}))
    assert isinstance(got, list)
    assert [(e.code, e.field) for e in got] == [("string_type", f"{name}[1]")]


@pytest.mark.parametrize("name", ["outline", "stack", "tools", "tags"])
def test_list_items_are_one_line(name: str) -> None:
    got = load(article(**{name: ["two\nlines"]}))
    assert isinstance(got, list)
    assert [(e.code, e.field, e.message) for e in got] == [
        ("one_line", f"{name}[0]", "expected a single line of text; got 'two\\nlines'")
    ]


def test_notes_and_summary_may_span_lines() -> None:
    meta = page_of(article(summary="one\ntwo", notes=["a\nb"])).meta
    assert (meta.summary, meta.notes) == ("one\ntwo", ["a\nb"])


@pytest.mark.parametrize("name", ["title", "owner", "topic", "code_language", "reference"])
def test_one_line_fields(name: str) -> None:
    got = load(article(**{name: "two\nlines"}))
    assert isinstance(got, list)
    assert [(e.code, e.field, e.line) for e in got] == [("one_line", name, line_of(name))]


def test_checklist_has_the_record_forms() -> None:
    meta = page_of(article(checklist=[{"done": "a"}, {"todo": "b"}, "c", {"text": "d"}])).meta
    assert meta.checklist is not None
    assert [(i.text, i.done) for i in meta.checklist] == [
        ("a", True),
        ("b", False),
        ("c", False),
        ("d", False),
    ]
    got = load(article(checklist=[{"finished": "a"}]))
    assert isinstance(got, list)
    assert [e.field for e in got] == ["checklist[0]"]


def test_extra_holds_anything_but_is_a_mapping() -> None:
    extra = {"a": [1, 2.5, None, True], "b": {"c": {"d": "e"}}, "weird key!": "x"}
    assert page_of(article(extra=extra)).meta.extra == extra
    assert problems(article(extra=["x"])) == [
        (
            f"docs/guides/jobs.md:{line_of('extra')}:8: extra: expected a mapping ('name: value' "
            """lines); got ["x"]"""
        )
    ]


def test_unknown_fields_are_errors_with_position_and_a_close_match() -> None:
    text = article(sumary="x", revison={"status": "draft"}, imagesources=[])
    assert problems(text) == [
        (
            f"docs/guides/jobs.md:{line_of('sumary', sumary=1)}:1: sumary: unknown field 'sumary'\n"
            "  hint: did you mean 'summary'?"
        ),
        (
            f"docs/guides/jobs.md:{line_of('revison', sumary=1, revison=1)}:1: revison: unknown "
            "field 'revison'\n  hint: did you mean 'revision'?"
        ),
        (
            f"docs/guides/jobs.md:{line_of('imagesources', sumary=1, revison=1, imagesources=1)}:1: "
            "imagesources: unknown field 'imagesources'\n  hint: did you mean 'image_sources'?"
        ),
    ]


def test_record_fields_are_not_article_fields() -> None:
    got = load(article(status="shipped", reason="x"))
    assert isinstance(got, list)
    assert sorted((e.code, e.field) for e in got) == [
        ("unknown_field", "reason"),
        ("unknown_field", "status"),
    ]


@pytest.mark.parametrize("kind", ["post", "Article", "change", "", None])
def test_kind_must_be_article(kind: str | None) -> None:
    got = load(article(kind=kind))
    assert isinstance(got, list)
    assert [(e.code, e.field, e.line, e.column) for e in got] == [("literal_error", "kind", 2, 7)]
    assert got[0].message == (
        "expected one of article; got " + ("nothing (null)" if kind is None else f"'{kind}'")
    )


def test_mkdocs_page_options_pass_through() -> None:
    meta = page_of(
        article(
            description="d",
            hide=["toc"],
            template="main.html",
            icon="material/book",
            search={"exclude": True},
        )
    ).meta
    assert (meta.description, meta.hide, meta.template, meta.icon, meta.search) == (
        "d",
        ["toc"],
        "main.html",
        "material/book",
        {"exclude": True},
    )


# -- computed fields: reading time and hash -----------------------------------------------------


def words(n: int) -> str:
    return " ".join(f"word{i}" for i in range(n))


@pytest.mark.parametrize(
    ("n", "minutes"), [(0, 1), (1, 1), (199, 1), (200, 1), (201, 2), (400, 2), (1000, 5), (1001, 6)]
)
def test_reading_time_is_words_over_200_rounded_up_at_least_1(n: int, minutes: int) -> None:
    assert WORDS_PER_MINUTE == 200
    assert word_count(words(n)) == n
    assert reading_time(words(n)) == minutes
    assert page_of(minimal(words(n))).reading_time == minutes


@given(
    st.text(alphabet=st.sampled_from("ab9_'-. \t\n\r#*[](){}é\u00a0\u2028日\x00\x7f"), max_size=60)
)
def test_word_count_is_the_regex_count(text: str) -> None:
    # ASCII text is counted by bytes, other text by the regex: the same count either way.
    assert word_count(text) == len(WORD.findall(text))
    assert word_count(text.encode("ascii", "ignore").decode()) == len(
        WORD.findall(text.encode("ascii", "ignore").decode())
    )


def test_reading_time_counts_the_body_only() -> None:
    long_summary = words(5000)
    assert page_of(article("Short.\n", summary=long_summary)).reading_time == 1


def test_content_hash_is_16_hex_digits_and_deterministic() -> None:
    first = content_hash(BODY)
    assert re.fullmatch(r"[0-9a-f]{16}", first)
    assert content_hash(BODY) == first
    assert content_hash(BODY + "more") != first
    assert content_hash("") != content_hash(" x")
    assert re.fullmatch(r"[0-9a-f]{16}", content_hash(""))


def test_content_hash_is_the_same_for_crlf_and_lf() -> None:
    assert content_hash(BODY.replace("\n", "\r\n")) == content_hash(BODY)
    crlf = page_of(article().replace("\n", "\r\n"))
    lf = page_of(article())
    assert crlf.hash == lf.hash
    assert crlf.reading_time == lf.reading_time


def test_content_hash_is_of_the_text_not_the_frontmatter() -> None:
    assert page_of(article(owner="bob")).hash == page_of(article()).hash
    assert page_of(article(BODY + "\nOne more line.\n")).hash != page_of(article()).hash


# -- loading articles from docs/ ----------------------------------------------------------------


def test_articles_are_pages_with_kind_article_or_in_an_article_folder(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_files(
        docs,
        {
            "index.md": "# Home\n",
            "plain.md": "---\ntitle: A plain page\n---\n# Plain\n",
            "broken.md": "---\ntitle: [unclosed\nweird: : :\n---\n# Broken YAML, not an article\n",
            "mentions.md": "---\ntitle: x\n---\nkind: article\n",
            "nested.md": "---\nmeta:\n  kind: article\n---\n",
            "jobs.md": minimal(),
            "quoted.md": minimal().replace('kind: "article"', "kind: 'article'  # yes"),
            "guides/untagged.md": "---\ntitle: Untagged guide\n---\nText.\n",
            "guides/deeper/also.md": "---\ntitle: Deeper guide\n---\nText.\n",
            "guides-old/not-in-the-folder.md": "---\ntitle: Old\n---\n",
            "guidesx.md": "---\ntitle: Not in the folder\n---\n",
        },
    )
    result = load_articles(docs, tmp_path, ["guides"])
    assert result.errors == []
    assert [(a.uri, a.path, a.meta.title) for a in result.articles] == [
        ("guides/deeper/also.md", "docs/guides/deeper/also.md", "Deeper guide"),
        ("guides/untagged.md", "docs/guides/untagged.md", "Untagged guide"),
        ("jobs.md", "docs/jobs.md", "Handling background jobs with next.js"),
        ("quoted.md", "docs/quoted.md", "Handling background jobs with next.js"),
    ]
    assert result.files == 4
    assert [a.uri for a in load_articles(docs, tmp_path).articles] == ["jobs.md", "quoted.md"]


def test_invalid_articles_give_errors_with_file_and_line(tmp_path: Path) -> None:
    docs = tmp_path / "docs"
    write_files(
        docs,
        {
            "a.md": article(difficulty="beginner", sumary="x"),
            "b.md": "---\nkind: article\ntitle: [unclosed\n---\n",
            "guides/c.md": "# No frontmatter at all\n",
            "d.md": "---\nkind: article\n---\nNo title.\n",
        },
    )
    result = load_articles(docs, tmp_path, ["guides"])
    assert result.articles == []
    assert result.files == 4
    assert sorted((e.file, e.line, e.code) for e in result.errors) == [
        ("docs/a.md", line_of("sumary", sumary=1), "unknown_field"),
        ("docs/b.md", 3, "yaml.syntax"),
        ("docs/d.md", 1, "missing"),
        ("docs/guides/c.md", 1, "frontmatter.missing"),
    ]


def test_duplicate_references_are_reported_on_each_article(make_site: MakeSite) -> None:
    root = make_site(
        {
            "docs/a.md": article(reference="anp-ref-1"),
            "docs/guides/b.md": article(reference="ANP-REF-1"),
            "docs/c.md": article(reference="anp-ref-2"),
        }
    )
    project = load_project(root, Settings(), docs_dir=root / "docs", today=TODAY)
    line = line_of("reference")
    duplicates = [e.format_text() for e in project.errors if e.code == "reference.duplicate"]
    assert duplicates == [
        (
            f"docs/a.md:{line}:12: reference: reference 'anp-ref-1' is also used by "
            "docs/guides/b.md\n"
            "  hint: references must be unique; give one of the articles a new one"
        ),
        (
            f"docs/guides/b.md:{line}:12: reference: reference 'ANP-REF-1' is also used by "
            "docs/a.md\n"
            "  hint: references must be unique; give one of the articles a new one"
        ),
    ]
    assert project.failed


# -- review freshness ---------------------------------------------------------------------------


def freshness(make_site: MakeSite, files: dict[str, str], **options: Any) -> list[RecordError]:
    root = make_site(files)
    project = load_project(root, Settings(**options), docs_dir=root / "docs", today=TODAY)
    return list(project.errors)


def reviewed(day: str, status: str = "reviewed", **fields: Any) -> str:
    return article(revision={"status": status, "last_reviewed": day}, **fields)


def test_an_article_older_than_the_limit_gets_a_stale_warning(make_site: MakeSite) -> None:
    errors = freshness(
        make_site,
        {
            "docs/limit.md": reviewed("2025-11-28", reference="a"),  # 365 days: still fresh
            "docs/over.md": reviewed("2025-11-27", reference="b"),  # 366 days
            "docs/ancient.md": reviewed("2019-05-01", reference="c"),
        },
    )
    line = line_of("revision")
    assert [e.format_text() for e in errors] == [
        (
            f"docs/ancient.md:{line}:51: warning: revision.last_reviewed: last reviewed 2019-05-01, "
            "2768 days ago (the limit is 365 days)\n"
            "  hint: check the article is still right, then set last_reviewed: 2026-11-28"
        ),
        (
            f"docs/over.md:{line}:51: warning: revision.last_reviewed: last reviewed 2025-11-27, "
            "366 days ago (the limit is 365 days)\n"
            "  hint: check the article is still right, then set last_reviewed: 2026-11-28"
        ),
    ]
    assert {(e.code, e.severity) for e in errors} == {("review.stale", Severity.WARNING)}


def test_the_limit_is_the_review_max_age_days_option(make_site: MakeSite) -> None:
    errors = freshness(make_site, {"docs/a.md": reviewed("2026-10-28")}, review_max_age_days=30)
    assert [(e.code, e.message) for e in errors] == [
        ("review.stale", "last reviewed 2026-10-28, 31 days ago (the limit is 30 days)")
    ]


def test_needs_review_is_a_review_requested_warning(make_site: MakeSite) -> None:
    errors = freshness(
        make_site,
        {
            "docs/a.md": article(revision={"status": "needs-review"}),
            "docs/b.md": reviewed("2026-11-01", status="needs-review", reference="b"),
        },
    )
    line = line_of("revision")
    assert [e.format_text() for e in errors] == [
        (
            f"docs/a.md:{line}:22: warning: revision.status: the article is marked needs-review\n"
            "  hint: review it, then set revision.status: reviewed and revision.last_reviewed"
        ),
        (
            f"docs/b.md:{line}:22: warning: revision.status: the article is marked needs-review\n"
            "  hint: review it, then set revision.status: reviewed and revision.last_reviewed"
        ),
    ]
    assert {e.severity for e in errors} == {Severity.WARNING}


def test_fresh_drafts_and_unreviewed_articles_get_no_warning(make_site: MakeSite) -> None:
    errors = freshness(
        make_site,
        {
            "docs/today.md": reviewed("2026-11-28", reference="a"),
            "docs/draft.md": article(revision={"status": "draft"}, reference="b"),
            "docs/none.md": article(revision=OMIT, reference="c"),
            "docs/future.md": reviewed("2027-01-01", reference="d"),
        },
    )
    assert errors == []


def test_is_stale() -> None:
    meta = page_of(reviewed("2025-11-27")).meta
    assert is_stale(meta, TODAY, 365)
    assert not is_stale(meta, TODAY, 366)
    assert is_stale(page_of(article(revision={"status": "needs-review"})).meta, TODAY, 365)
    assert not is_stale(page_of(article(revision=OMIT)).meta, TODAY, 1)


# -- rendering: goldens for the summary, the box, the page and the review page -------------------


def compare_golden(name: str, output: str, *, update: bool) -> None:
    path = GOLDEN_DIR / name
    if update:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(output, encoding="utf-8")
        return
    assert output == path.read_text(encoding="utf-8")


def renderer(today: dt.date = TODAY, **options: Any) -> ArticleRenderer:
    settings = Settings(**options)
    return ArticleRenderer(Renderer(settings), settings, today)


def golden_catalog() -> tuple[ArticlePage, Catalog]:
    """The full article, two related articles and two records, as a catalog."""
    full = page_of(article(), "guides/background-jobs.md")
    related = page_of(
        article(
            "# Cron jobs\n\nCron events and import scripts, idempotent and logged.\n",
            title="Cron events that are safe to run twice",
            stack=["next.js"],
            tools=["bullmq"],
            tags=["jobs"],
            reference="anp-ref-1",
            owner="bob",
            revision={"status": "needs-review"},
        ),
        "cron.md",
    )
    unrelated = page_of(
        article(
            "# Colors\n\nPalettes and fonts.\n",
            title="Choosing colors",
            stack=["css"],
            tools=["figma"],
            tags=["design"],
            topic="design",
            summary="Palettes.",
            reference="anp-ref-2",
            owner=OMIT,
            revision={"status": "reviewed", "last_reviewed": "2024-01-10"},
        ),
        "design/colors.md",
    )
    records = []
    cases: tuple[tuple[str, dict[str, Any]], ...] = (
        (
            "2024-03-04-retry-jobs",
            {"title": "Retry background work with bullmq", "tags": ["jobs"], "area": "queues"},
        ),
        ("2024-02-10-orders-table", {"title": "Create the orders table", "tags": ["db"]}),
    )
    for rid, fields in cases:
        loaded = load_text(record(**fields), f"changes/{rid}.md", rid)
        assert isinstance(loaded, Record), loaded
        records.append(loaded)
    catalog = build_catalog(records, articles=[full, related, unrelated])
    return full, catalog


def test_summary_golden(*, update_goldens: bool) -> None:
    page, _ = golden_catalog()
    compare_golden("article-summary.md", renderer().summary(page), update=update_goldens)


def test_box_golden(*, update_goldens: bool) -> None:
    page, _ = golden_catalog()
    compare_golden("article-box.html", renderer().box(page), update=update_goldens)


def test_page_markdown_golden(*, update_goldens: bool) -> None:
    page, catalog = golden_catalog()
    similar = compute_similar(catalog_docs(catalog), limit=5)[f"article:{page.uri}"]
    output = renderer().page_markdown(page.body, page, similar)
    compare_golden("article-page.md", output, update=update_goldens)


def test_review_page_golden(*, update_goldens: bool) -> None:
    _, catalog = golden_catalog()
    compare_golden("review-page.md", renderer().review_page(catalog), update=update_goldens)


def test_the_box_has_no_blank_line_so_markdown_keeps_it_one_html_block() -> None:
    page, _ = golden_catalog()
    box = renderer().box(page)
    assert box.startswith("## Post meta\n\n<div")
    assert "\n\n" not in box.removeprefix("## Post meta\n\n")


def test_a_fresh_article_has_no_needs_review_badge() -> None:
    page = page_of(reviewed("2026-11-01"))
    r = renderer()
    assert "needs review" not in r.summary(page)
    assert "needs review" not in r.box(page)
    stale = page_of(reviewed("2020-11-01"))
    assert "needs review" in r.summary(stale)
    assert "needs review" in r.box(stale)


def test_review_page_without_stale_articles() -> None:
    fresh = page_of(reviewed("2026-11-01"))
    output = renderer().review_page(build_catalog([], articles=[fresh]))
    assert output.endswith("\nEvery article has been reviewed within 365 days.\n")
    assert "| Last reviewed |" not in output


def test_review_page_lists_stale_articles_oldest_first_with_owners() -> None:
    pages = [
        page_of(reviewed("2024-05-01", owner="carol"), "b.md"),
        page_of(reviewed("2019-01-01", owner=OMIT), "guides/a.md"),
        page_of(article(revision={"status": "needs-review"}, owner="dave"), "c.md"),
        page_of(reviewed("2026-11-01", owner="erin"), "fresh.md"),
        page_of(reviewed("2021-03-03", status="needs-review", owner="bob"), "d.md"),
    ]
    output = renderer(review_page="meta/needs-review.md").review_page(
        build_catalog([], articles=pages)
    )
    rows = [line for line in output.splitlines() if line.startswith("| ") and "---" not in line]
    title = "Handling background jobs with next\\.js"
    assert rows == [
        "| Last reviewed | Article | Owner | Status |",
        f"| never | [{title}](<../c.md>) | dave | needs\\-review |",
        f"| 2019\\-01\\-01 | [{title}](<../guides/a.md>) | \\(no owner\\) | reviewed |",
        f"| 2021\\-03\\-03 | [{title}](<../d.md>) | bob | needs\\-review |",
        f"| 2024\\-05\\-01 | [{title}](<../b.md>) | carol | reviewed |",
    ]


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("# Title\n\nText.\n", "# Title\n\nFRAGMENT\n\nText.\n"),
        (
            "Intro.\n\n```sh\n# a comment, not a title\n```\n\n# Title\nText.",
            "Intro.\n\n```sh\n# a comment, not a title\n```\n\n# Title\n\nFRAGMENT\nText.",
        ),
        (
            "~~~\n```\n# inside\n~~~\n# Real\n",
            "~~~\n```\n# inside\n~~~\n# Real\n\nFRAGMENT\n",
        ),
        ("#NotATitle\n## Section\n", "# T\n\nFRAGMENT\n\n#NotATitle\n## Section\n"),
        ("", "# T\n\nFRAGMENT\n\n"),
    ],
)
def test_insert_after_title(markdown: str, expected: str) -> None:
    assert insert_after_title(markdown, "FRAGMENT", "# T") == expected


def test_page_without_a_title_gets_the_escaped_title() -> None:
    page = page_of(minimal("No heading here.\n", title="<b>{{ 7*7 }}</b> *x*"))
    output = renderer(similar_posts=0).page_markdown(page.body, page, [])
    assert output.startswith("# &lt;b&gt;\\{\\{ 7\\*7 \\}\\}&lt;/b&gt; \\*x\\*\n\n")
    assert "## Similar posts" not in output


# -- done-when 3: hostile values in every field, through a real build ---------------------------

HOSTILE_VALUES = (
    "<script>alert(1)</script>",
    '"><img src=x onerror=alert(1)>',
    "{{ 7*7 }}",
    "{% raw %}",
    "[x](javascript:alert(1))",
    "`tick` | pipe *em* _u_ <!-- c -->",
)
HOSTILE = " ".join(HOSTILE_VALUES)
#: Relative URLs that look dangerous but are valid: they must stay inert attribute values.
HOSTILE_URLS = (
    '"><img src=x onerror=alert(1)>',
    "<script>alert(1)</script>",
    "{{ 7*7 }}",
    "&#106;avascript:alert(1)",
    "javascript&colon;alert(1)",
    "[x](javascript:alert(1))",
)
HOSTILE_BODY = (
    "Intro {{ 7*7 }} and {% raw %}.\n\n<script>alert(2)</script>\n\n"
    "<img src=x onerror=alert(3)>\n\n[x](javascript:alert(4)) "
    '<a href="JaVaScRiPt:alert(5)" onclick="alert(6)">y</a>\n\n'
    '<iframe src="javascript:alert(7)"></iframe>\n\n'
    "## Setup <img src=x onerror=alert(8)> <script>alert(9)</script>\n\n"
    "- [x] <b onmouseover=alert(10)>done</b>\n- [ ] {{ 7*7 }}\n"
)


def hostile_article(reference: str) -> str:
    return article(
        HOSTILE_BODY,
        title=HOSTILE,
        owner=HOSTILE,
        topic=HOSTILE,
        summary=HOSTILE,
        description=HOSTILE,
        outline=list(HOSTILE_VALUES),
        stack=list(HOSTILE_VALUES),
        tools=list(HOSTILE_VALUES),
        code_language=HOSTILE,
        revision={
            "status": "needs-review",
            "version": "1.0.0-alert-1",
            "last_reviewed": "2020-01-01",
        },
        reference=HOSTILE + reference,
        checklist=[{"done": v} for v in HOSTILE_VALUES],
        entities=[{"name": v, "type": v} for v in HOSTILE_VALUES],
        image_sources=[
            {"source": v, "url": u, "caption": v}
            for v, u in zip(HOSTILE_VALUES, HOSTILE_URLS, strict=True)
        ],
        notes=list(HOSTILE_VALUES),
        tags=list(HOSTILE_VALUES),
        extra={v: {v: [v, {v: v}], "n": [1, None, True]} for v in HOSTILE_VALUES},
    )


_BAD_URL = re.compile(r"^(javascript|vbscript|data):")


def _is_bad_url(value: str) -> bool:
    squashed = "".join(ch for ch in value if ch.isprintable() and not ch.isspace()).lower()
    return bool(_BAD_URL.match(squashed))


def unsafe_parts(soup: BeautifulSoup) -> list[str]:
    """Everything in a page that could run code: scripts with our alerts, on* handlers, bad URLs."""
    found = [str(s)[:80] for s in soup.find_all("script") if "alert" in s.get_text()]
    for el in soup.find_all(True):
        assert isinstance(el, Tag)
        for name, value in el.attrs.items():
            if name.lower().startswith("on"):
                found.append(f"<{el.name} {name}=...>")
            values = value if isinstance(value, list) else [value]
            if name.lower() in {"href", "src", "action", "formaction", "xlink:href", "data"}:
                found += [f"<{el.name} {name}={v!r}>" for v in values if _is_bad_url(str(v))]
    for region in soup.select("article"):
        found += [f"<{el.name}>" for el in region.find_all(["iframe", "object", "embed", "style"])]
    return found


@pytest.fixture(scope="module")
def hostile_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two hostile articles (so similar posts list one from the other) and a hostile record."""
    root = tmp_path_factory.mktemp("hostile-articles")
    write_files(
        root,
        {
            # Material's search: its index is the plain JSON the tests below read.
            "mkdocs.yml": "site_name: Hostile\ntheme:\n  name: material\n"
            "plugins:\n  - search\n  - changetrail:\n      search: material\n",
            "docs/index.md": "# Home\n",
            "docs/guides/hostile.md": hostile_article("-1"),
            "docs/guides/also-hostile.md": hostile_article("-2"),
            "changes/2024-03-04-hostile.md": record(title=HOSTILE, tags=list(HOSTILE_VALUES)),
        },
    )
    return mkdocs_build(root)


def soup_of(path: Path) -> BeautifulSoup:
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def region(soup: BeautifulSoup) -> Tag:
    found = soup.select_one("article.md-content__inner")
    assert found is not None
    return found


@pytest.mark.build
def test_no_page_of_the_site_runs_an_article_value(hostile_site: Path) -> None:
    pages = sorted(p for p in hostile_site.rglob("*.html"))
    names = {p.relative_to(hostile_site).as_posix() for p in pages}
    assert {"guides/hostile/index.html", "needs-review/index.html"} <= names
    for page in pages:
        assert unsafe_parts(soup_of(page)) == [], page.relative_to(hostile_site)


@pytest.mark.build
def test_every_article_field_shows_its_hostile_value_literally(hostile_site: Path) -> None:
    page = hostile_site / "guides" / "hostile" / "index.html"
    raw = page.read_text(encoding="utf-8")
    soup = BeautifulSoup(raw, "html.parser")
    content = region(soup)
    h1 = content.find("h1")
    assert h1 is not None
    assert h1.get_text(strip=True) == HOSTILE
    summary = content.select_one(".ct-postmeta-summary")
    assert summary is not None
    assert summary.get_text().startswith(HOSTILE + " · intermediate · ")
    assert summary.get_text().endswith("stack: " + ", ".join(HOSTILE_VALUES))
    box = content.select_one(".ct-postmeta > dl")
    assert box is not None
    shown = {
        dt_.get_text(strip=True): dd
        for dt_, dd in zip(
            box.find_all("dt", recursive=False), box.find_all("dd", recursive=False), strict=True
        )
    }
    for label in ("Topic", "Summary", "Owner", "Code language"):
        assert shown[label].get_text(strip=True) == HOSTILE, label
    assert shown["Reference"].get_text(strip=True) == HOSTILE + "-1"
    for label in ("Outline", "Stack", "Tools", "Notes", "Tags"):
        assert [li.get_text() for li in shown[label].find_all("li")] == list(HOSTILE_VALUES), label
    assert [li.get_text(strip=True) for li in shown["Checklist"].find_all("li")] == list(
        HOSTILE_VALUES
    )
    assert [li.get_text(" ", strip=True) for li in shown["Entities"].find_all("li")] == [
        f"{v} ({v})" for v in HOSTILE_VALUES
    ]
    links = shown["Image sources"].find_all("a")
    # Relative URLs are rewritten for the built page ("../" from a directory URL); the value
    # itself arrives as written, as text in the attribute.
    expected = [u if u.startswith("http") else "../" + u for u in HOSTILE_URLS]
    assert [(a.get_text(), a["href"]) for a in links] == list(
        zip(HOSTILE_VALUES, expected, strict=True)
    )
    assert shown["Revision"].get_text(" ", strip=True).startswith("Status needs-review")
    # extra: each hostile key is a label, its nested values are shown as text.
    for value in HOSTILE_VALUES:
        label = value.replace("_", " ").strip()  # keys read as labels: "has_images" -> "Has images"
        label = label[:1].upper() + label[1:]
        assert label in shown, value
        texts = [el.get_text() for el in shown[label].find_all(["dt", "li", "dd"])]
        assert value in texts
    # The body's task list is still a task list, with its progress.
    progress = content.select("p.ct-progress")
    n = len(HOSTILE_VALUES)
    assert [p.get_text(strip=True) for p in progress] == ["1 of 2 done", f"{n} of {n} done"]
    # Nothing was evaluated as a template anywhere in the content: no "49" outside the
    # computed numbers (the hash and the word count may contain those digits by chance).
    shown["Hash"].decompose()
    shown["Reading time"].decompose()
    text = content.get_text(" ")
    assert "{{ 7*7 }}" in text
    assert "{% raw %}" in text
    assert "49" not in text


@pytest.mark.build
def test_the_title_is_escaped_once_in_title_header_and_nav(hostile_site: Path) -> None:
    raw = (hostile_site / "guides" / "hostile" / "index.html").read_text(encoding="utf-8")
    soup = BeautifulSoup(raw, "html.parser")
    title = re.search(r"<title>(.*?)</title>", raw, re.DOTALL)
    assert title is not None
    assert "<" not in title.group(1)
    assert soup.title is not None
    assert soup.title.get_text() == f"{HOSTILE} - Hostile"
    assert [el.get_text(" ", strip=True) for el in soup.select(".md-header__topic")] == [
        "Hostile",
        HOSTILE,
    ]
    description = soup.select_one('meta[name="description"]')
    assert description is not None
    assert description["content"] == HOSTILE
    nav = [a.get_text(" ", strip=True) for a in soup.select("nav.md-nav--primary a")]
    assert HOSTILE in nav
    assert "<script>alert" not in raw


@pytest.mark.build
def test_similar_posts_show_hostile_titles_and_labels_as_text(hostile_site: Path) -> None:
    content = region(soup_of(hostile_site / "guides" / "hostile" / "index.html"))
    heading = content.find("h2", id="similar-posts")
    assert isinstance(heading, Tag)
    items = heading.find_next("ul")
    assert isinstance(items, Tag)
    rows = []
    for li in items.find_all("li", recursive=False):
        link = li.find("a", recursive=False)
        assert isinstance(link, Tag)
        rows.append((link.get_text(), link["href"]))
    assert sorted(rows) == sorted(
        [(HOSTILE, "../also-hostile/"), (HOSTILE, "../../changes/2024-03-04-hostile/")]
    )


@pytest.mark.build
def test_similar_posts_show_shared_labels_literally(hostile_site: Path) -> None:
    """The shared labels are tags and stacks: Markdown in them must not become links."""
    content = region(soup_of(hostile_site / "guides" / "hostile" / "index.html"))
    labels = [span for span in content.select("span.ct-muted") if span.find_parent("li")]
    shared = [s for s in labels if s.get_text().startswith(("article · ", "change · "))]
    assert len(shared) == 2
    for span in shared:
        assert span.find("a") is None, span
        assert "[x](javascript:alert(1))" in span.get_text(), span


@pytest.mark.build
def test_search_index_titles_and_texts_hold_no_live_markup(hostile_site: Path) -> None:
    docs = json.loads((hostile_site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    ours = [d for d in docs if d["location"].startswith("guides/hostile/")]
    assert len(ours) >= 3
    for doc in ours:
        # Material inserts a result's title and text with innerHTML: parse them as HTML.
        for field in ("title", "text"):
            found = BeautifulSoup(doc[field], "html.parser")
            assert unsafe_parts(found) == [], (doc["location"], field)
            assert found.find(["script", "img", "iframe"]) is None, (doc["location"], field)
    [page] = [d for d in ours if d["location"] == "guides/hostile/"]
    assert BeautifulSoup(page["title"], "html.parser").get_text() == HOSTILE
    assert "49" not in BeautifulSoup(page["text"], "html.parser").get_text()


@pytest.mark.build
def test_search_index_tags_hold_no_live_markup(hostile_site: Path) -> None:
    """Material's search copies ``page.meta.tags`` into the index and shows each tag of a result
    with ``innerHTML`` (``<span class="md-tag">{tag}</span>`` through its ``h()`` helper), so a
    tag ``"><img src=x onerror=alert(1)>`` runs when someone searches. The article's tags must
    reach ``page.meta`` escaped, as its title and description do."""
    docs = json.loads((hostile_site / "search" / "search_index.json").read_text("utf-8"))["docs"]
    tagged = [d for d in docs if d["location"].startswith("guides/") and d.get("tags")]
    assert tagged
    for doc in tagged:
        for tag in doc["tags"]:
            found = BeautifulSoup(tag, "html.parser")
            assert found.find(True) is None, (doc["location"], tag)
        assert [BeautifulSoup(t, "html.parser").get_text() for t in doc["tags"]] == list(
            HOSTILE_VALUES
        )


@pytest.mark.build
def test_needs_review_page_shows_hostile_values_as_text(hostile_site: Path) -> None:
    content = region(soup_of(hostile_site / "needs-review" / "index.html"))
    rows = [
        [td.get_text(strip=True) for td in tr.find_all("td")] for tr in content.select("tbody tr")
    ]
    assert rows == [
        ["2020-01-01", HOSTILE, HOSTILE, "needs-review"],
        ["2020-01-01", HOSTILE, HOSTILE, "needs-review"],
    ]
    assert sorted(a["href"] for a in content.select("tbody a")) == [
        "../guides/also-hostile/",
        "../guides/hostile/",
    ]


# -- a knowledge site: task lists, the box's checklist and the review page ---------------------

TASKS_BODY = """\
# Handling background jobs with next.js

Before the release:

- [x] retries are idempotent
- [ ] the dead-letter queue is watched
    - [x] alert on growth
    - [ ] alert on age

Some text between the lists.

1. a numbered list
2. without boxes

After the release:

* [x] logs checked

```md
- [ ] a task list in a code block is only text
```
"""


@pytest.fixture(scope="module")
def knowledge_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("knowledge")
    today = dt.datetime.now().astimezone().date()
    write_files(
        root,
        {
            "mkdocs.yml": "site_name: Knowledge\ntheme:\n  name: material\n"
            "plugins:\n  - search\n  - changetrail:\n      article_dirs: [guides]\n",
            "docs/index.md": "# Home\n",
            "docs/guides/jobs.md": "---\ntitle: Jobs\nchecklist:\n  - done: backup\n"
            "  - todo: rollback note\n  - done: smallest change\n---\n" + TASKS_BODY,
            "docs/old.md": reviewed("2020-02-02", reference="a", owner="bob", title="Old"),
            "docs/older.md": reviewed("2019-01-01", reference="b", owner="carol", title="Older"),
            "docs/asked.md": article(
                revision={"status": "needs-review"}, owner=OMIT, reference="c", title="Asked"
            ),
            "docs/fresh.md": reviewed(today.isoformat(), reference="d", title="Fresh"),
        },
    )
    # Not strict: the stale articles are (rightly) warnings, which strict mode would stop on.
    return mkdocs_build(root)


@pytest.mark.build
def test_body_task_lists_get_progress(knowledge_site: Path) -> None:
    content = region(soup_of(knowledge_site / "guides" / "jobs" / "index.html"))
    found = []
    for p in content.select("p.ct-progress"):
        if p.find_parent(class_="ct-postmeta") is not None:
            continue  # the box's own checklist
        bar = p.find("progress")
        assert isinstance(bar, Tag)
        # Each bar sits right before its list.
        following = p.find_next_sibling()
        assert isinstance(following, Tag)
        assert following.name == "ul"
        assert "task-list" in following.get_attribute_list("class")
        found.append((p.get_text(strip=True), bar["value"], bar["max"]))
    assert found == [("2 of 4 done", "2", "4"), ("1 of 1 done", "1", "1")]
    code = content.select_one("pre code")
    assert code is not None
    assert "a task list in a code block" in code.get_text()


@pytest.mark.build
def test_frontmatter_checklist_renders_in_the_box_with_progress(knowledge_site: Path) -> None:
    content = region(soup_of(knowledge_site / "guides" / "jobs" / "index.html"))
    box = content.select_one(".ct-postmeta")
    assert box is not None
    progress = box.select_one("p.ct-progress")
    assert progress is not None
    assert progress.get_text(strip=True) == "2 of 3 done"
    assert [
        (li.get_text(strip=True), li.select_one("input[type=checkbox][checked]") is not None)
        for li in box.select("ul.ct-checklist li")
    ] == [("backup", True), ("rollback note", False), ("smallest change", True)]


@pytest.mark.build
def test_review_page_is_in_the_site_oldest_first_with_owners(knowledge_site: Path) -> None:
    content = region(soup_of(knowledge_site / "needs-review" / "index.html"))
    rows = [
        [td.get_text(" ", strip=True) for td in tr.find_all("td")]
        for tr in content.select("tbody tr")
    ]
    assert rows == [
        ["never", "Asked", "(no owner)", "needs-review"],
        ["2019-01-01", "Older", "carol", "reviewed"],
        ["2020-02-02", "Old", "bob", "reviewed"],
    ]
    assert [a["href"] for a in content.select("tbody a")] == ["../asked/", "../older/", "../old/"]
    nav = soup_of(knowledge_site / "index.html").select("nav.md-nav--primary a")
    assert "Needs review" in [a.get_text(strip=True) for a in nav]


@pytest.mark.build
def test_stale_articles_show_the_badge(knowledge_site: Path) -> None:
    def badges(name: str) -> int:
        return len(region(soup_of(knowledge_site / name / "index.html")).select(".ct-badge--stale"))

    assert badges("old") == 2  # under the title and in the box
    assert badges("asked") == 2
    assert badges("fresh") == 0


@pytest.mark.build
def test_without_articles_there_is_no_review_page(make_site: MakeSite) -> None:
    root = make_site(
        {
            "changes/2024-03-04-a.md": record(),
            "docs/plain.md": "---\ntitle: Not an article\n---\n# Plain\n",
        }
    )
    site = mkdocs_build(root, strict=True)
    assert not (site / "needs-review").exists()
    assert (site / "plain" / "index.html").is_file()
    nav = [a.get_text(strip=True) for a in soup_of(site / "index.html").select("nav a")]
    assert "Needs review" not in nav


# -- the CLI ------------------------------------------------------------------------------------


def run(*args: str) -> Result:
    return CliRunner().invoke(cli, list(args), catch_exceptions=False)


def local_today() -> dt.date:
    return dt.datetime.now().astimezone().date()


@pytest.fixture
def in_site(make_site: MakeSite, monkeypatch: pytest.MonkeyPatch) -> Any:
    def make(files: dict[str, str | bytes] | None = None) -> Path:
        root = make_site(files)
        monkeypatch.chdir(root)
        return root

    return make


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("GIT_DIR", "GIT_WORK_TREE", "GIT_INDEX_FILE", "GIT_OBJECT_DIRECTORY"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", "/dev/null")
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(repo: Path, *args: str) -> None:
    subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, timeout=30)


@pytest.fixture
def repo(in_site: Any) -> Path:
    root: Path = in_site()
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Alice Example")
    return root


def test_check_warns_on_stale_articles_and_strict_fails(in_site: Any) -> None:
    old = (local_today() - dt.timedelta(days=400)).isoformat()
    in_site(
        {
            "changes/2024-03-04-a.md": record(),
            "docs/guides/old.md": reviewed(old, reference="a"),
            "docs/asked.md": article(revision={"status": "needs-review"}, reference="b"),
            "docs/fine.md": article(revision={"status": "draft"}, reference="c"),
        }
    )
    line = line_of("revision")
    warnings = (
        f"docs/asked.md:{line}:22: warning: revision.status: the article is marked needs-review\n"
        "  hint: review it, then set revision.status: reviewed and revision.last_reviewed\n"
        f"docs/guides/old.md:{line}:51: warning: revision.last_reviewed: last reviewed {old}, "
        "400 days ago (the limit is 365 days)\n"
        "  hint: check the article is still right, then set last_reviewed: "
        f"{local_today().isoformat()}\n"
    )
    result = run("check")
    assert (result.exit_code, result.output) == (
        0,
        warnings + "\n0 errors, 2 warnings in 2 of 4 files checked\n",
    )
    strict = run("check", "--strict")
    assert (strict.exit_code, strict.output) == (
        1,
        warnings.replace(": warning: ", ": ") + "\n2 errors in 2 of 4 files checked\n",
    )


def test_check_json_gives_warning_severity(in_site: Any) -> None:
    in_site({"docs/asked.md": article(revision={"status": "needs-review"})})
    result = run("check", "--format", "json")
    assert result.exit_code == 0
    assert [(p["code"], p["severity"], p["field"]) for p in json.loads(result.stdout)] == [
        ("review.requested", "warning", "revision.status")
    ]


def test_check_counts_records_and_articles(in_site: Any) -> None:
    in_site({"changes/2024-03-04-a.md": record(), "docs/a.md": article(revision=OMIT)})
    result = run("check")
    assert (result.exit_code, result.output) == (0, "1 record and 1 article checked, no problems\n")


def test_check_a_docs_page_checks_it_as_an_article(in_site: Any) -> None:
    in_site(
        {
            "changes/2024-03-04-a.md": record(status="done"),
            "docs/guides/x.md": article(revision=OMIT, difficulty="expert", reason="r"),
            "docs/guides/y.md": article(revision=OMIT, reference="y"),
        }
    )
    result = run("check", "docs/guides/x.md")
    assert result.exit_code == 1
    lines = result.output.splitlines()
    assert lines[-1] == "2 errors in 1 of 1 file checked"
    assert [line.split(": ")[0:2] for line in lines if line.startswith("docs/")] == [
        [f"docs/guides/x.md:{line_of('difficulty')}:13", "difficulty"],
        [f"docs/guides/x.md:{line_of('reason', revision=OMIT, reason=1)}:1", "reason"],
    ]
    assert "required field is missing" not in result.output  # not read as a change record
    clean = run("check", "docs/guides/y.md")
    assert (clean.exit_code, clean.output) == (0, "0 records and 1 article checked, no problems\n")


def test_check_a_plain_docs_page_does_not_call_it_a_record(in_site: Any) -> None:
    """A page without `kind: article` is not checked at all: saying "1 record" misleads."""
    in_site({"changes/2024-03-04-a.md": record(), "docs/plain.md": "---\ntitle: x\n---\n# x\n"})
    result = run("check", "docs/plain.md")
    assert "1 record checked" not in result.output


NEW_TITLE = "Running background jobs safely"
NEW_PATH = "docs/articles/running-background-jobs-safely.md"


def expected_new_article(owner: str = "Alice Example") -> str:
    return f"""\
---
kind: article
title: "Running background jobs safely"
date: {local_today().isoformat()}
owner: "{owner}"
# the subject in a few words, e.g. "background jobs / django"
topic: "TODO: the subject"
summary: |
  TODO: two or three sentences a reader sees first.
outline: []
stack: []        # e.g. [django, postgres]
tools: []        # e.g. [celery, git]
difficulty: intermediate   # beginner | intermediate | advanced
revision:
  status: draft   # draft | reviewed | needs-review
  version: 0.1.0
checklist:
  - todo: "capture the current behavior"
  - todo: "create a safe backup"
  - todo: "test the smallest change"
  - todo: "watch logs after release"
  - todo: "write the final note"
---

# Running background jobs safely

TODO: write the article.
"""


def test_new_article_writes_the_template(repo: Path) -> None:
    result = run("new", "--kind", "article", NEW_TITLE)
    assert (result.exit_code, result.output) == (0, f"{NEW_PATH}\n")
    assert (repo / NEW_PATH).read_text(encoding="utf-8") == expected_new_article()
    meta = page_of((repo / NEW_PATH).read_text(encoding="utf-8")).meta
    assert meta.revision is not None
    assert meta.revision.status is RevisionStatus.DRAFT
    assert meta.date == local_today()


def test_new_article_goes_to_the_first_article_folder(in_site: Any) -> None:
    root = in_site(
        {"mkdocs.yml": "site_name: t\nplugins:\n  - changetrail:\n      article_dirs: [kb, more]\n"}
    )
    result = run("new", "--kind", "article", NEW_TITLE, "--owner", "bob")
    assert (result.exit_code, result.output) == (0, "docs/kb/running-background-jobs-safely.md\n")
    text = (root / "docs/kb/running-background-jobs-safely.md").read_text(encoding="utf-8")
    assert text == expected_new_article(owner="bob")


def test_new_article_never_overwrites_without_force(repo: Path) -> None:
    assert run("new", "--kind", "article", NEW_TITLE).exit_code == 0
    path = repo / NEW_PATH
    path.write_text(path.read_text(encoding="utf-8") + "My notes.\n", encoding="utf-8")
    before = path.read_bytes()
    again = run("new", "--kind", "article", NEW_TITLE)
    assert (again.exit_code, again.stdout) == (1, "")
    assert again.stderr == (
        f"Error: {NEW_PATH} already exists; nothing was written. "
        "Edit that file, choose another title, or pass --force to replace it.\n"
    )
    assert path.read_bytes() == before
    forced = run("new", "--kind", "article", NEW_TITLE, "--force", "--owner", "bob")
    assert (forced.exit_code, forced.output) == (0, f"{NEW_PATH}\n")
    assert path.read_text(encoding="utf-8") == expected_new_article(owner="bob")


def _fill(text: str, *, body: bool = True) -> str:
    text = text.replace('"TODO: the subject"', '"background jobs"')
    text = text.replace("  TODO: two or three sentences a reader sees first.", "  Queues.")
    if body:
        text = text.replace("TODO: write the article.", "Queues that survive restarts.")
    return text


def test_new_article_fails_check_only_on_placeholders_until_filled(repo: Path) -> None:
    assert run("new", "--kind", "article", NEW_TITLE).exit_code == 0
    path = repo / NEW_PATH
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    found = json.loads(result.stdout)
    assert {p["code"] for p in found} == {"placeholder"}
    assert {p["file"] for p in found} == {NEW_PATH}
    assert {p["field"] for p in found} >= {"topic", "summary"}
    path.write_text(_fill(path.read_text(encoding="utf-8")), encoding="utf-8")
    result = run("check")
    assert (result.exit_code, result.output) == (
        0,
        "0 records and 1 article checked, no problems\n",
    )


def test_a_todo_left_in_the_new_articles_body_fails_check(repo: Path) -> None:
    """The template's body is "TODO: write the article."; publishing it unfilled is a mistake
    `check` must catch, as it does for every TODO of the frontmatter."""
    assert run("new", "--kind", "article", NEW_TITLE).exit_code == 0
    path = repo / NEW_PATH
    path.write_text(_fill(path.read_text(encoding="utf-8"), body=False), encoding="utf-8")
    result = run("check", "--format", "json")
    assert result.exit_code == 1
    assert [p["code"] for p in json.loads(result.stdout)] == ["placeholder"]


def test_schema_article_prints_the_json_schema() -> None:
    result = run("schema", "article")
    assert result.exit_code == 0
    schema = json.loads(result.output)
    assert schema == Article.model_json_schema()
    assert schema["title"] == "changetrail knowledge article"
    assert schema["type"] == "object"
    assert schema["additionalProperties"] is False
    assert set(schema["properties"]) == {
        "kind", "title", "date", "owner", "topic", "summary", "outline", "stack", "tools",
        "code_language", "difficulty", "score", "revision", "reference", "flags", "checklist",
        "entities", "image_sources", "notes", "tags", "extra", "description", "hide",
        "template", "icon", "search",
    }  # fmt: skip
    assert schema["required"] == ["title"]
    assert all(prop.get("description") for prop in schema["properties"].values())
    # Computed values are never typed by hand, so they are not fields.
    assert "reading_time" not in schema["properties"]
    assert "hash" not in schema["properties"]


def _as_editor_sees_it(text: str) -> dict[str, Any]:
    data = yaml.safe_load(text.split("---\n")[1])
    assert isinstance(data, dict)
    as_json: dict[str, Any] = json.loads(json.dumps(data, default=str))
    return as_json


def test_schema_accepts_the_full_article_and_refuses_what_check_refuses() -> None:
    jsonschema = pytest.importorskip("jsonschema")
    schema = json.loads(run("schema", "article").output)
    validator = jsonschema.Draft202012Validator
    validator.check_schema(schema)
    good = _as_editor_sees_it(article(checklist=[{"done": "a"}, {"todo": "b"}, "c"]))
    assert [e.message for e in validator(schema).iter_errors(good)] == []
    for bad in (
        article(sumary="x"),
        article(title=OMIT),
        article(difficulty="expert"),
        article(score={"quality": 101}),
        article(score={"quality": 5.5}),
        article(revision={"status": "approved"}),
        article(entities=[{"name": "a"}]),
        article(image_sources=[{"source": "a", "url": "b", "extra": 1}]),
        article(flags={"has_images": "maybe"}),
        article(kind="post"),
    ):
        data = _as_editor_sees_it(bad)
        assert list(validator(schema).iter_errors(data)), data
