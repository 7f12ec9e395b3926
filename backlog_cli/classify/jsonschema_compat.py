"""JSON Schema compatibility: whether an edited schema accepts fewer documents (narrowed),
more (widened), or some of each, and what that means for whoever relies on it.

The same edit is major or minor depending on whose promise the schema is (a tool's input, a
tool's output, a prompt's output); the walk names the effect and `_EFFECT_LEVELS` maps it to
the level for that direction, so the three readings cannot drift apart.
"""

from __future__ import annotations

from typing import Any

from backlog_cli.classify.change import Change
from backlog_cli.classify.fields import MISSING, equal, join, last_key, show
from backlog_cli.semver import Level

__all__ = ["SCHEMA_DIRECTIONS", "accepted_types", "schema_changes"]

SCHEMA_DIRECTIONS: tuple[str, ...] = ("input", "output", "prompt-output")

# effect -> level for input, output, prompt-output
_EFFECT_LEVELS: dict[str, tuple[Level, Level, Level]] = {
    "narrowed": (Level.MAJOR, Level.MINOR, Level.MAJOR),  # accepts fewer documents
    "widened": (Level.MINOR, Level.MAJOR, Level.MINOR),  # accepts more documents
    "changed": (Level.MAJOR, Level.MAJOR, Level.MAJOR),  # both: some in, some out
    "extended": (Level.MINOR, Level.MINOR, Level.MINOR),  # a new property may appear
    "removed": (Level.MINOR, Level.MAJOR, Level.MAJOR),  # a property (or the schema) is gone
    # ... and additionalProperties is false
    "removed-closed": (Level.MAJOR, Level.MAJOR, Level.MAJOR),
    "neutral": (Level.MINOR, Level.MINOR, Level.MINOR),  # e.g. `default`
    "doc": (Level.PATCH, Level.PATCH, Level.PATCH),  # annotations
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
    walker = _SchemaWalk(direction, last_key(path))
    old = MISSING if base_schema is None else base_schema
    new = MISSING if head_schema is None else head_schema
    if equal(old, new):
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


def accepted_types(schema: dict[str, Any]) -> frozenset[str] | None:
    """The JSON types `schema` accepts (every integer is a number); None for a bad `type`."""
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
    return "|".join(str(t) for t in raw) if isinstance(raw, list) else show(raw)


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
        if equal(old_raw, new_raw):
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
        if equal(old.get("type", MISSING), new.get("type", MISSING)):
            return
        before, after = accepted_types(old), accepted_types(new)
        shown = f"from {_show_type(old)} to {_show_type(new)}"
        sub = join(path, "type")
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
            if equal(before, after):
                continue
            sub = join(path, keyword)
            if keyword == "enum" and isinstance(before, list) and isinstance(after, list):
                lost = [v for v in before if not any(equal(v, w) for w in after)]
                gained = [v for v in after if not any(equal(v, w) for w in before)]
                if lost:
                    values = ", ".join(f"`{show(v)}`" for v in lost)
                    self.emit("narrowed", sub, self.say(f"enum{where} lost {values}"))
                if gained:
                    values = ", ".join(f"`{show(v)}`" for v in gained)
                    self.emit("widened", sub, self.say(f"enum{where} gained {values}"))
                if not lost and not gained:
                    self.emit("doc", sub, self.say(f"enum{where} reordered"))
            elif before is MISSING:
                self.emit("narrowed", sub, self.say(f"`{keyword}`{where} added: {show(after)}"))
            elif after is MISSING:
                self.emit("widened", sub, self.say(f"`{keyword}`{where} removed"))
            else:
                shown = f"from {show(before)} to {show(after)}"
                self.emit("changed", sub, self.say(f"`{keyword}`{where} changed {shown}"))

    def _properties(self, old: dict[str, Any], new: dict[str, Any], path: str, prop: str) -> None:
        before, after = old.get("properties", {}), new.get("properties", {})
        req_before, req_after = old.get("required", []), new.get("required", [])
        if not isinstance(before, dict) or not isinstance(after, dict):
            if not equal(before, after):
                sub = join(path, "properties")
                self.emit("changed", sub, self.say(f"properties{_of(prop)} changed"))
            before, after = {}, {}
        if not _string_list(req_before) or not _string_list(req_after):
            if not equal(req_before, req_after):
                sub = join(path, "required")
                self.emit("changed", sub, self.say(f"`required`{_of(prop)} changed"))
            req_before, req_after = [], []
        closed = new.get("additionalProperties", MISSING) is False
        for name, schema in before.items():
            child = f"{prop}.{name}" if prop else str(name)
            sub = join(join(path, "properties"), name)
            if name in after:
                self.compare(schema, after[name], sub, child)
            else:
                effect = "removed-closed" if closed else "removed"
                self.emit(effect, sub, self.say(f"property `{child}` removed"))
        for name in after:
            if name in before:
                continue
            child = f"{prop}.{name}" if prop else str(name)
            sub = join(join(path, "properties"), name)
            if name in req_after:
                self.emit("narrowed", sub, self.say(f"new required property `{child}`"))
            else:
                self.emit("extended", sub, self.say(f"new optional property `{child}`"))
        for name in dict.fromkeys(req_after):
            if name not in req_before and (name in before or name not in after):
                child = f"{prop}.{name}" if prop else name
                sub = join(path, "required")
                self.emit("narrowed", sub, self.say(f"property `{child}` now required"))
        for name in dict.fromkeys(req_before):
            if name not in req_after and (name in after or name not in before):
                child = f"{prop}.{name}" if prop else name
                sub = join(path, "required")
                self.emit("widened", sub, self.say(f"property `{child}` no longer required"))

    def _additional(
        self, old: dict[str, Any], new: dict[str, Any], path: str, prop: str, where: str
    ) -> None:
        before = old.get("additionalProperties", True)
        after = new.get("additionalProperties", True)
        if equal(before, after):
            return
        sub = join(path, "additionalProperties")
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
        if equal(before, after):
            return
        sub = join(path, "items")
        if before is MISSING:
            self.emit("narrowed", sub, self.say(f"`items`{where} added"))
        elif after is MISSING:
            self.emit("widened", sub, self.say(f"`items`{where} removed"))
        else:
            self.compare(before, after, sub, f"{prop}[]")

    def _bounds(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        for keyword in (*_LOWER_BOUNDS, *_UPPER_BOUNDS):
            before, after = old.get(keyword, MISSING), new.get(keyword, MISSING)
            if equal(before, after):
                continue
            sub = join(path, keyword)
            name = f"`{keyword}`{where}"
            if before is MISSING:
                self.emit("narrowed", sub, self.say(f"{name} added: {show(after)}"))
            elif after is MISSING:
                self.emit("widened", sub, self.say(f"{name} removed (was {show(before)})"))
            elif not _is_number(before) or not _is_number(after):
                shown = f"from {show(before)} to {show(after)}"
                self.emit("changed", sub, self.say(f"{name} changed {shown}"))
            else:
                raised = after > before
                tighter = raised if keyword in _LOWER_BOUNDS else not raised
                verb = "raised" if raised else "lowered"
                self.emit(
                    "narrowed" if tighter else "widened",
                    sub,
                    self.say(f"{name} {verb} from {show(before)} to {show(after)}"),
                )

    def _other(self, old: dict[str, Any], new: dict[str, Any], path: str, where: str) -> None:
        keys = [*old, *(k for k in new if k not in old)]
        for keyword in keys:
            if isinstance(keyword, str) and keyword.startswith("x-"):
                continue
            if keyword in _SCHEMA_HANDLED and keyword not in _ANNOTATIONS:
                continue
            before, after = old.get(keyword, MISSING), new.get(keyword, MISSING)
            if equal(before, after):
                continue
            sub = join(path, keyword)
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
