"""synth: a deterministic, valid, linked corpus that builds as a site."""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import re
from typing import TYPE_CHECKING, Any

import pytest
import yaml

from changetrail.article import Article, word_count
from changetrail.frontmatter import Frontmatter, split
from changetrail.loader import discover, load_all
from changetrail.pipeline import load_project
from changetrail.settings import Settings
from changetrail.synth import MARKER, SynthTargetError, synth
from conftest import mkdocs_build

if TYPE_CHECKING:
    from pathlib import Path

#: The day the corpus is checked against: after every generated date.
TODAY = dt.date(2026, 11, 28)


def tree_hashes(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


def frontmatter(path: Path) -> Frontmatter:
    fm = split(path.read_text(encoding="utf-8"), path.as_posix())
    assert isinstance(fm, Frontmatter), fm
    return fm


def articles(out: Path) -> list[Path]:
    return sorted((out / "docs" / "articles").glob("*.md"))


def records(out: Path) -> list[Path]:
    return sorted((out / "changes").glob("*.md"))


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One mixed corpus of 120 pages, shared by the read-only tests."""
    out = tmp_path_factory.mktemp("synth") / "site"
    synth(120, 42, out)
    return out


def test_same_arguments_give_byte_identical_trees(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a", tmp_path / "b", tmp_path / "c"
    report = synth(60, 7, a)
    synth(60, 7, b)
    synth(60, 8, c)
    assert tree_hashes(a) == tree_hashes(b)
    assert len(tree_hashes(a)) == report.files == 60 + 3  # mkdocs.yml, index.md, marker
    assert tree_hashes(a) != tree_hashes(c)


def test_rerunning_into_the_same_folder_changes_nothing(tmp_path: Path) -> None:
    out = tmp_path / "site"
    synth(30, 1, out)
    before = tree_hashes(out)
    synth(30, 1, out)
    assert tree_hashes(out) == before


def test_every_article_validates_and_every_record_loads(corpus: Path) -> None:
    assert len(articles(corpus)) == 60
    for path in articles(corpus):
        fm = frontmatter(path)
        assert fm.data["kind"] == "article"
        Article.model_validate(fm.data)
    loaded = load_all(discover(corpus / "changes"), corpus)
    assert loaded.errors == []
    assert len(loaded.records) == 60


def test_the_project_has_no_problems(corpus: Path) -> None:
    project = load_project(corpus, Settings(), today=TODAY)
    assert project.errors == ()
    assert len(project.catalog.records) == 60


@pytest.mark.parametrize(
    ("kind", "n", "n_articles", "n_records"),
    [("mixed", 7, 3, 4), ("articles", 5, 5, 0), ("changes", 5, 0, 5), ("mixed", 0, 0, 0)],
)
def test_n_and_kind_are_respected(
    tmp_path: Path, kind: Any, n: int, n_articles: int, n_records: int
) -> None:
    report = synth(n, 3, tmp_path / "out", kind)
    assert (report.articles, report.records) == (n_articles, n_records)
    assert len(articles(tmp_path / "out")) == n_articles
    assert len(records(tmp_path / "out")) == n_records
    assert load_project(tmp_path / "out", Settings(), today=TODAY).errors == ()


def test_ids_and_slugs_are_unique_ignoring_case(tmp_path: Path) -> None:
    # Few templates, many pages: titles repeat and must still give distinct files.
    out = tmp_path / "out"
    synth(1500, 5, out)
    for names in ([p.name for p in articles(out)], [p.name for p in records(out)]):
        assert len({n.lower() for n in names}) == len(names) == 750
    references = [frontmatter(p).data["reference"] for p in articles(out)]
    assert len(set(references)) == len(references)


def test_statuses_vary_and_each_has_the_fields_it_needs(corpus: Path) -> None:
    by_status: dict[str, list[dict[str, Any]]] = {}
    for path in records(corpus):
        data = frontmatter(path).data
        by_status.setdefault(data["status"], []).append(data)
    assert set(by_status) == {"shipped", "rolled-back", "in-progress", "planned", "abandoned"}
    for data in by_status["shipped"] + by_status["rolled-back"]:
        assert data["files_touched"]
        assert data["commands"]
        assert data["metrics"]
        assert data["rollback"]
    for data in by_status["planned"]:
        assert data["rollback"]["note"]
        assert data["date"] <= dt.date(2026, 1, 1)


def test_bodies_are_realistic_in_size(corpus: Path) -> None:
    sizes = [word_count(frontmatter(p).body) for p in articles(corpus) + records(corpus)]
    assert min(sizes) >= 300
    assert max(sizes) <= 1500
    assert max(sizes) - min(sizes) > 500  # varied, not one length


def test_review_dates_span_years_and_some_are_stale(corpus: Path) -> None:
    reviewed = [frontmatter(p).data["revision"]["last_reviewed"] for p in articles(corpus)]
    assert len({d.year for d in reviewed}) >= 4
    assert any((TODAY - d).days > 365 for d in reviewed)
    assert all(d < TODAY for d in reviewed)


def test_cross_links_point_at_generated_pages(corpus: Path) -> None:
    record_ids = {p.stem for p in records(corpus)}
    article_slugs = {p.stem for p in articles(corpus)}
    related = [r for p in records(corpus) for r in frontmatter(p).data.get("related", [])]
    assert related
    assert set(related) <= record_ids
    to_articles: list[str] = []
    to_records: list[str] = []
    for path in articles(corpus):
        for target in re.findall(r"\]\(([^)]+\.md)\)", frontmatter(path).body):
            if target.startswith("../changes/"):
                to_records.append(target.removeprefix("../changes/").removesuffix(".md"))
            else:
                to_articles.append(target.removesuffix(".md"))
    assert to_articles
    assert to_records
    assert set(to_articles) <= article_slugs
    assert set(to_records) <= record_ids


def test_mkdocs_yml_is_a_complete_site_without_pages_in_nav(corpus: Path) -> None:
    config = yaml.safe_load((corpus / "mkdocs.yml").read_text(encoding="utf-8"))
    assert config["theme"]["name"] == "material"
    assert config["plugins"] == ["search", "changetrail"]
    assert config["nav"] == [{"Home": "index.md"}, {"Change log": "changes/index.md"}]
    assert (corpus / "docs" / "index.md").is_file()
    assert (corpus / MARKER).is_file()


def test_a_smaller_rerun_removes_the_pages_it_no_longer_writes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    synth(40, 2, out)
    synth(10, 2, out)
    fresh = tmp_path / "fresh"
    synth(10, 2, fresh)
    assert tree_hashes(out) == tree_hashes(fresh)


def test_refuses_a_folder_it_did_not_write(tmp_path: Path) -> None:
    (tmp_path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(SynthTargetError, match="not empty"):
        synth(4, 1, tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["notes.txt"]


@pytest.mark.parametrize(("n", "kind"), [(-1, "mixed"), (3, "pages")])
def test_bad_arguments_are_refused(tmp_path: Path, n: int, kind: Any) -> None:
    with pytest.raises(ValueError, match="expected n >= 0"):
        synth(n, 1, tmp_path / "out", kind)


@pytest.mark.build
def test_a_small_corpus_builds_with_mkdocs(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    out = tmp_path / "site"
    synth(20, 11, out)
    with caplog.at_level(logging.WARNING, logger="mkdocs"):
        built = mkdocs_build(out)
    slug = articles(out)[0].stem
    assert (built / "articles" / slug / "index.html").is_file()
    assert (built / "changes" / "index.html").is_file()
    for rid in (p.stem for p in records(out)):
        assert (built / "changes" / rid / "index.html").is_file()
    # Cross-links resolve: MkDocs warns about a link to a page that does not exist.
    assert [r.getMessage() for r in caplog.records if "link" in r.getMessage()] == []
