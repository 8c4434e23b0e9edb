"""The change record schema: one pydantic model is the single source of truth.

It validates frontmatter, produces the JSON Schema (``changetrail schema change``) and the field
reference in the docs. Rules that depend on configuration (which fields each status needs) live in
``checks.rules``; everything here holds for every site.
"""

from __future__ import annotations

import datetime as dt
import enum
import math
import re
from typing import TYPE_CHECKING, Annotated, Any, Literal
from urllib.parse import urlsplit

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    model_validator,
)
from pydantic_core import PydanticCustomError

if TYPE_CHECKING:
    from pydantic import GetJsonSchemaHandler
    from pydantic.json_schema import JsonSchemaValue
    from pydantic_core import CoreSchema

__all__ = [
    "ChangeRecord",
    "ChecklistItem",
    "Link",
    "Metric",
    "RepoPath",
    "Rollback",
    "Status",
]


class Status(enum.StrEnum):
    """Where a change stands."""

    DRAFT = "draft"
    PLANNED = "planned"
    IN_PROGRESS = "in-progress"
    SHIPPED = "shipped"
    ROLLED_BACK = "rolled-back"
    ABANDONED = "abandoned"


#: Words people write for a status, mapped to the status they mean (for hints).
STATUS_SYNONYMS = {
    "done": "shipped",
    "complete": "shipped",
    "completed": "shipped",
    "deployed": "shipped",
    "released": "shipped",
    "live": "shipped",
    "merged": "shipped",
    "reverted": "rolled-back",
    "rolledback": "rolled-back",
    "rollback": "rolled-back",
    "wip": "in-progress",
    "inprogress": "in-progress",
    "ongoing": "in-progress",
    "started": "in-progress",
    "todo": "planned",
    "proposed": "planned",
    "scheduled": "planned",
    "cancelled": "abandoned",
    "canceled": "abandoned",
    "dropped": "abandoned",
}


def _one_line(value: str) -> str:
    if "\n" in value or "\r" in value:
        raise PydanticCustomError("one_line", "expected a single line of text")
    return value


def _iso_date(value: object) -> object:
    """Accept a YAML date or a ``YYYY-MM-DD`` string; nothing looser (no timestamps, no 03/04)."""
    if isinstance(value, dt.datetime):
        raise PydanticCustomError(
            "date_format", "expected a date without a time, written YYYY-MM-DD"
        )
    if isinstance(value, dt.date):
        return value
    if isinstance(value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", value.strip()):
        try:
            return dt.date.fromisoformat(value.strip())
        except ValueError:
            raise PydanticCustomError("date_invalid", "expected a date that exists") from None
    raise PydanticCustomError("date_format", "expected a date written YYYY-MM-DD")


def _finite(value: object) -> object:
    if isinstance(value, bool):
        raise PydanticCustomError("number_type", "expected a number")
    if isinstance(value, int | float):
        if isinstance(value, float) and not math.isfinite(value):
            raise PydanticCustomError("finite_number", "expected a finite number")
        return value
    raise PydanticCustomError("number_type", "expected a number")


_DRIVE = re.compile(r"^[A-Za-z]:")


def _repo_path(value: str) -> str:
    """A path relative to the repository root that cannot leave it."""
    text = value.strip()
    if not text:
        raise PydanticCustomError("path_empty", "expected a path")
    if text.startswith(("/", "\\")) or _DRIVE.match(text):
        raise PydanticCustomError(
            "path_absolute", "expected a path relative to the repository root"
        )
    if text.startswith("~"):
        raise PydanticCustomError("path_home", "expected a path relative to the repository root")
    # The parts PurePosixPath would give, without building one (thousands of paths per run).
    if ".." in text and ".." in text.replace("\\", "/").split("/"):
        raise PydanticCustomError("path_escape", "expected a path inside the repository (no '..')")
    return text


_SAFE_SCHEMES = ("http", "https")
_WEB = ("https://", "http://")


def _safe_url(value: str) -> str:
    if value.startswith(_WEB) and value.isascii() and "[" not in value and "]" not in value:
        return value.strip()  # what the long way gives such a URL, without splitting it
    # Browsers ignore control characters and blanks inside a scheme ("java\tscript:"),
    # so look at the URL the way they do before deciding.
    squashed = "".join(ch for ch in value if ch.isprintable() and not ch.isspace())
    parts = urlsplit(squashed)
    if not squashed:
        raise PydanticCustomError("url_empty", "expected a URL")
    if (parts.scheme and parts.scheme.lower() not in _SAFE_SCHEMES) or squashed.startswith("//"):
        raise PydanticCustomError("url_scheme", "expected an http, https or relative URL")
    return value.strip()


OneLine = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1), AfterValidator(_one_line)
]
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
# The schema's ceiling; the site's own limit (200 by default) is checked in checks.common.
Title = Annotated[
    str,
    StringConstraints(strip_whitespace=True, min_length=1, max_length=1000),
    AfterValidator(_one_line),
]
Number = Annotated[float | int, BeforeValidator(_finite)]
IsoDate = Annotated[dt.date, BeforeValidator(_iso_date)]
RepoPath = Annotated[str, AfterValidator(_repo_path)]
SafeUrl = Annotated[str, AfterValidator(_safe_url)]

_FROZEN = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=False)


class Metric(BaseModel):
    """A measured number before and after the change."""

    model_config = _FROZEN

    name: Annotated[OneLine, Field(description="What was measured, e.g. `p95 latency`.")]
    before: Annotated[Number, Field(description="The value before the change.")]
    after: Annotated[Number, Field(description="The value after the change.")]
    unit: Annotated[str, Field(description="Unit of both values, e.g. `ms`, `%`, `req/s`.")] = ""
    better: Annotated[
        Literal["lower", "higher"],
        Field(description="Which direction is an improvement: `lower` or `higher`."),
    ]

    @property
    def change_percent(self) -> float | None:
        """Relative change from before to after, in percent (``None`` when before is 0)."""
        if self.before == 0:
            return None
        return (self.after - self.before) / abs(self.before) * 100

    @property
    def improved(self) -> bool | None:
        """True when the change went the ``better`` way, None when nothing changed."""
        if self.after == self.before:
            return None
        return (self.after < self.before) == (self.better == "lower")


class Rollback(BaseModel):
    """How to undo the change."""

    model_config = _FROZEN

    command: Annotated[
        str | None, Field(description="The command that undoes the change, if there is one.")
    ] = None
    note: Annotated[
        Text, Field(description="How to roll back, what to watch, and what cannot be undone.")
    ]
    tested: Annotated[
        bool, Field(description="Whether the rollback was actually tried (`true`/`false`).")
    ] = False


class ChecklistItem(BaseModel):
    """One checklist item. In YAML write `- done: text`, `- todo: text` or just `- text`."""

    model_config = _FROZEN

    text: Annotated[OneLine, Field(description="What to do, in one line.")]
    done: Annotated[bool, Field(description="Whether it is done.")] = False

    @model_validator(mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, str):
            return {"text": value, "done": False}
        if isinstance(value, dict) and len(value) == 1:
            ((key, text),) = value.items()
            if key in ("done", "todo"):
                return {"text": text, "done": key == "done"}
            if key not in ("text",):
                raise PydanticCustomError(
                    "checklist_form", "expected '- done: text', '- todo: text' or '- text'"
                )
        return value

    @classmethod
    def __get_pydantic_json_schema__(
        cls, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        # The shorthand forms are read by the "before" validator, which JSON Schema cannot see.
        full = handler(core_schema)
        short: list[JsonSchemaValue] = [
            {
                "type": "object",
                "properties": {key: {"type": "string"}},
                "required": [key],
                "additionalProperties": False,
            }
            for key in ("done", "todo")
        ]
        return {"anyOf": [{"type": "string", "description": "An item not done yet."}, *short, full]}


class Link(BaseModel):
    """A link to a pull request, incident, dashboard or document."""

    model_config = _FROZEN

    title: Annotated[OneLine, Field(description="The link text.")]
    url: Annotated[SafeUrl, Field(description="An `http`, `https` or relative URL.")]


class ChangeRecord(BaseModel):
    """The frontmatter of one change record (`changes/*.md`)."""

    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        title="changetrail change record",
    )

    title: Annotated[
        Title,
        Field(description="What changed, in one line (at most 200 characters by default)."),
    ]
    date: Annotated[
        IsoDate,
        Field(
            description="The day it shipped or is planned for, `YYYY-MM-DD`. Not in the future "
            "unless the status is `planned` or `draft`."
        ),
    ]
    owner: Annotated[OneLine, Field(description="The person or team handle responsible.")]
    status: Annotated[
        Status,
        Field(
            description="One of `draft`, `planned`, `in-progress`, `shipped`, `rolled-back`, "
            "`abandoned`."
        ),
    ]
    reason: Annotated[
        Text,
        Field(
            description="Markdown. Why the change was needed and what the system did before: "
            "the route, the input, the slow query or failing command, where users noticed."
        ),
    ]
    expected_result: Annotated[
        Text, Field(description="Markdown. What should be true once the change is live.")
    ]
    files_touched: Annotated[
        list[RepoPath],
        Field(
            description="Repository-relative paths the change touched. Required when `shipped` "
            "or `rolled-back`; no absolute paths and no `..`."
        ),
    ] = []
    commands: Annotated[
        list[Text],
        Field(description="The commands that were run. Required when `shipped` or `rolled-back`."),
    ] = []
    metrics: Annotated[
        list[Metric],
        Field(description="Measurements before and after. At least one when `shipped`."),
    ] = []
    rollback: Annotated[
        Rollback | None,
        Field(description="How to undo it. Required for every status but `draft` and `abandoned`."),
    ] = None
    checklist: Annotated[
        list[ChecklistItem] | None,
        Field(
            description="Steps, each `- done: text` or `- todo: text`. When absent, the site's "
            "default checklist applies, all unchecked."
        ),
    ] = None
    area: Annotated[
        OneLine | None, Field(description="The part of the system, e.g. `database`.")
    ] = None
    tags: Annotated[list[OneLine], Field(description="Free labels for grouping.")] = []
    links: Annotated[list[Link], Field(description="Pull requests, incidents, dashboards.")] = []
    commit: Annotated[
        str | None,
        Field(
            pattern=r"^[A-Za-z0-9][A-Za-z0-9._/@^~-]{0,199}$",
            description="The git revision (hash, tag or branch) of the change.",
        ),
    ] = None
    related: Annotated[
        list[OneLine], Field(description="Ids (file names without `.md`) of related records.")
    ] = []


#: Fields whose requirement depends on the status (see ``Settings.required``).
STATUS_DEPENDENT = ("files_touched", "commands", "metrics", "rollback")
