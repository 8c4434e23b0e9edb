"""Where each built page came from: the source map that turns a broken link into ``file:line``.

A site has two layouts. The *source tree* is the repository: ``docs/guide.md``, and records in
``changes/<id>.md`` (outside ``docs_dir`` by default). The *docs tree* is what MkDocs sees: the
same pages as ``guide.md``, and the records' generated pages as ``<site_path>/<id>.md``. ``Layout``
maps a file between the two; ``SourceMap`` knows, for every built page, its source and the
links written in it.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import Path, PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import unquote

from .markdown import SourceLink, scan_frontmatter, scan_markdown

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from ..frontmatter import Frontmatter
    from ..loader import ArticlePage, Record
    from ..pipeline import Project

__all__ = ["Layout", "PageSource", "SourceMap", "output_path", "page_output"]


def page_output(src_uri: str, *, use_directory_urls: bool) -> str:
    """The file MkDocs writes for a page: ``a/b.md`` -> ``a/b/index.html`` or ``a/b.html``."""
    folder, name = posixpath.split(src_uri)
    stem = name[: -len(".md")] if name.endswith(".md") else name
    if stem in ("index", "README"):
        dest = "index.html"
    elif use_directory_urls:
        dest = f"{stem}/index.html"
    else:
        dest = f"{stem}.html"
    return posixpath.join(folder, dest) if folder else dest


def output_path(url: str) -> str:
    """A page URL as MkDocs gives it (``''``, ``a/``, ``a.html``) -> its file in the site."""
    path = unquote(url.split("#", 1)[0].split("?", 1)[0]).lstrip("/")
    if path in ("", ".", "./"):
        return "index.html"
    return path + "index.html" if path.endswith("/") else path


def normjoin(base_dir: str, path: str) -> str | None:
    """Join and normalise posix paths; ``None`` when the result leaves the root."""
    joined = posixpath.normpath(posixpath.join(base_dir, path)) if path else base_dir
    if joined == "." or not joined:
        return ""
    if joined == ".." or joined.startswith("../"):
        return None
    return joined


@dataclass(frozen=True)
class Layout:
    """How source files (relative to the project root) become files of the docs tree.

    Args:
        root: the folder of mkdocs.yml.
        docs_dir: MkDocs' docs_dir, relative to ``root`` ('docs').
        records: each published record's source path ('changes/<id>.md') -> its generated
            page in the docs tree ('changes/<id>.md' under ``site_path``).
        changes_dir: the records folder, relative to ``root``; its Markdown files are never
            published as they are, even when it lies inside ``docs_dir``.
    """

    root: Path
    docs_dir: str
    records: Mapping[str, str] = field(default_factory=dict)
    changes_dir: str = "changes"
    _exists: dict[str, bool] = field(default_factory=dict, compare=False, repr=False)

    @cached_property
    def _record_sources(self) -> dict[str, str]:
        return {uri: path for path, uri in self.records.items()}

    @classmethod
    def build(
        cls,
        root: Path,
        docs_dir: Path | str,
        *,
        records: Iterable[Record] = (),
        changes_dir: str = "changes",
        site_path: str = "changes",
    ) -> Layout:
        """The layout of a project: ``docs_dir`` absolute or relative to ``root``."""
        root = root.resolve()
        docs_abs = (root / docs_dir).resolve()
        # Outside the root, paths in messages are absolute (as loader.display_path makes them).
        rel = docs_abs.relative_to(root) if docs_abs.is_relative_to(root) else docs_abs
        docs = PurePosixPath(rel).as_posix()
        recs = {r.path: f"{site_path.strip('/')}/{r.id}.md" for r in records}
        return cls(root, "" if docs == "." else docs, recs, changes_dir.strip("/"))

    def site_uri(self, source_path: str) -> str | None:
        """The docs-tree path of a source file, or ``None`` when it is not published."""
        if source_path in self.records:
            return self.records[source_path]
        if source_path.endswith(".md") and _under(source_path, self.changes_dir):
            return None  # a record that is not published (a draft), or a README
        if _under(source_path, self.docs_dir):
            return source_path[len(self.docs_dir) + 1 :] if self.docs_dir else source_path
        return None

    def source_path(self, site_uri: str) -> str | None:
        """The source file of a docs-tree path; ``None`` for generated pages and missing files."""
        if site_uri in self._record_sources:
            return self._record_sources[site_uri]
        path = posixpath.join(self.docs_dir, site_uri) if self.docs_dir else site_uri
        if self.site_uri(path) != site_uri or not self.exists(path):
            return None
        return path

    def exists(self, source_path: str) -> bool:
        """True when ``source_path`` (relative to the root) is a file or folder on disk."""
        found = self._exists.get(source_path)
        if found is None:
            found = self._exists[source_path] = (self.root / source_path).exists()
        return found


def _under(path: str, folder: str) -> bool:
    return not folder or folder == "." or path.startswith(folder.rstrip("/") + "/")


@dataclass(frozen=True)
class PageSource:
    """One built page and where it came from.

    ``path`` is ``None`` for pages changetrail or the theme generate from no single file
    (tag pages, the change log); their problems are reported against ``src_uri``.
    """

    src_uri: str
    path: str | None
    links: tuple[SourceLink, ...] = ()
    kind: str = "page"  # "page", "article", "record" or "generated"


@dataclass(frozen=True)
class SourceMap:
    """Every built page (by its file in the site, ``a/b/index.html``) and its source."""

    pages: Mapping[str, PageSource]
    layout: Layout
    use_directory_urls: bool = True

    def by_uri(self) -> dict[str, PageSource]:
        return {p.src_uri: p for p in self.pages.values()}

    @classmethod
    def build(
        cls,
        root: Path,
        docs_dir: Path,
        *,
        page_urls: Mapping[str, str] | None = None,
        records: Iterable[Record] = (),
        articles: Iterable[ArticlePage] = (),
        changes_dir: str = "changes",
        site_path: str = "changes",
        use_directory_urls: bool = True,
    ) -> SourceMap:
        """Build the map from what the plugin saw and what the loader read.

        Args:
            root: the folder of mkdocs.yml; paths in messages are relative to it.
            docs_dir: MkDocs' docs_dir (absolute, or relative to ``root``).
            page_urls: ``page.url -> page.file.src_uri`` for every page MkDocs rendered (the
                plugin records it in ``on_page_markdown``). When ``None``, the pages are the
                Markdown files under ``docs_dir`` plus the records' pages; other generated pages
                then show up by their built file.
            records: the published records (their frontmatter gives ``links[i].url`` lines).
            articles: the knowledge articles (``image_sources[i].url`` lines).
            changes_dir: the records folder, relative to ``root``.
            site_path: where record pages go in the docs tree.
            use_directory_urls: MkDocs' option of the same name.
        """
        records = list(records)
        layout = Layout.build(
            root, docs_dir, records=records, changes_dir=changes_dir, site_path=site_path
        )
        known: dict[str, PageSource] = {}
        for rec in records:
            uri = layout.records[rec.path]
            known[uri] = _from_frontmatter(uri, rec.path, rec.body, rec.source, "record")
        for art in articles:
            known[art.uri] = _from_frontmatter(art.uri, art.path, art.body, art.source, "article")
        if page_urls is None:
            page_urls = _derived_urls(layout, known, use_directory_urls=use_directory_urls)
        pages = {}
        for url, uri in page_urls.items():
            page = known.get(uri) or _plain_page(layout, uri)
            pages[output_path(url)] = page
        return cls(pages, layout, use_directory_urls)

    @classmethod
    def from_project(
        cls,
        project: Project,
        docs_dir: Path,
        *,
        page_urls: Mapping[str, str] | None = None,
        use_directory_urls: bool = True,
    ) -> SourceMap:
        """``build`` from a loaded project (``pipeline.load_project(..., docs_dir=...)``)."""
        return cls.build(
            project.root,
            docs_dir,
            page_urls=page_urls,
            records=project.catalog.records,
            articles=project.catalog.articles,
            changes_dir=project.settings.changes_dir,
            site_path=project.settings.site_path,
            use_directory_urls=use_directory_urls,
        )


def _from_frontmatter(uri: str, path: str, body: str, fm: Frontmatter, kind: str) -> PageSource:
    links = (*scan_frontmatter(fm), *scan_markdown(body, first_line=fm.body_line))
    return PageSource(uri, path, links, kind)


def _plain_page(layout: Layout, uri: str) -> PageSource:
    path = layout.source_path(uri)
    if path is None or not path.endswith(".md"):
        return PageSource(uri, None, (), "generated")
    try:
        text = (layout.root / path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError):
        return PageSource(uri, path, (), "page")
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return PageSource(uri, path, tuple(scan_markdown(text)), "page")


def _derived_urls(
    layout: Layout, known: Mapping[str, PageSource], *, use_directory_urls: bool
) -> dict[str, str]:
    uris = set(known)
    docs_dir = layout.root / layout.docs_dir
    for file in sorted(docs_dir.rglob("*.md")) if docs_dir.is_dir() else ():
        rel = file.relative_to(layout.root).as_posix()
        uri = layout.site_uri(rel)
        if uri and not any(part.startswith(".") for part in rel.split("/")):
            uris.add(uri)
    return {page_output(u, use_directory_urls=use_directory_urls): u for u in sorted(uris)}
