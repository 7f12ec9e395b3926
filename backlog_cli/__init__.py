"""backlog-cli: git-native checks for GenAI product backlogs."""

# The C half of `signal`, loaded when Python starts: `import signal` would first import enum
# (a few milliseconds in which Ctrl-C still gets Python's traceback).
import _signal  # type: ignore[import-not-found]
import os as _os
import sys as _sys

__version__ = "0.1.0"


def _interrupted_while_starting(signum: int, frame: object) -> None:
    # Ctrl-C while the command is still importing: nothing was written yet, so stop at once
    # with the shell's code for an interrupt instead of a traceback out of the import system.
    # `cli.main` puts Python's own handler back before any work starts.
    _os._exit(130)


if _sys.argv and (_sys.argv[0] == "-m" or _os.path.basename(_sys.argv[0]) == "backlog"):
    _signal.signal(_signal.SIGINT, _interrupted_while_starting)
