"""Read a built HTML page: the ids it defines and the links in its content area.

Uses the standard library's ``html.parser``: built pages are well-formed enough, and a
dependency only for this is not worth it.
"""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

__all__ = ["HtmlLink", "ParsedPage", "parse_page"]

#: Material's content area; the header, navigation, table of contents and footer are outside it.
CONTENT_CLASS = "md-content__inner"

#: The attributes that point at another file, by tag.
LINK_ATTRS: dict[str, tuple[str, ...]] = {
    "a": ("href",),
    "area": ("href",),
    "link": ("href",),
    "img": ("src", "srcset"),
    "source": ("src", "srcset"),
    "video": ("src", "poster"),
    "audio": ("src",),
    "track": ("src",),
    "iframe": ("src",),
    "embed": ("src",),
    "script": ("src",),
    "object": ("data",),
}

#: Tags whose target is an asset (an image, a video...), reported as ``link.asset``.
ASSET_TAGS = frozenset(LINK_ATTRS) - {"a", "area", "iframe"}


@dataclass(frozen=True, slots=True)
class HtmlLink:
    tag: str
    attr: str
    url: str
    line: int  # of the tag in the HTML file, 1-based
    column: int


@dataclass(slots=True)
class ParsedPage:
    ids: set[str] = field(default_factory=set)
    #: Links inside the content area; all links of the page when it has none (another theme).
    links: list[HtmlLink] = field(default_factory=list)
    has_content: bool = False


class _PageParser(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.ids: set[str] = set()
        self.content: list[HtmlLink] = []
        self.everywhere: list[HtmlLink] = []
        self.depth = 0  # nesting of <article> inside the content area
        self.seen_content = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = {k: v for k, v in attrs if v is not None}
        if "id" in values:
            self.ids.add(values["id"])
        if tag == "a" and "name" in values:
            self.ids.add(values["name"])
        if tag == "article":
            if self.depth:
                self.depth += 1
            elif CONTENT_CLASS in values.get("class", "").split():
                self.depth = 1
                self.seen_content = True
        line, col = self.getpos()
        for attr in LINK_ATTRS.get(tag, ()):
            raw = values.get(attr)
            if raw is None:
                continue
            for url in _srcset(raw) if attr == "srcset" else [raw.strip()]:
                link = HtmlLink(tag, attr, url, line, col + 1)
                self.everywhere.append(link)
                if self.depth:
                    self.content.append(link)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)
        if tag == "article" and self.depth:
            self.depth -= 1

    def handle_endtag(self, tag: str) -> None:
        if tag == "article" and self.depth:
            self.depth -= 1


def _srcset(value: str) -> list[str]:
    return [part.strip().split()[0] for part in value.split(",") if part.strip()]


_CONTENT_START = re.compile(r"<article\b[^>]*\bclass=[\"'][^\"']*\b" + CONTENT_CLASS + r"\b")
# Every id (and <a name>) of the page; a regex is ten times faster than parsing the theme's
# header and navigation, which hold no links worth checking.
_VALUE = r"""\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'=<>`]+))"""
_IDS = re.compile(r"<[a-zA-Z][^<>]*?\sid" + _VALUE + r"|<a\s[^<>]*?\bname" + _VALUE)


def parse_page(text: str) -> ParsedPage:
    """Find the ids and the links of a built page.

    Only Material's content area is parsed as HTML; a page without one (another theme) is
    parsed whole and all its links are returned.
    """
    parser = _PageParser()
    start = _CONTENT_START.search(text)
    if start is None:
        parser.feed(text)
        parser.close()
        return ParsedPage(ids=parser.ids, links=parser.everywhere, has_content=False)
    end = text.find("</main>", start.start())
    parser.feed(text[start.start() : end if end != -1 else len(text)])
    parser.close()
    offset = text.count("\n", 0, start.start())
    col0 = start.start() - (text.rfind("\n", 0, start.start()) + 1)
    links = [
        HtmlLink(
            link.tag,
            link.attr,
            link.url,
            link.line + offset,
            link.column + (col0 if link.line == 1 else 0),
        )
        for link in parser.content
    ]
    ids = {html.unescape(next(g for g in m.groups() if g is not None)) for m in _IDS.finditer(text)}
    return ParsedPage(ids=ids | parser.ids, links=links, has_content=True)
