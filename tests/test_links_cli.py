"""`changetrail check --links`: a real build, each broken link reported at its source line."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest
from click.testing import CliRunner

from changetrail.cli import cli
from conftest import record

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import MakeSite

pytestmark = pytest.mark.build


def run(root: Path, monkeypatch: pytest.MonkeyPatch, *args: str) -> Any:
    monkeypatch.chdir(root)
    return CliRunner().invoke(cli, ["check", "--no-git", *args])


def test_broken_links_are_reported_at_their_source_line(
    make_site: MakeSite, monkeypatch: pytest.MonkeyPatch
) -> None:
    body = "See [the guide](../docs/guide.md#setup) and [nothing](../docs/nope.md).\n"
    root = make_site(
        {
            "changes/2024-03-04-a.md": record() + body,
            "docs/guide.md": "# Guide\n\n## Install\n",
        }
    )
    clean = run(root, monkeypatch)
    assert clean.exit_code == 0
    result = run(root, monkeypatch, "--links")
    assert result.exit_code == 1
    lines = [line for line in result.stdout.splitlines() if line.startswith("changes/")]
    assert [line.split(": ")[0] for line in lines] == [
        "changes/2024-03-04-a.md:14:17",
        "changes/2024-03-04-a.md:14:55",
    ]
    assert sorted(
        e["code"] for e in json.loads(run(root, monkeypatch, "--links", "--format", "json").stdout)
    ) == ["link.anchor", "link.not_found"]
