"""One synthetic change record: every field its status needs, then Markdown notes."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import vocab
from .pages import blank_separated, checklist, page, sections, slug_of

if TYPE_CHECKING:
    import random

    from .pages import Plan, Topic

__all__ = ["STATUSES", "render_record"]

#: Status mix of synthetic records (drawn with these weights).
STATUSES = (
    ("shipped", 50),
    ("rolled-back", 10),
    ("in-progress", 15),
    ("planned", 15),
    ("abandoned", 10),
)


def render_record(plan: Plan, rng: random.Random, *, records: list[Plan]) -> str:
    """The text of ``changes/<id>.md``; ``related`` names other records of ``records``."""
    topic, status = plan.topic, plan.status
    slug = slug_of(topic.area).replace("-", "_")
    data = _describe(plan, rng)
    if status != "planned":
        data["files_touched"] = _files(rng, topic, slug)
        commands = rng.sample(vocab.COMMANDS, rng.randint(1, 3))
        data["commands"] = [c.format(slug=slug) for c in commands]
    if status in ("shipped", "rolled-back"):
        data["metrics"] = _metrics(rng, topic, worse=status == "rolled-back")
    if status != "abandoned":
        data["rollback"] = {
            "command": "git revert --no-edit HEAD",
            "note": f"Revert the change and restart the {topic.area} workers; "
            "no data migration to undo.",
            "tested": rng.random() < 0.7,
        }
    data["checklist"] = checklist(rng, done=status in ("shipped", "rolled-back"))
    pr = rng.randint(100, 99999)
    data["links"] = [{"title": "Pull request", "url": f"https://git.example.com/pr/{pr}"}]
    data["commit"] = f"{rng.getrandbits(40):010x}"
    others = [r.key for r in rng.sample(records, min(3, len(records))) if r.key != plan.key]
    data["related"] = others[: rng.randint(0, 2)]
    body = sections(rng, topic)
    run = "\n".join(data.get("commands", ["# not run yet"]))
    body.insert(min(2, len(body)), f"```sh\n{run}\n```")
    return page(data, blank_separated(body))


def _describe(plan: Plan, rng: random.Random) -> dict[str, Any]:
    topic = plan.topic
    name, unit, better, before = topic.metric
    problem = topic.problem[0].upper() + topic.problem[1:]
    return {
        "title": plan.title,
        "date": plan.date,
        "owner": rng.choice(vocab.OWNERS),
        "status": plan.status,
        "area": topic.area,
        "tags": rng.sample(vocab.TAGS, rng.randint(1, 3)),
        "reason": f"{problem} in the {topic.area} ({topic.stack[0]}): {name} was "
        f"{before:g} {unit}, and users noticed it first.",
        "expected_result": f"{name} {'below' if better == 'lower' else 'above'} the old value, "
        f"seen in {topic.tool}.",
    }


def _files(rng: random.Random, topic: Topic, slug: str) -> list[str]:
    choices = (
        f"db/migrations/{rng.randint(1, 9999):04d}_{slug}.sql",
        f"services/{slug}/handlers.py",
        f"config/{slug_of(topic.stack[0])}.yml",
        f"charts/{slug}/values.yaml",
        f"web/src/{slug}/page.tsx",
    )
    return rng.sample(choices, rng.randint(1, 3))


def _metrics(rng: random.Random, topic: Topic, *, worse: bool) -> list[dict[str, Any]]:
    """The topic's metric and up to two more; a rolled-back change made them worse."""
    out: list[dict[str, Any]] = []
    for name, unit, better, base in [topic.metric, *rng.sample(vocab.METRICS, rng.randint(0, 2))]:
        if any(m["name"] == name for m in out):
            continue
        before = round(base * rng.uniform(0.7, 1.3), 1)
        ratio = rng.uniform(0.3, 0.9)
        after = before * ratio if (better == "lower") != worse else before / ratio
        after = round(min(after, 99.9) if unit == "%" else after, 1)
        out.append({"name": name, "before": before, "after": after, "unit": unit, "better": better})
    return out
