"""Semantic classification of the changes to one item between a base and a head version.

SPEC §5: only `spec` needs a version bump (a prompt's `template_file` content counts as its
spec); every change found is one `Change` with its own reason, and the most severe level wins.
Everything here is pure: the caller reads both versions (and template files) out of git.

Choices where SPEC §5 leaves room, so that `diff`, the versioning rules and the docs can
say the same thing:

- A spec edit without semantic effect yields no `Change` (`field_changes` still shows it):
  a default made explicit (`format: jinja2`, `required: false`, `type: string`,
  `idempotent: false`), an inline template moved to a file with the same text, a
  `template_file` renamed with the same content, `type: [number, integer]` → `number`.
- Reordering a list is a patch (`rules`, `controls`, refs, ...): order carries no contract.
- Prompt: a template engine (`format`) change is major (it changes how every input
  renders); an input type change is major unless it only widens (`integer` → `number`,
  minor); `required: true` → `false` is minor; a template added or removed is minor
  ("template text changed"); `model` added is minor, removed or pointed at another item is
  major, a range-only change is minor; `context` sources added, removed or re-ranged are
  minor.
- `output_schema` of a prompt follows SPEC §5 to the letter: narrowed (the schema accepts
  fewer documents) → major, widened → minor. A property removed from any output schema,
  or the whole output schema removed, is major: consumers lose what they read.
- `output_schema` of a tool is read from the consumer's side: anything a consumer may now
  receive that it could not before is incompatible (major: property removed, no longer
  required, type widened, enum value added, a bound relaxed); new properties (named, or
  `additionalProperties` opened) are the "output widened" of SPEC §5 (minor), and a
  narrowed output (guarantees more) is minor.
- Input schemas (tool `input_schema`): narrowed → major, widened → minor; a property
  removed is major only when `additionalProperties: false` makes callers that still send
  it fail, otherwise minor.
- Schema keywords beyond properties/required/type/enum/additionalProperties/items: numeric
  bounds narrow or widen by direction; `const` and other assertions narrow when added,
  widen when removed, and count as both when changed; `description`, `title`,
  `examples`, `$comment` and other annotations are patch; `default` is minor; `x-*` keys
  are ignored.
- Policy: `type` changed or removed is major, set for the first time minor; a rule
  action outside the strictness order (block > redact > require-approval > flag > allow)
  that changes is major (it may be a loosening); `match`, `review_by`, `approvers` are
  minor, a rule's `description` patch.
- Tool: `side_effects` widened (none < read < write < external) or no longer declared is
  major, narrowed or declared for the first time minor; `idempotent` true → false (or
  dropped) major, false → true minor; `timeout_ms`, `rate_limit_rps`, `data` minor in
  every direction (a timeout decrease included).
- Agent: `pattern` and `on_partial_failure` changed or removed are major, set for the
  first time minor; a prompt/tool/agent ref removed is major, added or re-ranged minor;
  `model` as for prompts; `idempotent` as for tools; timeouts, retries, backoff and
  `determinism` minor.
- Other kinds (capability, dataset, model, evaluation), and any spec key the kinds above
  do not name: a removed field (at any depth) is major, an added or changed one minor,
  an edit of a `description`, `narrative` or `provenance` text patch. Lists of references
  and strings are compared as sets (a removed entry is major, a re-ranged ref minor), lists
  of maps by their `id` (or `metric`), other lists element-wise.
- `x-*` keys at the top of `spec` (and inside JSON Schemas) are ignored.
- Id renames (`renamed_from`): a reference re-pointed from a former id to the item's new
  id is not a change of that reference (the caller passes the head's rename table); a
  range edited at the same time is classified as for an unchanged id. Chains (a → b → c)
  resolve to the last id.
"""

from __future__ import annotations

import enum
import json
import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from backlog_cli.refs import parse_version
from backlog_cli.vocab import KINDS, SPEC_REFS

__all__ = [
    "LEVELS",
    "MISSING",
    "SCHEMA_DIRECTIONS",
    "Change",
    "actual_bump",
    "bump_satisfies",
    "bump_version",
    "classify",
    "field_changes",
    "level_of",
    "rename_table",
    "required_bump",
    "same_content",
    "schema_changes",
]

LEVELS: tuple[str, ...] = ("none", "patch", "minor", "major")
_RANK = {level: rank for rank, level in enumerate(LEVELS)}
_BUMPS = ("major", "minor", "patch")


@dataclass(frozen=True, order=True)
class Change:
    """One classified change: its level, the dotted path of the field, and why.

    Changes sort by severity first (the hidden `_rank`, like `Version`'s precedence key),
    so `sorted(changes, reverse=True)` lists the most severe first.
    """

    _rank: int = field(init=False, repr=False)
    level: str
    path: str
    reason: str

    def __post_init__(self) -> None:
        if self.level not in _RANK:
            raise ValueError(f"unknown change level {self.level!r}; expected one of {LEVELS}")
        object.__setattr__(self, "_rank", _RANK[self.level])

    def __str__(self) -> str:
        return f"{self.reason} → {self.level}"


class _Missing(enum.Enum):
    MISSING = "MISSING"

    def __repr__(self) -> str:
        return "MISSING"

    def __str__(self) -> str:
        return "MISSING"


MISSING = _Missing.MISSING
"""Stands for an absent value: `old` of an added field, `new` of a removed one."""


def level_of(changes: Iterable[Change]) -> str:
    """The most severe level among `changes`; "none" when there are none."""
    return LEVELS[max((_RANK[c.level] for c in changes), default=0)]


# --- values and paths ----------------------------------------------------------------------

_PLAIN_KEY = re.compile(r"[A-Za-z0-9_$-]+\Z")


def _join(path: str, key: Any) -> str:
    if isinstance(key, str) and _PLAIN_KEY.match(key):
        return f"{path}.{key}" if path else key
    shown = json.dumps(key, ensure_ascii=False) if isinstance(key, str) else repr(key)
    return f"{path}[{shown}]"


def _equal(a: Any, b: Any) -> bool:
    """Equality as YAML means it: `true` is not `1`, `1` is `1.0`, NaN is NaN."""
    if isinstance(a, bool) or isinstance(b, bool):
        return type(a) is type(b) and a == b
    if isinstance(a, dict) and isinstance(b, dict):
        return a.keys() == b.keys() and all(_equal(a[k], b[k]) for k in a)
    if isinstance(a, list) and isinstance(b, list):
        return len(a) == len(b) and all(_equal(x, y) for x, y in zip(a, b, strict=True))
    if isinstance(a, (dict, list)) or isinstance(b, (dict, list)):
        return False
    if isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b):
        return True
    return bool(a == b)


def _show(value: Any, limit: int = 60) -> str:
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


def _get(mapping: dict[Any, Any], key: Any) -> Any:
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
                _walk(_join(path, key), value, new[key], out)
            else:
                out.append((_join(path, key), value, MISSING))
        out.extend(
            (_join(path, key), MISSING, value) for key, value in new.items() if key not in old
        )
    elif isinstance(old, list) and isinstance(new, list):
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else MISSING
            b = new[index] if index < len(new) else MISSING
            if a is MISSING or b is MISSING:
                out.append((f"{path}[{index}]", a, b))
            else:
                _walk(f"{path}[{index}]", a, b, out)
    elif not _equal(old, new):
        out.append((path, old, new))


# --- generic comparison (other kinds, and keys the kinds below do not name) ---------------

_SIDE_EFFECTS = ("none", "read", "write", "external")  # narrowest first
_TEXT_FIELDS = frozenset({"description", "narrative", "provenance"})
_REF_RE = re.compile(rf"^(?:{'|'.join(KINDS)})/[^@\s]+(?:@.*)?\Z", re.DOTALL)


def _label(path: str) -> str:
    return path.removeprefix("spec.")


def _last_key(path: str) -> str:
    return path.rsplit(".", 1)[-1]


def _ref_key(text: str) -> tuple[str, str | None]:
    key, at, range_text = text.partition("@")
    return key.strip(), range_text.strip() if at else None


def _generic(path: str, old: Any, new: Any, out: list[Change]) -> None:
    """Removed → major, added or changed → minor, a description-like text edit → patch."""
    label = _label(path)
    if old is MISSING and new is MISSING:
        return
    if old is MISSING:
        out.append(Change("minor", path, f"`{label}` added"))
    elif new is MISSING:
        out.append(Change("major", path, f"`{label}` removed"))
    elif isinstance(old, dict) and isinstance(new, dict):
        for key in old:
            _generic(_join(path, key), _get(old, key), _get(new, key), out)
        for key in new:
            if key not in old:
                _generic(_join(path, key), MISSING, _get(new, key), out)
    elif isinstance(old, list) and isinstance(new, list):
        _generic_list(path, old, new, out)
    elif _equal(old, new):
        return
    elif _last_key(path) in _TEXT_FIELDS and isinstance(old, str) and isinstance(new, str):
        out.append(Change("patch", path, f"`{label}` text changed"))
    else:
        out.append(Change("minor", path, f"`{label}` changed from {_show(old)} to {_show(new)}"))


def _keyed(items: list[Any]) -> dict[str, Any] | None:
    """List elements by identity (ref `kind/id`, string, map `id`/`metric`), or None."""
    keys: list[str] = []
    if all(isinstance(v, str) for v in items):
        keys = [_ref_key(v)[0] if _REF_RE.match(v) else v for v in items]
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
    label = _label(path)
    by_old, by_new = _keyed(old), _keyed(new)
    if by_old is None or by_new is None:
        for index in range(max(len(old), len(new))):
            a = old[index] if index < len(old) else MISSING
            b = new[index] if index < len(new) else MISSING
            _generic(f"{path}[{index}]", a, b, out)
        return
    for key, value in by_old.items():
        sub = f"{path}[{key}]"
        if key not in by_new:
            out.append(Change("major", sub, f"`{key}` removed from `{label}`"))
        elif isinstance(value, str) and isinstance(by_new[key], str):
            if not _equal(value, by_new[key]):
                _range_change(sub, label, value, by_new[key], out)
        else:
            _generic(sub, value, by_new[key], out)
    for key in by_new:
        if key not in by_old:
            out.append(Change("minor", f"{path}[{key}]", f"`{key}` added to `{label}`"))
    _reordered(path, list(by_old), list(by_new), out)


def _range_change(path: str, label: str, old: str, new: str, out: list[Change]) -> None:
    key, old_range = _ref_key(old)
    new_range = _ref_key(new)[1]
    shown = [r if r is not None else "(any)" for r in (old_range, new_range)]
    out.append(
        Change(
            "minor",
            path,
            f"range of `{key}` in `{label}` changed from `{shown[0]}` to `{shown[1]}`",
        )
    )


def _reordered(path: str, old_keys: list[Any], new_keys: list[Any], out: list[Change]) -> None:
    kept_new = [k for k in new_keys if k in old_keys]
    kept_old = [k for k in old_keys if k in new_keys]
    if kept_old != kept_new:
        out.append(Change("patch", path, f"`{_label(path)}` reordered"))


def _rest(
    old: dict[str, Any], new: dict[str, Any], handled: set[str], path: str, out: list[Change]
) -> None:
    """Keys a classifier does not name: never silently "none"."""
    for key in old:
        if key not in handled:
            _generic(_join(path, key), _get(old, key), _get(new, key), out)
    for key in new:
        if key not in handled and key not in old:
            _generic(_join(path, key), MISSING, _get(new, key), out)


# --- shared field classifiers ---------------------------------------------------------------


def _model_ref(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if _equal(old, new):
        return
    noun = _last_key(path)
    if old is MISSING:
        out.append(Change("minor", path, f"{noun} `{_show(new)}` added"))
    elif new is MISSING:
        out.append(Change("major", path, f"{noun} `{_show(old)}` removed"))
    elif (
        not (isinstance(old, str) and isinstance(new, str))
        or _ref_key(old)[0] != (_ref_key(new)[0])
    ):
        out.append(Change("major", path, f"{noun} changed from `{_show(old)}` to `{_show(new)}`"))
    else:
        ranges = [_ref_key(v)[1] or "(any)" for v in (old, new)]
        out.append(
            Change("minor", path, f"{noun} range changed from `{ranges[0]}` to `{ranges[1]}`")
        )


def _ref_list(
    path: str, old: Any, new: Any, out: list[Change], *, removed: str, added: str
) -> None:
    """A list of references compared by `kind/id`; a range-only change is minor."""
    old_list = [] if old is MISSING else old
    new_list = [] if new is MISSING else new
    if not isinstance(old_list, list) or not isinstance(new_list, list):
        _generic(path, old, new, out)
        return
    by_old, by_new = _keyed(old_list), _keyed(new_list)
    if (
        by_old is None
        or by_new is None
        or not all(isinstance(v, str) for v in [*old_list, *new_list])
    ):
        _generic(path, old, new, out)
        return
    label = _label(path)
    for key, value in by_old.items():
        sub = f"{path}[{key}]"
        if key not in by_new:
            out.append(Change(removed, sub, f"`{key}` removed from `{label}`"))
        elif not _equal(value, by_new[key]):
            _range_change(sub, label, value, by_new[key], out)
    for key in by_new:
        if key not in by_old:
            out.append(Change(added, f"{path}[{key}]", f"`{key}` added to `{label}`"))
    _reordered(path, list(by_old), list(by_new), out)


def _string_set(
    path: str, noun: str, old: Any, new: Any, out: list[Change], *, removed: str, added: str
) -> None:
    old_list = [] if old is MISSING else old
    new_list = [] if new is MISSING else new
    if not (
        isinstance(old_list, list)
        and isinstance(new_list, list)
        and all(isinstance(v, str) for v in [*old_list, *new_list])
    ):
        _generic(path, old, new, out)
        return
    for value in dict.fromkeys(old_list):
        if value not in new_list:
            out.append(Change(removed, path, f"{noun} `{value}` removed"))
    for value in dict.fromkeys(new_list):
        if value not in old_list:
            out.append(Change(added, path, f"{noun} `{value}` added"))
    if set(old_list) == set(new_list) and old_list != new_list:
        out.append(Change("patch", path, f"`{_label(path)}` reordered"))


def _setting(
    path: str,
    old: Any,
    new: Any,
    out: list[Change],
    *,
    changed: str,
    added: str = "minor",
    removed: str | None = None,
) -> None:
    """A scalar setting: levels for a change, for setting it, and for dropping it."""
    if _equal(old, new):
        return
    label = _label(path)
    if old is MISSING:
        out.append(Change(added, path, f"`{label}` set to {_show(new)}"))
    elif new is MISSING:
        out.append(Change(removed or changed, path, f"`{label}` removed (was {_show(old)})"))
    else:
        out.append(Change(changed, path, f"`{label}` changed from {_show(old)} to {_show(new)}"))


def _idempotent(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if any(v is not MISSING and not isinstance(v, bool) for v in (old, new)):
        _generic(path, old, new, out)
    elif old is True and new is not True:
        out.append(Change("major", path, "no longer `idempotent` (true → false)"))
    elif new is True and old is not True:
        out.append(Change("minor", path, "now `idempotent` (false → true)"))
    # absent and false both mean "no guarantee": making that explicit changes nothing


def _side_effects(old: Any, new: Any, out: list[Change]) -> None:
    """Widened (none < read < write < external) or no longer declared is major."""
    path = "spec.side_effects"
    if _equal(old, new):
        return
    if old is MISSING:
        out.append(Change("minor", path, f"`side_effects` declared as {_show(new)}"))
    elif new is MISSING:
        out.append(Change("major", path, f"`side_effects` no longer declared (was {_show(old)})"))
    elif old not in _SIDE_EFFECTS or new not in _SIDE_EFFECTS:
        shown = f"from {_show(old)} to {_show(new)}"
        out.append(Change("major", path, f"`side_effects` changed {shown}"))
    elif _SIDE_EFFECTS.index(new) > _SIDE_EFFECTS.index(old):
        out.append(Change("major", path, f"`side_effects` widened from {old} to {new}"))
    else:
        out.append(Change("minor", path, f"`side_effects` narrowed from {old} to {new}"))


# --- JSON Schema ----------------------------------------------------------------------------

SCHEMA_DIRECTIONS: tuple[str, ...] = ("input", "output", "prompt-output")

# effect -> level for input, output, prompt-output
_EFFECT_LEVELS: dict[str, tuple[str, str, str]] = {
    "narrowed": ("major", "minor", "major"),  # accepts fewer documents
    "widened": ("minor", "major", "minor"),  # accepts more documents
    "changed": ("major", "major", "major"),  # both: some in, some out
    "extended": ("minor", "minor", "minor"),  # a new property may appear
    "removed": ("minor", "major", "major"),  # a property (or the schema) is gone
    "removed-closed": ("major", "major", "major"),  # ... and additionalProperties is false
    "neutral": ("minor", "minor", "minor"),  # e.g. `default`
    "doc": ("patch", "patch", "patch"),  # annotations
}
_ALL_TYPES = frozenset({"null", "boolean", "object", "array", "number", "integer", "string"})
_LOWER_BOUNDS = (
    "minimum",
    "exclusiveMinimum",
    "minLength",
    "minItems",
    "minProperties",
    "minContains",
)
_UPPER_BOUNDS = (
    "maximum",
    "exclusiveMaximum",
    "maxLength",
    "maxItems",
    "maxProperties",
    "maxContains",
)
_ANNOTATIONS = frozenset(
    {"description", "title", "examples", "$comment", "deprecated", "readOnly", "writeOnly"}
)
_SCHEMA_HANDLED = frozenset(
    {"properties", "required", "type", "enum", "const", "additionalProperties", "items"}
    | set(_LOWER_BOUNDS)
    | set(_UPPER_BOUNDS)
    | _ANNOTATIONS
)


def schema_changes(
    base_schema: Any, head_schema: Any, direction: str, path: str = "schema"
) -> list[Change]:
    """Classify the changes between two JSON Schemas; `MISSING` or None is "no schema".

    `direction` says whose promise the schema is:

    - ``"input"`` (tool `input_schema`): callers send documents it must accept, so
      narrowed (new required property, enum value removed, type narrowed, a bound
      tightened, `additionalProperties` closed, a property removed while
      `additionalProperties` is false) is major, widened (new optional property, enum
      value added, type widened) minor.
    - ``"output"`` (tool `output_schema`), the consumer's view: what a consumer may now
      receive and could not before is major (property removed or no longer required, type
      widened, enum value added, a bound relaxed); new properties (named, or
      `additionalProperties` opened) are "output widened", minor; narrowing is minor.
    - ``"prompt-output"`` (prompt `output_schema`), SPEC §5 to the letter: narrowed major,
      widened minor; a removed property is major here too (consumers lose it).

    Whole schema added: narrowed; removed: minor for inputs, major for outputs. The walk
    recurses into `properties`, `items` and schema-valued `additionalProperties`; reasons
    name the property (`ticket.queue`, `tags[]`), paths the schema location.
    """
    if direction not in SCHEMA_DIRECTIONS:
        raise ValueError(f"unknown schema direction {direction!r}; one of {SCHEMA_DIRECTIONS}")
    walker = _SchemaWalk(direction, _last_key(path))
    old = MISSING if base_schema is None else base_schema
    new = MISSING if head_schema is None else head_schema
    if _equal(old, new):
        return []
    if old is MISSING:
        walker.emit("narrowed", path, f"`{walker.label}` added")
    elif new is MISSING:
        walker.emit("removed", path, f"`{walker.label}` removed")
    else:
        walker.compare(old, new, path, "")
    return walker.out


def _as_schema(value: Any) -> dict[str, Any] | None:
    if value is True:
        return {}
    if value is False:
        return {"not": {}}
    return value if isinstance(value, dict) else None


def _types(schema: dict[str, Any]) -> frozenset[str] | None:
    raw = schema.get("type", MISSING)
    if raw is MISSING:
        return _ALL_TYPES
    names = [raw] if isinstance(raw, str) else raw
    if not isinstance(names, list) or not all(isinstance(n, str) for n in names):
        return None
    accepted = set(names)
    if "number" in accepted:
        accepted.add("integer")  # every integer is a number
    return frozenset(accepted)


def _show_type(schema: dict[str, Any]) -> str:
    raw = schema.get("type", MISSING)
    if raw is MISSING:
        return "any"
    return "|".join(str(t) for t in raw) if isinstance(raw, list) else _show(raw)


def _is_number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


class _SchemaWalk:
    def __init__(self, direction: str, label: str) -> None:
        self.column = SCHEMA_DIRECTIONS.index(direction)
        self.label = label
        self.out: list[Change] = []

    def emit(self, effect: str, path: str, text: str) -> None:
        self.out.append(Change(_EFFECT_LEVELS[effect][self.column], path, text))

    def say(self, text: str) -> str:
        return f"{self.label}: {text}"

    def compare(self, old_raw: Any, new_raw: Any, path: str, prop: str) -> None:
        if _equal(old_raw, new_raw):
            return
        where = f" of `{prop}`" if prop else ""
        old, new = _as_schema(old_raw), _as_schema(new_raw)
        if old is None or new is None:
            self.emit("changed", path, self.say(f"schema{where} changed"))
            return
        self._type(old, new, path, where)
        self._enum(old, new, path, where)
        self._properties(old, new, path, prop)
        self._additional(old, new, path, prop, where)
        self._items(old, new, path, prop, where)
        self._bounds(old, new, path, where)
        self._other(old, new, path, where)

    def _type(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        if _equal(old.get("type", MISSING), new.get("type", MISSING)):
            return
        before, after = _types(old), _types(new)
        shown = f"from {_show_type(old)} to {_show_type(new)}"
        sub = _join(path, "type")
        if before is None or after is None:
            self.emit("changed", sub, self.say(f"type{where} changed {shown}"))
            return
        lost, gained = before - after, after - before
        if lost and gained:
            self.emit("changed", sub, self.say(f"type{where} changed {shown}"))
        elif lost:
            self.emit("narrowed", sub, self.say(f"type{where} narrowed {shown}"))
        elif gained:
            self.emit("widened", sub, self.say(f"type{where} widened {shown}"))

    def _enum(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        for keyword in ("enum", "const"):
            before, after = old.get(keyword, MISSING), new.get(keyword, MISSING)
            if _equal(before, after):
                continue
            sub = _join(path, keyword)
            if keyword == "enum" and isinstance(before, list) and isinstance(after, list):
                lost = [v for v in before if not any(_equal(v, w) for w in after)]
                gained = [v for v in after if not any(_equal(v, w) for w in before)]
                if lost:
                    values = ", ".join(f"`{_show(v)}`" for v in lost)
                    self.emit("narrowed", sub, self.say(f"enum{where} lost {values}"))
                if gained:
                    values = ", ".join(f"`{_show(v)}`" for v in gained)
                    self.emit("widened", sub, self.say(f"enum{where} gained {values}"))
                if not lost and not gained:
                    self.emit("doc", sub, self.say(f"enum{where} reordered"))
            elif before is MISSING:
                self.emit("narrowed", sub, self.say(f"`{keyword}`{where} added: {_show(after)}"))
            elif after is MISSING:
                self.emit("widened", sub, self.say(f"`{keyword}`{where} removed"))
            else:
                shown = f"from {_show(before)} to {_show(after)}"
                self.emit("changed", sub, self.say(f"`{keyword}`{where} changed {shown}"))

    def _properties(self, old: dict[str, Any], new: dict[str, Any], path: str, prop: str) -> None:
        before, after = old.get("properties", {}), new.get("properties", {})
        req_before, req_after = old.get("required", []), new.get("required", [])
        if not isinstance(before, dict) or not isinstance(after, dict):
            if not _equal(before, after):
                sub = _join(path, "properties")
                self.emit("changed", sub, self.say(f"properties{_of(prop)} changed"))
            before, after = {}, {}
        if not _string_list(req_before) or not _string_list(req_after):
            if not _equal(req_before, req_after):
                sub = _join(path, "required")
                self.emit("changed", sub, self.say(f"`required`{_of(prop)} changed"))
            req_before, req_after = [], []
        closed = new.get("additionalProperties", MISSING) is False
        for name, schema in before.items():
            child = f"{prop}.{name}" if prop else str(name)
            sub = _join(_join(path, "properties"), name)
            if name in after:
                self.compare(schema, after[name], sub, child)
            else:
                effect = "removed-closed" if closed else "removed"
                self.emit(effect, sub, self.say(f"property `{child}` removed"))
        for name in after:
            if name in before:
                continue
            child = f"{prop}.{name}" if prop else str(name)
            sub = _join(_join(path, "properties"), name)
            if name in req_after:
                self.emit("narrowed", sub, self.say(f"new required property `{child}`"))
            else:
                self.emit("extended", sub, self.say(f"new optional property `{child}`"))
        for name in dict.fromkeys(req_after):
            if name not in req_before and (name in before or name not in after):
                child = f"{prop}.{name}" if prop else name
                sub = _join(path, "required")
                self.emit("narrowed", sub, self.say(f"property `{child}` now required"))
        for name in dict.fromkeys(req_before):
            if name not in req_after and (name in after or name not in before):
                child = f"{prop}.{name}" if prop else name
                sub = _join(path, "required")
                self.emit("widened", sub, self.say(f"property `{child}` no longer required"))

    def _additional(
        self, old: dict[str, Any], new: dict[str, Any], path: str, prop: str, where: str
    ) -> None:
        before = old.get("additionalProperties", True)
        after = new.get("additionalProperties", True)
        if _equal(before, after):
            return
        sub = _join(path, "additionalProperties")
        if before is True and after is False:
            self.emit("narrowed", sub, self.say(f"additional properties{where} no longer allowed"))
        elif before is False and after is True:
            self.emit("extended", sub, self.say(f"additional properties{where} now allowed"))
        elif isinstance(before, dict) and isinstance(after, dict):
            self.compare(before, after, sub, f"{prop}.*" if prop else "*")
        elif isinstance(after, dict) and before in (True, False):
            effect = "narrowed" if before is True else "extended"
            self.emit(effect, sub, self.say(f"additional properties{where} now constrained"))
        elif isinstance(before, dict) and after in (True, False):
            effect = "extended" if after is True else "narrowed"
            verb = "unconstrained" if after is True else "no longer allowed"
            self.emit(effect, sub, self.say(f"additional properties{where} now {verb}"))
        else:
            self.emit("changed", sub, self.say(f"`additionalProperties`{where} changed"))

    def _items(
        self, old: dict[str, Any], new: dict[str, Any], path: str, prop: str, where: str
    ) -> None:
        before, after = old.get("items", MISSING), new.get("items", MISSING)
        if _equal(before, after):
            return
        sub = _join(path, "items")
        if before is MISSING:
            self.emit("narrowed", sub, self.say(f"`items`{where} added"))
        elif after is MISSING:
            self.emit("widened", sub, self.say(f"`items`{where} removed"))
        else:
            self.compare(before, after, sub, f"{prop}[]")

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
            before, after = old.get(keyword, MISSING), new.get(keyword, MISSING)
            if _equal(before, after):
                continue
            sub = _join(path, keyword)
            name = f"`{keyword}`{where}"
            if before is MISSING:
                self.emit("narrowed", sub, self.say(f"{name} added: {_show(after)}"))
            elif after is MISSING:
                self.emit("widened", sub, self.say(f"{name} removed (was {_show(before)})"))
            elif not _is_number(before) or not _is_number(after):
                shown = f"from {_show(before)} to {_show(after)}"
                self.emit("changed", sub, self.say(f"{name} changed {shown}"))
            else:
                raised = after > before
                tighter = raised if keyword in _LOWER_BOUNDS else not raised
                verb = "raised" if raised else "lowered"
                self.emit(
                    "narrowed" if tighter else "widened",
                    sub,
                    self.say(f"{name} {verb} from {_show(before)} to {_show(after)}"),
                )

    def _other(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        keys = [*old, *(k for k in new if k not in old)]
        for keyword in keys:
            if isinstance(keyword, str) and keyword.startswith("x-"):
                continue
            if keyword in _SCHEMA_HANDLED and keyword not in _ANNOTATIONS:
                continue
            before, after = old.get(keyword, MISSING), new.get(keyword, MISSING)
            if _equal(before, after):
                continue
            sub = _join(path, keyword)
            name = f"`{keyword}`{where}"
            if keyword in _ANNOTATIONS:
                self.emit("doc", sub, self.say(f"{name} changed"))
            elif keyword == "default":
                self.emit("neutral", sub, self.say(f"{name} changed"))
            elif keyword in ("$defs", "definitions") and before is MISSING:
                self.emit("neutral", sub, self.say(f"{name} added"))
            elif before is MISSING:
                self.emit("narrowed", sub, self.say(f"{name} added"))
            elif after is MISSING:
                self.emit("widened", sub, self.say(f"{name} removed"))
            else:
                self.emit("changed", sub, self.say(f"{name} changed"))


def _of(prop: str) -> str:
    return f" of `{prop}`" if prop else ""


def _string_list(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


# --- per kind -------------------------------------------------------------------------------


def _prompt(
    old: dict[str, Any],
    new: dict[str, Any],
    old_template: str | None,
    new_template: str | None,
    out: list[Change],
) -> None:
    _model_ref("spec.model", _get(old, "model"), _get(new, "model"), out)
    old_format, new_format = _get(old, "format"), _get(new, "format")
    old_format = "jinja2" if old_format is MISSING else old_format
    new_format = "jinja2" if new_format is MISSING else new_format
    if not _equal(old_format, new_format):
        shown = f"from {_show(old_format)} to {_show(new_format)}"
        out.append(Change("major", "spec.format", f"template `format` changed {shown}"))
    _template(old, new, old_template, new_template, out)
    _inputs(_get(old, "inputs"), _get(new, "inputs"), out)
    out.extend(
        schema_changes(
            _get(old, "output_schema"),
            _get(new, "output_schema"),
            "prompt-output",
            "spec.output_schema",
        )
    )
    _parameters(_get(old, "parameters"), _get(new, "parameters"), out)
    _ref_list(
        "spec.context",
        _get(old, "context"),
        _get(new, "context"),
        out,
        removed="minor",
        added="minor",
    )
    handled = {"model", "format", "template", "template_file", "inputs", "output_schema"}
    _rest(old, new, handled | {"parameters", "context"}, "spec", out)


def _template_text(spec: dict[str, Any], file_text: str | None) -> Any:
    """The template text: inline, else the file's (None: unreadable), else MISSING."""
    inline = _get(spec, "template")
    if inline is not MISSING:
        return inline
    return file_text if _get(spec, "template_file") is not MISSING else MISSING


def _template(
    old: dict[str, Any],
    new: dict[str, Any],
    old_file_text: str | None,
    new_file_text: str | None,
    out: list[Change],
) -> None:
    before, after = _template_text(old, old_file_text), _template_text(new, new_file_text)
    if any(v is not MISSING and v is not None and not isinstance(v, str) for v in (before, after)):
        _generic("spec.template", _get(old, "template"), _get(new, "template"), out)
        return
    uses_file = _get(new, "template_file") is not MISSING or (
        _get(new, "template") is MISSING and _get(old, "template_file") is not MISSING
    )
    path = "spec.template_file" if uses_file else "spec.template"
    if before is None and after is None:
        old_file, new_file = _get(old, "template_file"), _get(new, "template_file")
        if not _equal(old_file, new_file):
            shown = f"from {_show(old_file)} to {_show(new_file)}"
            text = f"template_file changed {shown} (content not available)"
            out.append(Change("minor", path, text))
    elif before is None or after is None:
        side = "base" if before is None else "head"
        text = f"template text changed (template_file not readable at {side})"
        out.append(Change("minor", path, text))
    elif before is MISSING and after is not MISSING:
        out.append(Change("minor", path, "template added"))
    elif after is MISSING and before is not MISSING:
        out.append(Change("minor", path, "template removed"))
    elif before != after:
        if " ".join(str(before).split()) == " ".join(str(after).split()):
            out.append(Change("patch", path, "template whitespace changed"))
        else:
            out.append(Change("minor", path, "template text changed"))


def _inputs(old: Any, new: Any, out: list[Change]) -> None:
    before = {} if old is MISSING else old
    after = {} if new is MISSING else new
    if not isinstance(before, dict) or not isinstance(after, dict):
        _generic("spec.inputs", old, new, out)
        return
    for name, spec in before.items():
        path = _join("spec.inputs", name)
        if name not in after:
            out.append(Change("major", path, f"input `{name}` removed"))
        else:
            _input(path, name, spec, after[name], out)
    for name, spec in after.items():
        if name in before:
            continue
        path = _join("spec.inputs", name)
        if isinstance(spec, dict) and spec.get("required") is True:
            out.append(Change("major", path, f"new required input `{name}`"))
        else:
            out.append(Change("minor", path, f"new optional input `{name}`"))


def _input(path: str, name: str, old: Any, new: Any, out: list[Change]) -> None:
    if not isinstance(old, dict) or not isinstance(new, dict):
        _generic(path, old, new, out)
        return
    was, now = _get(old, "required"), _get(new, "required")
    if any(v is not MISSING and not isinstance(v, bool) for v in (was, now)):
        _generic(_join(path, "required"), was, now, out)
    elif now is True and was is not True:
        out.append(Change("major", _join(path, "required"), f"input `{name}` became required"))
    elif was is True and now is not True:
        text = f"input `{name}` no longer required"
        out.append(Change("minor", _join(path, "required"), text))
    old_type, new_type = (_get(side, "type") for side in (old, new))
    old_type = "string" if old_type is MISSING else old_type
    new_type = "string" if new_type is MISSING else new_type
    if not _equal(old_type, new_type):
        before, after = _types({"type": old_type}), _types({"type": new_type})
        widened = before is not None and after is not None and before < after
        verb = "widened" if widened else "changed"
        text = f"input `{name}` type {verb} from {_show(old_type)} to {_show(new_type)}"
        out.append(Change("minor" if widened else "major", _join(path, "type"), text))
    if not _equal(old.get("description", MISSING), new.get("description", MISSING)):
        text = f"input `{name}` description changed"
        out.append(Change("patch", _join(path, "description"), text))
    _rest(old, new, {"required", "type", "description"}, path, out)


def _parameters(old: Any, new: Any, out: list[Change]) -> None:
    before = {} if old is MISSING else old
    after = {} if new is MISSING else new
    if not isinstance(before, dict) or not isinstance(after, dict):
        _generic("spec.parameters", old, new, out)
        return
    for key, value in before.items():
        path = _join("spec.parameters", key)
        if key not in after:
            out.append(Change("minor", path, f"parameter `{key}` removed (was {_show(value)})"))
        elif not _equal(value, after[key]):
            shown = f"from {_show(value)} to {_show(after[key])}"
            out.append(Change("minor", path, f"parameter `{key}` changed {shown}"))
    for key, value in after.items():
        if key not in before:
            path = _join("spec.parameters", key)
            out.append(Change("minor", path, f"parameter `{key}` added: {_show(value)}"))


_STRICTNESS = ("block", "redact", "require-approval", "flag", "allow")  # strictest first


def _policy(old: dict[str, Any], new: dict[str, Any], out: list[Change]) -> None:
    _setting("spec.type", _get(old, "type"), _get(new, "type"), out, changed="major")
    _rules(_get(old, "rules"), _get(new, "rules"), out)
    _string_set(
        "spec.controls",
        "control",
        _get(old, "controls"),
        _get(new, "controls"),
        out,
        removed="major",
        added="minor",
    )
    _setting(
        "spec.review_by",
        _get(old, "review_by"),
        _get(new, "review_by"),
        out,
        changed="minor",
        removed="minor",
    )
    _string_set(
        "spec.approvers",
        "approver",
        _get(old, "approvers"),
        _get(new, "approvers"),
        out,
        removed="minor",
        added="minor",
    )
    _rest(old, new, {"type", "rules", "controls", "review_by", "approvers"}, "spec", out)


def _rule_ids(rules: list[Any]) -> dict[str, dict[str, Any]] | None:
    if not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in rules):
        return None
    ids = [r["id"] for r in rules]
    return dict(zip(ids, rules, strict=True)) if len(set(ids)) == len(ids) else None


def _rules(old: Any, new: Any, out: list[Change]) -> None:
    before = [] if old is MISSING else old
    after = [] if new is MISSING else new
    by_old = _rule_ids(before) if isinstance(before, list) else None
    by_new = _rule_ids(after) if isinstance(after, list) else None
    if by_old is None or by_new is None:
        _generic("spec.rules", old, new, out)
        return
    for rule_id, rule in by_old.items():
        path = f"spec.rules[{rule_id}]"
        if rule_id not in by_new:
            out.append(Change("major", path, f"rule `{rule_id}` removed"))
        else:
            _rule(path, rule_id, rule, by_new[rule_id], out)
    for rule_id in by_new:
        if rule_id not in by_old:
            out.append(Change("minor", f"spec.rules[{rule_id}]", f"rule `{rule_id}` added"))
    _reordered("spec.rules", list(by_old), list(by_new), out)


def _rule(
    path: str, rule_id: str, old: dict[str, Any], new: dict[str, Any], out: list[Change]
) -> None:
    before, after = old.get("action", MISSING), new.get("action", MISSING)
    if not _equal(before, after):
        sub = _join(path, "action")
        shown = f"from {_show(before)} to {_show(after)}"
        if before in _STRICTNESS and after in _STRICTNESS:
            loosened = _STRICTNESS.index(after) > _STRICTNESS.index(before)
            verb = "loosened" if loosened else "tightened"
            text = f"rule `{rule_id}` action {verb} {shown}"
            out.append(Change("major" if loosened else "minor", sub, text))
        else:
            out.append(Change("major", sub, f"rule `{rule_id}` action changed {shown}"))
    if not _equal(old.get("match", MISSING), new.get("match", MISSING)):
        out.append(Change("minor", _join(path, "match"), f"rule `{rule_id}` match changed"))
    if not _equal(old.get("description", MISSING), new.get("description", MISSING)):
        text = f"rule `{rule_id}` description changed"
        out.append(Change("patch", _join(path, "description"), text))
    _rest(old, new, {"id", "action", "match", "description"}, path, out)


def _tool(old: dict[str, Any], new: dict[str, Any], out: list[Change]) -> None:
    out.extend(
        schema_changes(
            _get(old, "input_schema"), _get(new, "input_schema"), "input", "spec.input_schema"
        )
    )
    out.extend(
        schema_changes(
            _get(old, "output_schema"), _get(new, "output_schema"), "output", "spec.output_schema"
        )
    )
    _side_effects(_get(old, "side_effects"), _get(new, "side_effects"), out)
    _idempotent("spec.idempotent", _get(old, "idempotent"), _get(new, "idempotent"), out)
    for key in ("timeout_ms", "rate_limit_rps"):
        path = f"spec.{key}"
        _setting(path, _get(old, key), _get(new, key), out, changed="minor", removed="minor")
    _ref_list(
        "spec.data", _get(old, "data"), _get(new, "data"), out, removed="minor", added="minor"
    )
    handled = {"input_schema", "output_schema", "side_effects", "idempotent", "data"}
    _rest(old, new, handled | {"timeout_ms", "rate_limit_rps"}, "spec", out)


_AGENT_TUNING = ("timeout_ms", "max_retries", "retry_backoff_ms", "determinism")


def _agent(old: dict[str, Any], new: dict[str, Any], out: list[Change]) -> None:
    for key in ("pattern", "on_partial_failure"):
        _setting(f"spec.{key}", _get(old, key), _get(new, key), out, changed="major")
    _model_ref("spec.model", _get(old, "model"), _get(new, "model"), out)
    for key in ("prompts", "tools", "agents"):
        _ref_list(
            f"spec.{key}", _get(old, key), _get(new, key), out, removed="major", added="minor"
        )
    _idempotent("spec.idempotent", _get(old, "idempotent"), _get(new, "idempotent"), out)
    for key in _AGENT_TUNING:
        path = f"spec.{key}"
        _setting(path, _get(old, key), _get(new, key), out, changed="minor", removed="minor")
    handled = {"pattern", "on_partial_failure", "model", "prompts", "tools", "agents"}
    _rest(old, new, handled | {"idempotent", *_AGENT_TUNING}, "spec", out)


def _spec_of(item: Any) -> Any:
    spec = item.get("spec", MISSING) if isinstance(item, dict) else MISSING
    if spec is MISSING or spec is None:
        return {}
    if isinstance(spec, dict):
        return {k: v for k, v in spec.items() if not (isinstance(k, str) and k.startswith("x-"))}
    return spec


# --- id renames -----------------------------------------------------------------------------


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
    if not isinstance(value, str) or not _REF_RE.match(value):
        return None
    key, at, rest = value.partition("@")
    return key.strip(), at + rest


def _repoint(
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


def same_content(
    base: dict[str, Any],
    head: dict[str, Any],
    base_template: str | None,
    head_template: str | None,
) -> bool:
    """Whether two versions of an item are equal but for a `template_file` path whose text is
    the same at both ends: a prompt moved together with its template is a move, not a change.

    The templates are the texts each `template_file` resolves to; an unreadable one (None)
    never counts as the same.
    """
    old_spec, new_spec = base.get("spec"), head.get("spec")
    if not isinstance(old_spec, dict) or not isinstance(new_spec, dict):
        return False
    if _get(old_spec, "template_file") is MISSING or _get(new_spec, "template_file") is MISSING:
        return False
    if not isinstance(base_template, str) or base_template != head_template:
        return False
    envelopes = [{k: v for k, v in side.items() if k != "spec"} for side in (base, head)]
    specs = [
        {k: v for k, v in spec.items() if k != "template_file"} for spec in (old_spec, new_spec)
    ]
    return _equal(*envelopes) and _equal(*specs)


def classify(
    kind: str,
    base: dict[str, Any],
    head: dict[str, Any],
    base_template: str | None = None,
    head_template: str | None = None,
    *,
    renames: Mapping[str, str] | None = None,
) -> list[Change]:
    """Every semantic change to the item's `spec`, most severe first.

    `base_template`/`head_template` are the contents of the prompt's `template_file` at
    each end (None when it has none or it cannot be read); an inline `spec.template`
    takes precedence. `renames` maps former `kind/id`s to current ones (`rename_table` of
    the head items): a reference re-pointed from an item's former id to its new id is not
    a change. Envelope fields and `x-*` keys of `spec` are not classified.
    """
    old, new = _spec_of(base), _spec_of(head)
    if renames and isinstance(old, dict) and isinstance(new, dict):
        old = _repoint(kind, old, new, renames)
    out: list[Change] = []
    if not isinstance(old, dict) or not isinstance(new, dict):
        _generic("spec", old, new, out)
    elif kind == "prompt":
        _prompt(old, new, base_template, head_template, out)
    elif kind == "policy":
        _policy(old, new, out)
    elif kind == "tool":
        _tool(old, new, out)
    elif kind == "agent":
        _agent(old, new, out)
    else:
        _generic("spec", old, new, out)
    unique = list(dict.fromkeys(out))
    return sorted(unique, key=lambda c: -_RANK[c.level])


# --- versions -------------------------------------------------------------------------------


def _check_level(level: str) -> None:
    if level not in _RANK:
        raise ValueError(f"unknown change level {level!r}; expected one of {LEVELS}")


def required_bump(base_version: str, level: str) -> str:
    """The bump a change of `level` needs: the level itself, shifted down one step for 0.x.

    SemVer's 0.x rule (and npm's caret): below 1.0.0 a breaking change needs a minor bump
    and a feature a patch. A base version that is not SemVer leaves the level unchanged.
    """
    _check_level(level)
    version = parse_version(base_version) if isinstance(base_version, str) else None
    if version is None or version.major > 0:
        return level
    return {"major": "minor", "minor": "patch"}.get(level, level)


def actual_bump(base_version: str, head_version: str) -> str:
    """How far head moved from base: none, patch, minor, major, decreased or invalid.

    By SemVer precedence; the first of major/minor/patch that differs names the bump, and
    a prerelease-only move (`1.0.0-rc.1` → `1.0.0-rc.2` or `1.0.0`) counts as a patch.
    Build metadata does not count.
    """
    base = parse_version(base_version) if isinstance(base_version, str) else None
    head = parse_version(head_version) if isinstance(head_version, str) else None
    if base is None or head is None:
        return "invalid"
    if head < base:
        return "decreased"
    if head == base:
        return "none"
    for part in _BUMPS:
        if getattr(head, part) != getattr(base, part):
            return part
    return "patch"


def bump_version(version: str, part: str) -> str:
    """`version` incremented like npm's `semver.inc(version, part)`; build metadata dropped.

    A prerelease is promoted rather than incremented when it already stands for the bump:
    `1.2.3-rc.1` patch → `1.2.3`, `1.2.0-rc.1` minor → `1.2.0`, `1.0.0-rc.1` major →
    `1.0.0`.
    """
    parsed = parse_version(version)
    if parsed is None:
        raise ValueError(f"{version!r} is not a SemVer version")
    major, minor, patch, pre = parsed.major, parsed.minor, parsed.patch, parsed.prerelease
    if part == "major":
        if minor or patch or not pre:
            major += 1
        minor = patch = 0
    elif part == "minor":
        if patch or not pre:
            minor += 1
        patch = 0
    elif part == "patch":
        if not pre:
            patch += 1
    else:
        raise ValueError(f"unknown version part {part!r}; expected one of {_BUMPS}")
    return f"{major}.{minor}.{patch}"


def bump_satisfies(actual: str, required: str) -> bool:
    """Whether an `actual_bump` result is at least the `required_bump`.

    Nothing is required: anything but a decrease will do (an invalid version included:
    that is another rule's finding). Otherwise "decreased" and "invalid" never satisfy.
    """
    _check_level(required)
    if required == "none":
        return actual != "decreased"
    return actual in _RANK and _RANK[actual] >= _RANK[required]
