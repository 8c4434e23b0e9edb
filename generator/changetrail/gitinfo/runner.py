"""The one place that runs git: argument lists, never a shell, always a timeout.

Every other module of ``gitinfo`` calls ``runner.run_git`` (through the module, so that tests can
count the calls), and gets a ``GitOutput`` value back instead of an exception.
"""

from __future__ import annotations

import os
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["DEFAULT_TIMEOUT", "GitOutput", "RepoInfo", "locate_repo", "run_git"]

#: Seconds one git command may take; a full-history ``git log`` of a large repository is the
#: slowest call we make.
DEFAULT_TIMEOUT = 120.0


@dataclass(frozen=True, slots=True)
class GitOutput:
    """What one git command printed, or why it did not work."""

    ok: bool
    stdout: bytes = b""
    error: str = ""  # the first line git wrote to stderr, or why git could not run


@dataclass(frozen=True, slots=True)
class RepoInfo:
    """Where the work tree's top level is, and whether its history is cut short."""

    toplevel: Path
    shallow: bool


def run_git(
    args: Sequence[str],
    cwd: Path,
    *,
    stdin: bytes | None = None,
    timeout: float = DEFAULT_TIMEOUT,
) -> GitOutput:
    """Run ``git <args>`` in ``cwd`` and capture its output; never raises for git's failures.

    Args:
        args: the arguments after ``git``.
        cwd: the folder to run in.
        stdin: bytes for git's standard input (``--batch-check``, ``--stdin``); none by default.
        timeout: seconds before git is stopped.

    Returns:
        The output when git exits 0, otherwise ``ok=False`` with git's first error line.
    """
    # Read-only commands must not take the index lock that a concurrent `git commit` needs.
    env = {**os.environ, "GIT_OPTIONAL_LOCKS": "0", "GIT_TERMINAL_PROMPT": "0"}
    try:
        proc = subprocess.run(  # a fixed program and an argument list: no shell
            ["git", *args],
            cwd=cwd,
            input=stdin if stdin is not None else b"",
            capture_output=True,
            timeout=timeout,
            check=False,
            env=env,
        )
    except FileNotFoundError:
        return GitOutput(ok=False, error="git is not installed (no 'git' program on PATH)")
    except subprocess.TimeoutExpired:
        return GitOutput(ok=False, error=f"'git {args[0]}' took longer than {timeout:g} s")
    except OSError as exc:
        return GitOutput(ok=False, error=f"cannot run git: {exc.strerror or exc}")
    if proc.returncode != 0:
        return GitOutput(ok=False, stdout=proc.stdout, error=_first_line(proc.stderr))
    return GitOutput(ok=True, stdout=proc.stdout)


def _first_line(stderr: bytes) -> str:
    for line in stderr.decode("utf-8", "replace").splitlines():
        if line.strip():
            return line.strip().removeprefix("fatal: ")
    return "git failed without saying why"


def locate_repo(folder: Path, *, timeout: float = DEFAULT_TIMEOUT) -> RepoInfo | str:
    """Find the work tree that holds ``folder``; say why not when there is none.

    Returns:
        The top level and shallowness, or a sentence such as "not a git repository".
    """
    if not folder.is_dir():
        return f"{folder} is not a folder"
    out = run_git(
        ["rev-parse", "--is-shallow-repository", "--show-toplevel"], folder, timeout=timeout
    )
    if not out.ok:
        return out.error
    lines = out.stdout.decode("utf-8", "surrogateescape").splitlines()
    if len(lines) < 2 or not lines[1]:
        return "git did not name the repository's top folder"
    return RepoInfo(toplevel=Path(lines[1]), shallow=lines[0].strip() == "true")
