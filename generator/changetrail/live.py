"""`changetrail serve`: a preview that shows a saved record in a fraction of a second.

MkDocs' own ``serve`` builds the whole site again on every save: 85 s at 10,000 pages. This
preview does it in two steps instead:

1. **The saved page, at once.** The file is read and checked again on its own, its page is
   rendered, and MkDocs builds that one page with the navigation and theme of the last build;
   then the browsers reload. A broken save shows its problems in place of the page.
2. **Everything else, in the background.** Every record and article is read again (from the
   check cache, so only the saved files are parsed) and every generated page rendered in
   memory; the pages whose Markdown changed (change log, tag, owner, file and metric pages,
   similar posts, ...) and the exports are built again, the search index is brought up to
   date (only its changed shards), and the browsers reload once more. A save during this step
   starts it over.

Anything this cannot do one page at a time (``mkdocs.yml``, a new or deleted page of the docs
tree, an asset, a file under another watched folder, a page whose navigation title changed)
builds the whole site, as MkDocs does.

File changes come from inotify (watchdog's native observer) rather than MkDocs' half-second
polling, which at 10,000 files also cost a tenth of a core. This module is MkDocs' side of the
preview; it uses MkDocs' page-building functions (``mkdocs.commands.build``), which are
private, so ``pyproject.toml`` keeps MkDocs below 2 and ``tests/test_live.py`` runs them.
"""

from __future__ import annotations

import contextlib
import functools
import logging
import os
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import watchdog.events
import watchdog.observers
from mkdocs.commands import build as mkdocs_build
from mkdocs.config import load_config
from mkdocs.livereload import LiveReloadServer, _serve_url, _timestamp
from mkdocs.plugins import get_plugin_logger
from mkdocs.structure.pages import Page

from .buildcache import BuildCache
from .errors import Severity
from .loader import (
    IGNORED_NAMES,
    ArticlePage,
    Job,
    Loaded,
    Record,
    Unread,
    display_path,
    in_article_dirs,
    record_id,
)
from .pagecache import PageCache
from .pipeline import load_one, paused_gc, reload_files
from .plugin import ChangetrailPlugin, Output, build_time
from .search import SearchIndexError, build_index
from .search.shards import PREVIEW_SHARD_SIZE
from .views import build_day

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator, Sequence

    import jinja2
    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import File, Files
    from mkdocs.structure.nav import Navigation

    from .errors import RecordError

__all__ = ["LiveServer", "Preview", "serve"]

log = get_plugin_logger(__name__)
#: MkDocs' own lines ("Building documentation...") under MkDocs' name, as `mkdocs serve` shows them.
serve_log = logging.getLogger("mkdocs.commands.serve")

#: The file events that mean a change (inotify also reports opening and reading a file, which
#: the preview itself does to every record).
EVENTS: list[type[watchdog.events.FileSystemEvent]] = [
    watchdog.events.FileCreatedEvent,
    watchdog.events.FileModifiedEvent,
    watchdog.events.FileDeletedEvent,
    watchdog.events.FileMovedEvent,
    watchdog.events.FileClosedEvent,
    watchdog.events.DirDeletedEvent,
    watchdog.events.DirMovedEvent,
]


class LiveServer(LiveReloadServer):
    """MkDocs' preview server, told of each changed path as soon as it changes.

    It keeps MkDocs' request handling and browser reloading; only the watching differs: the
    native observer (inotify on Linux) instead of a poll every half second, and the changed
    paths are kept for the builder (``take_changes``).
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        # inotify (or the platform's own events) instead of MkDocs' PollingObserver.
        self.observer = watchdog.observers.Observer()  # type: ignore[assignment]
        self._changes: set[str] = set()
        self._changes_lock = threading.Lock()

    def watch(self, path: str, func: None = None, *, recursive: bool = True) -> None:
        """Watch ``path``: each change is kept and asks for a rebuild."""
        path = str(Path(path).absolute())
        if path in self._watched_paths:
            self._watched_paths[path] += 1
            return
        self._watched_paths[path] = 1
        handler = watchdog.events.FileSystemEventHandler()
        handler.on_any_event = self._on_event  # type: ignore[method-assign]
        self._watch_refs[path] = self.observer.schedule(
            handler, path, recursive=recursive, event_filter=EVENTS
        )

    def _on_event(self, event: watchdog.events.FileSystemEvent) -> None:
        paths = [event.src_path, getattr(event, "dest_path", "")]
        with self._changes_lock:
            for path in paths:
                if path:
                    text = os.fsdecode(path)
                    self._changes.add(text + os.sep if event.is_directory else text)
        with self._rebuild_cond:
            self._want_rebuild = True
            self._rebuild_cond.notify_all()

    def take_changes(self) -> set[str]:
        """The paths changed since the last call (a folder's path ends with a separator)."""
        with self._changes_lock:
            changes, self._changes = self._changes, set()
        return changes

    @contextlib.contextmanager
    def updating(self) -> Iterator[None]:
        """Hold requests while pages are written (as MkDocs does during a build, so no reader
        gets a half-written file), then reload every open page."""
        with self._epoch_cond:
            self._wanted_epoch = _timestamp()
        try:
            yield
        finally:
            with self._epoch_cond:
                self._visible_epoch = self._wanted_epoch
                self._epoch_cond.notify_all()


class Preview:
    """The page-at-a-time half of the preview, over the state of the last full build."""

    def __init__(self, server: LiveServer, plugin: ChangetrailPlugin, config: MkDocsConfig):
        self.server = server
        self.plugin = plugin
        self.config = config
        self.lock = threading.RLock()
        #: Bumped by every save; a background update that started before it starts over.
        self.version = 0
        self.worker: threading.Thread | None = None
        #: True from the start of a background update until it ends (under ``lock``).
        self.running = False
        self.stopping = False
        #: Each page's time, size and digest when the search index was last brought up to date.
        self.seen: dict[str, tuple[int, int, str, bool]] = {}
        #: True when a save added or removed a page since the last generation (the sitemap
        #: and the order of the files then change).
        self.reshaped = False
        #: The files read again since the last generation, by path as shown in messages.
        self.records: dict[str, Loaded] = {}
        self.pages: dict[str, Loaded] = {}

    # -- step 1: the saved pages -------------------------------------------------------------

    def update(self, changes: set[str]) -> bool:
        """Build again the pages of the changed files; False when it needs a full build."""
        plugin = self.plugin
        parts = _parts(plugin)
        if parts is None or plugin.output is None or not changes:
            return False
        if plugin.settings.search != "pagefind":
            # Material's search plugin indexes pages as a whole build renders them; it is for
            # small sites, which build whole in a few seconds.
            return False
        files, nav, env = parts
        started = time.perf_counter()
        plans = [self._plan(path, files) for path in sorted(changes)]
        if any(plan is None for plan in plans):
            return False
        todo = [plan for plan in plans if plan is not None and plan[0] != "skip"]
        if not todo:
            return True
        with self.lock:
            self.version += 1
            for kind, path, uri in todo:
                if kind == "record":
                    self._record(path, uri, files, nav, env)
                elif not self._page(path, uri, files, nav, env):
                    return False
        log.info(
            "preview: %s built again in %.2f s; lists, similar posts and search follow",
            ", ".join(uri for _, _, uri in todo),
            time.perf_counter() - started,
        )
        self._start_refresh()
        return True

    def _plan(self, text: str, files: Files) -> tuple[str, Path, str] | None:
        """What a changed path needs: ("record" | "page" | "skip", path, src_uri), or None
        for a full build."""
        plugin = self.plugin
        if text.endswith(os.sep):
            return None  # a folder moved or deleted
        path = Path(text)
        changes_dir = (plugin.root / plugin.settings.changes_dir).resolve()
        docs_dir = Path(self.config.docs_dir).resolve()
        config_file = self.config.config_file_path
        if config_file and Path(config_file).absolute() == path.absolute():
            return None
        hidden = any(part.startswith(".") for part in path.parts)
        if path.is_relative_to(changes_dir):
            under = path.relative_to(changes_dir).parts
            record = (
                path.suffix == ".md"
                and not any(part.startswith((".", "_")) for part in under)
                and path.name.lower() not in IGNORED_NAMES
            )
            if record:
                return ("record", path, f"{plugin.settings.site_path}/{record_id(path)}.md")
            if not path.is_relative_to(docs_dir):
                return ("skip", path, "")  # an editor's backup or swap file, a README...
        if path.is_relative_to(docs_dir):
            if hidden:
                return ("skip", path, "")  # MkDocs leaves hidden files out
            uri = path.relative_to(docs_dir).as_posix()
            file = files.get_file_from_path(uri)
            if path.suffix == ".md" and file is not None and path.is_file():
                return ("page", path, uri)
            return None  # a new or deleted page, or an asset
        return None  # another watched path (`watch:` in mkdocs.yml: theme overrides...)

    def _record(
        self, path: Path, uri: str, files: Files, nav: Navigation, env: jinja2.Environment
    ) -> None:
        plugin, config = self.plugin, self.config
        out = plugin.output
        assert out is not None
        file = files.get_file_from_path(uri)
        if not path.is_file():
            self.records[display_path(path, plugin.root)] = None
            if file is not None:  # deleted: the background update removes it from the lists
                files.remove(file)
                Path(file.abs_dest_path).unlink(missing_ok=True)
                self.reshaped = True
            plugin.generated.discard(uri)
            plugin.fresh.pop(record_id(path).lower(), None)
            return
        shown = display_path(path, plugin.root)
        loaded = load_one(Job(path, shown, record_id(path)), plugin.root, plugin.settings)
        self.records[shown] = loaded
        _warn(loaded)
        if isinstance(loaded, Record):
            markdown = out.renderer.render_record(
                loaded, out.listed, out.links, out.repo.get(loaded.id)
            )
            plugin.fresh[loaded.id.lower()] = loaded
            plugin.sources[uri] = path
            plugin.record_src[uri] = loaded.path
        else:
            markdown = out.renderer.render_problems(shown, _problems(loaded))
            plugin.fresh.pop(record_id(path).lower(), None)
            plugin.sources.pop(uri, None)
            plugin.record_src.pop(uri, None)
        plugin.generated.add(uri)
        if file is None:
            file = plugin.page_file(config, uri, markdown)
            files.append(file)
            Page(None, file, config)
            self.reshaped = True
        else:
            file.content_string = markdown
        self._build(file, files, nav, env)

    def _page(
        self, path: Path, uri: str, files: Files, nav: Navigation, env: jinja2.Environment
    ) -> bool:
        """A page of the docs tree (an article or not); False when the navigation changes."""
        plugin = self.plugin
        file = files.get_file_from_path(uri)
        assert file is not None
        assert file.page is not None
        forced = in_article_dirs(uri, plugin.settings.article_dirs)
        shown = display_path(path, plugin.root)
        job = Job(path, shown, uri, article=True, forced=forced)
        loaded = load_one(job, plugin.root, plugin.settings)
        self.pages[shown] = loaded
        _warn(loaded)
        plugin.broken.pop(uri, None)
        plugin.articles.pop(uri, None)
        if isinstance(loaded, ArticlePage):
            plugin.articles[uri] = loaded
        elif problems := _problems(loaded):
            plugin.broken[uri] = plugin.renderer.render_problems(shown, problems, standalone=False)
        title = file.page.title
        in_nav = file.page in nav.pages
        self._build(file, files, nav, env)
        return not in_nav or file.page.title == title

    def _build(
        self,
        file: File,
        files: Files,
        nav: Navigation,
        env: jinja2.Environment,
        doc_files: Sequence[File] | None = None,
    ) -> None:
        """Build one page as MkDocs' build does; ``doc_files`` (the documentation pages of
        ``files``) when building several."""
        page = file.page
        assert page is not None
        if doc_files is None:
            doc_files = files.documentation_pages()
        mkdocs_build._populate_page(page, self.config, files)
        mkdocs_build._build_page(page, self.config, doc_files, nav, env)

    # -- step 2: everything else, in the background ------------------------------------------

    def _start_refresh(self) -> None:
        with self.lock:
            if self.running:
                return  # it sees the new version before it ends, and starts over
            self.running = True
            self.worker = threading.Thread(
                target=self._refresh, name="changetrail-live", daemon=True
            )
            self.worker.start()

    def stop(self) -> None:
        """Stop the background update (before a full build or at the end)."""
        with self.lock:
            self.stopping = True
            self.version += 1
        worker, self.worker = self.worker, None
        if worker is not None:
            worker.join()
        self.stopping = False

    def _refresh(self) -> None:
        try:
            while not self.stopping:
                started = time.perf_counter()
                with self.lock:
                    version = self.version
                    records, pages = dict(self.records), dict(self.pages)
                # As while loading (``paused_gc``): the generation makes millions of objects that
                # live on; collections would walk them all again and again.
                with paused_gc():
                    out = self._generate(records, pages, functools.partial(self._outdated, version))
                    if out is None:
                        continue  # a newer save came in: read again
                    with self.lock:
                        if self.version != version:
                            continue
                        with self.server.updating():  # then the lists show; search follows
                            built = self._apply(out)
                        self.records, self.pages = {}, {}
                seconds = time.perf_counter() - started
                search = self._index()
                log.info(
                    "preview: %d more page%s up to date in %.1f s; search index: %s",
                    built,
                    "" if built == 1 else "s",
                    seconds,
                    search,
                )
                with self.lock:
                    if self.version == version:
                        self.running = False
                        return
        except Exception:  # the preview goes on; the next save or a full build recovers
            log.exception("preview: the background update failed")
        with self.lock:
            self.running = False

    def _outdated(self, version: int) -> bool:
        return self.version != version or self.stopping

    def _generate(
        self, records: dict[str, Loaded], pages: dict[str, Loaded], cancelled: Callable[[], bool]
    ) -> Output | None:
        plugin = self.plugin
        assert plugin.output is not None
        folder = plugin.root / plugin.settings.cache_dir if plugin.settings.cache else None
        cache = PageCache(BuildCache(folder), self.config) if folder else None
        try:
            project = reload_files(
                plugin.output.project,
                records=records,
                pages=pages,
                today=build_day(build_time()),
            )
            if cancelled():
                return None
            out = plugin.generate(
                self.config,
                Path(self.config.docs_dir).resolve(),
                cache=cache,
                quiet=True,
                project=project,
            )
            return None if cancelled() else out
        finally:
            if cache is not None:
                cache.close(prune=False)

    def _apply(self, out: Output) -> int:
        """Build again every page whose Markdown or data changed; returns how many."""
        plugin, config = self.plugin, self.config
        parts = _parts(plugin)
        old = plugin.output
        assert parts is not None
        assert old is not None
        files, nav, env = parts
        old_articles = {a.uri: a for a in old.project.catalog.articles}
        old_broken = plugin.broken
        plugin.use(out)
        todo: list[File] = []
        added = removed = False
        for uri in set(old.pages) - set(out.pages):
            file = files.get_file_from_path(uri)
            if file is not None:
                files.remove(file)
                Path(file.abs_dest_path).unlink(missing_ok=True)
                removed = True
        for uri, markdown in out.pages.items():
            file = files.get_file_from_path(uri)
            if file is None:
                file = plugin.page_file(config, uri, markdown)
                files.append(file)
                Page(None, file, config)
                added = True
            elif file.content_string == markdown:
                continue
            else:
                file.content_string = markdown
            todo.append(file)
        for uri, article in plugin.articles.items():
            before = old_articles.get(uri)
            key = f"article:{uri}"
            if (
                before is None
                or before.hash != article.hash
                or old.similar.get(key) != out.similar.get(key)
                or old_broken.get(uri) != plugin.broken.get(uri)
            ):
                file = files.get_file_from_path(uri)
                if file is not None and file.page is not None:
                    todo.append(file)
        for uri in set(old_broken) | set(plugin.broken):
            if uri not in plugin.articles and old_broken.get(uri) != plugin.broken.get(uri):
                file = files.get_file_from_path(uri)
                if file is not None and file.page is not None:
                    todo.append(file)
        doc_files = files.documentation_pages()
        for file in dict.fromkeys(todo):
            self._build(file, files, nav, env, doc_files)
        for uri, content in out.other.items():
            data = content.encode() if isinstance(content, str) else content
            file = files.get_file_from_path(uri)
            if file is None:
                from mkdocs.structure.files import File

                file = File.generated(config, uri, content=content)
                files.append(file)
            elif file.content_bytes == data:
                continue
            else:
                file.content_bytes = data
            file.copy_file()
        if added or removed or self.reshaped:
            self.reshaped = False
            # A whole build adds the generated files in this order; the sitemap follows it.
            for uri in [*out.pages, *out.other]:
                file = files.get_file_from_path(uri)
                if file is not None:
                    files.remove(file)
                    files.append(file)
            if "sitemap.xml" in config.theme.static_templates:
                mkdocs_build._build_theme_template("sitemap.xml", env, files, config, nav)
        return len(dict.fromkeys(todo))

    def _index(self) -> str:
        """Bring the search index up to date (only shards whose pages changed are indexed)."""
        plugin = self.plugin
        if plugin.settings.search != "pagefind":
            return "not used"
        plugin.wait_for_index()  # the full build's own run, if it is still going
        try:
            # No cache: the shards in the site are the ones to reuse, and a cache pruned on
            # every save would lose the entries of `changetrail build` and of the first build.
            result = build_index(
                Path(self.config.site_dir),
                directory_urls=self.config.use_directory_urls,
                shard_size=PREVIEW_SHARD_SIZE,
                seen=self.seen,
            )
        except SearchIndexError as exc:
            log.warning("search index: %s", exc)
            return "failed"
        again = result.shards - result.reused
        shards = f"{result.shards} shard" + "s"[: result.shards != 1]
        return f"{result.seconds:.1f} s ({again} of {shards} indexed again)"


def _parts(plugin: ChangetrailPlugin) -> tuple[Files, Navigation, jinja2.Environment] | None:
    if plugin.live_files is None or plugin.nav is None or plugin.env is None:
        return None
    return plugin.live_files, plugin.nav, plugin.env


def _problems(loaded: Loaded) -> list[RecordError]:
    """The errors of a file that gave no record or article (what its problem page shows)."""
    if isinstance(loaded, list):
        return [p for p in loaded if p.severity is Severity.ERROR]
    if isinstance(loaded, Unread):
        return [p for p in loaded.problems if p.severity is Severity.ERROR]
    return []


def _warn(loaded: Loaded) -> None:
    """Log a saved file's problems, as a build would."""
    if isinstance(loaded, Record | ArticlePage):
        problems = [*loaded.source.warnings, *(loaded.secrets or ())]
    elif isinstance(loaded, Unread):
        problems = loaded.problems
    else:
        problems = loaded or []
    for problem in problems:
        log.warning(problem.format_text())


def serve(config_file: str, *, dev_addr: str, open_in_browser: bool = False) -> None:
    """Build the site into a temporary folder, serve it, and keep it up to date."""
    site_dir = tempfile.mkdtemp(prefix="changetrail-serve-")

    def get_config() -> MkDocsConfig:
        return load_config(config_file=config_file, site_dir=site_dir, dev_addr=dev_addr)

    config = get_config()
    config.plugins.on_startup(command="serve", dirty=False)
    host, port = config.dev_addr
    mount_path = urlsplit(config.site_url or "/").path
    config.site_url = serve_url = _serve_url(host, port, mount_path)
    preview: Preview | None = None

    def full_build(config: MkDocsConfig | None = None) -> None:
        nonlocal preview
        if preview is not None:
            preview.stop()
            preview = None  # until this build succeeds: a failed one leaves no state to use
        if config is None:
            config = get_config()
            config.site_url = serve_url
        serve_log.info("Building documentation...")
        mkdocs_build.build(config, serve_url=serve_url)
        plugin = _plugin(config)
        preview = Preview(server, plugin, config) if plugin is not None else None

    def builder() -> None:
        changes = server.take_changes()
        if preview is not None and preview.update(changes):
            return
        full_build()

    server = LiveServer(builder=builder, host=host, port=port, root=site_dir, mount_path=mount_path)

    def error_page(code: int) -> bytes | None:
        page = Path(site_dir, f"{code}.html")
        return page.read_bytes() if code in (404, 500) and page.is_file() else None

    server.error_handler = error_page
    try:
        full_build(config)
        server.watch(config.docs_dir)
        if config.config_file_path:
            server.watch(config.config_file_path)
        served = config.plugins.on_serve(server, config=config, builder=builder)
        for item in config.watch:
            served.watch(item)
        try:
            served.serve(open_in_browser=open_in_browser)  # type: ignore[no-untyped-call]
        except KeyboardInterrupt:
            serve_log.info("Shutting down...")
        finally:
            served.shutdown()
            if preview is not None:
                preview.stop()
    finally:
        config.plugins.on_shutdown()
        shutil.rmtree(site_dir, ignore_errors=True)


def _plugin(config: MkDocsConfig) -> ChangetrailPlugin | None:
    for plugin in config.plugins.values():
        if isinstance(plugin, ChangetrailPlugin) and plugin.config.enabled:
            return plugin
    return None
