"""Similar posts: the ranking (deterministic, labels before text, never the page itself, at most
``similar_posts``), records as candidates, a 3,000-page smoke run, and the rendered section's
links through real MkDocs builds."""

from __future__ import annotations

import datetime as dt
import itertools
import json
import posixpath
import random
from typing import TYPE_CHECKING, Any
from urllib.parse import unquote

import pytest
from bs4 import BeautifulSoup, Tag
from hypothesis import given, settings
from hypothesis import strategies as st

from changetrail.catalog import build_catalog
from changetrail.loader import ArticlePage, Record, load_article_text, load_text
from changetrail.similar import (
    MAX_POSTINGS,
    Doc,
    Similar,
    catalog_docs,
    compute_similar,
    doc_features,
    update_similar,
)
from conftest import mkdocs_build, record

if TYPE_CHECKING:
    from pathlib import Path

    from conftest import MakeSite


def doc(
    key: str,
    title: str = "",
    *,
    stack: tuple[str, ...] = (),
    tools: tuple[str, ...] = (),
    tags: tuple[str, ...] = (),
    area: str | None = None,
    text: str = "",
) -> Doc:
    """A doc as ``catalog_docs`` makes one: the kind is the part of the key before ':'."""
    return Doc(
        key=key,
        kind=key.split(":", 1)[0],
        title=title or key,
        features=doc_features(
            stack=stack, tools=tools, tags=tags, area=area, texts=(title, title, title, text)
        ),
    )


def keys(items: list[Similar]) -> list[str]:
    return [s.key for s in items]


def article_text(title: str, body: str = "", /, **fields: Any) -> str:
    """A minimal valid article: ``kind``, ``title`` and ``fields``, each as one JSON line."""
    lines = ["---", "kind: article", f"title: {json.dumps(title)}"]
    lines += [f"{name}: {json.dumps(value)}" for name, value in fields.items()]
    return "\n".join([*lines, "---", ""]) + (body or f"# {title}\n\nSome text.\n")


# -- the ranking --------------------------------------------------------------------------------


def sample_docs() -> list[Doc]:
    return [
        doc("article:jobs.md", "Running background jobs safely", stack=("next.js",),
            tools=("bullmq",), tags=("jobs",), text="Queues and retries survive restarts."),
        doc("article:deploy.md", "Deploying previews", stack=("next.js",), tools=("bullmq",),
            tags=("jobs",)),
        doc("article:cron.md", "Background jobs running in cron",
            text="Background jobs running safely at night."),
        doc("article:colors.md", "Choosing colors", stack=("css",), tags=("design",)),
        doc("record:2024-03-04-retry", "Retry failed jobs", tags=("jobs",), area="queues",
            text="Retries with backoff."),
        doc("record:2024-03-05-fonts", "Self-host fonts", tags=("design",), area="ui"),
        doc("article:twin-a.md", "Twin", stack=("go",)),
        doc("article:twin-b.md", "Twin", stack=("go",)),
        doc("record:2024-01-01-twin", "Twin", tags=("x",), text="go"),
    ]  # fmt: skip


def test_same_input_gives_the_same_output() -> None:
    first = compute_similar(sample_docs())
    assert compute_similar(sample_docs()) == first
    assert set(first) == {d.key for d in sample_docs() if d.kind == "article"}


@pytest.mark.parametrize("seed", range(5))
def test_input_order_does_not_change_the_output(seed: int) -> None:
    expected = compute_similar(sample_docs())
    shuffled = sample_docs()
    random.Random(seed).shuffle(shuffled)
    assert compute_similar(shuffled) == expected


def test_shared_stack_tools_and_tags_beat_text_only_overlap() -> None:
    result = compute_similar(sample_docs())["article:jobs.md"]
    # deploy.md shares no word with jobs.md but its stack, tool and tag; cron.md shares four
    # words of the title and text and no label.
    assert keys(result)[:2] == ["article:deploy.md", "article:cron.md"]
    assert result[0].shared == ("next.js", "bullmq", "jobs")
    assert result[0].score > result[1].score
    assert "article:colors.md" not in keys(result)


def test_a_page_is_never_similar_to_itself() -> None:
    docs = sample_docs()
    for key, items in compute_similar(docs, limit=20).items():
        assert key not in keys(items)
    # Even when another page has exactly the same features.
    assert keys(compute_similar(docs)["article:twin-a.md"])[0] == "article:twin-b.md"


def test_ties_are_broken_by_kind_then_key() -> None:
    docs = [
        doc("article:src.md", "Source", tags=("t",)),
        doc("record:a", "Zed", tags=("t",)),
        doc("article:c.md", "Why", tags=("t",)),
        doc("article:b.md", "Yes", tags=("t",)),
    ]
    items = compute_similar(docs)["article:src.md"]
    assert len({s.score for s in items}) == 1
    assert keys(items) == ["article:b.md", "article:c.md", "record:a"]


@pytest.mark.parametrize("limit", [0, 1, 2, 5, 20])
def test_at_most_limit_items(limit: int) -> None:
    docs = [doc(f"article:{i:02d}.md", f"Page {i}", tags=("shared",)) for i in range(12)]
    result = compute_similar(docs, limit=limit)
    assert {len(items) for items in result.values()} == {min(limit, 11)}


def test_records_are_candidates_but_get_no_list_of_their_own() -> None:
    result = compute_similar(sample_docs())
    assert "record:2024-03-04-retry" in keys(result["article:jobs.md"])
    assert not any(key.startswith("record:") for key in result)
    retry = next(s for s in result["article:jobs.md"] if s.key == "record:2024-03-04-retry")
    assert (retry.kind, retry.title) == ("record", "Retry failed jobs")


def test_unrelated_pages_are_not_listed() -> None:
    docs = [doc("article:a.md", "Alpha", tags=("x",)), doc("article:b.md", "Beta", tags=("y",))]
    assert compute_similar(docs) == {"article:a.md": [], "article:b.md": []}


def test_sources_limit_which_pages_get_a_list() -> None:
    result = compute_similar(sample_docs(), sources={"article:jobs.md", "record:2024-03-04-retry"})
    assert set(result) == {"article:jobs.md", "record:2024-03-04-retry"}
    assert "article:jobs.md" in keys(result["record:2024-03-04-retry"])


def test_labels_are_compared_case_insensitively() -> None:
    docs = [
        doc("article:a.md", "Alpha", stack=("Next.js",), tags=("Jobs ",)),
        doc("article:b.md", "Beta", stack=("next.js",), tags=("jobs",)),
    ]
    [item] = compute_similar(docs)["article:a.md"]
    assert (item.key, item.shared) == ("article:b.md", ("next.js", "jobs"))


def test_shared_labels_are_listed_once() -> None:
    """A tag that is also a word of the text is one label for the reader, not two."""
    docs = [
        doc("article:a.md", "Retrying jobs", tags=("jobs",), text="jobs jobs"),
        doc("record:r", "More jobs", tags=("jobs",), text="jobs"),
    ]
    [item] = compute_similar(docs)["article:a.md"]
    assert len(item.shared) == len(set(item.shared)), item.shared


def test_a_word_at_the_end_of_a_sentence_is_the_same_word() -> None:
    """ "We retry jobs." and "jobs are retried" share the word "jobs"."""
    features = doc_features(texts=("We retry failed jobs.", "Queues, retries; deploys!"))
    words = sorted(f.removeprefix("word:") for f in features)
    assert words == ["deploys", "failed", "jobs", "queues", "retries", "retry"]


def test_a_feature_on_too_many_pages_brings_no_candidates_but_still_scores() -> None:
    docs = [
        doc(f"article:{i:04d}.md", f"Page {i}", tags=("everywhere",))
        for i in range(MAX_POSTINGS + 1)
    ]
    docs.append(doc("article:pair-a.md", "A", tags=("everywhere", "rare")))
    docs.append(doc("article:pair-b.md", "B", tags=("everywhere", "rare")))
    result = compute_similar(docs, sources={"article:0000.md", "article:pair-a.md"})
    assert result["article:0000.md"] == []
    assert keys(result["article:pair-a.md"]) == ["article:pair-b.md"]
    assert result["article:pair-a.md"][0].shared == ("rare", "everywhere")


def test_catalog_docs_reads_articles_and_records() -> None:
    page = load_article_text(
        article_text(
            "Running jobs",
            "# Running jobs\n\nRetries with backoff.\n",
            stack=["Next.js"],
            tools=["BullMQ"],
            tags=["jobs"],
            topic="Background Jobs",
            summary="Queues that survive restarts.",
        ),
        "docs/guides/jobs.md",
        "guides/jobs.md",
    )
    assert isinstance(page, ArticlePage)
    rec = load_text(record(tags=["db"], area="database"), "changes/2024-03-04-a.md", "2024-03-04-a")
    assert isinstance(rec, Record)
    docs = catalog_docs(build_catalog([rec], articles=[page]))
    assert [(d.key, d.kind, d.title) for d in docs] == [
        ("article:guides/jobs.md", "article", "Running jobs"),
        ("record:2024-03-04-a", "record", "Add index on orders.created_at"),
    ]
    labels = {f for f in docs[0].features if not f.startswith("word:")}
    assert labels == {"stack:next.js", "tool:bullmq", "tag:jobs", "area:background jobs"}
    assert {"word:running", "word:retries", "word:queues"} <= set(docs[0].features)
    assert {f for f in docs[1].features if not f.startswith("word:")} == {"tag:db", "area:database"}


# -- scale smoke test ----------------------------------------------------------------------------

_STACKS = ("next.js", "django", "rails", "postgres", "redis", "kafka", "react", "go", "rust", "php")
_TOOLS = tuple(f"tool-{i}" for i in range(30))
_TAGS = tuple(f"tag-{i}" for i in range(120))
_WORDS = tuple(f"term{i:04d}" for i in range(4000))
#: Word frequencies of real text fall off as 1/rank (Zipf): a few words are everywhere.
_ZIPF = tuple(itertools.accumulate(1 / rank for rank in range(1, len(_WORDS) + 1)))


def synthetic_docs(n: int, seed: int) -> list[Doc]:
    """``n`` pages, a third of them records, with labels and a text drawn from a vocabulary."""
    rng = random.Random(seed)
    docs = []
    for i in range(n):
        kind = "record" if i % 3 == 0 else "article"
        text = " ".join(rng.choices(_WORDS, cum_weights=_ZIPF, k=150))
        docs.append(
            doc(
                f"{kind}:{i:05d}",
                f"Page {i} {rng.choice(_WORDS)}",
                stack=tuple(rng.sample(_STACKS, 2)),
                tools=tuple(rng.sample(_TOOLS, 2)),
                tags=tuple(rng.sample(_TAGS, 3)),
                area=rng.choice(("db", "api", "ui", "ops")),
                text=text,
            )
        )
    return docs


def test_three_thousand_pages_finish_and_are_deterministic() -> None:
    """A smoke test of the inverted index at scale: it finishes, and the input order does not
    matter (checked on a sample of pages, to keep the test quick). No timing assertion."""
    docs = synthetic_docs(3000, seed=11)
    first = compute_similar(docs)
    assert len(first) == 2000
    assert all(0 < len(items) <= 5 for items in first.values())
    assert all(key not in keys(items) for key, items in first.items())
    shuffled = list(docs)
    random.Random(3).shuffle(shuffled)
    sample = set(random.Random(5).sample(sorted(first), 200))
    again = compute_similar(shuffled, sources=sample)
    assert again == {key: first[key] for key in sample}


# -- real builds --------------------------------------------------------------------------------

STRICT_YML = """\
site_name: Similar
theme:
  name: material
plugins:
  - search
  - changetrail:
      article_dirs: [kb]
      similar_posts: 3
validation:
  omitted_files: warn
  absolute_links: warn
  unrecognized_links: warn
  anchors: warn
"""


def site_files() -> dict[str, str]:
    jobs = {"stack": ["next.js"], "tools": ["bullmq"], "tags": ["jobs"]}
    return {
        "mkdocs.yml": STRICT_YML,
        "docs/index.md": "# Home\n",
        "docs/jobs.md": article_text("Running background jobs", **jobs),
        "docs/guides/retries.md": article_text("Retries with backoff", **jobs),
        "docs/guides/deep/queues.md": article_text("Queues in depth", **jobs),
        "docs/kb/dead-letters.md": "---\ntitle: Dead letters\nstack: [next.js]\ntags: [jobs]\n"
        "---\n# Dead letters\n\nJobs that failed too often.\n",
        "docs/kb/colors.md": "---\ntitle: Colors\ntags: [design]\n---\n# Colors\n",
        "docs/kb/lonely.md": "---\ntitle: Lonely\n---\n# Lonely\n\nUnrelated prose.\n",
        "docs/not-an-article.md": "---\ntitle: Jobs too\ntags: [jobs]\n---\n# Plain page\n",
        "changes/2024-03-04-retry-jobs.md": record(title="Retry failed jobs", tags=["jobs"]),
        "changes/db/2024-03-05-queue-table.md": record(
            title="Queue table for background jobs", date=dt.date(2024, 3, 5), tags=["jobs"]
        ),
        "changes/2024-03-06-colors.md": record(
            title="Darker colors for the design system", date=dt.date(2024, 3, 6), tags=["design"]
        ),
    }


@pytest.fixture(scope="module")
def strict_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A strict build: any similar-post link that does not resolve fails it."""
    root = tmp_path_factory.mktemp("similar")
    for rel, text in site_files().items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(text, encoding="utf-8")
    return mkdocs_build(root, strict=True)


def similar_links(page: Path) -> list[tuple[str, str]] | None:
    """(text, href) of each item of the page's "Similar posts" list; None without the section."""
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    content = soup.select_one("article.md-content__inner")
    assert content is not None
    heading = content.find("h2", id="similar-posts")
    if heading is None:
        return None
    assert isinstance(heading, Tag)
    items = heading.find_next_sibling("ul")
    if items is None:
        return []
    assert isinstance(items, Tag)
    out = []
    for li in items.find_all("li", recursive=False):
        link = li.find("a", recursive=False)
        assert isinstance(link, Tag), li
        out.append((link.get_text(), str(link["href"])))
    return out


def resolve(site: Path, page: Path, href: str) -> Path:
    base = page.parent.relative_to(site).as_posix()
    target = posixpath.normpath(posixpath.join(base, unquote(href)))
    return site / target / "index.html"


ARTICLE_PAGES = [
    "jobs/index.html",
    "guides/retries/index.html",
    "guides/deep/queues/index.html",
    "kb/dead-letters/index.html",
    "kb/colors/index.html",
    "kb/lonely/index.html",
]


@pytest.mark.build
def test_similar_post_links_resolve_in_a_strict_build(strict_site: Path) -> None:
    for name in ARTICLE_PAGES:
        page = strict_site / name
        links = similar_links(page)
        assert links is not None, name
        for text, href in links:
            assert not href.endswith(".md"), (name, href)
            assert resolve(strict_site, page, href).is_file(), (name, text, href)


@pytest.mark.build
def test_similar_posts_in_the_built_pages(strict_site: Path) -> None:
    # Three articles share all their labels with it: the tie is broken by path.
    assert similar_links(strict_site / "guides" / "deep" / "queues" / "index.html") == [
        ("Retries with backoff", "../../retries/"),
        ("Running background jobs", "../../../jobs/"),
        ("Dead letters", "../../../kb/dead-letters/"),
    ]
    for name in ARTICLE_PAGES[:4]:
        links = similar_links(strict_site / name)
        assert links is not None
        assert len(links) == 3, name  # similar_posts: 3
    assert similar_links(strict_site / "kb" / "lonely" / "index.html") == []
    lonely = (strict_site / "kb" / "lonely" / "index.html").read_text(encoding="utf-8")
    assert "Nothing similar yet." in lonely
    plain = BeautifulSoup(
        (strict_site / "not-an-article" / "index.html").read_text(encoding="utf-8"), "html.parser"
    )
    assert plain.find(id="similar-posts") is None


@pytest.mark.build
def test_records_are_listed_with_links_to_their_pages(strict_site: Path) -> None:
    page = strict_site / "kb" / "colors" / "index.html"
    links = similar_links(page)
    assert links == [("Darker colors for the design system", "../../changes/2024-03-06-colors/")]
    assert resolve(strict_site, page, links[0][1]).is_file()
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    muted = [s.get_text() for s in soup.select("article li span.ct-muted")]
    assert muted == ["change · design, colors"]


@pytest.mark.build
def test_similar_posts_zero_removes_the_section(make_site: MakeSite) -> None:
    files = site_files()
    files["mkdocs.yml"] = STRICT_YML.replace("similar_posts: 3", "similar_posts: 0")
    site = mkdocs_build(make_site(files), strict=True)
    for name in ARTICLE_PAGES:
        page = site / name
        assert similar_links(page) is None, name
        assert "Similar posts" not in page.read_text(encoding="utf-8"), name


@pytest.mark.build
def test_links_to_articles_with_odd_file_names_resolve(make_site: MakeSite) -> None:
    """Spaces, parentheses and '&' are allowed in page names; the similar-post and review-page
    links to such a page must still reach it."""
    files = {
        "docs/index.md": "# Home\n",
        "docs/guides/Queue retries (v2).md": article_text(
            "Queue retries", stack=["redis"], tags=["jobs"]
        ),
        "docs/Q&A jobs.md": article_text(
            "Questions", stack=["redis"], tags=["jobs"], revision={"status": "needs-review"}
        ),
    }
    site = mkdocs_build(make_site(files))
    for name in ("guides/Queue retries (v2)/index.html", "Q&A jobs/index.html"):
        page = site / name
        links = similar_links(page)
        assert links is not None
        assert len(links) == 1, name
        [(_, href)] = links
        assert resolve(site, page, href).is_file(), (name, href)
    review = site / "needs-review" / "index.html"
    hrefs = [
        str(a["href"])
        for a in BeautifulSoup(review.read_text(encoding="utf-8"), "html.parser").select(
            "article tbody a"
        )
    ]
    assert len(hrefs) == 1
    assert resolve(site, review, hrefs[0]).is_file(), hrefs


# -- updating after a change (the preview) ---------------------------------------------------------

_FEATURES = [f"{kind}:{n}" for kind in ("word", "tag", "stack") for n in range(20)]


@st.composite
def _docs(draw: st.DrawFn) -> list[Doc]:
    count = draw(st.integers(min_value=2, max_value=14))
    docs = []
    for i in range(count):
        kind = "article" if i % 3 != 2 else "record"
        chosen = draw(st.sets(st.sampled_from(_FEATURES), min_size=1, max_size=6))
        features = {f: {"word": 1.0, "tag": 2.0, "stack": 3.0}[f.split(":")[0]] for f in chosen}
        docs.append(Doc(key=f"{kind}:{i}", kind=kind, title=f"T{i}", features=features))
    return docs


@settings(max_examples=300)
@given(data=st.data(), before=_docs())
def test_an_update_after_some_pages_changed_equals_computing_again(
    data: st.DataObject, before: list[Doc]
) -> None:
    after = list(before)
    for i in data.draw(st.sets(st.integers(0, len(before) - 1), max_size=3), label="changed"):
        doc = before[i]
        chosen = data.draw(st.sets(st.sampled_from(_FEATURES), min_size=1, max_size=6))
        features = {f: {"word": 1.0, "tag": 2.0, "stack": 3.0}[f.split(":")[0]] for f in chosen}
        title = data.draw(st.sampled_from([doc.title, doc.title + " (edited)"]))
        after[i] = Doc(key=doc.key, kind=doc.kind, title=title, features=features)
    limit = data.draw(st.integers(1, 4), label="limit")
    old = compute_similar(before, limit=limit)
    assert update_similar(before, after, old, limit=limit) == compute_similar(after, limit=limit)
    # Pages that came or went: every score changes, so everything is computed again.
    assert update_similar(before, after[:-1], old, limit=limit) == compute_similar(
        after[:-1], limit=limit
    )
