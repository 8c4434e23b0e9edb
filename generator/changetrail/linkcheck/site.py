"""Check the internal links, anchors and assets of a built site, and point at their sources.

Every page of the site is parsed once. A link is broken when its target file is not in the site
(``x/`` means ``x/index.html``) or its ``#fragment`` is not an ``id`` (or ``<a name>``) of the
target page. Each broken occurrence becomes one ``RecordError`` on the Markdown line that wrote
it: the built link is matched to a link of the page's source by where both point.
"""

from __future__ import annotations

import difflib
import posixpath
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING
from urllib.parse import unquote

from ..errors import RecordError
from .htmlscan import ASSET_TAGS, HtmlLink, ParsedPage, parse_page
from .markdown import SourceLink, split_url
from .sources import PageSource, SourceMap, normjoin, page_output

if TYPE_CHECKING:
    from pathlib import Path

__all__ = ["check_site", "is_external"]

_SCHEME = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|//)")
_PAGE_SUFFIXES = ("", ".html", ".htm", ".md")
_NOUNS = {"img": "image", "script": "script", "link": "linked file", "object": "embedded file"}


def is_external(url: str) -> bool:
    """True for URLs with a scheme (``https:``, ``mailto:``, ``data:``...) or ``//host``."""
    return bool(_SCHEME.match(url.strip()))


class _Site:
    """The built site on disk: which files exist, and each page parsed at most once."""

    def __init__(self, site_dir: Path) -> None:
        self.dir = site_dir
        self.files = {
            p.relative_to(site_dir).as_posix() for p in site_dir.rglob("*") if p.is_file()
        }
        self.dirs = {posixpath.dirname(f) for f in self.files}
        self._pages: dict[str, ParsedPage] = {}
        #: What a broken link may have meant: docs-tree pages and every non-page file.
        self.candidates: list[str] = sorted(f for f in self.files if not f.endswith(".html"))

    def page(self, rel: str) -> ParsedPage:
        if rel not in self._pages:
            text = (self.dir / rel).read_text(encoding="utf-8", errors="replace")
            self._pages[rel] = parse_page(text)
        return self._pages[rel]

    def file_of(self, path: str, *, slash: bool) -> str:
        """The file a browser gets for ``path``: a folder (or ``x/``) means its index.html."""
        if path == "" or slash or (path in self.dirs and path not in self.files):
            return posixpath.join(path, "index.html") if path else "index.html"
        return path


@dataclass(frozen=True, slots=True)
class _Problem:
    code: str
    target: str  # the file in the site
    fragment: str
    ids: frozenset[str] = frozenset()


def check_site(
    site_dir: Path, sources: SourceMap, *, use_directory_urls: bool, base_path: str = "/"
) -> list[RecordError]:
    """Check every internal link, anchor and asset of the site built in ``site_dir``.

    Args:
        site_dir: the built site.
        sources: where each page came from (``SourceMap.build``).
        use_directory_urls: MkDocs' option of the same name, used when it was built.
        base_path: the path of ``site_url``; root-relative links (``/x/``) start with it.

    Returns:
        One error per broken link occurrence, on the source line that wrote it when found.
    """
    site = _Site(site_dir)
    site.candidates = sorted({*site.candidates, *(p.src_uri for p in sources.pages.values())})
    errors: list[RecordError] = []
    for rel in sorted(f for f in site.files if f.endswith(".html")):
        page = sources.pages.get(rel)
        parsed = site.page(rel)
        if page is None and not parsed.has_content:
            continue  # an HTML file copied from docs_dir, not a page of the site
        matcher = _Matcher(page, rel, sources, site, use_directory_urls=use_directory_urls)
        for link in parsed.links:
            problem = _check_link(link.url, rel, site, base_path, tag=link.tag)
            if problem is not None:
                errors.append(matcher.report(problem, link, site))
    return errors


def _resolve(url: str, page_rel: str, site: _Site, base_path: str) -> tuple[str | None, str]:
    """The site file ``url`` points at from ``page_rel`` (``None``: outside the site), and
    its fragment."""
    path, _, fragment = split_url(url)
    if not path:
        return page_rel, fragment
    decoded = unquote(path)
    if decoded.startswith("/"):
        base = "/" + base_path.strip("/") + "/" if base_path.strip("/") else "/"
        if not (decoded + "/").startswith(base):
            return None, fragment
        resolved = normjoin("", decoded[len(base) :])
    else:
        resolved = normjoin(posixpath.dirname(page_rel), decoded)
    if resolved is None:
        return None, fragment
    return site.file_of(resolved, slash=decoded.endswith("/")), fragment


def _check_link(url: str, page_rel: str, site: _Site, base_path: str, tag: str) -> _Problem | None:
    if not url or is_external(url):
        return None
    target, fragment = _resolve(url, page_rel, site, base_path)
    if target is None or target not in site.files:
        suffix = posixpath.splitext(split_url(url)[0].rstrip("/"))[1].lower()
        asset = tag in ASSET_TAGS or suffix not in _PAGE_SUFFIXES
        return _Problem("link.asset" if asset else "link.not_found", target or "", fragment)
    if not fragment or not target.endswith((".html", ".htm")):
        return None
    if fragment.lower() == "top" or fragment.startswith(":~:"):
        return None  # the top of the page, and text fragments, need no id
    ids = site.page(target).ids
    if fragment in ids or unquote(fragment) in ids:
        return None
    return _Problem("link.anchor", target, fragment, frozenset(ids))


class _Matcher:
    """Pairs broken links of a built page with the source links that wrote them."""

    def __init__(
        self,
        page: PageSource | None,
        rel: str,
        sources: SourceMap,
        site: _Site,
        *,
        use_directory_urls: bool,
    ) -> None:
        self.page = page
        self.rel = rel
        self.sources = sources
        self.udu = use_directory_urls
        self.site = site
        self.used: set[int] = set()
        self._keys_of: list[set[str]] | None = None  # computed for the first broken link only

    @property
    def keys(self) -> list[set[str]]:
        if self._keys_of is None:
            links = self.page.links if self.page else ()
            self._keys_of = [self._keys(link, self.site) for link in links]
        return self._keys_of

    def _keys(self, link: SourceLink, site: _Site) -> set[str]:
        assert self.page is not None
        if is_external(link.url):
            return set()
        path, _, fragment = split_url(link.url)
        keys: set[str] = set()
        raw, _ = _resolve(link.url, self.rel, site, "/")
        if raw is not None:
            keys.add(f"{raw}#{fragment}")
        decoded = unquote(path)
        uris = [normjoin(posixpath.dirname(self.page.src_uri), decoded)]
        if decoded.startswith("/"):
            uris.append(normjoin("", decoded.lstrip("/")))
        if self.page.path is not None:  # written relative to the source file (see rebase)
            src = normjoin(posixpath.dirname(self.page.path), decoded)
            uris.append(self.sources.layout.site_uri(src) if src is not None else None)
        for uri in uris:
            if uri is None or not path:
                continue
            if uri.endswith(".md"):
                keys.add(f"{page_output(uri, use_directory_urls=self.udu)}#{fragment}")
            else:
                keys.add(f"{site.file_of(uri, slash=decoded.endswith('/'))}#{fragment}")
        return keys

    def find(self, problem: _Problem, link: HtmlLink) -> SourceLink | None:
        if self.page is None:
            return None
        key = f"{problem.target}#{problem.fragment}"
        written = unquote(link.url)
        for i, src in enumerate(self.page.links):
            if i not in self.used and (key in self.keys[i] or unquote(src.url) == written):
                self.used.add(i)
                return src
        return None

    def report(self, problem: _Problem, link: HtmlLink, site: _Site) -> RecordError:
        src = self.find(problem, link)
        written = src.url if src else link.url
        file = self.rel if self.page is None else self.page.path or self.page.src_uri
        message = _message(problem, written, link)
        if src is None:
            where = "generated page" if self.page is None or self.page.path is None else "source"
            message += (
                f" (not found in the {where}: the link comes from a template, a plugin or "
                f"frontmatter; built page {self.rel}, line {link.line})"
            )
        return RecordError(
            code=problem.code,
            file=file,
            line=src.line if src else None,
            column=src.column if src else None,
            field=src.field if src else None,
            message=message,
            hint=self._hint(problem, written, site, matched=src is not None),
        )

    def _hint(self, problem: _Problem, written: str, site: _Site, *, matched: bool) -> str | None:
        path, query, fragment = split_url(written)
        if problem.code == "link.anchor":
            ids = sorted(i for i in problem.ids if not i.startswith("__"))
            match = difflib.get_close_matches(unquote(fragment), ids, n=1, cutoff=0.6)
            return f"did you mean '{path}{query}#{match[0]}'?" if match else None
        if self.page is None or not path or is_external(path):
            return None
        base = posixpath.dirname(self.page.src_uri)
        raw = self._raw_hint(unquote(path), base, site)
        if raw is not None:
            return raw
        if matched and self.page.path is not None:
            layout = self.sources.layout
            in_repo = normjoin(posixpath.dirname(self.page.path), unquote(path))
            if in_repo and layout.exists(in_repo):
                uri = layout.site_uri(in_repo)
                if uri is None:
                    folder = layout.docs_dir or "the docs folder"
                    return f"'{in_repo}' is in the repository but not in the site: move it under '{folder}/'"
                return (
                    f"in the repository this is '{in_repo}'; from this page of the site it is "
                    f"'{posixpath.relpath(uri, base or '.')}'"
                )
        wanted = normjoin(base, unquote(path))
        if wanted is None:
            return "the link leaves the site; link to a page or file inside docs_dir"
        nearest = _close_file(wanted, site.candidates)
        if nearest is None:
            return None
        suggestion = posixpath.relpath(nearest, base or ".")
        return f"did you mean '{suggestion}{query}{'#' + fragment if fragment else ''}'?"

    def _raw_hint(self, path: str, base: str, site: _Site) -> str | None:
        """A link MkDocs did not rewrite (raw HTML) to a file that does exist."""
        target = normjoin(base, path)
        if target is None:
            return None
        if target.endswith(".md"):
            target = page_output(target, use_directory_urls=self.udu)
        if target not in site.files:
            return None
        here = posixpath.dirname(self.rel)
        fixed = posixpath.relpath(target, here or ".")
        if self.udu and fixed.endswith("index.html") and target.endswith(".html"):
            fixed = fixed[: -len("index.html")] or "./"
        return (
            f"'{target}' exists, but this link is raw HTML, which MkDocs does not rewrite: "
            f"the browser resolves it from '{here or '.'}/', where it is '{fixed}'"
        )


def _close_file(wanted: str, candidates: list[str]) -> str | None:
    """The existing file whose path is nearest ``wanted``, among files of the same type."""
    stem, ext = posixpath.splitext(wanted)
    same = {posixpath.splitext(c)[0]: c for c in candidates if posixpath.splitext(c)[1] == ext}
    match = difflib.get_close_matches(stem, list(same), n=1, cutoff=0.7)
    return same[match[0]] if match else None


def _message(problem: _Problem, written: str, link: HtmlLink) -> str:
    if problem.code == "link.anchor":
        path = split_url(written)[0]
        where = f"'{path}'" if path else "this page"
        return f"link to '{written}': {where} has no anchor '#{problem.fragment}'"
    if problem.code == "link.asset":
        noun = _NOUNS.get(link.tag, "media file" if link.tag in ASSET_TAGS else "file")
        return f"{noun} '{written}' is not in the built site"
    if not problem.target:
        return f"link to '{written}' points outside the site"
    return f"link to '{written}': no such page in the built site"
