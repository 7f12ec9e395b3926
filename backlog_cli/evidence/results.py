"""What every result-file reader returns, and the error it raises."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from backlog_cli.errors import BacklogError


class ResultFileError(BacklogError):
    """A result file that cannot be read as the format it claims (exit 2)."""


@dataclass(frozen=True)
class Measured:
    value: float
    n: int | None  # samples behind the value, when the file says


@dataclass(frozen=True)
class Results:
    """One run: the names the file offers (in its format's namespace) and the harness."""

    format: str  # promptfoo, inspect, junit, lm-eval, plain-json, plain-csv
    harness: str
    harness_version: str | None
    metrics: dict[str, Measured] = field(default_factory=dict)


def number(value: object) -> float | None:
    """A JSON number as a float (NaN and infinities included: `record` refuses those when
    they are read); None for anything else, booleans included."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    return float(value)


def count(value: object) -> int | None:
    """A sample count: a non-negative integer (an integral float too), else None."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return None
    if isinstance(value, float) and (not math.isfinite(value) or not value.is_integer()):
        return None
    return int(value) if value >= 0 else None


def text(value: object) -> str | None:
    return value if isinstance(value, str) and value.strip() else None
