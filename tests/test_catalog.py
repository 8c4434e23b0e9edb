"""catalog: ordering, month groups, taxonomies with unique slugs, lookups."""

from __future__ import annotations

import datetime as dt
from typing import Any

from changetrail.catalog import build_catalog, make_slug
from changetrail.loader import Record, load_text
from conftest import record


def rec(rid: str, path: str | None = None, **fields: Any) -> Record:
    fields.setdefault("date", dt.date.fromisoformat(rid[:10]))
    result = load_text(record(**fields), path or f"changes/{rid}.md", rid)
    assert isinstance(result, Record), result
    return result


def test_records_are_newest_first_then_by_id() -> None:
    catalog = build_catalog(
        [
            rec("2024-01-05-b"),
            rec("2024-03-01-a"),
            rec("2024-01-05-a"),
            rec("2023-12-31-z"),
        ]
    )
    assert [r.id for r in catalog.records] == [
        "2024-03-01-a",
        "2024-01-05-a",
        "2024-01-05-b",
        "2023-12-31-z",
    ]


def test_months_group_newest_month_first() -> None:
    catalog = build_catalog(
        [rec("2024-01-05-b"), rec("2024-03-01-a"), rec("2024-01-20-c"), rec("2023-12-31-z")]
    )
    assert [(m.isoformat(), [r.id for r in recs]) for m, recs in catalog.months()] == [
        ("2024-03-01", ["2024-03-01-a"]),
        ("2024-01-01", ["2024-01-20-c", "2024-01-05-b"]),
        ("2023-12-01", ["2023-12-31-z"]),
    ]


def test_the_order_does_not_depend_on_the_input_order() -> None:
    records = [rec(f"2024-01-0{i}-r{i}") for i in range(1, 8)]
    a = build_catalog(records)
    b = build_catalog(list(reversed(records)))
    assert [r.id for r in a.records] == [r.id for r in b.records]
    assert a.tags.items() == b.tags.items()


def test_taxonomies_group_records_and_sort_labels_case_insensitively() -> None:
    catalog = build_catalog(
        [
            rec("2024-01-01-a", tags=["perf", "DB", "perf"], owner="bob"),
            rec("2024-01-02-b", tags=["db"], owner="Alice", status="planned"),
            rec("2024-01-03-c", tags=["api"], owner="bob"),
        ]
    )
    tags = [(label, slug, [r.id for r in recs]) for label, slug, recs in catalog.tags.items()]
    assert tags == [
        ("api", "api", ["2024-01-03-c"]),
        ("DB", "db", ["2024-01-01-a"]),
        ("db", "db-2", ["2024-01-02-b"]),
        ("perf", "perf", ["2024-01-01-a"]),
    ]
    owners = [(label, [r.id for r in recs]) for label, _, recs in catalog.owners.items()]
    assert owners == [("Alice", ["2024-01-02-b"]), ("bob", ["2024-01-03-c", "2024-01-01-a"])]
    statuses = [(label, slug) for label, slug, _ in catalog.statuses.items()]
    assert statuses == [("planned", "planned"), ("shipped", "shipped")]


def test_labels_with_one_slug_keep_separate_pages() -> None:
    catalog = build_catalog(
        [rec("2024-01-01-a", tags=["C++", "C", "c#", "Zürich", "<script>", "日本語", "!!!"])]
    )
    slugs = dict(catalog.tags.slugs)
    assert len(set(slugs.values())) == len(slugs)
    assert slugs["Zürich"] == "zurich"
    assert slugs["<script>"] == "script"
    assert slugs["!!!"] == "item"
    for slug in slugs.values():
        assert slug == make_slug(slug) or slug.rsplit("-", 1)[-1].isdigit()
        assert all(ch.isalnum() or ch == "-" for ch in slug)


def test_make_slug_is_url_safe_and_never_empty() -> None:
    assert make_slug("Add index on orders.created_at") == "add-index-on-orders-created-at"
    assert make_slug("") == "item"
    assert make_slug("../../etc/passwd") == "etc-passwd"
    assert len(make_slug("word " * 100)) <= 80


def test_get_is_case_insensitive_and_duplicates_keep_the_first_path() -> None:
    first = rec("2024-01-01-Orders", path="changes/2024-01-01-Orders.md", title="First")
    second = rec("2024-01-01-orders", path="changes/z/2024-01-01-orders.md", title="Second")
    catalog = build_catalog([second, first])
    found = catalog.get("2024-01-01-ORDERS")
    assert found is not None
    assert found.meta.title == "First"
    assert catalog.get("nope") is None
    assert len(catalog.records) == 2


def test_related_from_lists_the_records_that_point_here() -> None:
    target = rec("2024-01-01-a")
    catalog = build_catalog(
        [
            target,
            rec("2024-01-02-b", related=["2024-01-01-A"]),
            rec("2024-01-03-c", related=["2024-01-01-a"]),
        ]
    )
    assert [r.id for r in catalog.related_from["2024-01-01-a"]] == ["2024-01-03-c", "2024-01-02-b"]


def test_empty_catalog() -> None:
    catalog = build_catalog([])
    assert catalog.records == ()
    assert catalog.months() == []
    assert catalog.tags.items() == []
