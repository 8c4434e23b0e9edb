"""Unique, collision-safe page slugs for generated view pages."""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..catalog import make_slug

if TYPE_CHECKING:
    from collections.abc import Iterable

__all__ = ["RESERVED_SLUGS", "unique_slugs"]

#: Slugs that name the folder's own pages: a path or metric called "index" must not replace
#: the index page.
RESERVED_SLUGS = frozenset({"index"})


def unique_slugs(labels: Iterable[str]) -> dict[str, str]:
    """A slug for each label, in the order given; later labels get ``-2``, ``-3``… on collision.

    The caller passes labels in a deterministic order, so the same labels always get the same
    slugs.
    """
    used: set[str] = set(RESERVED_SLUGS)
    slugs: dict[str, str] = {}
    for label in labels:
        if label in slugs:
            continue
        base = make_slug(label)
        slug, n = base, 2
        while slug in used:
            slug, n = f"{base}-{n}", n + 1
        used.add(slug)
        slugs[label] = slug
    return slugs
