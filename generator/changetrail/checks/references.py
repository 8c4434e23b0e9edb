"""Rules across records: unique ids and references to other records."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import TYPE_CHECKING

from ..catalog import make_slug
from ..errors import RecordError, close_match_hint, located

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..loader import Record

__all__ = ["RESERVED_IDS", "check_references"]

_VALID_ID = re.compile(r"[^\W_][\w.-]*")


def make_slug_keep_date(rid: str) -> str:
    """A URL-safe version of a record id, keeping a leading YYYY-MM-DD as it is."""
    match = re.match(r"(\d{4}-\d{2}-\d{2})[- ]?(.*)", rid)
    if match:
        rest = make_slug(match.group(2)) if match.group(2) else ""
        return f"{match.group(1)}-{rest}".rstrip("-")
    return make_slug(rid)


#: Names of generated pages beside the records; a record with one of these ids would collide.
RESERVED_IDS = frozenset({"index", "tags", "owners", "status", "schema"})


def check_references(catalog: Catalog) -> list[RecordError]:
    """Report ids used by two files (case-insensitively) and ``related`` ids that do not exist."""
    errors: list[RecordError] = []
    by_lower: dict[str, list[Record]] = defaultdict(list)
    for rec in catalog.records:
        by_lower[rec.id.lower()].append(rec)
    for group in by_lower.values():
        if len(group) < 2:
            continue
        # One error for the collision, on the first file, naming every other one.
        first, *others = sorted(group, key=lambda r: r.path)
        names = " and ".join(r.path for r in others)
        errors.append(
            located(
                first.path,
                1,
                1,
                "id.duplicate",
                f"record id '{first.id}' is also used by {names}",
                hint="ids are file names and must be unique ignoring case; rename one file",
            )
        )
    errors.extend(
        located(
            rec.path,
            1,
            1,
            "id.reserved",
            f"'{rec.id}' is the name of a generated page and cannot be a record id",
            hint=f"rename the file, e.g. with the date in front: 2026-11-28-{rec.id}.md",
        )
        for rec in catalog.records
        if rec.id.lower() in RESERVED_IDS
    )
    errors.extend(
        located(
            rec.path,
            1,
            1,
            "id.invalid",
            f"record id '{rec.id}' cannot be used in a URL",
            expected="letters, digits, '.', '_' and '-'",
            got=f"'{rec.id}'",
            hint=f"rename the file to {make_slug_keep_date(rec.id)}.md",
        )
        for rec in catalog.records
        if not _VALID_ID.fullmatch(rec.id)
    )
    ids = sorted(r.id for r in catalog.records)
    for rec in catalog.records:
        for i, target in enumerate(rec.meta.related):
            if catalog.exists(target):
                continue
            pos = rec.source.position(("related", i))
            hint = (
                close_match_hint(target, ids)
                or "use a file name from the changes folder, without '.md'"
            )
            errors.append(
                located(
                    rec.path,
                    pos.line if pos else 1,
                    pos.column if pos else 1,
                    "related.not_found",
                    f"no record with id '{target}'",
                    expected="the id of an existing record",
                    hint=hint,
                    field=f"related[{i}]",
                )
            )
    return errors
