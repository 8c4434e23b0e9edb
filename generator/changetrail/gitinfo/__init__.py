"""Git truth: dates and authors of files, and records checked against the repository.

Every git command of changetrail's checks runs through ``runner.run_git``: an argument list,
never a shell, always with a timeout. The rest is pure parsing and judging.
"""

from __future__ import annotations

from .facts import resolve_commits
from .history import SHALLOW_WARNING, Change, FileHistory, History, parse_log, read_history
from .truth import check_git
from .weblinks import Forge, guess_forge, repo_links

__all__ = [
    "SHALLOW_WARNING",
    "Change",
    "FileHistory",
    "Forge",
    "History",
    "check_git",
    "guess_forge",
    "parse_log",
    "read_history",
    "repo_links",
    "resolve_commits",
]
