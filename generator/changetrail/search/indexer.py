"""Index a built site with Pagefind's binary (the ``pagefind_bin`` wheel or PAGEFIND_BINARY_PATH).

Pagefind reads the HTML in the site folder (only what is inside ``data-pagefind-body``, with the
filters and sort keys of ``facets``) and writes ``pagefind/`` next to it: the index split into
small fragments, the WebAssembly search code and the UI. A reader's browser loads only the
fragments a query needs.

A large site is indexed in shards of at most ``shards.SHARD_SIZE`` pages (see ``shards``), one
after another: shard 0 goes to ``pagefind/``, the others to ``pagefind/shard-<i>/``, and
``pagefind/changetrail-shards.json`` lists them for the search script, which merges them in
the browser. With a cache folder, a shard whose pages did not change is restored, not indexed.
"""

from __future__ import annotations

import importlib.metadata
import json
import os
import shutil
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .shards import SHARD_SIZE, Shard, ShardCache, link_file, plan, shard_key

__all__ = ["MANIFEST", "OUTPUT_DIR", "IndexResult", "SearchIndexError", "build_index"]

#: The folder of the site that Pagefind writes, and where the UI loads it from.
OUTPUT_DIR = "pagefind"
#: In ``OUTPUT_DIR``: the other shards' folders, relative to it (``{"shards": ["shard-1/"]}``).
MANIFEST = "changetrail-shards.json"
#: For tests and experiments only: a smaller shard size than ``SHARD_SIZE``.
SHARD_SIZE_ENV = "CHANGETRAIL_PAGEFIND_SHARD_SIZE"

_HELP = (
    "reinstall changetrail's dependencies (pip install 'pagefind[bin]>=1.5,<2'), point "
    "PAGEFIND_BINARY_PATH at a working pagefind binary, or set 'search: material' under "
    "plugins.changetrail in mkdocs.yml"
)


class SearchIndexError(Exception):
    """Pagefind could not index the site; the message says what to do."""


@dataclass(frozen=True)
class IndexResult:
    """What one indexing run did: ``reused`` of the ``shards`` came from the cache."""

    pages: int
    seconds: float
    bytes: int
    shards: int = 1
    reused: int = 0


def build_index(
    site_dir: Path,
    *,
    directory_urls: bool = True,
    cache_dir: Path | None = None,
    shard_size: int | None = None,
    seen: dict[str, tuple[int, int, str, bool]] | None = None,
) -> IndexResult:
    """Index the HTML under ``site_dir`` into ``site_dir/pagefind``.

    ``directory_urls=False`` keeps ``index.html`` at the end of result URLs, as the site's own
    links do. ``cache_dir`` keeps each shard's index by content (``None``: no cache); entries
    this build did not use are removed. ``shard_size`` (default ``SHARD_SIZE``, or the
    CHANGETRAIL_PAGEFIND_SHARD_SIZE variable, meant for tests) is the most pages in a shard.
    ``seen`` spares reading the pages that did not change since the last run (``plan``).
    """
    started = time.perf_counter()
    size = shard_size or int(os.environ.get(SHARD_SIZE_ENV) or SHARD_SIZE)
    output = site_dir / OUTPUT_DIR
    shards = plan(site_dir, shard_size=size, skip=OUTPUT_DIR, seen=seen)
    config = _config(directory_urls=directory_urls)
    settings = {"pagefind": _versions(), "config": config}
    keys = {_folder(s): shard_key(s, count=len(shards), settings=settings) for s in shards}
    cache = ShardCache(cache_dir)
    written = _written_keys(output)
    reused = 0
    # Each shard's index is written into a new folder and swapped in (``_swap``): search
    # keeps working while `serve` indexes again, a shard whose pages did not change is left as
    # it is, and nothing is ever written into a file linked from the cache.
    for shard in shards:
        folder = _folder(shard)
        key = keys[folder]
        target = output / folder
        if written.get(folder) == key and (target / "pagefind-entry.json").is_file():
            cache.keep(key)
            reused += 1
            continue
        new = Path(tempfile.mkdtemp(prefix=".pagefind-new-", dir=site_dir))
        try:
            if cache.restore(key, new / "index"):
                reused += 1
            else:
                _run(site_dir, shard, new / "index", config, whole=len(shards) == 1)
                cache.store(key, new / "index")
            _swap(target, new / "index", site_dir=site_dir)
        finally:
            shutil.rmtree(new, ignore_errors=True)
    for stale in output.glob("shard-*"):
        if f"{stale.name}/" not in keys:
            shutil.rmtree(stale, ignore_errors=True)
    cache.prune()
    manifest = {"shards": [f for f in keys if f], "keys": keys}
    temp = output / f".{MANIFEST}.{os.getpid()}-{threading.get_ident()}"
    temp.write_text(json.dumps(manifest) + "\n", encoding="utf-8")
    temp.replace(output / MANIFEST)
    return IndexResult(
        pages=sum(indexed_pages(output / _folder(s)) for s in shards),
        seconds=time.perf_counter() - started,
        bytes=sum(p.stat().st_size for p in output.rglob("*") if p.is_file()),
        shards=len(shards),
        reused=reused,
    )


def _written_keys(output: Path) -> dict[str, str]:
    """The cache key of each shard folder the index in ``output`` was written from."""
    try:
        keys = json.loads((output / MANIFEST).read_text(encoding="utf-8")).get("keys", {})
    except (OSError, ValueError, AttributeError):
        return {}
    return keys if isinstance(keys, dict) else {}


def _swap(target: Path, new: Path, *, site_dir: Path) -> None:
    """Put the index in ``new`` at ``target``, leaving the other shards' folders inside it.

    The first shard's index is ``pagefind/`` itself, with the other shards in ``shard-*``
    folders inside it; so its own files are moved one by one (a few renames).
    """
    target.mkdir(parents=True, exist_ok=True)
    trash = Path(tempfile.mkdtemp(prefix=".pagefind-old-", dir=site_dir))
    try:
        for entry in list(target.iterdir()):
            if not (entry.name.startswith("shard-") or entry.name == MANIFEST):
                entry.rename(trash / entry.name)
        for entry in list(new.iterdir()):
            entry.rename(target / entry.name)
    finally:
        shutil.rmtree(trash, ignore_errors=True)


def _folder(shard: Shard) -> str:
    return f"shard-{shard.index}/" if shard.index else ""


def _config(*, directory_urls: bool) -> dict[str, Any]:
    # Heading permalinks ("¶") would show in every sub-result's title.
    return {"keep_index_url": not directory_urls, "exclude_selectors": [".headerlink"]}


def _versions() -> dict[str, str]:
    """What decides the binary's output: the packages' versions, or the binary set instead."""
    out = {"binary": os.environ.get("PAGEFIND_BINARY_PATH", "")}
    for name in ("pagefind", "pagefind_bin"):
        try:
            out[name] = importlib.metadata.version(name)
        except importlib.metadata.PackageNotFoundError:
            out[name] = ""
    return out


def _run(
    site_dir: Path, shard: Shard, target: Path, config: dict[str, Any], *, whole: bool
) -> None:
    """Index one shard into ``target``: the site itself when it is the only shard, else its
    pages linked into a staging folder that mirrors the site's layout."""
    if whole:
        _pagefind(site_dir, target, config)
        return
    stage = Path(tempfile.mkdtemp(prefix=".pagefind-stage-", dir=site_dir.parent))
    try:
        for rel, _digest in shard.files:
            into = stage / rel
            into.parent.mkdir(parents=True, exist_ok=True)
            link_file(site_dir / rel, into)
        _pagefind(stage, target, config)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _pagefind(source: Path, target: Path, config: dict[str, Any]) -> None:
    """Run Pagefind's command line over ``source``, writing ``target``.

    The command line, not the Python API's service: the service takes about twice as long for
    the same pages (1,700 pages: 9.7 s against 4.5 s). It runs in an empty folder and without
    PAGEFIND_* variables, so no pagefind.yml or environment setting changes the index.
    """
    from pagefind.service import get_executable

    binary = get_executable()
    if binary is None:
        raise SearchIndexError(f"the pagefind binary was not found; {_HELP}")
    command = [str(binary), "--site", str(source.resolve()), "--output-path"]
    command += [str(target.resolve()), "--silent"]
    for selector in config["exclude_selectors"]:
        command += ["--exclude-selectors", selector]
    if config["keep_index_url"]:
        command.append("--keep-index-url")
    env = {k: v for k, v in os.environ.items() if not k.startswith("PAGEFIND_")}
    with tempfile.TemporaryDirectory(prefix="changetrail-pagefind-") as empty:
        try:
            done = subprocess.run(
                command, cwd=empty, env=env, capture_output=True, text=True, check=False
            )
        except OSError as exc:
            raise SearchIndexError(
                f"the pagefind binary could not start ({exc}); {_HELP}"
            ) from None
    if done.returncode < 0:
        raise SearchIndexError(f"the pagefind binary stopped while indexing the site; {_HELP}")
    if done.returncode:
        lines = (done.stderr or done.stdout).strip().splitlines()
        reason = lines[-1] if lines else f"exit status {done.returncode}"
        raise SearchIndexError(f"pagefind could not index the site: {reason}; {_HELP}")


def indexed_pages(output: Path) -> int:
    """The pages in a written index (HTML files without ``data-pagefind-body`` are not)."""
    entry = json.loads((output / "pagefind-entry.json").read_text(encoding="utf-8"))
    return sum(int(lang.get("page_count", 0)) for lang in entry.get("languages", {}).values())
