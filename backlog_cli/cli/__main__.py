"""`python -m backlog_cli.cli`: the same program as the `backlog` console script."""

from __future__ import annotations

from backlog_cli.cli import entry

entry()
