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
import hashlib
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

from .errors import RecordError
from .loader import read_text
from .validation import field_path

if TYPE_CHECKING:
    from pathlib import Path

    from .loader import ArticlePage, Record
    from .yamlread import Loc

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
# The keyword detector's words are lower case; searching lower-cased text is ten times faster
# than a case-insensitive regex (which is used when lower-casing changes the text's length).
_KEYWORDS = re.compile("|".join(DENYLIST))
_KEYWORDS_ANY_CASE = re.compile("|".join(DENYLIST), re.IGNORECASE)


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
    """detect-secrets' plugins and filters, with a cheap whole-text gate for each plugin."""

    gates: list[tuple[Any, list[re.Pattern[str]] | None]]
    secret_filters: list[Any]
    line_filters: list[Any]
    base64: Base64HighEntropyString


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
    with default_settings() as settings:
        settings.disable_plugins(*_DISABLED_PLUGINS)
        settings.disable_filters(_VERIFY_FILTER)  # verifying would call the provider's API
        detectors = _load_detectors()
        for item in items:
            hits = _cached_find(list(_published_lines(item)), detectors)
            if hits:
                source = read_source(item.path) if read_source else None
                errors.extend(_report(item, hits, source))
    return errors


def _load_detectors() -> _Detectors:
    gates: list[tuple[Any, list[re.Pattern[str]] | None]] = []
    base64 = Base64HighEntropyString()
    for plugin in get_plugins():
        patterns: list[re.Pattern[str]] | None
        if isinstance(plugin, RegexBasedDetector):
            # MULTILINE keeps '^' and '$' meaning "line" when a whole text is searched at once.
            patterns = [re.compile(p.pattern, p.flags | re.MULTILINE) for p in plugin.denylist]
        elif isinstance(plugin, HighEntropyStringsPlugin):
            patterns = [plugin.regex]
            base64 = plugin if isinstance(plugin, Base64HighEntropyString) else base64
        elif isinstance(plugin, KeywordDetector):
            patterns = [_KEYWORDS]  # every rule of the keyword detector needs one of its words
        else:
            patterns = None  # a plugin we do not know: run it on every line
        gates.append((plugin, patterns))
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


def _published_lines(item: Record | ArticlePage) -> Iterator[_Line]:
    for loc, key, value in _strings(item.source.data, ()):
        if loc and loc[0] in SKIPPED_FIELDS:
            continue
        parts = value.split("\n")
        for i, part in enumerate(parts):
            yield _Line(loc, i, part, key if len(parts) == 1 else None)
    for i, part in enumerate(item.body.split("\n")):
        yield _Line(None, i, part)


def _strings(
    value: object, loc: Loc, key: str | None = None
) -> Iterator[tuple[Loc, str | None, str]]:
    if isinstance(value, str):
        yield loc, key, value
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from _strings(v, (*loc, str(k)), str(k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _strings(v, (*loc, i))


#: Findings by a digest of the published text, so that `serve` rescans only edited files.
_CACHE: dict[bytes, list[_Hit]] = {}
_CACHE_SIZE = 50_000


def _cached_find(lines: list[_Line], det: _Detectors) -> list[_Hit]:
    digest = hashlib.blake2b(digest_size=16)
    for line in lines:
        digest.update(f"{line.loc!r}\0{line.index}\0{line.key!r}\0{line.text}\0".encode())
    key = digest.digest()
    if key not in _CACHE:
        if len(_CACHE) >= _CACHE_SIZE:
            _CACHE.clear()
        _CACHE[key] = _find(lines, det)
    return _CACHE[key]


def _find(lines: list[_Line], det: _Detectors) -> list[_Hit]:
    """Search the whole text once per plugin, then run plugins only on the lines they matched."""
    text = "\n".join(line.text for line in lines)
    starts = [0]
    for line in lines[:-1]:
        starts.append(starts[-1] + len(line.text) + 1)

    def spanned(match: re.Match[str]) -> range:
        first = bisect.bisect_right(starts, match.start()) - 1
        last = bisect.bisect_right(starts, max(match.start(), match.end() - 1)) - 1
        return range(first, last + 1)

    lower = text.lower()

    def search(pattern: re.Pattern[str]) -> Iterator[re.Match[str]]:
        if pattern is not _KEYWORDS:
            return pattern.finditer(text)
        if len(lower) == len(text):
            return pattern.finditer(lower)
        return _KEYWORDS_ANY_CASE.finditer(text)

    todo: dict[int, list[Any]] = defaultdict(list)
    for plugin, patterns in det.gates:
        if patterns is None:
            hit_lines: set[int] = set(range(len(lines)))
        else:
            hit_lines = {i for p in patterns for m in search(p) for i in spanned(m)}
        for i in hit_lines:
            todo[i].append(plugin)
    hits: list[_Hit] = []
    for i, plugins in todo.items():
        hits.extend(_run_plugins(lines[i], plugins, det))
    for match in _assignments(text, 0, len(text)):
        i = spanned(match)[0]
        hits.extend(_assigned(lines[i], match, match.start() - starts[i], det))
    hits.extend(h for line in lines if line.key for h in _keyed(line, det))
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
