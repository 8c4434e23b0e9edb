"""One synthetic knowledge article: frontmatter valid for ``Article``, then Markdown."""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any

from . import vocab
from .pages import blank_separated, checklist, code, page, sections

if TYPE_CHECKING:
    import random

    from .pages import Plan

__all__ = ["RECENT_REVIEWS", "render_article"]

#: Most articles were reviewed in this window (fresh on 2026-11-28, the tests' "today"); the
#: rest up to 400 days after they were written, years ago, so they need review.
RECENT_REVIEWS = (dt.date(2026, 1, 1), dt.date(2026, 6, 30))
FRESH_SHARE = 0.65


def render_article(
    plan: Plan,
    rng: random.Random,
    *,
    seed: int,
    index: int,
    articles: list[Plan],
    records: list[Plan],
) -> str:
    """The text of ``docs/articles/<slug>.md``.

    It links to up to three other articles (``other.md``) and to change records, which the plugin
    publishes at ``changes/<id>.md`` (so ``../changes/<id>.md`` from ``docs/articles/``).
    """
    data = _describe(plan, rng)
    data.update(_review(plan, rng, seed=seed, index=index))
    images = _images(plan, rng)
    needs_review = data["revision"]["status"] != "reviewed"
    data["flags"] = {"has_images": bool(images), "needs_human_review": needs_review}
    items = checklist(rng, done=False)
    topic = plan.topic
    data["checklist"] = items
    data["entities"] = [
        {"name": topic.stack[0], "type": "stack"},
        {"name": topic.area, "type": "area"},
        {"name": topic.problem, "type": "problem"},
    ]
    data["image_sources"] = images
    data["notes"] = rng.sample(vocab.NOTES, rng.randint(0, 2))
    data["tags"] = rng.sample(vocab.TAGS, rng.randint(1, 4))
    data["extra"] = {"view_count": rng.randint(10, 60_000), "generator": "changetrail synth"}
    body = sections(rng, topic)
    for image in images:
        body[1:1] = [f"![{image['caption']}]({image['url']})", f"*{image['caption']}*"]
    body.insert(min(3, len(body)), "\n".join(code(topic, rng)))
    body += ["## Checklist", "\n".join(f"- [ ] {item['todo']}" for item in items)]
    body += _links(plan, rng, articles, records)
    return page(data, blank_separated(body))


def _describe(plan: Plan, rng: random.Random) -> dict[str, Any]:
    """From ``kind`` to ``difficulty``, in the model's order."""
    topic = plan.topic
    stack = topic.stack[0]
    return {
        "kind": "article",
        "title": plan.title,
        "date": plan.date,
        "owner": rng.choice(vocab.OWNERS),
        "topic": f"{topic.problem} / {stack}",
        "summary": f"How to approach {topic.problem} in {stack} for the {topic.area}: measure "
        f"with {topic.tool}, change one thing at a time, and keep a rollback ready.",
        "outline": [f"context: {topic.area}", f"problem: {topic.problem}", f"stack: {stack}"],
        "stack": [stack, topic.stack[2], topic.stack2],
        "tools": [topic.tool, topic.tool2, "git"],
        "code_language": topic.stack[1],
        "difficulty": rng.choice(("beginner", "intermediate", "advanced")),
    }


def _review(plan: Plan, rng: random.Random, *, seed: int, index: int) -> dict[str, Any]:
    """Score, revision (mostly reviewed recently, some years ago) and reference."""
    first, last = RECENT_REVIEWS
    if rng.random() < FRESH_SHARE:
        reviewed = dt.date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))
    else:
        reviewed = min(plan.date + dt.timedelta(days=rng.randint(0, 400)), last)
    status = rng.choices(("reviewed", "draft", "needs-review"), (80, 12, 8))[0]
    return {
        "score": {k: rng.randint(40, 100) for k in ("quality", "freshness", "depth", "clarity")},
        "revision": {
            "status": status,
            "version": f"{rng.randint(0, 3)}.{rng.randint(0, 12)}.{rng.randint(0, 9)}",
            "last_reviewed": reviewed,
        },
        "reference": f"syn-{seed}-{index:06d}",
    }


def _images(plan: Plan, rng: random.Random) -> list[dict[str, str]]:
    if rng.random() >= 0.4:
        return []
    source = rng.choice(("unsplash", "team screenshots"))
    return [
        {
            "source": source,
            "url": f"https://images.example.com/{plan.key}-1.jpg",
            "caption": f"{plan.topic.area} with {plan.topic.stack[0]}: reference diagram",
        }
    ]


def _links(plan: Plan, rng: random.Random, articles: list[Plan], records: list[Plan]) -> list[str]:
    others = [a for a in rng.sample(articles, min(4, len(articles))) if a.key != plan.key][:3]
    linked = rng.sample(records, min(rng.randint(1, 3), len(records)))
    items = [f"- [{a.title}]({a.key}.md)" for a in others]
    items += [f"- [{r.title}](../changes/{r.key}.md)" for r in linked]
    return ["## Related", "\n".join(items)] if items else []
