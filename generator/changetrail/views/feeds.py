"""Atom 1.0 and RSS 2.0 feeds of published change records, built with ElementTree.

ElementTree escapes every text and attribute; characters XML cannot hold are dropped first.
Entry ids are the records' page URLs, so they stay the same from build to build.
"""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from email.utils import format_datetime
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from .chart import xml_safe
from .plaintext import plain_text
from .publish import published

if TYPE_CHECKING:
    from ..catalog import Catalog
    from ..loader import Record

__all__ = ["FEED_LIMIT", "render_feeds"]

#: The newest records a feed holds.
FEED_LIMIT = 50
ATOM = "http://www.w3.org/2005/Atom"
DC = "http://purl.org/dc/elements/1.1/"
ET.register_namespace("atom", ATOM)
ET.register_namespace("dc", DC)
_DECLARATION = '<?xml version="1.0" encoding="utf-8"?>\n'


def _base_url(site_url: str | None) -> str:
    if not site_url or not site_url.strip():
        raise ValueError(
            "feeds need absolute links, but site_url is not set: add "
            "'site_url: https://…' to mkdocs.yml"
        )
    parts = urlsplit(site_url.strip())
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise ValueError(f"site_url must be an absolute http(s) URL; got {site_url!r}")
    return site_url.strip().rstrip("/") + "/"


class _Urls:
    def __init__(self, site_url: str | None, site_path: str, *, directory_urls: bool) -> None:
        self.root = _base_url(site_url) + quote(site_path.strip("/")) + "/"
        self.directory_urls = directory_urls

    def page(self, uri: str) -> str:
        """The URL of a page given its src_uri relative to site_path, without ``.md``."""
        if uri == "index":
            return self.root
        path = quote(uri)
        return self.root + (f"{path}/" if self.directory_urls else f"{path}.html")

    def file(self, name: str) -> str:
        return self.root + quote(name)


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime(day.year, day.month, day.day, tzinfo=dt.UTC)


def _sub(parent: ET.Element, tag: str, text: str | None = None, **attrs: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: xml_safe(v) for k, v in attrs.items()})
    if text is not None:
        el.text = xml_safe(text)
    return el


def _atom(
    title: str, page: str, self_url: str, records: list[Record], urls: _Urls, updated: dt.datetime
) -> str:
    # Plain names under an xmlns attribute: ElementTree's default_namespace option refuses
    # attributes without a namespace, which Atom's are.
    feed = ET.Element("feed", xmlns=ATOM)
    a = ""
    _sub(feed, a + "id", self_url)
    _sub(feed, a + "title", title, type="text")
    _sub(feed, a + "updated", updated.isoformat().replace("+00:00", "Z"))
    _sub(feed, a + "link", rel="alternate", type="text/html", href=page)
    _sub(feed, a + "link", rel="self", type="application/atom+xml", href=self_url)
    _sub(feed, a + "generator", "changetrail")
    for rec in records:
        entry = _sub(feed, a + "entry")
        url = urls.page(rec.id)
        stamp = _midnight(rec.meta.date).isoformat().replace("+00:00", "Z")
        _sub(entry, a + "id", url)
        _sub(entry, a + "title", rec.meta.title, type="text")
        _sub(entry, a + "updated", stamp)
        _sub(entry, a + "published", stamp)
        _sub(entry, a + "link", rel="alternate", type="text/html", href=url)
        _sub(_sub(entry, a + "author"), a + "name", rec.meta.owner)
        for tag in dict.fromkeys(rec.meta.tags):
            _sub(entry, a + "category", term=tag)
        _sub(entry, a + "summary", plain_text(rec.meta.reason), type="text")
    ET.indent(feed)
    return _DECLARATION + ET.tostring(feed, encoding="unicode") + "\n"


def _rss(
    title: str, page: str, self_url: str, records: list[Record], urls: _Urls, updated: dt.datetime
) -> str:
    rss = ET.Element("rss", version="2.0")
    channel = _sub(rss, "channel")
    _sub(channel, "title", title)
    _sub(channel, "link", page)
    _sub(channel, "description", title)
    _sub(channel, f"{{{ATOM}}}link", rel="self", type="application/rss+xml", href=self_url)
    _sub(channel, "lastBuildDate", format_datetime(updated, usegmt=True))
    _sub(channel, "generator", "changetrail")
    for rec in records:
        item = _sub(channel, "item")
        url = urls.page(rec.id)
        _sub(item, "title", rec.meta.title)
        _sub(item, "link", url)
        _sub(item, "guid", url, isPermaLink="true")
        _sub(item, "pubDate", format_datetime(_midnight(rec.meta.date), usegmt=True))
        _sub(item, f"{{{DC}}}creator", rec.meta.owner)
        for tag in dict.fromkeys(rec.meta.tags):
            _sub(item, "category", tag)
        _sub(item, "description", plain_text(rec.meta.reason))
    ET.indent(rss)
    return _DECLARATION + ET.tostring(rss, encoding="unicode") + "\n"


def render_feeds(
    catalog: Catalog,
    *,
    site_url: str | None,
    site_name: str,
    now: dt.datetime,
    site_path: str = "changes",
    directory_urls: bool = True,
) -> dict[str, str]:
    """Atom and RSS feeds of all published records, and of each tag's, newest first.

    Keys are relative to ``site_path``: ``feed.xml``, ``rss.xml``, ``tags/<slug>/feed.xml`` and
    ``tags/<slug>/rss.xml`` (the tag taxonomy's slugs). Each feed holds the ``FEED_LIMIT``
    newest published records: drafts and records dated after ``now``'s UTC date are left out.
    A feed's ``updated`` time is its newest record's date (``now`` for an empty feed), so an
    unchanged site gives unchanged feeds.

    Args:
        catalog: every valid record.
        site_url: the site's absolute URL (``site_url`` of mkdocs.yml).
        site_name: the site's name, the start of each feed's title.
        now: the build time, tz-aware.
        site_path: where the record pages are in the site.
        directory_urls: MkDocs' ``use_directory_urls``: pages at ``<id>/`` or ``<id>.html``.

    Raises:
        ValueError: when ``site_url`` is missing or not an absolute http(s) URL, or ``now``
            is naive.
    """
    urls = _Urls(site_url, site_path, directory_urls=directory_urls)
    records = published(catalog, now=now)
    feeds = _feed_pair(f"{site_name}: changes", "index", "", records, urls, now)
    for tag, slug, _ in catalog.tags.items():
        tagged = [r for r in records if tag in r.meta.tags]
        if tagged:
            title = f"{site_name}: changes tagged {tag}"
            feeds |= _feed_pair(title, f"tags/{slug}", f"tags/{slug}/", tagged, urls, now)
    return feeds


def _feed_pair(
    title: str, page: str, folder: str, records: list[Record], urls: _Urls, now: dt.datetime
) -> dict[str, str]:
    newest = records[:FEED_LIMIT]
    updated = _midnight(newest[0].meta.date) if newest else now.astimezone(dt.UTC)
    page_url = urls.page(page)
    return {
        f"{folder}feed.xml": _atom(
            title, page_url, urls.file(f"{folder}feed.xml"), newest, urls, updated
        ),
        f"{folder}rss.xml": _rss(
            title, page_url, urls.file(f"{folder}rss.xml"), newest, urls, updated
        ),
    }
