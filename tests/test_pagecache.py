"""The page cache's own pieces: front matter data as JSON, and the memo of pure steps."""

from __future__ import annotations

import datetime as dt
import json
import zoneinfo
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

import yaml
from hypothesis import given
from hypothesis import strategies as st
from mkdocs.utils.meta import get_data

from changetrail.buildcache import BuildCache
from changetrail.pagecache import _UNSUPPORTED, PageCache, _decode_meta, _encode_meta

if TYPE_CHECKING:
    from pathlib import Path

_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(),
    st.dates(),
    # PyYAML gives fixed UTC offsets (a timestamp with "+02:00"), never a named zone.
    st.datetimes(
        timezones=st.one_of(
            st.none(),
            st.builds(
                dt.timezone,
                st.timedeltas(min_value=dt.timedelta(hours=-23), max_value=dt.timedelta(hours=23)),
            ),
        )
    ),
)
_data = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4),
        st.dictionaries(st.text(max_size=8), inner, max_size=4),
    ),
    max_leaves=20,
)


@given(_data)
def test_front_matter_data_survives_json(value: Any) -> None:
    encoded = _encode_meta(value)
    if encoded is _UNSUPPORTED:  # only a "$" key does this among these types
        return
    decoded = _decode_meta(json.loads(json.dumps(encoded)))
    assert decoded == value
    assert type(decoded) is type(value)


def test_what_json_cannot_hold_is_not_cached() -> None:
    assert _encode_meta({"a": {1, 2}}) is _UNSUPPORTED
    assert _encode_meta({"a": b"bytes"}) is _UNSUPPORTED
    assert _encode_meta({1: "int key"}) is _UNSUPPORTED
    assert _encode_meta({"$": "date", "v": "2024-01-01"}) is _UNSUPPORTED
    assert _encode_meta([("a", 1)]) is _UNSUPPORTED
    zoned = dt.datetime(2024, 1, 2, tzinfo=zoneinfo.ZoneInfo("Europe/Paris"))
    assert _encode_meta({"when": zoned}) is _UNSUPPORTED
    assert _encode_meta({"when": dt.date(2024, 1, 2)}) == {"when": {"$": "date", "v": "2024-01-02"}}


SOURCES = [
    "---\ntitle: T\ndate: 2024-01-02\nwhen: 2024-01-02 10:00:00+02:00\ntags: [a, b]\n---\n\n# T\n",
    "---\nodd: !!set {a, b}\n---\nBody\n",  # not JSON: parsed every time
    "Title: MultiMarkdown\n\nBody\n",
    "Title: MultiMarkdown\r\n\r\nBody\r\n",  # not a suffix of the source: parsed every time
    "No front matter at all.\n",
]


def _page() -> Any:
    return SimpleNamespace(markdown=None, meta=None)


def test_a_warm_read_gives_what_mkdocs_gives(tmp_path: Path) -> None:
    for run in range(2):  # cold, then warm from the stored file
        store = BuildCache(tmp_path)
        cache = PageCache.__new__(PageCache)
        cache.store, cache.markdown_key = store, "k"
        for source in SOURCES:
            page = _page()
            cache._set_source(page, source)
            markdown, meta = get_data(source)
            assert page.markdown == markdown, (run, source)
            assert page.meta == meta, (run, source)
        hits = store.hits.get("meta", 0)
        assert hits == (3 if run else 0)  # all but the !!set one come back on the second run
        store.close(prune=True)
    assert yaml.__version__  # PyYAML is what MkDocs parses with


def test_memo_runs_a_step_once_per_text(tmp_path: Path) -> None:
    calls: list[str] = []

    def work(text: str) -> str:
        calls.append(text)
        return text.upper()

    for _ in range(2):  # entries are written at close(): the second build finds them
        store = BuildCache(tmp_path)
        cache = PageCache.__new__(PageCache)
        cache.store, cache.markdown_key = store, "k"
        assert cache.memo("upper", "<p>a</p>", work) == "<P>A</P>"
        store.close(prune=True)
    assert calls == ["<p>a</p>"]
    cache.markdown_key = None  # the cache is off: always runs
    assert cache.memo("upper", "<p>a</p>", work) == "<P>A</P>"
    assert len(calls) == 2
