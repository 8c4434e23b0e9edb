"""Find credentials in what a record or an article would publish, before it is published.

The detectors are detect-secrets' (private keys, cloud and API tokens, passwords in URLs, quoted
high-entropy strings, secret-sounding keywords), used as a library with its default plugins and
filters and never with verification, so nothing goes over the network. One rule is added on top,
because detect-secrets leaves unquoted values to per-file-type parsers: a value in assignment
position (``DB_PASSWORD=...``, ``--password ...``, ``token: ...``) is judged by detect-secrets'
own entropy measure.

A line that contains ``changetrail: allow-secret`` (in a YAML comment after the value, or an HTML
comment in the body) or detect-secrets' ``pragma: allowlist secret`` is not reported.

Pure: records and articles in, ``RecordError`` values out. A file's text is asked for (through
``read_source``) only when the file has a finding, to place it exactly and to see YAML comments.
"""

from __future__ import annotations

import bisect
import functools
import itertools
import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from detect_secrets.filters.allowlist import is_line_allowlisted
from detect_secrets.plugins.base import RegexBasedDetector
from detect_secrets.plugins.high_entropy_strings import (
    Base64HighEntropyString,
    HexHighEntropyString,
    HighEntropyStringsPlugin,
)
from detect_secrets.plugins.keyword import DENYLIST, KeywordDetector
from detect_secrets.settings import default_settings, get_filters, get_plugins
from detect_secrets.util.code_snippet import get_code_snippet
from detect_secrets.util.inject import call_function_with_arguments

from ..errors import RecordError
from ..loader import read_text
from ..validation import field_path
from .gates import ASSIGNMENT_GATES, Gate, Haystack, gates_for

if TYPE_CHECKING:
    from pathlib import Path

    from ..loader import ArticlePage, Record
    from ..yamlread import Loc

__all__ = ["ALLOW_MARKER", "KEYWORD_ENTROPY", "SKIPPED_FIELDS", "file_reader", "scan_secrets"]

ALLOW_MARKER = "changetrail: allow-secret"
_ALLOWED = re.compile(r"changetrail:\s*allow-secret", re.IGNORECASE)

#: Fields that hold paths, ids or revisions: never credentials, often hex that looks random.
SKIPPED_FIELDS = frozenset({"commit", "files_touched", "related"})

#: An address is not a credential, and ops records name servers by address all the time.
_DISABLED_PLUGINS = ("IPPublicDetector",)
# KeywordDetector picks its regexes by file type: '.md' asks for quoted values only, which keeps
# prose such as "the secret: rotate it weekly" quiet. The allowlist reads every comment style.
_FILENAME = "changetrail.md"
_VERIFY_FILTER = "detect_secrets.filters.common.is_ignored_due_to_verification_policies"

#: Git object ids and sha256 checksums: hex of exactly these lengths is an id, not a secret.
_HEX_ID = re.compile(r"[0-9a-fA-F]{40}|[0-9a-fA-F]{64}")

#: Base64-alphabet entropy above which a value given to a secret-sounding name is reported
#: (unnamed values need detect-secrets' Base64HighEntropyString limit, 4.5 by default).
KEYWORD_ENTROPY = 3.0
_MIN_NAMED, _MIN_UNNAMED = 8, 20

_ASSIGNED = "Assigned Secret"
#: (code, what it looks like, placeholder to suggest) by detect-secrets' secret type.
_KINDS: dict[str, tuple[str, str, str]] = {
    "AWS Access Key": ("aws_access_key", "an AWS access key", "$AWS_ACCESS_KEY_ID"),
    "Private Key": ("private_key", "a private key", "a path to a key file"),
    "GitHub Token": ("github_token", "a GitHub token", "$GITHUB_TOKEN"),
    "GitLab Token": ("gitlab_token", "a GitLab token", "$GITLAB_TOKEN"),
    "Slack Token": ("slack_token", "a Slack token", "$SLACK_TOKEN"),
    "Stripe Access Key": ("stripe_key", "a Stripe secret key", "$STRIPE_API_KEY"),
    "Basic Auth Credentials": ("url_password", "a password in a URL", "$DB_PASSWORD"),
    "JSON Web Token": ("jwt", "a JSON Web Token", "$TOKEN"),
    "Secret Keyword": ("keyword", "a secret given to a secret-sounding name", "$SECRET"),
    "Base64 High Entropy String": ("high_entropy", "a random-looking string", "$SECRET"),
    "Hex High Entropy String": ("high_entropy", "a random-looking hex string", "$SECRET"),
    _ASSIGNED: ("assignment", "a secret assigned to a name", "$SECRET"),
}
# The detectors that recognise a kind of credential win over the generic ones on one value.
_GENERIC_RANK = {"Secret Keyword": 1, "Base64 High Entropy String": 2}
_GENERIC_RANK |= {"Hex High Entropy String": 2, _ASSIGNED: 3}

# Shell and YAML syntax only (where a value is assigned), not secret patterns: NAME=value,
# --flag=value, --flag value, key: value, "Authorization: Bearer value".
_ASSIGNMENT = re.compile(
    r"""(?:^|(?<=[\s;&|(,{\['"`]))
    (?:(?P<flag>--?[A-Za-z][\w.-]*)(?P<flag_op>[ \t]*=[ \t]*|[ \t]+)
      |(?P<name>[A-Za-z_][\w.-]*)['"]?(?P<op>[ \t]*:?=[ \t]*|:[ \t]+))
    (?:(?:Bearer|Basic|Digest|token)[ \t]+)?
    (?:(?P<q>['"])(?P<quoted>[^'"\n]+)(?P=q)|(?!-)(?P<value>[^\s'"`]+))""",
    re.VERBOSE | re.IGNORECASE | re.MULTILINE,
)
_SECRET_WORDS = frozenset(
    re.findall(
        r"\w+",
        "password passwd pass pwd passphrase secret token apikey auth authorization credential "
        "credentials bearer",
    )
)
_SECRET_PAIRS = frozenset(
    ("api key", "access key", "private key", "secret key", "signing key", "session key",
     "client secret", "account key")
)  # fmt: skip
# A last word that makes a secret-sounding name about the secret, not the secret itself.
_QUALIFIERS = frozenset(
    re.findall(
        r"\w+",
        "name id ids type file path dir url uri ttl length len arn ref env version method header "
        "field source store count expiry expires lifetime timeout kind policy scope scopes "
        "endpoint helper prompt required enabled rotation",
    )
)
_NAME_PARTS = re.compile(r"[A-Z]?[a-z]+|[A-Z]+(?![a-z])|\d+")
_PLACEHOLDER = re.compile(
    r"^(?:[$%<{\[*@/~]|\./|env:)|x{4}|\*{3}|\.\.\.|…|://"
    r"|^(?:changeme|redacted|example|placeholder|dummy|none|null|true|false)$",
    re.IGNORECASE,
)
_USER_FLAGS = frozenset({"-u", "--user"})  # curl and wget take "user:password" after these
_TOKEN_TAIL = re.compile(r"[A-Za-z0-9_\-+/=]*")
# The keyword detector's rules for Markdown need one of its words and a quote on the same line.
# Its words are lower case: they are looked for in lower-cased text.
_KEYWORDS = Gate.of(
    "|".join(DENYLIST),
    lower=True,
    needles=("key", "pass", "pwd", "secret", "contrase"),
    line_needles=("'", '"', "`"),
)


@dataclass(frozen=True, slots=True)
class _Line:
    """One line of published text: its field (None for the body) and its line in the value."""

    loc: Loc | None
    index: int
    text: str
    key: str | None = None  # the mapping key of a one-line value, for the assignment rule


@dataclass(frozen=True, slots=True)
class _Hit:
    kind: str  # detect-secrets' secret type
    detector: str
    line: _Line
    column: int  # 0-based, in line.text
    secret: str


@dataclass(frozen=True, slots=True)
class _Detectors:
    """detect-secrets' plugins and filters, with cheap whole-text gates for each plugin."""

    gates: list[tuple[Any, list[Gate] | None]]
    secret_filters: list[Any]
    line_filters: list[Any]
    base64: Base64HighEntropyString


class SecretScanner:
    """Scans one item at a time; use it inside ``with`` (detect-secrets' settings are global).

    The settings turn verification off, so that nothing is ever sent to a provider's API.
    """

    def __init__(self) -> None:
        self._settings = default_settings()
        self._detectors: _Detectors | None = None

    def __enter__(self) -> SecretScanner:
        settings = self._settings.__enter__()
        settings.disable_plugins(*_DISABLED_PLUGINS)
        settings.disable_filters(_VERIFY_FILTER)  # verifying would call the provider's API
        self._detectors = _load_detectors()
        return self

    def __exit__(self, *exc: object) -> None:
        self._detectors = None
        self._settings.__exit__(None, None, None)

    def scan(
        self, item: Record | ArticlePage, read_source: Callable[[], str | None]
    ) -> list[RecordError]:
        """Every credential in one record or article (see ``scan_secrets``).

        Args:
            item: a loaded record or article.
            read_source: gives the file's whole text; called only when there is a finding.
        """
        assert self._detectors is not None, "use SecretScanner in a with statement"
        hits = _find(_Published(item), self._detectors)
        if not hits:
            return []
        return list(_report(item, hits, read_source()))


def file_reader(root: Path) -> Callable[[str], str | None]:
    """Return a ``read_source`` for ``scan_secrets`` that reads ``root / path``, or None."""

    def read(path: str) -> str | None:
        text = read_text(root / path, path)
        return text if isinstance(text, str) else None

    return read


def scan_secrets(
    items: Iterable[Record | ArticlePage],
    *,
    read_source: Callable[[str], str | None] | None = None,
) -> list[RecordError]:
    """Report every credential in the published fields and bodies of records and articles.

    An item loaded with its scan done (``secrets`` set, see ``pipeline.load_project``) is not
    scanned again.

    Args:
        items: loaded records and articles.
        read_source: gives a file's whole text by its ``path`` (see ``file_reader``). It is
            called only for files with a finding, to place it on the exact line and column and
            to see allow-markers in YAML comments. Without it, a finding inside a multi-line
            frontmatter value is placed approximately.

    Returns:
        One error ``secret.<kind>`` per secret per line, the value redacted.
    """
    errors: list[RecordError] = []
    todo = []
    for item in items:
        if item.secrets is not None:
            errors.extend(item.secrets)
        else:
            todo.append(item)
    if not todo:
        return errors
    with SecretScanner() as scanner:
        for item in todo:
            source = functools.partial(read_source, item.path) if read_source else _no_source
            errors.extend(scanner.scan(item, source))
    return errors


def _no_source() -> None:
    return None


def _load_detectors() -> _Detectors:
    gates: list[tuple[Any, list[Gate] | None]] = []
    base64 = Base64HighEntropyString()
    for plugin in get_plugins():
        found: list[Gate] | None
        if isinstance(plugin, RegexBasedDetector):
            found = [gates_for(p) for p in plugin.denylist]
        elif isinstance(plugin, HighEntropyStringsPlugin):
            found = [Gate(plugin.regex, needles=("'", '"'))]
            base64 = plugin if isinstance(plugin, Base64HighEntropyString) else base64
        elif isinstance(plugin, KeywordDetector):
            found = [_KEYWORDS]
        else:
            found = None  # a plugin we do not know: run it on every line
        gates.append((plugin, found))
    filters = list(get_filters())
    return _Detectors(
        gates=gates,
        secret_filters=[
            f
            for f in filters
            if "secret" in f.injectable_variables
            and f.injectable_variables <= {"secret", "line", "plugin"}
        ],
        line_filters=[f for f in filters if f.injectable_variables == {"line"}],
        base64=base64,
    )


class _Published:
    """What an item publishes, as one text: its frontmatter values (except ``SKIPPED_FIELDS``),
    then its body, one line of text per line of a value.

    ``_Line`` objects are made only for the lines asked for (most lines have no finding), and
    once each, so that two findings on one line share it.
    """

    def __init__(self, item: Record | ArticlePage) -> None:
        values: list[tuple[Loc, str | None, str]] = []
        for k, v in item.source.data.items():
            if str(k) not in SKIPPED_FIELDS:
                _strings(v, (str(k),), str(k), values)
        self.text = "\n".join([*(value for _, _, value in values), item.body])
        self.texts = self.text.split("\n")
        self.starts = [0, *itertools.accumulate(len(t) + 1 for t in self.texts[:-1])]
        # The first line of each value, and of the body (the last entry).
        firsts = [0]
        for _, _, value in values:
            firsts.append(firsts[-1] + value.count("\n") + 1)
        self.firsts = firsts
        self.values = values
        self._lines: dict[int, _Line] = {}

    def line(self, i: int) -> _Line:
        """The ``i``-th line of the text."""
        found = self._lines.get(i)
        if found is None:
            v = bisect.bisect_right(self.firsts, i) - 1
            if v == len(self.values):
                found = _Line(None, i - self.firsts[v], self.texts[i])
            else:
                loc, key, _ = self.values[v]
                one = self.firsts[v + 1] - self.firsts[v] == 1
                found = _Line(loc, i - self.firsts[v], self.texts[i], key if one else None)
            self._lines[i] = found
        return found

    def keyed(self) -> Iterator[_Line]:
        """The one-line values that have a mapping key."""
        for v, (_, key, _) in enumerate(self.values):
            if key and self.firsts[v + 1] - self.firsts[v] == 1:
                yield self.line(self.firsts[v])

    def matched(self, gate: Gate, hay: Haystack) -> set[int]:
        """The lines a gate picks."""
        if not gate.line_needles:
            return {i for m in gate.finditer(hay) for i in self.spanned(m)}
        texts, line_needles = self.texts, gate.line_needles
        if not any(c in hay.text for c in line_needles):
            return set()  # no line holds one
        text = hay.lowered if gate.lower else hay.text
        if text is None:  # not ASCII: search it all, case-insensitively
            found = {i for m in gate.finditer(hay) for i in self.spanned(m)}
            return {i for i in found if any(c in texts[i] for c in line_needles)}
        # Every match holds a needle: look at the lines that hold one (and a line needle, which
        # is cheaper to look for than the pattern).
        candidates = set()
        for needle in gate.needles:
            at = text.find(needle)
            while at != -1:
                candidates.add(bisect.bisect_right(self.starts, at) - 1)
                at = text.find(needle, at + 1)
        return {
            i
            for i in candidates
            if any(c in texts[i] for c in line_needles)
            and gate.pattern.search(text, self.starts[i], self.starts[i] + len(texts[i]))
        }

    def lines_with(self, gate: Gate, hay: Haystack) -> set[int]:
        """The lines a gate whose pattern never matches a line break picks: one search each.

        ``finditer`` would make a match for every ``=`` of a line; one is enough to pick it.
        """
        found: set[int] = set()
        target = gate.target(hay)
        if target is None:
            return found
        pattern, text = target
        starts = self.starts
        match = pattern.search(text)
        while match is not None:
            i = bisect.bisect_right(starts, match.start()) - 1
            found.add(i)
            if i + 1 == len(starts):
                break  # (a search from past the end would search from the end again)
            match = pattern.search(text, starts[i + 1])
        return found

    def spanned(self, match: re.Match[str]) -> range:
        """The lines a match of the text covers."""
        first = bisect.bisect_right(self.starts, match.start()) - 1
        last = bisect.bisect_right(self.starts, max(match.start(), match.end() - 1)) - 1
        return range(first, last + 1)


def _strings(
    value: object, loc: Loc, key: str | None, out: list[tuple[Loc, str | None, str]]
) -> None:
    """Every text in ``value``, in order, with its place and its mapping key, into ``out``."""
    if isinstance(value, str):
        out.append((loc, key, value))
    elif isinstance(value, dict):
        for k, v in value.items():
            _strings(v, (*loc, str(k)), str(k), out)
    elif isinstance(value, list):
        for i, v in enumerate(value):
            _strings(v, (*loc, i), None, out)


def _find(published: _Published, det: _Detectors) -> list[_Hit]:
    """Search the whole text once per gate, then run plugins only on the lines they matched."""
    hay = Haystack(published.text)
    todo: dict[int, list[Any]] = defaultdict(list)
    everything = range(len(published.texts))
    for plugin, gates in det.gates:
        if gates is None:
            hit_lines: set[int] | range = everything
        else:
            hit_lines = set()
            for gate in gates:
                hit_lines |= published.matched(gate, hay)
        for i in hit_lines:
            todo[i].append(plugin)
    hits: list[_Hit] = []
    for i in sorted(todo):
        hits.extend(_run_plugins(published.line(i), todo[i], det))
    assigned = set().union(*(published.lines_with(g, hay) for g in ASSIGNMENT_GATES))
    for i in sorted(assigned):
        start = published.starts[i]
        for match in _assignments(hay.text, start, start + len(published.texts[i])):
            hits.extend(_assigned(published.line(i), match, match.start() - start, det))
    hits.extend(h for line in published.keyed() for h in _keyed(line, det))
    # detect-secrets' line filters (``secret = get_secret()``) are slow on long lines: they run
    # only on lines with a finding.
    return _dedupe([h for h in hits if not _indirect(h.line.text, det)])


def _run_plugins(line: _Line, plugins: list[Any], det: _Detectors) -> Iterator[_Hit]:
    context = get_code_snippet([line.text], 1)
    for plugin in plugins:
        found = plugin.analyze_line(
            filename=_FILENAME, line=line.text, line_number=1, context=context
        )
        for potential in found:
            secret = potential.secret_value or ""
            if not secret or _filtered(secret, line.text, plugin, det):
                continue
            if isinstance(plugin, HexHighEntropyString) and _HEX_ID.fullmatch(secret):
                continue
            column = max(line.text.find(secret), 0)
            if " " not in secret:  # some detectors capture only a token's prefix ('ghp')
                tail = _TOKEN_TAIL.match(line.text, column + len(secret))
                secret = line.text[column : tail.end()] if tail else secret
            yield _Hit(potential.type, type(plugin).__name__, line, column, secret)


def _indirect(text: str, det: _Detectors) -> bool:
    return any(call_function_with_arguments(f, line=text) for f in det.line_filters)


def _filtered(secret: str, text: str, plugin: Any, det: _Detectors) -> bool:
    return any(
        call_function_with_arguments(f, secret=secret, line=text, plugin=plugin)
        for f in det.secret_filters
    )


def _assignments(text: str, pos: int, endpos: int) -> Iterator[re.Match[str]]:
    """Every assignment, also those inside a quoted value (``-H "Authorization: ..."``)."""
    for match in _ASSIGNMENT.finditer(text, pos, endpos):
        yield match
        if match["quoted"]:
            yield from _assignments(text, match.start("quoted"), match.end("quoted"))


def _assigned(line: _Line, match: re.Match[str], offset: int, det: _Detectors) -> Iterator[_Hit]:
    name = match["flag"] or match["name"]
    group = "quoted" if match["quoted"] else "value"
    value, start = match[group] or "", match.start(group) - match.start() + offset
    if len(value) < _MIN_NAMED:
        return  # too short to be reported, named or not (and "user:" only shortens it)
    named = _is_secret_name(name)
    if name in _USER_FLAGS and ":" in value:  # curl -u user:password
        user, value = value.split(":", 1)
        start, named = start + len(user) + 1, True
    elif match["flag"] and not match["flag_op"].strip() and not named:
        return  # "--verbose file.txt": only a secret-sounding flag takes its value after a space
    if _is_secret_value(value, line.text, named=named, det=det):
        yield _Hit(_ASSIGNED, f"'{name}'", line, start, value)


def _keyed(line: _Line, det: _Detectors) -> Iterator[_Hit]:
    """A frontmatter value whose own key sounds secret (``extra: {db_password: ...}``)."""
    assert line.key is not None
    value = line.text.strip()
    if (
        value
        and _is_secret_name(line.key)
        and _is_secret_value(value, line.text, named=True, det=det)
    ):
        yield _Hit(_ASSIGNED, f"'{line.key}'", line, line.text.index(value), value)


@functools.lru_cache(maxsize=4096)  # the same few names (fields, flags) come up in every file
def _is_secret_name(name: str) -> bool:
    parts = [p.lower() for p in _NAME_PARTS.findall(name)]
    if not parts or parts[-1] in _QUALIFIERS:
        return False
    pairs = {f"{a} {b}" for a, b in itertools.pairwise(parts)}
    return bool(_SECRET_WORDS.intersection(parts) or _SECRET_PAIRS & pairs)


def _is_secret_value(value: str, text: str, *, named: bool, det: _Detectors) -> bool:
    if len(value) < (_MIN_NAMED if named else _MIN_UNNAMED) or _PLACEHOLDER.search(value):
        return False
    if _filtered(value, text, None, det):
        return False
    limit = KEYWORD_ENTROPY if named else det.base64.entropy_limit
    return bool(det.base64.calculate_shannon_entropy(value) > limit)


def _dedupe(hits: list[_Hit]) -> list[_Hit]:
    """One finding per value: where detectors overlap, the most specific one is kept."""
    kept: list[_Hit] = []
    for hit in sorted(hits, key=lambda h: (_GENERIC_RANK.get(h.kind, 0), h.column)):
        end = hit.column + len(hit.secret)
        if not any(
            k.line is hit.line and k.column < end and hit.column < k.column + len(k.secret)
            for k in kept
        ):
            kept.append(hit)
    return kept


def _report(
    item: Record | ArticlePage, hits: list[_Hit], source: str | None
) -> Iterator[RecordError]:
    """Place each finding in the file, and drop those on an allowed line."""
    file_lines = source.split("\n") if source is not None else None
    for hit in hits:
        line_no, column = _locate(item, hit, file_lines)
        shown = file_lines[line_no - 1] if file_lines and 0 < line_no <= len(file_lines) else None
        if _allowed(hit.line.text, shown, file_lines, line_no):
            continue
        yield _error(item.path, hit, line_no, column)


def _locate(item: Record | ArticlePage, hit: _Hit, file_lines: list[str] | None) -> tuple[int, int]:
    fm = item.source
    if hit.line.loc is None:
        return fm.body_line + hit.line.index, hit.column + 1
    pos = fm.position(hit.line.loc)
    if pos is None:
        return fm.start_line, 1
    if file_lines is not None:
        # Each line of a value comes from at least one line of the file, in order.
        for n in range(pos.line + hit.line.index, fm.body_line - 1):
            start = pos.column - 1 if n == pos.line else 0
            found = file_lines[n - 1].find(hit.secret, start) if n <= len(file_lines) else -1
            if found >= 0:
                return n, found + 1
    if hit.line.index == 0:
        return pos.line, pos.column + (0 if pos.plain else 1) + hit.column
    # A block scalar without the file: its text starts on the next line, indented by two.
    return pos.line + hit.line.index + (0 if pos.plain else 1), pos.key_column + 2 + hit.column


def _allowed(text: str, shown: str | None, file_lines: list[str] | None, line_no: int) -> bool:
    line = shown if shown is not None else text
    if _ALLOWED.search(line) or _ALLOWED.search(text):
        return True
    lines, number = (file_lines, line_no) if shown is not None and file_lines else ([line], 1)
    context = get_code_snippet(lines, number)
    return bool(is_line_allowlisted(filename=_FILENAME, line=line, context=context))


def _error(path: str, hit: _Hit, line: int, column: int) -> RecordError:
    code, what, placeholder = _KINDS.get(hit.kind, (_slug(hit.kind), f"a {hit.kind}", "$SECRET"))
    if hit.kind == _ASSIGNED:
        what = f"a secret assigned to {hit.detector}"
        name = re.sub(r"[^A-Za-z0-9]+", "_", hit.detector.strip("'-")).strip("_").upper()
        placeholder = f"${name or 'SECRET'}"
        detector = "detect-secrets' entropy measure"
    else:
        detector = f"detect-secrets {hit.detector}"
    if hit.line.loc is None:
        silence = f"add '<!-- {ALLOW_MARKER} -->' to line {line}"
    else:
        silence = f"end line {line} with '  # {ALLOW_MARKER}'"
    return RecordError(
        code=f"secret.{code}",
        file=path,
        line=line,
        column=column,
        field=field_path(hit.line.loc) if hit.line.loc is not None else None,
        message=f"looks like {what} ({detector}); credentials must not be published",
        got=f"'{_redact(hit.secret)}' ({len(hit.secret)} characters)",
        hint=f"if it is real, rotate it now (it may already be in git history), then remove it "
        f"and write a placeholder such as {placeholder}; if it is not a secret, {silence}",
    )


def _redact(secret: str) -> str:
    """The first 4 characters (at most a quarter of a short value), then an ellipsis."""
    return secret[: min(4, len(secret) // 4)] + "…"


def _slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", kind.lower()).strip("_")
