"""Write a new change record from a template (``changetrail new``)."""

from __future__ import annotations

import json
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from .catalog import make_slug
from .errors import ChangetrailError
from .models import Status

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

__all__ = ["NewRecord", "git_files", "git_owner", "render_new_record", "write_new_record"]


class RecordExistsError(ChangetrailError):
    """The record file already exists and --force was not given."""


@dataclass(frozen=True, slots=True)
class NewRecord:
    """What ``changetrail new`` knows before it writes the file."""

    title: str
    owner: str
    date: dt.date
    status: Status = Status.SHIPPED
    area: str | None = None
    tags: tuple[str, ...] = ()
    files_touched: tuple[str, ...] = ()
    commit: str | None = None
    checklist: tuple[str, ...] = field(default_factory=tuple)

    @property
    def filename(self) -> str:
        return f"{self.date.isoformat()}-{make_slug(self.title)}.md"


def _q(value: str) -> str:
    """A YAML scalar that reads back as exactly ``value`` (JSON strings are valid YAML)."""
    return json.dumps(value, ensure_ascii=False)


def render_new_record(new: NewRecord) -> str:
    """The text of a new record: every field present, placeholders marked TODO.

    ``changetrail check`` reports each TODO that is left, so a template cannot be published
    unfilled by mistake.
    """
    lines = [
        "---",
        f"title: {_q(new.title)}",
        f"date: {new.date.isoformat()}",
        f"owner: {_q(new.owner)}",
        "# draft | planned | in-progress | shipped | rolled-back | abandoned",
        f"status: {new.status.value}",
    ]
    if new.area:
        lines.append(f"area: {_q(new.area)}")
    if new.tags:
        lines.append("tags: [" + ", ".join(_q(t) for t in new.tags) + "]")
    lines += [
        "reason: |",
        "  TODO: why was this change needed? What did the system do before: the route, the",
        "  input, the slow query or failing command, and where users noticed.",
        "expected_result: |",
        "  TODO: what should be true once this is live, and how to see it.",
        "files_touched:",
    ]
    if new.files_touched:
        lines += [f"  - {_q(p)}" for p in new.files_touched]
    else:
        lines.append('  - "TODO: path/from/the/repository/root"')
    lines += [
        "commands:",
        '  - "TODO: the command you ran"',
        "metrics:",
        '  - name: "TODO: what you measured, e.g. p95 latency"',
        "    before: 0",
        "    after: 0",
        "    unit: ms",
        "    better: lower   # or higher",
        "rollback:",
        '  note: "TODO: how to undo this, and what to watch while doing it"',
        '  command: "TODO: the command that undoes it (or remove this line)"',
        "  tested: false",
    ]
    if new.commit:
        lines.append(f"commit: {_q(new.commit)}")
    lines.append("checklist:")
    lines += [f"  - todo: {_q(item)}" for item in new.checklist]
    lines += [
        "links: []",
        "related: []",
        "---",
        "",
        "<!-- Write anything else below: what you tried first, what surprised you, follow-ups.",
        "     This comment is not published. -->",
        "",
    ]
    return "\n".join(lines)


def render_new_article(new: NewRecord) -> str:
    """The text of a new article: the post-meta fields, revision draft, the default checklist."""
    lines = [
        "---",
        "kind: article",
        f"title: {_q(new.title)}",
        f"date: {new.date.isoformat()}",
        f"owner: {_q(new.owner)}",
        '  # the subject in a few words, e.g. "background jobs / django"',
        'topic: "TODO: the subject"',
        "summary: |",
        "  TODO: two or three sentences a reader sees first.",
        "outline: []",
        "stack: []        # e.g. [django, postgres]",
        "tools: []        # e.g. [celery, git]",
        "difficulty: intermediate   # beginner | intermediate | advanced",
        "revision:",
        "  status: draft   # draft | reviewed | needs-review",
        "  version: 0.1.0",
    ]
    if new.tags:
        lines.append("tags: [" + ", ".join(_q(t) for t in new.tags) + "]")
    lines.append("checklist:")
    lines += [f"  - todo: {_q(item)}" for item in new.checklist]
    lines += ["---", "", f"# {new.title}", "", "TODO: write the article.", ""]
    return "\n".join(lines).replace("\n  # the subject", "\n# the subject")


def write_new_record(
    folder: Path, new: NewRecord, *, force: bool = False, article: bool = False
) -> Path:
    """Write the record (or article) into ``folder``; refuse to replace a file unless ``force``."""
    name = f"{make_slug(new.title)}.md" if article else new.filename
    path = folder / name
    if path.exists() and not force:
        raise RecordExistsError(
            f"{path} already exists; nothing was written. "
            "Edit that file, choose another title, or pass --force to replace it."
        )
    folder.mkdir(parents=True, exist_ok=True)
    text = render_new_article(new) if article else render_new_record(new)
    # Write beside the target and rename, so an interrupted write never leaves half a file.
    tmp = path.with_name(f".{path.name}.tmp")
    tmp.write_text(text, encoding="utf-8")
    tmp.replace(path)
    return path


def _git(args: list[str], cwd: Path) -> str | None:
    try:
        out = subprocess.run(
            ["git", *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=30
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return out.stdout


def git_owner(cwd: Path) -> str | None:
    """``git config user.name``, or the e-mail when no name is set."""
    for key in ("user.name", "user.email"):
        value = (_git(["config", key], cwd) or "").strip()
        if value:
            return value
    return None


def git_files(cwd: Path, commit: str | None) -> tuple[list[str], str | None]:
    """Files of a commit (and its full hash), or the staged files when ``commit`` is None.

    Raises:
        ChangetrailError: the commit does not resolve.
    """
    if commit is None:
        out = _git(["diff", "--cached", "--name-only", "-z"], cwd)
        return sorted(p for p in (out or "").split("\0") if p), None
    sha = _git(["rev-parse", "--verify", "--quiet", f"{commit}^{{commit}}"], cwd)
    if not sha:
        raise ChangetrailError(f"--from-commit: '{commit}' is not a commit in this repository")
    sha = sha.strip()
    out = _git(["diff-tree", "--root", "--no-commit-id", "--name-only", "-r", "-z", sha], cwd)
    return sorted(p for p in (out or "").split("\0") if p), sha
