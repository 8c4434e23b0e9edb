"""Rules for knowledge articles: unique references, review freshness, unfilled placeholders."""

from __future__ import annotations

from collections import defaultdict
from typing import TYPE_CHECKING

from ..article import RevisionStatus, is_stale
from ..errors import RecordError, Severity
from .common import check_limits, error_at, find_placeholders

if TYPE_CHECKING:
    import datetime as dt

    from ..catalog import Catalog
    from ..loader import ArticlePage
    from ..settings import Settings

__all__ = ["check_articles"]


def check_articles(catalog: Catalog, settings: Settings, today: dt.date) -> list[RecordError]:
    """Check every article; stale reviews are warnings (``--strict`` makes them errors)."""
    errors: list[RecordError] = []
    by_reference: dict[str, list[ArticlePage]] = defaultdict(list)
    for page in catalog.articles:
        if page.meta.reference:
            by_reference[page.meta.reference.lower()].append(page)
        errors.extend(find_placeholders(page, page.source.data, ()))
        errors.extend(_body_placeholders(page))
        errors.extend(check_limits(page, page.meta.title, page.meta.checklist, settings.limits))
        if is_stale(page.meta, today, settings.review_max_age_days):
            errors.append(_stale(page, today, settings.review_max_age_days))
    for pages in by_reference.values():
        if len(pages) < 2:
            continue
        for page in pages:
            others = ", ".join(p.path for p in pages if p is not page)
            errors.append(
                error_at(
                    page,
                    ("reference",),
                    "reference.duplicate",
                    f"reference '{page.meta.reference}' is also used by {others}",
                    hint="references must be unique; give one of the articles a new one",
                )
            )
    return errors


def _body_placeholders(page: ArticlePage) -> list[RecordError]:
    """A body line that starts with the template's TODO (outside code blocks)."""
    if "TODO" not in page.body:
        return []
    found = []
    fence = False
    for i, line in enumerate(page.body.split("\n")):
        if line.lstrip().startswith(("```", "~~~")):
            fence = not fence
        elif not fence and line.lstrip().startswith("TODO"):
            found.append(
                RecordError(
                    code="placeholder",
                    file=page.path,
                    line=page.source.body_line + i,
                    column=line.index("TODO") + 1,
                    field=None,
                    message="the body still holds the template's TODO placeholder",
                    got=repr(line.strip()[:60]),
                    hint="write the article text in place of the TODO line",
                )
            )
    return found


def _stale(page: ArticlePage, today: dt.date, max_age: int) -> RecordError:
    rev = page.meta.revision
    assert rev is not None  # is_stale is only true with a revision
    if rev.status is RevisionStatus.NEEDS_REVIEW:
        return error_at(
            page,
            ("revision", "status"),
            "review.requested",
            "the article is marked needs-review",
            hint="review it, then set revision.status: reviewed and revision.last_reviewed",
            severity=Severity.WARNING,
        )
    assert rev.last_reviewed is not None
    age = (today - rev.last_reviewed).days
    return error_at(
        page,
        ("revision", "last_reviewed"),
        "review.stale",
        f"last reviewed {rev.last_reviewed.isoformat()}, {age} days ago "
        f"(the limit is {max_age} days)",
        hint=f"check the article is still right, then set last_reviewed: {today.isoformat()}",
        severity=Severity.WARNING,
    )
