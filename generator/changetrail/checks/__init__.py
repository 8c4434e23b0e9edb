"""Checks across and within records. Each returns every problem it finds; none raises."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING

from .articles import check_articles
from .records import check_record
from .references import check_references

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..errors import RecordError
    from ..settings import Settings

__all__ = ["run_checks"]


def run_checks(
    catalog: Catalog, settings: Settings, *, today: dt.date | None = None
) -> list[RecordError]:
    """Run every check on a catalog.

    Args:
        catalog: the loaded, valid records.
        settings: which fields each status requires, among others.
        today: the date "the future" starts after; the local date when not given.

    Returns:
        All problems, in no particular order (the reporters sort them).
    """
    today = today or dt.datetime.now().astimezone().date()
    errors: list[RecordError] = []
    for rec in catalog.records:
        errors.extend(check_record(rec, settings, today))
    errors.extend(check_references(catalog))
    errors.extend(check_articles(catalog, settings, today))
    return errors
