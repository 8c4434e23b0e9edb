"""Read a frontmatter's YAML safely, keeping where every value came from.

PyYAML's safe loader (libyaml's when present) composes nodes first, so that each field knows its
line and column. Before anything is constructed, the nodes are checked: anchors and aliases
(alias bombs), repeated keys and keys that are not text are refused. A tab in the indentation
is reported and, where re-indenting the line makes the YAML readable, the rest of the file is
still checked. Pure: text in, ``YamlDoc`` or a list of ``RecordError`` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace
from typing import Any

import yaml

from .errors import RecordError, Severity, located

__all__ = ["Loc", "Position", "YamlDoc", "read_mapping"]

Loc = tuple[str | int, ...]

try:  # libyaml is seven times faster; the pure-Python loader gives the same nodes.
    _BaseLoader: type[yaml.SafeLoader] = yaml.CSafeLoader  # type: ignore[assignment]
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _BaseLoader = yaml.SafeLoader


class _Loader(_BaseLoader):  # type: ignore[misc,valid-type]
    """Safe loader; no Python tags. A date that does not exist stays text for the model."""


# What PyYAML's constructors raise for values they cannot build (2024-02-30, !!float "").
_CONSTRUCT_ERRORS = (ValueError, TypeError, OverflowError, IndexError)


def _timestamp_or_text(loader: yaml.SafeLoader, node: yaml.ScalarNode) -> object:
    try:
        return loader.construct_yaml_timestamp(node)
    except (ValueError, OverflowError):
        return loader.construct_scalar(node)


_Loader.add_constructor("tag:yaml.org,2002:timestamp", _timestamp_or_text)


@dataclass(frozen=True, slots=True)
class Position:
    """Where a value sits in the file on disk (1-based)."""

    line: int
    column: int
    key_line: int
    key_column: int
    raw: str | None = None  # the source text of a scalar
    plain: bool = False  # written without quotes, so YAML may have read it as a non-string


@dataclass(frozen=True, slots=True)
class YamlDoc:
    """A frontmatter mapping with positions, and the problems found on the way."""

    data: dict[str, Any]
    positions: dict[Loc, Position]
    #: Worked around (tabs): the file is not valid while any is present.
    problems: tuple[RecordError, ...] = ()
    #: Worth telling, not wrong (a value that a ' #' comment may have cut short).
    warnings: tuple[RecordError, ...] = field(default=())


def read_mapping(fm_text: str, path: str) -> YamlDoc | list[RecordError]:
    """Parse frontmatter text (which starts on line 2 of the file) into a mapping."""
    try:
        result = _read_mapping(fm_text, path)
    except RecursionError:  # collecting the positions of nodes nested just short of libyaml's limit
        result = [located(path, 2, 1, "yaml.depth", "frontmatter is nested too deeply to read")]
    # YAML also breaks lines at NEL, LS and PS; a line number must still point into the file.
    last = fm_text.count("\n") + _OFFSET
    if isinstance(result, list):
        return [_clamp(e, last) for e in result]
    return result


def _clamp(err: RecordError, last: int) -> RecordError:
    if err.line is not None and err.line > last:
        return replace(err, line=last, column=1)
    return err


def _read_mapping(fm_text: str, path: str) -> YamlDoc | list[RecordError]:
    refused = _refused_characters(fm_text, path) + _anchors(fm_text, path)
    if refused:
        return refused
    quick = _read_lines(fm_text)
    if quick is not None:
        return YamlDoc(data=quick[0], positions=quick[1])
    parsed = _compose(fm_text, path)
    problems: tuple[RecordError, ...] = ()
    if isinstance(parsed, yaml.MarkedYAMLError):
        first = _yaml_error(parsed, path, fm_text)
        recovered = _recover_tabs(fm_text, path) if first.code == "yaml.tab" else None
        if recovered is None:
            return [first]
        parsed, problems = recovered
    if isinstance(parsed, list):
        return parsed
    node, data, walked = parsed
    if not isinstance(data, dict):
        kind = "a list" if isinstance(data, list) else f"a single value ({type(data).__name__})"
        return [
            located(
                path,
                2,
                1,
                "frontmatter.not_mapping",
                "frontmatter must be a set of 'field: value' lines",
                expected="a mapping",
                got=kind,
                hint="write each field on its own line as 'name: value'",
            )
        ]
    assert node is not None
    if walked is None:
        positions: dict[Loc, Position] = {}
        _collect_positions(node, (), positions, _OFFSET, None)
        plain = _plain_scalars(node)
    else:
        positions, plain = walked
    warnings = tuple(_cut_by_comment(plain, fm_text, path))
    return YamlDoc(data=data, positions=positions, problems=problems, warnings=warnings)


# Bidirectional-text controls can make text display differently from what it is ("Trojan
# Source"); NUL and other C0/C1 controls are invisible. Neither belongs in metadata.
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069]")


def _refused_characters(fm_text: str, path: str) -> list[RecordError]:
    found = []
    for match in _BIDI.finditer(fm_text):
        line = fm_text.count("\n", 0, match.start())
        col = match.start() - (fm_text.rfind("\n", 0, match.start()) + 1)
        found.append(
            located(
                path,
                line + 1 + _OFFSET,
                col + 1,
                "yaml.bidi",
                f"a bidirectional-text control character (U+{ord(match.group()):04X}) is not "
                "allowed in metadata",
                hint="it can make the text display differently from what it is; delete it",
            )
        )
    return found


_ANCHOR = re.compile(r"(?:^|[\s\[{,:-])&[^\s,\[\]{}]+")


def _anchors(fm_text: str, path: str) -> list[RecordError]:
    """Refuse anchors (&name) even without an alias: they exist only to be aliased."""
    if "&" not in fm_text:
        return []
    try:
        tokens = list(yaml.scan(fm_text, Loader=_Loader))
    except yaml.YAMLError:
        return []  # the parser will report the syntax error
    return [
        located(
            path,
            tok.start_mark.line + 1 + _OFFSET,
            tok.start_mark.column + 1,
            "yaml.anchor",
            "YAML anchors (&name) are not allowed",
            hint="write the value out in full; anchors and aliases can expand without bound",
        )
        for tok in tokens
        if isinstance(tok, yaml.AnchorToken)
    ][:1]


def _plain_scalars(root: yaml.Node) -> list[yaml.ScalarNode]:
    """The values (not keys) written without quotes."""
    found = []
    stack = [root]
    while stack:
        node = stack.pop()
        if isinstance(node, yaml.MappingNode):
            stack.extend(v for _, v in node.value)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
        elif isinstance(node, yaml.ScalarNode) and not node.style:
            found.append(node)
    return found


def _cut_by_comment(plain: list[yaml.ScalarNode], fm_text: str, path: str) -> list[RecordError]:
    """Warn about plain values followed by ' #': YAML read the rest of the line as a comment.

    Only a single space before '#' counts (``Fix issue #42``); comments set off by two or more
    spaces (``lower   # or higher``) are taken as meant.
    """
    lines: list[str] | None = None
    found = []
    for node in plain:
        end = node.end_mark
        if end.line != node.start_mark.line:
            continue
        if lines is None:
            lines = fm_text.split("\n")
        if end.line >= len(lines):
            continue
        rest = lines[end.line][end.column :]
        if rest.startswith(" #") and not rest.startswith(" ##"):
            found.append(
                located(
                    path,
                    end.line + 1 + _OFFSET,
                    end.column + 2,
                    "yaml.comment_cut",
                    f"the value stops at ' #': YAML read {rest.strip()!r} as a comment",
                    got=repr(node.value)[:80],
                    hint=f'if the text after # belongs to the value, quote it: "{node.value}{rest}"',
                    severity=Severity.WARNING,
                )
            )
    return sorted(found, key=RecordError.sort_key)


# The frontmatter text starts on line 2 of the file; YAML marks are 0-based.
_OFFSET = 1


#: Positions and unquoted values found by ``_walk`` on the way.
_Walked = tuple[dict[Loc, Position], list[yaml.ScalarNode]]
_Composed = tuple[yaml.Node | None, object, _Walked | None]


def _compose(fm_text: str, path: str) -> _Composed | list[RecordError] | yaml.MarkedYAMLError:
    """Parse to nodes, check them, construct the data; a syntax error is returned, not raised.

    The nodes come from libyaml's composer when present. An ordinary frontmatter is then
    checked, constructed and located in one pass (``_walk``); anything that pass does not
    handle (a problem, an alias, a tag other than YAML's own scalars) goes the long way: check
    every node, construct with PyYAML, collect the positions (``_collect_positions``).
    """
    loader = _Loader(fm_text)
    try:
        node = loader.get_single_node()
        if node is None:
            return None, None, None
        walked = _walk(node, loader)
        if walked is not None:
            return node, walked[0], walked[1]
        problems = _check_nodes(node, path, _OFFSET, fm_text)
        if problems:
            return problems
        return node, loader.construct_document(node), None
    except yaml.MarkedYAMLError as exc:
        return exc
    except yaml.reader.ReaderError as exc:
        return [_reader_error(fm_text, path, exc)]
    except yaml.YAMLError as exc:  # pragma: no cover - every PyYAML error we know is handled
        return [located(path, 1, 1, "yaml.syntax", f"YAML could not be read: {exc}")]
    except RecursionError:
        return [located(path, 2, 1, "yaml.depth", "frontmatter is nested too deeply to read")]
    except _CONSTRUCT_ERRORS as exc:
        # PyYAML's constructors raise these for values such as 2024-02-30 or !!float x.
        return [_construct_error(fm_text, path, exc)]
    finally:
        loader.dispose()


def _reader_error(fm_text: str, path: str, exc: yaml.reader.ReaderError) -> RecordError:
    """A character YAML refuses (a control character): say which, and where."""
    pos = min(max(exc.position, 0), len(fm_text))
    line = fm_text.count("\n", 0, pos)
    col = pos - (fm_text.rfind("\n", 0, pos) + 1)
    char = exc.character if isinstance(exc.character, str) else chr(exc.character)
    return located(
        path,
        line + 1 + _OFFSET,
        col + 1,
        "yaml.syntax",
        f"YAML syntax error: the control character U+{ord(char):04X} is not allowed",
        hint="delete the invisible character (it was probably pasted in)",
    )


def _construct_error(fm_text: str, path: str, exc: Exception) -> RecordError:
    """Find the scalar that PyYAML could not turn into a value, and describe it."""
    loader = _Loader(fm_text)
    try:
        root = loader.get_single_node()
        stack = [root] if root is not None else []
        while stack:
            node = stack.pop(0)
            if isinstance(node, yaml.ScalarNode):
                try:
                    loader.construct_object(node, deep=True)
                except _CONSTRUCT_ERRORS:
                    mark = node.start_mark
                    return located(
                        path,
                        mark.line + 1 + _OFFSET,
                        mark.column + 1,
                        "yaml.value",
                        f"YAML cannot read this value: {exc}",
                        got=repr(node.value)[:80],
                        hint=(
                            "check that the day exists (YYYY-MM-DD)"
                            if re.match(r"\d{4}-\d", str(node.value))
                            else "quote the value to keep it as text"
                        ),
                    )
            elif isinstance(node, yaml.MappingNode):
                stack.extend(n for pair in node.value for n in pair)
            elif isinstance(node, yaml.SequenceNode):
                stack.extend(node.value)
    finally:
        loader.dispose()
    return located(path, 2, 1, "yaml.value", f"YAML cannot read a value: {exc}")


def _recover_tabs(fm_text: str, path: str) -> tuple[_Composed, tuple[RecordError, ...]] | None:
    """Re-indent lines whose indentation holds a tab, so the rest of the file can be checked.

    Each such line is reported. The likeliest intentions are tried in turn (aligned with the
    line above, or the tab as 2, 4 or 8 spaces); the first that parses is used.
    """
    lines = fm_text.split("\n")
    tabbed = [i for i, line in enumerate(lines) if "\t" in line[: len(line) - len(line.lstrip())]]
    if not tabbed:
        return None
    problems = tuple(
        located(
            path,
            i + 1 + _OFFSET,
            lines[i].index("\t") + 1,
            "yaml.tab",
            "a tab character is not allowed in indentation",
            hint="YAML indents with spaces only; replace the tab with spaces",
        )
        for i in tabbed
    )

    def above(i: int) -> str:
        prev = next((lines[j] for j in range(i - 1, -1, -1) if lines[j].strip()), "")
        indent = prev[: len(prev) - len(prev.lstrip())]
        # under "key:" with no value the line is a child; otherwise a sibling
        return indent + "  " if prev.rstrip().endswith(":") else indent

    for width in (0, 2, 4, 8):  # 0: align with the line above
        fixed = list(lines)
        for i in tabbed:
            fixed[i] = above(i) + lines[i].lstrip() if width == 0 else lines[i].expandtabs(width)
        parsed = _compose("\n".join(fixed), path)
        if isinstance(parsed, tuple):
            return parsed, problems
    return None


def _yaml_error(exc: yaml.MarkedYAMLError, path: str, fm_text: str) -> RecordError:
    mark = exc.problem_mark or exc.context_mark
    problem_text = exc.problem or ""
    at_end = mark is not None and mark.index >= len(fm_text.rstrip())
    if (at_end or "end of stream" in problem_text) and exc.context_mark is not None:
        mark = exc.context_mark  # an unclosed quote or bracket: point where it was opened
    line = mark.line + 1 + _OFFSET if mark else None
    col = mark.column + 1 if mark else None
    problem = (exc.problem or "invalid YAML").strip()
    hint = None
    code = "yaml.syntax"
    src_line = (
        fm_text.split("\n")[mark.line] if mark and mark.line < fm_text.count("\n") + 1 else ""
    )
    if "\t" in src_line or "'\\t'" in problem:
        problem = "a tab character is not allowed here"
        code = "yaml.tab"
        hint = "YAML indents with spaces only; replace the tab with spaces"
    elif "mapping values are not allowed" in problem:
        hint = "a value that contains ': ' must be quoted, e.g. title: \"Fix: slow search\""
    elif "could not find expected ':'" in problem or "expected <block end>" in problem:
        hint = "check the indentation and that every field is written 'name: value'"
    elif "found unexpected end of stream" in problem or "found unexpected end" in problem:
        hint = "a quoted value is not closed; add the closing quote"
    elif "cannot start any token" in problem or "undefined alias" in problem:
        first = src_line[mark.column] if mark and mark.column < len(src_line) else ""
        hint = f"a value that starts with {first or 'this character'} must be quoted"
        if first == "*":
            hint += "; YAML reads *name as an alias"
    context = f" ({exc.context.strip()})" if exc.context and exc.context.strip() else ""
    if code == "yaml.tab":
        context = ""
    return RecordError(
        code=code,
        file=path,
        line=line,
        column=col,
        field=None,
        message=f"YAML syntax error: {problem}{context}",
        hint=hint,
    )


def _check_nodes(root: yaml.Node, path: str, offset: int, text: str) -> list[RecordError]:
    """Refuse aliases (a node reached twice) and repeated keys, before constructing anything."""
    problems: list[RecordError] = []
    seen: set[int] = set()
    stack: list[yaml.Node] = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            line, col = _alias_position(node, text)
            problems.append(
                located(
                    path,
                    line + 1 + offset,
                    col + 1,
                    "yaml.alias",
                    "YAML aliases (*name) are not allowed",
                    hint="write the value out in full; aliases can expand without bound",
                )
            )
            return problems
        seen.add(id(node))
        if isinstance(node, yaml.MappingNode):
            keys: dict[str, yaml.Node] = {}
            for key, value in node.value:
                if isinstance(key, yaml.ScalarNode):
                    if key.tag != "tag:yaml.org,2002:str":
                        problems.append(_key_error(key, path, offset))
                    if key.value in keys:
                        first = keys[key.value].start_mark.line + 1 + offset
                        problems.append(
                            located(
                                path,
                                key.start_mark.line + 1 + offset,
                                key.start_mark.column + 1,
                                "yaml.duplicate_key",
                                f"field '{key.value}' is given twice (first on line {first})",
                                hint="keep one of them; YAML would silently use the last",
                            )
                        )
                    keys[key.value] = key
                stack.extend((key, value))
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    return problems


def _key_error(key: yaml.ScalarNode, path: str, offset: int) -> RecordError:
    """A field name that YAML reads as something other than text (``1:``, ``yes:``, ``null:``)."""
    kind = key.tag.rsplit(":", 1)[-1]
    read_as = {
        "bool": "true/false",
        "null": "null",
        "timestamp": "a date",
        "int": "a number",
        "float": "a number",
    }.get(kind, f"a value of type {kind}")
    return located(
        path,
        key.start_mark.line + 1 + offset,
        key.start_mark.column + 1,
        "yaml.key",
        f"field name `{key.value}` is not text: YAML reads it as {read_as}",
        hint=f'field names are words such as title or owner; if `{key.value}` is meant, quote it: "{key.value}":',
    )


def _alias_position(node: yaml.Node, text: str) -> tuple[int, int]:
    """Where the first alias of ``node``'s anchor appears (0-based), found in the source text."""
    mark = node.start_mark
    anchor = re.compile(r"&([^\s,\[\]{}]+)").search(text, mark.index)
    if anchor:
        alias = re.search(r"\*" + re.escape(anchor.group(1)) + r"(?![^\s,\]}])", text)
        if alias:
            pos = alias.start()
            return text.count("\n", 0, pos), pos - (text.rfind("\n", 0, pos) + 1)
    return mark.line, mark.column


def _collect_positions(
    node: yaml.Node, loc: Loc, out: dict[Loc, Position], offset: int, key: yaml.Node | None
) -> None:
    key_mark = (key or node).start_mark
    raw = plain = None
    if isinstance(node, yaml.ScalarNode):
        raw, plain = node.value, not node.style  # libyaml says '' where PyYAML says None
    out[loc] = Position(
        line=node.start_mark.line + 1 + offset,
        column=node.start_mark.column + 1,
        key_line=key_mark.line + 1 + offset,
        key_column=key_mark.column + 1,
        raw=raw,
        plain=bool(plain),
    )
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            name: str | int = k.value if isinstance(k, yaml.ScalarNode) else str(k.start_mark)
            _collect_positions(v, (*loc, name), out, offset, k)
    elif isinstance(node, yaml.SequenceNode):
        for i, item in enumerate(node.value):
            _collect_positions(item, (*loc, i), out, offset, None)


_MAP, _SEQ, _STR = (f"tag:yaml.org,2002:{kind}" for kind in ("map", "seq", "str"))
#: The scalar tags YAML's resolver gives plain values, with the loader's constructors.
_SCALARS = {
    tag: _Loader.yaml_constructors[tag]
    for tag in (
        f"tag:yaml.org,2002:{kind}" for kind in ("null", "bool", "int", "float", "timestamp")
    )
}


class _NotOrdinaryError(Exception):
    """Something ``_walk`` leaves to the full check and PyYAML's constructor."""


def _walk(root: yaml.Node, loader: _Loader) -> tuple[object, _Walked] | None:
    """Check, construct and locate an ordinary frontmatter in one pass over its nodes.

    Gives exactly what ``_check_nodes``, ``construct_document`` and ``_collect_positions`` give
    together, or None when the frontmatter is not ordinary: not a mapping, a problem (repeated
    or non-text key), an alias, a tag other than YAML's own, or a value PyYAML cannot build.
    """
    if not isinstance(root, yaml.MappingNode):
        return None
    positions: dict[Loc, Position] = {}
    plain: list[yaml.ScalarNode] = []
    seen: set[int] = set()

    def walk(node: yaml.Node, loc: Loc, key: yaml.Node | None) -> object:
        if id(node) in seen:
            raise _NotOrdinaryError  # an alias
        seen.add(id(node))
        start = node.start_mark
        key_mark = (key or node).start_mark
        if isinstance(node, yaml.ScalarNode):
            positions[loc] = Position(
                start.line + 1 + _OFFSET,
                start.column + 1,
                key_mark.line + 1 + _OFFSET,
                key_mark.column + 1,
                node.value,
                not node.style,  # libyaml says '' where PyYAML says None
            )
            if not node.style:
                plain.append(node)
            if node.tag == _STR:
                return node.value
            construct = _SCALARS.get(node.tag)
            if construct is None:
                raise _NotOrdinaryError
            return construct(loader, node)
        positions[loc] = Position(
            start.line + 1 + _OFFSET,
            start.column + 1,
            key_mark.line + 1 + _OFFSET,
            key_mark.column + 1,
        )
        if isinstance(node, yaml.SequenceNode) and node.tag == _SEQ:
            return [walk(item, (*loc, i), None) for i, item in enumerate(node.value)]
        if not isinstance(node, yaml.MappingNode) or node.tag != _MAP:
            raise _NotOrdinaryError
        mapping: dict[str, object] = {}
        for k, v in node.value:
            if not isinstance(k, yaml.ScalarNode) or k.tag != _STR or id(k) in seen:
                raise _NotOrdinaryError
            seen.add(id(k))
            if k.value in mapping:
                raise _NotOrdinaryError  # a repeated key
            mapping[k.value] = walk(v, (*loc, k.value), k)
        return mapping

    try:
        data = walk(root, (), None)
    except (_NotOrdinaryError, RecursionError, yaml.YAMLError, *_CONSTRUCT_ERRORS):
        return None
    return data, (positions, plain)


# -- the common case, line by line --------------------------------------------------------------

#: Characters outside these (tabs, control characters, YAML's other line breaks NEL, LS and PS,
#: a byte order mark, surrogates) send a frontmatter the long way.
_UNUSUAL = re.compile(
    "[^\n\x20-\x7e\xa0-\u2027\u202a-\ud7ff\ue000-\ufefe\uff00-\ufffd\U00010000-\U0010ffff]"
)
#: One line of the common case: its indentation, a dash, a ``key:``, and a value: a
#: double-quoted text without escapes, a single-quoted text without a quote, an empty flow list
#: or mapping, or a plain scalar made of a few safe characters (YAML's resolver then tells a
#: date, a number or true from text). A key is at most 128 characters: libyaml refuses one of
#: more than 1024 ("mapping values are not allowed"), and no real field name comes near.
_LINE = re.compile(
    r"( *)(- +)?(?:([A-Za-z_][A-Za-z0-9_-]{0,127}):(?: +|\Z))?"
    r'(?:"([^"\\]*)"|\'([^\']*)\'|(\[\]|\{\})|([A-Za-z0-9_.+/(][A-Za-z0-9_.+/() -]*?))? *\Z'
)
_IMPLICIT = _Loader.yaml_implicit_resolvers
_CONSTRUCTOR = yaml.constructor.SafeConstructor()
#: Open blocks (mappings and lists) at most: libyaml refuses deep nesting, and the long way's
#: recursion stops before libyaml does; a frontmatter deeper than this is left to the long way.
_DEEPEST = 40
#: Plain field names that YAML reads as text (``yes:`` and ``null:`` are not).
_TEXT_KEYS: dict[str, bool] = {}


def _resolve(value: str) -> str:
    """The tag YAML's resolver gives a plain scalar (``BaseResolver.resolve``, for one value)."""
    for tag, regexp in _IMPLICIT.get(value[0] if value else "", []) + _IMPLICIT.get(None, []):
        if regexp.match(value):
            return str(tag)
    return _STR


def _text_key(key: str) -> bool:
    found = _TEXT_KEYS.get(key)
    if found is None:
        found = _resolve(key) == _STR
        if len(_TEXT_KEYS) < 4096:  # the same few field names come up in every file
            _TEXT_KEYS[key] = found
    return found


class _Frame:
    """An open block: a mapping or a list, at the column of its keys or dashes."""

    __slots__ = ("indent", "items", "keyed", "loc")

    def __init__(self, indent: int, items: dict[str, object] | list[object], loc: Loc) -> None:
        self.indent = indent
        self.items = items
        self.keyed = isinstance(items, dict)
        self.loc = loc


def _read_lines(fm_text: str) -> tuple[dict[str, object], dict[Loc, Position]] | None:
    """Read a frontmatter written in the plain block style most files use, without libyaml.

    Fields (``name: value``), nested fields, lists (``- value``) and lists of fields, with
    values that are quoted text without escapes, ``[]``, ``{}`` or plain words, numbers and
    dates, one per line. Gives exactly what the long way gives, positions included (tested
    against it), or None for anything else: the long way then reads it, and reports what is
    wrong with it.
    """
    if _UNUSUAL.search(fm_text):
        return None
    data: dict[str, object] = {}
    positions: dict[Loc, Position | None] = {}
    frame = _Frame(0, data, ())
    stack = [frame]
    # A key whose value is a block on the next lines: (frame, key, loc, line, column).
    pending: tuple[_Frame, str, Loc, int, int] | None = None
    number = _OFFSET
    for line in fm_text.split("\n"):
        number += 1
        if not line or line[0] == "#":
            continue
        match = _LINE.match(line)
        if match is None:
            if line.lstrip(" ")[:1] in ("", "#"):
                continue  # blank, or a comment
            return None
        spaces, dash, key, double, single, flow, plain = match.groups()
        bare = double is None and single is None and flow is None and plain is None
        if dash is None and key is None:
            if bare:
                continue  # only spaces
            return None  # a value without a key or a dash
        indent = len(spaces)
        dashed = dash is not None
        if pending is not None:
            parent, above, loc, key_line, key_column = pending
            pending = None
            if indent > parent.indent or (indent == parent.indent and dashed):
                block: dict[str, object] | list[object] = [] if dashed else {}
                parent.items[above] = block  # type: ignore[call-overload]
                positions[loc] = _position(number, indent + 1, key_line, key_column)
                frame = _Frame(indent, block, loc)
                stack.append(frame)
                if len(stack) > _DEEPEST:
                    return None
            else:
                return None  # a key without a value: null, left to the long way
        elif not positions:
            if indent or dashed:
                return None
            positions[()] = _position(number, 1, number, 1)
        while indent < frame.indent or (
            indent == frame.indent and frame.keyed == dashed and len(stack) > 1
        ):
            stack.pop()
            frame = stack[-1]
        if indent != frame.indent or frame.keyed == dashed:
            return None
        column = indent
        if dash is not None:
            items = frame.items
            assert isinstance(items, list)
            loc = (*frame.loc, len(items))
            column += len(dash)
            if key is None:
                if bare:
                    return None  # "-" alone: a nested block or null, left to the long way
                found = _scalar(match, number, column + 1, number, column + 1)
                if found is None:
                    return None
                items.append(found[0])
                positions[loc] = found[1]
                continue
            # A list item that is a mapping: its first field is on the dash's line.
            item: dict[str, object] = {}
            items.append(item)
            positions[loc] = _position(number, column + 1, number, column + 1)
            frame = _Frame(column, item, loc)
            stack.append(frame)
            if len(stack) > _DEEPEST:
                return None
        mapping = frame.items
        assert isinstance(mapping, dict)
        assert key is not None
        if key in mapping or not _text_key(key):
            return None  # a repeated key, or one YAML reads as true, null or a number
        loc = (*frame.loc, key)
        if bare:
            mapping[key] = None  # keeps the order of the fields; replaced by the block
            positions[loc] = None
            pending = (frame, key, loc, number, column + 1)
            continue
        found = _scalar(match, number, None, number, column + 1)
        if found is None:
            return None
        mapping[key], positions[loc] = found
    if pending is not None or not positions:
        return None
    return data, positions  # type: ignore[return-value]  # every None was replaced


_new = object.__new__
_SET_FIELDS = tuple(
    Position.__dict__[name].__set__
    for name in ("line", "column", "key_line", "key_column", "raw", "plain")
)


def _position(
    line: int,
    column: int,
    key_line: int,
    key_column: int,
    raw: str | None = None,
    *,
    plain: bool = False,
) -> Position:
    """``Position(...)`` a few times faster: a frozen dataclass sets each field through
    ``object.__setattr__``; this sets the slots directly. The same object (tested)."""
    found = _new(Position)
    set_line, set_column, set_key_line, set_key_column, set_raw, set_plain = _SET_FIELDS
    set_line(found, line)
    set_column(found, column)
    set_key_line(found, key_line)
    set_key_column(found, key_column)
    set_raw(found, raw)
    set_plain(found, plain)
    return found


def _scalar(
    match: re.Match[str], line: int, column: int | None, key_line: int, key_column: int
) -> tuple[object, Position] | None:
    """The value of a ``_LINE`` match and its position (its column found here when None)."""
    double, single, flow, plain = match.group(4, 5, 6, 7)
    if column is None:
        group = 4 if double is not None else 5 if single is not None else 6 if flow else 7
        column = match.start(group) + (0 if group > 5 else -1) + 1  # a quoted one: its quote
    if double is not None:
        return double, _position(line, column, key_line, key_column, double)
    if single is not None:
        return single, _position(line, column, key_line, key_column, single)
    if flow is not None:
        return ([] if flow == "[]" else {}), _position(line, column, key_line, key_column)
    assert plain is not None
    tag = _resolve(plain)
    if tag == _STR:
        value: object = plain
    else:
        construct = _SCALARS.get(tag)
        if construct is None:
            return None
        try:
            value = construct(_CONSTRUCTOR, yaml.ScalarNode(tag, plain))
        except (yaml.YAMLError, *_CONSTRUCT_ERRORS):
            return None
    return value, _position(line, column, key_line, key_column, plain, plain=True)
