"""Progress for Markdown task lists (``- [x] done``) in rendered HTML."""

from __future__ import annotations

import re

__all__ = ["add_task_progress"]

_OPEN = re.compile(r'<ul class="task-list">')
_TAG = re.compile(r"<(/?)ul\b")
_BOX = re.compile(r'<input\b[^>]*type="checkbox"[^>]*>')


def add_task_progress(html: str) -> str:
    """Put "N of M done" with a progress bar before every top-level task list."""
    out: list[str] = []
    pos = 0
    for match in _OPEN.finditer(html):
        if match.start() < pos:
            continue  # nested inside a list already handled
        end = _closing(html, match.start())
        block = html[match.start() : end]
        boxes = _BOX.findall(block)
        done = sum("checked" in box for box in boxes)
        out.append(html[pos : match.start()])
        out.append(
            f'<p class="ct-progress"><progress value="{done}" max="{len(boxes)}"></progress> '
            f"{done} of {len(boxes)} done</p>\n"
        )
        out.append(block)
        pos = end
    out.append(html[pos:])
    return "".join(out)


def _closing(html: str, start: int) -> int:
    depth = 0
    for tag in _TAG.finditer(html, start):
        depth += -1 if tag.group(1) else 1
        if depth == 0:
            close = html.find(">", tag.end())
            return close + 1 if close != -1 else len(html)
    return len(html)
