"""Versioning benchmarks: `check --base` against a plain `check`, and `history` in a long history.

    python benchmarks/versioning.py [--items 10000] [--changed 0.01] [--commits 1000] [--runs 5]

1. A synthetic backlog of `--items` items is committed on `main`; on a branch, `--changed` of
   the item files get a `spec` edit (so the versioning rules have real work). Then
   `backlog check` and `backlog check --base main` are timed alternately, with `--no-cache`
   (the target is a ratio of at most 1.3: only changed paths are read at the base) and with
   a warm cache (informative: the plain check then reuses its whole result).
2. A repository with `--commits` commits (built with `git fast-import`: one item edited per
   commit, a prompt and its template edited regularly) and `backlog history` of that prompt.

Prints a Markdown table of medians. Stdlib only; uses the `backlog` next to this Python.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
ENV = {
    **os.environ,
    "GIT_AUTHOR_NAME": "Bench",
    "GIT_AUTHOR_EMAIL": "bench@example.com",
    "GIT_COMMITTER_NAME": "Bench",
    "GIT_COMMITTER_EMAIL": "bench@example.com",
    "NO_COLOR": "1",
}


def tool(name: str) -> str:
    beside = Path(sys.executable).parent / name
    return str(beside) if beside.exists() else (shutil.which(name) or name)


def git(repo: Path, *args: str, stdin: bytes | None = None) -> None:
    subprocess.run(["git", *args], cwd=repo, env=ENV, check=True, capture_output=True, input=stdin)


def timed(argv: list[str], cwd: Path, ok: tuple[int, ...] = (0, 1)) -> float:
    start = time.perf_counter()
    proc = subprocess.run(argv, cwd=cwd, env=ENV, capture_output=True)
    elapsed = time.perf_counter() - start
    if proc.returncode not in ok:
        sys.stderr.write(proc.stderr.decode(errors="replace"))
        raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}")
    return elapsed


def check_base(work: Path, items: int, changed: float, runs: int) -> list[tuple[str, float, float]]:
    repo = work / f"base{items}"
    if repo.exists():
        shutil.rmtree(repo)
    subprocess.run(
        [sys.executable, str(HERE / "generate.py"), str(items), str(repo)],
        check=True,
        capture_output=True,
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    git(repo, "checkout", "-q", "-b", "feature")
    files = sorted((repo / "backlog").rglob("*.yaml"))
    step = max(1, round(1 / changed))
    edited = 0
    for path in files[::step]:
        text = path.read_text(encoding="utf-8")
        if "\nspec:\n" in text:
            # a `spec` edit (base blob read, item classified) that keeps the item valid
            edited_text = text.replace("\nspec:\n", "\nspec:\n  x-bench: 1\n", 1)
            path.write_text(edited_text, encoding="utf-8")
            edited += 1
    backlog = tool("backlog")
    out = []
    # `--no-cache`: what reading the base costs on top of the same work. With the cache a
    # plain check with nothing changed reuses its whole result, which a `--base` run (git
    # state) never does: that pair is shown too, but it compares different work.
    for label, extra in (("no cache", ["--no-cache"]), ("warm cache", [])):
        plain, based = [], []
        timed([backlog, "check", *extra], repo)  # warm-up
        timed([backlog, "check", "--base", "main", *extra], repo)
        for _ in range(runs):
            plain.append(timed([backlog, "check", *extra], repo))
            based.append(timed([backlog, "check", "--base", "main", *extra], repo))
        name = f"check vs check --base main, {items:,} items, {edited} edited, {label}"
        out.append((name, statistics.median(plain), statistics.median(based)))
    return out


def history(work: Path, commits: int, runs: int) -> tuple[str, float]:
    repo = work / f"history{commits}"
    if repo.exists():
        shutil.rmtree(repo)
    repo.mkdir(parents=True)
    git(repo, "init", "-q", "-b", "main")
    stream: list[bytes] = []
    stamp = 1_700_000_000

    def blob(path: str, text: str) -> bytes:
        data = text.encode()
        return f"M 100644 inline {path}\ndata {len(data)}\n".encode() + data + b"\n"

    prompt = (
        "apiVersion: backlog/v1\nkind: prompt\nid: triage\ntitle: Triage\n"
        'version: "1.{n}.0"\nstatus: refined\nowner: team\nspec:\n'
        "  template_file: templates/triage.j2\n"
        "  inputs:\n    ticket: {{type: string, required: true}}\n"
    )
    for n in range(commits):
        ops = [blob("backlog.yaml", "items: backlog/\n")] if n == 0 else []
        ops.append(
            blob(
                f"backlog/models/m{n % 200}.yaml",
                "apiVersion: backlog/v1\nkind: model\n"
                f'id: m{n % 200}\ntitle: M\nversion: "1.0.{n}"\n'
                "status: proposed\nowner: team\n",
            )
        )
        if n % 25 == 0:
            ops.append(blob("backlog/prompts/triage.yaml", prompt.format(n=n // 25)))
        if n % 40 == 0:
            ops.append(
                blob("backlog/prompts/templates/triage.j2", f"Ticket ({n}): {{{{ ticket }}}}\n")
            )
        message = f"commit {n}".encode()
        head = (
            (
                f"commit refs/heads/main\nmark :{n + 1}\n"
                f"committer Bench <bench@example.com> {stamp + n * 60} +0000\n"
                f"data {len(message)}\n"
            ).encode()
            + message
            + b"\n"
        )
        if n:
            head += f"from :{n}\n".encode()
        stream.append(head + b"".join(ops) + b"\n")
    git(repo, "fast-import", "--quiet", stdin=b"".join(stream))
    git(repo, "checkout", "-q", "-f", "main")
    backlog = tool("backlog")
    timed([backlog, "history", "prompt/triage"], repo, ok=(0,))
    samples = [timed([backlog, "history", "prompt/triage"], repo, ok=(0,)) for _ in range(runs)]
    return f"history of one prompt, {commits:,} commits", statistics.median(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--changed", type=float, default=0.01)
    parser.add_argument("--commits", type=int, default=1000)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--work", type=Path, default=HERE / ".work")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    rows = check_base(args.work, args.items, args.changed, args.runs)
    name, seconds = history(args.work, args.commits, args.runs)
    print(f"## versioning ({args.runs} runs, medians)\n")
    print("| figure | plain (s) | with history (s) | ratio |")
    print("|---|---:|---:|---:|")
    for label, plain, based in rows:
        print(f"| {label} | {plain:.3f} | {based:.3f} | {based / plain:.2f}x |")
    print(f"| {name} | | {seconds:.3f} | |")


if __name__ == "__main__":
    main()
