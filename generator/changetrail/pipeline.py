"""discover -> load -> catalog -> check: the read-everything half, shared by CLI and plugin."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from .catalog import Catalog, build_catalog
from .checks import run_checks
from .errors import RecordError, RecordErrors, Severity
from .loader import LoadResult, discover, load_all, load_articles, record_id

if TYPE_CHECKING:
    import datetime as dt
    from pathlib import Path

    from .settings import Settings

__all__ = ["Project", "load_project"]


@dataclass(frozen=True, slots=True)
class Project:
    """Everything read from a project: the catalog of valid records and every problem found."""

    root: Path
    settings: Settings
    catalog: Catalog
    errors: tuple[RecordError, ...]
    files: int

    @property
    def failed(self) -> bool:
        return any(e.severity is Severity.ERROR for e in self.errors)

    def raise_for_errors(self) -> None:
        """Raise ``RecordErrors`` carrying every problem when any is an error."""
        if self.failed:
            raise RecordErrors(self.errors, self.files)


def load_project(
    root: Path,
    settings: Settings,
    *,
    files: list[Path] | None = None,
    docs_dir: Path | None = None,
    today: dt.date | None = None,
) -> Project:
    """Read and check every record of the project rooted at ``root``.

    Args:
        root: the folder of mkdocs.yml; ``settings.changes_dir`` is relative to it.
        settings: the plugin options.
        files: the record files to read; by default every record under ``changes_dir``.
        docs_dir: the docs folder whose articles to read; none when not given.
        today: the date used for "in the future" (the local date by default).

    Returns:
        The project, with problems collected rather than raised.
    """
    if files is None:
        files = discover(root / settings.changes_dir)
    max_bytes = settings.limits.file_bytes
    loaded = load_all(files, root, max_bytes=max_bytes)
    articles = (
        load_articles(docs_dir, root, settings.article_dirs, max_bytes=max_bytes)
        if docs_dir
        else LoadResult()
    )
    catalog = build_catalog(
        loaded.records,
        known_ids=frozenset(record_id(f).lower() for f in files),
        articles=articles.articles,
    )
    errors = [*loaded.errors, *articles.errors, *run_checks(catalog, settings, today=today)]
    return Project(
        root=root,
        settings=settings,
        catalog=catalog,
        errors=tuple(sorted(errors, key=RecordError.sort_key)),
        files=loaded.files + articles.files,
    )
