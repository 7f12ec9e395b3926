"""unknown-reference to an item whose file does not parse: the finding says so, in-process.

The file's own `kind:` and `id:` lines (plain or quoted) name the item it holds; without
both, or with them indented (not top-level), the reference is to an item that does not
exist. (tests/test_unparsable_item.py covers the same through `check --base`.)
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import check, item, write_backlog

BROKEN = "foo: [unclosed\n"
UNPARSABLE = (
    "`spec.tools` references `tool/lookup`, whose file backlog/t.yaml does not parse",
    "fix the yaml-syntax finding in that file",
)
MISSING = (
    "`spec.tools` references `tool/lookup`, which does not exist",
    "no tool item has id `lookup`; create it with `backlog new tool lookup` or fix the reference",
)
TOOL = item("tool", "lookup")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (TOOL + BROKEN, UNPARSABLE),
        (
            TOOL.replace("kind: tool", "kind: 'tool'").replace("id: lookup", 'id:\t"lookup"  ')
            + BROKEN,
            UNPARSABLE,
        ),
        (TOOL.replace("id: lookup\n", "") + BROKEN, MISSING),
        (TOOL.replace("kind: tool\n", "") + BROKEN, MISSING),
        (TOOL.replace("id: lookup\n", "id: other\n") + BROKEN, MISSING),
        (TOOL.replace("id: lookup\n", "  id: lookup\n") + BROKEN, MISSING),
    ],
    ids=["plain", "quoted", "no-id", "no-kind", "other-id", "indented"],
)
def test_a_reference_to_an_unparsable_file(
    tmp_path: Path, text: str, expected: tuple[str, str]
) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/t.yaml": text,
            "backlog/a.yaml": item("agent", "bot", spec="tools: [tool/lookup]"),
        },
    )
    found = [
        (d.path, d.line, d.column, d.message, d.hint)
        for d in check(root).diagnostics
        if d.rule == "unknown-reference"
    ]
    assert found == [("backlog/a.yaml", 9, 11, *expected)]
