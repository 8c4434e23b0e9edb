"""Page weight of a built site: how many HTML pages, their average size and the largest ones.

    python tests/benchmarks/page_weight.py site/ [--top 5] [--json]

Issue 5 asks that the average and the largest HTML page do not grow with the number of
records: run this on sites built from ``changetrail synth --n N`` at two sizes and compare.
Sizes are bytes on disk of every ``*.html`` file under the site folder (the 404 page included).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path
from typing import Any


def page_weight(site: Path, *, top: int = 5) -> dict[str, Any]:
    """Count, average, median and the ``top`` largest HTML pages of a built site.

    Raises:
        FileNotFoundError: when ``site`` is not a folder.
    """
    if not site.is_dir():
        raise FileNotFoundError(f"{site} is not a folder")
    sizes: list[tuple[int, str]] = []
    for folder, _, names in os.walk(site):
        for name in names:
            if name.endswith(".html"):
                path = Path(folder, name)
                sizes.append((path.stat().st_size, path.relative_to(site).as_posix()))
    sizes.sort(key=lambda item: (-item[0], item[1]))
    values = [size for size, _ in sizes]
    return {
        "site": str(site),
        "html_pages": len(sizes),
        "avg_html_bytes": round(statistics.fmean(values)) if values else 0,
        "median_html_bytes": round(statistics.median(values)) if values else 0,
        "largest": [{"page": page, "bytes": size} for size, page in sizes[:top]],
    }


def _report(stats: dict[str, Any]) -> str:
    head = (
        f"{stats['site']}: {stats['html_pages']:,} HTML pages, "
        f"average {stats['avg_html_bytes'] / 1000:,.1f} KB, "
        f"median {stats['median_html_bytes'] / 1000:,.1f} KB"
    )
    lines = [head, "largest:"]
    lines += [f"  {item['bytes'] / 1000:9,.1f} KB  {item['page']}" for item in stats["largest"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Print the page weight of each site given; ``--json`` prints a list of objects."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("sites", nargs="+", type=Path, help="built site folders")
    parser.add_argument("--top", type=int, default=5, help="how many of the largest pages")
    parser.add_argument("--json", action="store_true", help="print JSON instead of text")
    args = parser.parse_args(argv)
    try:
        results = [page_weight(site, top=args.top) for site in args.sites]
    except FileNotFoundError as exc:
        sys.stderr.write(f"{exc}\n")
        return 2
    if args.json:
        sys.stdout.write(json.dumps(results, indent=2) + "\n")
    else:
        sys.stdout.write("\n\n".join(_report(r) for r in results) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
