"""Where a build's time goes: stage timings for ``--profile`` and progress for long builds.

Plain data and the clock; nothing here knows MkDocs. The plugin opens a ``Timeline`` per build,
times its stages, and the CLI prints ``Timeline.report()``.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager

__all__ = ["Progress", "Timeline"]

Clock = Callable[[], float]


class Timeline:
    """Seconds per named stage, in the order the stages first ran, plus free-form notes."""

    def __init__(self, clock: Clock = time.perf_counter) -> None:
        self.clock = clock
        self.started = clock()
        self.seconds: dict[str, float] = {}
        self.notes: list[tuple[str, str]] = []
        self._mark = self.started

    @contextmanager
    def stage(self, name: str) -> Iterator[None]:
        """Time the ``with`` block as ``name`` (repeated stages add up)."""
        start = self.clock()
        try:
            yield
        finally:
            self.add(name, self.clock() - start)

    def add(self, name: str, seconds: float) -> None:
        self.seconds[name] = self.seconds.get(name, 0.0) + seconds

    def mark(self, name: str | None = None) -> None:
        """End a phase: the time since the last mark goes to ``name`` (or is dropped)."""
        now = self.clock()
        if name is not None:
            self.add(name, now - self._mark)
        self._mark = now

    def note(self, label: str, text: str) -> None:
        self.notes.append((label, text))

    def report(self, total: float | None = None) -> str:
        """A table of stages with seconds and shares, then the notes."""
        total = total if total is not None else self.clock() - self.started
        width = max((len(n) for n in self.seconds), default=5)
        width = max(width, 35)
        lines = [f"{'stage':<{width}}  {'seconds':>8}  {'share':>6}"]
        for name, secs in self.seconds.items():
            share = f"{100 * secs / total:5.1f}%" if total > 0 else "     -"
            lines.append(f"{name:<{width}}  {secs:8.2f}  {share:>6}")
        other = total - sum(self.seconds.values())
        if other > 0.005:
            label = "other (start-up, MkDocs' own steps)"
            lines.append(f"{label:<{width}}  {other:8.2f}  {100 * other / total:5.1f}%")
        lines.append(f"{'total':<{width}}  {total:8.2f}")
        lines += [f"{label}: {text}" for label, text in self.notes]
        return "\n".join(lines)


class Progress:
    """Counts steps and calls ``emit`` with 'label 4,000/10,000 (40%)' now and then.

    Silent for the first ``after`` seconds, so short builds print nothing; then at most one
    line every ``every`` seconds, and a last line when the count reaches the total.
    """

    def __init__(
        self,
        label: str,
        total: int,
        emit: Callable[[str], None],
        *,
        after: float = 2.0,
        every: float = 5.0,
        clock: Clock = time.perf_counter,
    ) -> None:
        self.label = label
        self.total = total
        self.emit = emit
        self.after = after
        self.every = every
        self.clock = clock
        self.count = 0
        self.started = clock()
        self._last: float | None = None

    def step(self) -> None:
        self.count += 1
        now = self.clock()
        if now - self.started < self.after:
            return
        done = self.count >= self.total
        if done and self._last is None:
            return  # finished soon after the threshold; nothing worth a line
        if done or self._last is None or now - self._last >= self.every:
            self._last = now
            pct = 100 * self.count // max(self.total, 1)
            self.emit(f"{self.label} {self.count:,}/{self.total:,} ({pct}%)")
