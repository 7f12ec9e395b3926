"""`backlog evidence` with no subcommand: the matrix of evaluations x targets (fresh,
stale, missing, failing). A placeholder until the matrix lands."""

from __future__ import annotations

import sys
from typing import Any


def show(common: Any) -> int:
    """Render the matrix for `common` (the group's options); the exit code."""
    sys.stderr.write("backlog: error: the evidence matrix is not yet available\n")
    return 2
