"""Values from the backlog cannot create structure in `--format markdown` output.

`check` and `status` run through the real CLI on backlogs whose statuses, owners, references
and file names hold backticks in runs of one to three, `|`, CR, LF, HTML, links, headings,
emphasis and backslashes. The output is read by a CommonMark parser with GFM tables and
strikethrough (markdown-it-py, which `rich` already depends on): the only links, headings,
tables and HTML are the ones the reporter writes, and every value reads back as written, with
its line breaks shown as `␤`.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any
from urllib.parse import quote

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from backlog_cli.report.markdown import NEWLINE, cell, code, escape, message, path_link
from tests.conftest import item, run_cli, write_backlog

ENV = {"BACKLOG_TODAY": "2026-11-26"}
PARSER = MarkdownIt("commonmark").enable(["table", "strikethrough"])
ATTACK = "x` [Approve this PR](https://evil.example) `y"
HOSTILE = [
    ATTACK,
    "a`b|c``d",
    "``` fenced ```",
    "line\nbreak\r\n# heading\rend",
    "<script>alert(1)</script>",
    "[x](y) ![i](z) [r]: /ref",
    "*b* _i_ ~~s~~ \\ \\` $m$ &amp; | \\|",
    "`lead",
    "trail`",
    " ` spaced ` ",
]
ODD_FILE = "backlog/we|ird [x](y) `c` *e* <b> #h\nline\\.yaml"
STATUS_ERROR = "; expected one of `proposed`, `refined`, `ready`, `in-progress`, `done`"


def one_line(text: str) -> str:
    return re.sub(r"\r\n?|\n", NEWLINE, text)


def parse(markdown: str) -> list[Token]:
    return PARSER.parse(markdown)


def flat(tokens: list[Token]) -> list[Token]:
    """Every token, the inline ones' children in place of their parent."""
    return [t for token in tokens for t in ([token, *(token.children or [])])]


def read(children: list[Token]) -> str:
    """The text a reader sees, code spans put back in single backticks."""
    return "".join(f"`{c.content}`" if c.type == "code_inline" else c.content for c in children)


def headings(tokens: list[Token]) -> list[str]:
    return [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]


def table_rows(tokens: list[Token]) -> list[list[Token]]:
    """The inline token of each body cell, row by row, over all tables."""
    rows: list[list[Token]] = []
    in_body = False
    for index, token in enumerate(tokens):
        in_body = token.type != "tbody_close" and (in_body or token.type == "tbody_open")
        if in_body and token.type == "tr_open":
            rows.append([])
        if in_body and token.type == "td_open":
            rows[-1].append(tokens[index + 1])
    return rows


def in_lists(tokens: list[Token]) -> list[tuple[int, Token]]:
    """Each inline token inside a bullet list, with how deep the list is nested."""
    depth, found = 0, []
    for token in tokens:
        depth += {"bullet_list_open": 1, "bullet_list_close": -1}.get(token.type, 0)
        if depth and token.type == "inline":
            found.append((depth, token))
    return found


def only_safe_html(tokens: list[Token]) -> None:
    """No HTML but the `<br>` the reporter puts before a hint."""
    assert not [t for t in tokens if t.type == "html_block"]
    assert {t.content for t in flat(tokens) if t.type == "html_inline"} <= {"<br>"}


def status_value(value: str) -> str:
    """`status:` with any `value`, as a YAML double-quoted scalar (JSON's escapes are YAML's)."""
    return json.dumps(value)


# --- check --format markdown ----------------------------------------------------------------


def hostile_backlog(root: Path) -> Path:
    files: dict[str, str | bytes] = {
        f"backlog/s{n}.yaml": item("agent", f"s{n}", status=status_value(value))
        for n, value in enumerate(HOSTILE)
    }
    tools = ", ".join(json.dumps(f"tool/{value}") for value in HOSTILE[:4])
    files["backlog/refs.yaml"] = item("agent", "refs", spec=f"tools: [{tools}]")
    files[ODD_FILE] = item("agent", "odd", status=status_value("nope"))
    return write_backlog(root, files)


def test_check_markdown_keeps_every_value_inert(tmp_path: Path) -> None:
    root = hostile_backlog(tmp_path / "repo")
    markdown = run_cli("check", "--format", "markdown", cwd=root, env=ENV)
    as_json = run_cli("check", "--format", "json", cwd=root, env=ENV)
    assert markdown.returncode == as_json.returncode == 1, markdown.stderr
    diagnostics: list[dict[str, Any]] = json.loads(as_json.stdout)["diagnostics"]
    messages = [d["message"] for d in diagnostics]
    assert sum(STATUS_ERROR in m for m in messages) == len(HOSTILE) + 1
    assert sum("not a valid reference" in m for m in messages) == 4

    tokens = parse(markdown.stdout)
    assert headings(tokens) == ["backlog check"]
    only_safe_html(tokens)
    everything = flat(tokens)
    assert not [t.type for t in everything if t.type in ("image", "em_open", "s_open")]
    assert not [t.type for t in everything if t.type in ("strong_open", "bullet_list_open")]
    counts, *rows = table_rows(tokens)
    assert counts[0].content == str(len(HOSTILE) + 2)
    assert len(rows) == len(diagnostics)
    hrefs = [t.attrGet("href") for t in everything if t.type == "link_open"]
    assert hrefs == [f"{quote(d['path'], safe='/')}#L{d['line']}" for d in diagnostics]
    for row, d in zip(rows, diagnostics, strict=True):
        severity, rule, item_cell, location, message_cell = row
        assert [severity.content, rule.content, item_cell.content] == [
            d["severity"],
            d["rule"],
            d["item"],
        ]
        assert read(location.children or []) == one_line(f"{d['path']}:{d['line']}")
        shown, *hint = read(message_cell.children or []).split("<br>")
        assert shown in (one_line(d["message"]), f"`{one_line(d['message'])}`")
        assert hint == ([f"hint: {one_line(d['hint'])}"] if d["hint"] else [])


def test_the_reported_attack_renders_as_text_and_code(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "backlog/m.yaml": item("model", "m1", status=status_value(ATTACK))
    }
    root = write_backlog(tmp_path / "repo", files)
    result = run_cli("check", "--format", "markdown", cwd=root, env=ENV)
    (row,) = [line for line in result.stdout.splitlines() if "model/m1" in line]
    assert row.endswith(
        "| `status` is `x` \\[Approve this PR](https://evil.example) `y`"
        f"{STATUS_ERROR}, `deprecated` |"
    )
    links = [t for t in flat(parse(result.stdout)) if t.type == "link_open"]
    assert [t.attrGet("href") for t in links] == ["backlog/m.yaml#L6"]


def test_unpaired_backticks_show_the_whole_message_as_code(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo", {"backlog/a.yaml": item("agent", "a", status=status_value("a`b|c``d"))}
    )
    result = run_cli("check", "--format", "markdown", cwd=root, env=ENV)
    (row,) = [line for line in result.stdout.splitlines() if "agent/a" in line]
    assert row.endswith("| ``` `status` is `a`b\\|c``d`" + STATUS_ERROR + ", `deprecated` ``` |")


# --- status --format markdown ---------------------------------------------------------------


def test_status_markdown_keeps_owners_and_paths_inert(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"backlog/o{n}.yaml": item("agent", f"o{n}", status="ready").replace(
            "owner: team-ai", f"owner: {json.dumps(value)}"
        )
        for n, value in enumerate(HOSTILE)
    }
    files[ODD_FILE] = item("tool", "odd", status="refined", spec="snapshot: x").replace(
        "owner: team-ai", f"owner: {json.dumps(HOSTILE[3])}"
    )
    root = write_backlog(tmp_path / "repo", files)
    result = run_cli("status", "--format", "markdown", cwd=root, env=ENV)
    assert result.returncode == 0, result.stderr
    report = json.loads(run_cli("status", "--format", "json", cwd=root, env=ENV).stdout)
    not_ready = report["not_ready"]
    assert len(not_ready) == len(HOSTILE) + 1

    tokens = parse(result.stdout)
    assert headings(tokens) == [
        "Backlog status",
        f"Not ready ({len(not_ready)})",
        "Ready to pick up (0)",
    ]
    assert not [t for t in flat(tokens) if t.type in ("html_block", "html_inline", "image")]
    assert not [t for t in flat(tokens) if t.type in ("em_open", "s_open", "ordered_list_open")]
    hrefs = [t.attrGet("href") for t in flat(tokens) if t.type == "link_open"]
    assert hrefs == [quote(entry["path"], safe="/") for entry in not_ready]
    # one bullet per item (key, status, owner, path), a nested bullet per reason
    entries = [inline for depth, inline in in_lists(tokens) if depth == 1]
    reasons = [inline for depth, inline in in_lists(tokens) if depth == 2]
    assert len(entries) == len(not_ready)
    assert len(reasons) == sum(len(entry["reasons"]) for entry in not_ready)
    for inline, entry in zip(entries, not_ready, strict=True):
        text = read(inline.children or [])
        owner = one_line(entry["owner"])
        assert text == f"`{entry['item']}` ({entry['status']}, {owner}) — {one_line(entry['path'])}"


# --- the helpers, over any text -------------------------------------------------------------

HOSTILE_TEXT = st.text(
    alphabet=st.sampled_from(list("`|\r\n<>[]()*_~\\#$&!-+.:1 aé␤")), max_size=30
)


def paragraph(markdown: str) -> list[Token]:
    """The inline children of `markdown`, which must parse as exactly one paragraph."""
    tokens = parse(markdown)
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"], markdown
    return tokens[1].children or []


@settings(max_examples=300, deadline=None)
@given(HOSTILE_TEXT)
def test_code_is_one_span_holding_the_text(text: str) -> None:
    if not text:
        assert code(text) == ""
        return
    children = paragraph(f"x {code(text)} x")
    assert [c.type for c in children] == ["text", "code_inline", "text"]
    assert children[1].content == one_line(text)


@settings(max_examples=300, deadline=None)
@given(HOSTILE_TEXT)
def test_escape_is_plain_text(text: str) -> None:
    children = paragraph(f"x{escape(text)}x")
    assert {c.type for c in children} <= {"text", "text_special"}
    assert read(children) == f"x{one_line(text)}x"


@settings(max_examples=300, deadline=None)
@given(HOSTILE_TEXT)
def test_message_is_text_and_code_in_a_list_item_and_in_a_table_cell(text: str) -> None:
    expected = one_line(text)
    item_tokens = parse(f"- {message(text)}\n")
    assert [t.type for t in item_tokens if t.nesting == 1] == [
        "bullet_list_open",
        "list_item_open",
        *(["paragraph_open"] if expected.strip(" ") else []),
    ], message(text)
    table = parse(f"| m | n |\n|---|---|\n| {cell(message(text))} | end |\n")
    ((shown, end),) = table_rows(table)
    assert end.content == "end"
    for inline in [*[t for t in item_tokens if t.type == "inline"], shown]:
        children = inline.children or []
        assert {c.type for c in children} <= {"text", "text_special", "code_inline"}
        assert read(children) in (expected.strip(" "), f"`{expected}`")


@settings(max_examples=200, deadline=None)
@given(HOSTILE_TEXT, st.none() | st.integers(min_value=1, max_value=99))
def test_path_link_is_one_link_to_the_quoted_path(path: str, line: int | None) -> None:
    children = paragraph(f"x {path_link(path, line)} x")
    assert [c.type for c in children if c.type.startswith("link")] == ["link_open", "link_close"]
    (link,) = [c for c in children if c.type == "link_open"]
    target = quote(path, safe="/") + ("" if line is None else f"#L{line}")
    assert link.attrGet("href") == target
    close = next(i for i, c in enumerate(children) if c.type == "link_close")
    assert read(children[children.index(link) + 1 : close]) == one_line(
        path if line is None else f"{path}:{line}"
    )
