"""Index a built site with Pagefind's Python API; its binary ships in the ``pagefind_bin`` wheel.

Pagefind reads the HTML in the site folder (only what is inside ``data-pagefind-body``, with the
filters and sort keys of ``facets``) and writes ``pagefind/`` next to it: the index split into
small fragments, the WebAssembly search code and the UI. A reader's browser loads only the
fragments a query needs.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import json
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from collections.abc import Coroutine
    from pathlib import Path

__all__ = ["OUTPUT_DIR", "IndexResult", "SearchIndexError", "build_index"]

#: The folder of the site that Pagefind writes, and where the UI loads it from.
OUTPUT_DIR = "pagefind"

_HELP = (
    "reinstall changetrail's dependencies (pip install 'pagefind[bin]>=1.5,<2'), point "
    "PAGEFIND_BINARY_PATH at a working pagefind binary, or set 'search: material' under "
    "plugins.changetrail in mkdocs.yml"
)

T = TypeVar("T")


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says what to do."""


@dataclass(frozen=True)
class IndexResult:
    """What one indexing run did."""

    pages: int
    seconds: float
    bytes: int


def build_index(site_dir: Path, *, directory_urls: bool = True) -> IndexResult:
    """Index the HTML under ``site_dir`` into ``site_dir/pagefind``.

    ``directory_urls=False`` keeps ``index.html`` at the end of result URLs, as the site's own
    links do. The work runs in its own thread with its own event loop, so it also works when the
    caller's thread already runs one (MkDocs' ``serve``, Playwright in tests).
    """
    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="pagefind") as pool:
        pool.submit(asyncio.run, _index(site_dir, directory_urls=directory_urls)).result()
    output = site_dir / OUTPUT_DIR
    size = sum(p.stat().st_size for p in output.rglob("*") if p.is_file())
    return IndexResult(
        pages=indexed_pages(output), seconds=time.perf_counter() - started, bytes=size
    )


def indexed_pages(output: Path) -> int:
    """The pages in a written index (HTML files without ``data-pagefind-body`` are not)."""
    entry = json.loads((output / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(int(lang.get("page_count", 0)) for lang in entry.get("languages", {}).values())


async def _index(site_dir: Path, *, directory_urls: bool) -> None:
    from pagefind.index import IndexConfig
    from pagefind.service import PagefindService

    # Heading permalinks ("¶") would show in every sub-result's title.
    config = IndexConfig(keep_index_url=not directory_urls, exclude_selectors=[".headerlink"])
    try:
        service = PagefindService()
    except FileNotFoundError as exc:
        raise SearchIndexError(f"the pagefind binary was not found ({exc}); {_HELP}") from None
    try:
        await service.launch()
    except OSError as exc:
        raise SearchIndexError(f"the pagefind binary could not start ({exc}); {_HELP}") from None
    try:
        index = await _guarded(service, service.create_index(config))
        await _guarded(service, index.add_directory(str(site_dir.resolve())))
        await _guarded(service, index.write_files(str((site_dir / OUTPUT_DIR).resolve())))
    finally:
        await _close(service)


async def _guarded(service: Any, work: Coroutine[Any, Any, T]) -> T:
    """Await ``work``, unless the pagefind process stops first (its replies would never come).

    The service answers through its standard output; the pagefind package reads it in a task of
    its own, which ends only when that output ends. ``service`` is typed ``Any`` because that
    task is not part of the package's public interface.
    """
    task = asyncio.ensure_future(work)
    reader: asyncio.Future[Any] | None = getattr(service, "_poll_task", None)
    waiting: set[asyncio.Future[Any]] = {task} if reader is None else {task, reader}
    try:
        await asyncio.wait(waiting, return_when=asyncio.FIRST_COMPLETED)
    except asyncio.CancelledError:
        task.cancel()
        raise
    if not task.done():
        task.cancel()
        raise SearchIndexError(f"the pagefind binary stopped while indexing the site; {_HELP}")
    try:
        return task.result()
    except SearchIndexError:
        raise
    except Exception as exc:  # the service reports its errors as plain Exception(message, ...)
        reason = exc.args[0] if exc.args else exc
        raise SearchIndexError(f"pagefind could not index the site: {reason}; {_HELP}") from None


async def _close(service: Any) -> None:
    """Stop the pagefind process; one that already stopped is fine."""
    process = getattr(service, "_backend", None)
    if process is not None and process.returncode is not None:
        reader = getattr(service, "_poll_task", None)
        if reader is not None:
            reader.cancel()
        return
    with contextlib.suppress(ProcessLookupError, ConnectionError):
        await service.close()
