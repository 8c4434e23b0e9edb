"""The plugin's use of the build cache: skip the work MkDocs would redo for unchanged pages.

MkDocs rebuilds every page on every build. Two steps are pure and cost most of a build:

* **Markdown to HTML** (``Page.render``): the HTML, table of contents, title and anchors of a page
  depend only on its Markdown, the Markdown extensions and their settings, and the set of files
  (links are resolved against it). The key is all of that; the warnings MkDocs logs while
  converting (a broken link, say) are stored with the result and logged again on a hit, so
  ``--strict`` fails a warm build exactly as it fails a cold one.
* **The theme template** (``main.html``): the page's HTML from the template depends on the page
  (URL, title, meta, table of contents, content), the navigation, the site's configuration, the
  theme and its overrides. On a hit the page is given a one-line template that prints the stored
  HTML. This step is cached only with the Material theme and no plugins but ``search`` and
  ``changetrail``: another plugin may add to a page's template context in ways no key can see.

MkDocs has no hook to skip a page's conversion, so ``wrap_render`` replaces ``render`` on each
page object (not on the class). A Markdown extension that reads other files (``snippets``,
``b64``) or one given as an object instead of a name turns the Markdown step off, with a note in
the log: correctness first.
"""

from __future__ import annotations

import datetime as dt
import functools
import json
import logging
import threading
from importlib import metadata
from pathlib import Path
from typing import TYPE_CHECKING, Any

import jinja2
from mkdocs.structure.toc import AnchorLink, get_toc
from mkdocs.utils.meta import get_data

from . import __version__
from .buildcache import BuildCache, digest

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from mkdocs.config.defaults import MkDocsConfig
    from mkdocs.structure.files import Files
    from mkdocs.structure.nav import Navigation
    from mkdocs.structure.pages import Page

__all__ = ["CACHED_TEMPLATE", "PageCache"]

log = logging.getLogger(__name__)

#: The template a page gets when its HTML comes from the cache.
CACHED_TEMPLATE = "changetrail-cached-page.html"

#: Extensions whose output depends only on the page's Markdown and their settings.
_PURE = frozenset(
    {
        "abbr",
        "admonition",
        "attr_list",
        "codehilite",
        "def_list",
        "fenced_code",
        "footnotes",
        "legacy_attrs",
        "legacy_em",
        "md_in_html",
        "meta",
        "nl2br",
        "sane_lists",
        "smarty",
        "tables",
        "toc",
        "wikilinks",
        "material.extensions.emoji",
    }
)
#: pymdownx extensions that read files or the clock; everything else in pymdownx is pure.
_IMPURE_PYMDOWNX = frozenset({"pymdownx.snippets", "pymdownx.b64"})
#: Plugins known not to change a page's template context.
_QUIET_PLUGINS = frozenset({"changetrail", "search", "material/search"})
_DISTRIBUTIONS = ("mkdocs", "mkdocs-material", "markdown", "pymdown-extensions", "pygments")


class PageCache:
    """The two page caches of one build (see the module docstring)."""

    def __init__(self, store: BuildCache, config: MkDocsConfig) -> None:
        self.store = store
        self.markdown_key = _markdown_key(config) if store.enabled else None
        self.output_key = _output_key(config) if store.enabled else None
        self._files_key: str | None = None
        self._pending: dict[str, str] = {}  # src_uri -> output key, for pages to store
        self._hits: dict[str, str] = {}  # src_uri -> output key, for pages to print

    # -- Markdown to HTML -------------------------------------------------------------------

    def wrap_render(self, page: Page) -> None:
        """Make ``page.render`` look in the cache first (no-op when the step is not cached)."""
        if self.markdown_key is None:
            return
        original = page.render
        # Assigning to the instance shadows the method for this page only.
        setattr(page, "render", functools.partial(self._render, page, original))  # noqa: B010

    def wrap_read_source(self, page: Page) -> None:
        """Make ``page.read_source`` take the front matter's data from the cache (no-op when off).

        MkDocs parses every page's YAML front matter on every build; PyYAML builds the Python
        objects in pure Python even with libyaml, a few milliseconds for an article's long
        front matter. The key is the whole source text; the value is where the Markdown starts
        and the data, kept only when JSON holds it exactly (see ``_encode_meta``).
        """
        if self.markdown_key is None:
            return
        original = page.read_source
        setattr(  # noqa: B010
            page, "read_source", functools.partial(self._read_source, page, original)
        )

    def _read_source(
        self, page: Page, original: Callable[[MkDocsConfig], None], config: MkDocsConfig
    ) -> None:
        # The same steps as Page.read_source (MkDocs 1.6), with get_data's result cached.
        source = config.plugins.on_page_read_source(page=page, config=config)
        if source is None:
            try:
                source = page.file.content_string
            except (OSError, ValueError):
                original(config)  # MkDocs reads it again and reports the error its own way
                return
        self._set_source(page, source)

    def _set_source(self, page: Page, source: str) -> None:
        key = digest(_META_VERSION, source)
        hit = self.store.get("meta", key)
        if isinstance(hit, dict) and isinstance(hit.get("start"), int):
            page.markdown = source[hit["start"] :]
            page.meta = _decode_meta(hit["meta"])
            return
        markdown, data = get_data(source)
        page.markdown, page.meta = markdown, data
        encoded = _encode_meta(data)
        if encoded is not _UNSUPPORTED and source.endswith(markdown):
            self.store.put("meta", key, {"start": len(source) - len(markdown), "meta": encoded})

    def _render(
        self,
        page: Page,
        original: Callable[[MkDocsConfig, Files], None],
        config: MkDocsConfig,
        files: Files,
    ) -> None:
        if self._files_key is None:
            self._files_key = digest(
                sorted((f.src_uri, f.dest_uri, f.url, f.inclusion.name) for f in files)
            )
        key = digest(self.markdown_key, self._files_key, page.file.src_uri, page.url, page.markdown)
        hit = self.store.get("md", key)
        if hit is not None:
            _restore(page, hit, files)
            return
        with _CapturedLogs() as logs:
            original(config, files)
        self.store.put("md", key, _snapshot(page, logs.records))

    # -- pure steps of the plugin's own ------------------------------------------------------

    def memo(self, step: str, text: str, work: Callable[[str], str]) -> str:
        """``work(text)`` for a pure step of the plugin's (sanitizing a page's HTML, say)."""
        return self.memo_parts(step, [text], lambda: work(text))

    def memo_json(self, step: str, parts: list[Any], work: Callable[[], Any]) -> Any:
        """Like ``memo_parts`` for a result JSON holds exactly (dicts, lists, str, numbers)."""
        return self._memo(step, parts, work, lambda hit: hit is not None)

    def memo_parts(self, step: str, parts: list[Any], work: Callable[[], str]) -> str:
        """``work()``, whose result depends only on ``parts`` and the plugin's rendering code.

        The key is the step's name, ``parts`` and the source of the modules that render and
        sanitize (``_STEP_SOURCES``) with nh3's version, so editing a template or the
        allowlist empties it.
        """
        out: str = self._memo(step, parts, work, lambda hit: isinstance(hit, str))
        return out

    def _memo(
        self,
        step: str,
        parts: list[Any],
        work: Callable[[], Any],
        usable: Callable[[Any], bool],
    ) -> Any:
        if self.markdown_key is None:
            return work()
        key = digest(_steps_key(), step, *parts)
        hit = self.store.get("step", key)
        if usable(hit):
            return hit
        out = work()
        self.store.put("step", key, out)
        return out

    # -- the theme template -----------------------------------------------------------------

    def plan_outputs(self, env: jinja2.Environment, files: Files, nav: Navigation) -> None:
        """Give every page whose template output is stored the cached template (on_env)."""
        if self.output_key is None:
            return
        nav_key = digest(list(_nav_shape(nav.items)))
        self._pending.clear()
        self._hits.clear()
        for file in files.documentation_pages():
            page = file.page
            if page is None or page.content is None:
                continue
            key = digest(
                self.output_key,
                nav_key,
                file.src_uri,
                page.url,
                page.canonical_url,
                page.edit_url,
                page.title,
                page.is_homepage,
                page.meta,
                _toc_tokens(page.toc),
                page.content,
            )
            if self.store.has("page", key):
                self._hits[file.src_uri] = key
                page.meta["template"] = CACHED_TEMPLATE
            else:
                self._pending[file.src_uri] = key
        if self._hits:
            templates = {CACHED_TEMPLATE: "{{ changetrail_cached_page(page) }}"}
            loaders: list[jinja2.BaseLoader] = [jinja2.DictLoader(templates)]
            if env.loader is not None:
                loaders.append(env.loader)
            env.loader = jinja2.ChoiceLoader(loaders)
            env.globals["changetrail_cached_page"] = self._cached_output

    def _cached_output(self, page: Page) -> str:
        key = self._hits[page.file.src_uri]
        value = self.store.get("page", key, count=False)
        if not isinstance(value, str):  # vanished between planning and now: never guess
            raise RuntimeError(f"build cache entry for {page.file.src_uri} disappeared")
        return value

    def store_output(self, page: Page, output: str) -> None:
        """Keep the template's output of a page rendered this build (first on_post_page)."""
        key = self._pending.pop(page.file.src_uri, None)
        if key is not None:
            self.store.put("page", key, output)

    def close(self, *, prune: bool) -> None:
        """Save the new entries; ``prune`` drops those no page used (after a good build)."""
        self.store.close(prune=prune)


# -- keys ------------------------------------------------------------------------------------


def _markdown_key(config: MkDocsConfig) -> str | None:
    names: list[str] = []
    for ext in config.markdown_extensions:
        if not isinstance(ext, str):
            log.info("build cache: Markdown extension %r is an object; not caching HTML", ext)
            return None
        name = ext.removeprefix("markdown.extensions.")
        pure = name in _PURE or (name.startswith("pymdownx.") and name not in _IMPURE_PYMDOWNX)
        if not pure:
            log.info("build cache: Markdown extension %s may read other files; not caching", name)
            return None
        names.append(name)
    try:
        settings = json.dumps(config.mdx_configs, sort_keys=True, default=_stable)
    except _UnstableError as exc:
        log.info("build cache: %s in markdown_extensions settings; not caching HTML", exc)
        return None
    validation = json.dumps(dict(config.validation), sort_keys=True, default=str)
    # Not site_url: Page.render does not read it (the canonical URL is set before), so `serve`,
    # which points site_url at the preview's address, shares the build's entries.
    return digest(__version__, _versions(), names, settings, validation, config.use_directory_urls)


def _output_key(config: MkDocsConfig) -> str | None:
    if config.theme.name != "material":
        return None  # MkDocs' own themes print the build time on every page
    plugins = set(config.plugins)
    if not plugins <= _QUIET_PLUGINS:
        log.info(
            "build cache: plugins %s may change page templates; caching Markdown only",
            ", ".join(sorted(plugins - _QUIET_PLUGINS)),
        )
        return None
    site = {
        name: config[name]
        for name in (
            "site_name",
            "site_url",
            "site_description",
            "site_author",
            "repo_url",
            "repo_name",
            "edit_uri",
            "copyright",
            "use_directory_urls",
            "extra",
            "extra_css",
            "extra_javascript",
            "extra_templates",
            "docs_dir",
        )
    }
    try:
        settings = json.dumps(
            [site, dict(config.theme), sorted(plugins)], sort_keys=True, default=_stable
        )
    except _UnstableError as exc:
        log.info("build cache: %s in the configuration; caching Markdown only", exc)
        return None
    return digest(__version__, _versions(), settings, _theme_files(config.theme.dirs))


#: The code that decides the output of ``PageCache.memo``'s steps (files or folders).
_STEP_SOURCES = ("render", "views/sanitize.py", "article.py", "settings.py", "similar.py")


@functools.cache
def _steps_key() -> str:
    here = Path(__file__).parent
    sources: list[tuple[str, str]] = []
    for name in _STEP_SOURCES:
        path = here / name
        files = sorted(p for p in path.rglob("*") if p.is_file()) if path.is_dir() else [path]
        sources.extend(
            (file.relative_to(here).as_posix(), digest(file.read_bytes()))
            for file in files
            if file.suffix in (".py", ".j2", ".css", ".js", ".html") and file.is_file()
        )
    return digest(__version__, _versions(("nh3", "jinja2")), sources)


def _versions(names: Iterable[str] = _DISTRIBUTIONS) -> list[str]:
    out = []
    for name in names:
        try:
            out.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            out.append(f"{name} missing")
    return out


def _theme_files(dirs: Iterable[str]) -> str:
    """A digest of theme folders outside installed packages (overrides, custom_dir)."""
    parts: list[tuple[str, str]] = []
    for folder in dirs:
        root = Path(folder)
        if "site-packages" in root.parts or "dist-packages" in root.parts:
            continue  # covered by the package versions
        files = sorted(p for p in root.rglob("*") if p.is_file())
        parts.extend((str(p.relative_to(root)), digest(p.read_bytes())) for p in files)
    return digest(parts)


class _UnstableError(ValueError):
    pass


def _stable(value: object) -> str:
    """JSON for settings values: functions by name; anything else without a fixed text fails."""
    if callable(value) and hasattr(value, "__qualname__"):
        return f"{getattr(value, '__module__', '?')}.{value.__qualname__}"
    text = repr(value)
    if " at 0x" in text:
        raise _UnstableError(f"a value without a stable form ({type(value).__name__})")
    return text


def _nav_shape(items: Iterable[Any]) -> Iterable[Any]:
    for item in items:
        yield [
            type(item).__name__,
            getattr(item, "title", None),
            getattr(item, "url", None),
            list(_nav_shape(getattr(item, "children", None) or [])),
        ]


# -- front matter data as JSON --------------------------------------------------------------

#: Bumped when the encoding below changes.
_META_VERSION = 1
_UNSUPPORTED: Any = object()
_TAG = "$"


def _encode_meta(value: Any) -> Any:
    """``value`` (YAML-loaded data) as JSON that ``_decode_meta`` turns back into an equal value.

    Dates and times become ``{"$": "date", "v": "2026-11-28"}``; a mapping whose keys are not all
    strings, or that has a ``$`` key, and any other type (sets, bytes, pairs) give
    ``_UNSUPPORTED``: that page's data is not cached, and MkDocs parses it every time.
    """
    if value is None or isinstance(value, (bool, int, float, str)):
        return value
    if isinstance(value, dt.datetime):
        if not (value.tzinfo is None or isinstance(value.tzinfo, dt.timezone)):
            return _UNSUPPORTED  # YAML gives fixed offsets; a named zone would not come back
        return {_TAG: "datetime", "v": value.isoformat()}
    if isinstance(value, dt.date):
        return {_TAG: "date", "v": value.isoformat()}
    if isinstance(value, list):
        items = [_encode_meta(v) for v in value]
        return _UNSUPPORTED if any(v is _UNSUPPORTED for v in items) else items
    if isinstance(value, dict):
        if _TAG in value or not all(isinstance(k, str) for k in value):
            return _UNSUPPORTED
        out = {k: _encode_meta(v) for k, v in value.items()}
        return _UNSUPPORTED if any(v is _UNSUPPORTED for v in out.values()) else out
    return _UNSUPPORTED


def _decode_meta(value: Any) -> Any:
    if isinstance(value, list):
        return [_decode_meta(v) for v in value]
    if isinstance(value, dict):
        tag = value.get(_TAG)
        if tag == "datetime":
            return dt.datetime.fromisoformat(value["v"])
        if tag == "date":
            return dt.date.fromisoformat(value["v"])
        return {k: _decode_meta(v) for k, v in value.items()}
    return value


# -- what a Markdown conversion leaves on the page -----------------------------------------------


def _toc_tokens(toc: Iterable[AnchorLink]) -> list[dict[str, Any]]:
    return [
        {"name": a.title, "id": a.id, "level": a.level, "children": _toc_tokens(a.children)}
        for a in toc
    ]


def _snapshot(page: Page, logs: list[tuple[str, int, str]]) -> dict[str, Any]:
    links = page.links_to_anchors
    return {
        "content": page.content,
        "toc": _toc_tokens(page.toc),
        "title": page._title_from_render,
        "anchors": sorted(page.present_anchor_ids or ()),
        "links": None
        if links is None
        else {f.src_uri: dict(anchors) for f, anchors in links.items()},
        "logs": logs,
    }


def _restore(page: Page, hit: dict[str, Any], files: Files) -> None:
    page.content = hit["content"]
    page.toc = get_toc(hit["toc"])
    page._title_from_render = hit["title"]
    page.present_anchor_ids = set(hit["anchors"])
    if hit["links"] is not None:
        links = {}
        for uri, anchors in hit["links"].items():
            target = files.get_file_from_path(uri)
            if target is not None:
                links[target] = anchors
        page.links_to_anchors = links
    for name, level, message in hit["logs"]:
        logging.getLogger(name).log(level, "%s", message)


class _CapturedLogs(logging.Handler):
    """Records logged by this thread while a page converts, to replay on a cache hit.

    Attached to the root logger and to ``mkdocs`` (which may not propagate to the root); a
    record seen by both is kept once.
    """

    _LOGGERS = ("", "mkdocs")

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.records: list[tuple[str, int, str]] = []
        self._last: logging.LogRecord | None = None
        self._thread = threading.get_ident()

    def emit(self, record: logging.LogRecord) -> None:
        # Propagation hands one record to both handlers in a row.
        if record.thread == self._thread and record is not self._last:
            self._last = record
            self.records.append((record.name, record.levelno, record.getMessage()))

    def __enter__(self) -> _CapturedLogs:
        for name in self._LOGGERS:
            logging.getLogger(name).addHandler(self)
        return self

    def __exit__(self, *exc: object) -> None:
        for name in self._LOGGERS:
            logging.getLogger(name).removeHandler(self)
