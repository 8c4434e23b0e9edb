"""What articles and change records share: topics, plans, YAML, and paragraphs of prose.

Every choice goes through the ``Random`` given, in a fixed order, so a seed gives the same pages.
"""

from __future__ import annotations

import datetime as dt
import functools
import math
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import yaml

from ..catalog import make_slug
from . import vocab

#: Slugs of the few pool words, computed once (slugify is slow for 10,000 pages).
slug_of = functools.lru_cache(maxsize=4096)(make_slug)

if TYPE_CHECKING:
    import random

__all__ = [
    "Plan",
    "Topic",
    "blank_separated",
    "checklist",
    "code",
    "page",
    "render_yaml",
    "sections",
    "slug_of",
]

#: Paragraph words per body (counted by spaces); with the last paragraph, the lists, code and
#: links, a body has 300-1,500 words as `article.word_count` counts them.
BODY_WORDS = (320, 1150)


@dataclass(frozen=True, slots=True)
class Topic:
    """What one page is about; its sentences are drawn from templates filled with these."""

    stack: tuple[str, str, str]
    stack2: str
    tool: str
    tool2: str
    area: str
    problem: str
    problem2: str
    metric: tuple[str, str, str, float]

    def _improved(self, n: int) -> float:
        _, unit, better, base = self.metric
        value = base * n / 100 if better == "lower" else base * (1 + n / 100)
        return round(min(value, 99.9) if unit == "%" else value, 1)

    @classmethod
    def draw(cls, rng: random.Random) -> Topic:
        stack, other = rng.sample(vocab.STACKS, 2)
        tool, tool2 = rng.sample(vocab.TOOLS, 2)
        problem, problem2 = rng.sample(vocab.PROBLEMS, 2)
        area = rng.choice(vocab.AREAS)
        return cls(stack, other[0], tool, tool2, area, problem, problem2, rng.choice(vocab.METRICS))

    def slots(self, rng: random.Random | None = None) -> dict[str, object]:
        """The values of every template slot (numbers drawn from ``rng`` when given)."""
        n = rng.randint(2, 90) if rng else 10
        return {
            "stack": self.stack[0],
            "stack2": self.stack2,
            "tool": self.tool,
            "tool2": self.tool2,
            "area": self.area,
            "problem": self.problem,
            "problem_cap": self.problem[0].upper() + self.problem[1:],
            "problem2": self.problem2,
            "metric": self.metric[0],
            "pct": n,
            "days": n // 3 + 2,
            "rows": f"{n * 131_072:,}",
            "lines": n,
            "before": f"{self.metric[3]:g} {self.metric[1]}",
            "after": f"{self._improved(n):g} {self.metric[1]}",
            "retries": n % 7 + 2,
            "batch": n * 500,
            "rps": n * 40,
            "count": n % 9 + 2,
        }


@dataclass(frozen=True, slots=True)
class Plan:
    """A page decided before any text is written, so that others can link to it."""

    key: str  # article slug or record id
    title: str
    date: dt.date
    topic: Topic
    status: str = ""  # records only


def render_yaml(data: dict[str, Any], indent: int = 0) -> list[str]:
    """Block YAML with JSON scalars (strings always quoted): fast, exact, and plain to read."""
    pad = " " * indent
    lines: list[str] = []
    for key, value in data.items():
        if isinstance(value, dict) and value:
            lines.append(f"{pad}{key}:")
            lines += render_yaml(value, indent + 2)
        elif isinstance(value, list) and value:
            lines.append(f"{pad}{key}:")
            for item in value:
                if isinstance(item, dict):
                    inner = render_yaml(item, indent + 4)
                    lines.append(f"{pad}  - {inner[0].lstrip()}")
                    lines += inner[1:]
                else:
                    lines.append(f"{pad}  - {_scalar(item)}")
        else:
            lines.append(f"{pad}{key}: {_scalar(value)}")
    return lines


#: Printable ASCII without quote or backslash: written in double quotes as it is.
_PLAIN = re.compile(r"[ !#-\[\]-~]*")


def _scalar(value: object) -> str:
    if isinstance(value, str):
        if _PLAIN.fullmatch(value):
            return f'"{value}"'
        return yaml.safe_dump(value, default_style='"', width=1 << 30).rstrip("\n")
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    return "[]" if isinstance(value, list) else "{}"


def page(data: dict[str, Any], body: list[str]) -> str:
    """A Markdown file: frontmatter, a blank line, the body."""
    return "\n".join(["---", *render_yaml(data), "---", "", *body]) + "\n"


#: Steps coprime with the number of sentence templates, so a paragraph never repeats one.
_STEPS = tuple(k for k in range(1, len(vocab.SENTENCES)) if math.gcd(k, len(vocab.SENTENCES)) == 1)


def _paragraph(rng: random.Random, sentences: list[str]) -> str:
    # Two draws per paragraph instead of one per sentence: 10,000 pages stay fast.
    start, step = rng.randrange(len(sentences)), rng.choice(_STEPS)
    picked = (sentences[(start + i * step) % len(sentences)] for i in range(rng.randint(3, 6)))
    return " ".join(picked)


def sections(rng: random.Random, topic: Topic) -> list[str]:
    """Headings and paragraphs until the body has its drawn number of words."""
    slots = topic.slots(rng)
    sentences = [t.format_map(slots) for t in vocab.SENTENCES]
    target = rng.randint(*BODY_WORDS)
    headings = rng.sample(vocab.HEADINGS, len(vocab.HEADINGS))
    out = [_paragraph(rng, sentences)]
    words = out[0].count(" ") + 1
    while words < target:
        if headings and rng.random() < 0.4:
            out.append(f"## {headings.pop()}")
        text = _paragraph(rng, sentences)
        out.append(text)
        words += text.count(" ") + 1
    return out


def code(topic: Topic, rng: random.Random) -> list[str]:
    """A fenced code sample in the topic's language."""
    lang = topic.stack[1]
    sample = vocab.CODE[lang].replace("{slug}", slug_of(topic.area).replace("-", "_"))
    return [f"```{lang}", sample.replace("{n}", str(rng.randint(2, 9))), "```"]


def checklist(rng: random.Random, *, done: bool) -> list[dict[str, str]]:
    """Checklist items in the ``- done: text`` / ``- todo: text`` form."""
    items = rng.sample(vocab.CHECKLIST, rng.randint(3, 5))
    return [{"done" if done and rng.random() < 0.6 else "todo": item} for item in items]


def blank_separated(blocks: list[str]) -> list[str]:
    """Markdown blocks with a blank line between each two."""
    out: list[str] = []
    for block in blocks:
        out += [block, ""]
    return out[:-1]
