"""The ``changetrail`` command: parses arguments, calls the core, prints, sets the exit code.

Exit codes: 0 success; 1 problems found in records (or a build that failed, or a file that
would have been overwritten); 2 a usage or configuration error.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import gc
import json
import logging
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Any, ParamSpec
from urllib.parse import urlsplit

import click

from . import __version__
from .article import Article
from .errors import (
    FORMATS,
    ChangetrailError,
    ConfigError,
    RecordError,
    Severity,
    format_errors,
    summarize,
)
from .gitinfo import check_git
from .loader import discover, discover_pages, display_path
from .models import ChangeRecord, Status
from .pipeline import Project, load_project, paused_gc
from .profile import Timeline
from .scaffold import NewRecord, git_files, git_owner, write_new_record
from .settings import (
    Settings,
    load_project_config,
    load_settings,
    plugin_options,
    read_mkdocs_yml,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from pydantic import BaseModel

    from .gate import ChangedPaths
    from .loader import ArticlePage, Record

EXIT_OK, EXIT_PROBLEMS, EXIT_USAGE = 0, 1, 2

P = ParamSpec("P")

_config_option = click.option(
    "-f",
    "--config-file",
    type=click.Path(dir_okay=False, path_type=Path),
    default="mkdocs.yml",
    show_default=True,
    help="The site's mkdocs.yml; its folder is the project root.",
)


def _without_gc(command: Callable[P, None]) -> Callable[P, None]:
    """Run ``command`` with cyclic garbage collection paused (see ``pipeline.paused_gc``), and
    let the console script end it without freeing each object (see ``main``)."""

    @functools.wraps(command)
    def run(*args: P.args, **kwargs: P.kwargs) -> None:
        global _quick_exit  # read by main(), after the command
        _quick_exit = True
        with paused_gc():
            command(*args, **kwargs)

    return run


@contextlib.contextmanager
def _collecting() -> Iterator[None]:
    """Cyclic garbage collection on inside, whatever it was outside."""
    was = gc.isenabled()
    gc.enable()
    try:
        yield
    finally:
        if not was:
            gc.disable()


def _fail(message: str, code: int) -> None:
    click.echo(f"Error: {message}", err=True)
    sys.exit(code)


def _settings(config_file: Path) -> tuple[Settings, Path]:
    try:
        return load_settings(config_file)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
        raise  # unreachable; keeps type checkers informed


@click.group(context_settings={"help_option_names": ["-h", "--help"], "max_content_width": 100})
@click.version_option(__version__, prog_name="changetrail")
def cli() -> None:
    """Change records and knowledge articles in Markdown, checked and published with MkDocs.

    \b
    Typical use:
      changetrail new "Add index on orders.created_at"   write a record
      changetrail check                                  validate every record (CI)
      changetrail build                                  build the site into site/
      changetrail serve                                  preview at http://127.0.0.1:8000

    Exit codes: 0 success, 1 problems found, 2 usage or configuration error.
    """


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(exists=True, path_type=Path))
@click.option(
    "--format",
    "fmt",
    type=click.Choice(FORMATS),
    default="text",
    show_default=True,
    help="text for people, json for scripts, github for Actions annotations.",
)
@click.option("--strict", is_flag=True, help="Treat warnings as errors.")
@click.option(
    "--links",
    is_flag=True,
    help="Also build the site into a temporary folder and check every internal link, anchor "
    "and image, reported at the Markdown line that wrote it.",
)
@click.option(
    "--external",
    is_flag=True,
    help="Also check links to other sites (concurrent, rate-limited, cached; see link_check).",
)
@click.option(
    "--changed-since",
    "since",
    metavar="REV",
    help="Check only the records and pages changed since REV (e.g. origin/main).",
)
@click.option(
    "--require-record",
    is_flag=True,
    help="With --changed-since: fail when code changed but no change record was added or changed.",
)
@click.option(
    "--no-git",
    is_flag=True,
    help="Skip the git checks (files_touched exist, commit resolves and touched them).",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Read every file again, and neither read nor write the cache in cache_dir (by default "
    "what each file gave is kept there, by its content).",
)
@_config_option
@_without_gc
def check(
    paths: tuple[Path, ...],
    fmt: str,
    config_file: Path,
    *,
    strict: bool,
    no_git: bool,
    no_cache: bool,
    links: bool,
    external: bool,
    since: str | None,
    require_record: bool,
) -> None:
    """Validate change records and articles without building the site.

    With no PATHS, every record under the configured changes folder is checked. PATHS
    (files or folders) limit the report to those files; references are still resolved
    against all records. Exit 0 when clean, 1 when any problem is found.
    """
    try:
        settings, root, docs_dir = load_project_config(config_file)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
        return
    if no_cache:
        settings = settings.model_copy(update={"cache": False})
    changes_dir = root / settings.changes_dir
    files = discover(changes_dir)
    selected: set[Path] | None = None
    if paths:
        selected = set()
        for p in paths:
            chosen = discover_pages(p) if p.is_dir() else [p]
            selected.update(f.resolve() for f in chosen)
        known = {f.resolve() for f in files}
        docs = docs_dir.resolve()
        # Pages under docs_dir are read as articles; anything else named is read as a record.
        files += sorted(f for f in selected if f not in known and not f.is_relative_to(docs))
    if require_record and not since:
        _fail("--require-record needs --changed-since REV", EXIT_USAGE)
    if since and paths:
        _fail("give PATHS or --changed-since, not both", EXIT_USAGE)
    changed = None
    if since:
        changed, project = _load_changed(root, settings, files, docs_dir, config_file, since)
    else:
        project = load_project(root, settings, files=files, docs_dir=docs_dir)
    git_errors: list[RecordError] = []
    if settings.git_check and not no_git:
        git_errors = check_git(
            project.catalog.records,
            root,
            config_file=display_path(config_file, Path.cwd()),
            ignore_unlisted=[f"{settings.changes_dir}/*"],
        )
        # Outside a git repository there is nothing to compare with: skip quietly.
        git_errors = [e for e in git_errors if e.code != "git.unavailable"]
    if not paths and not since and not changes_dir.is_dir() and not project.catalog.articles:
        _fail(
            f"no records folder at {display_path(changes_dir, Path.cwd())} and no articles in "
            f"{display_path(docs_dir, Path.cwd())}; run changetrail in the project's root "
            "(beside mkdocs.yml), pass --config-file, or give PATHS",
            EXIT_USAGE,
        )
    with _collecting():  # a whole MkDocs build makes garbage with cycles
        link_errors = _link_errors(config_file, project, docs_dir, links=links, external=external)
    errors = [*project.errors, *git_errors, *link_errors, *_secret_errors(project)]
    if require_record and changed is not None:
        errors += _gate_errors(changed, settings, root, docs_dir)
    shown_files = project.files
    if selected is not None:
        articles = {a.path for a in project.catalog.articles}
        failed = {e.file for e in errors}
        plain = sorted(
            path
            for f in selected
            if f.is_relative_to(docs_dir.resolve())
            and (path := display_path(f, root)) not in articles
            and path not in failed
        )
        for path in plain:
            click.echo(
                f"note: {path} is not an article (no 'kind: article'); not checked", err=True
            )
        selected = {f for f in selected if display_path(f, root) not in plain}
        if not selected:
            click.echo("Nothing to check: no change record or article among PATHS.")
            sys.exit(EXIT_OK)
        wanted = {display_path(f, root) for f in selected}
        errors = [e for e in errors if e.file in wanted]
        shown_files = len(selected)
    if strict:
        errors = [_as_error(e) for e in errors]
    failing = [e for e in errors if e.severity == "error"]
    if fmt == "json":
        click.echo(format_errors(errors, "json"))
    elif fmt == "github":
        if errors:
            click.echo(format_errors(errors, "github"))
        click.echo(summarize(errors, shown_files), err=True)
    else:
        if errors:
            click.echo(format_errors(errors, "text"))
            click.echo("")
            click.echo(summarize(errors, shown_files))
        else:
            click.echo(f"{_count(project, shown_files, selected=selected)} checked, no problems")
    sys.exit(EXIT_PROBLEMS if failing else EXIT_OK)


def _load_changed(
    root: Path,
    settings: Settings,
    files: list[Path],
    docs_dir: Path,
    config_file: Path,
    since: str,
) -> tuple[ChangedPaths, Project]:
    """Read only what changed since ``since`` (everything when the configuration changed)."""
    from .gate import changed_paths, load_selected, select_changed

    try:
        changed = changed_paths(root, since)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
        raise  # unreachable
    selection = select_changed(files, changed, docs_dir=docs_dir, config_file=config_file)
    if selection.full:
        click.echo(f"note: {selection.full}; checking every file", err=True)
        return changed, load_project(root, settings, files=files, docs_dir=docs_dir)
    return changed, load_selected(root, settings, selection, docs_dir=docs_dir)


def _secret_errors(project: Project) -> list[RecordError]:
    """Credentials in commands, links and bodies, before they can be published."""
    if not project.settings.secret_scan:
        return []
    items: list[Record | ArticlePage] = [*project.catalog.records, *project.catalog.articles]
    if all(item.secrets is not None for item in items):  # scanned as they were loaded
        return [e for item in items for e in item.secrets or ()]
    from .secretscan import file_reader, scan_secrets

    return scan_secrets(items, read_source=file_reader(project.root))


def _gate_errors(
    changed: ChangedPaths, settings: Settings, root: Path, docs_dir: Path
) -> list[RecordError]:
    """``--require-record``: code changed, but no change record was added or changed."""
    from .gate import default_code_globs, require_record

    changes = changed.repo_path(root / settings.changes_dir) or settings.changes_dir
    docs = changed.repo_path(docs_dir) or "docs"
    globs = settings.code_globs or default_code_globs(changes, docs)
    return require_record(changed, code_globs=globs, changes_dir=changes)


def _link_errors(
    config_file: Path, project: Project, docs_dir: Path, *, links: bool, external: bool
) -> list[RecordError]:
    """Build into a temporary folder and check links (``--links``), and external ones."""
    if not (links or external):
        return []
    from .linkcheck import SourceMap, check_site, check_source_tree

    errors: list[RecordError] = []
    sources = SourceMap.from_project(project, docs_dir)
    if links:
        _require_plugin(config_file)
        from mkdocs.commands.build import build as mkdocs_build
        from mkdocs.config import load_config
        from mkdocs.exceptions import MkDocsException

        logger = logging.getLogger("mkdocs")
        saved = (logger.level, list(logger.handlers), logger.propagate)
        with tempfile.TemporaryDirectory(prefix="changetrail-links-") as tmp:
            # The check reports links itself (at their source lines); MkDocs' own link warnings
            # would say the same twice, so of its log only errors are shown while it builds.
            _setup_logging(verbose=False)
            logger.setLevel(logging.ERROR)
            try:
                config = load_config(str(config_file), site_dir=tmp)
                config.plugins.on_startup(command="build", dirty=False)
                config.plugins["changetrail"].lenient = True  # type: ignore[attr-defined]
                try:
                    mkdocs_build(config)
                finally:
                    config.plugins.on_shutdown()
            except MkDocsException as exc:
                _fail(f"the site could not be built to check links: {exc.format_message()}", 1)
            finally:
                logger.setLevel(saved[0])
                logger.handlers[:] = saved[1]
                logger.propagate = saved[2]
            plugin = config.plugins["changetrail"]
            sources = SourceMap.from_project(
                project,
                Path(config.docs_dir),
                page_urls=getattr(plugin, "page_urls", None),
                use_directory_urls=config.use_directory_urls,
            )
            base = urlsplit(config.site_url or "/").path or "/"
            errors += check_site(
                Path(tmp), sources, use_directory_urls=config.use_directory_urls, base_path=base
            )
        errors += check_source_tree(sources)
    if external:
        from .linkcheck.external import ExternalOptions, check_external, collect_external

        opts = project.settings.link_check
        try:
            options = ExternalOptions(
                concurrency=opts.concurrency,
                host_interval=opts.host_interval,
                timeout=opts.timeout,
                retries=opts.retries,
                cache_max_age=opts.cache_max_age,
                exclude=tuple(opts.exclude),
            )
        except ConfigError as exc:
            _fail(str(exc), EXIT_USAGE)
        report = check_external(collect_external(sources), options, project.root / opts.cache_path)
        click.echo(f"external links: {report.summary()}", err=True)
        errors += report.errors
    return errors


def _count(project: Project, files: int, *, selected: set[Path] | None) -> str:
    """'3 records and 2 articles', counting only the files PATHS chose when given."""
    chosen = {a.path for a in project.catalog.articles}
    if selected is not None:
        shown = {display_path(f, project.root) for f in selected}
        articles = len(shown & chosen)
        records = files - articles
    else:
        articles = len(chosen)
        records = project.files - articles
    text = f"{records} record{'s' * (records != 1)}"
    if articles:
        text += f" and {articles} article{'s' * (articles != 1)}"
    return text


def _as_error(err: RecordError) -> RecordError:
    return replace(err, severity=Severity.ERROR)


@cli.command()
@click.argument("title")
@click.option(
    "--kind",
    type=click.Choice(["change", "article"]),
    default="change",
    show_default=True,
    help="A change record (changes/) or a knowledge article (docs/articles/).",
)
@click.option("--owner", help="Person or team handle. Default: git config user.name (or email).")
@click.option(
    "--status",
    type=click.Choice([s.value for s in Status]),
    default=Status.SHIPPED.value,
    show_default=True,
    help="Where the change stands.",
)
@click.option("--area", help="The part of the system, e.g. database.")
@click.option("--tag", "tags", multiple=True, help="A tag; repeat for more.")
@click.option(
    "--from-commit",
    "commit",
    metavar="REV",
    help="Take files_touched and commit from this git revision instead of the staged files.",
)
@click.option(
    "--date",
    "when",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The day it shipped (YYYY-MM-DD). Default: today.",
)
@click.option("--force", is_flag=True, help="Replace the file if it already exists.")
@_config_option
def new(
    title: str,
    kind: str,
    owner: str | None,
    status: str,
    area: str | None,
    tags: tuple[str, ...],
    commit: str | None,
    when: dt.datetime | None,
    config_file: Path,
    *,
    force: bool,
) -> None:
    """Write a new change record (or article) from the template and print its path.

    A record is changes/YYYY-MM-DD-slug.md: owner from git, files_touched from the staged files
    (or --from-commit). An article (--kind article) is docs/articles/slug.md (or the first of
    the article_dirs option), revision draft. Fill in every TODO, then run `changetrail check`.
    An existing file is never replaced without --force.
    """
    try:
        settings, root, docs_dir = load_project_config(config_file)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
        return
    title = title.strip()
    if not title or "\n" in title:
        _fail("TITLE must be one non-empty line", EXIT_USAGE)
    owner = owner or git_owner(root)
    if not owner:
        _fail("no owner: pass --owner NAME, or set `git config user.name`", EXIT_USAGE)
        return
    files: list[str] = []
    sha = None
    if kind == "article":
        if commit:
            _fail("--from-commit is for change records, not articles", EXIT_USAGE)
    else:
        try:
            files, sha = git_files(root, commit)
        except ChangetrailError as exc:
            _fail(str(exc), EXIT_USAGE)
            return
    record = NewRecord(
        title=title,
        owner=owner,
        date=when.date() if when else dt.datetime.now().astimezone().date(),
        status=Status(status),
        area=area,
        tags=tags,
        files_touched=tuple(files),
        commit=sha,
        checklist=tuple(settings.default_checklist),
    )
    if kind == "article":
        folder = docs_dir / (settings.article_dirs[0] if settings.article_dirs else "articles")
    else:
        folder = root / settings.changes_dir
    try:
        path = write_new_record(folder, record, force=force, article=kind == "article")
    except ChangetrailError as exc:
        _fail(str(exc), EXIT_PROBLEMS)
        return
    click.echo(display_path(path, Path.cwd()))


@cli.command()
@click.argument("kind", type=click.Choice(["change", "article", "settings"]), default="change")
def schema(kind: str) -> None:
    """Print the JSON Schema of a change record, an article, or the plugin settings.

    Point your editor's YAML language server at it for completion, or validate records with
    any JSON Schema tool.
    """
    models: dict[str, type[BaseModel]] = {
        "change": ChangeRecord,
        "article": Article,
        "settings": Settings,
    }
    model = models[kind]
    click.echo(json.dumps(model.model_json_schema(), indent=2, ensure_ascii=False))


@cli.group(name="import")
def import_() -> None:
    """Bring content in from other tools."""


@import_.command()
@click.argument(
    "paths", nargs=-1, required=True, type=click.Path(exists=True, dir_okay=False, path_type=Path)
)
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    help="Folder for the articles. Default: imported/ under docs_dir.",
)
@click.option("--dry-run", is_flag=True, help="Say what would happen; write nothing.")
@click.option("--force", is_flag=True, help="Overwrite files edited by hand since their import.")
@_config_option
def legacy(
    paths: tuple[Path, ...], out: Path | None, config_file: Path, *, dry_run: bool, force: bool
) -> None:
    """Import articles exported as text from the old site: one article per PATH.

    Safe to run again: unchanged inputs change no file, and a file edited since its import is
    skipped unless --force. One line per file, then a summary. Exit 1 if any input failed.
    """
    from .importer import import_legacy

    try:
        _, _, docs_dir = load_project_config(config_file)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
        return
    report = import_legacy(list(paths), out or docs_dir / "imported", dry_run=dry_run, force=force)
    for line in report.lines():
        click.echo(line)
    sys.exit(EXIT_PROBLEMS if report.failed else EXIT_OK)


@cli.command()
@click.option("--n", "n", type=click.IntRange(min=0), required=True, help="How many pages.")
@click.option("--seed", type=int, default=0, show_default=True, help="Same seed, same files.")
@click.option(
    "--out",
    type=click.Path(file_okay=False, path_type=Path),
    required=True,
    help="An empty folder (or one synth wrote before): it becomes a complete site.",
)
@click.option(
    "--kind",
    type=click.Choice(["articles", "changes", "mixed"]),
    default="mixed",
    show_default=True,
    help="What to write.",
)
def synth(n: int, seed: int, out: Path, kind: str) -> None:
    """Write a synthetic site (articles and change records) for load tests.

    The folder gets mkdocs.yml, docs/ and changes/; run `changetrail build` inside it. The same
    arguments always give byte-identical files.
    """
    from .synth import SynthTargetError
    from .synth import synth as write_corpus

    try:
        report = write_corpus(n, seed, out, kind)  # type: ignore[arg-type]
    except (SynthTargetError, ValueError) as exc:
        _fail(str(exc), EXIT_USAGE)
        return
    click.echo(report.summary())


class _StagingFilter(logging.Filter):
    """Say the site folder where MkDocs would name the temporary one it is really writing."""

    def __init__(self, staging: Path, target: Path) -> None:
        super().__init__()
        self.staging, self.target = str(staging), str(target)

    def filter(self, record: logging.LogRecord) -> bool:
        if record.getMessage() == "Cleaning site directory":
            return False  # it is a fresh temporary folder; the old site is kept until the swap
        if self.staging in record.getMessage():
            record.msg = record.getMessage().replace(self.staging, self.target)
            record.args = ()
        return True


def _setup_logging(
    *, verbose: bool, staging: Path | None = None, target: Path | None = None
) -> None:
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(logging.Formatter("%(levelname)-8s-  %(message)s"))
    if staging is not None and target is not None:
        handler.addFilter(_StagingFilter(staging, target))
    logger = logging.getLogger("mkdocs")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.INFO)
    logger.propagate = False


def _require_plugin(config_file: Path) -> dict[str, Any]:
    """Read mkdocs.yml (leniently) and make sure it enables the plugin; exit 2 if not."""
    try:
        raw = read_mkdocs_yml(config_file)
    except ConfigError as exc:
        _fail(str(exc), EXIT_USAGE)
        raise  # unreachable
    if plugin_options(raw) is None:
        _fail(
            f"{config_file} does not enable the changetrail plugin; add it:\n"
            "    plugins:\n      - search\n      - changetrail",
            EXIT_USAGE,
        )
    return raw


@cli.command()
@click.option(
    "-d",
    "--site-dir",
    type=click.Path(file_okay=False, path_type=Path),
    help="Where to write the site. Default: site_dir of mkdocs.yml (site/).",
)
@click.option("-s", "--strict", is_flag=True, help="Fail on any warning (broken links too).")
@click.option("-v", "--verbose", is_flag=True, help="Show MkDocs' debug output.")
@click.option(
    "--profile",
    is_flag=True,
    help="Print the time of each stage and the build cache's hits and misses.",
)
@click.option(
    "--no-cache",
    is_flag=True,
    help="Build without reading or writing the build cache (cache_dir in mkdocs.yml).",
)
@_config_option
def build(
    site_dir: Path | None,
    config_file: Path,
    *,
    strict: bool,
    verbose: bool,
    profile: bool,
    no_cache: bool,
) -> None:
    """Build the site with MkDocs and the changetrail plugin.

    The site is written to a temporary folder beside the target and swapped in only when the
    build succeeds: a failed build leaves the previous site as it was. Unchanged pages come from
    the build cache (.cache/changetrail/ by default; safe to delete or to keep between CI runs);
    the output is the same with or without it.
    """
    started = time.perf_counter()
    raw = _require_plugin(config_file)
    from mkdocs.commands.build import build as mkdocs_build
    from mkdocs.config import load_config
    from mkdocs.exceptions import Abort, ConfigurationError, MkDocsException

    configured = raw.get("site_dir") if isinstance(raw.get("site_dir"), str) else "site"
    target = (site_dir or config_file.parent / str(configured)).resolve()
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=f".{target.name}-build-", dir=target.parent))
    _setup_logging(verbose=verbose, staging=staging, target=target)
    try:
        try:
            config = load_config(str(config_file), strict=strict, site_dir=str(staging))
        except (Abort, ConfigurationError) as exc:
            shutil.rmtree(staging, ignore_errors=True)
            _fail(f"{config_file}: {exc.format_message()}", EXIT_USAGE)
            return
        plugin = config.plugins.get("changetrail")
        if no_cache and plugin is not None:
            plugin.config["cache"] = False
        config.plugins.on_startup(command="build", dirty=False)
        try:
            mkdocs_build(config)
        finally:
            config.plugins.on_shutdown()
    except MkDocsException as exc:
        shutil.rmtree(staging, ignore_errors=True)
        click.echo(f"Error: {exc.format_message()}", err=True)
        if target.exists():
            click.echo(f"Build failed; the previous site in {target} was left as it was.", err=True)
        else:
            click.echo("Build failed; nothing was written.", err=True)
        sys.exit(EXIT_PROBLEMS)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    _swap_in(staging, target)
    click.echo(f"Site written to {display_path(target, Path.cwd())}", err=True)
    timeline = getattr(plugin, "timeline", None)
    if profile and isinstance(timeline, Timeline):
        timeline.mark("swap the new site in")
        memory = _peak_memory()
        if memory:
            timeline.note("peak memory", memory)
        click.echo(timeline.report(total=time.perf_counter() - started), err=True)


def _peak_memory() -> str:
    """'812 MiB in changetrail, 3,392 MiB in Pagefind' (peak RSS), where the OS tells it."""
    try:
        import resource
    except ImportError:  # not on Windows
        return ""
    scale = 1 if sys.platform == "darwin" else 1024  # ru_maxrss: bytes on macOS, KiB on Linux
    mine = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * scale // 2**20
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * scale // 2**20
    text = f"{mine:,} MiB in changetrail"
    return text + (
        f", {children:,} MiB in its largest child process (Pagefind)" if children else ""
    )


def _swap_in(staging: Path, target: Path) -> None:
    """Replace ``target`` with ``staging`` using renames on one file system."""
    if not target.exists():
        staging.replace(target)
        return
    old = Path(tempfile.mkdtemp(prefix=f".{target.name}-old-", dir=target.parent))
    old.rmdir()
    target.replace(old)
    try:
        staging.replace(target)
    except OSError:
        old.replace(target)
        raise
    _discard(old)


def _discard(folder: Path) -> None:
    """Delete a replaced site without waiting for it.

    The new site is already in place; deleting thousands of old files can take longer than a
    cached build on a slow disk, so a detached process does it. If that process cannot start,
    the folder is deleted here.
    """
    code = "import shutil, sys; shutil.rmtree(sys.argv[1], ignore_errors=True)"
    try:
        subprocess.Popen(
            [sys.executable, "-c", code, str(folder)],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
    except OSError:
        shutil.rmtree(folder, ignore_errors=True)


@cli.command()
@click.option(
    "-a",
    "--dev-addr",
    default="127.0.0.1:8000",
    show_default=True,
    metavar="IP:PORT",
    help="Address to serve on.",
)
@click.option("--open", "open_browser", is_flag=True, help="Open the site in a browser.")
@click.option("-v", "--verbose", is_flag=True, help="Show MkDocs' debug output.")
@_config_option
def serve(dev_addr: str, config_file: Path, *, open_browser: bool, verbose: bool) -> None:
    """Preview the site; a saved record or page shows at once, the rest follows.

    \b
    The first build is a whole build. Then each save builds the saved page on its own
    and reloads the browser; the change log, tag, owner, file and metric pages, similar
    posts, exports and the search index follow in the background, and the browser reloads
    again. A change to mkdocs.yml, a new or deleted page of the docs tree, an asset or a
    file under another watched folder builds the whole site. A record with problems shows
    them in place of its page.
    """
    _require_plugin(config_file)
    _setup_logging(verbose=verbose)
    from mkdocs.exceptions import MkDocsException

    from .live import serve as live_serve

    try:
        live_serve(str(config_file), dev_addr=dev_addr, open_in_browser=open_browser)
    except MkDocsException as exc:
        _fail(exc.format_message(), EXIT_PROBLEMS)


def cli_reference() -> str:
    """Every command's ``--help``, as Markdown, for the CLI reference page."""
    out = []
    ctx = click.Context(cli, info_name="changetrail", max_content_width=100, terminal_width=100)
    out.append("## changetrail\n\n```text\n" + cli.get_help(ctx) + "\n```\n")
    stack: list[tuple[str, click.Command, click.Context]] = [
        (name, cli.commands[name], ctx) for name in sorted(cli.commands, reverse=True)
    ]
    while stack:  # depth first, in name order, so `import legacy` follows `import`
        name, cmd, parent = stack.pop()
        sub = click.Context(
            cmd,
            info_name=name.split()[-1],
            parent=parent,
            max_content_width=100,
            terminal_width=100,
        )
        out.append(f"## changetrail {name}\n\n```text\n{cmd.get_help(sub)}\n```\n")
        if isinstance(cmd, click.Group):
            stack += [
                (f"{name} {n}", cmd.commands[n], sub) for n in sorted(cmd.commands, reverse=True)
            ]
    return "\n".join(out)


#: Set by a command whose process may end without freeing what it read (``check``).
_quick_exit = False


def main() -> None:
    """Entry point of the console script."""
    os.environ.setdefault("PYTHONIOENCODING", "utf-8")
    try:
        cli(prog_name="changetrail")
    except SystemExit as done:
        quick = _quick_exit and sys.getprofile() is None and sys.gettrace() is None
        if quick and (done.code is None or isinstance(done.code, int)):
            # Freeing a check's millions of objects one by one takes a tenth of its time; the
            # process ends anyway. Only its output needs to be out first (and a profiler's or
            # a coverage tool's report, so not under one).
            logging.shutdown()
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(done.code or 0)
        raise
