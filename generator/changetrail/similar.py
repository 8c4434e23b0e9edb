"""Similar posts: the most related articles and records for each article, without all pairs.

Each page becomes a small set of weighted features: its stack, tools, tags, area or topic, and the
most frequent words of its title and text. An inverted index maps each feature to the pages that
have it. For one article, the candidates are the pages that share at least one feature; each
shared feature adds ``weight x idf`` to the candidate's score, so rare features count more.

Cost: candidates are gathered from an article's rarest features first (never from a feature in
more than ``MAX_POSTINGS`` pages, which would make the work quadratic), up to about
``CANDIDATES`` pages; each candidate is scored by one set intersection of feature names, in which
common features (a stack shared by thousands of pages) still count. So the work per article is
bounded and the whole computation is linear in the number of pages. Ties are broken by kind and key, so the result is deterministic.
"""

from __future__ import annotations

import heapq
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, cast

if TYPE_CHECKING:
    from collections.abc import Callable

    from .catalog import Catalog
    from .loader import ArticlePage, Record

    #: ``memo(step, parts, work)``: ``work()``, or what it gave before for the same parts.
    Memo = Callable[[str, list[Any], Callable[[], Any]], Any]

__all__ = [
    "MAX_POSTINGS",
    "Doc",
    "Similar",
    "catalog_docs",
    "compute_similar",
    "doc_features",
    "update_similar",
]

#: A feature in more pages than this brings no candidates, though it still scores.
MAX_POSTINGS = 400
#: How many frequent words of a page's text become features.
TEXT_TERMS = 12
#: How many candidates an article's rarest features may bring before scoring stops growing.
CANDIDATES = 150

_WEIGHTS = {"stack": 3.0, "tool": 2.0, "tag": 2.0, "area": 1.5, "word": 1.0}
_WORD = re.compile(r"[a-z][a-z0-9+#.-]{3,}")
_STOP = frozenset(
    """about after again also because been before being between both could does doing down
    during each from further have having here into itself just more most once only other over
    same should some such than that their them then there these they this those through under
    until very what when where which while will with would your yours make sure first need
    after using used uses like well change changes""".split()  # noqa: SIM905 - a word list reads better
)


@dataclass(frozen=True, slots=True)
class Doc:
    """One page as the similarity sees it."""

    key: str  # "article:<uri>" or "record:<id>"
    kind: str  # "article" or "record"
    title: str
    features: dict[str, float]


@dataclass(frozen=True, slots=True)
class Similar:
    """A page similar to another, with the labels they share (for the reader)."""

    key: str
    kind: str
    title: str
    score: float
    shared: tuple[str, ...]


def _text_terms(*texts: str) -> dict[str, float]:
    counts: Counter[str] = Counter()
    for text in texts:
        words = (w.rstrip(".-") for w in _WORD.findall(text.lower()))
        counts.update(w for w in words if len(w) >= 4 and w not in _STOP)
    top = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))[:TEXT_TERMS]
    return {f"word:{w}": _WEIGHTS["word"] for w, _ in top}


def doc_features(
    *,
    stack: list[str] | tuple[str, ...] = (),
    tools: list[str] | tuple[str, ...] = (),
    tags: list[str] | tuple[str, ...] = (),
    area: str | None = None,
    texts: tuple[str, ...] = (),
) -> dict[str, float]:
    """Weighted features of one page; labels are compared case-insensitively."""
    features = _text_terms(*texts)
    for kind, values in (("stack", stack), ("tool", tools), ("tag", tags)):
        for value in values:
            features[f"{kind}:{value.strip().lower()}"] = _WEIGHTS[kind]
    if area:
        features[f"area:{area.strip().lower()}"] = _WEIGHTS["area"]
    return features


def catalog_docs(
    catalog: Catalog,
    *,
    memo: Memo | None = None,
    known: dict[str, tuple[object, Doc]] | None = None,
) -> list[Doc]:
    """Every article and record of the catalog as a ``Doc``.

    ``memo(step, parts, work)``, when given, may return the features computed before from
    the same ``parts`` (a build cache): reading each page's words is most of this work.
    ``known`` maps a doc's key to the record or article it was made from, and the doc: the
    same (unchanged) object gives the same doc at once. It is updated with this catalog's.
    """

    def features(**args: Any) -> dict[str, float]:
        if memo is None:
            return doc_features(**args)
        parts = [args[name] for name in sorted(args)]
        return cast(
            "dict[str, float]", memo("similar-features", parts, lambda: doc_features(**args))
        )

    def article_doc(a: ArticlePage) -> Doc:
        return Doc(
            key=f"article:{a.uri}",
            kind="article",
            title=a.meta.title,
            features=features(
                stack=list(a.meta.stack),
                tools=list(a.meta.tools),
                tags=list(a.meta.tags),
                area=a.meta.topic,
                # The title counts three times; only the start of a long body is read.
                texts=(
                    a.meta.title,
                    a.meta.title,
                    a.meta.title,
                    a.meta.summary or "",
                    a.body[:4000],
                ),
            ),
        )

    def record_doc(r: Record) -> Doc:
        return Doc(
            key=f"record:{r.id}",
            kind="record",
            title=r.meta.title,
            features=features(
                tags=list(r.meta.tags),
                area=r.meta.area,
                texts=(r.meta.title, r.meta.title, r.meta.title, r.meta.reason, r.body[:2000]),
            ),
        )

    seen = {} if known is None else known
    made: dict[str, tuple[object, Doc]] = {}
    docs = []
    sources: list[tuple[str, ArticlePage | Record, Callable[[Any], Doc]]] = [
        *((f"article:{a.uri}", a, article_doc) for a in catalog.articles),
        *((f"record:{r.id}", r, record_doc) for r in catalog.records),
    ]
    for key, source, make in sources:
        hit = seen.get(key)
        doc = hit[1] if hit is not None and hit[0] is source else make(source)
        made[key] = (source, doc)
        docs.append(doc)
    if known is not None:
        known.clear()
        known.update(made)
    return docs


def update_similar(
    before: list[Doc], docs: list[Doc], similar: dict[str, list[Similar]], *, limit: int = 5
) -> dict[str, list[Similar]]:
    """``compute_similar(docs, limit=limit)``, knowing ``similar`` is that for ``before``.

    Only the articles a change can reach are scored again: a changed article itself, every
    article with a feature that a changed page gained or lost (the only features whose page
    counts, so weights, changed, and through which a changed page can come or go as a
    candidate), and every article that listed a changed page (its title may be new). The
    other articles' candidates and scores are the same. When pages came or went, every score
    changes (the idf counts pages), and everything is computed again.
    """
    old = {d.key: d for d in before}
    if len(before) != len(docs) or any(d.key not in old for d in docs):
        return compute_similar(docs, limit=limit)
    changed = {
        d.key
        for d in docs
        if old[d.key] is not d
        and (old[d.key].features != d.features or old[d.key].title != d.title)
    }
    if not changed:
        return similar
    delta: set[str] = set()
    for d in docs:
        if d.key in changed:
            delta |= old[d.key].features.keys() ^ d.features.keys()
    again = {k for k in changed if k.startswith("article:")}
    again |= {d.key for d in docs if d.kind == "article" and not delta.isdisjoint(d.features)}
    again |= {k for k, items in similar.items() if any(s.key in changed for s in items)}
    fresh = compute_similar(docs, limit=limit, sources=again)
    return {
        d.key: fresh[d.key] if d.key in again else similar[d.key]
        for d in docs
        if d.kind == "article"
    }


def compute_similar(
    docs: list[Doc], *, limit: int = 5, sources: set[str] | None = None
) -> dict[str, list[Similar]]:
    """For each doc in ``sources`` (all articles by default), its ``limit`` most similar docs."""
    postings: dict[str, list[int]] = defaultdict(list)
    for i, doc in enumerate(docs):
        for feature in doc.features:
            postings[feature].append(i)
    n = len(docs)
    # A feature's gain is its weight (the same in every doc that has it) times its idf. Every
    # shared feature scores; only features in few pages bring candidates (see _most_similar).
    gain = {
        f: docs[p[0]].features[f] * math.log(1 + n / len(p))
        for f, p in postings.items()
        if len(p) > 1
    }
    scored_features = [frozenset(f for f in d.features if f in gain) for d in docs]
    wanted = sources if sources is not None else {d.key for d in docs if d.kind == "article"}
    result: dict[str, list[Similar]] = {}
    for i, doc in enumerate(docs):
        if doc.key in wanted:
            result[doc.key] = _most_similar(i, docs, postings, gain, scored_features, limit)
    return result


def _most_similar(
    i: int,
    docs: list[Doc],
    postings: dict[str, list[int]],
    gain: dict[str, float],
    features: list[frozenset[str]],
    limit: int,
) -> list[Similar]:
    mine = features[i]
    # Candidates come from the rarest shared features first, within a budget: rare features
    # carry most of the score, and the budget keeps the work per article bounded.
    candidates: set[int] = set()
    rare = (f for f in mine if len(postings[f]) <= MAX_POSTINGS)
    for feature in sorted(rare, key=lambda f: (len(postings[f]), f)):
        plist = postings[feature]
        if candidates and len(candidates) + len(plist) > 2 * CANDIDATES:
            break
        candidates.update(plist)
        if len(candidates) >= CANDIDATES:
            break
    candidates.discard(i)
    scored = [
        (-sum([gain[f] for f in mine & features[j]]), docs[j].kind, docs[j].key, j)
        for j in candidates
    ]
    out = []
    for neg, _, _, j in heapq.nsmallest(limit, scored):
        shared = sorted(mine & features[j], key=lambda f: (-gain[f], f))
        labels = tuple(dict.fromkeys(f.split(":", 1)[1] for f in shared))[:3]
        out.append(
            Similar(
                key=docs[j].key,
                kind=docs[j].kind,
                title=docs[j].title,
                score=round(-neg, 4),
                shared=labels,
            )
        )
    return out
