"""The MkDocs plugin: a thin front door over the core.

It reads the records, stops the build with every problem listed when any record is wrong, and
adds the rendered Markdown pages as generated files. Everything else is in the core.
"""

from __future__ import annotations

import datetime as dt
import html
import json
import os
import posixpath
import threading
from collections import defaultdict
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mkdocs.config import base
from mkdocs.config import config_options as c
from mkdocs.exceptions import PluginError
from mkdocs.plugins import BasePlugin, event_priority, get_plugin_logger
from mkdocs.structure.files import File, Files, InclusionLevel

from .article import Article
from .buildcache import BuildCache
from .catalog import Catalog, build_catalog
from .errors import ChangetrailError, RecordError, Severity
from .gitinfo import SHALLOW_WARNING, History, read_history, repo_links, resolve_commits
from .linkcheck import Layout, rebase_markdown
from .loader import Record, display_path, record_id
from .models import STATUS_DEPENDENT, ChangeRecord
from .pagecache import PageCache
from .pipeline import Project, load_project
from .profile import Progress, Timeline
from .render import ASSETS_DIR, CSS_URI, Renderer, sanitize_html
from .render.article import ArticleRenderer
from .render.context import RepoLinks
from .render.reference import model_reference, replace_markers
from .render.tasks import add_task_progress
from .search import (
    IndexResult,
    SearchIndexError,
    article_facets,
    build_index,
    button_html,
    insert_in_header,
    link_assets,
    page_facets,
    record_facets,
    render_facets,
    root_href,
    write_assets,
)
from .search.shards import PREVIEW_SHARD_SIZE, SIMILAR_SECTION
from .settings import DEFAULT_CHECKLIST, Settings
from .similar import Doc, catalog_docs, compute_similar, update_similar
from .views import (
    RECENT_JS,
    build_day,
    build_view_links,
    records_json_schema,
    render_feeds,
    render_records_json,
    render_views,
    sanitize_view_html,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.livereload import LiveReloadServer
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

    from .loader import ArticlePage
    from .similar import Similar
    from .views import ViewLinks

__all__ = ["ChangetrailConfig", "ChangetrailPlugin"]

log = get_plugin_logger(__name__)

#: Markdown extensions the record pages use; all ship with Python-Markdown.
REQUIRED_EXTENSIONS = ("attr_list", "md_in_html", "admonition", "pymdownx.tasklist")


class ChangetrailConfig(base.Config):
    """Options of ``plugins: - changetrail``; see ``Settings`` for their meaning."""

    enabled = c.Type(bool, default=True)
    changes_dir = c.Type(str, default="changes")
    site_path = c.Type(str, default="changes")
    required = c.Type(dict, default={})
    default_checklist = c.Type(list, default=list(DEFAULT_CHECKLIST))
    code_copy = c.Type(bool, default=True)
    article_dirs = c.Type(list, default=[])
    review_max_age_days = c.Type(int, default=365)
    review_page = c.Type(str, default="needs-review.md")
    similar_posts = c.Type(int, default=5)
    limits = c.Type(dict, default={})
    git_check = c.Type(bool, default=True)
    link_check = c.Type(dict, default={})
    secret_scan = c.Type(bool, default=True)
    code_globs = c.Optional(c.Type(list))
    git_dates = c.Type(bool, default=True)
    search = c.Choice(("pagefind", "material"), default="pagefind")
    cache_dir = c.Type(str, default=".cache/changetrail")
    cache = c.Type(bool, default=True)
    page_size = c.Type(int, default=50)


@dataclass(frozen=True, slots=True)
class Output:
    """What one generation gives: every generated page and file, and what the page hooks need."""

    today: dt.date
    project: Project
    listed: Catalog
    links: ViewLinks
    repo: dict[str, RepoLinks]
    renderer: Renderer
    article_renderer: ArticleRenderer
    #: Generated Markdown pages by src_uri.
    pages: dict[str, str]
    #: Other generated files (schema, exports, script, style) by src_uri.
    other: dict[str, str | bytes]
    view_pages: frozenset[str]
    similar: dict[str, list[Similar]]
    #: What ``similar`` was computed from (and with), for the next generation (`serve`).
    docs: list[Doc]
    similar_limit: int
    #: The Markdown shown in place of each broken page of the docs tree (`serve`).
    broken: dict[str, str]
    layout: Layout


class ChangetrailPlugin(BasePlugin[ChangetrailConfig]):
    """Publish change records as pages, with a change log and tag/owner/status pages."""

    def __init__(self) -> None:
        self.settings = Settings()
        self._settings_json = self.settings.model_dump_json()
        self.root = Path.cwd()
        self.generated: set[str] = set()
        self.command = "build"
        #: Set by `changetrail check --links`, which reports record problems itself: build the
        #: valid records instead of stopping, so links are checked in the same run.
        self.lenient = False
        self.today = dt.datetime.now().astimezone().date()
        self.articles: dict[str, ArticlePage] = {}
        self.similar: dict[str, list[Similar]] = {}
        self.broken: dict[str, str] = {}
        self.view_pages: set[str] = set()
        self.sources: dict[str, Path] = {}
        self.record_src: dict[str, str] = {}
        self.page_urls: dict[str, str] = {}
        self.layout: Layout | None = None
        self.history: History | None = None
        self.repo_url: str | None = None
        #: Stage times of the last build (printed by `changetrail build --profile`).
        self.timeline = Timeline()
        self.cache: PageCache | None = None
        self.nav: Navigation | None = None
        self.progress: Progress | None = None
        #: `serve` only: the Pagefind run of the last build, in the background.
        self.indexer: threading.Thread | None = None
        #: `serve` only: what the last build used, so one page can be built again (``live``).
        self.live_files: Files | None = None
        self.env: jinja2.Environment | None = None
        self.output: Output | None = None
        self.catalog: Catalog = build_catalog([])
        self.renderer = Renderer(self.settings)
        #: Each page's similar-posts features, by the object it was made from (``catalog_docs``).
        self._known_docs: dict[str, tuple[object, Doc]] = {}
        #: `serve` only: records saved since the last generation, by lower-cased id (``live``).
        self.fresh: dict[str, Record] = {}

    def on_startup(self, *, command: str, dirty: bool) -> None:
        self.command = command
        # MkDocs keeps plugin instances between builds in one process: nothing carries over.
        self.lenient = False

    def on_shutdown(self) -> None:
        self.wait_for_index()
        self.lenient = False

    def on_config(self, config: MkDocsConfig) -> MkDocsConfig | None:
        self.wait_for_index()  # a `serve` rebuild must not clear the site under Pagefind
        if not self.config.enabled:
            return None
        try:
            self.settings = Settings.from_options(dict(self.config))
        except ChangetrailError as exc:
            raise PluginError(str(exc)) from exc
        self.root = Path(config.config_file_path or ".").resolve().parent
        for ext in REQUIRED_EXTENSIONS:
            if ext not in config.markdown_extensions:
                config.markdown_extensions.append(ext)
                if ext == "pymdownx.tasklist":  # Material styles its custom checkboxes
                    config.mdx_configs.setdefault(ext, {"custom_checkbox": True})
        config.extra_css.append(CSS_URI)
        self.repo_url = config.repo_url
        config.extra_javascript.append(RECENT_JS_URI)
        if self.settings.code_copy and config.theme.name == "material":
            features = config.theme.get("features") or []
            if "content.code.copy" not in features:
                config.theme["features"] = [*features, "content.code.copy"]
        if self.settings.search == "pagefind":
            _drop_material_search(config)
        return config

    # Run after other plugins added their files, so a records folder inside docs_dir is seen.
    @event_priority(-50)
    def on_files(self, files: Files, /, *, config: MkDocsConfig) -> Files | None:
        if not self.config.enabled:
            return None
        self.timeline = Timeline()
        self._settings_json = self.settings.model_dump_json()  # part of cache keys
        folder = self.root / self.settings.cache_dir if self.settings.cache else None
        self.cache = PageCache(BuildCache(folder), config)
        self.history = None
        if self.settings.git_dates:
            self.history = read_history(self.root)
            if self.history.shallow:
                log.warning(SHALLOW_WARNING)
            elif self.history.warning:
                log.debug(self.history.warning)
        self.timeline.mark("git history")
        docs_dir = Path(config.docs_dir).resolve()
        out = self.generate(config, docs_dir, cache=self.cache)
        self.use(out)

        changes_dir = (self.root / self.settings.changes_dir).resolve()
        if changes_dir.is_relative_to(docs_dir):
            # Records inside docs_dir would also be published raw; our pages replace them.
            # Only Markdown goes: images and other assets in that folder stay in the site.
            for file in list(files):
                src = file.abs_src_path
                if src and src.endswith(".md") and Path(src).resolve().is_relative_to(changes_dir):
                    files.remove(file)
        for uri, markdown in out.pages.items():
            _replace(files, self.page_file(config, uri, markdown))
        for uri, content in out.other.items():
            _replace(files, File.generated(config, uri, content=content))
        log.info(
            "%d change records -> %d pages under %s/",
            len(out.project.catalog.records),
            sum(uri.startswith(f"{self.settings.site_path}/") for uri in out.pages),
            self.settings.site_path,
        )
        self.timeline.mark("add generated files")
        if self.command == "serve":
            self.live_files = files
        return files

    def page_file(self, config: MkDocsConfig, uri: str, markdown: str) -> File:
        """The MkDocs file of a generated page."""
        # Only the change log goes in the navigation: a sidebar entry per record would make
        # every page, and so the build, grow with the number of records.
        # With an explicit `nav`, the site owner decides; no "not in nav" notices for ours.
        index_uri = f"{self.settings.site_path}/index.md"
        in_nav = uri in (index_uri, self.settings.review_page) and config.nav is None
        inclusion = InclusionLevel.UNDEFINED if in_nav else InclusionLevel.NOT_IN_NAV
        return File.generated(config, uri, content=markdown, inclusion=inclusion)

    def generate(
        self,
        config: MkDocsConfig,
        docs_dir: Path,
        *,
        cache: PageCache | None,
        quiet: bool = False,
        project: Project | None = None,
    ) -> Output:
        """Read every record and article and render every generated page and file.

        Changes nothing on the plugin but its timeline and the similar-posts features it keeps,
        so `serve` can run it in the background while the pages of the last run are still in
        use (see ``live``); there
        ``quiet`` logs the number of problems instead of each one, and ``project`` is what it
        read (``pipeline.reload_files``), instead of reading every file.
        """
        now = build_time()
        today = build_day(now)
        if project is None:
            project = load_project(self.root, self.settings, docs_dir=docs_dir, today=today)
        self.timeline.mark("read and check records and articles")
        if self.settings.secret_scan:
            # A build must never publish a credential: a finding stops it like any error.
            from .secretscan import file_reader, scan_secrets

            found = scan_secrets(
                [*project.catalog.records, *project.catalog.articles],
                read_source=file_reader(self.root),
            )
            if found:
                project = replace(project, errors=(*project.errors, *found))
        self.timeline.mark("secret scan")
        if not quiet:
            self._report(project)
        elif project.errors:
            count = len(project.errors)
            log.info("%d problem%s; 'changetrail check' lists them", count, "s"[: count != 1])

        # Record pages are pure functions of their template context: the cache keeps them.
        renderer = Renderer(self.settings, memo=cache.memo_parts if cache else None)
        preview = self.command == "serve"
        listed = project.catalog.listed(today, drafts=preview)
        links = build_view_links(project.catalog, now=now)
        repo = self._record_links(project)
        pages = renderer.render_site(
            project.catalog, listed=listed, drafts=preview, links=links, repo=repo
        )
        views = render_views(project.catalog, renderer, self.settings, now=now, links=links)
        pages.update(views)  # the owners views replace the plain owner pages
        self.timeline.mark("render record, index and view pages")
        article_renderer = ArticleRenderer(
            renderer, self.settings, today, directory_urls=config.use_directory_urls
        )
        similar: dict[str, list[Similar]] = {}
        docs: list[Doc] = []
        limit = self.settings.similar_posts
        if project.catalog.articles:
            pages.update(article_renderer.review_pages(project.catalog))
            if limit:
                docs = catalog_docs(
                    project.catalog,
                    memo=cache.memo_json if cache else None,
                    known=self._known_docs,
                )
                last = self.output
                if last is not None and last.docs and last.similar_limit == limit:
                    # `serve`: only the articles a save can reach are scored again.
                    similar = update_similar(last.docs, docs, last.similar, limit=limit)
                else:
                    similar = compute_similar(docs, limit=limit)
        self.timeline.mark("similar posts and review page")
        broken: dict[str, str] = {}
        if preview:
            problem_pages, broken = self._problem_pages(project, renderer, docs_dir)
            pages.update(problem_pages)
        # The schema is published with the site, so editors can point at a URL that is current.
        other: dict[str, str | bytes] = {
            f"{self.settings.site_path}/schema.json": json.dumps(
                ChangeRecord.model_json_schema(), indent=2, ensure_ascii=False
            ),
            **self._exports(project, config, now),
            RECENT_JS_URI: RECENT_JS.read_bytes(),
            CSS_URI: (ASSETS_DIR / "changetrail.css").read_bytes(),
        }
        return Output(
            today=today,
            project=project,
            listed=listed,
            links=links,
            repo=repo,
            renderer=renderer,
            article_renderer=article_renderer,
            pages=pages,
            other=other,
            view_pages=frozenset(views),
            similar=similar,
            docs=docs,
            similar_limit=limit,
            broken=broken,
            layout=Layout.build(
                self.root,
                docs_dir,
                records=project.catalog.records,
                changes_dir=self.settings.changes_dir,
                site_path=self.settings.site_path,
            ),
        )

    def use(self, out: Output) -> None:
        """Make the hooks of the page events work from ``out``."""
        catalog = out.project.catalog
        self.fresh = {}
        self.output = out
        self.today = out.today
        self.catalog = catalog
        self.renderer = out.renderer
        self.article_renderer = out.article_renderer
        self.articles = {a.uri: a for a in catalog.articles}
        self.similar = out.similar
        self.broken = dict(out.broken)
        self.view_pages = set(out.view_pages)
        self.generated = set(out.pages)
        self.layout = out.layout
        self.page_urls = {}
        site_path = self.settings.site_path
        self.sources = {f"{site_path}/{r.id}.md": self.root / r.path for r in catalog.records}
        self.record_src = {f"{site_path}/{r.id}.md": r.path for r in catalog.records}

    def _report(self, project: Project) -> None:
        """Log the problems of a build; stop it when any is an error (not in a preview)."""
        if self.lenient and project.failed:
            return  # the caller reports these problems
        if self.command == "serve" and project.failed:
            # A preview must survive a half-written record: report, serve the valid ones, and
            # show each broken file's problems where its page would be.
            for problem in project.errors:
                log.warning(problem.format_text())
            return
        stale = 0
        for warning in project.errors:
            if warning.severity != "warning":
                continue
            # A stale review is shown on the site (badge, review page) and reported by
            # `changetrail check`; it must not fail `mkdocs build --strict`.
            if warning.code.startswith("review."):
                stale += 1
            else:
                log.warning(warning.format_text())
        if stale:
            log.info(
                "%d article%s review; see %s or run 'changetrail check'",
                stale,
                "s need" if stale != 1 else " needs",
                self.settings.review_page,
            )
        try:
            project.raise_for_errors()
        except ChangetrailError as exc:
            raise PluginError(
                f"changetrail found problems in the change records and articles:\n{exc}"
            ) from exc

    def on_nav(
        self, nav: Navigation, /, *, config: MkDocsConfig, files: Files
    ) -> Navigation | None:
        if not self.config.enabled:
            return None
        self.nav = nav
        self.timeline.mark("MkDocs: navigation")
        total = len(files.documentation_pages())
        self.progress = Progress("converted pages", total, log.info)
        return None

    def on_pre_page(self, page: Page, /, *, config: MkDocsConfig, files: Files) -> Page | None:
        if self.config.enabled and self.cache is not None:
            self.cache.wrap_read_source(page)
            self.cache.wrap_render(page)
        return None

    def on_env(
        self, env: jinja2.Environment, /, *, config: MkDocsConfig, files: Files
    ) -> jinja2.Environment | None:
        if not self.config.enabled:
            return None
        self.timeline.mark("Markdown to HTML (all pages)")
        if self.command == "serve":
            self.env = env
        if self.cache is not None and self.nav is not None:
            self.cache.plan_outputs(env, files, self.nav)
        total = len(files.documentation_pages())
        self.progress = Progress("wrote pages", total, log.info)
        return env

    def on_post_build(self, *, config: MkDocsConfig) -> None:
        if not self.config.enabled:
            return
        self.timeline.mark("theme templates and writing pages")
        self._index_search(config)
        self.timeline.mark("search index (Pagefind)")
        self._close_cache(prune=True)

    def _index_search(self, config: MkDocsConfig) -> None:
        """Write the search script and run Pagefind over the built site (``search: pagefind``).

        Runs after every build, `serve`'s rebuilds included, so the index always matches the
        pages. `changetrail check --links` (lenient) builds only to check links: no index.
        """
        if self.settings.search != "pagefind":
            return
        site_dir = Path(config.site_dir)
        write_assets(site_dir)
        if self.lenient:
            return
        if self.command == "serve":
            # The preview serves the rebuilt pages at once; search catches up seconds later.
            # The next build waits for this one (on_config) before it clears the site folder.
            self.wait_for_index()
            self.indexer = threading.Thread(
                target=self._index_in_background,
                kwargs={"site_dir": site_dir, "directory_urls": config.use_directory_urls},
                name="changetrail-pagefind",
                daemon=True,
            )
            self.indexer.start()
            return
        try:
            result = build_index(
                site_dir,
                directory_urls=config.use_directory_urls,
                cache_dir=self.root / self.settings.cache_dir if self.settings.cache else None,
            )
        except SearchIndexError as exc:
            raise PluginError(f"search index: {exc}") from None
        _log_index(result)

    def _index_in_background(self, *, site_dir: Path, directory_urls: bool) -> None:
        """`serve`: index the rebuilt site; a failure is a warning, the preview goes on."""
        try:
            # Its own cache: a preview's shards are smaller, and its runs must not prune the
            # entries of `changetrail build`.
            result = build_index(
                site_dir,
                directory_urls=directory_urls,
                cache_dir=self.root / self.settings.cache_dir / "preview"
                if self.settings.cache
                else None,
                shard_size=PREVIEW_SHARD_SIZE,
            )
        except SearchIndexError as exc:
            log.warning("search index: %s", exc)
            return
        _log_index(result)

    def wait_for_index(self) -> None:
        """Let a background indexing run (from the last `serve` build) finish."""
        indexer, self.indexer = self.indexer, None
        if indexer is not None:
            indexer.join()

    def on_build_error(self, *, error: Exception) -> None:
        self._close_cache(prune=False)

    def _close_cache(self, *, prune: bool) -> None:
        cache, self.cache = self.cache, None
        if cache is None:
            return
        if cache.store.enabled:
            self.timeline.note("cache", cache.store.summary() or "empty")
        else:
            self.timeline.note("cache", "off")
        cache.close(prune=prune)
        self.progress = None

    def on_page_markdown(
        self, markdown: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        uri = page.file.src_uri
        self.page_urls[page.url] = uri  # for `changetrail check --links`
        if uri in self.record_src and self.layout is not None:
            # Links in a record are written relative to its file in changes/ (so they work in
            # the repository too); rewrite those that reach a published file for the site.
            return rebase_markdown(
                markdown, source_path=self.record_src[uri], page_uri=uri, layout=self.layout
            )
        if uri in self.generated:
            return None
        if page.file.src_uri in self.broken:
            page.meta["title"] = html.escape(f"Problems in {page.file.src_uri}")
            return self.broken[page.file.src_uri]
        article = self.articles.get(page.file.src_uri)
        if article is not None:
            # Material writes page.meta.title into <title> and page.meta.description into a
            # <meta content="..."> attribute without escaping: escape both once here.
            page.meta["title"] = html.escape(article.meta.title, quote=True)
            description = article.meta.description or article.meta.summary
            if description:
                page.meta["description"] = html.escape(" ".join(description.split()), quote=True)
            if article.meta.tags:
                # Material's search index copies page.meta.tags, and its results show them
                # through innerHTML.
                page.meta["tags"] = [html.escape(t, quote=True) for t in article.meta.tags]
            similar = self.similar.get(f"article:{article.uri}", [])
            renderer = self.article_renderer
            if self.cache is None:
                return renderer.page_markdown(markdown, article, similar)
            # Everything the page's Markdown depends on; the rendering code is in the key too.
            parts = [
                markdown,
                article.uri,
                article.hash,
                article.reading_time,
                article.meta.model_dump_json(),
                [(s.key, s.kind, s.title, s.score, s.shared) for s in similar],
                self._settings_json,
                self.today.isoformat(),
                renderer.directory_urls,
            ]
            return self.cache.memo_parts(
                "article-markdown",
                parts,
                lambda: renderer.page_markdown(markdown, article, similar),
            )
        if "changetrail:reference" not in markdown:
            return None
        return replace_markers(markdown, _reference_tables())

    def _exports(self, project: Project, config: MkDocsConfig, now: dt.datetime) -> dict[str, str]:
        """records.json with its schema, and the feeds when the site has a site_url."""
        base = self.settings.site_path
        out = {
            f"{base}/records.json": render_records_json(project.catalog, now=now),
            f"{base}/records.schema.json": json.dumps(records_json_schema(), indent=2),
        }
        if not config.site_url:
            log.info("feeds need site_url in mkdocs.yml; none were written")
            return out
        feeds = render_feeds(
            project.catalog,
            site_url=config.site_url,
            site_name=config.site_name,
            now=now,
            site_path=base,
            directory_urls=config.use_directory_urls,
        )
        out.update({f"{base}/{name}": xml for name, xml in feeds.items()})
        return out

    def on_post_page(self, output: str, /, *, page: Page, config: MkDocsConfig) -> str | None:
        if not self.config.enabled:
            return None
        if self.cache is not None:
            self.cache.store_output(page, output)  # the theme's output, before our changes
        if self.progress is not None:
            self.progress.step()
        # "Recent changes" in the header of every page: one click away during an incident.
        target = f"{self.settings.site_path}/recent" + (
            "/" if config.use_directory_urls else ".html"
        )
        base = page.url if page.url.endswith("/") else posixpath.dirname(page.url)
        href = posixpath.relpath(target, base.rstrip("/") or ".")
        if config.use_directory_urls:
            href += "/"
        link = (
            f'<a class="md-header__button ct-header-recent" href="{html.escape(href)}" '
            'title="Recent changes">Recent changes</a>'
        )
        pagefind = self.settings.search == "pagefind"
        root = root_href(page.url)
        out = insert_in_header(output, link + (button_html(root) if pagefind else ""))
        if out is None:  # not Material's header
            return None
        return link_assets(out, root) if pagefind else out

    def _problem_pages(
        self, project: Project, renderer: Renderer, docs_dir: Path
    ) -> tuple[dict[str, str], dict[str, str]]:
        """Pages showing the problems of broken records, and the Markdown that replaces each
        broken page of the docs tree (by src_uri)."""
        by_file: dict[str, list[RecordError]] = defaultdict(list)
        for problem in project.errors:
            if problem.severity is Severity.ERROR:
                by_file[problem.file].append(problem)
        pages: dict[str, str] = {}
        broken: dict[str, str] = {}
        valid = {r.path for r in project.catalog.records}
        for path, errors in by_file.items():
            file = self.root / path
            if file.resolve().is_relative_to(docs_dir):
                text = renderer.render_problems(path, errors, standalone=False)
                broken[display_path(file, docs_dir)] = text
            elif path not in valid:
                text = renderer.render_problems(path, errors)
                pages[f"{self.settings.site_path}/{record_id(file)}.md"] = text
        return pages, broken

    def on_page_content(
        self, html: str, /, *, page: Page, config: MkDocsConfig, files: Files
    ) -> str | None:
        if not self.config.enabled:
            return None
        if self.progress is not None:
            self.progress.step()
        uri = page.file.src_uri
        if uri in self.view_pages:
            out = self._pure("view", html, sanitize_view_html)  # allows the charts' SVG
        elif uri in self.articles:
            out = self._pure("article", html, _clean_article)
        elif uri in self.generated:
            # Record pages carry author-written Markdown; strip anything that could run code.
            out = self._pure("page", html, sanitize_html)
        else:
            out = html
        source = self.sources.get(uri) or (
            Path(page.file.abs_src_path) if page.file.abs_src_path else None
        )
        dates = self._git_dates(source)
        listing = uri in self.generated and uri not in self.record_src
        if self.settings.search == "pagefind" and not listing:
            # Only the content is indexed (not the header, navigation or footer), with the facets.
            # Generated lists (change log, tag, owner, file pages...) are left out: they repeat
            # the titles of the records they list, and at 10,000 records they are a quarter of
            # the pages Pagefind would read; search leads to the records and articles.
            facets = self._search_facets(page, source)
            if uri in self.articles:
                out = out.replace('<div class="ct-similar">', SIMILAR_SECTION.decode(), 1)
            out = f"<div data-pagefind-body>\n{out}\n{facets}</div>"
        return out + dates if dates or out is not html else None

    def _pure(self, step: str, html: str, work: Callable[[str], str]) -> str:
        """``work(html)``, from the build cache when this HTML went through it before."""
        if self.cache is None:
            return work(html)
        return self.cache.memo(step, html, work)

    def _search_facets(self, page: Page, source: Path | None) -> str:
        """Pagefind's filters, sort key and title for a page: a record, an article or a page."""
        uri = page.file.src_uri
        if uri in self.record_src:
            rid = uri.removeprefix(f"{self.settings.site_path}/").removesuffix(".md")
            rec = self.fresh.get(rid.lower()) or self.catalog.get(rid)
            if rec is not None:
                return render_facets(record_facets(rec.meta))
        changed = None
        if self.history is not None and source is not None:
            info = self.history.for_file(source)
            if info is not None and info.last_changed is not None:
                changed = info.last_changed.date.date()
        article = self.articles.get(uri)
        if article is not None:
            facets = article_facets(article.meta)
            if facets.date is None:
                facets = replace(facets, date=changed)
            return render_facets(facets)
        return render_facets(page_facets(page.title or "", changed))

    def _git_dates(self, source: Path | None) -> str:
        """'Created … by …, last changed … by …' from the one history read of this build."""
        if self.history is None or source is None:
            return ""
        info = self.history.for_file(source)
        if info is None:
            return ""
        parts = []
        for label, change in (("Created", info.created), ("last changed", info.last_changed)):
            if change is not None:
                when = change.date.date().isoformat()
                parts.append(
                    f'{label} <time datetime="{when}">{when}</time> by {html.escape(change.author)}'
                )
        if not parts:
            return ""
        return f'\n<aside class="md-source-file ct-git-dates">{" · ".join(parts)}</aside>\n'

    def _record_links(self, project: Project) -> dict[str, RepoLinks]:
        """Links to the repository's web view for each record's files and commit."""
        if not self.repo_url:
            return {}
        shas = resolve_commits(
            self.root, {r.meta.commit for r in project.catalog.records if r.meta.commit}
        )
        out = {}
        for rec in project.catalog.records:
            sha = shas.get(rec.meta.commit) if rec.meta.commit else None
            out[rec.id] = RepoLinks(
                commit=repo_links(self.repo_url, commit=sha, path=None) if sha else None,
                files={
                    p: repo_links(self.repo_url, commit=None, path=p)
                    for p in rec.meta.files_touched
                },
            )
        return out

    def on_serve(
        self, server: LiveReloadServer, /, *, config: MkDocsConfig, builder: Any
    ) -> LiveReloadServer | None:
        if self.config.enabled:
            changes_dir = self.root / self.settings.changes_dir
            if changes_dir.is_dir():
                server.watch(str(changes_dir))
        return server


RECENT_JS_URI = "assets/changetrail/recent.js"


def build_time() -> dt.datetime:
    """Now, in UTC; or SOURCE_DATE_EPOCH when set, so two builds can be byte-identical."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    if epoch.isdigit():
        return dt.datetime.fromtimestamp(int(epoch), tz=dt.UTC)
    return dt.datetime.now(tz=dt.UTC)


def _reference_tables() -> dict[str, str]:
    from .cli import cli_reference  # the CLI is the other front door; imported only here

    return {
        "change": model_reference(
            ChangeRecord, required=dict.fromkeys(STATUS_DEPENDENT, "by status")
        ),
        "article": model_reference(Article),
        "settings": model_reference(Settings),
        "cli": cli_reference(),
    }


def _clean_article(html: str) -> str:
    """An article's HTML with its checklist's progress bar, sanitized."""
    return sanitize_html(add_task_progress(html))


def _log_index(result: IndexResult) -> None:
    log.info(
        "search: Pagefind indexed %d pages in %.1f s (%.1f MB in pagefind/; "
        "%d shard%s, %d from the cache)",
        result.pages,
        result.seconds,
        result.bytes / 1e6,
        result.shards,
        "" if result.shards == 1 else "s",
        result.reused,
    )


def _drop_material_search(config: MkDocsConfig) -> None:
    """Take Material's ``search`` plugin out of this build: Pagefind replaces it.

    Without this, ``search`` (listed in mkdocs.yml, or added by MkDocs when ``plugins`` is
    absent) would still write its one-file index, 18 MB at 2,000 pages. Its event handlers are
    unregistered too; the lists are replaced, not changed in place, because MkDocs is iterating
    over the ``config`` handlers while this runs.
    """
    plugins = config.plugins
    names = [name for name in plugins if name in ("search", "material/search")]
    if not names:
        return
    for name in names:
        plugin = plugins.pop(name)
        for event, handlers in plugins.events.items():
            plugins.events[event] = [
                h for h in handlers if getattr(h, "__self__", None) is not plugin
            ]
    log.info("search: Pagefind replaces Material's search plugin ('search: material' keeps it)")


def _replace(files: Files, file: File) -> None:
    existing = files.get_file_from_path(file.src_uri)
    if existing is not None:
        files.remove(existing)
    files.append(file)
