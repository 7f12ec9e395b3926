"""The one error type that reaches the CLI: a usage or configuration error, exit code 2."""

from __future__ import annotations


class BacklogError(Exception):
    """Bad usage, bad configuration, or an environment the command cannot work in.

    The message says what is wrong and what to do; the CLI prints it and exits 2.
    """

    exit_code = 2
