"""The knowledge article schema: the old site's post-meta box, as a pydantic model.

An article is any page under ``docs_dir`` whose frontmatter says ``kind: article`` (or any page in
a configured article folder). ``reading_time`` and ``hash`` are computed from the page, never
typed by hand.
"""

from __future__ import annotations

import enum
import hashlib
import math
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, StrictBool
from pydantic_core import PydanticCustomError

from .models import ChecklistItem, IsoDate, OneLine, SafeUrl, Text, Title

if TYPE_CHECKING:
    import datetime as dt

__all__ = [
    "WORDS_PER_MINUTE",
    "Article",
    "Difficulty",
    "Entity",
    "ImageSource",
    "Revision",
    "RevisionStatus",
    "Score",
    "content_hash",
    "reading_time",
]

#: Reading speed used for ``reading_time``: a common figure for technical prose.
WORDS_PER_MINUTE = 200

_FROZEN = ConfigDict(extra="forbid", frozen=True)
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?(?:\+[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*)?$"
)


def _semver(value: str) -> str:
    if not _SEMVER.fullmatch(value):
        raise PydanticCustomError("semver", "expected a version like 1.9.4 (semver)")
    return value


def _flag_name(value: dict[str, StrictBool]) -> dict[str, StrictBool]:
    for key in value:
        if not re.fullmatch(r"[a-z][a-z0-9_]*", key):
            raise PydanticCustomError("flag_name", "expected snake_case flag names")
    return value


Percent = Annotated[int, Field(ge=0, le=100, strict=True)]


class Difficulty(enum.StrEnum):
    BEGINNER = "beginner"
    INTERMEDIATE = "intermediate"
    ADVANCED = "advanced"


class RevisionStatus(enum.StrEnum):
    DRAFT = "draft"
    REVIEWED = "reviewed"
    NEEDS_REVIEW = "needs-review"


class Score(BaseModel):
    """Editorial scores, each 0-100."""

    model_config = _FROZEN

    quality: Annotated[Percent | None, Field(description="Overall quality, 0-100.")] = None
    freshness: Annotated[Percent | None, Field(description="How current it is, 0-100.")] = None
    depth: Annotated[Percent | None, Field(description="How deep it goes, 0-100.")] = None
    clarity: Annotated[Percent | None, Field(description="How clear it reads, 0-100.")] = None


class Revision(BaseModel):
    """Where the article stands in review."""

    model_config = _FROZEN

    status: Annotated[
        RevisionStatus, Field(description="`draft`, `reviewed` or `needs-review`.")
    ] = RevisionStatus.DRAFT
    version: Annotated[
        str | None,
        AfterValidator(lambda v: v if v is None else _semver(v)),
        Field(description="The article's version, semver (`1.9.4`)."),
    ] = None
    last_reviewed: Annotated[
        IsoDate | None,
        Field(description="The day someone last checked it was still right, `YYYY-MM-DD`."),
    ] = None


class Entity(BaseModel):
    """Something the article is about."""

    model_config = _FROZEN

    name: Annotated[OneLine, Field(description="The entity, e.g. `next.js`.")]
    type: Annotated[OneLine, Field(description="Its kind, e.g. `stack`, `area`, `problem`.")]


class ImageSource(BaseModel):
    """Where an image in the article comes from."""

    model_config = _FROZEN

    source: Annotated[OneLine, Field(description="Who provides it, e.g. `unsplash`.")]
    url: Annotated[SafeUrl, Field(description="An `http`, `https` or relative URL.")]
    caption: Annotated[OneLine | None, Field(description="The caption shown with it.")] = None


class Article(BaseModel):
    """The frontmatter of a knowledge article (a page under `docs/` with `kind: article`)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="changetrail knowledge article",
    )

    kind: Annotated[
        Literal["article"], Field(description="Marks the page as an article: `article`.")
    ] = "article"
    title: Annotated[
        Title, Field(description="The title, in one line (at most 200 characters by default).")
    ]
    date: Annotated[IsoDate | None, Field(description="Publication day, `YYYY-MM-DD`.")] = None
    owner: Annotated[
        OneLine | None, Field(description="Who keeps it current (person or team handle).")
    ] = None
    topic: Annotated[OneLine | None, Field(description="The subject, e.g. `background jobs`.")] = (
        None
    )
    summary: Annotated[Text | None, Field(description="Two or three sentences.")] = None
    outline: Annotated[list[OneLine], Field(description="The article's outline.")] = []
    stack: Annotated[list[OneLine], Field(description="Technologies it applies to.")] = []
    tools: Annotated[list[OneLine], Field(description="Tools it uses.")] = []
    code_language: Annotated[OneLine | None, Field(description="Language of its code samples.")] = (
        None
    )
    difficulty: Annotated[
        Difficulty | None, Field(description="`beginner`, `intermediate` or `advanced`.")
    ] = None
    score: Annotated[Score | None, Field(description="Editorial scores, each 0-100.")] = None
    revision: Annotated[Revision | None, Field(description="Review state.")] = None
    reference: Annotated[
        OneLine | None, Field(description="A unique reference id, e.g. `anp-ref-039725`.")
    ] = None
    flags: Annotated[
        dict[str, StrictBool],
        AfterValidator(_flag_name),
        Field(description="Named yes/no flags, e.g. `has_images: true`."),
    ] = {}
    checklist: Annotated[
        list[ChecklistItem] | None,
        Field(description="Steps, each `- done: text` or `- todo: text` (as in records)."),
    ] = None
    entities: Annotated[list[Entity], Field(description="What it is about.")] = []
    image_sources: Annotated[list[ImageSource], Field(description="Credits for images.")] = []
    notes: Annotated[list[Text], Field(description="Editorial notes.")] = []
    tags: Annotated[list[OneLine], Field(description="Free labels.")] = []
    extra: Annotated[
        dict[str, Any], Field(description="Anything else, kept and shown as it is.")
    ] = {}
    # MkDocs and Material read these page options; they pass through untouched.
    description: Annotated[str | None, Field(description="MkDocs: page description.")] = None
    hide: Annotated[list[str] | None, Field(description="Material: parts to hide.")] = None
    template: Annotated[str | None, Field(description="MkDocs: page template.")] = None
    icon: Annotated[str | None, Field(description="Material: page icon.")] = None
    search: Annotated[dict[str, Any] | None, Field(description="Material: search options.")] = None


_WORD = re.compile(r"[\w'-]+", re.UNICODE)
#: For ASCII text: each byte that ``_WORD`` does not match becomes a space.
_WORD_BYTES = frozenset(b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789_'-")
_NOT_WORD_TO_SPACE = bytes(c if c in _WORD_BYTES else 32 for c in range(256))


def word_count(markdown: str) -> int:
    """Words in a Markdown body (code, links and markup count as they read)."""
    if markdown.isascii():
        # The same count as the regex, six times faster: words are the runs left between spaces.
        return len(markdown.encode("ascii").translate(_NOT_WORD_TO_SPACE).split())
    return len(_WORD.findall(markdown))


def reading_time(markdown: str) -> int:
    """Minutes to read ``markdown`` at ``WORDS_PER_MINUTE``, at least 1."""
    return max(1, math.ceil(word_count(markdown) / WORDS_PER_MINUTE))


def content_hash(markdown: str) -> str:
    """The first 16 hex digits of the SHA-256 of the body (line ends normalised)."""
    text = markdown.replace("\r\n", "\n").strip()
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def is_stale(article: Article, today: dt.date, max_age_days: int) -> bool:
    """True when the article needs review: marked so, or last reviewed too long ago.

    An article never reviewed (no ``last_reviewed``) is not stale: it is a draft.
    """
    rev = article.revision
    if rev is not None and rev.status is RevisionStatus.NEEDS_REVIEW:
        return True
    if rev is None or rev.last_reviewed is None:
        return False
    return (today - rev.last_reviewed).days > max_age_days
