"""Time `backlog` against check-jsonschema on generated backlogs and print a Markdown table.

    python benchmarks/run.py [--sizes 1000,10000] [--runs 5] [--work DIR] [--json FILE]
    python benchmarks/run.py --scaling 1000,2000,5000,10000,20000,50000 [--runs 3] [--svg FILE]

For each size, `generate.py` writes a synthetic backlog into the work folder (default
`benchmarks/.work/`, git-ignored); then every figure below is measured with both tools side by
side, alternating which one goes first, and the MEDIAN of the runs is reported. Every command's
stdout and stderr are captured; a command that exits with an unexpected code stops the run
with its stderr.

To add a figure (warm cache, one changed file, ...), add a `Figure` to `size_figures()` or
`global_figures()`: a name, the backlog argv, the peer argv (one argv per chunk, times are
summed), and optionally a `setup` callable that runs before every measured run.

`--scaling SIZES` is a separate mode: `backlog` only (no peer), the cold check, the warm check,
one changed file and the cold check's peak RSS at every size (the same figures as above), then
a table with the cost per 1,000 items, a least-squares line t = a + b*n per series with its R^2,
an ASCII chart of the curve and, with `--svg FILE`, the same chart as an SVG file.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timezone
from pathlib import Path
from xml.sax.saxutils import escape

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
ITEM_SCHEMA = REPO / "schemas" / "item.schema.json"
sys.path.insert(0, str(HERE))

from generate import generate  # noqa: E402

PEER = "check-jsonschema"

# Peak RSS without GNU time: a fresh Python process runs the command and reports the largest
# RSS among its children (only one), so earlier commands of this runner cannot leak into it.
RSS_WRAPPER = """
import resource, subprocess, sys
rc = subprocess.call(sys.argv[2:])
peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
if sys.platform == "darwin":
    peak //= 1024  # bytes there, kilobytes on Linux
with open(sys.argv[1], "w") as out:
    out.write(str(peak))
sys.exit(rc)
"""


class BenchError(Exception):
    pass


# -- tools --------------------------------------------------------------------------------------


def executable(name: str) -> str | None:
    """`name` next to the running interpreter (the venv's tools), else on PATH."""
    folder = Path(sys.executable).parent  # not resolved: a venv's python is a symlink
    for candidate in (folder / name, folder / f"{name}.exe"):
        if candidate.is_file() and os.access(candidate, os.X_OK):
            return str(candidate)
    return shutil.which(name)


def run(argv: Sequence[str], cwd: Path | None = None, expect: Sequence[int] = (0,)) -> str:
    """Run once, captured; return stdout, or raise with stderr on an unexpected exit code."""
    proc = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, check=False)
    if proc.returncode not in expect:
        raise BenchError(failure(argv, proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def failure(argv: Sequence[str], code: int, stdout: str, stderr: str) -> str:
    shown = " ".join(argv[:6]) + (f" ... ({len(argv) - 6} more args)" if len(argv) > 6 else "")
    text = f"`{shown}` exited with {code}\n--- stderr ---\n{stderr.strip() or '(empty)'}\n"
    if stdout.strip():
        lines = stdout.strip().splitlines()
        text += "--- stdout (last 40 lines) ---\n" + "\n".join(lines[-40:]) + "\n"
    return text


def gnu_time() -> str | None:
    """/usr/bin/time if it is GNU time (`-v -o FILE`), else None."""
    path = "/usr/bin/time"
    if not os.access(path, os.X_OK):
        return None
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "t"
        try:
            subprocess.run([path, "-v", "-o", str(out), "true"], capture_output=True, check=True)
        except (OSError, subprocess.CalledProcessError):
            return None
        return path if "Maximum resident set size" in out.read_text(errors="replace") else None


@dataclass(frozen=True)
class Tools:
    backlog: str
    peer: str | None
    gnu_time: str | None
    no_cache: bool  # `backlog check` accepts --no-cache

    @classmethod
    def find(cls) -> Tools:
        backlog = executable("backlog")
        if backlog is None:
            raise BenchError("no `backlog` executable next to this Python or on PATH")
        help_text = run([backlog, "check", "--help"])
        return cls(backlog, executable(PEER), gnu_time(), "--no-cache" in help_text)


# -- measuring ----------------------------------------------------------------------------------


@dataclass
class Figure:
    """One row of the table: the same job done by backlog and by the peer."""

    name: str
    backlog: list[str]
    peer: list[list[str]] | None  # one argv per chunk (ARG_MAX); times are summed, RSS maxed
    measure: str = "time"  # "time" (seconds) or "rss" (peak resident set size, MB)
    cwd: Path | None = None
    setup: Callable[[], None] | None = None  # before every measured run, untimed
    notes: list[str] = field(default_factory=list)
    key: str = ""  # what the scaling mode calls it: cold, rss, warm, one-changed


def measure_time(argv: Sequence[str], cwd: Path | None) -> float:
    start = time.perf_counter()
    proc = subprocess.run(list(argv), cwd=cwd, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - start
    if proc.returncode != 0:
        raise BenchError(failure(argv, proc.returncode, proc.stdout, proc.stderr))
    return elapsed


def measure_rss(argv: Sequence[str], cwd: Path | None, tools: Tools) -> float:
    """Peak RSS of one run of `argv`, in MB."""
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp) / "rss"
        if tools.gnu_time:
            wrapped = [tools.gnu_time, "-v", "-o", str(out), *argv]
        else:
            wrapped = [sys.executable, "-c", RSS_WRAPPER, str(out), *argv]
        proc = subprocess.run(wrapped, cwd=cwd, capture_output=True, text=True, check=False)
        if proc.returncode != 0:
            raise BenchError(failure(argv, proc.returncode, proc.stdout, proc.stderr))
        text = out.read_text(errors="replace")
    if tools.gnu_time:
        match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", text)
        if match is None:
            raise BenchError(f"no peak RSS in the output of {tools.gnu_time}:\n{text}")
        text = match.group(1)
    return int(text) / 1024


def sample(argvs: Sequence[Sequence[str]], figure: Figure, tools: Tools) -> float:
    """One measured run of one side: several argvs (chunks) sum their times, max their RSS."""
    if figure.measure == "rss":
        return max(measure_rss(argv, figure.cwd, tools) for argv in argvs)
    return sum(measure_time(argv, figure.cwd) for argv in argvs)


@dataclass
class Result:
    figure: Figure
    backlog: list[float]
    peer: list[float]

    @property
    def backlog_median(self) -> float:
        return statistics.median(self.backlog)

    @property
    def peer_median(self) -> float | None:
        return statistics.median(self.peer) if self.peer else None

    @property
    def ratio(self) -> float | None:
        peer = self.peer_median
        return self.backlog_median / peer if peer else None


def bench(
    figure: Figure, tools: Tools, runs: int, warmup: int, log: Callable[[str], None]
) -> Result:
    sides: list[tuple[str, list[list[str]]]] = [("backlog", [figure.backlog])]
    if figure.peer:
        sides.append(("peer", figure.peer))
    if figure.measure == "time":
        for _ in range(warmup):  # page cache, .pyc files; also catches failures early
            for _, argvs in sides:
                if figure.setup:
                    figure.setup()
                sample(argvs, figure, tools)
    found: dict[str, list[float]] = {"backlog": [], "peer": []}
    for n in range(runs):
        # alternate which tool goes first, so that drift (thermal, caches) hits both alike
        for side, argvs in sides if n % 2 == 0 else sides[::-1]:
            if figure.setup:
                figure.setup()
            found[side].append(sample(argvs, figure, tools))
        log(f"  {figure.name}: run {n + 1}/{runs}")
    return Result(figure, found["backlog"], found["peer"])


# -- figures ------------------------------------------------------------------------------------


def chunked(prefix: Sequence[str], args: Sequence[str]) -> list[list[str]]:
    """`prefix + args`, split into as many command lines as ARG_MAX needs (with a margin)."""
    try:
        arg_max = os.sysconf("SC_ARG_MAX")
    except (AttributeError, OSError, ValueError):
        arg_max = 32_768  # Windows' command line limit
    env = sum(len(k) + len(v) + 2 + 8 for k, v in os.environ.items())
    budget = max((arg_max - env) // 2, 16_384)

    def cost(arg: str) -> int:
        return len(os.fsencode(arg)) + 1 + 8  # the string, its NUL, its argv pointer

    base = sum(cost(a) for a in prefix)
    chunks: list[list[str]] = []
    current: list[str] = []
    used = base
    for arg in args:
        if current and used + cost(arg) > budget:
            chunks.append([*prefix, *current])
            current, used = [], base
        current.append(arg)
        used += cost(arg)
    if current or not chunks:
        chunks.append([*prefix, *current])
    return chunks


def item_files(dest: Path) -> list[str]:
    """Every item file, relative to `dest` (shorter command lines), sorted."""
    root = dest / "backlog"
    found = [p.relative_to(dest).as_posix() for p in root.rglob("*.y*ml")]
    return sorted(f for f in found if f.endswith((".yaml", ".yml")))


def global_figures(tools: Tools) -> list[Figure]:
    peer = [[tools.peer, "--version"]] if tools.peer else None
    return [Figure("`--version`", [tools.backlog, "--version"], peer)]


def size_figures(size: int, dest: Path, tools: Tools) -> list[Figure]:
    check = [tools.backlog, "check", "--root", str(dest)]
    notes = []
    if tools.no_cache:
        check.append("--no-cache")
    else:
        notes.append("`backlog check` has no `--no-cache` option yet: run without it.")
    peer = None
    if tools.peer:
        peer = chunked([tools.peer, "--schemafile", str(ITEM_SCHEMA)], item_files(dest))
        if len(peer) > 1:
            notes.append(
                f"{PEER} got the {size:,} files in {len(peer)} command lines (ARG_MAX): "
                "its times are summed, its peak RSS is the largest of them."
            )
    label = f"{size:,} items"
    figures = [
        Figure(f"cold check, {label}", check, peer, cwd=dest, notes=notes, key="cold"),
        Figure(
            f"peak RSS of the cold check, {label} (MB)", check, peer, "rss", cwd=dest, key="rss"
        ),
    ]
    if tools.no_cache:
        cache_dir = dest / ".bench-cache"
        warm = [tools.backlog, "check", "--root", str(dest), "--cache-dir", str(cache_dir)]
        figures.append(
            Figure(f"warm check, nothing changed, {label}", warm, peer, cwd=dest, key="warm")
        )
        changed = sorted((dest / "backlog").rglob("*.yaml"))[0]
        original = changed.read_text(encoding="utf-8")
        counter = iter(range(1_000_000))

        def touch() -> None:
            # a new content every run: neither the parse cache nor the run cache has it
            changed.write_text(original + f"x-bench-edit: {next(counter)}\n", encoding="utf-8")

        one = [tools.backlog, "check", "--cache-dir", str(cache_dir), str(changed)]
        figures.append(
            Figure(
                f"one changed file (`check PATH`), warm cache, {label}",
                one,
                peer,
                cwd=dest,
                setup=touch,
                key="one-changed",
            )
        )
    return figures


# -- report -------------------------------------------------------------------------------------


def machine() -> dict[str, object]:
    cpu = platform.processor() or platform.machine()
    try:
        with open("/proc/cpuinfo", encoding="utf-8", errors="replace") as handle:
            for line in handle:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        usable = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        usable = os.cpu_count() or 0
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "usable_cores": usable,
        "python": platform.python_version(),
        "os": platform.platform(),
    }


def number(value: float | None, rss: bool) -> str:
    if value is None:
        return "n/a"
    return f"{value:.1f} MB" if rss else f"{value:.3f}"


def table(results: Sequence[Result], tools: Tools) -> str:
    peer = PEER if tools.peer else f"{PEER} (not installed)"
    lines = [
        f"| figure | backlog (median s) | {peer} (median s) | ratio |",
        "|---|---:|---:|---:|",
    ]
    for r in results:
        rss = r.figure.measure == "rss"
        ratio = f"{r.ratio:.2f}x" if r.ratio is not None else "n/a"
        lines.append(
            f"| {r.figure.name} | {number(r.backlog_median, rss)} | "
            f"{number(r.peer_median, rss)} | {ratio} |"
        )
    return "\n".join(lines)


def report(results: Sequence[Result], tools: Tools, info: dict[str, object]) -> str:
    cpu = info["machine"]
    assert isinstance(cpu, dict)
    out = [
        f"## backlog vs {PEER}",
        "",
        f"- date: {info['date']}",
        f"- machine: {cpu['cpu']}, {cpu['cores']} cores ({cpu['usable_cores']} usable), "
        f"Python {cpu['python']}, {cpu['os']}",
        f"- tools: {info['backlog_version']}; {info['peer_version']}",
        f"- runs: median of {info['runs']} per figure (after {info['warmup']} warm-up), "
        "the two tools alternating",
        "",
        table(results, tools),
        "",
        "ratio = backlog / peer: below 1 backlog is faster (or smaller), above 1 slower.",
        f"{PEER} validates the same files against `schemas/item.schema.json` only; "
        "backlog also runs the graph rules (and locates every finding).",
    ]
    seen: set[str] = set()
    for r in results:
        for note in r.figure.notes:
            if note not in seen:
                seen.add(note)
                out.append(f"Note: {note}")
    return "\n".join(out) + "\n"


def figure_json(r: Result) -> dict[str, object]:
    f = r.figure
    return {
        "name": f.name,
        "unit": "MB" if f.measure == "rss" else "s",
        "backlog_argv": f.backlog,
        "peer_argv": [[*c[:3], f"... {len(c) - 3} args"] for c in f.peer or []],
        "peer_chunks": len(f.peer or []),
        "backlog": r.backlog,
        "peer": r.peer,
        "backlog_median": r.backlog_median,
        "peer_median": r.peer_median,
        "ratio": r.ratio,
        "notes": f.notes,
    }


def as_json(results: Sequence[Result], info: dict[str, object]) -> dict[str, object]:
    return {**info, "figures": [figure_json(r) for r in results]}


# -- scaling curve ------------------------------------------------------------------------------

# The series of the scaling mode: Figure.key -> (label, unit). Times first, then memory.
SERIES = {
    "cold": ("cold", "s"),
    "warm": ("warm", "s"),
    "one-changed": ("one changed", "s"),
    "rss": ("peak RSS", "MB"),
}
CHART_SERIES = {"cold": "C", "warm": "W"}  # the ASCII chart: key -> marker
# The SVG chart: key -> (colour, legend)
SVG_SERIES = {
    "cold": ("#1f77b4", "cold check (--no-cache)"),
    "warm": ("#d62728", "warm check, nothing changed"),
    "one-changed": ("#2ca02c", "one changed file, warm cache"),
}


@dataclass(frozen=True)
class Fit:
    """The least-squares line y = a + b*x through some points."""

    a: float  # intercept: start-up and other fixed costs
    b: float  # slope: cost per item
    r2: float  # coefficient of determination: 1.0 when every point is on the line


def fit_line(xs: Sequence[float], ys: Sequence[float]) -> Fit:
    """Ordinary least squares; needs two or more points with at least two different x."""
    if len(xs) != len(ys) or len(xs) < 2:
        raise ValueError("a line fit needs two or more (x, y) points")
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    sxx = sum((x - mx) ** 2 for x in xs)
    if sxx == 0:
        raise ValueError("a line fit needs at least two different x values")
    b = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / sxx
    a = my - b * mx
    ss_res = sum((y - (a + b * x)) ** 2 for x, y in zip(xs, ys, strict=True))
    ss_tot = sum((y - my) ** 2 for y in ys)
    # a flat series is on its (flat) line; the clamp only absorbs rounding
    r2 = max(0.0, min(1.0, 1.0 - ss_res / ss_tot)) if ss_tot > 0 else 1.0
    return Fit(a, b, r2)


def per_item_ratio(sizes: Sequence[int], values: Sequence[float]) -> float | None:
    """Cost per item at the largest size / cost per item at the smallest (sizes ascending)."""
    if len(sizes) < 2 or values[0] <= 0:
        return None
    return (values[-1] / sizes[-1]) / (values[0] / sizes[0])


def marginal_ratio(sizes: Sequence[int], values: Sequence[float]) -> float | None:
    """Slope of the last step (the two largest sizes) / slope of the step before it.

    Start-up is in every point, so it inflates the per-item cost of small sizes and can hide a
    mildly superlinear term in `per_item_ratio`; differences between neighbours cancel it.
    The two largest steps are used because their differences are far above the run-to-run
    noise, where the step between the two smallest sizes can be of the order of the noise.
    """
    if len(sizes) < 3:
        return None
    before = (values[-2] - values[-3]) / (sizes[-2] - sizes[-3])
    last = (values[-1] - values[-2]) / (sizes[-1] - sizes[-2])
    return last / before if before > 0 else None


def verdict(per_item: float | None, marginal: float | None) -> str:
    if per_item is None:
        return "n/a"
    if per_item > 1.3:
        return "superlinear (the cost per item grows with the backlog)"
    text = "linear or better" if per_item <= 1.1 else "close to linear"
    if marginal is not None and marginal > 1.5:
        text += f", but the marginal cost grows {marginal:.1f}x: look for a superlinear term"
    return text


@dataclass(frozen=True)
class SeriesStats:
    key: str
    label: str
    unit: str
    values: list[float]  # medians, one per size
    fit: Fit | None
    per_item: float | None
    marginal: float | None

    @property
    def verdict(self) -> str:
        return verdict(self.per_item, self.marginal)


@dataclass
class ScalePoint:
    size: int
    dest: Path
    counts: dict[str, int]
    results: dict[str, Result]  # Figure.key -> Result

    def median(self, key: str) -> float | None:
        result = self.results.get(key)
        return result.backlog_median if result else None


def series_stats(points: Sequence[ScalePoint]) -> list[SeriesStats]:
    """Every series measured at every size, with its line fit and ratios."""
    sizes = [p.size for p in points]
    found = []
    for key, (label, unit) in SERIES.items():
        medians = [p.median(key) for p in points]
        values = [m for m in medians if m is not None]
        if not points or len(values) != len(points):
            continue  # not measured (no --no-cache: no warm figures)
        fit = fit_line(sizes, values) if len(set(sizes)) >= 2 else None
        found.append(
            SeriesStats(
                key,
                label,
                unit,
                values,
                fit,
                per_item_ratio(sizes, values),
                marginal_ratio(sizes, values),
            )
        )
    return found


def nice_ticks(top: float, target: int = 5) -> list[float]:
    """0, step, 2*step, ... up to the first tick >= top; step is 1, 2, 2.5 or 5 times 10^k."""
    if not top > 0:
        top = 1.0
    magnitude = 10 ** math.floor(math.log10(top / target))
    step = magnitude * 10
    for m in (1, 2, 2.5, 5, 10):
        if top / (m * magnitude) <= target:
            step = m * magnitude
            break
    count = math.ceil(top / step - 1e-9)
    return [i * step for i in range(count + 1)]


def short_count(n: float) -> str:
    """50000 -> 50k, 2500 -> 2.5k, 40 -> 40."""
    return f"{n / 1000:g}k" if n >= 1000 else f"{n:g}"


def tick_label(value: float) -> str:
    return f"{round(value, 9):g}"


def ascii_chart(
    sizes: Sequence[int], series: dict[str, list[float]], height: int = 15, plot_width: int = 60
) -> str:
    """A text chart of `series` (marker -> values, one per size) against size, origin at 0."""
    xticks = nice_ticks(max(sizes))
    yticks = nice_ticks(max(v for values in series.values() for v in values))
    xmax, ymax = xticks[-1], yticks[-1]
    gutter = max(len(tick_label(t)) for t in yticks) + 1

    def col(x: float) -> int:
        return round(x / xmax * (plot_width - 1))

    def row(y: float) -> int:  # 0 = bottom
        return round(y / ymax * (height - 1))

    grid = [[" "] * plot_width for _ in range(height)]
    for values in series.values():  # the segments between measured points
        for i in range(len(sizes) - 1):
            x0, x1, y0, y1 = sizes[i], sizes[i + 1], values[i], values[i + 1]
            for c in range(col(x0), col(x1) + 1):
                x = c / (plot_width - 1) * xmax
                y = y0 + (y1 - y0) * (x - x0) / (x1 - x0) if x1 != x0 else y1
                r = row(min(max(y, 0.0), ymax))
                if grid[r][c] == " ":
                    grid[r][c] = "."
    for marker, values in series.items():  # then the measured points
        for x, y in zip(sizes, values, strict=True):
            r, c = row(y), col(x)
            grid[r][c] = marker if grid[r][c] in " ." else "*"
    labels = {row(t): tick_label(t) for t in yticks}
    lines = [" " * gutter + " s (median)"]
    for r in range(height - 1, -1, -1):
        lines.append(f"{labels.get(r, ''):>{gutter}} |{''.join(grid[r]).rstrip()}")
    axis = ["-"] * plot_width
    under = [" "] * (plot_width + 8)
    free = 0  # first column of `under` a label may use
    for t in xticks:
        c = col(t)
        if c > 0:  # the corner marks 0
            axis[c] = "+"
        text = short_count(t)
        start = max(c - len(text) // 2, 0)
        if start >= free:
            under[start : start + len(text)] = text
            free = start + len(text) + 1
    lines.append(" " * gutter + " +" + "".join(axis))
    lines.append(" " * (gutter + 2) + "".join(under).rstrip() + "  items")
    return "\n".join(lines)


def chart_legend(stats: Sequence[SeriesStats]) -> str:
    parts = [f"{CHART_SERIES[s.key]} = {s.label} check" for s in stats if s.key in CHART_SERIES]
    return ", ".join(parts) + ", . = between measured points, * = both"


def svg_chart(sizes: Sequence[int], stats: Sequence[SeriesStats], title: str, subtitle: str) -> str:
    """A self-contained SVG line chart of the timed series against size."""
    width, height = 760, 460
    left, right, top, bottom = 72, 24, 84, 56
    plot_w, plot_h = width - left - right, height - top - bottom
    shown = [s for s in stats if s.key in SVG_SERIES]
    xticks = nice_ticks(max(sizes))
    yticks = nice_ticks(max((v for s in shown for v in s.values), default=1.0))
    xmax, ymax = xticks[-1], yticks[-1]

    def px(x: float) -> float:
        return left + x / xmax * plot_w

    def py(y: float) -> float:
        return top + plot_h - y / ymax * plot_h

    out = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" font-family="sans-serif" font-size="12">',
        f"<title>{escape(title)}</title>",
        f'<rect width="{width}" height="{height}" fill="white"/>',
        f'<text x="{left}" y="24" font-size="16" font-weight="bold">{escape(title)}</text>',
        f'<text x="{left}" y="44" fill="#555">{escape(subtitle)}</text>',
        '<g class="grid" stroke="#e4e4e4" stroke-width="1">',
    ]
    for t in yticks[1:]:
        out.append(f'<line x1="{left}" y1="{py(t):.1f}" x2="{left + plot_w}" y2="{py(t):.1f}"/>')
    for t in xticks[1:]:
        out.append(f'<line x1="{px(t):.1f}" y1="{top}" x2="{px(t):.1f}" y2="{top + plot_h}"/>')
    out.append("</g>")
    out.append('<g class="axes" stroke="#333" stroke-width="1">')
    out.append(f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}"/>')
    out.append(f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}"/>')
    for t in xticks:
        tx = f"{px(t):.1f}"
        out.append(f'<line x1="{tx}" y1="{top + plot_h}" x2="{tx}" y2="{top + plot_h + 5}"/>')
    for t in yticks:
        ty = f"{py(t):.1f}"
        out.append(f'<line x1="{left - 5}" y1="{ty}" x2="{left}" y2="{ty}"/>')
    out.append("</g>")
    out.append('<g class="tick-labels" fill="#333">')
    for t in xticks:
        out.append(
            f'<text x="{px(t):.1f}" y="{top + plot_h + 19}" text-anchor="middle">'
            f"{short_count(t)}</text>"
        )
    for t in yticks:
        out.append(
            f'<text x="{left - 8}" y="{py(t) + 4:.1f}" text-anchor="end">{tick_label(t)}</text>'
        )
    out.append("</g>")
    out.append(
        f'<text x="{left + plot_w / 2:.1f}" y="{height - 14}" text-anchor="middle">'
        "items in the backlog</text>"
    )
    out.append(
        f'<text transform="translate(18 {top + plot_h / 2:.1f}) rotate(-90)" '
        'text-anchor="middle">seconds (median)</text>'
    )
    for s in shown:
        colour = SVG_SERIES[s.key][0]
        points = " ".join(f"{px(x):.1f},{py(y):.1f}" for x, y in zip(sizes, s.values, strict=True))
        out.append(f'<g class="series" data-series="{s.key}">')
        out.append(f'<polyline points="{points}" fill="none" stroke="{colour}" stroke-width="2"/>')
        for x, y in zip(sizes, s.values, strict=True):
            out.append(f'<circle cx="{px(x):.1f}" cy="{py(y):.1f}" r="3.5" fill="{colour}"/>')
        out.append("</g>")
    out.append('<g class="legend">')  # one row between the subtitle and the plot
    lx, ly = left, top - 16
    for s in shown:
        colour, legend = SVG_SERIES[s.key]
        out.append(
            f'<line x1="{lx}" y1="{ly - 4}" x2="{lx + 24}" y2="{ly - 4}" '
            f'stroke="{colour}" stroke-width="2"/>'
        )
        out.append(f'<text x="{lx + 30}" y="{ly}">{escape(legend)}</text>')
        lx += 30 + 7 * len(legend) + 24  # about 7 px per character at 12 px
    out.append("</g>")
    out.append("</svg>")
    return "\n".join(out) + "\n"


def scaling_table(points: Sequence[ScalePoint]) -> str:
    def cell(value: float | None, fmt: str) -> str:
        return "n/a" if value is None else format(value, fmt)

    def per_1k(value: float | None, size: int) -> float | None:
        return None if value is None else value / size * 1000 * 1000  # ms per 1,000 items

    lines = [
        "| items | cold s | warm s | one changed s | peak RSS MB "
        "| cold ms / 1,000 items | warm ms / 1,000 items |",
        "|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for p in points:
        cold, warm = p.median("cold"), p.median("warm")
        lines.append(
            f"| {p.size:,} | {cell(cold, '.3f')} | {cell(warm, '.3f')} "
            f"| {cell(p.median('one-changed'), '.3f')} | {cell(p.median('rss'), '.1f')} "
            f"| {cell(per_1k(cold, p.size), '.1f')} | {cell(per_1k(warm, p.size), '.1f')} |"
        )
    return "\n".join(lines)


def fit_lines(sizes: Sequence[int], stats: Sequence[SeriesStats]) -> list[str]:
    lo, hi = f"{sizes[0]:,}", f"{sizes[-1]:,}"
    out = []
    for s in stats:
        if s.fit is None:
            out.append(f"- {s.label}: one size only, no fit")
            continue
        per_1k = abs(s.fit.b) * 1000
        slope = f"{per_1k * 1000:.1f} ms" if s.unit == "s" else f"{per_1k:.2f} MB"
        sign = "-" if s.fit.b < 0 else "+"
        parts = [
            f"{s.fit.a:.3f} {s.unit} {sign} {slope} per 1,000 items, R² = {s.fit.r2:.4f}",
        ]
        if s.per_item is not None:
            parts.append(f"per-item cost at {hi} / at {lo}: {s.per_item:.2f}")
        if s.marginal is not None:
            parts.append(f"marginal cost, last step / the step before: {s.marginal:.2f}")
        y = "t" if s.unit == "s" else "m"
        out.append(f"- {s.label}: fit {y} = " + "; ".join(parts) + f" -> {s.verdict}")
    return out


def scaling_report(
    points: Sequence[ScalePoint], startup: Result, info: dict[str, object]
) -> tuple[str, list[SeriesStats]]:
    cpu = info["machine"]
    assert isinstance(cpu, dict)
    sizes = [p.size for p in points]
    stats = series_stats(points)
    out = [
        "## backlog scaling curve",
        "",
        f"- date: {info['date']}",
        f"- machine: {cpu['cpu']}, {cpu['cores']} cores ({cpu['usable_cores']} usable), "
        f"Python {cpu['python']}, {cpu['os']}",
        f"- tool: {info['backlog_version']}",
        f"- runs: median of {info['runs']} per figure (after {info['warmup']} warm-up); "
        f"start-up floor (`backlog --version`): {startup.backlog_median:.3f} s",
        "",
        scaling_table(points),
        "",
        "Linearity (least-squares line through the medians; per-item cost ratio near or below 1 "
        "= linear or better, well above 1 = superlinear):",
        "",
        *fit_lines(sizes, stats),
    ]
    chart = {CHART_SERIES[s.key]: s.values for s in stats if s.key in CHART_SERIES}
    if chart:
        out += ["", "```", ascii_chart(sizes, chart), chart_legend(stats), "```"]
    notes = dict.fromkeys(n for p in points for r in p.results.values() for n in r.figure.notes)
    out += [f"Note: {note}" for note in notes]
    return "\n".join(out) + "\n", stats


def scaling_json(
    points: Sequence[ScalePoint],
    startup: Result,
    stats: Sequence[SeriesStats],
    info: dict[str, object],
) -> dict[str, object]:
    return {
        **info,
        "mode": "scaling",
        "startup": figure_json(startup),
        "points": [
            {
                "size": p.size,
                "dest": str(p.dest),
                "counts": p.counts,
                "figures": [{"series": k, **figure_json(r)} for k, r in p.results.items()],
            }
            for p in points
        ],
        "series": {
            s.key: {
                "label": s.label,
                "unit": s.unit,
                "medians": s.values,
                "fit": None if s.fit is None else {"a": s.fit.a, "b": s.fit.b, "r2": s.fit.r2},
                "per_item_ratio": s.per_item,
                "marginal_ratio": s.marginal,
                "verdict": s.verdict,
            }
            for s in stats
        },
    }


def measure_scaling(
    sizes: Sequence[int],
    tools: Tools,
    args: argparse.Namespace,
    log: Callable[[str], None],
) -> list[ScalePoint]:
    """The figures of `size_figures` at every size, backlog only (`tools.peer` is None)."""
    points = []
    for size in sizes:
        dest, counts = generate_size(size, args.work, args.seed, log)
        results = {}
        for figure in size_figures(size, dest, tools):
            results[figure.key] = bench(figure, tools, args.runs, args.warmup, log)
        points.append(ScalePoint(size, dest, counts, results))
    return points


# -- main ---------------------------------------------------------------------------------------


def parse_sizes(text: str) -> list[int]:
    try:
        sizes = [int(s.replace("_", "")) for s in text.split(",") if s.strip()]
    except ValueError:
        message = f"not a comma-separated list of integers: {text}"
        raise argparse.ArgumentTypeError(message) from None
    if not sizes or any(s < 1 for s in sizes):
        raise argparse.ArgumentTypeError("sizes must be positive integers")
    return sizes


def generate_size(
    size: int, work: Path, seed: int, log: Callable[[str], None]
) -> tuple[Path, dict[str, int]]:
    """(Re)generate the backlog of `size` items in WORK/n<size>; return it and its counts."""
    dest = (work / f"n{size}").resolve()
    t0 = time.perf_counter()
    counts = generate(size, dest, seed)
    log(
        f"size {size:,}: generated in {time.perf_counter() - t0:.1f} s at {dest} "
        f"({', '.join(f'{n} {k}' for k, n in counts.items())})"
    )
    return dest, counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        help="comma-separated item counts (default 1000,10000)",
    )
    parser.add_argument(
        "--scaling",
        type=parse_sizes,
        metavar="SIZES",
        help="scaling mode instead of the peer table: backlog alone at these item counts "
        "(e.g. 1000,2000,5000,10000,20000,50000), with a line fit and a chart",
    )
    parser.add_argument(
        "--runs",
        type=int,
        help="measured runs per figure (default 5; 3 with --scaling)",
    )
    parser.add_argument(
        "--warmup", type=int, default=1, help="unmeasured runs per timed figure first (default 1)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=HERE / ".work",
        help="where to generate the backlogs, one folder n<N> per size (default benchmarks/.work)",
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers to FILE")
    parser.add_argument(
        "--svg", type=Path, help="with --scaling: also write the curve as an SVG chart to FILE"
    )
    args = parser.parse_args(argv)
    scaling = args.scaling is not None
    if scaling and args.sizes is not None:
        parser.error("--scaling and --sizes are separate modes: give one of them")
    if args.svg is not None and not scaling:
        parser.error("--svg needs --scaling")
    if args.runs is None:
        args.runs = 3 if scaling else 5
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")
    sizes: list[int] = sorted(set(args.scaling)) if scaling else args.sizes or [1000, 10000]

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        tools = Tools.find()
        if scaling:
            tools = replace(tools, peer=None)  # the curve is backlog's alone
        elif tools.peer is None:
            log(
                f"warning: {PEER} not found next to {sys.executable} or on PATH; "
                "peer columns will be n/a (pip install check-jsonschema)"
            )
        info: dict[str, object] = {
            "version": 1,
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d %H:%M UTC"),
            "machine": machine(),
            "backlog": tools.backlog,
            "backlog_version": run([tools.backlog, "--version"]).strip(),
            "peer": tools.peer,
            "peer_version": run([tools.peer, "--version"]).strip() if tools.peer else "n/a",
            "no_cache": tools.no_cache,
            "rss_method": "/usr/bin/time -v" if tools.gnu_time else "getrusage wrapper",
            "runs": args.runs,
            "warmup": args.warmup,
            "sizes": sizes,
            "seed": args.seed,
        }
        results = [bench(f, tools, args.runs, args.warmup, log) for f in global_figures(tools)]
        if scaling:
            points = measure_scaling(sizes, tools, args, log)
        else:
            for size in sizes:
                dest, _ = generate_size(size, args.work, args.seed, log)
                for figure in size_figures(size, dest, tools):
                    results.append(bench(figure, tools, args.runs, args.warmup, log))
    except BenchError as error:
        log(f"benchmark failed: {error}")
        return 1
    info["total_seconds"] = round(time.perf_counter() - started, 1)
    if scaling:
        text, stats = scaling_report(points, results[0], info)
        data = scaling_json(points, results[0], stats, info)
    else:
        text = report(results, tools, info)
        data = as_json(results, info)
    text += f"\nWhole run: {info['total_seconds']} s.\n"
    sys.stdout.write(text)
    if args.json:
        args.json.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
        log(f"raw numbers written to {args.json}")
    if args.svg:
        cpu = info["machine"]
        assert isinstance(cpu, dict)
        title = f"backlog check: time against backlog size ({info['backlog_version']})"
        subtitle = (
            f"{info['date']}; {cpu['cpu']}, {cpu['usable_cores']} usable cores, "
            f"Python {cpu['python']}; median of {args.runs} run{'s' if args.runs > 1 else ''}"
        )
        args.svg.write_text(svg_chart(sizes, stats, title, subtitle), encoding="utf-8")
        log(f"chart written to {args.svg}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
