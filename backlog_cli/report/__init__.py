"""Reporters: one module per output format, all reading `CheckResult`.

Adding a format touches one module and one `Format` member; the mapping below is
exhaustive (mypy checks it with `assert_never`, a test renders every member).
"""

from __future__ import annotations

import enum
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backlog_cli.engine import CheckResult

if sys.version_info >= (3, 11):
    from typing import assert_never
else:  # pragma: no cover
    from typing_extensions import assert_never


class Format(str, enum.Enum):
    text = "text"
    json = "json"
    sarif = "sarif"
    github = "github"
    junit = "junit"
    markdown = "markdown"


def render(
    fmt: Format,
    result: CheckResult,
    *,
    color: bool = False,
    quiet: bool = False,
    root: str | None = None,
    cases: Sequence[tuple[str, str]] | None = None,
    link_base: str | None = None,
) -> str:
    """The report in `fmt`.

    `color` and `quiet` (findings only, no summary) shape text (`quiet` also github);
    `root`, the repository root, anchors SARIF locations; `cases`, every (name, path)
    checked, makes the JUnit testcases (default: the files with findings); `link_base`
    makes markdown's file links absolute.
    """
    if fmt is Format.text:
        from backlog_cli.report import text

        return text.render(result, color=color, quiet=quiet)
    if fmt is Format.json:
        from backlog_cli.report import json

        return json.render(result)
    if fmt is Format.sarif:
        from backlog_cli.report import sarif

        return sarif.render(result, root=root)
    if fmt is Format.github:
        from backlog_cli.report import github

        return github.render(result, quiet=quiet)
    if fmt is Format.junit:
        from backlog_cli.report import junit

        return junit.render(result, cases=cases)
    if fmt is Format.markdown:
        from backlog_cli.report import markdown

        return markdown.render(result, link_base)
    assert_never(fmt)
