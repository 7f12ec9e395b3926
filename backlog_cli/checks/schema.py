"""schema: the item violates the published JSON Schema of its kind.

Each item is validated against `schemas/<kind>.schema.json` (draft 2020-12; the same files
editors and `check-jsonschema` use). Every violation is reported, each at its own line and
column: an unknown key at the key itself with a "did you mean", a bad enum value with the
closest allowed value, and a YAML typing hint where the YAML reading is the cause
(`version: 1.0` is read as a number). An unknown `kind` gets a hint, and the rest of the
file is still checked against the envelope.

A YAML file under the item folder that is not an item at all (no `apiVersion: backlog/...`
and no known `kind`, e.g. a `promptfooconfig.yaml` beside its evaluation) gets one warning
instead, with the `exclude:` entry that leaves it out; it is not counted as an item.

Three things JSON Schema cannot say are checked on top of it: ids of criteria and policy
rules are unique within their list; no value anywhere in the item (free-form maps and `x-*`
fields included) is `.nan` or `.inf`, which JSON cannot carry; and no component of
`version` is above 9007199254740991, which npm's semver cannot hold and no range admits.

Failing:

    apiVersion: backlog/v1
    kind: promt                 # unknown kind; did you mean `prompt`?
    id: support-triage
    version: 1.0                # read as a number; quote it: "1.0.0"
    statuss: ready              # unknown key; did you mean `status`?
    performance:
      latency_p95_ms: .nan      # not a finite number

Passing:

    apiVersion: backlog/v1
    kind: prompt
    id: support-triage
    title: Support triage
    version: "1.0.0"
    status: ready
    owner: "@maria"
"""

from __future__ import annotations

import difflib
import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from backlog_cli.diagnostic import Finding, Severity
from backlog_cli.flow_hints import flow_hint
from backlog_cli.foreign import not_an_item
from backlog_cli.refs import parse_ref
from backlog_cli.semver import MAX_VERSION_COMPONENT, SEMVER_PATTERN, oversized_components
from backlog_cli.vocab import EXAMPLE_IDS, KINDS

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

    from backlog_cli.engine import Context
    from backlog_cli.loader import Document
    from backlog_cli.vocab import Pointer

ID = "schema"
SEVERITY: Severity = "error"


@cache
def validator(name: str) -> Validator:
    """A compiled validator for one shipped schema; built once per run."""
    from jsonschema import Draft202012Validator

    from backlog_cli import schemas

    schema = schemas.load(name)
    return Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)


# Below this many files, importing pydantic for the fast path costs more than it saves.
FAST_PATH_MIN_FILES = 64


@cache
def fast_validator(kind: str) -> Callable[[dict[str, Any]], bool]:
    """A pydantic-core validator of the same model the schema is generated from.

    It only ever *accepts*: an item it passes is valid under the JSON Schema too (a test
    holds the two to that over thousands of mutated items), and anything it rejects goes
    to jsonschema for the real diagnostics. Valid items are the common case, and
    pydantic-core checks them ~30x faster than jsonschema.
    """
    from pydantic import ValidationError

    from backlog_cli.model import ITEM_MODELS

    validate = ITEM_MODELS[kind].__pydantic_validator__.validate_python

    def accepts(data: dict[str, Any]) -> bool:
        try:
            validate(data, strict=True)
        except (ValidationError, ValueError, TypeError):
            return False
        return True

    return accepts


def check(context: Context) -> Iterator[Finding]:
    documents = context.documents()
    fast = len(documents) >= FAST_PATH_MIN_FILES
    for doc in documents:
        yield from check_document(doc, fast=fast)
    for other in context.others():
        yield not_an_item(other, context.project.config)


# lists whose entries carry an `id` that must be unique within the list (SPEC §3); JSON
# Schema cannot say "unique by property", so this rule checks it
_LOCAL_ID_LISTS: tuple[tuple[str, ...], ...] = (
    ("acceptance",),
    ("spec", "success_metrics"),
    ("spec", "rules"),
)


def _duplicate_local_ids(data: dict[str, Any]) -> Iterator[tuple[tuple[str | int, ...], str]]:
    for path in _LOCAL_ID_LISTS:
        entries: Any = data
        for part in path:
            entries = entries.get(part) if isinstance(entries, dict) else None
        if not isinstance(entries, list):
            continue
        seen: dict[str, int] = {}
        for index, entry in enumerate(entries):
            local_id = entry.get("id") if isinstance(entry, dict) else None
            if not isinstance(local_id, str):
                continue
            if local_id in seen:
                yield (
                    (*path, index, "id"),
                    (
                        f"`{_dotted(path)}`: id `{local_id}` is used twice "
                        f"(first at `{_dotted((*path, seen[local_id]))}`)"
                    ),
                )
            else:
                seen[local_id] = index


# read as jsonschema reads a `pattern` (re.search), so both paths see the same versions
_SEMVER = re.compile(SEMVER_PATTERN)


def _oversized_version(data: dict[str, Any]) -> Iterator[tuple[Pointer, str, str]]:
    version = data.get("version")
    if not isinstance(version, str) or _SEMVER.search(version) is None:
        return  # the schema reports it
    names = oversized_components(version)
    if names:
        yield (
            ("version",),
            (
                f"`version` is `{_short(version)}`: {' and '.join(names)} component above "
                f"{MAX_VERSION_COMPONENT}"
            ),
            "npm's semver cannot hold a larger component, so no range could admit this "
            "version; number it within the bound",
        )


def _non_finite_numbers(data: dict[str, Any]) -> Iterator[tuple[Pointer, float]]:
    """Every `.nan`, `.inf` and `-.inf` in the item, wherever it sits."""
    stack: list[tuple[Pointer, Any]] = [((), data)]
    while stack:
        pointer, value = stack.pop()
        if isinstance(value, dict):
            stack.extend(((*pointer, k), v) for k, v in value.items())
        elif isinstance(value, list):
            stack.extend(((*pointer, i), v) for i, v in enumerate(value))
        elif type(value) is float and not math.isfinite(value):
            yield pointer, value


# How a non-finite float can be written (YAML 1.2 core schema): `.nan`/`.inf` in any case, or
# a number too large for a double (an exponent of 3+ digits, or 300+ digits in a row). A
# file without any of these holds only finite numbers, and the walk below is skipped.
_NON_FINITE_SPELLING = re.compile(
    r"\.(?:[nN][aA][nN]|[iI][nN][fF])|[0-9][eE]\+?[0-9]{3}|[0-9]{300}"
)


def _all_finite(container: dict[Any, Any] | list[Any]) -> bool:
    """Whether `_non_finite_numbers` finds nothing: the fast path's question, answered
    without building a pointer for every value (~4x quicker)."""
    for value in container.values() if isinstance(container, dict) else container:
        if isinstance(value, float):
            if not math.isfinite(value):
                return False
        elif isinstance(value, (dict, list)) and not _all_finite(value):
            return False
    return True


def _non_finite_message(pointer: Pointer, value: float) -> tuple[str, str]:
    shown = ".nan" if math.isnan(value) else ("-.inf" if value < 0 else ".inf")
    hint = "JSON has no NaN or Infinity: write a finite number, or leave the key out"
    if not math.isnan(value):
        hint += "; a number too large for a double, like 1e400, reads as infinity"
    return f"`{_dotted(pointer)}` is `{shown}`, not a finite number", hint


# keywords that refuse a number for its value alone: for a non-finite one, "not a finite
# number" says what is wrong better than "-inf is less than the minimum of 0"
_NUMERIC_KEYWORDS = frozenset(
    ("minimum", "maximum", "exclusiveMinimum", "exclusiveMaximum", "multipleOf")
)


def _about_the_number(error: ValidationError) -> bool:
    if error.validator in _NUMERIC_KEYWORDS:
        return True
    if error.validator != "type":
        return False
    # `type: integer` refuses `.nan` as "a number, not an integer": true, but beside the point
    types = error.validator_value
    return bool({"integer", "number"} & set(types if isinstance(types, list) else [types]))


def _item_key(data: dict[str, Any]) -> str | None:
    kind, item_id = data.get("kind"), data.get("id")
    if isinstance(kind, str) and isinstance(item_id, str):
        return f"{kind}/{item_id}"
    return None


def check_document(doc: Document, *, fast: bool = False) -> Iterator[Finding]:
    data = doc.data
    kind = data.get("kind")
    if (
        fast
        and kind in KINDS
        and fast_validator(kind)(data)
        and not any(_duplicate_local_ids(data))
        and not any(_oversized_version(data))
        and (_NON_FINITE_SPELLING.search(doc.text) is None or _all_finite(data))
    ):
        return
    name = kind if kind in KINDS else "envelope"
    key = _item_key(data) if kind in KINDS else None
    found: list[Finding] = []

    def report(pointer: Pointer, message: str, hint: str | None, at_key: bool = False) -> None:
        line, column = doc.locate(pointer, at_key=at_key)
        found.append(Finding(doc.rel, line, column, message, key, hint))

    for pointer, message in _duplicate_local_ids(data):
        report(pointer, message, "ids of criteria and rules are unique within their list")
    for problem in _oversized_version(data):
        report(*problem)
    non_finite = dict(_non_finite_numbers(data))
    errors = list(validator(name).iter_errors(data))
    # a non-finite value the schema refuses for another reason (`title: .nan` is not a
    # string) keeps the schema's message and its YAML hint
    refused = {tuple(error.absolute_path) for error in errors if not _about_the_number(error)}
    for pointer, value in non_finite.items():
        if pointer not in refused:
            report(pointer, *_non_finite_message(pointer, value))
    for error in errors:
        if tuple(error.absolute_path) in non_finite and _about_the_number(error):
            continue
        for pointer, message, hint, at_key in _explain(error):
            # `[a@~1,2]` and `[rag, note: beta]`: the flow sequence, not the value, is the cause
            report(pointer, message, flow_hint(doc, pointer) or hint, at_key)
    yield from sorted(set(found))


def _dotted(pointer: tuple[str | int, ...]) -> str:
    out = ""
    for part in pointer:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out or "(top level)"


def _yaml_type(value: Any) -> str:
    if value is None:
        return "empty (null)"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    return "a mapping"


def _expected(schema: dict[str, Any]) -> str:
    types = schema.get("type")
    names: dict[str, str] = {
        "object": "a mapping",
        "array": "a list",
        "string": "a string",
        "integer": "an integer",
        "number": "a number",
        "boolean": "true or false",
        "null": "empty",
    }
    if isinstance(types, list):
        return " or ".join(names.get(str(t), str(t)) for t in types)
    return names.get(str(types), str(types))


def _short(value: Any) -> str:
    text = repr(value) if not isinstance(value, str) else value
    return text if len(text) <= 60 else text[:57] + "..."


Explained = tuple[tuple[str | int, ...], str, "str | None", bool]


@dataclass(frozen=True)
class _Error:
    """A jsonschema error as the explanations read it."""

    pointer: tuple[str | int, ...]
    where: str  # the pointer as users write it, in backticks
    expected: Any  # the failing keyword's value in the schema
    value: Any  # the instance that failed
    schema: dict[str, Any]

    @property
    def inside(self) -> str:
        return "" if not self.pointer else f" in {self.where}"


def _explain(error: ValidationError) -> Iterator[Explained]:
    pointer = tuple(error.absolute_path)
    schema = error.schema if isinstance(error.schema, dict) else {}
    e = _Error(pointer, f"`{_dotted(pointer)}`", error.validator_value, error.instance, schema)
    keyword = str(error.validator)
    explain = _EXPLAINERS.get(keyword)
    found = explain(e) if explain is not None else None
    if found is not None:
        yield from found
        return
    if keyword in ("anyOf", "oneOf") and error.context:
        # report the closest branch's own errors rather than a bare "not valid under any"
        from jsonschema.exceptions import best_match

        best = best_match(error.context)
        if best is not None:
            yield from _explain(best)
            return
    message = error.message
    if len(message) > 200:
        message = message[:197] + "..."
    yield pointer, f"{e.where}: {message}", None, False


# Each explainer returns its findings, or None when the error is not one it explains.


def _unknown_keys(e: _Error) -> list[Explained] | None:
    if not isinstance(e.value, dict):
        return None
    allowed = list(e.schema.get("properties", {}))
    patterns = list(e.schema.get("patternProperties", {}))
    out: list[Explained] = []
    for key in e.value:
        if key in allowed or any(re.search(p, str(key)) for p in patterns):
            continue
        if not allowed:
            message = (
                f"`{key}`{e.inside} is not a valid name: use letters, digits and `_`, "
                "not starting with a digit"
            )
            out.append(((*e.pointer, key), message, None, True))
            continue
        match = difflib.get_close_matches(str(key), allowed, n=1, cutoff=0.6)
        hint = (
            f"did you mean `{match[0]}`?"
            if match
            else (
                "allowed keys: "
                + ", ".join(allowed)
                + ("; organisation-specific fields start with `x-`" if patterns else "")
            )
        )
        out.append(((*e.pointer, key), f"unknown key `{key}`{e.inside}", hint, True))
    return out


def _missing_keys(e: _Error) -> list[Explained]:
    present = set(e.value) if isinstance(e.value, dict) else set()
    out: list[Explained] = []
    for key in e.expected:
        if key in present:
            continue
        unknown = [str(k) for k in present if k not in e.schema.get("properties", {})]
        near = difflib.get_close_matches(key, unknown, n=1, cutoff=0.6)
        hint = f"is `{near[0]}` a misspelling of `{key}`?" if near else None
        if hint is None and not e.pointer:
            hint = _ADD_KEY.get(key)
        out.append((e.pointer, f"missing required key `{key}`{e.inside}", hint, bool(e.pointer)))
    return out


# what to write for a missing envelope key
_ADD_KEY = {
    "apiVersion": "add `apiVersion: backlog/v1` as the first line",
    "kind": "add `kind:` with one of " + ", ".join(KINDS),
    "id": "add `id:` with a slug, e.g. `id: support-answer`",
    "title": "add `title:` with a short name for the item",
    "version": 'add `version: "0.1.0"` (quoted; SemVer of the item\'s `spec`)',
    "status": "add `status: proposed` (then refined, ready, in-progress, done, deprecated)",
    "owner": 'add `owner:` with a team name or "@person", e.g. `owner: team-ai`',
}


def _wrong_type(e: _Error) -> list[Explained]:
    value = e.value
    got = _yaml_type(value)
    message = f"{e.where} must be {_expected(e.schema)}, not {got}"
    hint = None
    if e.schema.get("type") == "string" and isinstance(value, (int, float, bool)):
        shown = str(value).lower() if isinstance(value, bool) else str(value)
        hint = f"YAML read `{shown}` as {got}; quote it"
        if e.pointer == ("version",):
            hint += ' and write a full version: `version: "1.0.0"`'
    elif value is None:
        hint = "the value is missing: fill it in or remove the key"
    return [(e.pointer, message, hint, False)]


def _not_an_option(e: _Error, *, const: bool = False) -> list[Explained]:
    value = e.value
    if e.pointer == ("kind",):
        match = difflib.get_close_matches(str(value), KINDS, n=1, cutoff=0.5)
        hint = f"did you mean `{match[0]}`?" if match else "kinds: " + ", ".join(KINDS)
        return [(e.pointer, f"unknown kind `{_short(value)}`", hint, False)]
    options = [e.expected] if const else e.expected
    shown = ", ".join(f"`{o}`" for o in options)
    near = _nearest_option(str(value), [str(o) for o in options])
    if const:
        message = f"{e.where} must be {shown}, not `{_short(value)}`"
    else:
        message = f"{e.where} is `{_short(value)}`; expected one of {shown}"
    return [(e.pointer, message, near, False)]


def _nearest_option(value: str, options: list[str]) -> str | None:
    # the same characters in another order first: `=>` is `>=` written backwards, which
    # difflib would score closer to `>`
    swapped = [o for o in options if len(o) > 1 and sorted(o) == sorted(value)]
    match = swapped or difflib.get_close_matches(value, options, n=1, cutoff=0.5)
    return f"did you mean `{match[0]}`?" if match else None


def _no_match(e: _Error) -> list[Explained] | None:
    if not isinstance(e.value, str):
        return None
    return [(e.pointer, *_pattern_message(e.where, e.value, str(e.expected)), False)]


def _too_long(e: _Error) -> list[Explained] | None:
    if not isinstance(e.value, str):
        return None
    hint = None
    if e.pointer == ("version",):
        hint = (
            "npm's semver refuses a longer version, so no range could admit it; shorten "
            "its prerelease or build part"
        )
    message = f"{e.where} is {len(e.value)} characters long; at most {e.expected} are allowed"
    return [(e.pointer, message, hint, False)]


def _empty(e: _Error) -> list[Explained] | None:
    if e.value != "":
        return None
    key = e.pointer[-1] if e.pointer else None
    fill = _ADD_KEY.get(key) if isinstance(key, str) and len(e.pointer) == 1 else None
    hint = fill.replace("add `", "write `", 1) if fill else "write a value, or remove the key"
    return [(e.pointer, f"{e.where} is empty", hint, False)]


def _needs_one_of(e: _Error) -> list[Explained] | None:
    if not all(isinstance(s, dict) and set(s) == {"required"} for s in e.expected):
        return None  # a real alternative of schemas: the closest branch explains it
    groups = [" + ".join(f"`{k}`" for k in s["required"]) for s in e.expected]
    return [(e.pointer, f"{e.where} needs {' or '.join(groups)}", None, False)]


def _both_given(e: _Error) -> list[Explained] | None:
    both = e.expected.get("required", []) if isinstance(e.expected, dict) else []
    if not both:
        return None
    names = " and ".join(f"`{k}`" for k in both)
    return [(e.pointer, f"{e.where} has both {names}; keep only one", None, False)]


def _incomplete_target(e: _Error) -> list[Explained] | None:
    if not isinstance(e.value, dict):
        return None
    out: list[Explained] = []
    for key, needs in e.expected.items():
        lacking = [n for n in needs if n not in e.value] if key in e.value else []
        if lacking:
            names = " and ".join(f"`{n}`" for n in lacking)
            message = (
                f"`{key}` in {e.where} needs {names} too: a measurable target has "
                "`metric`, `op` and `threshold`"
            )
            out.append(((*e.pointer, key), message, None, True))
    return out


def _bad_date(e: _Error) -> list[Explained]:
    message = f"{e.where} is `{_short(e.value)}`, not a valid {e.expected}"
    return [(e.pointer, message, "write dates as YYYY-MM-DD, e.g. 2026-06-30", False)]


_EXPLAINERS: dict[str, Callable[[_Error], list[Explained] | None]] = {
    "additionalProperties": _unknown_keys,
    "required": _missing_keys,
    "type": _wrong_type,
    "enum": _not_an_option,
    "const": lambda e: _not_an_option(e, const=True),
    "pattern": _no_match,
    "maxLength": _too_long,
    "minLength": _empty,
    "anyOf": _needs_one_of,
    "not": _both_given,
    "dependentRequired": _incomplete_target,
    "format": _bad_date,
}


_ID_RE = "^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$"
# reference patterns are generated as `^(kind|kind...)/<id>...` (model.ref_pattern)
_REF_KINDS = re.compile(r"\^\(([a-z|]+)\)/")


def _pattern_message(where: str, value: str, pattern: str) -> tuple[str, str | None]:
    if pattern == _ID_RE or where.endswith(".id`") or where == "`id`":
        return (
            f"{where} is `{_short(value)}`, not a valid id",
            "ids are 1-64 lowercase letters, digits, `.`, `_` or `-`, starting and ending "
            f"with a letter or digit, e.g. `{_slug(value)}`",
        )
    ref_kinds = _REF_KINDS.match(pattern)
    if ref_kinds:
        allowed = ref_kinds.group(1).split("|")
        targets = " or ".join(allowed) if len(allowed) < len(KINDS) else "any"
        ref = parse_ref(value)
        if ref is not None and ref.kind not in allowed:
            return (
                f"{where} must reference {targets} items, not `{ref.kind}/...`",
                f"point it at a {targets} item",
            )
        kind = value.split("/", 1)[0]
        if "/" in value and kind not in KINDS:
            match = difflib.get_close_matches(kind, KINDS, n=1, cutoff=0.5)
            hint = f"unknown kind `{kind}`" + (f"; did you mean `{match[0]}`?" if match else "")
        else:
            example = "prompt" if "prompt" in allowed else allowed[0]
            hint = (
                f"write `kind/id` or `kind/id@range`, e.g. `{example}/{EXAMPLE_IDS[example]}@^1.2`"
            )
        return f"{where} is `{_short(value)}`, not a valid reference", hint
    if pattern.startswith("^(0|[1-9]") or "semver" in pattern.lower():
        return (
            f"{where} is `{_short(value)}`, not a SemVer 2.0.0 version",
            'write MAJOR.MINOR.PATCH, e.g. "1.0.0" (quoted)',
        )
    if pattern == "^[0-9]{4}-[0-9]{2}-[0-9]{2}$":
        return f"{where} is `{_short(value)}`, not a date", "write dates as YYYY-MM-DD"
    if ":" in pattern and "[a-z0-9-]*:" in pattern:
        return (
            f"{where} is `{_short(value)}`, not a control id",
            "write `framework:control`, e.g. `nist-ai-rmf:MEASURE-2.7`",
        )
    return f"{where} is `{_short(value)}`, which does not match `{pattern}`", None


def _slug(value: str) -> str:
    slug = re.sub(r"[^a-z0-9._-]+", "-", value.lower()).strip("-._")
    return slug[:64] or "my-item"
