"""schema: the item violates the published JSON Schema of its kind.

Each item is validated against `schemas/<kind>.schema.json` (draft 2020-12; the same files
editors and `check-jsonschema` use). Every violation is reported, each at its own line and
column: an unknown key at the key itself with a "did you mean", a bad enum value with the
closest allowed value, and a YAML typing hint where the YAML reading is the cause
(`version: 1.0` is read as a number). An unknown `kind` gets a hint, and the rest of the
file is still checked against the envelope.

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
from functools import cache
from typing import TYPE_CHECKING, Any

from backlog_cli.diagnostic import Diagnostic, Severity
from backlog_cli.refs import KINDS, parse_ref
from backlog_cli.semver import MAX_VERSION_COMPONENT, SEMVER_PATTERN, oversized_components

if TYPE_CHECKING:
    from jsonschema import ValidationError
    from jsonschema.protocols import Validator

    from backlog_cli.loader import Document, Pointer
    from backlog_cli.project import Project

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


def check(project: Project) -> Iterator[Diagnostic]:
    documents = project.checked_documents()
    fast = len(documents) >= FAST_PATH_MIN_FILES
    for doc in documents:
        yield from check_document(doc, fast=fast)


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


def check_document(doc: Document, *, fast: bool = False) -> Iterator[Diagnostic]:
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
    found: list[Diagnostic] = []

    def report(pointer: Pointer, message: str, hint: str | None, at_key: bool = False) -> None:
        line, column = doc.locate(pointer, at_key=at_key)
        found.append(Diagnostic(doc.rel, line, column, ID, SEVERITY, message, key, hint))

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
        for explained in _explain(error):
            report(*explained)
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


def _explain(error: ValidationError) -> Iterator[Explained]:
    pointer = tuple(error.absolute_path)
    where = f"`{_dotted(pointer)}`"
    hint: str | None
    keyword = error.validator
    expected: Any = error.validator_value
    value = error.instance
    schema = error.schema if isinstance(error.schema, dict) else {}

    if keyword == "additionalProperties" and isinstance(value, dict):
        allowed = list(schema.get("properties", {}))
        patterns = list(schema.get("patternProperties", {}))
        for key in value:
            if key in allowed or any(re.search(p, str(key)) for p in patterns):
                continue
            inside = "" if not pointer else f" in {where}"
            if not allowed:
                yield (
                    (*pointer, key),
                    (
                        f"`{key}`{inside} is not a valid name: use letters, digits and `_`, "
                        "not starting with a digit"
                    ),
                    None,
                    True,
                )
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
            yield (*pointer, key), f"unknown key `{key}`{inside}", hint, True
        return

    if keyword == "required":
        missing = expected
        present = set(value) if isinstance(value, dict) else set()
        for key in missing:
            if key in present:
                continue
            inside = "" if not pointer else f" in {where}"
            unknown = [str(k) for k in present if k not in schema.get("properties", {})]
            near = difflib.get_close_matches(key, unknown, n=1, cutoff=0.6)
            hint = f"is `{near[0]}` a misspelling of `{key}`?" if near else None
            yield pointer, f"missing required key `{key}`{inside}", hint, bool(pointer)
        return

    if keyword == "type":
        got = _yaml_type(value)
        message = f"{where} must be {_expected(schema)}, not {got}"
        hint = None
        if schema.get("type") == "string" and isinstance(value, (int, float, bool)):
            shown = str(value).lower() if isinstance(value, bool) else str(value)
            hint = f"YAML read `{shown}` as {got}; quote it"
            if pointer == ("version",):
                hint += ' and write a full version: `version: "1.0.0"`'
        elif value is None:
            hint = "the value is missing: fill it in or remove the key"
        yield pointer, message, hint, False
        return

    if keyword in ("enum", "const"):
        options = expected if keyword == "enum" else [expected]
        if pointer == ("kind",):
            match = difflib.get_close_matches(str(value), KINDS, n=1, cutoff=0.5)
            hint = f"did you mean `{match[0]}`?" if match else "kinds: " + ", ".join(KINDS)
            yield pointer, f"unknown kind `{_short(value)}`", hint, False
            return
        shown = ", ".join(f"`{o}`" for o in options)
        match = difflib.get_close_matches(str(value), [str(o) for o in options], n=1, cutoff=0.5)
        hint = f"did you mean `{match[0]}`?" if match else None
        if keyword == "const":
            message = f"{where} must be {shown}, not `{_short(value)}`"
        else:
            message = f"{where} is `{_short(value)}`; expected one of {shown}"
        yield pointer, message, hint, False
        return

    if keyword == "pattern" and isinstance(value, str):
        yield pointer, *_pattern_message(where, value, str(expected)), False
        return

    if keyword == "maxLength" and isinstance(value, str):
        hint = None
        if pointer == ("version",):
            hint = (
                "npm's semver refuses a longer version, so no range could admit it; shorten "
                "its prerelease or build part"
            )
        message = f"{where} is {len(value)} characters long; at most {expected} are allowed"
        yield pointer, message, hint, False
        return

    if keyword == "anyOf" and all(isinstance(s, dict) and set(s) == {"required"} for s in expected):
        groups = [" + ".join(f"`{k}`" for k in s["required"]) for s in expected]
        yield pointer, f"{where} needs {' or '.join(groups)}", None, False
        return

    if keyword == "not" and isinstance(expected, dict):
        both = expected.get("required", [])
        if both:
            names = " and ".join(f"`{k}`" for k in both)
            yield pointer, f"{where} has both {names}; keep only one", None, False
            return

    if keyword == "dependentRequired" and isinstance(value, dict):
        for key, needs in expected.items():
            if key in value:
                lacking = [n for n in needs if n not in value]
                if lacking:
                    names = " and ".join(f"`{n}`" for n in lacking)
                    yield (
                        (*pointer, key),
                        (
                            f"`{key}` in {where} needs {names} too: a measurable target has "
                            "`metric`, `op` and `threshold`"
                        ),
                        None,
                        True,
                    )
        return

    if keyword == "format":
        yield (
            pointer,
            (f"{where} is `{_short(value)}`, not a valid {expected}"),
            "write dates as YYYY-MM-DD, e.g. 2026-06-30",
            False,
        )
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
    yield pointer, f"{where}: {message}", None, False


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
            example = allowed[0] if len(allowed) == 1 else "prompt"
            hint = f"write `kind/id` or `kind/id@range`, e.g. `{example}/support-triage@^1.2`"
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
