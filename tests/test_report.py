"""Every output format renders; text details (colour, quiet) hold."""

from __future__ import annotations

import json

import pytest

from backlog_cli.diagnostic import Diagnostic
from backlog_cli.engine import CheckResult
from backlog_cli.report import Format, render

RESULT = CheckResult(
    diagnostics=(
        Diagnostic("backlog/a.yaml", 3, 5, "schema", "error", "bad", "prompt/a", "fix it"),
        Diagnostic("backlog/b.yaml", 1, 1, "cycle", "warning", "loop", None, None),
    ),
    items=2,
)


@pytest.mark.parametrize("fmt", list(Format))
def test_every_format_renders(fmt: Format) -> None:
    out = render(fmt, RESULT)
    assert out.endswith("\n")
    assert "backlog/a.yaml" in out and "backlog/b.yaml" in out


def test_text_colour_quiet_and_summary() -> None:
    plain = render(Format.text, RESULT)
    assert plain.splitlines() == [
        "backlog/a.yaml:3:5: error schema bad",
        "  hint: fix it",
        "",
        "backlog/b.yaml:1:1: warning cycle loop",
        "",
        "2 items checked: 1 error, 1 warning",
    ]
    assert "\x1b[" not in plain
    assert "\x1b[1;31merror\x1b[0m" in render(Format.text, RESULT, color=True)
    quiet = render(Format.text, RESULT, quiet=True)
    assert "checked" not in quiet and quiet.startswith("backlog/a.yaml:3:5:")


def test_json_is_the_contract() -> None:
    payload = json.loads(render(Format.json, RESULT))
    assert payload["version"] == 1
    assert payload["summary"] == {
        "items": 2,
        "errors": 1,
        "warnings": 1,
        "waived": 0,
        "baselined": 0,
        "stale_baseline": 0,
    }
    assert payload["diagnostics"][1]["item"] is None
