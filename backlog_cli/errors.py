"""The package's exceptions: `BacklogError`, the one that reaches the CLI (a usage or
configuration error, exit code 2), and `ParseProblem`, which never does (a file that is not
YAML becomes a finding, not an error)."""

from __future__ import annotations

from typing import Any


class BacklogError(Exception):
    """Bad usage, bad configuration, or an environment the command cannot work in.

    The message says what is wrong and what to do; the CLI prints it and exits 2.
    """

    exit_code = 2


class ParseProblem(Exception):
    """Why a text is not one plain YAML document, and where.

    Raised by `loader.parse` and `loader.decode`; `loader.load_bytes` turns it into a
    `LoadError`, and the other callers (`bump`, the git-side loaders) into their own findings.
    """

    def __init__(self, message: str, mark: Any = None, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.line = mark.line + 1 if mark is not None else 1
        self.column = mark.column + 1 if mark is not None else 1
        self.hint = hint
