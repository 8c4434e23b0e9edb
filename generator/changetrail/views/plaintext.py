"""Author Markdown as plain text, for feed summaries."""

from __future__ import annotations

from html.parser import HTMLParser

import markdown

__all__ = ["plain_text"]

#: Longest summary, in characters; longer text is cut at a word and ends with an ellipsis.
SUMMARY_CHARS = 500


class _Text(HTMLParser):
    """Collect the text of an HTML fragment, skipping what a reader would not see as text."""

    _SKIP = frozenset({"script", "style", "template"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._SKIP:
            self.skipping += 1
        elif tag in ("p", "li", "br", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "tr"):
            self.parts.append(" ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._SKIP and self.skipping:
            self.skipping -= 1

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def plain_text(source: str, *, limit: int = SUMMARY_CHARS) -> str:
    """The words of a Markdown text on one line, without markup; at most ``limit`` characters."""
    parser = _Text()
    parser.feed(markdown.markdown(source))
    parser.close()
    text = " ".join("".join(parser.parts).split())
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0] if " " in text[: limit - 1] else text[: limit - 1]
    return cut.rstrip(" ,;:.") + "…"
