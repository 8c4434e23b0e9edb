"""frontmatter.split / decode: unit tests and properties over generated text."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from changetrail import yamlread
from changetrail.errors import RecordError
from changetrail.frontmatter import Frontmatter, Position, decode, split
from changetrail.loader import load_text
from conftest import Raw, record

PATH = "changes/x.md"


def ok(text: str) -> Frontmatter:
    result = split(text, PATH)
    assert isinstance(result, Frontmatter), result
    return result


def errors(text: str) -> list[RecordError]:
    result = split(text, PATH)
    assert isinstance(result, list), result
    assert all(isinstance(e, RecordError) for e in result)
    return result


# -- split: the happy path -------------------------------------------------------------------


def test_split_gives_data_body_and_body_line() -> None:
    fm = ok("---\ntitle: A\nowner: bob\n---\n\n# Body\n")
    assert fm.data == {"title": "A", "owner": "bob"}
    assert fm.body == "\n# Body\n"
    assert fm.body_line == 5
    assert fm.start_line == 1
    assert fm.problems == ()


def test_positions_point_at_keys_and_values_on_disk() -> None:
    text = "---\ntitle: A\nrollback:\n  note: undo\nmetrics:\n  - name: p95\n    before: 1\n---\n"
    fm = ok(text)
    assert fm.positions[("title",)] == Position(
        line=2, column=8, key_line=2, key_column=1, raw="A", plain=True
    )
    assert fm.positions[("rollback",)].key_line == 3
    assert fm.positions[("rollback", "note")] == Position(
        line=4, column=9, key_line=4, key_column=3, raw="undo", plain=True
    )
    assert fm.positions[("metrics", 0)].line == 6
    assert fm.positions[("metrics", 0, "before")].line == 7
    assert fm.positions[("metrics", 0, "before")].column == 13


def test_position_falls_back_to_the_nearest_parent() -> None:
    fm = ok("---\nrollback:\n  note: undo\n---\n")
    pos = fm.position(("rollback", "command"))
    assert pos is not None
    assert pos.key_line == 2


def test_quoted_and_plain_scalars_are_told_apart() -> None:
    fm = ok("---\na: no\nb: 'no'\nc: \"no\"\n---\n")
    assert fm.data == {"a": False, "b": "no", "c": "no"}
    assert fm.positions[("a",)].plain
    assert not fm.positions[("b",)].plain
    assert not fm.positions[("c",)].plain


def test_a_setext_heading_in_the_body_is_not_a_conflict_marker() -> None:
    fm = ok("---\na: 1\n---\nTitle\n=======\n\nText\n")
    assert fm.body == "Title\n=======\n\nText\n"


def test_dashes_inside_the_body_stay_in_the_body() -> None:
    fm = ok("---\na: 1\n---\nintro\n---\nmore\n----\n")
    assert fm.data == {"a": 1}
    assert fm.body == "intro\n---\nmore\n----\n"


def test_longer_dash_lines_are_boundaries_too() -> None:
    # The same boundary python-frontmatter uses: three or more dashes.
    fm = ok("----\na: 1\n-----\nbody")
    assert fm.data == {"a": 1}
    assert fm.body == "body"


def test_no_body_at_all() -> None:
    fm = ok("---\na: 1\n---")
    assert fm.body == ""


def test_a_field_value_with_dashes_does_not_close_the_frontmatter() -> None:
    fm = ok("---\na: '---'\nb: |\n  x\n  ---\nc: 1\n---\n")
    assert fm.data == {"a": "---", "b": "x\n---\n", "c": 1}


def test_last_block_scalar_keeps_its_final_newline() -> None:
    """``|`` keeps one final line break (YAML "clip"), also when it is the last field."""
    fm = ok("---\nreason: |\n  Slow.\n  Very slow.\n---\n")
    assert fm.data == {"reason": "Slow.\nVery slow.\n"}
    assert fm.data == yaml.safe_load("reason: |\n  Slow.\n  Very slow.\n")


def test_unclosed_quote_points_at_the_line_where_it_opened() -> None:
    found = errors('---\ntitle: "Fix search\nowner: bob\nstatus: shipped\n---\n')
    assert [(e.code, e.line, e.column) for e in found] == [("yaml.syntax", 2, 8)]
    assert found[0].hint == "a quoted value is not closed; add the closing quote"


# -- split: every problem is a RecordError with a clear code --------------------------------


@pytest.mark.parametrize(
    ("text", "code", "line", "column"),
    [
        pytest.param("", "empty", 1, 1, id="empty"),
        pytest.param(" \n\n\t\n", "empty", 1, 1, id="blank"),
        pytest.param("# Title\n\ntext\n", "frontmatter.missing", 1, 1, id="no-frontmatter"),
        pytest.param("\n\n---\na: 1\n---\n", "frontmatter.missing", 3, 1, id="blank-lines-first"),
        pytest.param("---\na: 1\n", "frontmatter.unclosed", 1, 1, id="unclosed"),
        pytest.param("---\n---\nbody\n", "frontmatter.empty", 1, 1, id="empty-frontmatter"),
        pytest.param("---\n  \n---\n", "frontmatter.empty", 1, 1, id="blank-frontmatter"),
        pytest.param("---\n- a\n- b\n---\n", "frontmatter.not_mapping", 2, 1, id="list"),
        pytest.param("---\nhello\n---\n", "frontmatter.not_mapping", 2, 1, id="scalar"),
        pytest.param("---\na: 1\na: 2\n---\n", "yaml.duplicate_key", 3, 1, id="duplicate"),
        pytest.param("---\nr:\n  n: 1\n  n: 2\n---\n", "yaml.duplicate_key", 4, 3, id="dup-nested"),
        pytest.param("---\na: &x 1\nb: *x\n---\n", "yaml.anchor", 2, 4, id="alias"),
        pytest.param("---\na: [1\n---\n", "yaml.syntax", 2, 4, id="unclosed-flow"),
        pytest.param("---\na: 'x\n---\n", "yaml.syntax", 2, 4, id="unclosed-quote"),
        pytest.param("---\na: b: c\n---\n", "yaml.syntax", 2, 5, id="colon-in-value"),
        pytest.param("---\n<<<<<<< HEAD\na: 1\n---\n", "merge_conflict", 2, 1, id="conflict"),
        pytest.param(
            "---\na: 1\n---\n<<<<<<< HEAD\nx\n=======\ny\n>>>>>>> b\n",
            "merge_conflict",
            4,
            1,
            id="conflict-body",
        ),
        pytest.param(
            "---\n!!python/object/apply:os.system ['true']\n---\n", "yaml.syntax", 2, 1, id="py-tag"
        ),
    ],
)
def test_split_problems(text: str, code: str, line: int, column: int) -> None:
    found = errors(text)
    assert [(e.code, e.line, e.column) for e in found] == [(code, line, column)]
    assert found[0].file == PATH
    assert found[0].message
    assert found[0].field is None


def test_a_billion_laughs_is_refused_before_it_expands() -> None:
    lines = ["---", "a: &a ['x','x','x','x','x','x','x','x','x']"]
    lines += [f"{chr(98 + i)}: &{chr(98 + i)} [*{chr(97 + i)}, *{chr(97 + i)}]" for i in range(8)]
    found = errors("\n".join([*lines, "---", ""]))
    assert [e.code for e in found] == ["yaml.anchor"]


def test_tab_in_indentation_is_reported_per_line_and_the_rest_still_read() -> None:
    result = split("---\nrollback:\n\tnote: x\n\tcommand: y\ntitle: T\n---\n", PATH)
    assert isinstance(result, Frontmatter)
    assert [(e.code, e.line, e.column) for e in result.problems] == [
        ("yaml.tab", 3, 1),
        ("yaml.tab", 4, 1),
    ]
    assert result.data["title"] == "T"


@pytest.mark.parametrize(
    ("text", "line"),
    [
        pytest.param("---\na: !!float x\n---\n", 2, id="float-tag"),
        pytest.param("---\na: !!float\n---\n", 2, id="empty-float-tag"),
        pytest.param("---\na: !!int abc\n---\n", 2, id="int-tag"),
        pytest.param("---\ndate: 2023-02-29\n---\n", 2, id="no-such-day"),
        pytest.param("---\na: b\ndate: 2024-02-30 10:00:00\n---\n", 3, id="no-such-timestamp"),
        pytest.param("---\na: !!timestamp 2024-13-45\n---\n", 2, id="timestamp-tag"),
    ],
)
def test_values_yaml_cannot_construct_are_errors_not_exceptions(text: str, line: int) -> None:
    """PyYAML's constructors raise ValueError (or IndexError) for these.

    split must either report the value on its line, or keep it as the text written so that
    the model reports it.
    """
    result = split(text, PATH)
    if isinstance(result, list):
        assert [e.line for e in result] == [line]
    else:
        key = text.split("\n")[line - 1].split(":")[0]
        assert isinstance(result.data[key], str)
        assert result.positions[(key,)].line == line


def test_an_impossible_date_is_reported_on_the_date_field() -> None:
    result = load_text(record(date=Raw("2023-02-29")), PATH, "x")
    assert isinstance(result, list)
    assert [(e.field, e.line, e.column) for e in result] == [("date", 3, 7)]


def test_control_character_is_reported_on_its_line() -> None:
    found = errors("---\ntitle: ok\nowner: a\x01b\n---\n")
    assert [(e.line, e.column) for e in found] == [(3, 9)]
    assert "<unicode string>" not in found[0].message


# -- decode ------------------------------------------------------------------------------------


def test_decode_normalises_line_ends_and_drops_the_bom() -> None:
    assert decode("\ufeff---\r\na: 1\rb\n".encode(), PATH) == "---\na: 1\nb\n"


def test_decode_reports_the_first_bad_byte_with_line_and_column() -> None:
    err = decode(b"---\ntitle: caf\xe9\n---\n", PATH)
    assert isinstance(err, RecordError)
    assert (err.code, err.line, err.column, err.got) == ("encoding", 2, 11, "byte 0xe9")
    assert err.hint == "save the file as UTF-8"


@pytest.mark.parametrize("codec", ["utf-16", "utf-16-le", "utf-16-be"])
def test_decode_recognises_utf16(codec: str) -> None:
    raw = "---\ntitle: x\n---\n".encode(codec)
    if codec != "utf-16":
        raw = ("\ufeff".encode(codec)) + raw
    err = decode(raw, PATH)
    assert isinstance(err, RecordError)
    assert err.code == "encoding"
    assert err.hint == "the file looks like UTF-16; save it as UTF-8"


# -- properties --------------------------------------------------------------------------------

# Fragments that reach every branch of split: boundaries, YAML syntax, tabs, tags, anchors,
# conflict markers, dates and numbers that YAML re-types.
_FRAGMENTS = st.sampled_from(
    [
        "---", "----", "--- ", "\n", "\r\n", "\t", " ", "  ", ":", ": ", "- ", "a", "title",
        "b: c", "&x ", "*x", "!!str ", "!!int ", "!!float ", "!!binary ", "!!python/name:os ",
        "[", "]", "{", "}", "'", '"', "#", "|", ">", "?", "%YAML 1.1", "...", "2024-02-30",
        "2024-01-01", "12:30", "no", ".nan", "1e3", "<<<<<<< x", "=======", "\x00", "\x85",
        "\u2028", "\ufeff", "é", "~", "null", "<<: ",
    ]
)  # fmt: skip
_TEXTS = st.one_of(
    st.text(),
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=3)), max_size=40).map("".join),
    st.lists(st.one_of(_FRAGMENTS, st.text(max_size=3)), max_size=30).map(
        lambda parts: "---\n" + "".join(parts) + "\n---\n"
    ),
)


@settings(max_examples=400, suppress_health_check=[HealthCheck.too_slow])
@given(_TEXTS)
@example("---\ndate: 2023-02-29\n---\n")
@example("---\na: !!float x\n---\n")
def test_split_never_raises_and_lines_stay_in_the_file(text: str) -> None:
    text = text.replace("\r\n", "\n").replace("\r", "\n")  # what decode() hands to split()
    result = split(text, PATH)
    n_lines = text.count("\n") + 1
    if isinstance(result, Frontmatter):
        assert isinstance(result.data, dict)
        problems = list(result.problems)
        for pos in result.positions.values():
            assert 1 <= pos.line <= n_lines
            assert 1 <= pos.key_line <= n_lines
        assert 1 <= result.body_line <= n_lines + 1
    else:
        assert result, "an error list is never empty"
        problems = result
    for err in problems:
        assert isinstance(err, RecordError)
        assert err.line is None or 1 <= err.line <= n_lines, (err, n_lines)
        assert err.column is None or err.column >= 1


@given(st.binary(max_size=200))
def test_decode_never_raises(raw: bytes) -> None:
    result = decode(raw, PATH)
    if isinstance(result, RecordError):
        assert 1 <= (result.line or 0) <= raw.count(b"\n") + 1
    else:
        assert "\r" not in result


# YAML 1.1 reads NEL, LS and PS as line breaks but PyYAML's emitter writes them raw in plain
# scalars, so they do not survive safe_dump -> safe_load whoever splits the file.
# Bidi controls are refused in metadata (yaml.bidi), so generated values hold none.
_TEXT = st.characters(
    exclude_characters="\x85\u2028\u2029\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069",
    exclude_categories=["Cs"],
)

# Values safe_dump writes and safe_load reads back as equal (no NaN, no sets, no bytes).
_scalars = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(),
    st.floats(allow_nan=False),
    st.text(alphabet=_TEXT),
)
_values = st.recursive(
    _scalars,
    lambda inner: st.one_of(
        st.lists(inner, max_size=4), st.dictionaries(st.text(_TEXT, min_size=1), inner, max_size=4)
    ),
    max_leaves=12,
)
_data = st.dictionaries(st.text(_TEXT, min_size=1), _values, max_size=8)
_body_lines = st.lists(
    st.one_of(st.sampled_from(["---", "----", "--- ", "", "# Title", "a: b"]), st.text(_TEXT)),
    max_size=8,
)
# A NUL anywhere in a file is refused (file.nul), so bodies are generated without one.
_bodies = _body_lines.map("\n".join).map(lambda s: s.replace("\r", "").replace("\x00", ""))


def render(data: dict[str, Any], body: str) -> str:
    return "---\n" + yaml.safe_dump(data, allow_unicode=True, sort_keys=False) + "---\n" + body


@settings(max_examples=300, suppress_health_check=[HealthCheck.too_slow])
@given(_data, _bodies)
def test_round_trip(data: dict[str, Any], body: str) -> None:
    fm = ok(render(data, body))
    assert fm.data == data
    assert fm.body == body


@settings(max_examples=150, suppress_health_check=[HealthCheck.too_slow])
@given(_data, _bodies, st.booleans(), st.booleans())
def test_crlf_and_bom_give_the_same_result_as_lf(
    data: dict[str, Any], body: str, crlf: bool, bom: bool
) -> None:
    lf = render(data, body)
    variant = lf.replace("\n", "\r\n") if crlf else lf
    raw = (("\ufeff" if bom else "") + variant).encode("utf-8")
    decoded = decode(raw, PATH)
    assert isinstance(decoded, str)
    assert split(decoded, PATH) == split(lf, PATH)


# -- the one-pass reader gives what the long way gives ----------------------------------------

_ROOT = Path(__file__).resolve().parent.parent


def _fixture_frontmatters() -> list[tuple[str, str]]:
    """Every frontmatter of the golden error cases and of this project's records and docs."""
    found = []
    for case in sorted((_ROOT / "tests" / "golden" / "errors").glob("*.yml")):
        for name, text in yaml.safe_load(case.read_text(encoding="utf-8"))["files"].items():
            found.append((f"{case.stem}:{name}", text))
    pages = sorted([*(_ROOT / "changes").glob("*.md"), *(_ROOT / "docs").rglob("*.md")])
    found.extend((p.relative_to(_ROOT).as_posix(), p.read_text(encoding="utf-8")) for p in pages)
    return [(name, text) for name, text in found if _closed(text)]


def _closed(text: str) -> bool:
    lines = text.split("\n")
    return len(lines) > 2 and lines[0] == "---" and "---" in lines[1:]


def _all_ways(fm_text: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """``read_mapping`` line by line, with the one-pass walk, and the long way: all the same."""
    lines = yamlread.read_mapping(fm_text, PATH)
    with monkeypatch.context() as patched:
        patched.setattr(yamlread, "_read_lines", lambda *_: None)
        walked = yamlread.read_mapping(fm_text, PATH)
        patched.setattr(yamlread, "_walk", lambda *_: None)
        slow = yamlread.read_mapping(fm_text, PATH)
    _same(lines, slow)
    _same(walked, slow)


def _same(fast: Any, slow: Any) -> None:
    assert fast == slow
    if isinstance(fast, yamlread.YamlDoc):
        assert list(fast.positions) == list(slow.positions)  # the same order, too
        assert _types(fast.data) == _types(slow.data)


def _types(value: Any) -> Any:
    """The value with every scalar replaced by its type (``1 == True``, ``date != datetime``)."""
    if isinstance(value, dict):
        return {k: _types(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_types(v) for v in value]
    return type(value)


@pytest.mark.parametrize(("name", "text"), _fixture_frontmatters(), ids=lambda v: str(v)[:60])
def test_the_one_pass_reader_matches_the_long_way_on_fixtures(
    name: str, text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    lines = text.split("\n")
    fm_text = "\n".join(lines[1 : lines.index("---", 1)]) + "\n"
    _all_ways(fm_text, monkeypatch)


_scalars = st.one_of(
    st.text(max_size=12),
    st.integers(),
    st.floats(allow_nan=False),
    st.booleans(),
    st.none(),
    st.dates(),
    st.sampled_from(["yes", "0x1F", "1_000", "2024-02-30", "1:30", ".inf", "~", "Fix #42"]),
)
_values = st.recursive(
    _scalars,
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3)
    ),
    max_leaves=8,
)


@settings(max_examples=200, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    data=st.dictionaries(st.text(min_size=1, max_size=8), _values, min_size=1, max_size=5),
    flow=st.sampled_from([None, True, False]),
    extra=st.sampled_from(
        [
            "",
            "x: a #b\n",
            "x: 1\nx: 2\n",
            "1: a\n",
            "a: !!set {b}\n",
            "a: &x b\nc: *x\n",
            "a: !!binary aGk=\n",
        ]
    ),
)
def test_the_one_pass_reader_matches_the_long_way_on_generated_yaml(
    data: dict[str, Any], flow: bool | None, extra: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    fm_text = yaml.safe_dump(data, default_flow_style=flow, allow_unicode=True, sort_keys=False)
    _all_ways(fm_text + extra, monkeypatch)


# Lines as people write them, and near misses: every kind of line the line-by-line reader takes,
# at every indentation, with values it takes and values it must leave to the long way.
_KEY_TEXTS = [
    "a",
    "b",
    "title",
    "x_y",
    "x-y",
    "y",
    "_a",
    "A1",
    "yes",
    "null",
    "on",
    "True",
    "NO",
    "<<",
]
_LINE_KEYS = st.sampled_from(_KEY_TEXTS)
_VALUE_TEXTS = [
        '"text"', '"a b "', '""', "'text'", "''", "'it''s'", '"a\\"b"', '"x" y', "[]", "{}",
        "[a]", "{a: 1}", "[ ]", "shipped", "a b", "a  b", "2024-01-01", "2024-02-30",
        "2024-01-01 10:00:00", "12", "-5", "+1", "1_000", "0x1F", "0o17", "017", "1e3", "1.5",
        ".5", ".inf", ".NaN", "yes", "No", "ON", "null", "Null", "~", "Fix #42", "a #b",
        "a: b", "12:30", "é", "(x)", "x/y", "_", "a-b", "a - b", "=", "<<", "&x a", "*x",
        "!!str a", "|", ">", "%x", "@x", "`x`", "x,y", "true", "false", "1:30", "2024-1-1",
        "1 ", "",
    ]  # fmt: skip
_LINE_VALUES = st.sampled_from(_VALUE_TEXTS)
_LINE = st.one_of(
    st.tuples(_LINE_KEYS, _LINE_VALUES).map(lambda kv: f"{kv[0]}: {kv[1]}"),
    _LINE_KEYS.map(lambda k: f"{k}:"),
    _LINE_VALUES.map(lambda v: f"- {v}"),
    st.tuples(_LINE_KEYS, _LINE_VALUES).map(lambda kv: f"- {kv[0]}: {kv[1]}"),
    _LINE_KEYS.map(lambda k: f"- {k}:"),
    st.sampled_from(["-", "- -", "# note", "", "a:b", "---", "...", "? a", "- - a", "-  a: 1"]),
)
_LINES = st.lists(
    st.tuples(st.integers(0, 6), _LINE, st.sampled_from(["", "", " ", "  # c"])).map(
        lambda t: " " * t[0] + t[1] + t[2]
    ),
    min_size=1,
    max_size=12,
)


# Mostly what the line reader takes, so that both its answers and its refusals are tested.
_TAKEN = ['"text"', '"a b "', '""', "'x y'", "shipped", "a b", "2024-01-01", "12", "1.5", "true",
          "null", "(x)", "x/y", "_", "a-b", "1_000", "0x1F", ".inf", "No", "[]", "{}", "é"]  # fmt: skip
_LEAF = st.integers(0, 29).flatmap(
    lambda n: st.sampled_from(_TAKEN if n else [v for v in _VALUE_TEXTS if v and v[0] not in "[{"])
)
_KEYS = st.integers(0, 29).flatmap(
    lambda n: st.sampled_from(
        ["a", "b", "title", "x_y", "x-y", "y", "_a", "A1"] if n else _KEY_TEXTS
    )
)


def _first(pair: tuple[str, Any]) -> str:
    return pair[0]


# A mapping is a list of (key, value) pairs; a list's items are leaves, mappings, and rarely
# lists.
_TREE = st.recursive(
    _LEAF,
    lambda inner: (
        st.lists(st.tuples(_KEYS, inner), min_size=1, max_size=3, unique_by=_first)
        | st.lists(
            st.one_of(
                _LEAF,
                _LEAF,
                st.lists(st.tuples(_KEYS, inner), min_size=1, max_size=3, unique_by=_first),
                st.lists(_LEAF, min_size=1, max_size=2),
            ),
            min_size=1,
            max_size=3,
        )
    ),
    max_leaves=10,
)


@st.composite
def _written(draw: st.DrawFn) -> list[str]:
    """A tree written in block style, as people do: varied indents, dashes, comments, blanks;
    then, sometimes, one line moved, doubled or dropped."""
    step = draw(st.sampled_from([2, 2, 4, 3, 1]))
    indentless = draw(st.booleans())
    dash = draw(st.sampled_from(["- ", "- ", "-  "]))
    lines: list[str] = []

    def write(node: Any, indent: int) -> None:
        if isinstance(node, list) and node and isinstance(node[0], tuple):  # a mapping
            for key, value in node:
                lead = " " * indent
                if isinstance(value, str):
                    lines.append(f"{lead}{key}: {value}")
                else:
                    lines.append(f"{lead}{key}:")
                    nested = isinstance(value, list) and value and not isinstance(value[0], tuple)
                    write(value, indent if nested and indentless else indent + step)
                if draw(st.integers(0, 9)) == 0:
                    lines.append(draw(st.sampled_from(["", "# note", "   # note", "  "])))
        else:  # a list
            for item in node:
                lead = " " * indent + dash
                if isinstance(item, str):
                    lines.append(lead + item)
                elif item and isinstance(item[0], tuple):  # "- key: value", then the others
                    lines.append(lead.rstrip())
                    at = len(lines)
                    write(item, indent + len(dash))
                    first = lines.pop(at)
                    lines[at - 1] = lead + first.lstrip(" ")
                else:
                    lines.append(lead.rstrip())
                    write(item, indent + len(dash))

    root = draw(st.lists(st.tuples(_KEYS, _TREE), min_size=1, max_size=6, unique_by=_first))
    write(root, 0)
    if lines and draw(st.integers(0, 4)) == 0:
        i = draw(st.integers(0, len(lines) - 1))
        change = draw(st.sampled_from(["indent", "dedent", "double", "drop", "space"]))
        if change == "indent":
            lines[i] = " " + lines[i]
        elif change == "dedent":
            lines[i] = lines[i][1:]
        elif change == "double":
            lines.insert(i, lines[i])
        elif change == "drop":
            del lines[i]
        else:
            lines[i] += " "
    return lines


@settings(max_examples=1500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.one_of(_LINES, _written()))
@example(lines=["tags:", "- a", "- b", "next: 1"])
@example(lines=["a:", "  - b: 1", "    c:", "      - d", "  - e", "f: []"])
@example(lines=["- a: 1", "  - b"])
@example(lines=["a:", "  b: 1", " c: 2"])
def test_the_line_reader_matches_the_long_way(
    lines: list[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    _all_ways("\n".join(lines) + "\n", monkeypatch)


def test_the_line_reader_reads_ordinary_frontmatter() -> None:
    fm_text = (
        'title: "Add an index"\ndate: 2019-01-01\nscore:\n  quality: 49\ntags:\n  - "a"\n'
        'checklist:\n  - todo: "x"\n    done: true\nrelated: []\nextra: {}\n'
    )
    read = yamlread._read_lines(fm_text)
    assert read is not None
    data, positions = read
    assert data == {
        "title": "Add an index",
        "date": dt.date(2019, 1, 1),
        "score": {"quality": 49},
        "tags": ["a"],
        "checklist": [{"todo": "x", "done": True}],
        "related": [],
        "extra": {},
    }
    assert positions[("checklist", 0, "done")] == yamlread.Position(
        10, 11, 10, 5, "true", plain=True
    )


def test_the_quick_position_is_a_position() -> None:
    quick = yamlread._position(3, 4, 2, 1, "x", plain=True)
    slow = yamlread.Position(3, 4, 2, 1, "x", plain=True)
    assert quick == slow
    assert repr(quick) == repr(slow)
    assert hash(quick) == hash(slow)
    assert yamlread._position(1, 2, 3, 4) == yamlread.Position(1, 2, 3, 4)


# Characters that mean something to YAML, or that YAML refuses, or that the line reader leaves
# to the long way: inserted into, or put in place of, a character of a written frontmatter.
_MUTATIONS = st.sampled_from(
    [
        *" -:#'\"\\[]{},&*!|>?%@`~=<\t\r.+_()/0123456789aeklnoruxy",
        *["\n", "\n  ", ": ", " #", "- ", "é", "\xa0", "\x85", "\u2028", "\ufeff", "\x7f"],
        *["\x00", "\u202e", "日", "\U0001f600", "\ufffe", "k" * 1030, "  " * 20],
    ]  # (no lone surrogates: files are decoded as strict UTF-8)
)


@st.composite
def _mutated(draw: st.DrawFn) -> str:
    """A written frontmatter with one to three characters inserted, replaced or deleted."""
    text = "\n".join(draw(_written())) + "\n"
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(text)))
        how = draw(st.sampled_from(["insert", "insert", "replace", "delete"]))
        piece = draw(_MUTATIONS) if how != "delete" else ""
        text = text[:at] + piece + text[at + (how != "insert") :]
    return text


@settings(max_examples=1500, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(fm_text=_mutated())
@example(fm_text="k" * 1025 + ": v\n")
@example(fm_text="a:\n  - " + "k" * 1025 + ": v\n")
def test_the_line_reader_matches_the_long_way_on_near_misses(
    fm_text: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    _all_ways(fm_text, monkeypatch)


@pytest.mark.parametrize("length", [1, 1024, 1025, 4000])
def test_the_line_reader_leaves_long_keys_to_libyaml(
    length: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    # libyaml reads a key of more than 1024 characters as an error ("mapping values are not
    # allowed"); the line reader must not read it as a field.
    for fm_text in (f"{'k' * length}: v\n", f"a:\n  - x: 1\n    {'k' * length}: v\n"):
        _all_ways(fm_text, monkeypatch)


@pytest.mark.parametrize("depth", [10, 200, 995, 1100])
def test_the_line_reader_leaves_deep_nesting_to_the_long_way(depth: int) -> None:
    # libyaml refuses nesting beyond its limit ("exceeded maximum nesting depth"), and Python's
    # recursion limit stops the long way before that: deep frontmatter is not ordinary.
    fields = "".join("  " * i + f"k{i}:\n" for i in range(depth)) + "  " * depth + "x: 1\n"
    items = "k:\n" + "".join("  " * i + "- a:\n" for i in range(depth)) + "  " * depth + "- 1\n"
    for fm_text in (fields, items):
        assert (yamlread._read_lines(fm_text) is None) == (depth > 10)


@pytest.mark.parametrize("depth", [990, 995])
def test_frontmatter_nested_just_short_of_libyamls_limit_is_a_message_not_a_crash(
    depth: int,
) -> None:
    # libyaml reads it (its limit is 1000 levels), but collecting the positions of its nodes
    # ran out of Python's recursion limit: a RecursionError ended the whole check.
    found = yamlread.read_mapping("extra: " + "[" * depth + "]" * depth + "\n", PATH)
    assert isinstance(found, list)
    assert [(e.code, e.line) for e in found] == [("yaml.depth", 2)]
