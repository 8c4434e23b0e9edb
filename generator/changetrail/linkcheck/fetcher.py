"""The HTTP side of the external link check: one asyncio run over httpx.

``fetch_all`` asks each URL once, with at most ``concurrency`` requests in flight and at least
``host_interval`` seconds between two requests to one host, retrying 429/5xx answers, timeouts
and network errors with ``Retry-After`` honoured (capped) or a doubling backoff.
"""

from __future__ import annotations

import asyncio
import email.utils
import time
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import httpx

from .cache import CacheEntry

if TYPE_CHECKING:
    from collections.abc import Callable

    from .external import ExternalOptions

__all__ = ["fetch_all"]

_RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
_RETRY_AFTER_STATUSES = frozenset({429, 503})


class _HostLimiter:
    """At least ``interval`` seconds between two requests to the same host."""

    def __init__(self, interval: float) -> None:
        self.interval = interval
        self.next: dict[str, float] = {}
        self.locks: dict[str, asyncio.Lock] = {}

    async def wait(self, host: str) -> None:
        loop = asyncio.get_running_loop()
        async with self.locks.setdefault(host, asyncio.Lock()):
            delay = self.next.get(host, 0.0) - loop.time()
            if delay > 0:
                await asyncio.sleep(delay)
            self.next[host] = loop.time() + self.interval

    def defer(self, host: str, seconds: float) -> None:
        """Hold every request to ``host`` for ``seconds`` (a Retry-After is for the host)."""
        until = asyncio.get_running_loop().time() + seconds
        self.next[host] = max(self.next.get(host, 0.0), until)


async def fetch_all(
    urls: list[str], options: ExternalOptions, clock: Callable[[], float]
) -> dict[str, CacheEntry]:
    """Check every URL; return what each answered (status or error), stamped by ``clock``."""
    limiter = _HostLimiter(options.host_interval)
    slots = asyncio.Semaphore(options.concurrency)
    async with httpx.AsyncClient(
        follow_redirects=True,
        timeout=options.timeout,
        headers={"User-Agent": options.user_agent},
        trust_env=options.trust_env,
        limits=httpx.Limits(max_connections=options.concurrency),
    ) as client:
        entries = await asyncio.gather(
            *(_check_url(url, client, limiter, slots, options) for url in urls)
        )
    now = clock()
    return {
        url: CacheEntry(status, now, error)
        for url, (status, error) in zip(urls, entries, strict=True)
    }


async def _check_url(
    url: str,
    client: httpx.AsyncClient,
    limiter: _HostLimiter,
    slots: asyncio.Semaphore,
    options: ExternalOptions,
) -> tuple[int | None, str | None]:
    try:
        host = urlsplit(url).netloc.lower()
    except ValueError as exc:
        return None, f"invalid URL: {exc}"
    for attempt in range(options.retries + 1):
        async with slots:
            status, retry_after, error = await _request(url, client, limiter, host, options)
        retryable = error is not None or status in _RETRY_STATUSES
        if not retryable or attempt == options.retries:
            break
        wait = options.backoff * 2**attempt
        if retry_after is not None and status in _RETRY_AFTER_STATUSES:
            wait = min(retry_after, options.max_retry_after)
        limiter.defer(host, wait)
        await asyncio.sleep(wait)
    return status, error


async def _request(
    url: str, client: httpx.AsyncClient, limiter: _HostLimiter, host: str, opts: ExternalOptions
) -> tuple[int | None, float | None, str | None]:
    """One try: HEAD, then GET (body not read) when HEAD is refused. Status, Retry-After, error."""
    try:
        await limiter.wait(host)
        async with asyncio.timeout(opts.timeout):
            response = await client.head(url)
        if response.status_code >= 400 and response.status_code not in _RETRY_AFTER_STATUSES:
            await limiter.wait(host)
            async with asyncio.timeout(opts.timeout), client.stream("GET", url) as streamed:
                response = streamed
    except (TimeoutError, httpx.TimeoutException):
        return None, None, "timeout"
    except (httpx.HTTPError, httpx.InvalidURL) as exc:
        return None, None, _describe(exc)
    return response.status_code, _retry_after(response.headers.get("Retry-After")), None


def _retry_after(value: str | None) -> float | None:
    """Seconds to wait from a ``Retry-After`` header: a number or an HTTP date."""
    if value is None:
        return None
    value = value.strip()
    if value.isdigit():
        return float(value)
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError):
        return None
    return max(0.0, when.timestamp() - time.time())


def _describe(exc: httpx.HTTPError | httpx.InvalidURL) -> str:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    name = type(exc).__name__
    return f"{name}: {text[:120]}" if text else name
