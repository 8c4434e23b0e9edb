"""How long `changetrail serve` takes to show an edited record: save -> updated page served.

    python tests/benchmarks/preview.py CORPUS [--edits 5] [--port 8123]

CORPUS is a folder written by `changetrail synth` (or any changetrail project). The script
starts `changetrail serve` there, waits for the first build, then edits the newest change
record ``--edits`` times (its title gets " (edit N)") and, after each save, polls the record's
page until the served HTML shows the new title. It prints each latency and their median, then
restores the record. The first build is not counted; every edit after it is.
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


def say(text: str) -> None:
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("corpus", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    parser.add_argument("--port", type=int, default=8123)
    parser.add_argument("--timeout", type=float, default=900.0, help="Per wait, in seconds.")
    args = parser.parse_args(argv)

    record = sorted((args.corpus / "changes").glob("*.md"))[-1]
    original = record.read_text(encoding="utf-8")
    match = TITLE.search(original)
    if match is None:
        raise SystemExit(f"{record}: no 'title:' line")
    title = match.group(1).strip().strip("\"'")
    url = f"http://127.0.0.1:{args.port}/changes/{record.stem}/"
    server = subprocess.Popen(
        [sys.executable, "-m", "changetrail", "serve", "-a", f"127.0.0.1:{args.port}"],
        cwd=args.corpus,
        env=ENV,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    latencies: list[float] = []
    try:
        first = wait_for(url, title, args.timeout)
        say(f"first build served after {first:.1f} s")
        for n in range(1, args.edits + 1):
            marker = f"{title} (edit {n})"
            time.sleep(1.0)  # let the watcher settle after the previous build
            line = f'title: "{marker}"'
            record.write_text(TITLE.sub(lambda _, line=line: line, original, count=1), "utf-8")
            seconds = wait_for(url, marker, args.timeout)
            latencies.append(seconds)
            say(f"edit {n}: updated page served after {seconds:.2f} s")
    finally:
        record.write_text(original, encoding="utf-8")
        os.killpg(server.pid, signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(server.pid, signal.SIGKILL)
    median = statistics.median(latencies)
    say(f"median of {len(latencies)} edits: {median:.2f} s (issue 5 target: under 1 s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
