"""Faceted search with Pagefind: what each page tells the index, the indexing, the header UI.

``facets`` turns records, articles and pages into Pagefind's filter, sort and metadata
attributes; ``indexer`` runs Pagefind's binary (from the ``pagefind_bin`` wheel) over a built
site; ``ui`` puts the search button in Material's header. None of it imports MkDocs: the plugin
wires it in.
"""

from __future__ import annotations

from .facets import (
    FILTERS,
    Facets,
    article_facets,
    page_facets,
    record_facets,
    render_facets,
)
from .indexer import OUTPUT_DIR, IndexResult, SearchIndexError, build_index
from .ui import ASSETS, button_html, insert_in_header, link_assets, root_href, write_assets

__all__ = [
    "ASSETS",
    "FILTERS",
    "OUTPUT_DIR",
    "Facets",
    "IndexResult",
    "SearchIndexError",
    "article_facets",
    "build_index",
    "button_html",
    "insert_in_header",
    "link_assets",
    "page_facets",
    "record_facets",
    "render_facets",
    "root_href",
    "write_assets",
]
