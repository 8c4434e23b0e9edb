"""Render what a reader sees around an article: summary, post-meta box, similar posts.

The summary and the similar posts are Markdown (escaped by the Markdown renderer's ``finalize``);
the box is raw HTML from an environment with autoescape on, so every value is HTML-escaped.
"""

from __future__ import annotations

import posixpath
import re
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import jinja2

from ..article import WORDS_PER_MINUTE, is_stale, word_count
from .context import checklist_items
from .paging import paginate

if TYPE_CHECKING:
    import datetime as dt

    from ..catalog import Catalog
    from ..loader import ArticlePage
    from ..settings import Settings
    from ..similar import Similar
    from . import Renderer

__all__ = ["ArticleRenderer", "insert_after_title"]


def _label(key: object) -> str:
    text = str(key).replace("_", " ").strip()
    return text[:1].upper() + text[1:]


class ArticleRenderer:
    """Fragments for one article page, given the catalog and settings."""

    def __init__(
        self,
        renderer: Renderer,
        settings: Settings,
        today: dt.date,
        *,
        directory_urls: bool = True,
    ) -> None:
        self.md = renderer
        self.settings = settings
        self.today = today
        self.directory_urls = directory_urls
        self.html = jinja2.Environment(
            loader=jinja2.PackageLoader("changetrail.render", "templates"),
            undefined=jinja2.StrictUndefined,
            autoescape=True,
            trim_blocks=True,
            lstrip_blocks=True,
            auto_reload=False,
        )
        self.html.filters["label"] = _label
        # Compiled once: the title is a variable of this template, never a template itself.
        self._title = self.md.env.from_string("{{ t }}")

    def summary(self, page: ArticlePage) -> str:
        """One line under the title: topic, difficulty, reading time, last reviewed, stack."""
        rev = page.meta.revision
        return self.md.env.get_template("article_summary.md.j2").render(
            meta=page.meta,
            reading_time=page.reading_time,
            last_reviewed=rev.last_reviewed.isoformat() if rev and rev.last_reviewed else None,
            stale=self.is_stale(page),
        )

    def box(self, page: ArticlePage) -> str:
        """The full post-meta box, as one raw HTML block with no blank line inside."""
        meta = page.meta
        scores = []
        if meta.score is not None:
            scores = [(k, v) for k, v in meta.score.model_dump().items() if v is not None]
        html = self.html.get_template("article_box.html.j2").render(
            meta=meta,
            reading_time=page.reading_time,
            words=word_count(page.body),
            wpm=WORDS_PER_MINUTE,
            hash=page.hash,
            scores=scores,
            stale=self.is_stale(page),
            checklist=checklist_items(meta.checklist, self.settings, default=False),
            image_hrefs=[self._page_relative(page.uri, img.url) for img in meta.image_sources],
        )
        # A blank line would end the HTML block and let Markdown read the rest.
        return "## Post meta\n\n" + re.sub(r"\n\s*\n", "\n", html).strip() + "\n"

    def _page_relative(self, uri: str, url: str) -> str:
        """A relative URL written from the Markdown file, rewritten for the built page.

        The box is raw HTML, which MkDocs does not rewrite; with directory URLs the browser
        resolves a link on ``guides/x.md`` from ``guides/x/``.
        """
        if urlsplit(url).scheme or url.startswith(("/", "#")):
            return url
        target = posixpath.normpath(posixpath.join(posixpath.dirname(uri), url))
        name = posixpath.basename(uri)
        page_dir = posixpath.dirname(uri)
        if self.directory_urls and name not in ("index.md", "README.md"):
            page_dir = posixpath.join(page_dir, name[: -len(".md")])
        return posixpath.relpath(target, page_dir or ".")

    def similar(self, page: ArticlePage, items: list[Similar]) -> str:
        """The "Similar posts" section, with links relative to the article's page."""
        base = posixpath.dirname(page.uri)
        rows: list[dict[str, Any]] = []
        for item in items:
            kind, _, ident = item.key.partition(":")
            target = ident if kind == "article" else f"{self.settings.site_path}/{ident}.md"
            rows.append(
                {
                    "title": item.title,
                    "href": posixpath.relpath(target, base or "."),
                    "kind": "change" if kind == "record" else "article",
                    "shared": list(item.shared),
                }
            )
        return self.md.env.get_template("similar.md.j2").render(items=rows)

    def page_markdown(self, markdown: str, page: ArticlePage, similar: list[Similar]) -> str:
        """An article page's Markdown with the summary, the box and similar posts added."""
        title = "# " + str(self._title.render(t=page.meta.title))
        out = insert_after_title(markdown, self.summary(page), title)
        out = out.rstrip("\n") + "\n\n" + self.box(page)
        if self.settings.similar_posts:
            out += "\n" + self.similar(page, similar)
        return out

    def is_stale(self, page: ArticlePage) -> bool:
        return is_stale(page.meta, self.today, self.settings.review_max_age_days)

    def review_page(self, catalog: Catalog) -> str:
        """The first page of "Needs review" (see ``review_pages``)."""
        return self.review_pages(catalog)[self.settings.review_page]

    def review_pages(self, catalog: Catalog) -> dict[str, str]:
        """The generated "Needs review" pages: stale articles, oldest first, with owners.

        ``page_size`` articles a page; keyed by src_uri, the first at ``review_page``.
        """
        stale = [a for a in catalog.articles if self.is_stale(a)]
        stale.sort(key=lambda a: (_reviewed(a) or "0000", a.uri))
        pages = {}
        for page in paginate(stale, self.settings.review_page, self.settings.page_size):
            base = posixpath.dirname(page.uri)
            rows = [
                {
                    "last_reviewed": _reviewed(a) or "never",
                    "title": a.meta.title,
                    "href": posixpath.relpath(a.uri, base or "."),
                    "owner": a.meta.owner or "(no owner)",
                    "status": a.meta.revision.status.value if a.meta.revision else "draft",
                }
                for a in page.items
            ]
            pages[page.uri] = self.md.env.get_template("review.md.j2").render(
                rows=rows, page=page, max_age=self.settings.review_max_age_days, today=self.today
            )
        return pages


def _reviewed(page: ArticlePage) -> str | None:
    rev = page.meta.revision
    return rev.last_reviewed.isoformat() if rev and rev.last_reviewed else None


_FENCE = re.compile(r"^(`{3,}|~{3,})")


def insert_after_title(markdown: str, fragment: str, title_line: str) -> str:
    """Put ``fragment`` after the page's first ``# H1`` (outside code); add ``title_line`` if none."""
    lines = markdown.split("\n")
    fence: str | None = None
    for i, line in enumerate(lines):
        match = _FENCE.match(line)
        if match:
            marker = match.group(1)[0]
            fence = None if fence == marker else (fence or marker)
            continue
        if fence is None and re.match(r"#\s", line):
            return "\n".join([*lines[: i + 1], "", fragment, *lines[i + 1 :]])
    return f"{title_line}\n\n{fragment}\n\n{markdown}"
