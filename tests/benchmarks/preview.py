"""How long `changetrail serve` takes to show an edited record: save -> updated page served.

    python tests/benchmarks/preview.py CORPUS [--edits 5] [--port 8123]

CORPUS is a folder written by `changetrail synth` (or any changetrail project). The script
starts `changetrail serve` there, waits for the first build and its search index, then edits
the newest change record ``--edits`` times (its title gets " (edit N)"). After each save it
measures three times, from the save:

- **page**: until the record's page is served with the new title;
- **lists**: until the change log (``changes/``, which lists the newest records) shows it:
  the background update has built every list, feed and similar-posts section again;
- **search**: until the search index served is a new one (its manifest names new shards).

Then (``--rapid N``, 5 by default) it saves N more times, ``--gap`` seconds apart, without
waiting for the lists: each save lands while the background update of the one before is still
running, as when an author saves every few seconds, and only the page's time is measured.

It prints each edit's times and their medians, then restores the record. The first build is
not counted; every edit after it is.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}
TITLE = re.compile(r"^title: (.*)$", re.MULTILINE)


def fetch(url: str) -> str | None:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:
            return str(response.read().decode("utf-8", errors="replace"))
    except (urllib.error.URLError, OSError):
        return None


def wait_for(url: str, needle: str, timeout: float) -> float:
    """Seconds until ``url`` serves a page containing ``needle``."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        body = fetch(url)
        if body is not None and needle in body:
            return time.perf_counter() - start
        time.sleep(0.02)
    raise SystemExit(f"{url} did not show {needle!r} within {timeout:.0f} s")


def search_state(base: str) -> str | None:
    """The served search index's manifest, which names each shard's content (its cache key) and
    is written last, when every changed shard is in place; None while there is none."""
    manifest = fetch(f"{base}/pagefind/changetrail-shards.json")
    return manifest if manifest is not None and manifest.startswith("{") else None


def wait_for_search(base: str, old: str | None, timeout: float) -> float:
    """Seconds until the served search index differs from ``old`` (and exists)."""
    start = time.perf_counter()
    while time.perf_counter() - start < timeout:
        state = search_state(base)
        if state is not None and state != old:
            return time.perf_counter() - start
        time.sleep(0.05)
    raise SystemExit(f"the search index did not change within {timeout:.0f} s")


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--timeout", type=float, default=900.0, help="Per wait, in seconds.")
    parser.add_argument("--log", type=Path, help="Write the server's output to this file.")
    parser.add_argument("--rapid", type=int, default=5, help="Saves during background updates.")
    parser.add_argument("--gap", type=float, default=3.0, help="Seconds between rapid saves.")
    args = parser.parse_args(argv)

    record = sorted((args.corpus / "changes").glob("*.md"))[-1]
    original = record.read_text(encoding="utf-8")
    match = TITLE.search(original)
    if match is None:
        raise SystemExit(f"{record}: no 'title:' line")
    title = match.group(1).strip().strip("\"'")
    base = f"http://127.0.0.1:{args.port}"
    url = f"{base}/changes/{record.stem}/"
    log = args.log.open("wb") if args.log else subprocess.DEVNULL
    started = time.perf_counter()
    server = subprocess.Popen(
        [sys.executable, "-m", "changetrail", "serve", "-a", f"127.0.0.1:{args.port}"],
        cwd=args.corpus,
        env=ENV,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    times: dict[str, list[float]] = {"page": [], "lists": [], "search": [], "rapid page": []}
    try:
        first = wait_for(url, title, args.timeout)
        say(f"first build served after {first:.1f} s")
        wait_for_search(base, None, args.timeout)
        say(f"its search index served after {time.perf_counter() - started:.1f} s")
        for n in range(1, args.edits + 1):
            marker = f"{title} (edit {n})"
            time.sleep(1.0)  # let the watcher settle after the previous build
            before = search_state(base)
            line = f'title: "{marker}"'
            saved = time.perf_counter()
            record.write_text(TITLE.sub(lambda _, line=line: line, original, count=1), "utf-8")
            wait_for(url, marker, args.timeout)
            times["page"].append(time.perf_counter() - saved)
            wait_for(f"{base}/changes/", marker, args.timeout)
            times["lists"].append(time.perf_counter() - saved)
            wait_for_search(base, before, args.timeout)
            times["search"].append(time.perf_counter() - saved)
            say(
                f"edit {n}: page {times['page'][-1]:.2f} s, lists {times['lists'][-1]:.2f} s, "
                f"search {times['search'][-1]:.2f} s"
            )
        for n in range(1, args.rapid + 1):
            marker = f"{title} (rapid {n})"
            line = f'title: "{marker}"'
            saved = time.perf_counter()
            record.write_text(TITLE.sub(lambda _, line=line: line, original, count=1), "utf-8")
            wait_for(url, marker, args.timeout)
            times["rapid page"].append(time.perf_counter() - saved)
            say(f"rapid save {n}: page {times['rapid page'][-1]:.2f} s")
            time.sleep(max(0.0, args.gap - (time.perf_counter() - saved)))
    finally:
        record.write_text(original, encoding="utf-8")
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    for what, values in times.items():
        if values:
            say(f"median {what}: {statistics.median(values):.2f} s over {len(values)} saves")
    say("issue 5 target: the page, with every list and the search index correct, under 1 s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
