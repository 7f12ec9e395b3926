"""What "today" is, for rules that compare dates (review-overdue, model-sunset, waivers).

`BACKLOG_TODAY=YYYY-MM-DD` pins it, so that tests and reproductions of a CI run do not
depend on the calendar.
"""

from __future__ import annotations

import datetime
import os

from backlog_cli.errors import BacklogError

ENV_VAR = "BACKLOG_TODAY"


def today() -> datetime.date:
    pinned = os.environ.get(ENV_VAR)
    if not pinned:
        return datetime.date.today()
    try:
        return datetime.date.fromisoformat(pinned.strip())
    except ValueError:
        raise BacklogError(f"{ENV_VAR}={pinned!r}: not a date; write YYYY-MM-DD") from None


def parse_date(value: object) -> datetime.date | None:
    """A `YYYY-MM-DD` string as a date; None for anything else (the schema reports it)."""
    if isinstance(value, datetime.date):
        return value
    if not isinstance(value, str) or len(value) != 10:
        return None
    try:
        return datetime.date.fromisoformat(value)
    except ValueError:
        return None
