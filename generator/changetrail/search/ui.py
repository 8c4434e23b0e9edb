"""The search button in Material's header, and the script and style sheet behind it.

Plain string work on the HTML of a built page, so the core never imports MkDocs. The button
carries ``data-root``, the relative way from its page to the site's root (``./``, ``../../``):
the script finds Pagefind's files there, at any depth and with any ``use_directory_urls``.
"""

from __future__ import annotations

import html
import posixpath
import shutil
from pathlib import Path

__all__ = [
    "ASSETS",
    "button_html",
    "insert_in_header",
    "link_assets",
    "root_href",
    "write_assets",
]

_ASSET_DIR = Path(__file__).parent / "assets"
#: Where the script and style sheet go in the site, next to the plugin's other assets.
ASSETS = {
    "assets/changetrail/search.js": _ASSET_DIR / "search.js",
    "assets/changetrail/search.css": _ASSET_DIR / "search.css",
}

#: Material's magnifier icon (material/magnify), the one its own search button shows.
_ICON = (
    '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 24 24" aria-hidden="true">'
    '<path d="M9.5 3A6.5 6.5 0 0 1 16 9.5c0 1.61-.59 3.09-1.56 4.23l.27.27h.79l5 5-1.5 '
    "1.5-5-5v-.79l-.27-.27A6.52 6.52 0 0 1 9.5 16 6.5 6.5 0 0 1 3 9.5 6.5 6.5 0 0 1 9.5 "
    '3m0 2C7 5 5 7 5 9.5S7 14 9.5 14 14 12 14 9.5 12 5 9.5 5"/></svg>'
)

#: Material's own search button; when its search plugin is on, ours goes before it.
_MATERIAL_SEARCH = '<label class="md-header__button md-icon" for="__search">'
_SOURCE = '<div class="md-header__source">'
_HEADER = '<header class="md-header'


def root_href(page_url: str) -> str:
    """The relative URL of the site's root from a page's URL (``changes/x/`` -> ``../../``)."""
    base = page_url if page_url.endswith("/") else posixpath.dirname(page_url)
    rel = posixpath.relpath(".", base.rstrip("/") or ".")
    return "./" if rel == "." else rel + "/"


def button_html(root: str) -> str:
    """The header button that opens the search dialog."""
    return (
        f'<button type="button" class="md-header__button ct-search__button" '
        f'data-root="{html.escape(root, quote=True)}" aria-label="Search" '
        'aria-keyshortcuts="/ Control+K Meta+K" title="Search (/ or Ctrl-K)">'
        f'{_ICON}<span class="ct-search__label">Search</span><kbd>/</kbd></button>'
    )


def insert_in_header(output: str, fragment: str) -> str | None:
    """Put ``fragment`` in Material's header, before its search, source or end; None if none.

    With Material's search plugin on, the fragment goes before its search button; without it
    (``search: pagefind`` removes it), before the repository link, or at the end of the header.
    """
    for anchor in (_MATERIAL_SEARCH, _SOURCE):
        at = output.find(anchor)
        if at != -1:
            return output[:at] + fragment + output[at:]
    header = output.find(_HEADER)
    if header == -1:
        return None
    end = output.find("</nav>", header)
    if end == -1:
        return None
    return output[:end] + fragment + output[end:]


def link_assets(output: str, root: str) -> str:
    """Add the style sheet to ``<head>`` and the deferred script after it."""
    href = html.escape(root, quote=True)
    tags = (
        f'<link rel="stylesheet" href="{href}assets/changetrail/search.css">'
        f'<script defer src="{href}assets/changetrail/search.js"></script>'
    )
    return output.replace("</head>", tags + "</head>", 1)


def write_assets(site_dir: Path) -> None:
    """Copy the script and style sheet into the built site."""
    for uri, source in ASSETS.items():
        target = site_dir / uri
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(source, target)
