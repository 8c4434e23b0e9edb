"""``records.json``: every published record's and every article's validated metadata, and the
JSON Schema of that file, built from the pydantic models' own schemas."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from pydantic.json_schema import models_json_schema

from ..article import Article
from ..models import ChangeRecord
from .publish import published, utc

if TYPE_CHECKING:
    import datetime as dt

    from ..catalog import Catalog

__all__ = ["records_json_schema", "render_records_json"]

_HTML_SAFE = str.maketrans({"<": "\\u003c", ">": "\\u003e", "&": "\\u0026"})


def render_records_json(catalog: Catalog, *, now: dt.datetime) -> str:
    """The metadata of every published record (newest first) and every article (by path).

    Each record is ``{"id", "path", ...its frontmatter}``, each article
    ``{"uri", "path", "reading_time", "hash", ...its frontmatter}``, with dates as
    ``YYYY-MM-DD``; ``<``, ``>`` and ``&`` are written as ``\\u`` escapes, and each entry on a
    line of its own. Drafts and records dated after ``now``'s UTC date are left out.

    Raises:
        ValueError: when ``now`` is naive.
    """
    document = {
        "generated": utc(now).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "records": [
            {"id": rec.id, "path": rec.path, **rec.meta.model_dump(mode="json")}
            for rec in published(catalog, now=now)
        ],
        "articles": [
            {
                "uri": page.uri,
                "path": page.path,
                "reading_time": page.reading_time,
                "hash": page.hash,
                **page.meta.model_dump(mode="json"),
            }
            for page in sorted(catalog.articles, key=lambda a: a.uri)
        ],
    }
    # One record or article a line: readable, a diff shows which entries changed, and each
    # line is written by the json module's C encoder (``indent`` would take its Python one,
    # several times slower: a second at 10,000 pages, on every build and preview save).
    lines = ["{", f'  "generated": {json.dumps(document["generated"])},']
    for name, last in (("records", False), ("articles", True)):
        entries = [json.dumps(e, ensure_ascii=False) for e in document[name]]
        end = "" if last else ","
        if entries:
            lines += [f'  "{name}": [', "    " + ",\n    ".join(entries), f"  ]{end}"]
        else:
            lines.append(f'  "{name}": []{end}')
    lines.append("}")
    # These characters only occur inside JSON strings; as \u escapes they mean the same to
    # every JSON reader, and the file stays inert if a browser ever sniffs it as HTML.
    return "\n".join(lines).translate(_HTML_SAFE) + "\n"


def _entry(model_schema: dict[str, Any], extra: dict[str, Any], title: str) -> dict[str, Any]:
    # The models forbid unknown keys, so an allOf with them would reject "id" and "path":
    # copy the model's object schema and add the keys in front.
    entry = dict(model_schema)
    entry["title"] = title
    entry["properties"] = {**extra, **model_schema["properties"]}
    entry["required"] = [*extra, *model_schema.get("required", [])]
    return entry


def records_json_schema() -> dict[str, Any]:
    """The JSON Schema (2020-12) of ``records.json``."""
    refs, top = models_json_schema(
        [(ChangeRecord, "serialization"), (Article, "serialization")],
        ref_template="#/$defs/{model}",
    )
    defs: dict[str, Any] = dict(top.get("$defs", {}))
    record_name = refs[(ChangeRecord, "serialization")]["$ref"].rsplit("/", 1)[-1]
    article_name = refs[(Article, "serialization")]["$ref"].rsplit("/", 1)[-1]
    text = {"type": "string"}
    defs["RecordEntry"] = _entry(
        defs.pop(record_name),
        {
            "id": {**text, "description": "The record's id: its file name without `.md`."},
            "path": {**text, "description": "The record file, relative to the project root."},
        },
        "Change record",
    )
    defs["ArticleEntry"] = _entry(
        defs.pop(article_name),
        {
            "uri": {**text, "description": "The page's path under docs_dir."},
            "path": {**text, "description": "The page file, relative to the project root."},
            "reading_time": {
                "type": "integer",
                "minimum": 1,
                "description": "Minutes to read.",
            },
            "hash": {
                "type": "string",
                "pattern": "^[0-9a-f]{16}$",
                "description": "The first 16 hex digits of the SHA-256 of the text.",
            },
        },
        "Knowledge article",
    )
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "changetrail records.json",
        "description": "Every published change record and every article, with its metadata.",
        "type": "object",
        "properties": {
            "generated": {
                "type": "string",
                "format": "date-time",
                "description": "The build time, UTC.",
            },
            "records": {"type": "array", "items": {"$ref": "#/$defs/RecordEntry"}},
            "articles": {"type": "array", "items": {"$ref": "#/$defs/ArticleEntry"}},
        },
        "required": ["generated", "records", "articles"],
        "additionalProperties": False,
        "$defs": dict(sorted(defs.items())),
    }
