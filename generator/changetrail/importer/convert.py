"""From an export to an article: frontmatter checked against ``Article``, and a Markdown body."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml
from pydantic import ValidationError

from ..article import Article
from ..catalog import make_slug
from ..errors import RecordError, close_match_hint, show_value
from ..validation import field_path
from .blocks import Heading, Image, Paragraph
from .export import Export, read_export
from .meta import Meta, read_meta

if TYPE_CHECKING:
    from pydantic_core import ErrorDetails

    from .blocks import Block

__all__ = ["LegacyArticle", "parse_legacy", "render_article", "render_body"]


@dataclass(frozen=True, slots=True)
class LegacyArticle:
    """One imported article: its frontmatter (valid for ``Article``) and its Markdown body."""

    title: str
    data: dict[str, Any]
    body: str

    @property
    def filename(self) -> str:
        """The output file name: the slug of the title, ``.md``."""
        return f"{make_slug(self.title)}.md"

    def render(self) -> str:
        """The text of the article file."""
        return render_article(self.data, self.body)


def parse_legacy(text: str, path: str) -> LegacyArticle | list[RecordError]:
    """Read one export of the old site and map it to an article.

    Args:
        text: the export, as text.
        path: the file as it should appear in messages.

    Returns:
        The article, or every problem found, each with ``path`` and a 1-based line.
    """
    export = read_export(text, path)
    if isinstance(export, list):
        return export
    meta = read_meta(export.meta, path)
    meta.put(("title",), export.title, export.title_line)
    data = _frontmatter(meta)
    errors = list(meta.errors)  # the values in error were left out; check all the others too
    try:
        Article.model_validate(data)
    except ValidationError as exc:
        errors += [_from_pydantic(err, meta, export, path) for err in exc.errors(include_url=False)]
    if errors:
        return sorted(errors, key=RecordError.sort_key)
    return LegacyArticle(title=export.title, data=data, body=render_body(export, data))


def _frontmatter(meta: Meta) -> dict[str, Any]:
    """Fields in the model's order, ``kind: article`` first, ``extra.legacy`` last in extra."""
    data = dict(meta.data)
    revision = data.get("revision")
    if isinstance(revision, dict) and revision.get("last_reviewed") is not None:
        data["date"] = revision["last_reviewed"]  # the export has no date; never "today"
    if "extra" in data:
        extra = data["extra"]
        data["extra"] = {k: v for k, v in extra.items() if k != "legacy"}
        if "legacy" in extra:
            data["extra"]["legacy"] = extra["legacy"]
    ordered: dict[str, Any] = {"kind": "article"}
    ordered.update((name, data[name]) for name in Article.model_fields if name in data)
    return ordered


def _from_pydantic(err: ErrorDetails, meta: Meta, export: Export, path: str) -> RecordError:
    loc = tuple(err["loc"])
    value = err.get("input")
    expected = str((err.get("ctx") or {}).get("expected", "")).replace("'", "") or None
    message = err["msg"]
    hint = None
    if err["type"] == "enum" and expected:
        message = f"expected {expected}"
        choices = [c.strip() for c in expected.replace(" or ", ", ").split(",")]
        hint = close_match_hint(str(value), choices)
    elif not message.startswith("expected"):
        message = message[:1].lower() + message[1:]
    return RecordError(
        code=f"legacy.{err['type']}",
        file=path,
        line=meta.line_of(loc) or export.meta_line,
        column=1,
        field=field_path(loc) or None,
        message=message,
        got=show_value(value),
        hint=hint,
    )


class _Dumper(yaml.SafeDumper):
    """Never write anchors and aliases: changetrail refuses them when it reads the file back."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


#: Wide enough that PyYAML never folds a long summary onto a second line.
_YAML_WIDTH = 1 << 30


def render_article(data: dict[str, Any], body: str) -> str:
    """The text of an article file: ``---``, the frontmatter as YAML, ``---``, the body.

    Deterministic: the same arguments give the same text.
    """
    head = yaml.dump(
        data,
        Dumper=_Dumper,
        sort_keys=False,
        allow_unicode=True,
        width=_YAML_WIDTH,
        default_flow_style=False,
    )
    text = body.strip("\n")
    return f"---\n{head}---\n\n{text}\n" if text else f"---\n{head}---\n"


def render_body(export: Export, data: dict[str, Any]) -> str:
    """The body in Markdown: headings, paragraphs, images with captions, lists, a task list.

    The title is not repeated (it is in the frontmatter). The bullets of the checklist section
    (under a heading that says "checklist", or equal to the box's checklist) become tasks.
    """
    checklist = [item["todo"] for item in data.get("checklist") or []]
    urls = {
        str(src.get("caption", "")).strip().casefold(): str(src.get("url", ""))
        for src in data.get("image_sources", [])
    }
    parts: list[str] = []
    in_checklist = False
    for block in export.blocks:
        if isinstance(block, Heading):
            in_checklist = "checklist" in block.text.lower()
        parts.append(_render_block(block, urls, in_checklist=in_checklist, checklist=checklist))
    return "\n\n".join(parts) + "\n" if parts else ""


def _render_block(
    block: Block, urls: dict[str, str], *, in_checklist: bool, checklist: list[str]
) -> str:
    if isinstance(block, Heading):
        text = _md_inline(block.text)
        return "## " + (text[:-1] + "\\#" if text.endswith("#") else text)
    if isinstance(block, Paragraph):
        return "\n".join(_md_line(line) for line in block.lines)
    if isinstance(block, Image):
        url = urls.get(block.alt.casefold(), "")
        image = f"![{_md_inline(block.alt)}]({_md_url(url)})"
        caption = _md_inline(block.alt) + (
            f". image source: {_md_inline(block.source)}" if block.source else ""
        )
        return f"{image}\n\n*{caption}*"
    tasks = in_checklist or [text for _, text in block.items] == checklist
    marker = "- [ ] " if tasks else "- "
    return "\n".join(
        ("    " if depth > 1 else "") + marker + _md_line(text) for depth, text in block.items
    )


# Inline Markdown that plain text must not trigger: code, emphasis, links, attribute lists
# ({: onclick=…}), raw HTML and entities.
_INLINE = re.compile(r"([\\`*\[\]{}])")
_UNDERSCORE = re.compile(r"(?<!\w)_|_(?!\w)")
_ENTITY = re.compile(r"&(?=#?\w+;)")
# Block markers at the start of a line: headings, quotes, lists, admonitions, rules, fences.
_ESCAPABLE_START = re.compile(r"^([#>+!-])")
_ENTITY_START = re.compile(r"^([=?~:|])")
_ORDERED = re.compile(r"^(\d+)([.)])(?=\s|$)")


def _md_inline(text: str) -> str:
    """Plain text as Markdown that shows the same text (for a title, caption or list item)."""
    text = _INLINE.sub(r"\\\1", text)
    text = _UNDERSCORE.sub(r"\\_", text)
    text = _ENTITY.sub("&amp;", text)
    return text.replace("<", "&lt;")


def _md_line(text: str) -> str:
    """A line of plain text that cannot start a Markdown block (heading, list, fence…)."""
    text = _md_inline(text.strip())
    text = _ESCAPABLE_START.sub(r"\\\1", text)
    text = _ENTITY_START.sub(lambda m: f"&#{ord(m[1])};", text)
    return _ORDERED.sub(lambda m: m[1] + ("\\." if m[2] == "." else "&#41;"), text)


def _md_url(url: str) -> str:
    """A link destination; wrapped in <...> when it holds characters that would end it."""
    if not url:
        return ""
    if re.search(r"[\s()<>]", url):
        return "<" + re.sub(r"[\s<>]", lambda m: f"%{ord(m[0]):02X}", url) + ">"
    return url
