"""Exit codes and signals: the one place where a run's outcome becomes the process's.

`BacklogError` exits with its own code (2 for usage and config errors), click's usage
errors with theirs, Ctrl-C with 130, a reader that left the pipe with 141, and anything
else is reported as an internal error (exit 3). The interrupt handling below is hard-won:
tests/test_interrupts.py shows each case it covers.
"""

from __future__ import annotations

import os
import sys
from typing import TYPE_CHECKING, Any

import typer

from backlog_cli.cli.app import app
from backlog_cli.errors import BacklogError

if TYPE_CHECKING:
    from collections.abc import Callable


def main() -> None:
    """Run the command named in `sys.argv` and exit with its code; Ctrl-C raises
    KeyboardInterrupt from here on, so that `_run` can stop the command cleanly."""
    import gc
    import signal

    # the hook first and the handler inside the `try`: a Ctrl-C landing the moment the
    # handler is in place is the command's interrupt (exit 130), never a traceback
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _keep_interrupts(previous_hook)
    try:
        signal.signal(signal.SIGINT, signal.default_int_handler)  # see backlog_cli/__init__.py
        # A run is short and builds its objects once (documents, summaries, ~35,000 graph
        # edges at 10,000 items) with almost no reference cycles: collecting every 700
        # allocations re-walks that heap again and again for nothing (~15% of a pre-commit
        # run). Collect rarely instead; memory stays bounded because cycles are still
        # collected.
        gc.set_threshold(100_000, 50, 1000)
        code = _run()
    except KeyboardInterrupt:
        sys.stderr.write("backlog: interrupted\n")
        code = 130
    finally:
        sys.unraisablehook = previous_hook
    sys.exit(code)


def _keep_interrupts(
    previous: Callable[[Any], object],
) -> Callable[[Any], None]:
    """An unraisable-exception hook that does not lose Ctrl-C.

    Python raises KeyboardInterrupt wherever the main thread happens to be, and that can be
    a weakref callback or a finalizer (the import system's module-lock callback, during a
    lazy import). There it cannot propagate: Python prints "Exception ignored in ...", a
    traceback, and carries on as if nothing happened. This hook swallows that report and
    trips SIGINT again a moment later, so the interrupt lands in the command itself and
    stops it the usual way (exit 130, writes left whole). Every other report goes to
    `previous`."""

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            import _thread
            import threading

            # Trip SIGINT again from a thread a moment later: tripped from here, Python would
            # run the handler inside this hook, where it would be ignored once more.
            redeliver = threading.Timer(0.01, _thread.interrupt_main)
            redeliver.daemon = True
            redeliver.start()
            return
        previous(unraisable)

    return hook


def entry() -> None:
    """The `backlog` program (console script and `python -m backlog_cli.cli`): `main`, and
    once the command is over (its files written) Ctrl-C is ignored, so that one landing
    while the interpreter shuts down prints no traceback. `main` alone, called in-process,
    leaves the caller's signal handlers as they were."""
    import signal

    try:
        main()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run() -> int:
    """Run the command; its exit code, with every error mapped to one."""
    try:
        code = app(standalone_mode=False)
    except BacklogError as exc:
        sys.stderr.write(f"backlog: error: {exc}\n")
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("backlog: interrupted\n")
        return 130
    except typer.Abort:
        sys.stderr.write("backlog: aborted\n")
        return 130
    except BrokenPipeError:
        # `backlog check | head`: the reader left; stop quietly like other Unix tools
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:
        # click's usage errors (typer vendors click, so match by behaviour, not by class)
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            return int(exc.exit_code)  # type: ignore[attr-defined]
        if _interrupt_inside(exc):
            # Python 3.11 wraps a Ctrl-C that lands while a class is being created (a lazily
            # imported module's dataclass) in a RuntimeError: still the user's interrupt
            sys.stderr.write("backlog: interrupted\n")
            return 130
        if os.environ.get("BACKLOG_DEBUG"):
            raise
        sys.stderr.write(
            f"backlog: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in backlog-cli, not in your files. Please report it with the "
            "command you ran; BACKLOG_DEBUG=1 shows the traceback.\n"
        )
        return 3
    return code if isinstance(code, int) else 0


def _interrupt_inside(exc: BaseException) -> bool:
    """Whether a KeyboardInterrupt is among the causes or contexts of `exc`."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False
