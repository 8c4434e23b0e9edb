"""Split a built site's indexed pages into Pagefind shards, and keep each shard's output by content.

A shard is a fixed share of the pages with ``data-pagefind-body``: a page goes to shard
``sha1(relative path) % count``, so it stays in its shard from build to build while the count
holds. Pagefind indexes each shard on its own (peak memory is one shard's, not the site's); the
browser merges them. ``ShardCache`` keeps each shard's written index under a key made of
everything Pagefind reads for it, so a rebuild re-indexes only the shards whose pages changed.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import math
import os
import shutil
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = ["PREVIEW_SHARD_SIZE", "SHARD_SIZE", "Shard", "ShardCache", "plan", "shard_key"]

#: Most indexed pages in one shard. Fewer, larger shards load fewer bytes on a first query
#: (each shard adds its metadata and a word-index chunk); smaller ones need less memory and
#: re-index faster. At 10,000 pages this gives five shards of about 2,000 pages: ~6 s and
#: ~680 MB each, and a first query of about 400 KB gzip (six shards of 1,670 loaded 485 KB).
SHARD_SIZE = 2500
#: The shard size while previewing (`serve`): the index is local, so more, smaller shards cost
#: nothing to load, and a save indexes only the few hundred pages of the shards it changed.
PREVIEW_SHARD_SIZE = 500

_MARKER = b"data-pagefind-body"

#: An article's similar-posts section (``render/templates/similar.md.j2``) as the plugin
#: leaves it in a page: out of the index (its titles would match searches for other pages),
#: and so out of a shard's digest too, so that a save which only moves similar posts (the
#: usual case: every edit changes some) re-indexes no other shard.
SIMILAR_SECTION = b'<div class="ct-similar" data-pagefind-ignore="all">'


@dataclass(frozen=True)
class Shard:
    """One share of the site's pages: ``files`` are (relative POSIX path, sha256) pairs, sorted."""

    index: int
    files: tuple[tuple[str, str], ...]


def _html_files(site_dir: Path, skip: str) -> Iterator[tuple[str, str]]:
    """(relative POSIX path, path) of every HTML file, sorted; plain strings, as this runs
    for every file of the site on every build."""
    top_dir = str(site_dir)
    cut = len(os.path.join(top_dir, ""))  # noqa: PTH118 (strings: see the docstring)
    for top, dirs, names in os.walk(top_dir):
        if top == top_dir:  # the index, and the new one being written (``build_index``)
            dirs[:] = [d for d in dirs if d != skip and not d.startswith(".pagefind-")]
        dirs.sort()
        for name in sorted(names):
            if name.endswith(".html"):
                path = os.path.join(top, name)  # noqa: PTH118
                yield path[cut:].replace(os.sep, "/"), path


def plan(
    site_dir: Path,
    *,
    shard_size: int = SHARD_SIZE,
    skip: str = "pagefind",
    seen: dict[str, tuple[int, int, str, bool]] | None = None,
) -> list[Shard]:
    """The shards of the HTML under ``site_dir`` (the folder ``skip`` left out).

    Only pages with ``data-pagefind-body`` count, as Pagefind itself does once any page has it.
    A site where no page has it is one shard of every HTML file (Pagefind then indexes them all).
    ``seen`` (kept by the caller from one run to the next: `serve`) maps each page to its
    modification time, size, digest and mark; a page whose time and size are the same is not
    read again.
    """
    marked: list[tuple[str, str]] = []
    every: list[tuple[str, str]] = []
    now: dict[str, tuple[int, int, str, bool]] = {}
    for rel, path in _html_files(site_dir, skip):
        if seen is not None:
            stat = os.stat(path)  # noqa: PTH116 (a str path, see _html_files)
            hit = seen.get(rel)
            if hit is not None and hit[:2] == (stat.st_mtime_ns, stat.st_size):
                digest, mark = hit[2], hit[3]
            else:
                digest, mark = _digest(path)
            now[rel] = (stat.st_mtime_ns, stat.st_size, digest, mark)
        else:
            digest, mark = _digest(path)
        entry = (rel, digest)
        every.append(entry)
        if mark:
            marked.append(entry)
    if seen is not None:
        seen.clear()
        seen.update(now)
    if not marked:
        return [Shard(0, tuple(every))]
    count = max(1, math.ceil(len(marked) / max(1, shard_size)))
    groups: list[list[tuple[str, str]]] = [[] for _ in range(count)]
    for entry in marked:
        groups[int(hashlib.sha1(entry[0].encode()).hexdigest(), 16) % count].append(entry)
    return [Shard(i, tuple(files)) for i, files in enumerate(groups) if files or i == 0]


def _digest(path: str) -> tuple[str, bool]:
    """A page's digest (of what Pagefind reads) and whether it has ``data-pagefind-body``."""
    with open(path, "rb") as file:  # noqa: PTH123 (a str path, see _html_files)
        data = file.read()
    return hashlib.sha256(_indexed(data)).hexdigest(), _MARKER in data


def _indexed(data: bytes) -> bytes:
    """A page's bytes without the parts Pagefind leaves out (``SIMILAR_SECTION``)."""
    start = data.find(SIMILAR_SECTION)
    if start < 0:
        return data
    end = data.find(b"</div>", start)
    return data if end < 0 else data[:start] + data[end:]


def shard_key(shard: Shard, *, count: int, settings: dict[str, Any]) -> str:
    """The cache key of a shard: everything that decides what Pagefind writes for it."""
    text = json.dumps(
        {"settings": settings, "count": count, "files": shard.files},
        sort_keys=True,
        separators=(",", ":"),
    )
    return hashlib.sha256(text.encode()).hexdigest()


def link_tree(source: Path, target: Path) -> None:
    """Recreate ``source``'s files under ``target`` as hard links (copies across devices)."""
    for top, _dirs, names in os.walk(source):
        folder = Path(top)
        into = target / folder.relative_to(source)
        into.mkdir(parents=True, exist_ok=True)
        for name in names:
            link_file(folder / name, into / name)


def link_file(source: str | Path, target: str | Path) -> None:
    try:
        os.link(source, target)
    except OSError:
        shutil.copyfile(source, target)


class ShardCache:
    """Written shard indexes under ``<cache_dir>/pagefind/<key>/``; None as folder: no cache.

    An entry appears whole or not at all (written to a temporary folder, then renamed), so an
    interrupted build or a half-restored CI cache never leaves a partial one. Restoring links
    the files into the site: the build removes a shard's output folder before it writes one,
    so a cached file is never written through a link.
    """

    def __init__(self, cache_dir: Path | None) -> None:
        self.root = None if cache_dir is None else cache_dir / "pagefind"
        self.used: set[str] = set()

    def restore(self, key: str, target: Path) -> bool:
        """Put the entry ``key`` at ``target``; False if there is none."""
        if self.root is None:
            return False
        entry = self.root / key
        if not (entry / "pagefind-entry.json").is_file():
            return False
        try:
            link_tree(entry, target)
        except OSError:  # no room for copies, or the entry vanished: index the shard instead
            shutil.rmtree(target, ignore_errors=True)
            return False
        self.used.add(key)
        return True

    def keep(self, key: str) -> None:
        """Count the entry ``key`` as used (its index is already in the site)."""
        self.used.add(key)

    def store(self, key: str, source: Path) -> None:
        """Keep ``source`` (a shard's written index) as the entry ``key``."""
        if self.root is None:
            return
        self.used.add(key)
        try:
            self.root.mkdir(parents=True, exist_ok=True)
            if (self.root / key).is_dir():
                return
            temp = Path(tempfile.mkdtemp(prefix=f".tmp-{key[:16]}-", dir=self.root))
        except OSError:
            return  # a cache that cannot be written only costs time
        try:
            link_tree(source, temp)
            temp.rename(self.root / key)
        except OSError:
            shutil.rmtree(temp, ignore_errors=True)  # another build stored it first, or no room

    def prune(self) -> None:
        """Remove the entries this build did not use (and temporary folders of crashed builds)."""
        if self.root is None or not self.root.is_dir():
            return
        for path in self.root.iterdir():
            if path.name in self.used:
                continue
            if path.name.startswith(".tmp-") and not _stale(path):
                continue  # perhaps another build still writing
            with contextlib.suppress(OSError):
                shutil.rmtree(path)


def _stale(path: Path, seconds: float = 3600) -> bool:
    try:
        return time.time() - path.stat().st_mtime > seconds
    except OSError:
        return False
