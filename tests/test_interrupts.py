"""Writes are atomic: an interrupt at any point leaves the old or the new file, never a torn one."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import item, spawn_cli, write_backlog


def _spawn(args: list[str], cwd: Path) -> subprocess.Popen[bytes]:
    """The command, returned once it handles Ctrl-C itself: every delay below counts from
    there, so no signal lands while the interpreter is still starting."""
    return spawn_cli(args, cwd, {**os.environ, "NO_COLOR": "1"})


def test_sigint_during_schema_output_leaves_old_or_new_files(tmp_path: Path) -> None:
    out = tmp_path / "schemas"
    out.mkdir()
    old = '{"old": true}\n'
    seen_codes: set[int] = set()
    for attempt in range(12):
        for name in ("prompt", "item", "check-result"):
            (out / f"{name}.schema.json").write_text(old, encoding="utf-8")
        proc = _spawn(["schema", "--output", str(out), "--force", "--contracts"], tmp_path)
        # from the moment the command handles Ctrl-C it has ~60 ms of work left: the delays
        # sweep that window (a loaded machine stretches the command, not the window's start)
        time.sleep(0.006 * attempt)
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
        seen_codes.add(proc.returncode)
        # the signal comes once the command handles it (see _spawn): done or interrupted (a
        # bare -SIGINT was a signal that beat the interpreter's start-up)
        assert proc.returncode in (0, 130), err
        assert b"Traceback" not in err
        for name in ("prompt", "item", "check-result"):
            text = (out / f"{name}.schema.json").read_text(encoding="utf-8")
            assert text == old or json.loads(text)["$id"].endswith(f"/{name}.schema.json")
        assert not list(out.glob(".*.tmp")), "an interrupted write left its temp file"
    assert 130 in seen_codes  # some attempts really were interrupted


def test_sigkill_during_bump_never_leaves_a_partial_item(tmp_path: Path) -> None:
    body = item("model", "m", version="1.0.0") + "description: |\n" + "  padding\n" * 20000
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": body})
    target = root / "backlog/m.yaml"
    killed = 0
    for attempt in range(8):
        before = target.read_text(encoding="utf-8")
        current = next(v for v in before.splitlines() if v.startswith("version:"))
        major, minor, patch = current.split('"')[1].split(".")
        bumped = f'version: "{major}.{minor}.{int(patch) + 1}"'
        proc = _spawn(["bump", "model/m", "--patch"], root)
        time.sleep(0.03 * attempt)
        proc.kill()
        proc.communicate(timeout=60)
        killed += proc.returncode == -signal.SIGKILL
        after = target.read_text(encoding="utf-8")
        assert after in (before, before.replace(current, bumped))
    assert killed > 0  # some runs really died before finishing


# --- every other command that writes: new, init, check --output, check --write-baseline ------
#
# Each command first runs to completion once (its output is the "new" content and its run
# time scales the delays), then runs again and again with SIGINT or SIGKILL sent at delays
# spread over that run time, most of them near the end where the writes happen. After every
# attempt each target file is checked: absent or old, or exactly the complete new content.
# Which attempts were interrupted mid-write is up to the scheduler; the invariant is asserted
# on all of them, so the test never depends on hitting one particular point.

BIG = 600  # items: long enough a run that the signals land inside it


@pytest.fixture(scope="module")
def big_backlog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    files: dict[str, str | bytes] = {
        f"backlog/models/m{n}.yaml": item("model", f"m{n}", extra="statuss: typo")
        for n in range(BIG)
    }
    return write_backlog(tmp_path_factory.mktemp("interrupts") / "repo", files)


@dataclass(frozen=True)
class Case:
    args: tuple[str, ...]  # `{out}` stands for the output folder
    targets: tuple[str, ...]  # relative to the repo, or `{out}/name`
    old: tuple[str | None, ...]  # content before each run (None: absent)


CASES = {
    "new": Case(("new", "prompt", "fresh"), ("backlog/prompts/fresh.yaml",), (None,)),
    "init": Case(
        ("init", "--force"),
        ("backlog.yaml", "backlog/prompts/example-prompt.yaml"),
        ("items: backlog/\n", None),
    ),
    "check --output": Case(
        ("check", "--no-cache", "--format", "json", "--output", "{out}/report.json"),
        ("{out}/report.json",),
        ('{"old": true}\n',),
    ),
    "check --write-baseline": Case(
        ("check", "--no-cache", "--write-baseline", "{out}/baseline.json"),
        ("{out}/baseline.json",),
        ('{"old": true}\n',),
    ),
}


def _temp_files(*folders: Path) -> list[Path]:
    return [p for folder in folders for p in folder.rglob("*.tmp")]


def _attempts(case: Case, root: Path, out: Path) -> None:
    args = [a.replace("{out}", str(out)) for a in case.args]
    targets = [Path(t.replace("{out}", str(out))) for t in case.targets]
    targets = [t if t.is_absolute() else root / t for t in targets]

    def reset() -> None:
        for target, old in zip(targets, case.old, strict=True):
            if old is None:
                target.unlink(missing_ok=True)
            else:
                target.write_text(old, encoding="utf-8")
        for stray in _temp_files(root, out):  # what an earlier SIGKILL may have left
            stray.unlink()

    try:
        reset()
        proc = _spawn(args, root)
        started = time.monotonic()
        _, err = proc.communicate(timeout=120)
        elapsed = time.monotonic() - started
        done_code = proc.returncode
        assert done_code in (0, 1), err
        new = [t.read_text(encoding="utf-8") for t in targets]
        assert all(n != o for n, o in zip(new, case.old, strict=True))

        def attempt(sig: signal.Signals, fraction: float) -> int:
            """One run stopped by `sig` after `fraction` of a full run; the invariants."""
            reset()
            proc = _spawn(args, root)
            time.sleep(fraction * elapsed)
            proc.send_signal(sig)
            _, err = proc.communicate(timeout=120)
            for target, old, complete in zip(targets, case.old, new, strict=True):
                now = target.read_text(encoding="utf-8") if target.exists() else None
                assert now in (old, complete), (target, sig, proc.returncode, now)
            if sig == signal.SIGKILL:  # may leave a temp file; the targets are what counts
                assert proc.returncode in (done_code, -signal.SIGKILL), err
                return proc.returncode
            assert not _temp_files(root, out), "an interrupted write left its temp file"
            assert b"Traceback" not in err, err
            # the signal comes once the command handles it (see _spawn): done or interrupted,
            # never a bare -SIGINT (a signal that beat the interpreter's start-up). Nothing
            # said: typer turned the interrupt into its silent Exit(130)
            assert proc.returncode in (done_code, 130), (proc.returncode, err)
            if proc.returncode != done_code:
                assert err.decode() in ("", "backlog: interrupted\n"), err
            return proc.returncode

        for sig, delays in ((signal.SIGINT, SIGINT_DELAYS), (signal.SIGKILL, SIGKILL_DELAYS)):
            codes = [attempt(sig, fraction) for fraction in delays]
            if all(code == done_code for code in codes):
                # the machine got faster than when the full run was timed: earlier, then
                codes += [attempt(sig, fraction) for fraction in (0.3, 0.15, 0.05)]
            assert any(code != done_code for code in codes), (sig, codes)
    finally:
        reset()


# fractions of a full run's wall time; most near the end, where the writes happen
SIGINT_DELAYS = [0.4, 0.8, 0.9, 0.95, 1.0]
SIGKILL_DELAYS = [0.6, 0.9, 0.97, 1.05]


@pytest.mark.parametrize("name", list(CASES))
def test_interrupted_writes_leave_old_or_new_files(
    big_backlog: Path, tmp_path: Path, name: str
) -> None:
    _attempts(CASES[name], big_backlog, tmp_path)


# --- Ctrl-C landing inside the write itself ---------------------------------------------------
#
# A whole command spends milliseconds of its run writing, so few signals above land inside a
# write. Here a child process does nothing but write, and is interrupted over and over: each
# Ctrl-C lands somewhere inside the writer (creating the temp file, writing, renaming).

_WRITER = """
import json, signal, sys
from pathlib import Path

signal.signal(signal.SIGINT, signal.default_int_handler)
module, name = sys.argv[1].rsplit(".", 1)
write = getattr(__import__(module, fromlist=[name]), name)
folder, rounds = Path(sys.argv[2]), int(sys.argv[3])
target = folder / "target.json"
texts = [str(n) * 200_000 for n in range(4)]
for _ in range(rounds):
    try:
        sys.stdout.write("go\\n")
        sys.stdout.flush()
        n = 0
        while True:
            write(target, texts[n % 4])
            n += 1
    except KeyboardInterrupt:
        pass
    left = sorted(p.name for p in folder.iterdir() if p != target)
    for name in left:
        (folder / name).unlink()
    whole = not target.exists() or target.read_text(encoding="utf-8") in texts
    sys.stdout.write(json.dumps({"left": left, "whole": whole}) + "\\n")
    sys.stdout.flush()
"""


def _interrupt_writer(function: str, folder: Path, rounds: int) -> list[dict[str, object]]:
    proc = subprocess.Popen(
        [sys.executable, "-c", _WRITER, function, str(folder), str(rounds)],
        cwd=Path(__file__).parent.parent,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    reports = []
    rng = random.Random(1234)
    try:
        for _ in range(rounds):
            assert proc.stdout.readline() == "go\n"
            time.sleep(rng.uniform(0.0005, 0.01))
            proc.send_signal(signal.SIGINT)
            reports.append(json.loads(proc.stdout.readline()))
    finally:
        proc.stdout.close()
        proc.wait(timeout=60)
    assert proc.returncode == 0
    return reports


def test_ctrl_c_inside_an_atomic_write_leaves_no_temp_file(tmp_path: Path) -> None:
    reports = _interrupt_writer("backlog_cli.fsutil.write_atomic", tmp_path, 150)
    assert all(r["whole"] for r in reports)
    assert [r["left"] for r in reports if r["left"]] == []


def test_ctrl_c_inside_a_cache_write_leaves_no_temp_file(tmp_path: Path) -> None:
    reports = _interrupt_writer("backlog_cli.cache._write", tmp_path, 100)
    assert all(r["whole"] for r in reports)
    assert [r["left"] for r in reports if r["left"]] == []


# --- Ctrl-C at the edges of a run: while a class is created, while Python exits ----------

_WRAPPED = """
import sys
from backlog_cli import cli, workspace

def project(*args, **kwargs):
    # Ctrl-C while a lazily imported module defines a class: CPython 3.11 wraps an exception
    # from a descriptor's __set_name__ (dataclass fields are descriptors) in a RuntimeError
    class Descriptor:
        def __set_name__(self, owner, name):
            raise KeyboardInterrupt

    class Item:
        field = Descriptor()

workspace.open_project = project
sys.argv = ["backlog", "list"]
cli.main()
"""

_AT_EXIT = """
import os, signal, sys, threading
from backlog_cli import cli

shutdown = threading._shutdown

def interrupted_shutdown():  # Ctrl-C just as the finished command exits
    os.kill(os.getpid(), signal.SIGINT)
    shutdown()

threading._shutdown = interrupted_shutdown
sys.argv = ["backlog", "rules"]
cli.entry()  # what the `backlog` console script runs
"""


def _python(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=Path(__file__).parent.parent,
        capture_output=True,
        text=True,
        timeout=60,
    )


def test_ctrl_c_wrapped_by_python_is_still_an_interrupt() -> None:
    result = _python(_WRAPPED)
    assert result.returncode == 130, result.stderr
    assert result.stderr == "backlog: interrupted\n"


def test_ctrl_c_after_the_command_finished_prints_no_traceback() -> None:
    result = _python(_AT_EXIT)
    assert "Traceback" not in result.stderr, result.stderr
    assert result.returncode in (0, 130, -signal.SIGINT)


_SWALLOWED_INTERRUPT = """
import signal, sys, time, weakref
from backlog_cli.cli import exits

signal.signal(signal.SIGINT, signal.default_int_handler)
if sys.argv[1] == "hook":
    sys.unraisablehook = exits._keep_interrupts(sys.unraisablehook)

class Thing:
    pass

def callback(_ref):
    raise KeyboardInterrupt  # what a Ctrl-C landing inside a weakref callback looks like

thing = Thing()
ref = weakref.ref(thing, callback)
try:
    del thing
    time.sleep(3)
    print("carried on")
except KeyboardInterrupt:
    print("interrupted")
"""


@pytest.mark.parametrize(("mode", "expected"), [("hook", "interrupted"), ("plain", "carried on")])
def test_ctrl_c_inside_a_callback_still_stops_the_command(mode: str, expected: str) -> None:
    # Python reports an exception raised in a weakref callback or finalizer as "Exception
    # ignored" (a traceback) and goes on. The CLI's hook re-raises the interrupt instead;
    # "plain" shows what happens without it, so the test cannot pass vacuously.
    proc = subprocess.run(
        [sys.executable, "-c", _SWALLOWED_INTERRUPT, mode],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert proc.stdout.strip() == expected, proc.stderr
    assert ("Traceback" in proc.stderr) is (mode == "plain")
