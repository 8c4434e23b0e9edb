"""checks: status-dependent fields (configurable), dates, placeholders, ids and references."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from changetrail.catalog import build_catalog
from changetrail.checks import run_checks
from changetrail.errors import ConfigError, RecordError
from changetrail.loader import Record, load_text
from changetrail.models import STATUS_DEPENDENT, Status
from changetrail.pipeline import load_project
from changetrail.settings import DEFAULT_REQUIRED, Settings
from conftest import OMIT, TODAY, MakeSite, Raw, field_line, record

BARE = dict.fromkeys(STATUS_DEPENDENT, OMIT)


def rec(rid: str = "2024-03-04-a", **fields: Any) -> Record:
    result = load_text(record(**fields), f"changes/{rid}.md", rid)
    assert isinstance(result, Record), result
    return result


def check(*records: Record, settings: Settings | None = None) -> list[RecordError]:
    errors = run_checks(build_catalog(list(records)), settings or Settings(), today=TODAY)
    return sorted(errors, key=RecordError.sort_key)


def codes(errors: list[RecordError]) -> list[tuple[str, str | None]]:
    return [(e.code, e.field) for e in errors]


def test_a_complete_shipped_record_passes() -> None:
    assert check(rec()) == []


# -- which fields each status needs (the issue's table) ----------------------------------

EXPECTED_REQUIRED = {
    "draft": [],
    "planned": ["rollback"],
    "in-progress": ["rollback"],
    "shipped": ["commands", "files_touched", "metrics", "rollback"],
    "rolled-back": ["commands", "files_touched", "rollback"],
    "abandoned": [],
}


@pytest.mark.parametrize("status", list(EXPECTED_REQUIRED))
def test_required_fields_by_status(status: str) -> None:
    errors = check(rec(status=status, **BARE))
    assert all(e.code == "required_for_status" for e in errors)
    assert [e.field for e in errors] == EXPECTED_REQUIRED[status]
    for err in errors:
        assert err.message == f"required when status is '{status}'; is missing"
        assert (err.line, err.column) == (1, 1)
        assert err.hint


def test_default_required_matches_the_issue() -> None:
    for status, fields in EXPECTED_REQUIRED.items():
        assert sorted(f for f, ss in DEFAULT_REQUIRED.items() if Status(status) in ss) == fields


@pytest.mark.parametrize("name", ["files_touched", "commands", "metrics"])
def test_an_empty_list_counts_as_missing_and_points_at_the_field(name: str) -> None:
    empty: dict[str, Any] = {name: []}
    [err] = check(rec(**empty))
    assert (err.code, err.field) == ("required_for_status", name)
    assert err.message == "required when status is 'shipped'; is empty"
    assert (err.line, err.column) == (field_line(name), 1)


def test_required_fields_are_configurable() -> None:
    settings = Settings.from_options(
        {"required": {"metrics": [], "commands": ["shipped", "planned", "draft"]}}
    )
    assert settings.required["files_touched"] == DEFAULT_REQUIRED["files_touched"]
    assert codes(check(rec(metrics=OMIT), settings=settings)) == []
    assert codes(check(rec(status="draft", **BARE), settings=settings)) == [
        ("required_for_status", "commands")
    ]


def test_unknown_required_field_is_a_config_error() -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_options({"required": {"metric": ["shipped"]}})
    assert str(info.value) == (
        "mkdocs.yml: plugins.changetrail.required: 'metric' is not a status-dependent field; "
        "expected one of files_touched, commands, metrics, rollback. did you mean 'metrics'?"
    )


@pytest.mark.parametrize(
    ("options", "where"),
    [
        ({"changes_dir": "../elsewhere"}, "changes_dir"),
        ({"site_path": ""}, "site_path"),
        ({"required": {"metrics": ["done"]}}, "required.metrics.0"),
        ({"chnages_dir": "x"}, "chnages_dir"),
    ],
)
def test_bad_settings(options: dict[str, Any], where: str) -> None:
    with pytest.raises(ConfigError) as info:
        Settings.from_options(options)
    assert str(info.value).startswith(f"mkdocs.yml: plugins.changetrail.{where}: ")


# -- dates --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "future_ok"),
    [
        ("draft", True),
        ("planned", True),
        ("in-progress", False),
        ("shipped", False),
        ("rolled-back", False),
        ("abandoned", False),
    ],
)
def test_future_dates_only_for_planned_and_draft(status: str, *, future_ok: bool) -> None:
    tomorrow = TODAY + dt.timedelta(days=1)
    errors = check(rec(status=status, date=tomorrow))
    if future_ok:
        assert errors == []
    else:
        [err] = errors
        assert (err.code, err.field, err.line, err.column) == ("date.future", "date", 3, 7)
        assert err.expected == f"a date on or before {TODAY.isoformat()}"
        assert err.hint == "use status 'planned' for a change that has not happened yet"


def test_today_is_not_the_future() -> None:
    assert check(rec(date=TODAY)) == []


def test_today_defaults_to_the_local_date() -> None:
    far = dt.date.today() + dt.timedelta(days=400)  # noqa: DTZ011 - the local date on purpose
    errors = run_checks(build_catalog([rec(date=far)]), Settings())
    assert codes(errors) == [("date.future", "date")]


# -- placeholders -------------------------------------------------------------------------


def test_todo_placeholders_anywhere_are_reported_with_their_position() -> None:
    errors = check(
        rec(
            reason="TODO: why",
            commands=["make migrate", "  TODO the command"],
            rollback={"note": "TODO", "command": "x"},
            checklist=[{"todo": "TODO: fill me"}],
            tags=["TODO"],
        )
    )
    assert codes(errors) == [
        ("placeholder", "reason"),
        ("placeholder", "commands[1]"),
        ("placeholder", "rollback.note"),
        ("placeholder", "checklist[0].todo"),
        ("placeholder", "tags[0]"),
    ]
    assert errors[0].line == field_line("reason")
    assert errors[0].got == "'TODO: why'"


def test_a_todo_written_with_an_escape_is_still_a_placeholder() -> None:
    # The check skips files whose YAML text has no "TODO"; an escape can still spell one.
    written = rec(reason=Raw('"\\x54ODO: why"'), expected_result=Raw('"\\u0054ODO x"'))
    assert written.source.todo
    assert codes(check(written)) == [("placeholder", "reason"), ("placeholder", "expected_result")]
    plain = rec(reason="Why it was needed")
    assert not plain.source.todo
    assert check(plain) == []


@pytest.mark.parametrize(
    "text", ["todo: lower case", "Fix the TODO page", "TODOS are done", "ToDo"]
)
def test_text_that_only_mentions_todo_is_fine(text: str) -> None:
    assert check(rec(reason=text)) == []


# -- ids and references ------------------------------------------------------------------


def test_ids_differing_only_in_case_are_duplicates() -> None:
    errors = check(rec("2024-03-04-Orders"), rec("2024-03-04-orders"))
    # One error for the collision, naming both files (issue 7).
    assert [(e.code, e.file, e.line) for e in errors] == [
        ("id.duplicate", "changes/2024-03-04-Orders.md", 1),
    ]
    assert errors[0].message == (
        "record id '2024-03-04-Orders' is also used by changes/2024-03-04-orders.md"
    )


def test_related_must_exist_case_insensitively() -> None:
    errors = check(
        rec("2024-03-01-orders-table"),
        rec("2024-03-04-b", related=["2024-03-01-ORDERS-TABLE", "2024-03-01-orders-tabel", "x"]),
    )
    assert [(e.code, e.field, e.line, e.hint) for e in errors] == [
        (
            "related.not_found",
            "related[1]",
            field_line("related", related=[]),
            "did you mean '2024-03-01-orders-table'?",
        ),
        (
            "related.not_found",
            "related[2]",
            field_line("related", related=[]),
            "use a file name from the changes folder, without '.md'",
        ),
    ]


def test_checks_run_only_on_valid_records_and_all_problems_are_collected(
    make_site: MakeSite,
) -> None:
    root = make_site(
        {
            "changes/2024-03-04-a.md": record(status="done"),
            "changes/2024-03-04-b.md": record(metrics=[], related=["nope"]),
            "changes/2025-12-31-c.md": record(date=dt.date(2026, 12, 31), commands=OMIT),
        }
    )
    project = load_project(root, Settings(), today=TODAY)
    assert project.failed
    assert project.files == 3
    assert [(e.file.rsplit("/", 1)[-1], e.code, e.field) for e in project.errors] == [
        ("2024-03-04-a.md", "enum", "status"),
        ("2024-03-04-b.md", "required_for_status", "metrics"),
        ("2024-03-04-b.md", "related.not_found", "related[0]"),
        ("2025-12-31-c.md", "required_for_status", "commands"),
        ("2025-12-31-c.md", "date.future", "date"),
    ]
    assert [r.id for r in project.catalog.records] == ["2025-12-31-c", "2024-03-04-b"]


@pytest.mark.parametrize("rid", ["index", "tags", "Owners", "status", "schema"])
def test_ids_of_generated_pages_are_reserved(rid: str) -> None:
    errors = check(rec(rid))
    assert [(e.code, e.file, e.line) for e in errors] == [("id.reserved", f"changes/{rid}.md", 1)]


def test_a_reference_to_a_record_that_failed_to_load_is_not_missing(make_site: MakeSite) -> None:
    root = make_site(
        {
            "changes/2024-03-01-target.md": record(status="done"),
            "changes/2024-03-04-a.md": record(related=["2024-03-01-TARGET"]),
        }
    )
    project = load_project(root, Settings(), today=TODAY)
    assert [(e.file, e.code) for e in project.errors] == [("changes/2024-03-01-target.md", "enum")]
