"""The pydantic fast path may only accept what the published JSON Schema accepts.

Thousands of mutated items (every field replaced by values of every wrong type, keys
dropped and added) are run through both; any item the fast path passes must be valid
under the JSON Schema. Items the fast path rejects go to jsonschema anyway.
"""

from __future__ import annotations

import copy
import json
import random
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from backlog_cli.checks.schema import fast_validator, validator
from backlog_cli.loader import Document, load_file
from backlog_cli.schemagen import EXAMPLES

REPO = Path(__file__).resolve().parents[2]
WRONG_VALUES: list[Any] = [
    None,
    0,
    -1,
    1.5,
    float("nan"),
    float("inf"),
    10**30,
    True,
    False,
    "",
    "x",
    "text",
    "prompt/x@^1",
    "model/m",
    "2026-13-45",
    "2026-02-28",
    "1.0.0",
    "Bad Id",
    "\n",
    [],
    ["a"],
    [1],
    [None],
    {},
    {"a": 1},
    {"text": "t"},
    {"id": "c", "text": "t"},
]


def pointers(data: Any, prefix: tuple[Any, ...] = ()) -> Iterator[tuple[Any, ...]]:
    if isinstance(data, dict):
        for key, value in data.items():
            yield (*prefix, key)
            yield from pointers(value, (*prefix, key))
    elif isinstance(data, list):
        for i, value in enumerate(data):
            yield (*prefix, i)
            yield from pointers(value, (*prefix, i))


def set_at(data: Any, pointer: tuple[Any, ...], value: Any, delete: bool = False) -> Any:
    out = copy.deepcopy(data)
    parent = out
    for part in pointer[:-1]:
        parent = parent[part]
    if delete:
        del parent[pointer[-1]]
    else:
        parent[pointer[-1]] = value
    return out


def corpus() -> Iterator[dict[str, Any]]:
    bases: list[dict[str, Any]] = list(EXAMPLES.values())
    for path in sorted((REPO / "examples").rglob("backlog/**/*.yaml")):
        loaded = load_file(path, path.name)
        assert isinstance(loaded, Document)
        bases.append(loaded.data)
    rng = random.Random(20261126)
    for base in bases:
        yield base
        for pointer in pointers(base):
            for value in rng.sample(WRONG_VALUES, 6):
                yield set_at(base, pointer, value)
            yield set_at(base, pointer, None, delete=True)
            parent = pointer[:-1]
            if parent == () or isinstance(pointer[-1], str):
                extra = rng.choice(["zzz", "x-ext", "Title", "x-", "template_file", "text"])
                target = set_at(base, (*parent, extra), rng.choice(WRONG_VALUES))
                yield target


def test_fast_path_never_accepts_what_the_schema_rejects() -> None:
    checked = accepted = 0
    disagreements: list[str] = []
    for data in corpus():
        kind = data.get("kind")
        if not isinstance(kind, str) or kind not in EXAMPLES:
            continue
        checked += 1
        if fast_validator(kind)(data):
            accepted += 1
            errors = list(validator(kind).iter_errors(data))
            if errors:
                disagreements.append(f"{json.dumps(data, default=str)[:300]}: {errors[0].message}")
    assert disagreements == []
    assert checked > 3000
    assert accepted > 100  # the fast path does accept valid items


def test_fast_path_accepts_the_valid_examples() -> None:
    for kind, data in EXAMPLES.items():
        assert fast_validator(kind)(data)
        assert fast_validator(kind)({**data, "x-team": {"cost": 1}})
