"""Links that work in both layouts: the site (docs tree) and the repository (source tree).

A link is written relative to the file it is in, as a reader of the repository (or GitHub)
follows it. Pages of ``docs_dir`` have the same place in both trees, so their links mean the same
thing in both, except links to records: a record's source is ``changes/<id>.md`` (outside
``docs_dir`` by default) and its page is ``<site_path>/<id>.md``. ``rebase_markdown`` rewrites
links that resolve in the source tree into the site's layout, so that one link works in both;
``check_source_tree`` reports links that only work in the site.
"""

from __future__ import annotations

import posixpath
from typing import TYPE_CHECKING
from urllib.parse import quote, unquote

from ..errors import RecordError, Severity
from .markdown import find_links, split_url
from .site import is_external
from .sources import normjoin

if TYPE_CHECKING:
    from .sources import Layout, SourceMap

__all__ = ["check_source_tree", "rebase_markdown", "rebase_url"]

_URL_SAFE = "/:@!$&'()*+,;=~"


def rebase_url(url: str, *, source_path: str, page_uri: str, layout: Layout) -> str:
    """Rewrite a link written relative to ``source_path`` so that it works from ``page_uri``.

    Args:
        url: the destination as written.
        source_path: the file it is written in, relative to the project root
            ('changes/<id>.md', 'docs/guide.md').
        page_uri: the page's path in the docs tree ('changes/<id>.md', 'guide.md').
        layout: how source files map to the docs tree.

    Returns:
        The link for the site; ``url`` unchanged when it is external, an anchor, root-relative,
        does not resolve to an existing source file, or needs no change.
    """
    path, query, fragment = split_url(url)
    if not path or is_external(url) or path.startswith("/"):
        return url
    decoded = unquote(path)
    source = normjoin(posixpath.dirname(source_path), decoded)
    if source is None or not layout.exists(source):
        return url
    target = layout.site_uri(source)
    if target is None or target == normjoin(posixpath.dirname(page_uri), decoded):
        return url
    new = posixpath.relpath(target, posixpath.dirname(page_uri) or ".")
    if decoded.endswith("/") and not new.endswith("/"):
        new += "/"
    return quote(new, safe=_URL_SAFE) + query + (f"#{fragment}" if "#" in url else "")


def rebase_markdown(markdown: str, *, source_path: str, page_uri: str, layout: Layout) -> str:
    """Apply ``rebase_url`` to every link destination of a page's Markdown (code is left alone)."""
    out = markdown
    for span in reversed(find_links(markdown)):
        new = rebase_url(span.url, source_path=source_path, page_uri=page_uri, layout=layout)
        if new != span.url:
            out = out[: span.start] + new + out[span.end :]
    return out


def check_source_tree(
    sources: SourceMap, *, severity: Severity = Severity.WARNING
) -> list[RecordError]:
    """Report relative links that work in the site but not in the source tree.

    Only links whose target has a source file are reported: a link to a generated page (the
    change log, a tag page) cannot work in the repository, and a link that works nowhere is
    reported by ``check_site``.

    Returns:
        One ``link.source_tree`` problem per such link, with the link that works in both.
    """
    layout = sources.layout
    errors: list[RecordError] = []
    seen: set[str] = set()
    for page in sources.pages.values():
        if page.path is None or page.path in seen:
            continue
        seen.add(page.path)
        here = posixpath.dirname(page.path)
        for link in page.links:
            path, query, fragment = split_url(link.url)
            if not path or is_external(link.url) or path.startswith("/"):
                continue
            decoded = unquote(path)
            source = normjoin(here, decoded)
            if source is not None and layout.exists(source):
                continue
            target = normjoin(posixpath.dirname(page.src_uri), decoded)
            target_source = layout.source_path(target) if target is not None else None
            if target_source is None:
                continue
            better = posixpath.relpath(target_source, here or ".") + query
            better += f"#{fragment}" if fragment else ""
            where = f"'{source}', which does not exist" if source else "outside the repository"
            errors.append(
                RecordError(
                    code="link.source_tree",
                    file=page.path,
                    line=link.line,
                    column=link.column,
                    field=link.field,
                    message=f"link to '{link.url}' works in the site but not in the source "
                    f"tree, where it points at {where}",
                    hint=f"write '{better}': links are relative to the file they are written in",
                    severity=severity,
                )
            )
    return errors
