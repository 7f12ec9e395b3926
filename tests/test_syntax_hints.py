"""Syntax errors a person can act on (issue 14 §1): each common slip is a `yaml-syntax`
finding at the place to fix, saying what is wrong, with the corrected line as the hint; and
what other files report about a file that does not parse comes after it."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import item, run_cli, write_backlog

HEAD = 'apiVersion: backlog/v1\nkind: tool\nid: lookup\nversion: "1.0.0"\nstatus: proposed\n'

CASES = [
    pytest.param(
        HEAD + "owner: @maria\n",
        6,
        8,
        "`@` cannot start a plain YAML value (it is a reserved character)",
        'quote the value: `owner: "@maria"`',
        id="at-sign",
    ),
    pytest.param(
        HEAD + "owner: `maria`\n",
        6,
        8,
        "a backtick cannot start a plain YAML value (it is a reserved character)",
        'quote the value: `owner: "`maria`"`',
        id="backtick",
    ),
    pytest.param(
        HEAD + "tags: [ai, @maria]\n",
        6,
        12,
        "`@` cannot start a plain YAML value (it is a reserved character)",
        'quote the value: `tags: [ai, "@maria"]`',
        id="at-sign-in-flow",
    ),
    pytest.param(
        HEAD + "title: GPT-4o mini: query rewriting\n",
        6,
        19,
        "the value of `title` holds `: `, which YAML reads as the start of another key",
        'quote the value: `title: "GPT-4o mini: query rewriting"`',
        id="colon-in-value",
    ),
    pytest.param(
        HEAD + "spec:\n  a: 1\n\tb: 2\n",
        8,
        1,
        "tab character in the indentation of line 8 (column 1): `\\tb: 2`; "
        "YAML indents with spaces only",
        "indent with spaces: `  b: 2`",
        id="tab",
    ),
    pytest.param(
        HEAD + "spec:\n  a: 1\n   b: 2\n",
        8,
        4,
        "key `b` is indented 3 spaces, but its sibling `a` on line 7 is indented 2 spaces",
        "indent it like line 7: `  b: 2`",
        id="key-one-space-deeper",
    ),
    pytest.param(
        HEAD + "spec:\n  a: 1\n b: 2\n",
        8,
        2,
        "key `b` is indented 1 space, but its sibling `a` on line 7 is indented 2 spaces",
        "indent it like line 7: `  b: 2`",
        id="key-one-space-shallower",
    ),
    pytest.param(
        HEAD + 'title: "Lookup\nowner: team\n',
        6,
        8,
        'the quote `"` opened at line 6, column 8 is never closed',
        'close it: `title: "Lookup"`',
        id="unclosed-quote",
    ),
    pytest.param(
        HEAD + 'title: "Lookup\nowner: "team"\n',
        6,
        8,
        'the quote `"` opened at line 6, column 8 is not closed on its line and runs on '
        "into line 7",
        'close it: `title: "Lookup"`',
        id="quote-runs-into-next-key",
    ),
    pytest.param(
        HEAD + "tags: [ai, search  # the tags\nowner: team\n",
        6,
        7,
        "the bracket `[` opened at line 6, column 7 is never closed",
        "close it: `tags: [ai, search]  # the tags`",
        id="unclosed-bracket",
    ),
    pytest.param(
        HEAD + "spec:\n  tools:\n    - a\n   - b\n",
        9,
        4,
        "list item is indented 3 spaces, but the item on line 8 is indented 4 spaces",
        "indent it like line 8: `    - b`",
        id="list-item-depth",
    ),
    pytest.param(
        HEAD + "tags: ai\n- search\n",
        7,
        1,
        "a list item where a key belongs: `tags` on line 6 already has the value `ai`",
        "to make the list the value of `tags`, remove that value (`tags:`) and keep the "
        "items below it",
        id="list-item-among-keys",
    ),
    pytest.param(
        HEAD + "owner:maria\ntitle: Lookup\n",
        6,
        6,
        "no space after the `:` in `owner:maria`: YAML reads it as one string, "
        "not a key and a value",
        "add a space: `owner: maria`",
        id="no-space-after-colon",
    ),
    pytest.param(
        HEAD + "owner: team\ntitle: Lookup\nowner: maria\n",
        8,
        1,
        "duplicate key `owner` (first defined at line 6)",
        "YAML keys must be unique; remove or merge one of them",
        id="duplicate-key",
    ),
]


@pytest.mark.parametrize(("content", "line", "column", "message", "hint"), CASES)
def test_slip_is_named_with_the_corrected_line(
    tmp_path: Path, content: str, line: int, column: int, message: str, hint: str
) -> None:
    root = write_backlog(tmp_path, {"backlog/t.yaml": content})
    proc = run_cli("check", "--no-cache", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == (
        f"backlog/t.yaml:{line}:{column}: error yaml-syntax {message}\n"
        f"  hint: {hint}\n"
        "\n"
        "1 item checked: 1 error, 0 warnings\n"
    )


def test_json_output_carries_the_message_position_and_hint(tmp_path: Path) -> None:
    root = write_backlog(tmp_path, {"backlog/t.yaml": HEAD + "owner: @maria\n"})
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=root)
    assert proc.returncode == 1
    assert json.loads(proc.stdout)["diagnostics"] == [
        {
            "rule": "yaml-syntax",
            "severity": "error",
            "path": "backlog/t.yaml",
            "line": 6,
            "column": 8,
            "item": None,
            "message": "`@` cannot start a plain YAML value (it is a reserved character)",
            "hint": 'quote the value: `owner: "@maria"`',
        }
    ]


def test_windows_1252_byte_is_named(tmp_path: Path) -> None:
    content = (HEAD + "owner: team\ntitle: Maria\u2019s lookup \u2013 v2\n").encode("cp1252")
    root = write_backlog(tmp_path, {"backlog/t.yaml": content})
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=root)
    assert proc.returncode == 1
    [found] = json.loads(proc.stdout)["diagnostics"]
    assert (found["line"], found["column"], found["rule"]) == (7, 13, "yaml-syntax")
    assert found["message"] == (
        "invalid UTF-8 at byte offset 103: byte 0x92 at line 7, column 13; the file is not "
        "UTF-8 (probably Windows-1252, where 0x92 is `\u2019`, RIGHT SINGLE QUOTATION MARK)"
    )
    assert found["hint"] == "re-save the file as UTF-8 (in the editor: save with encoding UTF-8)"


def test_a_byte_no_encoding_explains_is_named_without_a_guess(tmp_path: Path) -> None:
    root = write_backlog(tmp_path, {"backlog/t.yaml": HEAD.encode() + b"owner: \x81\n"})
    proc = run_cli("check", "--no-cache", cwd=root)
    assert proc.stdout.splitlines()[:2] == [
        "backlog/t.yaml:6:8: error yaml-syntax invalid UTF-8 at byte offset 86: byte 0x81 at "
        "line 6, column 8; the file is not UTF-8",
        "  hint: re-save the file as UTF-8",
    ]


def _follow_on_backlog(tmp_path: Path) -> Path:
    # `a.yaml` sorts before `t.yaml`: the follow-on must still come after its cause
    return write_backlog(
        tmp_path,
        {
            "backlog/a.yaml": item("agent", "bot", spec="tools: [tool/lookup]"),
            "backlog/t.yaml": item("tool", "lookup").replace("owner: team-ai", "owner: @maria"),
            "backlog/b.yaml": item("agent", "other", spec="tools: [tool/missing]"),
        },
    )


def test_follow_on_findings_come_after_the_file_that_does_not_parse(tmp_path: Path) -> None:
    root = _follow_on_backlog(tmp_path)
    proc = run_cli("check", "--no-cache", cwd=root)
    assert proc.returncode == 1
    assert proc.stdout == (
        "backlog/b.yaml:9:11: error unknown-reference `spec.tools` references `tool/missing`, "
        "which does not exist\n"
        "  hint: no tool item has id `missing`; create it with `backlog new tool missing` or "
        "fix the reference\n"
        "\n"
        "backlog/t.yaml:7:8: error yaml-syntax `@` cannot start a plain YAML value "
        "(it is a reserved character)\n"
        '  hint: quote the value: `owner: "@maria"`\n'
        "\n"
        "backlog/a.yaml:9:11: error unknown-reference `spec.tools` references `tool/lookup`, "
        "whose file backlog/t.yaml does not parse\n"
        "  hint: fix the yaml-syntax finding in that file\n"
        "\n"
        "3 items checked: 3 errors, 0 warnings\n"
    )
    # the stored whole-run result keeps the order
    assert run_cli("check", cwd=root).stdout == run_cli("check", cwd=root).stdout


def test_follow_on_order_in_markdown_and_json(tmp_path: Path) -> None:
    root = _follow_on_backlog(tmp_path)
    rows = [
        line
        for line in run_cli(
            "check", "--no-cache", "--format", "markdown", cwd=root
        ).stdout.splitlines()
        if line.startswith("| error")
    ]
    assert [row.split(" | ")[1] for row in rows] == [
        "unknown-reference",
        "yaml-syntax",
        "unknown-reference",
    ]
    assert "backlog/t.yaml:7" in rows[1] and "backlog/a.yaml:9" in rows[2]
    listed = json.loads(run_cli("check", "--no-cache", "--format", "json", cwd=root).stdout)
    assert [d["path"] for d in listed["diagnostics"]] == [
        "backlog/b.yaml",
        "backlog/t.yaml",
        "backlog/a.yaml",
    ]
