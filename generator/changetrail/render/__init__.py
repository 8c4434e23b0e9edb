"""Render a catalog to Markdown pages: ``dict[src_uri, markdown]`` for any site engine.

One Jinja2 environment with ``StrictUndefined`` (a typo in a template fails loudly) and a
``finalize`` that escapes every value not marked safe by a filter. Record values are passed as
data and never evaluated as templates.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from markupsafe import Markup
from pydantic import BaseModel

from ..errors import format_errors
from . import filters
from .context import RepoLinks, record_context
from .paging import paginate
from .sanitize import sanitize_html

if TYPE_CHECKING:
    from collections.abc import Callable

    from ..catalog import Catalog, Taxonomy
    from ..errors import RecordError
    from ..loader import Record
    from ..settings import Settings
    from ..views import ViewLinks

__all__ = ["ASSETS_DIR", "CSS_URI", "Renderer", "sanitize_html"]

ASSETS_DIR = Path(__file__).parent / "assets"
CSS_URI = "assets/changetrail/changetrail.css"

_TAXONOMY_TITLES = {"tags": "Tags", "owners": "Owners", "status": "Status"}


class Renderer:
    """Turns a catalog into Markdown pages under ``settings.site_path``."""

    def __init__(
        self,
        settings: Settings,
        memo: Callable[[str, list[Any], Callable[[], str]], str] | None = None,
    ) -> None:
        """``memo``, when given, may return a record page rendered before from the same data
        (a site engine's build cache); the page is a pure function of its template context.
        """
        self.settings = settings
        self.memo = memo
        self.env = jinja2.Environment(
            loader=jinja2.PackageLoader("changetrail.render", "templates"),
            undefined=jinja2.StrictUndefined,
            finalize=filters.finalize,
            autoescape=False,  # output is Markdown; finalize does the escaping
            keep_trailing_newline=True,
            trim_blocks=True,
            lstrip_blocks=True,
            # The templates ship inside the package: no need to stat them on every page.
            auto_reload=False,
        )
        self.env.filters.update(
            md_text=filters.md_text,
            h=filters.html_escape,
            page_title=filters.page_title,
            code_span=filters.code_span,
            code_block=filters.code_block,
            link_url=filters.link_url,
            isodate=filters.isodate,
            number=filters.fmt_number,
            percent=filters.percent,
        )

    def _render(self, template: str, **context: Any) -> str:
        return self.env.get_template(template).render(**context)

    def uri(self, *parts: str) -> str:
        """The src_uri of a generated page, e.g. ``changes/tags/perf.md``."""
        return "/".join((self.settings.site_path, *parts))

    def render_record(
        self,
        rec: Record,
        catalog: Catalog,
        links: ViewLinks | None = None,
        repo: RepoLinks | None = None,
    ) -> str:
        """The Markdown page of one record."""
        context = record_context(rec, catalog, self.settings, links, repo)
        if self.memo is None:
            return self._render("record.md.j2", **context)
        try:
            data = json.dumps(context, sort_keys=True, ensure_ascii=False, default=_plain)
        except (TypeError, ValueError):  # a value without a JSON form: render, do not cache
            return self._render("record.md.j2", **context)
        return self.memo("record-markdown", [data], lambda: self._render("record.md.j2", **context))

    def render_changelog(self, catalog: Catalog) -> dict[str, str]:
        """The change log and one page per month (paginated), keyed by src_uri.

        The change log shows the newest ``page_size`` records, grouped by month, and links to
        every month; so it grows by one link a month, not by one row a record.
        """
        size = self.settings.page_size
        months = catalog.months()
        names = [(month.strftime("%B %Y"), f"{_month_slug(month)}.md") for month, _ in months]
        archive: dict[int, list[tuple[str, str, int]]] = {}
        for (month, records), (_, name) in zip(months, names, strict=True):
            archive.setdefault(month.year, []).append(
                (month.strftime("%B"), f"archive/{name}", len(records))
            )
        newest: dict[dt.date, list[Record]] = {}
        for rec in catalog.records[:size]:
            newest.setdefault(rec.meta.date.replace(day=1), []).append(rec)
        pages = {
            self.uri("index.md"): self._render(
                "index.md.j2",
                months=list(newest.items()),
                total=len(catalog.records),
                shown=min(size, len(catalog.records)),
                archive=list(archive.items()),
                taxonomies=[(t.name, _TAXONOMY_TITLES[t.name]) for t in _taxonomies(catalog)],
                owner_slugs=catalog.owners.slugs,
            )
        }
        for i, (_, records) in enumerate(months):
            label, name = names[i]
            for page in paginate(records, f"archive/{name}", size):
                pages[self.uri(page.uri)] = self._render(
                    "changelog_month.md.j2",
                    label=label,
                    page=page,
                    root=Markup(page.up + "../"),
                    newer=names[i - 1] if i > 0 else None,
                    older=names[i + 1] if i + 1 < len(names) else None,
                    owner_slugs=catalog.owners.slugs,
                )
        return pages

    def render_taxonomy_index(self, tax: Taxonomy) -> dict[str, str]:
        """Every label of a taxonomy with its count, ``page_size`` labels a page."""
        return {
            self.uri(tax.name, page.uri): self._render(
                "taxonomy_index.md.j2", title=_TAXONOMY_TITLES[tax.name], page=page
            )
            for page in paginate(tax.items(), "index.md", self.settings.page_size)
        }

    def render_taxonomy_page(
        self, tax: Taxonomy, label: str, slug: str, records: tuple[Record, ...]
    ) -> dict[str, str]:
        """The records with one label, newest first, ``page_size`` a page."""
        return {
            self.uri(tax.name, page.uri): self._render(
                "taxonomy_page.md.j2", kind=_TAXONOMY_TITLES[tax.name], label=label, page=page
            )
            for page in paginate(records, f"{slug}.md", self.settings.page_size)
        }

    def render_problems(
        self, path: str, errors: list[RecordError], *, standalone: bool = True
    ) -> str:
        """A page that shows a file's problems in place of the file (used while previewing).

        ``standalone`` pages carry their own title; others replace a page whose metadata the
        site engine has already read.
        """
        return self._render(
            "problems.md.j2",
            path=path,
            count=len(errors),
            report=format_errors(errors),
            standalone=standalone,
        )

    def render_site(
        self,
        catalog: Catalog,
        *,
        listed: Catalog | None = None,
        drafts: bool = False,
        links: ViewLinks | None = None,
        repo: dict[str, RepoLinks] | None = None,
    ) -> dict[str, str]:
        """Every generated page, keyed by its path in the site's docs tree.

        Args:
            catalog: every valid record; each gets its page (drafts only with ``drafts``).
            listed: the records the index and taxonomy pages list (``Catalog.listed``);
                all of ``catalog`` when not given.
            drafts: render draft records too (a preview); they carry a banner.
            links: where the per-file and metric-trend pages are, to link to them.
            repo: per record id, links to the repository's web view (``repo_url``).
        """
        listed = listed or catalog
        pages = self.render_changelog(listed)
        published = {r.id for r in listed.records}
        for rec in catalog.records:
            # Drafts and records dated after the build are left out of a built site entirely
            # (pages, search, sitemap); the rebuild on or after their date publishes them.
            if not drafts and rec.id not in published:
                continue
            repo_links = (repo or {}).get(rec.id)
            pages[self.uri(f"{rec.id}.md")] = self.render_record(rec, listed, links, repo_links)
        for tax in _taxonomies(listed):
            pages.update(self.render_taxonomy_index(tax))
            for label, slug, records in tax.items():
                pages.update(self.render_taxonomy_page(tax, label, slug, records))
        return pages


def _plain(value: object) -> object:
    """JSON for the values of a record's template context (the key of its cached page)."""
    if isinstance(value, BaseModel):
        return value.model_dump(mode="json")
    if isinstance(value, (dt.date, dt.datetime)):
        return [type(value).__name__, value.isoformat()]
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return dataclasses.asdict(value)
    raise TypeError(f"no JSON form for {type(value).__name__}")


def _month_slug(month: dt.date) -> str:
    return month.strftime("%Y-%m")


def _taxonomies(catalog: Catalog) -> list[Taxonomy]:
    return [catalog.tags, catalog.owners, catalog.statuses]
