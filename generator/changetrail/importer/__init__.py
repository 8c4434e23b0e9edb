"""Import articles exported from the team's old site (``changetrail import legacy``).

``parse_legacy`` reads one export (text in, ``LegacyArticle`` or errors out), ``render_article``
writes the article file's text, and ``import_legacy`` writes a folder of them safely.
"""

from __future__ import annotations

from .convert import LegacyArticle, parse_legacy, render_article
from .export import LABELS
from .writer import MANIFEST_NAME, ImportEntry, ImportReport, ManifestEntry, import_legacy

__all__ = [
    "LABELS",
    "MANIFEST_NAME",
    "ImportEntry",
    "ImportReport",
    "LegacyArticle",
    "ManifestEntry",
    "import_legacy",
    "parse_legacy",
    "render_article",
]
