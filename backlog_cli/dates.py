"""What "today" is, for rules that compare dates (review-overdue, model-sunset, waivers),
and what "now" is, for the time of an evidence record.

`BACKLOG_TODAY=YYYY-MM-DD` pins it (midnight UTC for "now"), and so does
`BACKLOG_TODAY=YYYY-MM-DDTHH:MM:SSZ`, so that tests and reproductions of a CI run do not
depend on the calendar or the clock.
"""

from __future__ import annotations

import datetime
import os

from backlog_cli.errors import BacklogError

ENV_VAR = "BACKLOG_TODAY"


def today() -> datetime.date:
    pinned = _pinned()
    return datetime.date.today() if pinned is None else pinned.date()


def now() -> datetime.datetime:
    """The current UTC time to the second (pinned by `BACKLOG_TODAY`)."""
    pinned = _pinned()
    if pinned is None:
        pinned = datetime.datetime.now(datetime.timezone.utc)
    return pinned.replace(microsecond=0)


def _pinned() -> datetime.datetime | None:
    pinned = os.environ.get(ENV_VAR)
    if not pinned:
        return None
    value = pinned.strip()
    try:
        if len(value) == 10:
            day = datetime.date.fromisoformat(value)
            return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.timezone.utc)
        if not value.endswith("Z"):
            raise ValueError
        moment = datetime.datetime.fromisoformat(value[:-1])
        return moment.replace(tzinfo=datetime.timezone.utc)
    except ValueError:
        raise BacklogError(
            f"{ENV_VAR}={pinned!r}: not a date; write YYYY-MM-DD (or YYYY-MM-DDTHH:MM:SSZ)"
        ) from None


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
