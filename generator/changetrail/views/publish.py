"""Drafts and scheduling: which records a reader may see at a given moment.

A record is *published* when its status is not ``draft`` and its date is not after the build's
date (UTC). Every view, feed and export uses published records only, so a record dated in the
future appears in no listing until a rebuild on or after its date publishes it.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from ..catalog import build_catalog
from ..models import Status

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..loader import Record

__all__ = ["build_day", "is_published", "published", "published_catalog", "utc"]


def utc(now: dt.datetime) -> dt.datetime:
    """``now`` in UTC; a naive datetime is refused, since its zone would be a guess.

    Raises:
        ValueError: when ``now`` has no time zone.
    """
    if now.tzinfo is None or now.utcoffset() is None:
        raise ValueError("now must be a timezone-aware datetime (UTC), not a naive one")
    return now.astimezone(dt.UTC)


def build_day(now: dt.datetime) -> dt.date:
    """The UTC date of the build time ``now``: record dates are compared with this day."""
    return utc(now).date()


def is_published(rec: Record, today: dt.date) -> bool:
    """True when ``rec`` is not a draft and not dated after ``today``."""
    return rec.meta.status is not Status.DRAFT and rec.meta.date <= today


def published(catalog: Catalog, *, now: dt.datetime) -> list[Record]:
    """The records a reader may see at ``now``, newest first (the catalog's order).

    Drafts and records dated after ``now``'s UTC date are left out.
    """
    today = build_day(now)
    return [rec for rec in catalog.records if is_published(rec, today)]


def published_catalog(catalog: Catalog, *, now: dt.datetime) -> Catalog:
    """A catalog of the published records only (for ``build``: no draft reaches any page).

    Slugs are recomputed over the published records, so use this catalog for every page of a
    build, or none, to keep links and page names in step.
    """
    return build_catalog(
        published(catalog, now=now), known_ids=catalog.known_ids, articles=catalog.articles
    )
