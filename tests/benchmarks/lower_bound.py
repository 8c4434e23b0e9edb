"""The lower bound of issue 5: python-markdown plus a trivial Jinja2 template, no MkDocs.

Reads every ``.md`` file under DOCS (the harness passes the pre-rendered tree: the Markdown of
every page changetrail builds, articles and generated record, index and taxonomy pages alike),
converts it with the Markdown extensions of the site's mkdocs.yml and writes one HTML file per
page (``a/b.md`` becomes ``a/b/index.html``, as with MkDocs' directory URLs). No navigation, no
theme, no search index, no link rewriting: the least work that still turns each page into HTML.
One process, one ``Markdown`` instance reset between pages.

    python tests/benchmarks/lower_bound.py DOCS --config mkdocs.yml --out SITE
"""

from __future__ import annotations

import argparse
import re
import sys
import time
from pathlib import Path
from typing import Any

import jinja2
import markdown
import yaml

TEMPLATE = """\
<!doctype html>
<html lang="en">
<head><meta charset="utf-8"><title>{{ title }}</title></head>
<body>
<main>
{{ content }}
</main>
</body>
</html>
"""

#: The frontmatter block, as MkDocs' own ``get_data`` finds it.
_FRONTMATTER = re.compile(r"^-{3}[ \t]*\n(.*?\n)(?:\.{3}|-{3})[ \t]*\n", re.DOTALL)
_H1 = re.compile(r"^#\s+(.+?)\s*#*\s*$", re.MULTILINE)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Used when no --config is given: the extensions `changetrail synth` writes into mkdocs.yml.
DEFAULT_EXTENSIONS: list[Any] = [
    "admonition",
    "attr_list",
    "md_in_html",
    "tables",
    {"toc": {"permalink": True}},
    "pymdownx.highlight",
    "pymdownx.superfences",
    {"pymdownx.tasklist": {"custom_checkbox": True}},
]


def extensions_of(config: Path | None) -> tuple[list[str], dict[str, dict[str, Any]]]:
    """Extension names and their options from ``markdown_extensions`` of a plain mkdocs.yml."""
    entries = DEFAULT_EXTENSIONS
    if config is not None:
        raw = yaml.load(config.read_text(encoding="utf-8"), Loader=_LOADER) or {}
        entries = raw.get("markdown_extensions") or []
    names: list[str] = []
    options: dict[str, dict[str, Any]] = {}
    for entry in entries:
        if isinstance(entry, dict):
            for name, opts in entry.items():
                names.append(name)
                options[name] = dict(opts or {})
        else:
            names.append(str(entry))
    return names, options


def split_page(text: str) -> tuple[dict[str, Any], str]:
    """(frontmatter, body); no frontmatter gives an empty dict."""
    match = _FRONTMATTER.match(text)
    if not match:
        return {}, text
    try:
        meta = yaml.load(match.group(1), Loader=_LOADER)
    except yaml.YAMLError:
        return {}, text
    return (meta if isinstance(meta, dict) else {}), text[match.end() :]


def output_path(out: Path, rel: Path) -> Path:
    """``a/b.md`` -> ``a/b/index.html``; ``a/index.md`` -> ``a/index.html``."""
    if rel.stem in ("index", "README"):
        return out / rel.parent / "index.html"
    return out / rel.with_suffix("") / "index.html"


def build(docs: Path, out: Path, config: Path | None) -> tuple[int, int]:
    """Write one HTML file per Markdown page; return (pages, bytes written)."""
    names, options = extensions_of(config)
    md = markdown.Markdown(extensions=names, extension_configs=options)
    template = jinja2.Environment(autoescape=False).from_string(TEMPLATE)
    pages = written = 0
    made: set[Path] = set()
    for src in sorted(docs.rglob("*.md")):
        meta, body = split_page(src.read_text(encoding="utf-8"))
        title = meta.get("title")
        if not title:
            h1 = _H1.search(body)
            title = h1.group(1) if h1 else src.stem
        md.reset()
        html = template.render(title=title, content=md.convert(body))
        dest = output_path(out, src.relative_to(docs))
        if dest.parent not in made:
            dest.parent.mkdir(parents=True, exist_ok=True)
            made.add(dest.parent)
        data = html.encode("utf-8")
        dest.write_bytes(data)
        pages += 1
        written += len(data)
    return pages, written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("docs", type=Path, help="Folder of Markdown pages (read recursively).")
    parser.add_argument("--out", type=Path, required=True, help="Folder for the HTML files.")
    parser.add_argument("--config", type=Path, help="mkdocs.yml whose markdown_extensions to use.")
    args = parser.parse_args(argv)
    start = time.perf_counter()
    pages, written = build(args.docs, args.out, args.config)
    took = time.perf_counter() - start
    sys.stdout.write(f"lower bound: {pages} pages, {written:,} bytes in {took:.2f} s\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
