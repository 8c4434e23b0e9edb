"""The record model: every field rule, through the loader (YAML -> model -> RecordError)."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

import pytest
import yaml
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from changetrail.loader import Record, load_text
from changetrail.models import ChangeRecord, ChecklistItem, Link, Metric, Rollback, Status
from conftest import OMIT, Raw, field_line, record

if TYPE_CHECKING:
    from changetrail.errors import RecordError


def load(**fields: Any) -> Record | list[RecordError]:
    return load_text(record(**fields), "changes/r.md", "r")


def valid(**fields: Any) -> ChangeRecord:
    result = load(**fields)
    assert isinstance(result, Record), result
    return result.meta


def problems(**fields: Any) -> list[tuple[str, str | None]]:
    """(code, field) of every problem, in the order reported."""
    result = load(**fields)
    assert isinstance(result, list), f"expected problems, got {result!r}"
    return [(e.code, e.field) for e in result]


def test_the_default_record_is_valid() -> None:
    meta = valid()
    assert meta.title == "Add index on orders.created_at"
    assert meta.date == dt.date(2024, 3, 4)
    assert meta.status is Status.SHIPPED
    assert meta.metrics == [
        Metric(name="p95 latency", before=820, after=95, unit="ms", better="lower")
    ]
    assert meta.rollback == Rollback(
        note="Drop the index.", command="make migrate-down", tested=True
    )
    assert meta.checklist is None
    assert (meta.area, meta.tags, meta.links, meta.commit, meta.related) == (None, [], [], None, [])


def test_model_is_frozen_and_forbids_extra_fields() -> None:
    meta = valid()
    with pytest.raises(ValidationError):
        meta.title = "other"  # type: ignore[misc]
    assert problems(summary="x") == [("unknown_field", "summary")]


@pytest.mark.parametrize("name", ["title", "date", "owner", "status", "reason", "expected_result"])
def test_required_fields(name: str) -> None:
    assert problems(**{name: OMIT}) == [("missing", name)]


@pytest.mark.parametrize("name", ["files_touched", "commands", "metrics", "rollback"])
def test_status_dependent_fields_are_optional_in_the_model(name: str) -> None:
    # Whether they are required depends on the status and the site's settings (checks).
    valid(**{name: OMIT})


# -- title --------------------------------------------------------------------------------


@pytest.mark.parametrize("title", ["x", "x" * 200, "  padded  ", "Émoji 🚀 and 漢字"])
def test_title_accepts_one_line_of_1_to_200_characters(title: str) -> None:
    assert valid(title=title).title == title.strip()


def test_the_schema_refuses_titles_over_1000_characters() -> None:
    """The site's own limit (200 by default) is a check: see test_limits_* in test_hostile."""
    result = load(title="x" * 1001)
    assert isinstance(result, list)
    [err] = result
    assert (err.field, err.line) == ("title", field_line("title"))
    assert err.format_text().startswith(
        "changes/r.md:2:8: title: expected at most 1000 characters; got 1001 characters"
    )


@pytest.mark.parametrize("title", ["", "   ", "two\nlines", "carriage\rreturn"])
def test_title_refuses_empty_and_multi_line(title: str) -> None:
    [(code, name)] = problems(title=title)
    assert name == "title"
    assert code in {"string_too_short", "one_line"}


# -- date ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (Raw("2024-03-04"), dt.date(2024, 3, 4)),
        ("2024-03-04", dt.date(2024, 3, 4)),
        (Raw("2024-02-29"), dt.date(2024, 2, 29)),
    ],
)
def test_date_accepts_yyyy_mm_dd(value: str, expected: dt.date) -> None:
    assert valid(date=value).date == expected


@pytest.mark.parametrize(
    ("value", "code"),
    [
        (Raw("03/04/2024"), "date_format"),
        (Raw("2024-3-4"), "date_format"),
        (Raw("2024/03/04"), "date_format"),
        (Raw("20240304"), "date_format"),
        (Raw("4 March 2024"), "date_format"),
        (Raw("2024-03-04 10:30:00"), "date_format"),
        (Raw("2024-03-04T10:30:00Z"), "date_format"),
        ("2023-02-29", "date_invalid"),
        ("2024-13-01", "date_invalid"),
        (Raw("null"), "date_format"),
    ],
)
def test_date_is_strict(value: str, code: str) -> None:
    assert problems(date=value) == [(code, "date")]


def test_date_hint_offers_both_readings_of_a_local_date() -> None:
    result = load(date=Raw("03/04/2024"))
    assert isinstance(result, list)
    assert result[0].hint == (
        "write it as 2024-03-04 (if 03 is the month) or 2024-04-03 (if 03 is the day)"
    )
    result = load(date=Raw("25/12/2024"))
    assert isinstance(result, list)
    assert result[0].hint == "write it as 2024-12-25"


# -- status -------------------------------------------------------------------------------


@pytest.mark.parametrize("status", [s.value for s in Status])
def test_every_status(status: str) -> None:
    assert valid(status=status, date=Raw("2024-03-04")).status.value == status


@pytest.mark.parametrize(
    ("status", "hint"),
    [
        ("done", "did you mean 'shipped'?"),
        ("reverted", "did you mean 'rolled-back'?"),
        ("wip", "did you mean 'in-progress'?"),
        ("SHIPPED", "write it in lower case: 'shipped'"),
        ("in_progress", "write it in lower case: 'in-progress'"),
        ("shiped", "did you mean 'shipped'?"),
    ],
)
def test_status_hints(status: str, hint: str) -> None:
    result = load(status=status)
    assert isinstance(result, list)
    assert [(e.code, e.field, e.hint) for e in result] == [("enum", "status", hint)]


# -- numbers ------------------------------------------------------------------------------


def metric(**overrides: Any) -> list[dict[str, Any]]:
    base: dict[str, Any] = {
        "name": "p95",
        "before": 10,
        "after": 5,
        "unit": "ms",
        "better": "lower",
    }
    base.update(overrides)
    return [base]


@pytest.mark.parametrize("number", [0, -3, 1.5, 10**12, 0.001])
def test_metric_numbers(number: float) -> None:
    [m] = valid(metrics=metric(before=number)).metrics
    assert m.before == number


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        (".nan", "finite_number"),
        (".inf", "finite_number"),
        ("-.inf", "finite_number"),
        ("true", "number_type"),
        ("yes", "number_type"),
        ("fast", "number_type"),
        ("'12'", "number_type"),
        ("12 ms", "number_type"),
        ("null", "number_type"),
        ("[1]", "number_type"),
    ],
)
def test_metric_numbers_must_be_finite_numbers(raw: str, code: str) -> None:
    text = record(metrics=Raw(f"[{{name: p95, before: {raw}, after: 1, better: lower}}]"))
    result = load_text(text, "changes/r.md", "r")
    assert isinstance(result, list)
    assert [(e.code, e.field) for e in result] == [(code, "metrics[0].before")]


def test_metric_better_is_lower_or_higher() -> None:
    assert problems(metrics=metric(better="faster")) == [("literal_error", "metrics[0].better")]


def test_metric_change_percent_and_improved() -> None:
    m = Metric(name="p95", before=820, after=95, unit="ms", better="lower")
    assert m.change_percent == pytest.approx(-88.41, abs=0.01)
    assert m.improved is True
    assert Metric(name="x", before=0, after=5, better="higher").change_percent is None
    assert Metric(name="x", before=-10, after=-5, better="higher").change_percent == 50
    assert Metric(name="x", before=5, after=5, better="higher").improved is None
    assert Metric(name="x", before=5, after=6, better="lower").improved is False


# -- checklist ----------------------------------------------------------------------------


def test_checklist_shorthand_forms() -> None:
    meta = valid(
        checklist=[
            {"done": "capture the current behavior"},
            {"todo": "create a safe backup"},
            "test the smallest change",
            {"text": "watch logs after release", "done": True},
            {"text": "write the final note"},
        ]
    )
    assert meta.checklist == [
        ChecklistItem(text="capture the current behavior", done=True),
        ChecklistItem(text="create a safe backup", done=False),
        ChecklistItem(text="test the smallest change", done=False),
        ChecklistItem(text="watch logs after release", done=True),
        ChecklistItem(text="write the final note", done=False),
    ]


def test_checklist_in_block_yaml_as_the_docs_show_it() -> None:
    head = record(body="").removesuffix("---\n")
    text = head + (
        "checklist:\n"
        "  - done: capture the current behavior\n"
        "  - todo: create a safe backup\n"
        "  - test the smallest change\n"
        "---\n"
    )
    result = load_text(text, "changes/r.md", "r")
    assert isinstance(result, Record), result
    assert [(i.text, i.done) for i in result.meta.checklist or []] == [
        ("capture the current behavior", True),
        ("create a safe backup", False),
        ("test the smallest change", False),
    ]


@pytest.mark.parametrize(
    ("item", "expected"),
    [
        ({"finished": "x"}, [("checklist_form", "checklist[0]")]),
        ({"done": ""}, [("string_too_short", "checklist[0].text")]),
        ({"done": "two\nlines"}, [("one_line", "checklist[0].text")]),
        (42, [("model_type", "checklist[0]")]),
    ],
)
def test_checklist_bad_items(item: object, expected: list[tuple[str, str]]) -> None:
    assert problems(checklist=[item]) == expected


def test_empty_checklist_is_not_the_default() -> None:
    assert valid(checklist=[]).checklist == []


# -- links --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "url",
    [
        "https://github.com/acme/shop/pull/42",
        "http://grafana.internal/d/abc?x=1#panel",
        "HTTPS://EXAMPLE.COM",
        "../docs/runbook.md",
        "runbook.md#rollback",
        "/dashboards/orders",
        "#anchor",
    ],
)
def test_link_accepts_http_https_and_relative(url: str) -> None:
    [link] = valid(links=[{"title": "PR", "url": url}]).links
    assert link == Link(title="PR", url=url)


@pytest.mark.parametrize(
    "url",
    [
        "javascript:alert(1)",
        "JaVaScRiPt:alert(1)",
        "java\tscript:alert(1)",
        "java\nscript:alert(1)",
        " javascript:alert(1)",
        "\x01javascript:alert(1)",
        "data:text/html,<script>alert(1)</script>",
        "vbscript:msgbox(1)",
        "file:///etc/passwd",
        "mailto:ops@example.com",
        "ftp://example.com/x",
        "//evil.example.com/x",
    ],
)
def test_link_refuses_other_schemes(url: str) -> None:
    assert problems(links=[{"title": "PR", "url": url}]) == [("url_scheme", "links[0].url")]


def test_link_refuses_an_empty_url() -> None:
    [(_code, name)] = problems(links=[{"title": "PR", "url": ""}])
    assert name == "links[0].url"


def test_link_needs_a_title() -> None:
    assert problems(links=[{"url": "https://x.example"}]) == [("missing", "links[0].title")]


# -- repository paths ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path", ["src/app/orders.py", "README.md", "./src/x.py", "docs/a b.md", "a/.hidden/x"]
)
def test_files_touched_accepts_repository_paths(path: str) -> None:
    assert valid(files_touched=[path]).files_touched == [path]


@pytest.mark.parametrize(
    ("path", "code"),
    [
        ("/etc/passwd", "path_absolute"),
        ("\\\\server\\share\\x", "path_absolute"),
        ("C:\\Windows\\win.ini", "path_absolute"),
        ("c:/x", "path_absolute"),
        ("~/notes.txt", "path_home"),
        ("../outside.txt", "path_escape"),
        ("src/../../outside.txt", "path_escape"),
        ("src\\..\\..\\outside.txt", "path_escape"),
        ("   ", "path_empty"),
    ],
)
def test_files_touched_refuses_paths_outside_the_repository(path: str, code: str) -> None:
    assert problems(files_touched=[path]) == [(code, "files_touched[0]")]


# -- other fields -------------------------------------------------------------------------


@pytest.mark.parametrize("commit", ["abc1234", "v1.2.0", "release/2024-03", "HEAD~2", "a" * 40])
def test_commit_accepts_revisions(commit: str) -> None:
    assert valid(commit=commit).commit == commit


@pytest.mark.parametrize("commit", ["abc def", "-rf", "", "a;rm -rf /"])
def test_commit_refuses_what_is_not_a_revision(commit: str) -> None:
    [(_, name)] = problems(commit=commit)
    assert name == "commit"


def test_rollback_note_is_required_and_tested_is_a_bool() -> None:
    assert problems(rollback={"command": "x"}) == [("missing", "rollback.note")]
    assert problems(rollback={"note": "x", "tested": "maybe"}) == [
        ("bool_parsing", "rollback.tested")
    ]
    assert valid(rollback={"note": "x"}).rollback == Rollback(note="x", tested=False)


@pytest.mark.parametrize(
    ("name", "value", "expected"),
    [
        ("owner", Raw("no"), 'YAML read `no` as false; quote it: owner: "no"'),
        ("owner", Raw("12:30"), 'YAML read `12:30` as 750; quote it: owner: "12:30"'),
        (
            "title",
            Raw("2024-03-04"),
            'YAML read `2024-03-04` as 2024-03-04; quote it: title: "2024-03-04"',
        ),
        ("area", Raw("on"), 'YAML read `on` as true; quote it: area: "on"'),
    ],
)
def test_yaml_11_surprises_get_a_quote_it_hint(name: str, value: str, expected: str) -> None:
    result = load(**{name: value})
    assert isinstance(result, list)
    assert [(e.code, e.field, e.hint) for e in result] == [("string_type", name, expected)]


def test_a_string_where_a_list_is_expected() -> None:
    result = load(commands="make migrate")
    assert isinstance(result, list)
    assert [(e.code, e.field) for e in result] == [("list_type", "commands")]
    assert result[0].hint == "write it as a list:\n    commands:\n      - make migrate"


# -- property: any valid record survives YAML ----------------------------------------------

_CHARS = st.characters(
    exclude_characters="\x85\u2028\u2029\ufeff", exclude_categories=("Cs", "Cc", "Zl", "Zp")
)
_one_line = st.text(_CHARS, min_size=1, max_size=40).filter(lambda s: s.strip() == s and s != "")
_text = st.text(st.one_of(_CHARS, st.just("\n")), min_size=1, max_size=80).filter(
    lambda s: s.strip() != ""
)
_numbers = st.one_of(
    st.integers(-(10**9), 10**9), st.floats(allow_nan=False, allow_infinity=False, width=32)
)
_paths = st.lists(
    st.text(
        st.characters(categories=("L", "N"), include_characters="-_."), min_size=1, max_size=8
    ).filter(lambda s: s not in {".", ".."}),
    min_size=1,
    max_size=3,
).map("/".join)
_metric = st.fixed_dictionaries(
    {
        "name": _one_line,
        "before": _numbers,
        "after": _numbers,
        "unit": st.sampled_from(["", "ms", "%", "req/s"]),
        "better": st.sampled_from(["lower", "higher"]),
    }
)
_url = st.one_of(
    st.builds(lambda p: f"https://example.com/{p}", _paths), _paths, st.just("#rollback")
)
_records = st.fixed_dictionaries(
    {
        "title": _one_line,
        "date": st.dates(dt.date(1990, 1, 1), dt.date(2100, 12, 31)),
        "owner": _one_line,
        "status": st.sampled_from(list(Status)),
        "reason": _text,
        "expected_result": _text,
    },
    optional={
        "files_touched": st.lists(_paths, max_size=3),
        "commands": st.lists(_text, max_size=3),
        "metrics": st.lists(_metric, max_size=2),
        "rollback": st.fixed_dictionaries(
            {"note": _text}, optional={"command": _text, "tested": st.booleans()}
        ),
        "checklist": st.lists(
            st.fixed_dictionaries({"text": _one_line, "done": st.booleans()}), max_size=4
        ),
        "area": _one_line,
        "tags": st.lists(_one_line, max_size=3),
        "links": st.lists(st.fixed_dictionaries({"title": _one_line, "url": _url}), max_size=2),
        "commit": st.from_regex(r"[0-9a-f]{7,40}", fullmatch=True),
        "related": st.lists(_one_line, max_size=2),
    },
)


def _shorthand(item: dict[str, Any], form: int) -> object:
    if form == 0:
        return item
    if form == 1 and not item["done"]:
        return item["text"]
    return {"done" if item["done"] else "todo": item["text"]}


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(_records, st.integers(0, 2), st.booleans())
def test_record_to_yaml_and_back_is_equal(
    data: dict[str, Any], checklist_form: int, flow: bool
) -> None:
    try:
        expected = ChangeRecord.model_validate(data)
    except ValidationError:
        assume(False)
        raise
    dumped = expected.model_dump(mode="json", exclude_unset=True)
    if expected.checklist is not None:
        dumped["checklist"] = [_shorthand(i, checklist_form) for i in dumped["checklist"]]
    text = "---\n" + yaml.safe_dump(
        dumped, allow_unicode=True, sort_keys=False, default_flow_style=flow
    )
    loaded = load_text(text + "---\nBody\n", "changes/r.md", "r")
    assert isinstance(loaded, Record), (text, loaded)
    assert loaded.meta == expected
    assert loaded.body == "Body\n"


@pytest.mark.parametrize("key", ["1", "null", "yes", "2024-01-01", "1.5"])
def test_a_key_yaml_reads_as_a_non_string_is_reported_where_it_is_written(key: str) -> None:
    """Keys go through YAML 1.1 typing too (`yes:` is True); say it on the key's line, as written."""
    text = record().replace("---\n", f"---\n{key}: x\n", 1)
    result = load_text(text, "changes/r.md", "r")
    assert isinstance(result, list)
    [err] = result
    shown = err.format_text()
    assert (err.line, err.column) == (2, 1), shown
    assert key in shown
    assert "datetime" not in shown
    assert "None" not in shown
