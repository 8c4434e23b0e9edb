"""The preview's in-memory memo of rendered pages: which contexts count as the same."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from markupsafe import Markup

from changetrail.loader import Record, load_text
from changetrail.render.recall import Recall, fingerprint
from conftest import record


@dataclass(frozen=True)
class Row:
    title: str
    when: dt.date


def _record(title: str) -> Record:
    rec = load_text(record(title=title), "changes/2024-03-04-a.md", "2024-03-04-a")
    assert isinstance(rec, Record)
    return rec


def test_values_that_render_differently_have_different_fingerprints() -> None:
    values = [1, 1.0, True, "1", Markup("1"), None, "", [1], (1,), {"a": 1}, {"a": 1.0}]
    prints = [fingerprint(v) for v in values]
    assert len(set(prints)) == len(values)
    assert fingerprint(Row("a", dt.date(2024, 1, 1))) == fingerprint(Row("a", dt.date(2024, 1, 1)))
    assert fingerprint(Row("a", dt.date(2024, 1, 1))) != fingerprint(Row("a", dt.date(2024, 1, 2)))


def test_records_count_by_identity() -> None:
    one, same_text = _record("A"), _record("A")
    assert fingerprint({"r": one}) == fingerprint({"r": one})
    assert fingerprint({"r": one}) != fingerprint({"r": same_text})  # another object: render


def test_a_context_without_a_fingerprint_is_rendered_every_time() -> None:
    recall = Recall()
    assert recall.key("t.j2", {"f": lambda: 1}) is None
    assert recall.get(None) is None


def test_a_generation_keeps_what_the_last_one_used() -> None:
    recall = Recall()
    used, unused = recall.key("t.j2", {"a": 1}), recall.key("t.j2", {"a": 2})
    recall.put(used, "one")
    recall.put(unused, "two")
    recall.next_generation()
    assert recall.get(used) == "one"
    recall.next_generation()
    assert recall.get(used) == "one"
    assert recall.get(unused) is None
    assert (recall.hits, recall.misses) == (1, 1)
