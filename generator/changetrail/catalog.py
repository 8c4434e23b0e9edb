"""The catalog: every valid record, sorted and indexed, ready to check and render.

Built once from loaded records; immutable afterwards, and deterministic in its order so that the
generated pages are the same from run to run.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from slugify import slugify

if TYPE_CHECKING:
    import datetime as dt

    from .loader import ArticlePage, Record

__all__ = ["Catalog", "Taxonomy", "build_catalog", "make_slug"]


def make_slug(text: str) -> str:
    """A URL-safe, lower-case slug (Unicode transliterated); never empty."""
    return slugify(text, max_length=80, word_boundary=True) or "item"


@dataclass(frozen=True, slots=True)
class Taxonomy:
    """Records grouped by one kind of label (tag, owner, status), each label with a unique slug."""

    name: str  # "tags", "owners", "status"
    groups: dict[str, tuple[Record, ...]]
    slugs: dict[str, str]

    def items(self) -> list[tuple[str, str, tuple[Record, ...]]]:
        """(label, slug, records) sorted by label, case-insensitively."""
        return [
            (label, self.slugs[label], recs)
            for label, recs in sorted(self.groups.items(), key=lambda kv: (kv[0].lower(), kv[0]))
        ]


@dataclass(frozen=True, slots=True)
class Catalog:
    """All records, newest first, with their indexes."""

    records: tuple[Record, ...]
    by_id: dict[str, Record]
    tags: Taxonomy
    owners: Taxonomy
    statuses: Taxonomy
    related_from: dict[str, tuple[Record, ...]] = field(default_factory=dict)
    #: Lower-cased ids of every record file found, valid or not.
    known_ids: frozenset[str] = frozenset()
    #: Knowledge articles, by their path in the docs tree.
    articles: tuple[ArticlePage, ...] = ()

    def get(self, rid: str) -> Record | None:
        """Look a record up by id, case-insensitively."""
        return self.by_id.get(rid.lower())

    def exists(self, rid: str) -> bool:
        """True when a record file with this id exists, even one that failed validation."""
        return rid.lower() in self.known_ids or rid.lower() in self.by_id

    def listed(self, today: dt.date, *, drafts: bool = False) -> Catalog:
        """The records that belong in listings today: no drafts (unless ``drafts``, for a
        preview) and nothing dated after ``today`` (a scheduled rebuild publishes it)."""
        keep = [
            r
            for r in self.records
            if r.meta.date <= today and (drafts or r.meta.status.value != "draft")
        ]
        return build_catalog(keep, known_ids=self.known_ids, articles=self.articles)

    def months(self) -> list[tuple[dt.date, tuple[Record, ...]]]:
        """Records grouped by the month of their date, newest month first."""
        groups: dict[dt.date, list[Record]] = defaultdict(list)
        for rec in self.records:
            groups[rec.meta.date.replace(day=1)].append(rec)
        return [(month, tuple(groups[month])) for month in sorted(groups, reverse=True)]


def _sort_key(rec: Record) -> tuple[int, str]:
    return (-rec.meta.date.toordinal(), rec.id)


def _taxonomy(name: str, pairs: list[tuple[str, Record]]) -> Taxonomy:
    groups: dict[str, list[Record]] = defaultdict(list)
    for label, rec in pairs:
        groups[label].append(rec)
    slugs: dict[str, str] = {}
    used: set[str] = set()
    for label in sorted(groups, key=lambda s: (s.lower(), s)):
        base = make_slug(label)
        slug, n = base, 2
        while slug in used:  # two labels with one slug ("C++" and "C") keep separate pages
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs[label] = slug
    return Taxonomy(name=name, groups={k: tuple(v) for k, v in groups.items()}, slugs=slugs)


def build_catalog(
    records: list[Record],
    *,
    known_ids: frozenset[str] = frozenset(),
    articles: list[ArticlePage] | tuple[ArticlePage, ...] = (),
) -> Catalog:
    """Sort and index records. Duplicate ids keep the first by path; checks report the rest.

    ``known_ids`` names record files that failed to load, so references to them are not
    reported a second time as missing.
    """
    ordered = sorted(records, key=_sort_key)
    by_id: dict[str, Record] = {}
    for rec in sorted(records, key=lambda r: r.path):
        by_id.setdefault(rec.id.lower(), rec)
    related_from: dict[str, list[Record]] = defaultdict(list)
    for rec in ordered:
        for target in rec.meta.related:
            related_from[target.lower()].append(rec)
    return Catalog(
        records=tuple(ordered),
        by_id=by_id,
        tags=_taxonomy("tags", [(t, r) for r in ordered for t in dict.fromkeys(r.meta.tags)]),
        owners=_taxonomy("owners", [(r.meta.owner, r) for r in ordered]),
        statuses=_taxonomy("status", [(r.meta.status.value, r) for r in ordered]),
        related_from={k: tuple(v) for k, v in related_from.items()},
        known_ids=known_ids,
        articles=tuple(sorted(articles, key=lambda a: a.uri)),
    )
