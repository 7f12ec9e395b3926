"""Hints for what YAML's flow sequences (`[a, b]`) do to text that looks like one value.

Inside `[...]` a comma ends an item and `key: value` is a mapping, so
`prompts: [prompt/support-answer@~1,2]` is two items (`prompt/support-answer@~1` and the
number `2`) and `tags: [rag, note: beta]` holds a mapping. The schema rule reports the odd
item; these hints say why it is there and show the quoted form that keeps the text whole.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from backlog_cli.loader import Document

Pointer = tuple[str | int, ...]


def flow_hint(doc: Document, pointer: Pointer) -> str | None:
    """The hint for the flow-sequence item at `pointer`, or None when it is not one."""
    if not pointer or not isinstance(pointer[-1], int):
        return None
    parent = _value(doc.data, pointer[:-1])
    if not isinstance(parent, list) or pointer[-1] >= len(parent):
        return None
    value = parent[pointer[-1]]
    around = _split_line(doc, pointer)
    if around is None:
        return None
    before, at = around
    if before[-1:] not in (",", "["):
        return None  # a block sequence (`- item`): no comma or colon rule applies
    if isinstance(value, dict) and len(value) == 1 and not at.startswith("{"):
        key, inner = next(iter(value.items()))
        if isinstance(key, str) and isinstance(inner, str):
            text = f"{key}: {inner}"
            return (
                f"inside `[...]`, `{text}` is read as a mapping (`key: value`); quote it to "
                f'keep it as text: `"{text}"`'
            )
    index = pointer[-1]
    if before.endswith(",") and index > 0 and isinstance(value, (int, float, str)):
        previous = parent[index - 1]
        if isinstance(previous, str) and "@" in previous and not _looks_like_a_reference(value):
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            whole = f"{previous},{shown}"
            return (
                f"a comma ends an item in a flow sequence `[...]`, so `{whole}` was read as "
                f'two items, `{previous}` and `{shown}`; to keep it one item, quote it: `"{whole}"`'
            )
    return None


def _looks_like_a_reference(value: Any) -> bool:
    return isinstance(value, str) and "/" in value


def _value(data: Any, pointer: Pointer) -> Any:
    for part in pointer:
        try:
            data = data[part]
        except (KeyError, IndexError, TypeError):
            return None
    return data


def _split_line(doc: Document, pointer: Pointer) -> tuple[str, str] | None:
    """The item's line before it (trailing blanks dropped) and from it on."""
    line, column = doc.locate(pointer)
    lines = doc.text.split("\n")
    if not 1 <= line <= len(lines):
        return None
    text = lines[line - 1]
    return text[: column - 1].rstrip(" \t"), text[column - 1 :]
