"""Time `backlog` against check-jsonschema on generated backlogs and print a Markdown table.

    python benchmarks/run.py [--sizes 1000,10000] [--runs 5] [--work DIR] [--json FILE]

For each size, `generate.py` writes a synthetic backlog into the work folder (default
`benchmarks/.work/`, git-ignored); then every figure below is measured with both tools side by
side, alternating which one goes first, and the MEDIAN of the runs is reported. Every command's
stdout and stderr are captured; a command that exits with an unexpected code stops the run
with its stderr.

To add a figure (warm cache, one changed file, ...), add a `Figure` to `size_figures()` or
`global_figures()`: a name, the backlog argv, the peer argv (one argv per chunk, times are
summed), and optionally a `setup` callable that runs before every measured run.
"""

from __future__ import annotations

import argparse
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
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

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
        Figure(f"cold check, {label}", check, peer, cwd=dest, notes=notes),
        Figure(f"peak RSS of the cold check, {label} (MB)", check, peer, "rss", cwd=dest),
    ]
    if tools.no_cache:
        cache_dir = dest / ".bench-cache"
        warm = [tools.backlog, "check", "--root", str(dest), "--cache-dir", str(cache_dir)]
        figures.append(Figure(f"warm check, nothing changed, {label}", warm, peer, cwd=dest))
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


def as_json(results: Sequence[Result], info: dict[str, object]) -> dict[str, object]:
    figures = []
    for r in results:
        f = r.figure
        figures.append(
            {
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
        )
    return {**info, "figures": figures}


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


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument(
        "--sizes",
        type=parse_sizes,
        default=[1000, 10000],
        help="comma-separated item counts (default 1000,10000)",
    )
    parser.add_argument("--runs", type=int, default=5, help="measured runs per figure (default 5)")
    parser.add_argument(
        "--warmup", type=int, default=1, help="unmeasured runs per timed figure first (default 1)"
    )
    parser.add_argument(
        "--work",
        type=Path,
        default=HERE / ".work",
        help="where to generate the backlogs (default benchmarks/.work)",
    )
    parser.add_argument("--seed", type=int, default=0, help="generator seed (default 0)")
    parser.add_argument("--json", type=Path, help="also write the raw numbers to FILE")
    args = parser.parse_args(argv)
    if args.runs < 1 or args.warmup < 0:
        parser.error("--runs must be >= 1 and --warmup >= 0")

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    started = time.perf_counter()
    try:
        tools = Tools.find()
        if tools.peer is None:
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
            "sizes": args.sizes,
            "seed": args.seed,
        }
        results = [bench(f, tools, args.runs, args.warmup, log) for f in global_figures(tools)]
        for size in args.sizes:
            dest = (args.work / f"n{size}").resolve()
            t0 = time.perf_counter()
            counts = generate(size, dest, args.seed)
            log(
                f"size {size:,}: generated in {time.perf_counter() - t0:.1f} s at {dest} "
                f"({', '.join(f'{n} {k}' for k, n in counts.items())})"
            )
            for figure in size_figures(size, dest, tools):
                results.append(bench(figure, tools, args.runs, args.warmup, log))
    except BenchError as error:
        log(f"benchmark failed: {error}")
        return 1
    info["total_seconds"] = round(time.perf_counter() - started, 1)
    text = report(results, tools, info)
    text += f"\nWhole run: {info['total_seconds']} s.\n"
    sys.stdout.write(text)
    if args.json:
        args.json.write_text(json.dumps(as_json(results, info), indent=2) + "\n", encoding="utf-8")
        log(f"raw numbers written to {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
