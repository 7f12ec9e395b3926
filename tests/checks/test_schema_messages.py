"""schema: the exact words of a wrong-type, bad-id or bad-enum finding.

The message names what the schema expects and what YAML read, in the user's terms ("a
mapping", "true or false", "empty (null)"), and a long value is cut at 60 characters.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import check, item, write_backlog

SIXTY = "x" * 57 + "..."


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            item("model", "m").replace("title: M\n", "title: [a]\n"),
            [("`title` must be a string, not a list", None)],
        ),
        (
            item("model", "m").replace("title: M\n", "title: {a: 1}\n"),
            [("`title` must be a string, not a mapping", None)],
        ),
        (item("model", "m", extra="tags: x"), [("`tags` must be a list, not a string", None)]),
        (item("model", "m", extra="spec: 5"), [("`spec` must be a mapping, not a number", None)]),
        (
            item("tool", "t", extra="performance: {timeout_ms: x}"),
            [("`performance.timeout_ms` must be a number, not a string", None)],
        ),
        (
            item("agent", "a", spec="max_retries: x"),
            [("`spec.max_retries` must be an integer, not a string", None)],
        ),
        (
            item("agent", "a", spec="max_retries: 1.5"),
            [("`spec.max_retries` must be an integer, not a number", None)],
        ),
        (
            item("tool", "t", extra="safety: {human_review: yes please}"),
            [("`safety.human_review` must be true or false, not a string", None)],
        ),
        (
            item("model", "m").replace("owner: team-ai\n", "owner:\n"),
            [
                (
                    "`owner` must be a string, not empty (null)",
                    "the value is missing: fill it in or remove the key",
                )
            ],
        ),
        (
            item("model", "m").replace('version: "1.0.0"\n', "version: true\n"),
            [
                (
                    "`version` must be a string, not a boolean",
                    "YAML read `true` as a boolean; quote it and write a full version: "
                    '`version: "1.0.0"`',
                )
            ],
        ),
        (
            item("model", "m", status="x" * 70),
            [
                (
                    f"`status` is `{SIXTY}`; expected one of `proposed`, `refined`, `ready`, "
                    "`in-progress`, `done`, `deprecated`",
                    None,
                )
            ],
        ),
    ],
)
def test_wrong_type_messages(tmp_path: Path, text: str, expected: list[object]) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/a.yaml": text})
    found = [(d.message, d.hint) for d in check(root).diagnostics]
    assert found == expected


ID_HINT = (
    "ids are 1-64 lowercase letters, digits, `.`, `_` or `-`, starting and ending with a "
    "letter or digit, e.g. `{}`"
)


@pytest.mark.parametrize(
    ("item_id", "suggested"),
    [
        ("Bad Id!", "bad-id"),
        ("._Ab..C d_.", "ab..c-d"),  # runs of other characters become one `-`; ends trimmed
        ("---", "my-item"),  # nothing left: a placeholder
        ("A" * 70 + "!", "a" * 64),  # cut to the longest id allowed
    ],
)
def test_a_bad_id_gets_a_slug_to_use_instead(tmp_path: Path, item_id: str, suggested: str) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/a.yaml": item("model", item_id)})
    found = [
        (d.message, d.hint) for d in check(root).diagnostics if d.message.endswith("not a valid id")
    ]
    shown = item_id if len(item_id) <= 60 else item_id[:57] + "..."
    assert found == [(f"`id` is `{shown}`, not a valid id", ID_HINT.format(suggested))]
