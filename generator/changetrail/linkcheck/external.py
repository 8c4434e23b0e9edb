"""Check external links (opt-in): concurrent, polite to each host, cached on disk.

Each distinct URL is requested once per run (``HEAD``, then ``GET`` when ``HEAD`` is refused),
with at most ``concurrency`` requests in flight and at least ``host_interval`` seconds between
two requests to one host. ``429`` and ``5xx`` answers, timeouts and connection errors are retried
``retries`` times, waiting what ``Retry-After`` asks for (capped) or a doubling backoff. Results
are cached per URL; a fresh entry answers without touching the network. Only answers are cached:
timeouts, network errors and 408/429/5xx are asked again on the next run.
"""

from __future__ import annotations

import asyncio
import re
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .. import __version__
from ..errors import ConfigError, RecordError
from .cache import LinkCache
from .fetcher import fetch_all

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable
    from pathlib import Path

    from .cache import CacheEntry
    from .sources import SourceMap

__all__ = [
    "ExternalLink",
    "ExternalOptions",
    "ExternalReport",
    "check_external",
    "collect_external",
]


@dataclass(frozen=True, slots=True)
class ExternalLink:
    """One occurrence of an external URL in a source file."""

    url: str
    file: str
    line: int | None
    column: int | None
    field: str | None = None


@dataclass(frozen=True, slots=True)
class ExternalOptions:
    """How external links are checked; the defaults suit CI."""

    concurrency: int = 8  # requests in flight at once
    host_interval: float = 0.25  # seconds between two requests to the same host
    timeout: float = 10.0  # seconds for one request, all phases together
    retries: int = 2  # extra tries after a 429/5xx answer, a timeout or a connection error
    backoff: float = 1.0  # first wait when the server gives no Retry-After; doubles each time
    max_retry_after: float = 60.0  # the longest Retry-After honoured
    cache_max_age: float = 86_400.0  # seconds a cached result stays fresh (1 day)
    exclude: tuple[str, ...] = ()  # regular expressions; a URL matching one is skipped
    trust_env: bool = True  # use HTTP(S)_PROXY and friends from the environment
    user_agent: str = f"changetrail-linkcheck/{__version__}"
    _patterns: tuple[re.Pattern[str], ...] = field(default=(), init=False, repr=False)

    def __post_init__(self) -> None:
        if self.concurrency < 1 or self.retries < 0 or self.timeout <= 0:
            raise ConfigError("link check: concurrency >= 1, retries >= 0 and timeout > 0")
        patterns = []
        for pattern in self.exclude:
            try:
                patterns.append(re.compile(pattern))
            except re.error as exc:
                raise ConfigError(f"link check: bad exclude pattern {pattern!r}: {exc}") from exc
        object.__setattr__(self, "_patterns", tuple(patterns))

    def excluded(self, url: str) -> bool:
        return any(p.search(url) for p in self._patterns)


@dataclass(frozen=True, slots=True)
class ExternalReport:
    """What the check found; the counts are of distinct URLs."""

    errors: tuple[RecordError, ...]
    checked: int  # asked over the network
    cached: int  # answered from the cache
    broken: int  # failed, over the network or in the cache
    skipped: int  # excluded by a pattern

    def summary(self) -> str:
        return (
            f"checked {self.checked}, cached {self.cached}, broken {self.broken}, "
            f"skipped {self.skipped}"
        )


def collect_external(sources: SourceMap) -> list[ExternalLink]:
    """Every ``http(s)`` link written in the pages' sources (bodies and frontmatter)."""
    out: list[ExternalLink] = []
    seen: set[str] = set()
    for page in sources.pages.values():
        if page.path is None or page.path in seen:
            continue
        seen.add(page.path)
        out.extend(
            ExternalLink(link.url, page.path, link.line, link.column, link.field)
            for link in page.links
            if link.url.lower().startswith(("http://", "https://"))
        )
    return out


def check_external(
    links: Iterable[ExternalLink],
    options: ExternalOptions,
    cache_path: Path,
    *,
    clock: Callable[[], float] = time.time,
) -> ExternalReport:
    """Check external links, reusing fresh results from the cache at ``cache_path``.

    Args:
        links: the occurrences to check; each distinct URL (without ``#fragment``) is asked once.
        options: concurrency, rate, timeout, retries, cache age and exclusions.
        cache_path: the JSON cache file; created or updated.
        clock: the wall clock, for cache ages.

    Returns:
        One error per occurrence of a broken URL (4xx/5xx after retries, timeout, unreachable),
        and the counts for the summary line.
    """
    links = list(links)
    cache = LinkCache(cache_path, max_age=options.cache_max_age, now=clock())
    by_url: dict[str, list[ExternalLink]] = {}
    for link in links:
        by_url.setdefault(link.url.split("#", 1)[0], []).append(link)
    skipped = {u for u in by_url if options.excluded(u)}
    results: dict[str, CacheEntry] = {}
    for url in by_url.keys() - skipped:
        entry = cache.fresh(url)
        if entry is not None:
            results[url] = entry
    cached = len(results)
    todo = sorted(by_url.keys() - skipped - results.keys())
    if todo:
        fetched = asyncio.run(fetch_all(todo, options, clock))
        for url, entry in fetched.items():
            if _definitive(entry):
                cache.put(url, entry)
        results.update(fetched)
        cache.save()
    errors: list[RecordError] = []
    broken = 0
    for url in sorted(results):
        problem = _problem(results[url], options)
        if problem is None:
            continue
        broken += 1
        code, message, hint = problem
        errors.extend(
            RecordError(
                code=code,
                file=link.file,
                line=link.line,
                column=link.column,
                field=link.field,
                message=message.format(url=link.url),
                hint=hint,
            )
            for link in by_url[url]
        )
    return ExternalReport(tuple(errors), len(todo), cached, broken, len(skipped))


def _definitive(entry: CacheEntry) -> bool:
    """Worth caching: an answer, not a timeout, a network error, a 408, 429 or 5xx (a rerun
    should try those again rather than repeat a stale failure for a day)."""
    status = entry.status
    return entry.error is None and status is not None and status < 500 and status not in (408, 429)


def _problem(entry: CacheEntry, options: ExternalOptions) -> tuple[str, str, str] | None:
    if entry.error == "timeout":
        return (
            "link.timeout",
            f"external link '{{url}}' did not answer within {options.timeout:g} s",
            "open it by hand; if the host is just slow, raise the timeout or exclude the URL",
        )
    if entry.error is not None:
        return (
            "link.unreachable",
            f"external link '{{url}}' could not be reached ({entry.error})",
            "check the host name; if the host is internal, exclude it with a pattern",
        )
    if entry.status is None or entry.status < 400:
        return None
    if entry.status in (404, 410):
        hint = "the page is gone: update or remove the link"
    elif entry.status in (401, 403):
        hint = "the server refused access; if the page needs a login, exclude it with a pattern"
    elif entry.status == 429:
        hint = "the server kept rate-limiting; try again later or lower the concurrency"
    else:
        hint = "the server failed; try again later, and exclude the URL if it stays down"
    return "link.external", f"external link '{{url}}' answered HTTP {entry.status}", hint
