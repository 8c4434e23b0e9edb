"""Metric trends: every metric name that more than one record measured, with its points."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .slugs import unique_slugs

if TYPE_CHECKING:
    import datetime as dt
    from collections.abc import Iterable

    from ..loader import Record
    from ..models import Metric

__all__ = ["MetricPoint", "MetricTrend", "build_trends", "metric_key"]


def metric_key(name: str) -> str:
    """Names that differ only in case or spacing are one metric ("P95  Latency" = "p95 latency")."""
    return " ".join(name.split()).casefold()


@dataclass(frozen=True, slots=True)
class MetricPoint:
    """One measurement: a record's before and after values of the metric."""

    record: Record
    metric: Metric

    @property
    def date(self) -> dt.date:
        return self.record.meta.date


@dataclass(frozen=True, slots=True)
class MetricTrend:
    """A metric measured by several records; ``points`` oldest first, as the chart reads."""

    key: str
    name: str  # as the newest record spells it
    slug: str
    points: tuple[MetricPoint, ...]

    @property
    def units(self) -> list[str]:
        """The units the records used, most recent spelling first, each once."""
        return list(dict.fromkeys(p.metric.unit.strip() for p in reversed(self.points)))

    @property
    def better(self) -> list[str]:
        """The ``better`` directions the records gave, newest first, each once."""
        return list(dict.fromkeys(p.metric.better for p in reversed(self.points)))

    @property
    def record_count(self) -> int:
        return len({p.record.id for p in self.points})


def build_trends(records: Iterable[Record]) -> dict[str, MetricTrend]:
    """Trends keyed by ``metric_key``, for names found in more than one record.

    ``records`` come newest first; within a day, points keep the records' order by id.
    """
    found: dict[str, list[MetricPoint]] = {}
    names: dict[str, str] = {}
    for rec in records:
        for metric in rec.meta.metrics:
            key = metric_key(metric.name)
            names.setdefault(key, " ".join(metric.name.split()))
            found.setdefault(key, []).append(MetricPoint(rec, metric))
    keys = sorted(
        (k for k, points in found.items() if len({p.record.id for p in points}) > 1),
        key=lambda k: (k, names[k]),
    )
    slugs = unique_slugs(keys)
    return {
        key: MetricTrend(
            key=key,
            name=names[key],
            slug=slugs[key],
            points=tuple(sorted(found[key], key=lambda p: (p.date, p.record.id))),
        )
        for key in keys
    }
