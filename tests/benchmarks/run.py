"""Benchmark changetrail against plain MkDocs and the lower bound of issue 5, side by side.

    python tests/benchmarks/run.py --sizes 1000 10000 --repeat 3 --out results.json

For each size it writes a corpus with ``changetrail synth --n N --seed 1 --kind mixed`` and
pre-renders it once (outside the timed part), then runs every tool ``--repeat`` times,
interleaved (A, B, C, A, B, C, ...) so that machine noise falls on all of them alike:

- ``mkdocs-plain``: plain MkDocs on the same project with the changetrail plugin removed from
  mkdocs.yml. Records are then not pages at all; this only shows what MkDocs costs for the
  articles. Skipped with ``--quick``.
- ``mkdocs-prerendered``: plain MkDocs (``plugins: [search]``, every page out of the nav) on the
  Markdown changetrail hands to python-markdown, written as ordinary files: the fair comparison.
- ``lower-bound``: python-markdown plus a trivial Jinja2 template over the same pre-rendered
  Markdown, one HTML file per page, no MkDocs (``lower_bound.py``).
- ``changetrail-build``: ``changetrail build``, the full thing.
- ``changetrail-check``: ``changetrail check``, measured separately (it builds nothing).

Each run is one child process: wall time with ``time.perf_counter`` around it, peak RSS from
``/usr/bin/time -f %M`` (else from ``os.wait4``), then the size of the site it wrote. Medians per
size and tool are printed as a table with the ratios the issue asks for; every run, the medians
and the machine go to ``--out`` as JSON. Progress goes to stderr.
"""

from __future__ import annotations

import argparse
import datetime as dt
import itertools
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
REPO = HERE.parents[1]
PYTHON = sys.executable
#: Material 9.7+ prints a banner about MkDocs 2.0 on import unless this is set.
ENV = {**os.environ, "NO_MKDOCS_2_WARNING": "1", "PYTHONIOENCODING": "utf-8"}
os.environ["NO_MKDOCS_2_WARNING"] = "1"


@dataclass(frozen=True, slots=True)
class Tool:
    key: str
    label: str
    quick: bool  # also run with --quick
    site: bool  # writes a site whose size is measured


TOOLS = (
    Tool("mkdocs-plain", "plain MkDocs, plugin removed (*)", quick=False, site=True),
    Tool("mkdocs-prerendered", "plain MkDocs, pre-rendered Markdown", quick=True, site=True),
    Tool("lower-bound", "lower bound (Markdown + Jinja2)", quick=True, site=True),
    Tool("changetrail-build", "changetrail build, cold", quick=True, site=True),
    Tool("changetrail-rebuild", "changetrail build, one record edited", quick=True, site=True),
    Tool("changetrail-check", "changetrail check, warm cache", quick=True, site=False),
    Tool("changetrail-check-cold", "changetrail check, cold", quick=True, site=False),
)
#: Tools that start without changetrail's cache folder (removed outside the timed part).
COLD = {"changetrail-build", "changetrail-check-cold"}
#: The body line the rebuild run adds to (or removes from) one record before it builds.
EDIT_LINE = "\nEdited for the rebuild benchmark.\n"
LABELS = {t.key: t.label for t in TOOLS}
SITE_TOOLS = {t.key for t in TOOLS if t.site}


@dataclass(frozen=True, slots=True)
class Corpus:
    n: int
    root: Path  # the synth output: mkdocs.yml, docs/, changes/
    plain_config: Path  # the same project without the changetrail plugin
    pre: Path  # the pre-rendered project: mkdocs.yml and docs/
    info: dict[str, Any]


# --- measuring -------------------------------------------------------------------------------


def _time_binary() -> str | None:
    """GNU time, if it is there and understands ``-f %M``."""
    path = shutil.which("time") or ("/usr/bin/time" if Path("/usr/bin/time").exists() else None)
    if path is None:
        return None
    try:
        probe = subprocess.run(
            [path, "-f", "%M", "true"], capture_output=True, text=True, timeout=10, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return None
    lines = probe.stderr.strip().splitlines()
    return path if probe.returncode == 0 and lines and lines[-1].isdigit() else None


TIME_BIN = _time_binary()
RSS_METHOD = "/usr/bin/time -f %M" if TIME_BIN else "os.wait4 ru_maxrss"


def measure(argv: list[str], cwd: Path, log: Path) -> tuple[float, int | None, int]:
    """Run one command; return (wall seconds, peak RSS in KiB or None, exit code)."""
    rss_file = log.with_suffix(".rss")
    cmd = [TIME_BIN, "-f", "%M", "-o", str(rss_file), *argv] if TIME_BIN else argv
    with log.open("wb") as out:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=cwd, stdout=out, stderr=subprocess.STDOUT, env=ENV)
        if TIME_BIN:
            code = proc.wait()
            wall = time.perf_counter() - start
            rss = _read_rss(rss_file)
        else:
            _, status, usage = os.wait4(proc.pid, 0)
            wall = time.perf_counter() - start
            code = os.waitstatus_to_exitcode(status)
            proc.returncode = code
            # ru_maxrss is KiB on Linux, bytes on macOS.
            rss = usage.ru_maxrss // 1024 if sys.platform == "darwin" else usage.ru_maxrss
    return wall, rss, code


def _read_rss(path: Path) -> int | None:
    """The last line GNU time wrote (it may first say 'Command exited with non-zero status')."""
    try:
        lines = path.read_text(encoding="utf-8").split()
        path.unlink()
    except OSError:
        return None
    return int(lines[-1]) if lines and lines[-1].isdigit() else None


def site_stats(site: Path) -> dict[str, Any]:
    """Total bytes and files of a built site, and its HTML pages."""
    total = files = html = html_bytes = largest = 0
    largest_page = None
    stack = [site]
    while stack:
        with os.scandir(stack.pop()) as entries:
            for entry in entries:
                if entry.is_dir(follow_symlinks=False):
                    stack.append(Path(entry.path))
                    continue
                size = entry.stat(follow_symlinks=False).st_size
                total += size
                files += 1
                if entry.name.endswith(".html"):
                    html += 1
                    html_bytes += size
                    if size > largest:
                        largest, largest_page = size, entry.path
    index = site / "search" / "search_index.json"
    pagefind = site / "pagefind"
    pagefind_bytes = (
        sum(p.stat().st_size for p in pagefind.rglob("*") if p.is_file())
        if pagefind.is_dir()
        else None
    )
    return {
        "output_bytes": total,
        "files": files,
        "html_pages": html,
        "avg_html_bytes": round(html_bytes / html) if html else 0,
        "max_html_bytes": largest,
        "max_html_page": Path(largest_page).relative_to(site).as_posix() if largest_page else None,
        "search_index_bytes": index.stat().st_size if index.exists() else None,
        "pagefind_bytes": pagefind_bytes,
    }


_WARNING = re.compile(rb"^WARNING\b|: warning: ", re.MULTILINE)


def count_warnings(log: Path) -> int:
    return len(_WARNING.findall(log.read_bytes()))


# --- corpora ---------------------------------------------------------------------------------


def progress(text: str) -> None:
    sys.stderr.write(text)
    sys.stderr.flush()


def prepare(n: int, seed: int, work: Path, *, plain: bool) -> Corpus:
    """Write the corpus of ``n`` pages and its pre-rendered copy (not timed as a contest)."""
    import yaml

    root, pre = work / f"corpus-{n}", work / f"prerendered-{n}"
    for folder in (root, pre):
        shutil.rmtree(folder, ignore_errors=True)
    progress(f"corpus: changetrail synth --n {n} --seed {seed} --kind mixed ...")
    start = time.perf_counter()
    synth = [PYTHON, "-m", "changetrail", "synth", "--n", str(n), "--seed", str(seed)]
    _run_checked([*synth, "--kind", "mixed", "--out", str(root)], cwd=work)
    synth_s = time.perf_counter() - start
    progress(f" {synth_s:.1f} s\n")

    raw = yaml.safe_load((root / "mkdocs.yml").read_text(encoding="utf-8"))
    plain_config = root / "mkdocs.plain.yml"
    if plain:
        without = dict(raw)
        without["plugins"] = [p for p in raw.get("plugins", []) if _plugin_name(p) != "changetrail"]
        plain_config.write_text(_yaml_dump(without), encoding="utf-8")

    progress(f"corpus: pre-rendering the {n:,}-page corpus to plain Markdown ...")
    start = time.perf_counter()
    _run_checked([PYTHON, str(Path(__file__).resolve()), "--prerender", str(root), str(pre)], work)
    prerender_s = time.perf_counter() - start
    progress(f" {prerender_s:.1f} s\n")
    info = json.loads((pre / "prerender.json").read_text(encoding="utf-8"))
    info.update(
        pages=n,
        articles=len(list((root / "docs" / "articles").glob("*.md"))),
        records=len(list((root / "changes").glob("*.md"))),
        source_bytes=sum(p.stat().st_size for p in root.rglob("*.md")),
        synth_s=round(synth_s, 3),
        prerender_s=round(prerender_s, 3),
    )
    return Corpus(n=n, root=root, plain_config=plain_config, pre=pre, info=info)


def _plugin_name(entry: object) -> str:
    return next(iter(entry)) if isinstance(entry, dict) else str(entry)


def _yaml_dump(data: dict[str, Any]) -> str:
    import yaml

    return yaml.safe_dump(data, sort_keys=False, allow_unicode=True, width=1 << 20)


def _run_checked(argv: list[str], cwd: Path) -> None:
    done = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(f"\nfailed ({done.returncode}): {' '.join(argv)}\n")
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(1)


def prerender(corpus: Path, out: Path) -> None:
    """Write the Markdown of every page changetrail builds as ordinary files, plus a mkdocs.yml.

    Runs MkDocs' build with the changetrail plugin up to the ``page_markdown`` event (what
    ``mkdocs.commands.build`` does before it renders a page) and writes each page's Markdown
    with its metadata as frontmatter: records, the change log, taxonomy and view pages as the
    plugin generated them, links rebased; articles with their summary, box and similar posts.
    The plugin's HTML post-processing (sanitizing, git dates, header link) is not included.
    """
    import yaml
    from mkdocs.config import load_config
    from mkdocs.structure.files import get_files, set_exclusions
    from mkdocs.structure.nav import get_navigation
    from mkdocs.structure.pages import Page

    docs = out / "docs"
    written: list[str] = []
    with tempfile.TemporaryDirectory(prefix="changetrail-prerender-") as tmp:
        config = load_config(str(corpus / "mkdocs.yml"), site_dir=tmp)
        config.plugins.on_startup(command="build", dirty=False)
        try:
            config = config.plugins.on_config(config)
            config.plugins.on_pre_build(config=config)
            files = config.plugins.on_files(get_files(config), config=config)
            set_exclusions(files, config)
            nav = get_navigation(files, config)
            config.plugins.on_nav(nav, config=config, files=files)
            for file in files.documentation_pages():
                page = file.page or Page(None, file, config)
                config._current_page = page
                page = config.plugins.on_pre_page(page, config=config, files=files)
                page.read_source(config)
                markdown = config.plugins.on_page_markdown(
                    page.markdown or "", page=page, config=config, files=files
                )
                config._current_page = None
                front = ""
                if page.meta:
                    front = f"---\n{_yaml_dump(dict(page.meta))}---\n\n"
                dest = docs / file.src_uri
                dest.parent.mkdir(parents=True, exist_ok=True)
                dest.write_text(front + markdown, encoding="utf-8", newline="\n")
                written.append(file.src_uri)
        finally:
            config.plugins.on_shutdown()
        extensions = [
            {name: config.mdx_configs[name]} if config.mdx_configs.get(name) else name
            for name in config.markdown_extensions
        ]
        features = list(config.theme.get("features") or [])
        theme_name = config.theme.name

    raw = yaml.safe_load((corpus / "mkdocs.yml").read_text(encoding="utf-8"))
    raw["docs_dir"] = "docs"
    raw["theme"] = {"name": theme_name, **({"features": features} if features else {})}
    raw["markdown_extensions"] = extensions
    raw["plugins"] = ["search"]
    top = {f"/{uri.split('/')[0]}/" if "/" in uri else f"/{uri}" for uri in written}
    raw["not_in_nav"] = "\n".join(sorted(top - {"/index.md"})) + "\n"
    (out / "mkdocs.yml").write_text(
        "# Pre-rendered by tests/benchmarks/run.py: changetrail's pages as plain Markdown.\n"
        + _yaml_dump(raw),
        encoding="utf-8",
    )
    info = {"prerendered_pages": len(written)}
    (out / "prerender.json").write_text(json.dumps(info), encoding="utf-8")


# --- the run ---------------------------------------------------------------------------------


def command(tool: str, corpus: Corpus, site: Path) -> tuple[list[str], Path]:
    """The argv and working folder of one tool on one corpus."""
    mkdocs = [PYTHON, "-m", "mkdocs", "build", "-f"]
    commands = {
        "mkdocs-plain": ([*mkdocs, str(corpus.plain_config), "-d", str(site)], corpus.root),
        "mkdocs-prerendered": (
            [*mkdocs, str(corpus.pre / "mkdocs.yml"), "-d", str(site)],
            corpus.pre,
        ),
        "lower-bound": (
            [
                PYTHON,
                str(HERE / "lower_bound.py"),
                str(corpus.pre / "docs"),
                "--config",
                str(corpus.pre / "mkdocs.yml"),
                "--out",
                str(site),
            ],
            corpus.pre,
        ),
        "changetrail-build": ([PYTHON, "-m", "changetrail", "build", "-d", str(site)], corpus.root),
        "changetrail-rebuild": (
            [PYTHON, "-m", "changetrail", "build", "-d", str(site)],
            corpus.root,
        ),
        "changetrail-check": ([PYTHON, "-m", "changetrail", "check"], corpus.root),
        "changetrail-check-cold": ([PYTHON, "-m", "changetrail", "check"], corpus.root),
    }
    return commands[tool]


def before(tool: str, corpus: Corpus) -> None:
    """Untimed set-up of one run: a cold start, or one edited record for the rebuild."""
    if tool in COLD:
        shutil.rmtree(corpus.root / ".cache", ignore_errors=True)
    if tool == "changetrail-rebuild":
        # Toggle one line in the newest record's body: a real change each run, and the cache
        # left by the cold build just before holds every other page.
        record = sorted((corpus.root / "changes").glob("*.md"))[-1]
        text = record.read_text(encoding="utf-8")
        edited = text[: -len(EDIT_LINE)] if text.endswith(EDIT_LINE) else text + EDIT_LINE
        record.write_text(edited, encoding="utf-8")


def run_all(
    corpora: list[Corpus], tools: list[Tool], repeat: int, work: Path
) -> list[dict[str, Any]]:
    """Every tool on every corpus, ``repeat`` times, interleaved; one dict per run."""
    runs: list[dict[str, Any]] = []
    total = len(corpora) * repeat * len(tools)
    step = 0
    (work / "logs").mkdir(exist_ok=True)
    for corpus in corpora:
        for run in range(1, repeat + 1):
            for tool in tools:
                step += 1
                site = work / "sites" / f"{corpus.n}-{tool.key}"
                # Outside the timed part. The rebuild writes over the cold build's site, as a
                # user's second build does (the replaced site is deleted in the background).
                if tool.key == "changetrail-rebuild":
                    site = work / "sites" / f"{corpus.n}-changetrail-build"
                else:
                    shutil.rmtree(site, ignore_errors=True)
                site.parent.mkdir(exist_ok=True)
                log = work / "logs" / f"{corpus.n}-{tool.key}-{run}.log"
                label = tool.label.removesuffix(" (*)")
                progress(f"[{step}/{total}] {label}, {corpus.n:,} pages, run {run} ...")
                argv, cwd = command(tool.key, corpus, site)
                before(tool.key, corpus)
                wall, rss, code = measure(argv, cwd, log)
                rss_text = f", peak {rss / 1024:.0f} MiB" if rss is not None else ""
                progress(f" {wall:.1f} s{rss_text}\n")
                if code != 0:
                    tail = log.read_text(encoding="utf-8", errors="replace")[-4000:]
                    progress(
                        f"\n{' '.join(argv)}\nexited with {code}; end of its output:\n{tail}\n"
                    )
                    raise SystemExit(1)
                entry: dict[str, Any] = {
                    "size": corpus.n,
                    "tool": tool.key,
                    "run": run,
                    "wall_s": round(wall, 4),
                    "peak_rss_kib": rss,
                    "exit_code": code,
                    "warnings_logged": count_warnings(log),
                }
                if tool.site:
                    entry.update(site_stats(site))
                runs.append(entry)
    return runs


def medians(runs: list[dict[str, Any]]) -> dict[str, dict[str, dict[str, Any]]]:
    """Per size and tool: median (and min, max) wall time, median RSS and output figures."""
    out: dict[str, dict[str, dict[str, Any]]] = {}
    keys = (
        "output_bytes",
        "files",
        "html_pages",
        "avg_html_bytes",
        "max_html_bytes",
        "search_index_bytes",
        "pagefind_bytes",
    )
    for size in sorted({r["size"] for r in runs}):
        out[str(size)] = {}
        for tool in dict.fromkeys(r["tool"] for r in runs):
            mine = [r for r in runs if r["size"] == size and r["tool"] == tool]
            if not mine:
                continue
            walls = [r["wall_s"] for r in mine]
            rss = [r["peak_rss_kib"] for r in mine if r["peak_rss_kib"] is not None]
            summary: dict[str, Any] = {
                "runs": len(mine),
                "wall_s": round(statistics.median(walls), 3),
                "wall_min_s": round(min(walls), 3),
                "wall_max_s": round(max(walls), 3),
                "peak_rss_mib": round(statistics.median(rss) / 1024, 1) if rss else None,
            }
            for key in keys:
                values = [r[key] for r in mine if r.get(key) is not None]
                summary[key] = round(statistics.median(values)) if values else None
            summary["max_html_page"] = mine[-1].get("max_html_page")
            out[str(size)][tool] = summary
    return out


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def ratios(
    med: dict[str, dict[str, dict[str, Any]]], runs: list[dict[str, Any]]
) -> dict[str, dict[str, Any]]:
    """Ratios of medians, and changetrail build / lower bound within each round of runs.

    The per-round ratio pairs runs made seconds apart, so slow spells of the machine (which
    move every tool alike) cancel out; its median is the steadier figure when runs spread.
    """
    out: dict[str, dict[str, Any]] = {}
    for size, tools in med.items():

        def wall(tool: str, tools: dict[str, dict[str, Any]] = tools) -> float | None:
            return tools[tool]["wall_s"] if tool in tools else None

        walls = {(r["tool"], r["run"]): r["wall_s"] for r in runs if str(r["size"]) == size}
        rounds = sorted({r for _, r in walls})
        per_round = [
            round(walls[("changetrail-build", r)] / walls[("lower-bound", r)], 2)
            for r in rounds
            if ("changetrail-build", r) in walls and ("lower-bound", r) in walls
        ]
        build = wall("changetrail-build")
        out[size] = {
            "rebuild_over_build": _ratio(wall("changetrail-rebuild"), build),
            "build_over_lower_bound": _ratio(build, wall("lower-bound")),
            "build_over_lower_bound_per_round": per_round,
            "build_over_lower_bound_per_round_median": (
                round(statistics.median(per_round), 2) if per_round else None
            ),
            "build_over_mkdocs_prerendered": _ratio(build, wall("mkdocs-prerendered")),
            "build_over_mkdocs_plain": _ratio(build, wall("mkdocs-plain")),
            "mkdocs_prerendered_over_lower_bound": _ratio(
                wall("mkdocs-prerendered"), wall("lower-bound")
            ),
        }
    return out


def growth(med: dict[str, dict[str, dict[str, Any]]]) -> dict[str, dict[str, Any]]:
    """From each size to the next (and smallest to largest): how much each tool's time grew."""
    sizes = sorted(int(s) for s in med)
    pairs = list(itertools.pairwise(sizes))
    if len(sizes) > 2:
        pairs.append((sizes[0], sizes[-1]))
    out: dict[str, dict[str, Any]] = {}
    for a, b in pairs:
        entry: dict[str, Any] = {"pages": round(b / a, 2), "wall": {}, "avg_html_bytes": {}}
        for tool, low in med[str(a)].items():
            high = med[str(b)].get(tool)
            if high is None:
                continue
            entry["wall"][tool] = _ratio(high["wall_s"], low["wall_s"])
            if low.get("avg_html_bytes"):
                entry["avg_html_bytes"][tool] = _ratio(
                    high["avg_html_bytes"], low["avg_html_bytes"]
                )
        out[f"{a}->{b}"] = entry
    return out


# --- the machine -----------------------------------------------------------------------------


def machine() -> dict[str, Any]:
    import yaml

    cpuinfo = Path("/proc/cpuinfo")
    models = []
    if cpuinfo.exists():
        models = [
            line.split(":", 1)[1].strip()
            for line in cpuinfo.read_text(encoding="utf-8").splitlines()
            if line.startswith("model name")
        ]
    memory = None
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        for line in meminfo.read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal:"):
                memory = round(int(line.split()[1]) / 1024 / 1024, 1)
    versions = {}
    for dist in (
        "changetrail",
        "mkdocs",
        "mkdocs-material",
        "Markdown",
        "pymdown-extensions",
        "Jinja2",
        "PyYAML",
        "pydantic",
    ):
        try:
            versions[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            versions[dist] = None
    return {
        "cpu": models[0] if models else (platform.processor() or platform.machine()),
        "cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "memory_gib": memory,
        "platform": platform.platform(),
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "versions": versions,
        "libyaml": bool(getattr(yaml, "__with_libyaml__", False)),
        "load_average_at_start": [round(x, 2) for x in os.getloadavg()],
        "changetrail_commit": _git_commit(),
        "peak_rss_method": RSS_METHOD,
    }


def _git_commit() -> str | None:
    try:
        sha = subprocess.run(
            ["git", "-C", str(REPO), "rev-parse", "HEAD"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        dirty = subprocess.run(
            ["git", "-C", str(REPO), "status", "--porcelain", "--untracked-files=no"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return None
    return sha + (" (with uncommitted changes)" if dirty else "")


# --- the report ------------------------------------------------------------------------------


def _mb(n: float | None) -> str:
    return "-" if n is None else f"{n / 1e6:,.1f}"


def report(result: dict[str, Any]) -> str:
    """The table of medians and the ratios, as plain text."""
    m = result["machine"]
    v = m["versions"]
    lines = [
        (
            f"changetrail benchmark, {result['date'][:10]}: {m['cpu']}, {m['cores']} cores, "
            f"{m['memory_gib']} GiB, {m['python']}, MkDocs {v['mkdocs']}, "
            f"Material {v['mkdocs-material']}"
        ),
        (
            f"medians of {result['args']['repeat']} run(s) each; wall time of the whole command; "
            f"peak RSS by {m['peak_rss_method']}"
        ),
    ]
    head = (
        f"{'tool':<38} {'wall s':>8} {'min-max s':>13} {'RSS MiB':>7} {'site MB':>8} "
        f"{'HTML pages':>10} {'avg page KB':>11} {'x lower':>8}"
    )
    for size, tools in result["medians"].items():
        info = result["corpora"][size]
        lines += [
            "",
            (
                f"{int(size):,} pages ({info['articles']:,} articles, {info['records']:,} "
                f"records; {info['prerendered_pages']:,} pages once rendered)"
            ),
            head,
            "-" * len(head),
        ]
        lower = tools.get("lower-bound", {}).get("wall_s")
        for tool, s in tools.items():
            rss = "-" if s["peak_rss_mib"] is None else f"{s['peak_rss_mib']:.0f}"
            avg = "-" if not s["avg_html_bytes"] else f"{s['avg_html_bytes'] / 1000:.1f}"
            pages = "-" if s["html_pages"] is None else f"{s['html_pages']:,}"
            spread = f"{s['wall_min_s']:.2f}-{s['wall_max_s']:.2f}"
            times = f"{s['wall_s'] / lower:.2f}" if lower and tool in SITE_TOOLS else "-"
            lines.append(
                f"{LABELS[tool]:<38} {s['wall_s']:>8.2f} {spread:>13} {rss:>7} "
                f"{_mb(s['output_bytes']):>8} {pages:>10} {avg:>11} {times:>8}"
            )
        r = result["ratios"][size]
        lines += ["", *_ratio_lines(r, tools)]
    if any(r["build_over_mkdocs_plain"] is not None for r in result["ratios"].values()):
        lines += [
            "",
            "(*) without the plugin, records are not pages: that site has only the articles.",
        ]
    for pair, g in result["growth"].items():
        a, b = (int(x) for x in pair.split("->"))
        lines += [
            "",
            (
                f"growth {a:,} -> {b:,} pages (x{g['pages']:g} the pages: linear growth is "
                f"x{g['pages']:g} the time, and the same average page size):"
            ),
        ]
        for tool, factor in g["wall"].items():
            weight = g["avg_html_bytes"].get(tool)
            weight_text = f"   avg page size x{weight:g}" if weight is not None else ""
            lines.append(f"  {LABELS[tool]:<38} time x{_fmt(factor)}{weight_text}")
    return "\n".join(lines) + "\n"


def _ratio_lines(r: dict[str, Any], tools: dict[str, dict[str, Any]]) -> list[str]:
    """The ratios issue 5 asks for, and its other targets where this run measured them."""

    def line(label: str, value: str, note: str = "") -> str:
        return f"  {label + ':':<55} {value:>8}   {note}".rstrip()

    lines = [
        line(
            "changetrail build / lower bound",
            _fmt(r["build_over_lower_bound"]),
            "(issue 5 target: at most 2.5)",
        ),
    ]
    if len(r["build_over_lower_bound_per_round"]) > 1:
        rounds = ", ".join(f"{x:.2f}" for x in r["build_over_lower_bound_per_round"])
        lines.append(
            line(
                "  the same, run by run (median)",
                _fmt(r["build_over_lower_bound_per_round_median"]),
                f"({rounds})",
            )
        )
    lines += [
        line(
            "changetrail build / plain MkDocs, pre-rendered",
            _fmt(r["build_over_mkdocs_prerendered"]),
        ),
    ]
    if r["build_over_mkdocs_plain"] is not None:
        lines.append(
            line(
                "changetrail build / plain MkDocs, plugin removed (*)",
                _fmt(r["build_over_mkdocs_plain"]),
            )
        )
    if r.get("rebuild_over_build") is not None:
        lines.append(
            line(
                "rebuild after one edit / cold build",
                _fmt(r["rebuild_over_build"]),
                "(issue 5 target: at most 0.20)",
            )
        )
    build, check = tools.get("changetrail-build"), tools.get("changetrail-check")
    if build and build.get("max_html_bytes"):
        lines.append(
            line(
                "changetrail build, largest HTML page",
                f"{build['max_html_bytes'] / 1000:,.0f} KB",
                f"({build['max_html_page']})",
            )
        )
    if build and build.get("search_index_bytes"):
        lines.append(
            line(
                "changetrail build, Material's search index",
                f"{_mb(build['search_index_bytes'])} MB",
                "(loaded whole by the browser on the first search)",
            )
        )
    if build and build["peak_rss_mib"] is not None:
        lines.append(
            line(
                "changetrail build peak RSS",
                f"{build['peak_rss_mib']:.0f} MiB",
                "(target at 10,000 pages: under 2 GB)",
            )
        )
    if build and build.get("pagefind_bytes"):
        lines.append(
            line(
                "changetrail build, Pagefind index (all files)",
                f"{_mb(build['pagefind_bytes'])} MB",
                "(a query loads only a few fragments of it)",
            )
        )
    cold_check = tools.get("changetrail-check-cold")
    for label, entry in (("changetrail check, warm cache", check), ("cold", cold_check)):
        if entry:
            lines.append(
                line(
                    label if label != "cold" else "changetrail check, cold (no cache)",
                    f"{entry['wall_s']:.2f} s",
                    "(target at 10,000 pages: under 3 s)",
                )
            )
    return lines


def _fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.2f}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description="Benchmark changetrail against plain MkDocs and the lower bound (issue 5).",
        epilog="Example: python tests/benchmarks/run.py --sizes 1000 10000 --repeat 3 "
        "--out results.json",
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=[1000], help="Corpus sizes.")
    parser.add_argument("--repeat", type=int, default=3, help="Runs per tool and size.")
    parser.add_argument("--seed", type=int, default=1, help="Seed of changetrail synth.")
    parser.add_argument("--out", type=Path, help="Write every run and the medians here (JSON).")
    parser.add_argument(
        "--quick",
        action="store_true",
        help="Skip plain MkDocs with the plugin removed (what CI runs, with --sizes 200).",
    )
    parser.add_argument(
        "--workdir",
        type=Path,
        help="Keep corpora, sites and logs here (default: a temporary folder, removed after).",
    )
    parser.add_argument("--prerender", nargs=2, type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.prerender:
        prerender(*args.prerender)
        return 0
    if args.repeat < 1 or any(n < 2 for n in args.sizes):
        parser.error("--repeat must be at least 1 and every size at least 2")
    sizes = sorted(set(args.sizes))
    tools = [t for t in TOOLS if t.quick or not args.quick]

    started = time.perf_counter()
    date = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    info = machine()
    if args.workdir:
        work = args.workdir.resolve()
        work.mkdir(parents=True, exist_ok=True)
    else:
        work = Path(tempfile.mkdtemp(prefix="changetrail-bench-"))
    try:
        corpora = [prepare(n, args.seed, work, plain=not args.quick) for n in sizes]
        runs = run_all(corpora, tools, args.repeat, work)
    finally:
        if not args.workdir:
            shutil.rmtree(work, ignore_errors=True)
    med = medians(runs)
    result = {
        "date": date,
        "command": " ".join([Path(sys.argv[0]).name, *(argv or sys.argv[1:])]),
        "args": {"sizes": sizes, "repeat": args.repeat, "seed": args.seed, "quick": args.quick},
        "machine": info,
        "corpora": {str(c.n): c.info for c in corpora},
        "medians": med,
        "ratios": ratios(med, runs),
        "growth": growth(med),
        "runs": runs,
        "total_s": round(time.perf_counter() - started, 1),
    }
    sys.stdout.write(report(result))
    sys.stdout.write(f"\ntotal time of this benchmark: {result['total_s']:.0f} s\n")
    if args.out:
        args.out.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
        progress(f"results written to {args.out}\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
