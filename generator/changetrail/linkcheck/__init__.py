"""Link checking: internal links, anchors and assets of a built site, and external links.

``check_site`` reads the built HTML and maps each broken link to the Markdown line that wrote it
through a ``SourceMap``; ``check_source_tree`` and ``rebase_markdown`` make one relative link work
both in the repository and in the site. External links (``changetrail.linkcheck.external``) are
opt-in and imported on their own, so that the HTTP client loads only when used.

Wiring, in short (the plugin records what MkDocs rendered; the CLI builds and checks)::

    # plugin: in on_files, after load_project
    self.page_urls = {}
    self.layout = Layout.build(
        self.root,
        docs_dir,
        records=project.catalog.records,
        changes_dir=settings.changes_dir,
        site_path=settings.site_path,
    )
    # plugin: first thing in on_page_markdown
    self.page_urls[page.url] = page.file.src_uri

    # CLI: after building into a temporary site_dir with that config
    plugin = config.plugins["changetrail"]
    sources = SourceMap.from_project(
        project,
        Path(config.docs_dir),
        page_urls=plugin.page_urls,
        use_directory_urls=config.use_directory_urls,
    )
    errors = check_site(site_dir, sources, use_directory_urls=config.use_directory_urls)
    errors += check_source_tree(sources)
"""

from __future__ import annotations

from .markdown import SourceLink, scan_frontmatter, scan_markdown
from .site import check_site, is_external
from .sources import Layout, PageSource, SourceMap, output_path, page_output
from .tree import check_source_tree, rebase_markdown, rebase_url

__all__ = [
    "Layout",
    "PageSource",
    "SourceLink",
    "SourceMap",
    "check_site",
    "check_source_tree",
    "is_external",
    "output_path",
    "page_output",
    "rebase_markdown",
    "rebase_url",
    "scan_frontmatter",
    "scan_markdown",
]
