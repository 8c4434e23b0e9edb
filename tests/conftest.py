"""Shared fixtures: a tmp_path site factory, a record builder and a real MkDocs build.

``make_site({...})`` writes a small project (mkdocs.yml, docs/index.md and whatever is given),
``record(...)`` writes the text of a valid change record with predictable line numbers, and
``mkdocs_build(root)`` runs MkDocs the way ``mkdocs build`` does, in-process.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from hypothesis import settings as hypothesis_settings

# Material 9.7+ prints a banner about MkDocs 2.0 on import unless this is set; set it before any
# test module imports MkDocs or the theme.
os.environ["NO_MKDOCS_2_WARNING"] = "1"

if TYPE_CHECKING:
    from mkdocs.config.defaults import MkDocsConfig

# No per-example deadline: CI machines are slower than laptops, and a slow example is not a bug.
hypothesis_settings.register_profile("changetrail", deadline=None, print_blob=True)
hypothesis_settings.load_profile("changetrail")

#: The fixed "today" of tests that depend on the date, so they never start failing on their own.
TODAY = dt.date(2026, 1, 15)

DEFAULT_MKDOCS_YML = """\
site_name: Test site
theme:
  name: material
plugins:
  - search
  - changetrail
"""

DEFAULT_INDEX_MD = "# Home\n\nWelcome.\n"

SiteFiles = Mapping[str, str | bytes]
MakeSite = Callable[..., Path]


class Raw(str):
    """A value that ``record()`` writes verbatim after ``name: `` (for YAML-1.1 surprises)."""

    __slots__ = ()


class _Omit:
    def __repr__(self) -> str:
        return "OMIT"


#: Pass as a field's value to ``record()`` to leave the field out.
OMIT: Any = _Omit()

#: The fields of ``record()`` in the order they are written, one per line from line 2 on.
DEFAULT_FIELDS: dict[str, Any] = {
    "title": "Add index on orders.created_at",
    "date": dt.date(2024, 3, 4),
    "owner": "alice",
    "status": "shipped",
    "reason": "Listing orders by date scanned the whole orders table.",
    "expected_result": "The orders page loads in under 100 ms.",
    "files_touched": ["db/migrations/0042_orders_created_at.sql"],
    "commands": ["make migrate"],
    "metrics": [
        {"name": "p95 latency", "before": 820, "after": 95, "unit": "ms", "better": "lower"}
    ],
    "rollback": {"note": "Drop the index.", "command": "make migrate-down", "tested": True},
}


def _yaml_value(value: Any) -> str:
    if isinstance(value, Raw):
        return str(value)
    if isinstance(value, dt.date):
        return value.isoformat()
    # JSON is YAML's flow style: one line per field, every string quoted, nothing re-typed.
    return json.dumps(value, ensure_ascii=False, default=str)


def record(body: str = "Some notes.\n", **fields: Any) -> str:
    """Return the text of a valid change record, with ``fields`` overriding the defaults.

    Every field is written on one line (``name: <JSON>``), in the order of ``DEFAULT_FIELDS``
    followed by new fields in the order given, so the n-th field sits on line n + 1. A value
    of ``OMIT`` leaves the field out; a ``Raw`` value is written as it is.
    """
    merged = dict(DEFAULT_FIELDS)
    merged.update(fields)
    lines = ["---"]
    lines += [f"{name}: {_yaml_value(v)}" for name, v in merged.items() if v is not OMIT]
    lines += ["---", ""]
    return "\n".join(lines) + body


def field_line(name: str, **fields: Any) -> int:
    """The line on which ``record(**fields)`` writes ``name``."""
    merged = dict(DEFAULT_FIELDS)
    merged.update(fields)
    names = [n for n, v in merged.items() if v is not OMIT]
    return names.index(name) + 2


def write_files(root: Path, files: SiteFiles) -> None:
    """Write ``files`` (relative path -> text or bytes) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content, encoding="utf-8", newline="")


@pytest.fixture
def make_site(tmp_path: Path) -> MakeSite:
    """A factory: ``make_site({"changes/a.md": text, ...})`` writes a project and returns its root.

    ``mkdocs.yml`` and ``docs/index.md`` get defaults unless given. Call it more than once with
    ``name=`` for several projects in one test.
    """

    def make(files: SiteFiles | None = None, *, name: str = "project") -> Path:
        root = tmp_path / name
        root.mkdir(parents=True, exist_ok=True)
        given = dict(files or {})
        given.setdefault("mkdocs.yml", DEFAULT_MKDOCS_YML)
        given.setdefault("docs/index.md", DEFAULT_INDEX_MD)
        write_files(root, given)
        return root

    return make


def load_mkdocs_config(root: Path, **options: Any) -> MkDocsConfig:
    from mkdocs.config import load_config

    return load_config(str(root / "mkdocs.yml"), **options)


def mkdocs_build(root: Path, *, strict: bool = False) -> Path:
    """Build the site at ``root`` as ``mkdocs build`` would; return the site folder.

    Follows mkdocstrings' ``test_plugin``: load_config, startup, build, shutdown.
    """
    from mkdocs.commands.build import build

    config = load_mkdocs_config(root, strict=strict)
    config.plugins.on_startup(command="build", dirty=False)
    try:
        build(config)
    finally:
        config.plugins.on_shutdown()
    return Path(config.site_dir)


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--update-goldens",
        action="store_true",
        default=False,
        help="Rewrite the expected parts of golden files from the current output.",
    )


@pytest.fixture
def update_goldens(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-goldens"))


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    # "No tests collected" must never pass silently (a typo in a path, a broken conftest).
    if exitstatus == pytest.ExitCode.NO_TESTS_COLLECTED:
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


@contextlib.contextmanager
def serving(root: Path) -> Iterator[tuple[str, subprocess.Popen[bytes]]]:
    """A real ``changetrail serve`` in ``root`` on a free port: (its base URL, the process)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = int(sock.getsockname()[1])
    proc = subprocess.Popen(
        [sys.executable, "-m", "changetrail", "serve", "-a", f"127.0.0.1:{port}"],
        cwd=root,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        yield f"http://127.0.0.1:{port}", proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)
