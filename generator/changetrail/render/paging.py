"""Pagination of list pages, so that no generated page grows with the number of records.

A list of any length becomes pages of at most ``size`` items. The first page keeps the list's own
path (``tags/perf.md``); page *n* goes in a folder beside it: ``tags/perf/page/n.md``, or
``files/page/n.md`` for a folder's ``index.md``. These paths never collide with a slug (slugs
have no ``/``) and give clean URLs with ``use_directory_urls`` on (``tags/perf/page/2/``) or off
(``tags/perf/page/2.html``). Links are written relative to the Markdown file, as MkDocs expects.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypedDict, TypeVar

from markupsafe import Markup

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["NavLink", "Page", "page_uri", "paginate"]

T = TypeVar("T")

#: Page numbers shown on either side of the current one in the page links.
NEIGHBOURS = 2


class NavLink(TypedDict):
    """One entry of a page's navigation: a link, the current page (no href) or a gap."""

    label: str
    href: str | None
    current: bool


def page_uri(base: str, number: int) -> str:
    """The path of page ``number`` of the list whose first page is ``base`` (``x/y.md``)."""
    if number == 1:
        return base
    folder, name = posixpath.split(base)
    if name == "index.md":
        return posixpath.join(folder, "page", f"{number}.md")
    return posixpath.join(folder, name.removesuffix(".md"), "page", f"{number}.md")


def _relative(target: str, source: str) -> str:
    return posixpath.relpath(target, posixpath.dirname(source) or ".")


@dataclass(frozen=True, slots=True)
class Page(Generic[T]):
    """One page of a list: its items and where it is among the others.

    ``up`` leads from this page's folder to the folder of the first page ("" on the first
    page), so a template writes a link that is relative to the first page as ``{{ up }}link``;
    it is made of ``..`` and ``/`` only, so it is marked safe.
    """

    items: Sequence[T]
    number: int
    count: int
    total: int
    start: int  # 1-based position of the first item; 0 when the list is empty
    uri: str
    up: Markup
    nav: list[NavLink]

    @property
    def end(self) -> int:
        """1-based position of the last item on this page; 0 when the list is empty."""
        return self.start + len(self.items) - 1 if self.items else 0


def _nav(base: str, number: int, count: int) -> list[NavLink]:
    """Previous, a window of page numbers around ``number`` with the first and last, next."""
    if count <= 1:
        return []
    here = page_uri(base, number)

    def link(label: str, n: int) -> NavLink:
        return NavLink(label=label, href=_relative(page_uri(base, n), here), current=False)

    shown = sorted(
        {1, count, *range(max(1, number - NEIGHBOURS), min(count, number + NEIGHBOURS) + 1)}
    )
    nav: list[NavLink] = []
    if number > 1:
        nav.append(link("Previous", number - 1))
    previous = 0
    for n in shown:
        if n > previous + 1:
            nav.append(NavLink(label="…", href=None, current=False))
        if n == number:
            nav.append(NavLink(label=str(n), href=None, current=True))
        else:
            nav.append(link(str(n), n))
        previous = n
    if number < count:
        nav.append(link("Next", number + 1))
    return nav


def paginate(items: Sequence[T], base: str, size: int) -> list[Page[T]]:
    """Split ``items`` into pages of at most ``size``; an empty list still has its first page.

    Raises:
        ValueError: when ``size`` is less than 1.
    """
    if size < 1:
        raise ValueError("page size must be at least 1")
    count = max(1, -(-len(items) // size))
    pages = []
    for number in range(1, count + 1):
        chunk = items[(number - 1) * size : number * size]
        uri = page_uri(base, number)
        pages.append(
            Page(
                items=chunk,
                number=number,
                count=count,
                total=len(items),
                start=(number - 1) * size + 1 if chunk else 0,
                uri=uri,
                up=Markup(
                    _relative(posixpath.dirname(base) or ".", uri) + "/" if number > 1 else ""
                ),
                nav=_nav(base, number, count),
            )
        )
    return pages
