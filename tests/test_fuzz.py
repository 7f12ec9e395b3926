"""Property-based fuzzing (hypothesis) of the SPEC §8 promise: no input produces a traceback.

In-process for speed: the loader, `run_check` and every reporter over backlogs written to a
temporary directory; a handful of examples go through the real CLI for exit codes and stderr.
Every property is bounded (`max_examples`) so the whole file stays well under a minute.
"""

from __future__ import annotations

import copy
import json
import math
import tempfile
from pathlib import Path
from typing import Any

import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from backlog_cli.check import CheckOptions, CheckResult, run_check
from backlog_cli.classify import LEVELS, classify, level_of
from backlog_cli.config import load_config
from backlog_cli.loader import Document, LoadError, load_bytes
from backlog_cli.model import EXAMPLES, ITEM_MODELS
from backlog_cli.project import load_project
from backlog_cli.report import Format, render
from tests.conftest import run_cli, write_backlog

SETTINGS = {
    "deadline": None,
    "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
}

# --- emitting items --------------------------------------------------------------------------


def _scalar(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        if math.isnan(value):
            return ".nan"
        if math.isinf(value):
            return ".inf" if value > 0 else "-.inf"
        return repr(value)
    if isinstance(value, dict):
        return "{}"
    if isinstance(value, list):
        return "[]"
    return json.dumps(str(value))  # a JSON string is a YAML double-quoted scalar


def emit(value: Any, indent: int = 0) -> str:
    """Block-style YAML (so findings land on distinct lines); scalars in flow style."""
    pad = " " * indent
    if isinstance(value, dict) and value:
        out = []
        for key, child in value.items():
            if isinstance(child, (dict, list)) and child:
                out.append(f"{pad}{json.dumps(str(key))}:\n{emit(child, indent + 2)}")
            else:
                out.append(f"{pad}{json.dumps(str(key))}: {_scalar(child)}\n")
        return "".join(out)
    if isinstance(value, list) and value:
        out = []
        for child in value:
            if isinstance(child, (dict, list)) and child:
                out.append(f"{pad}-\n{emit(child, indent + 2)}")
            else:
                out.append(f"{pad}- {_scalar(child)}\n")
        return "".join(out)
    return f"{pad}{_scalar(value)}\n"


def valid_files(skip: str | None = None) -> dict[str, str | bytes]:
    """One valid item per kind (the schema examples), as YAML files."""
    return {f"backlog/{kind}.yaml": emit(data) for kind, data in EXAMPLES.items() if kind != skip}


def check_all(root: Path) -> CheckResult:
    """Load, check and render in every format; none of it may raise."""
    config = load_config(root)
    project = load_project(config)
    result = run_check(project, CheckOptions())
    for fmt in Format:
        assert isinstance(render(fmt, result, root=str(root), cases=result.checked), str), fmt
    for diagnostic in (*result.diagnostics, *result.waived):
        assert diagnostic.line >= 1 and diagnostic.column >= 1, diagnostic
        assert diagnostic.message, diagnostic
    return result


# --- 1. arbitrary bytes and YAML-ish text next to a valid item --------------------------------

YAML_FRAGMENTS = [
    "apiVersion",
    "kind",
    "id",
    "spec",
    "title",
    "prompt",
    "backlog/v1",
    "a",
    "0",
    "1.0",
    ":",
    ": ",
    "-",
    "- ",
    "[",
    "]",
    "{",
    "}",
    ",",
    "&a ",
    "*a",
    "!tag ",
    "!!str ",
    "!!binary ",
    "<<",
    "?",
    "|",
    ">",
    "#",
    '"',
    "'",
    "\\",
    "\n",
    "\n  ",
    "\t",
    " ",
    "---",
    "...",
    "%YAML 1.2",
    "é",
    "\u00a0",
    "\ufeff",
    "\u2028",
    "😀",
    "\x00",
    "\x85",
    "null",
    "~",
    "true",
    ".nan",
    "10000000000000000000000000000",
]
yamlish = st.lists(st.sampled_from(YAML_FRAGMENTS), max_size=60).map("".join)
GOOD = dict(EXAMPLES["model"], id="fuzz-anchor-model")


def _bad_file_property(raw: bytes) -> None:
    loaded = load_bytes(Path("bad.yaml"), "backlog/bad.yaml", raw)  # never raises
    assert isinstance(loaded, (Document, LoadError))
    with tempfile.TemporaryDirectory() as tmp:
        root = write_backlog(
            Path(tmp) / "repo", {"backlog/bad.yaml": raw, "backlog/good.yaml": emit(GOOD)}
        )
        result = check_all(root)
    on_bad = [d for d in result.diagnostics if d.path == "backlog/bad.yaml"]
    assert any(d.rule in ("yaml-syntax", "schema") for d in on_bad), (raw, on_bad)
    if isinstance(loaded, LoadError):
        assert loaded.line >= 1 and loaded.column >= 1
        assert any(d.rule == "yaml-syntax" for d in on_bad)
    # the valid item is still checked, and clean
    assert ("model/fuzz-anchor-model", "backlog/good.yaml") in result.checked
    assert not [d for d in result.diagnostics if d.path == "backlog/good.yaml"]


@settings(max_examples=300, **SETTINGS)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    _bad_file_property(raw)


@settings(max_examples=400, **SETTINGS)
@given(yamlish)
def test_yamlish_text_never_crashes(text: str) -> None:
    _bad_file_property(text.encode("utf-8", "surrogatepass"))


# --- 2. valid items with wrong types injected at random paths ---------------------------------


def _nested(depth: int, leaf: Any = "x") -> Any:
    value = leaf
    for _ in range(depth):
        value = {"a": value}
    return value


WRONG = st.one_of(
    st.none(),
    st.booleans(),
    st.just(10**30),
    st.just(-(10**30)),
    st.sampled_from([math.nan, math.inf, -math.inf, -1.5, 0.0]),
    st.integers(-5, 5),
    st.lists(st.text(max_size=5), max_size=3),
    st.just([]),
    st.just({}),
    st.just(_nested(30)),
    st.just([_nested(30)]),
    st.just(_nested(80)),  # past the loader's depth bound: a yaml-syntax finding
    st.just("x" * 5000),
    st.text(
        st.characters(blacklist_categories=("Cs",), blacklist_characters="\ufeff"), max_size=20
    ),
    st.dictionaries(st.sampled_from(["id", "type", "x", "required"]), st.integers(), max_size=3),
)


def _paths(value: Any, prefix: tuple[Any, ...] = ()) -> list[tuple[Any, ...]]:
    out = [prefix] if prefix else []
    if len(prefix) >= 6:  # not down the 30-deep values injected before
        return out
    if isinstance(value, dict):
        for key, child in value.items():
            out += _paths(child, (*prefix, key))
    elif isinstance(value, list):
        for index, child in enumerate(value):
            out += _paths(child, (*prefix, index))
    return out


def _inject(data: dict[str, Any], path: tuple[Any, ...], value: Any, as_new_key: bool) -> None:
    parent: Any = data
    for step in path[:-1]:
        parent = parent[step]
    if as_new_key and isinstance(parent, dict):
        parent[f"{path[-1]}x"] = value  # an unknown sibling key
    else:
        parent[path[-1]] = value


@st.composite
def mutated_item(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    kind = draw(st.sampled_from(sorted(EXAMPLES)))
    data = copy.deepcopy(EXAMPLES[kind])
    for _ in range(draw(st.integers(1, 3))):
        paths = _paths(data)
        if not paths:
            break
        path = draw(st.sampled_from(paths))
        # a copy: `st.just` hands out one shared object, and a later injection may go into it
        _inject(data, path, copy.deepcopy(draw(WRONG)), draw(st.booleans()))
    return kind, data


@settings(max_examples=300, **SETTINGS)
@given(mutated_item())
def test_wrong_types_are_findings_not_exceptions(case: tuple[str, dict[str, Any]]) -> None:
    kind, data = case
    text = emit(data)
    loaded = load_bytes(Path("x.yaml"), f"backlog/{kind}.yaml", text.encode())
    with tempfile.TemporaryDirectory() as tmp:
        root = write_backlog(
            Path(tmp) / "repo", {**valid_files(skip=kind), f"backlog/{kind}.yaml": text}
        )
        result = check_all(root)
    on_item = [d for d in result.diagnostics if d.path == f"backlog/{kind}.yaml"]
    if isinstance(loaded, LoadError):
        assert any(d.rule == "yaml-syntax" for d in on_item), (text, on_item)
        return
    # the pydantic model and the JSON Schema agree: invalid for one is a `schema` finding
    item_kind = loaded.data.get("kind")
    model = ITEM_MODELS.get(item_kind) if isinstance(item_kind, str) else None
    if model is not None:
        try:
            model.model_validate(loaded.data)
        except pydantic.ValidationError as error:
            assert any(d.rule == "schema" for d in on_item), (text, str(error))


# --- 3. the change classifier ------------------------------------------------------------------

names = st.from_regex(r"\A[a-z][a-z0-9_]{0,8}\Z")
refs = st.builds(
    lambda kind, name, rng: f"{kind}/{name}{rng}",
    st.sampled_from(["model", "prompt", "tool", "agent", "dataset"]),
    st.from_regex(r"\A[a-z][a-z0-9-]{0,6}[a-z0-9]\Z"),
    st.sampled_from(["", "@^1.0", "@1.x", "@~1.2.3", "@*", "@>=1.0.0 <2.0.0"]),
)
schemas = st.recursive(
    st.fixed_dictionaries({"type": st.sampled_from(["string", "integer", "number", "boolean"])}),
    lambda inner: st.fixed_dictionaries(
        {
            "type": st.just("object"),
            "properties": st.dictionaries(names, inner, max_size=3),
            "required": st.lists(names, max_size=2, unique=True),
        }
    ),
    max_leaves=5,
)
inputs = st.dictionaries(
    names,
    st.fixed_dictionaries(
        {"type": st.sampled_from(["string", "number", "object"])},
        optional={"required": st.booleans(), "description": st.text(max_size=10)},
    ),
    max_size=4,
)
SPECS = {
    "prompt": st.fixed_dictionaries(
        {"model": refs, "template": st.text(max_size=30), "inputs": inputs},
        optional={
            "format": st.sampled_from(["jinja2", "mustache", "fstring"]),
            "output_schema": schemas,
            "parameters": st.dictionaries(
                st.sampled_from(["temperature", "max_tokens"]), st.integers(0, 9)
            ),
            "context": st.lists(refs, max_size=2),
        },
    ),
    "policy": st.fixed_dictionaries(
        {
            "type": st.sampled_from(["guardrail", "access", "compliance"]),
            "rules": st.lists(
                st.fixed_dictionaries(
                    {
                        "id": names,
                        "description": st.text(max_size=10),
                        "action": st.sampled_from(
                            ["block", "redact", "require-approval", "flag", "allow"]
                        ),
                    }
                ),
                max_size=3,
                unique_by=lambda rule: rule["id"],
            ),
            "controls": st.lists(
                st.sampled_from(
                    ["nist-ai-rmf:MEASURE-2.7", "iso-42001:A.6.2.4", "eu-ai-act:art-10"]
                ),
                unique=True,
            ),
        }
    ),
    "tool": st.fixed_dictionaries(
        {"input_schema": schemas, "side_effects": st.sampled_from(["none", "read", "write"])},
        optional={"output_schema": schemas, "idempotent": st.booleans()},
    ),
    "agent": st.fixed_dictionaries(
        {
            "pattern": st.sampled_from(["sequential", "parallel", "dynamic"]),
            "prompts": st.lists(refs, max_size=3),
        },
        optional={
            "tools": st.lists(refs, max_size=2),
            "idempotent": st.booleans(),
            "timeout_ms": st.integers(0, 10**6),
        },
    ),
    "model": st.fixed_dictionaries(
        {"provider": st.text(max_size=8), "name": st.text(max_size=8)},
        optional={"snapshot": st.text(max_size=8), "context_window": st.integers(0, 10**6)},
    ),
}


def _item(kind: str, spec: Any) -> dict[str, Any]:
    return {**EXAMPLES[kind], "spec": spec}


@st.composite
def spec_pairs(draw: st.DrawFn) -> tuple[str, Any, Any]:
    kind = draw(st.sampled_from(sorted(SPECS)))
    return kind, draw(SPECS[kind]), draw(SPECS[kind])


@settings(max_examples=300, **SETTINGS)
@given(spec_pairs())
def test_classify_never_raises(case: tuple[str, Any, Any]) -> None:
    kind, old, new = case
    base, head = _item(kind, old), _item(kind, new)
    changes = classify(kind, base, head)
    assert all(change.level in LEVELS for change in changes)
    assert changes == sorted(changes, key=lambda c: -LEVELS.index(c.level))
    assert classify(kind, base, copy.deepcopy(base)) == []
    if old == new:
        assert changes == []


@settings(max_examples=200, **SETTINGS)
@given(SPECS["prompt"], st.data())
def test_removing_an_input_outranks_adding_an_optional_one(spec: Any, data: st.DataObject) -> None:
    if not spec["inputs"]:
        spec["inputs"]["only"] = {"type": "string"}
    base = _item("prompt", spec)
    gone = data.draw(st.sampled_from(sorted(spec["inputs"])))
    removed = copy.deepcopy(spec)
    del removed["inputs"][gone]
    added = copy.deepcopy(spec)
    new_name = data.draw(names.filter(lambda name: name not in spec["inputs"]))
    added["inputs"][new_name] = {"type": "string", "required": False}
    level_removed = level_of(classify("prompt", base, _item("prompt", removed)))
    level_added = level_of(classify("prompt", base, _item("prompt", added)))
    assert level_removed == "major"
    assert LEVELS.index(level_removed) >= LEVELS.index(level_added)


# --- 4. the real CLI over fuzzed backlogs ------------------------------------------------------


@settings(max_examples=8, **SETTINGS)
@given(mutated_item(), st.one_of(st.binary(max_size=200), yamlish.map(str.encode)))
def test_cli_never_prints_a_traceback(case: tuple[str, dict[str, Any]], raw: bytes) -> None:
    kind, data = case
    with tempfile.TemporaryDirectory() as tmp:
        root = write_backlog(
            Path(tmp) / "repo",
            {**valid_files(skip=kind), f"backlog/{kind}.yaml": emit(data), "backlog/z.yaml": raw},
        )
        runs = {
            ("check", "--format", "json", "--no-cache"): (0, 1),
            ("list",): (0,),
            ("status",): (0,),
            ("lineage", "prompt/support-triage", "--format", "json"): (0, 2),
        }
        for args, codes in runs.items():
            result = run_cli(*args, "--root", str(root))
            assert result.returncode in codes, (args, result.returncode, result.stderr)
            assert "Traceback" not in result.stderr, (args, result.stderr)
            if result.returncode == 2:  # an item that cannot be resolved: a message, not a crash
                assert result.stderr.strip(), args
