"""Per-file history: every path records list in ``files_touched``, and every folder above them.

A folder "rolls up" its files: its page lists every record that touched a path under it.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import TYPE_CHECKING

from .slugs import unique_slugs

if TYPE_CHECKING:
    from collections.abc import Iterable

    from ..loader import Record

__all__ = ["FileIndex", "PathNode", "build_file_index", "normalize_path"]


# These three are pure functions of a string, called for every path of every record on every
# build (and every save in a preview): cached.
@functools.lru_cache(maxsize=1 << 16)
def normalize_path(path: str) -> str:
    """One spelling per path: ``/`` separators, no ``./``, no doubled or trailing ``/``."""
    return PurePosixPath(path.strip().replace("\\", "/")).as_posix()


@functools.lru_cache(maxsize=1 << 16)
def _sort_key(path: str) -> tuple[tuple[str, ...], str]:
    # By parts, so a folder's contents follow it ("a/b" before "a-c") whatever the punctuation.
    return (tuple(p.casefold() for p in PurePosixPath(path).parts), path)


@dataclass(frozen=True, slots=True)
class PathNode:
    """A path or folder with the records that touched it (or, for a folder, anything under it)."""

    path: str
    slug: str
    is_folder: bool
    listed: bool  # a record names this path itself
    records: tuple[Record, ...]  # newest first
    #: For each record, the listed paths under (or equal to) this one.
    touched: dict[str, tuple[str, ...]]
    parents: tuple[str, ...]  # enclosing folders, outermost first
    children: tuple[str, ...]  # paths directly inside, for folders


@dataclass(frozen=True, slots=True)
class FileIndex:
    """Every path and folder, sorted by path, each with a unique slug."""

    nodes: dict[str, PathNode]

    def sorted_nodes(self) -> list[PathNode]:
        """All nodes, folders before their contents."""
        return [self.nodes[p] for p in sorted(self.nodes, key=_sort_key)]

    def page_uri(self, path: str) -> str | None:
        """``files/<slug>.md`` (relative to ``site_path``) for a path as a record writes it."""
        node = self.nodes.get(normalize_path(path))
        return None if node is None else f"files/{node.slug}.md"


@functools.lru_cache(maxsize=1 << 16)
def _parents(path: str) -> tuple[str, ...]:
    return tuple(p.as_posix() for p in reversed(PurePosixPath(path).parents) if p.as_posix() != ".")


def build_file_index(records: Iterable[Record]) -> FileIndex:
    """Index ``records`` (newest first) by every path they touched and every folder above it."""
    touched: dict[str, dict[str, list[str]]] = {}  # path -> record id -> listed paths
    by_id: dict[str, Record] = {}
    order: dict[str, int] = {}
    listed: set[str] = set()
    for n, rec in enumerate(records):
        by_id[rec.id] = rec
        order[rec.id] = n
        for raw in dict.fromkeys(normalize_path(p) for p in rec.meta.files_touched):
            listed.add(raw)
            for path in (*_parents(raw), raw):
                touched.setdefault(path, {}).setdefault(rec.id, []).append(raw)
    paths = sorted(touched, key=_sort_key)
    slugs = unique_slugs(paths)
    children: dict[str, list[str]] = {p: [] for p in paths}
    for path in paths:
        parents = _parents(path)
        if parents:
            children[parents[-1]].append(path)
    nodes = {}
    for path in paths:
        ids = sorted(touched[path], key=order.__getitem__)
        nodes[path] = PathNode(
            path=path,
            slug=slugs[path],
            is_folder=bool(children[path]),
            listed=path in listed,
            records=tuple(by_id[i] for i in ids),
            touched={i: tuple(sorted(touched[path][i], key=_sort_key)) for i in ids},
            parents=_parents(path),
            children=tuple(children[path]),
        )
    return FileIndex(nodes=nodes)
