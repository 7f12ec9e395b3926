"""Id renames (`renamed_from`): which former `kind/id` now names which item, and a base
`spec` with its references re-pointed at the new ids, so that a rename alone is no change.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from backlog_cli.classify.fields import REF_RE
from backlog_cli.vocab import SPEC_REFS

__all__ = ["rename_table", "repoint"]


def rename_table(renamed_from: Mapping[str, Iterable[str]]) -> dict[str, str]:
    """Former `kind/id` → current `kind/id`, from each head item's `renamed_from`.

    `renamed_from` maps every head item's key to the entries of its `renamed_from`. A former
    key that is still an item's own key, or that two items claim, is left out: a reference
    to it names that item, or no one item.
    """
    claims: dict[str, set[str]] = {}
    for key, formers in renamed_from.items():
        for former in formers:
            if isinstance(former, str) and former != key and former not in renamed_from:
                claims.setdefault(former, set()).add(key)
    return {former: next(iter(keys)) for former, keys in claims.items() if len(keys) == 1}


def _current(key: str, renames: Mapping[str, str]) -> str:
    """Where `key` lives now: its rename followed to the end (a → b → c), cycles cut."""
    seen = {key}
    while key in renames and renames[key] not in seen:
        key = renames[key]
        seen.add(key)
    return key


def _ref_parts(value: Any) -> tuple[str, str] | None:
    """A reference string split into its `kind/id` and the rest (`@range` or "")."""
    if not isinstance(value, str) or not REF_RE.match(value):
        return None
    key, at, rest = value.partition("@")
    return key.strip(), at + rest


def repoint(
    kind: str, old: dict[str, Any], new: dict[str, Any], renames: Mapping[str, str]
) -> dict[str, Any]:
    """`old` with each reference to a former id re-pointed at the id `new` uses for the same
    item, so that only what else changed (the range) is classified. References that `new`
    does not re-point keep their text: their removal is reported under the name they had.
    """
    if not renames:
        return old
    out = dict(old)
    for name in SPEC_REFS.get(kind, ()):
        before, after = old.get(name), new.get(name)
        if isinstance(before, str) and isinstance(after, str):
            old_ref, new_ref = _ref_parts(before), _ref_parts(after)
            if (
                old_ref is not None
                and new_ref is not None
                and old_ref[0] != new_ref[0]
                and _current(old_ref[0], renames) == _current(new_ref[0], renames)
            ):
                out[name] = new_ref[0] + old_ref[1]
        elif isinstance(before, list) and isinstance(after, list):
            out[name] = _repoint_list(before, after, renames)
    return out


def _repoint_list(old: list[Any], new: list[Any], renames: Mapping[str, str]) -> list[Any]:
    new_keys = [parts[0] for parts in map(_ref_parts, new) if parts is not None]
    old_keys = {parts[0] for parts in map(_ref_parts, old) if parts is not None}
    by_current: dict[str, str | None] = {}
    for key in new_keys:
        current = _current(key, renames)
        by_current[current] = key if by_current.get(current, key) == key else None
    out: list[Any] = []
    for value in old:
        parts = _ref_parts(value)
        target = None if parts is None else by_current.get(_current(parts[0], renames))
        if parts is None or target is None or target in old_keys:
            out.append(value)
        else:
            out.append(target + parts[1])
    return out
