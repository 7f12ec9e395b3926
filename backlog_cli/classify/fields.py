"""Field-level building blocks: values and paths, the plain field diff, and classifiers for
one field of a common shape (a setting, a list of references or strings, a `model` ref),
with the generic rule every key no kind names falls back to.
"""

from __future__ import annotations

import enum
import json
import math
import re
from typing import Any

from backlog_cli.classify.change import Change
from backlog_cli.semver import Level
from backlog_cli.vocab import KINDS

__all__ = [
    "MISSING",
    "REF_RE",
    "equal",
    "field_changes",
    "generic",
    "get",
    "join",
    "label_of",
    "last_key",
    "model_ref",
    "ref_key",
    "ref_list",
    "reordered",
    "rest",
    "setting",
    "show",
    "string_set",
]


class _Missing(enum.Enum):
    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"

    def __str__(self) -> str:
        return "MISSING"


MISSING = _Missing.MISSING
"""Stands for an absent value: `old` of an added field, `new` of a removed one."""


# --- values and paths ----------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$-]+\Z")


def join(path: str, key: Any) -> str:
    if isinstance(key, str) and _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    shown = json.dumps(key, ensure_ascii=False) if isinstance(key, str) else repr(key)
    return f"{path}[{shown}]"


def equal(a: Any, b: Any) -> bool:
    """Equality as YAML means it: `true` is not `1`, `1` is `1.0`, NaN is NaN."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def show(value: Any, limit: int = 60) -> str:
    if value is MISSING:
        text = "(absent)"
    elif isinstance(value, str):
        text = value
    else:
        try:
            text = json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
        except (TypeError, ValueError):
            text = repr(value)
    return text if len(text) <= limit else text[: limit - 1] + "…"


def get(mapping: dict[Any, Any], key: Any) -> Any:
    """`mapping[key]`, with an absent key and an explicit null both read as MISSING."""
    value = mapping.get(key, MISSING)
    return MISSING if value is None else value


def field_changes(base: dict[str, Any], head: dict[str, Any]) -> list[tuple[str, Any, Any]]:
    """Every changed leaf as `(dotted path, old, new)`, in base order, then head's additions.

    Maps are compared key by key, lists element by element (`tags[1]`); a key or element
    that only one side has is one entry for its whole value, with `MISSING` on the other
    side. Keys that are not plain words are quoted: `parameters["top.p"]`.
    """
    out: list[tuple[str, Any, Any]] = []
    _walk("", base, head, out)
    return out


def _walk(path: str, old: Any, new: Any, out: list[tuple[str, Any, Any]]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key, value in old.items():
            if key in new:
                _walk(join(path, key), value, new[key], out)
            else:
                out.append((join(path, key), value, MISSING))
        out.extend(
            (join(path, key), MISSING, value) for key, value in new.items() if key not in old
        )
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else MISSING
            b = new[index] if index < len(new) else MISSING
            if a is MISSING or b is MISSING:
                out.append((f"{path}[{index}]", a, b))
            else:
                _walk(f"{path}[{index}]", a, b, out)
    elif not equal(old, new):
        out.append((path, old, new))


# --- generic comparison (other kinds, and keys the kind rules do not name) -----------------

_TEXT_FIELDS = frozenset({"description", "narrative", "provenance"})
REF_RE = re.compile(rf"^(?:{'|'.join(KINDS)})/[^@\s]+(?:@.*)?\Z", re.DOTALL)


def label_of(path: str) -> str:
    return path.removeprefix("spec.")


def last_key(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def ref_key(text: str) -> tuple[str, str | None]:
    key, at, range_text = text.partition("@")
    return key.strip(), range_text.strip() if at else None


def generic(path: str, old: Any, new: Any, out: list[Change]) -> None:
    """Removed → major, added or changed → minor, a description-like text edit → patch."""
    label = label_of(path)
    if old is MISSING and new is MISSING:
        return
    if old is MISSING:
        out.append(Change(Level.MINOR, path, f"`{label}` added"))
    elif new is MISSING:
        out.append(Change(Level.MAJOR, path, f"`{label}` removed"))
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            generic(join(path, key), get(old, key), get(new, key), out)
        for key in new:
            if key not in old:
                generic(join(path, key), MISSING, get(new, key), out)
    elif isinstance(old, list) and isinstance(new, list):
        _generic_list(path, old, new, out)
    elif equal(old, new):
        return
    elif last_key(path) in _TEXT_FIELDS and isinstance(old, str) and isinstance(new, str):
        out.append(Change(Level.PATCH, path, f"`{label}` text changed"))
    else:
        out.append(Change(Level.MINOR, path, f"`{label}` changed from {show(old)} to {show(new)}"))


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """List elements by identity (ref `kind/id`, string, map `id`/`metric`), or None."""
    keys: list[str] = []
    if all(isinstance(v, str) for v in items):
        keys = [ref_key(v)[0] if REF_RE.match(v) else v for v in items]
    elif all(isinstance(v, dict) for v in items):
        for name in ("id", "metric"):
            if all(isinstance(v.get(name), str) for v in items):
                keys = [v[name] for v in items]
                break
        else:
            return None
    else:
        return None
    if len(set(keys)) != len(keys):
        return None
    return dict(zip(keys, items, strict=True))


def _generic_list(path: str, old: list[Any], new: list[Any], out: list[Change]) -> None:
    label = label_of(path)
    by_old, by_new = _keyed(old), _keyed(new)
    if by_old is None or by_new is None:
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else MISSING
            b = new[index] if index < len(new) else MISSING
            generic(f"{path}[{index}]", a, b, out)
        return
    for key, value in by_old.items():
        sub = f"{path}[{key}]"
        if key not in by_new:
            out.append(Change(Level.MAJOR, sub, f"`{key}` removed from `{label}`"))
        elif isinstance(value, str) and isinstance(by_new[key], str):
            if not equal(value, by_new[key]):
                _range_change(sub, label, value, by_new[key], out)
        else:
            generic(sub, value, by_new[key], out)
    for key in by_new:
        if key not in by_old:
            out.append(Change(Level.MINOR, f"{path}[{key}]", f"`{key}` added to `{label}`"))
    reordered(path, list(by_old), list(by_new), out)


def _range_change(path: str, label: str, old: str, new: str, out: list[Change]) -> None:
    key, old_range = ref_key(old)
    new_range = ref_key(new)[1]
    shown = [r if r is not None else "(any)" for r in (old_range, new_range)]
    out.append(
        Change(
            Level.MINOR,
            path,
            f"range of `{key}` in `{label}` changed from `{shown[0]}` to `{shown[1]}`",
        )
    )


def reordered(path: str, old_keys: list[Any], new_keys: list[Any], out: list[Change]) -> None:
    kept_new = [k for k in new_keys if k in old_keys]
    kept_old = [k for k in old_keys if k in new_keys]
    if kept_old != kept_new:
        out.append(Change(Level.PATCH, path, f"`{label_of(path)}` reordered"))


def rest(
    old: dict[str, Any], new: dict[str, Any], handled: set[str], path: str, out: list[Change]
) -> None:
    """Keys a classifier does not name: never silently "none"."""
    for key in old:
        if key not in handled:
            generic(join(path, key), get(old, key), get(new, key), out)
    for key in new:
        if key not in handled and key not in old:
            generic(join(path, key), MISSING, get(new, key), out)


# --- shared field classifiers ---------------------------------------------------------------


def model_ref(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if equal(old, new):
        return
    noun = last_key(path)
    if old is MISSING:
        out.append(Change(Level.MINOR, path, f"{noun} `{show(new)}` added"))
    elif new is MISSING:
        out.append(Change(Level.MAJOR, path, f"{noun} `{show(old)}` removed"))
    elif (
        not (isinstance(old, str) and isinstance(new, str)) or ref_key(old)[0] != (ref_key(new)[0])
    ):
        out.append(Change(Level.MAJOR, path, f"{noun} changed from `{show(old)}` to `{show(new)}`"))
    else:
        ranges = [ref_key(v)[1] or "(any)" for v in (old, new)]
        out.append(
            Change(Level.MINOR, path, f"{noun} range changed from `{ranges[0]}` to `{ranges[1]}`")
        )


def ref_list(
    path: str, old: Any, new: Any, out: list[Change], *, removed: Level, added: Level
) -> None:
    """A list of references compared by `kind/id`; a range-only change is minor."""
    old_list = [] if old is MISSING else old
    new_list = [] if new is MISSING else new
    if not isinstance(old_list, list) or not isinstance(new_list, list):
        generic(path, old, new, out)
        return
    by_old, by_new = _keyed(old_list), _keyed(new_list)
    if (
        by_old is None
        or by_new is None
        or not all(isinstance(v, str) for v in [*old_list, *new_list])
    ):
        generic(path, old, new, out)
        return
    label = label_of(path)
    for key, value in by_old.items():
        sub = f"{path}[{key}]"
        if key not in by_new:
            out.append(Change(removed, sub, f"`{key}` removed from `{label}`"))
        elif not equal(value, by_new[key]):
            _range_change(sub, label, value, by_new[key], out)
    for key in by_new:
        if key not in by_old:
            out.append(Change(added, f"{path}[{key}]", f"`{key}` added to `{label}`"))
    reordered(path, list(by_old), list(by_new), out)


def string_set(
    path: str, noun: str, old: Any, new: Any, out: list[Change], *, removed: Level, added: Level
) -> None:
    old_list = [] if old is MISSING else old
    new_list = [] if new is MISSING else new
    if not (
        isinstance(old_list, list)
        and isinstance(new_list, list)
        and all(isinstance(v, str) for v in [*old_list, *new_list])
    ):
        generic(path, old, new, out)
        return
    for value in dict.fromkeys(old_list):
        if value not in new_list:
            out.append(Change(removed, path, f"{noun} `{value}` removed"))
    for value in dict.fromkeys(new_list):
        if value not in old_list:
            out.append(Change(added, path, f"{noun} `{value}` added"))
    if set(old_list) == set(new_list) and old_list != new_list:
        out.append(Change(Level.PATCH, path, f"`{label_of(path)}` reordered"))


def setting(
    path: str,
    old: Any,
    new: Any,
    out: list[Change],
    *,
    changed: Level,
    added: Level = Level.MINOR,
    removed: Level | None = None,
) -> None:
    """A scalar setting: levels for a change, for setting it, and for dropping it."""
    if equal(old, new):
        return
    label = label_of(path)
    if old is MISSING:
        out.append(Change(added, path, f"`{label}` set to {show(new)}"))
    elif new is MISSING:
        out.append(Change(removed or changed, path, f"`{label}` removed (was {show(old)})"))
    else:
        out.append(Change(changed, path, f"`{label}` changed from {show(old)} to {show(new)}"))
