"""Synthetic content for load tests (``changetrail synth``).

``synth(n, seed, out)`` writes a complete site into ``out``: ``mkdocs.yml``, ``docs/index.md``,
articles under ``docs/articles/`` and change records under ``changes/``, linked to each other.
The same arguments give byte-identical files: every choice comes from ``random.Random(seed)``
and nothing depends on the clock.
"""

from __future__ import annotations

import datetime as dt
import json
import random
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, get_args

from ..errors import ChangetrailError
from . import vocab
from .articles import render_article
from .pages import Plan, Topic, slug_of
from .records import STATUSES, render_record

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path

__all__ = ["MARKER", "SynthKind", "SynthReport", "SynthTargetError", "synth"]

SynthKind = Literal["articles", "changes", "mixed"]

#: Written into ``out``; its presence says the folder is a corpus that synth may rewrite.
MARKER = ".changetrail-synth.json"

#: Date ranges (inclusive). Planned work is dated in the past too, so nothing looks "future".
_ARTICLE_DATES = (dt.date(2018, 1, 1), dt.date(2025, 12, 31))
_RECORD_DATES = (dt.date(2019, 1, 1), dt.date(2025, 12, 31))
_PLANNED_DATES = (dt.date(2025, 7, 1), dt.date(2026, 1, 1))


class SynthTargetError(ChangetrailError):
    """``out`` holds files that synth did not write; it refuses to mix a corpus into them."""


@dataclass(frozen=True, slots=True)
class SynthReport:
    """What was written."""

    out: Path
    articles: int
    records: int
    files: int

    def summary(self) -> str:
        return (
            f"{self.files} files in {self.out.as_posix()}: {self.articles} articles, "
            f"{self.records} change records"
        )


def synth(n: int, seed: int, out: Path, kind: SynthKind = "mixed") -> SynthReport:
    """Write a deterministic corpus of ``n`` pages into ``out``, a complete MkDocs site.

    Args:
        n: how many pages (articles plus change records).
        seed: the seed; the same arguments give byte-identical files.
        out: the site folder; created, or rewritten when a previous synth wrote it.
        kind: ``articles``, ``changes``, or ``mixed`` (half each, the odd page a record).

    Returns:
        Counts of what was written.

    Raises:
        ValueError: ``n`` is negative or ``kind`` unknown.
        SynthTargetError: ``out`` is a file, or a non-empty folder synth did not write.
    """
    if n < 0 or kind not in get_args(SynthKind):
        raise ValueError(f"expected n >= 0 and kind in {get_args(SynthKind)}; got {n}, {kind!r}")
    rewrite = _check_target(out)
    n_articles = {"articles": n, "changes": 0, "mixed": n // 2}[kind]
    rng = random.Random(seed)
    records = _plan(rng, n - n_articles, record=True)
    articles = _plan(rng, n_articles, record=False)
    for sub in ("docs/articles", "changes"):
        (out / sub).mkdir(parents=True, exist_ok=True)
    written: set[Path] = set()
    for rel, text in _site(rng, n, seed, kind, articles, records):
        path = out / rel
        path.write_text(text, encoding="utf-8", newline="\n")
        written.add(path)
    if rewrite:
        _remove_stale(out, written)
    return SynthReport(out=out, articles=len(articles), records=len(records), files=len(written))


def _site(
    rng: random.Random, n: int, seed: int, kind: str, articles: list[Plan], records: list[Plan]
) -> Iterator[tuple[str, str]]:
    """Every file of the corpus as (path relative to ``out``, text), generated one at a time."""
    # The marker goes first, so that a run that was interrupted can be run again.
    marker = {"generator": "changetrail synth", "kind": kind, "n": n, "seed": seed}
    yield MARKER, json.dumps(marker, sort_keys=True) + "\n"
    yield "mkdocs.yml", _mkdocs_yml(n, seed, kind)
    yield "docs/index.md", _home(n, seed, kind, articles)
    for i, plan in enumerate(articles):
        text = render_article(plan, rng, seed=seed, index=i, articles=articles, records=records)
        yield f"docs/articles/{plan.key}.md", text
    for plan in records:
        yield f"changes/{plan.key}.md", render_record(plan, rng, records=records)


def _check_target(out: Path) -> bool:
    """True when ``out`` is an earlier corpus (stale pages are removed after writing)."""
    if out.exists() and not out.is_dir():
        raise SynthTargetError(f"{out}: exists and is not a folder")
    if (out / MARKER).is_file():
        return True
    if out.is_dir() and any(out.iterdir()):
        raise SynthTargetError(
            f"{out}: folder is not empty and was not written by changetrail synth; "
            "choose a new folder"
        )
    return False


def _remove_stale(out: Path, written: set[Path]) -> None:
    for sub in ("docs/articles", "changes"):
        for path in sorted((out / sub).glob("*.md")):
            if path not in written:
                path.unlink()


def _plan(rng: random.Random, count: int, *, record: bool) -> list[Plan]:
    """Titles, dates and unique ids (case-insensitively) of every page, before any text."""
    plans: list[Plan] = []
    taken: set[str] = set()
    templates = vocab.RECORD_TITLES if record else vocab.ARTICLE_TITLES
    statuses = [s for s, _ in STATUSES]
    weights = [w for _, w in STATUSES]
    for _ in range(count):
        topic = Topic.draw(rng)
        status = rng.choices(statuses, weights)[0] if record else ""
        span = (
            _PLANNED_DATES if status == "planned" else (_RECORD_DATES if record else _ARTICLE_DATES)
        )
        date = dt.date.fromordinal(rng.randint(span[0].toordinal(), span[1].toordinal()))
        title = rng.choice(templates).format_map(topic.slots())
        title = title[0].upper() + title[1:]
        key, part = _key(title, date, record=record), 1
        while key.lower() in taken:
            part += 1
            key = _key(f"{title} (part {part})", date, record=record)
        taken.add(key.lower())
        plans.append(
            Plan(key, title if part == 1 else f"{title} (part {part})", date, topic, status)
        )
    return plans


def _key(title: str, date: dt.date, *, record: bool) -> str:
    slug = slug_of(title)
    return f"{date.isoformat()}-{slug}" if record else slug


def _mkdocs_yml(n: int, seed: int, kind: str) -> str:
    name = json.dumps(f"Synthetic corpus (seed {seed}, {n} pages)")
    return f"""\
# Written by `changetrail synth --n {n} --seed {seed} --kind {kind}`; build with `changetrail build`.
site_name: {name}
docs_dir: docs
theme:
  name: material
markdown_extensions:
  - admonition
  - attr_list
  - md_in_html
  - tables
  - toc:
      permalink: true
  - pymdownx.highlight
  - pymdownx.superfences
  - pymdownx.tasklist:
      custom_checkbox: true
plugins:
  - search
  - changetrail
# Articles are reached through the home page, links and search, not the sidebar.
not_in_nav: |
  /articles/
# A link to a missing page or anchor is a warning, so a broken cross-link shows in the log.
validation:
  unrecognized_links: warn
  anchors: warn
nav:
  - Home: index.md
  - Change log: changes/index.md
"""


def _home(n: int, seed: int, kind: str, articles: list[Plan]) -> str:
    lines = [
        "# Synthetic corpus",
        "",
        f"Written by `changetrail synth --n {n} --seed {seed} --kind {kind}` for load tests.",
        "",
        "- [Change log](changes/index.md)",
    ]
    lines += [f"- [{a.title}](articles/{a.key}.md)" for a in articles[:20]]
    return "\n".join(lines) + "\n"
