"""Filters that turn record values into safe Markdown.

Every ``{{ value }}`` in a template is escaped by ``finalize`` unless a filter here returned
``Markup``: those filters are the only places that decide a value is safe Markdown.
"""

from __future__ import annotations

import html
import json
import re
from typing import TYPE_CHECKING
from urllib.parse import quote

from markupsafe import Markup

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "code_block",
    "code_span",
    "finalize",
    "fmt_number",
    "html_escape",
    "isodate",
    "link_url",
    "md_escape",
    "md_text",
    "page_title",
    "percent",
]

# Python-Markdown's backslash-escapable characters (plus '|' from the tables extension), each
# given a backslash; a table, not a regular expression: this runs for every value of every page.
_MD_SPECIAL = str.maketrans({c: "\\" + c for c in "\\`*_{}[]()#+-.!|"})


def md_escape(value: object) -> str:
    """Make any value show as literal text in Markdown and HTML.

    Markdown punctuation is backslash-escaped first, then HTML is escaped (so ``<script>`` and
    ``"`` become entities); no value can open a tag, a link, a heading or a template.
    """
    text = str(value)
    text = text.translate(_MD_SPECIAL)
    return html.escape(text, quote=True)


def finalize(value: object) -> object:
    """Jinja ``finalize``: escape everything that a filter did not mark as safe Markdown."""
    if isinstance(value, Markup):
        return value
    if value is None:
        return ""
    return Markup(md_escape(value))


def html_escape(value: object) -> Markup:
    """For raw-HTML contexts (attributes, HTML blocks), where Markdown escapes would show."""
    return Markup(html.escape(str(value), quote=True))


def page_title(value: object) -> Markup:
    """The ``title:`` line of a generated page's own frontmatter.

    Material writes ``page.meta.title`` into ``<title>`` and the header without escaping (and
    ``page.title`` through ``striptags``, which un-escapes entities), so the value is
    HTML-escaped here and quoted as a YAML string (JSON strings are YAML).
    """
    return Markup(json.dumps(html.escape(str(value), quote=True)))


def md_text(value: str) -> Markup:
    """Author-written Markdown (reason, notes, body): passed on as Markdown.

    Raw HTML in it is removed later by the sanitizer that runs on every generated page.
    """
    return Markup(value.strip())


def code_span(value: object) -> Markup:
    """An inline code span that holds any text, backticks included."""
    text = str(value).replace("\n", " ")
    longest = max((len(m) for m in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return Markup(f"{fence}{pad}{text}{pad}{fence}")


def code_block(value: object, lang: str = "sh") -> Markup:
    """A fenced code block that holds any text: the fence is longer than any run inside."""
    text = str(value).rstrip("\n")
    longest = max((len(m) for m in re.findall(r"^\s*(`{3,}|~{3,})", text, re.M)), default=0)
    fence = "`" * max(3, longest + 1)
    return Markup(f"{fence} {lang}\n{text}\n{fence}")


_URL_SAFE = ":/?#[]@!$&'()*+,;=%~"


def link_url(value: str) -> Markup:
    """A link destination: percent-encode what could end it, and wrap it in ``<...>``."""
    return Markup(f"<{quote(value.strip(), safe=_URL_SAFE)}>")


def isodate(value: dt.date) -> str:
    return value.isoformat()


def fmt_number(value: float) -> str:
    """1234 -> '1,234'; 0.5 -> '0.5'; 12.345678 -> '12.3457'."""
    if isinstance(value, int) or float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6g}"


def percent(value: float | None) -> str:
    """A signed percentage with a real minus sign (U+2212), e.g. '-88.4 %' with that sign."""
    if value is None:
        return "n/a"
    sign = "+" if value > 0 else "\u2212" if value < 0 else "±"
    return f"{sign}{abs(value):.1f} %"
