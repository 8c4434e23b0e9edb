"""The body of an export: headings, paragraphs, images with their source, and bullet lists.

A run of non-blank lines is one chunk. A chunk of one short line without final punctuation is a
heading; otherwise it holds paragraphs, images (a line followed by '<line>. image source: X')
and bullet lists ('  • item', nested at four spaces).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["BULLET", "Block", "Bullets", "Heading", "Image", "Paragraph", "read_body"]

#: A heading is one line standing alone, at most this long, without final punctuation.
HEADING_MAX_CHARS = 80
HEADING_MAX_WORDS = 12
_FINAL_PUNCTUATION = ".!?:;,…"
BULLET = "•"
_IMAGE_SOURCE = re.compile(r"\.?\s*image source:\s*(?P<source>.*)$", re.IGNORECASE)


@dataclass(frozen=True, slots=True)
class Heading:
    text: str
    line: int


@dataclass(frozen=True, slots=True)
class Paragraph:
    lines: tuple[str, ...]
    line: int


@dataclass(frozen=True, slots=True)
class Image:
    alt: str
    source: str
    line: int


@dataclass(frozen=True, slots=True)
class Bullets:
    items: tuple[tuple[int, str], ...]  # (depth, text); depth 1 or 2
    line: int


Block = Heading | Paragraph | Image | Bullets


def read_body(lines: list[str], start: int, end: int) -> list[Block]:
    """The blocks of ``lines[start:end]``, each with its 1-based line."""
    blocks: list[Block] = []
    chunk: list[tuple[int, str]] = []
    for i in range(start, end + 1):
        line = lines[i] if i < end else ""
        if line.strip():
            chunk.append((i + 1, line))
        elif chunk:
            blocks.extend(_read_chunk(chunk))
            chunk = []
    return blocks


def _read_chunk(chunk: list[tuple[int, str]]) -> list[Block]:
    """One run of non-blank lines: a heading, or paragraphs, images and bullet lists."""
    if len(chunk) == 1 and _is_heading(chunk[0][1]):
        return [Heading(chunk[0][1].strip(), chunk[0][0])]
    blocks: list[Block] = []
    i = 0
    while i < len(chunk):
        start, raw = chunk[i]
        j = i + 1
        if raw.lstrip().startswith(BULLET):
            while j < len(chunk) and chunk[j][1].lstrip().startswith(BULLET):
                j += 1
            blocks.append(Bullets(tuple(_bullet(r) for _, r in chunk[i:j]), start))
        elif j < len(chunk) and (source := _image_source(raw, chunk[j][1])) is not None:
            blocks.append(Image(raw.strip(), source, start))
            j += 1
        else:
            while j < len(chunk) and not _starts_block(chunk, j):
                j += 1
            blocks.append(Paragraph(tuple(r.strip() for _, r in chunk[i:j]), start))
        i = j
    return blocks


def _starts_block(chunk: list[tuple[int, str]], j: int) -> bool:
    raw = chunk[j][1]
    if raw.lstrip().startswith(BULLET):
        return True
    return j + 1 < len(chunk) and _image_source(raw, chunk[j + 1][1]) is not None


def _bullet(raw: str) -> tuple[int, str]:
    indent = len(raw) - len(raw.lstrip())
    return (2 if indent >= 4 else 1, raw.strip()[1:].strip())


def _image_source(alt: str, following: str) -> str | None:
    """The source when ``following`` is '<alt>. image source: X', else None."""
    alt, following = alt.strip(), following.strip()
    if not alt or not following.startswith(alt):
        return None
    match = _IMAGE_SOURCE.fullmatch(following[len(alt) :])
    return match["source"].strip() if match else None


def _is_heading(raw: str) -> bool:
    text = raw.strip()
    return (
        not raw[:1].isspace()
        and not text.startswith(BULLET)
        and len(text) <= HEADING_MAX_CHARS
        and len(text.split()) <= HEADING_MAX_WORDS
        and text[-1] not in _FINAL_PUNCTUATION
    )
