"""loader: which files are records, and reading them safely."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from changetrail import loader
from changetrail.loader import (
    MAX_FILE_BYTES,
    Record,
    discover,
    display_path,
    load_all,
    load_record,
    record_id,
)
from conftest import Raw, field_line, record, write_files


def names(root: Path, found: list[Path]) -> list[str]:
    return [p.relative_to(root).as_posix() for p in found]


def test_discover_lists_markdown_records_sorted_and_skips_the_rest(tmp_path: Path) -> None:
    changes = tmp_path / "changes"
    write_files(
        changes,
        {
            "2024-03-04-b.md": "x",
            "2024-03-01-a.md": "x",
            "db/2024-02-01-c.md": "x",
            "db/deeper/2024-01-01-d.md": "x",
            "README.md": "about this folder",
            "readme.md": "about this folder",
            "index.md": "x",
            "db/Index.MD": "x",
            ".hidden.md": "x",
            ".drafts/2024-01-01-e.md": "x",
            "_template.md": "x",
            "_partials/f.md": "x",
            "notes.txt": "x",
            "record.markdown": "x",
            "record.md.bak": "x",
        },
    )
    assert names(changes, discover(changes)) == [
        "2024-03-01-a.md",
        "2024-03-04-b.md",
        "db/2024-02-01-c.md",
        "db/deeper/2024-01-01-d.md",
    ]


def test_discover_of_a_missing_folder_is_empty(tmp_path: Path) -> None:
    assert discover(tmp_path / "nope") == []


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_leaving_the_folder_are_not_read(tmp_path: Path) -> None:
    changes = tmp_path / "changes"
    write_files(tmp_path, {"secret/passwd.md": "x", "changes/2024-01-01-a.md": "x"})
    (changes / "leak.md").symlink_to(tmp_path / "secret" / "passwd.md")
    (changes / "leakdir").symlink_to(tmp_path / "secret", target_is_directory=True)
    (changes / "dangling.md").symlink_to(tmp_path / "missing.md")
    (changes / "alias.md").symlink_to(changes / "2024-01-01-a.md")  # inside: read once
    assert names(changes, discover(changes)) == ["2024-01-01-a.md"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_a_symlink_inside_the_folder_is_read(tmp_path: Path) -> None:
    changes = tmp_path / "changes"
    write_files(changes, {"real/2024-01-01-a.md": "x"})
    (changes / "2024-02-02-link.md").symlink_to(changes / "real" / "2024-01-01-a.md")
    found = discover(changes)
    assert len(found) == 1


def test_oversized_file_is_refused_before_it_is_parsed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    big = tmp_path / "changes" / "big.md"
    big.parent.mkdir()
    big.write_bytes(b"---\n" + b"a" * MAX_FILE_BYTES + b"\n---\n")

    def never(*args: object, **kwargs: object) -> None:
        raise AssertionError("an oversized file must not be read or parsed")

    monkeypatch.setattr(loader, "decode", never)
    monkeypatch.setattr(loader, "split", never)
    monkeypatch.setattr(Path, "read_bytes", never)
    result = load_record(big, tmp_path)
    assert isinstance(result, list)
    [err] = result
    assert (err.code, err.file, err.line) == ("file.too_large", "changes/big.md", None)
    assert err.message == (f"file is {MAX_FILE_BYTES + 9:,} bytes; the limit is {MAX_FILE_BYTES:,}")


def test_a_file_just_under_the_limit_is_read(tmp_path: Path) -> None:
    text = record(body="")
    padding = MAX_FILE_BYTES - len(text.encode())
    path = tmp_path / "changes" / "2024-01-01-a.md"
    write_files(tmp_path, {"changes/2024-01-01-a.md": text + "x" * padding})
    assert path.stat().st_size == MAX_FILE_BYTES
    assert isinstance(load_record(path, tmp_path), Record)


def test_unreadable_file_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    # A folder named like a record cannot be read as a file, even by root.
    path = tmp_path / "changes" / "2024-01-01-a.md"
    path.mkdir(parents=True)
    result = load_record(path, tmp_path)
    assert isinstance(result, list)
    assert [(e.code, e.file) for e in result] == [("file.unreadable", "changes/2024-01-01-a.md")]


def test_load_record_gives_id_path_meta_and_body(tmp_path: Path) -> None:
    write_files(tmp_path, {"changes/db/2024-03-04-Orders.md": record(body="Hello\n")})
    result = load_record(tmp_path / "changes/db/2024-03-04-Orders.md", tmp_path)
    assert isinstance(result, Record)
    assert result.id == "2024-03-04-Orders"
    assert result.path == "changes/db/2024-03-04-Orders.md"
    assert result.body == "Hello\n"
    assert result.meta.owner == "alice"


@pytest.mark.parametrize(
    ("prefix", "newline"),
    [("", "\n"), ("\ufeff", "\n"), ("", "\r\n"), ("\ufeff", "\r\n"), ("", "\r")],
    ids=["lf", "bom", "crlf", "bom-crlf", "cr"],
)
def test_line_numbers_are_the_same_whatever_the_line_ends(
    tmp_path: Path, prefix: str, newline: str
) -> None:
    text = prefix + record(status="done", owner=Raw("12:30")).replace("\n", newline)
    write_files(tmp_path, {"changes/a.md": text.encode("utf-8")})
    result = load_record(tmp_path / "changes/a.md", tmp_path)
    assert isinstance(result, list)
    assert [(e.field, e.line, e.column) for e in result] == [
        ("owner", field_line("owner"), 8),
        ("status", field_line("status"), 9),
    ]


def test_load_all_collects_every_record_and_every_problem(tmp_path: Path) -> None:
    write_files(
        tmp_path,
        {
            "changes/2024-01-01-a.md": record(),
            "changes/2024-01-02-b.md": "",
            "changes/2024-01-03-c.md": record(status="done"),
            "changes/2024-01-04-d.md": b"\xff\xfe\x00",
            "changes/2024-01-05-e.md": record(title="Second"),
        },
    )
    result = load_all(discover(tmp_path / "changes"), tmp_path)
    assert result.files == 5
    assert [r.id for r in result.records] == ["2024-01-01-a", "2024-01-05-e"]
    assert [(e.file, e.code) for e in result.errors] == [
        ("changes/2024-01-02-b.md", "empty"),
        ("changes/2024-01-03-c.md", "enum"),
        ("changes/2024-01-04-d.md", "encoding"),
    ]


def test_record_id_and_display_path(tmp_path: Path) -> None:
    assert record_id(Path("changes/2024-01-01-a.b.md")) == "2024-01-01-a.b"
    assert display_path(tmp_path / "changes" / "a.md", tmp_path) == "changes/a.md"
    assert display_path(Path("/elsewhere/a.md"), tmp_path) == "/elsewhere/a.md"
