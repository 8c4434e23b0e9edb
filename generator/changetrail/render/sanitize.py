"""Sanitize the HTML of generated pages with nh3 (the Rust ammonia sanitizer).

Authors are not trusted: a record's Markdown fields and body may hold raw HTML. After Markdown is
turned into HTML, everything outside this allowlist is removed: scripts, event handlers, styles,
and URLs with schemes other than http, https and mailto. The allowlist is documented on the
"Security and limits" page.
"""

from __future__ import annotations

import nh3

__all__ = ["ALLOWED_ATTRIBUTES", "ALLOWED_TAGS", "sanitize_html"]

ALLOWED_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "details", "div",
        "dl", "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i", "img", "input", "ins",
        "kbd", "label", "li", "mark", "ol", "p", "pre", "progress", "q", "s", "samp", "small",
        "span", "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th",
        "thead", "tr", "u", "ul",
    }
)  # fmt: skip

_GLOBAL = {"class", "id", "title", "lang", "dir"}
ALLOWED_ATTRIBUTES: dict[str, set[str]] = {
    "*": _GLOBAL,
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "loading"},
    "input": {"type", "checked", "disabled"},
    "progress": {"value", "max"},
    "td": {"colspan", "rowspan"},
    "th": {"colspan", "rowspan", "scope"},
    "ol": {"start"},
    "details": {"open"},
}

URL_SCHEMES = frozenset({"http", "https", "mailto"})


def sanitize_html(
    html: str,
    *,
    tags: frozenset[str] = ALLOWED_TAGS,
    attributes: dict[str, set[str]] | None = None,
) -> str:
    """Keep only allowlisted tags, attributes and URL schemes; drop script/style contents."""
    return nh3.clean(
        html,
        tags=set(tags),
        attributes=attributes if attributes is not None else ALLOWED_ATTRIBUTES,
        url_schemes=set(URL_SCHEMES),
        link_rel=None,
        strip_comments=True,
        clean_content_tags={"script", "style"},
    )
