"""Property-based fuzzing (hypothesis) of the SPEC §8 promise: no input produces a traceback.

In-process for speed: the loader, `run_check` and every reporter over backlogs written to a
temporary directory; a handful of examples go through the real CLI for exit codes and stderr.
Every property is bounded (`max_examples`) so the whole file stays well under a minute.
"""

from __future__ import annotations

import copy
import functools
import json
import math
import shutil
import subprocess
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pydantic
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from jsonschema import Draft202012Validator

from backlog_cli.classify import classify, level_of
from backlog_cli.config import load_config
from backlog_cli.engine import CheckOptions, CheckResult, run_check
from backlog_cli.loader import Document, LoadError, load_bytes
from backlog_cli.model import ITEM_MODELS
from backlog_cli.project import load_project
from backlog_cli.report import Format, render
from backlog_cli.schemagen import EXAMPLES
from backlog_cli.semver import LEVELS
from backlog_cli.vocab import STATUSES
from tests.conftest import git, run_cli, write_backlog

SCHEMAS = Path(__file__).parent.parent / "schemas"

SETTINGS = settings(
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

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


@settings(SETTINGS, max_examples=300)
@given(st.binary(max_size=2000))
def test_arbitrary_bytes_never_crash(raw: bytes) -> None:
    _bad_file_property(raw)


@settings(SETTINGS, max_examples=400)
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
    st.text(st.characters(exclude_categories=["Cs"], exclude_characters="\ufeff"), max_size=20),
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


@settings(SETTINGS, max_examples=300)
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
                unique_by=lambda rule: rule["id"],  # type: ignore[index]
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


@settings(SETTINGS, max_examples=300)
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


@settings(SETTINGS, max_examples=200)
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


def _run_all(root: Path, runs: list[tuple[str, ...]]) -> list[subprocess.CompletedProcess[str]]:
    """The commands side by side (each is mostly interpreter start-up)."""
    with ThreadPoolExecutor(max_workers=len(runs)) as pool:
        return list(pool.map(lambda args: run_cli(*args, "--root", str(root)), runs))


@settings(SETTINGS, max_examples=8)
@given(mutated_item(), st.one_of(st.binary(max_size=200), yamlish.map(str.encode)))
def test_cli_never_prints_a_traceback(case: tuple[str, dict[str, Any]], raw: bytes) -> None:
    kind, data = case
    with tempfile.TemporaryDirectory() as tmp:
        # the valid backlog is committed, the fuzzed files are working-tree edits of it
        root = write_backlog(Path(tmp) / "repo", valid_files())
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "valid")
        write_backlog(root, {f"backlog/{kind}.yaml": emit(data), "backlog/z.yaml": raw})
        runs = {
            ("check", "--format", "json", "--no-cache"): (0, 1),
            ("list",): (0,),
            ("list", "--format", "json"): (0,),
            ("status",): (0,),
            ("status", "--format", "json"): (0,),
            ("lineage", "prompt/support-triage", "--format", "json"): (0, 2),
            ("impact", "--base", "main", "--format", "json"): (0,),
            ("diff", "main", "--format", "json"): (0,),
        }
        results = _run_all(root, list(runs))
    for (args, codes), result in zip(runs.items(), results, strict=True):
        assert result.returncode in codes, (args, result.returncode, result.stderr)
        assert "Traceback" not in result.stderr, (args, result.stderr)
        if result.returncode == 2:  # an item that cannot be resolved: a message, not a crash
            assert result.stderr.strip(), args
        elif "json" in args:
            assert json.loads(result.stdout)["version"] == 1, args


# --- 5. random histories on real git repositories, through the real CLI ---------------------
#
# A base backlog (the schema examples, lightly edited) and a head derived from it by random
# structurally valid edits — versions, statuses, prompt inputs, inline templates and template
# files, references and their ranges, enum fields, items added, removed, renamed (with or
# without `renamed_from`) and moved — are
# committed as two commits; `diff`, `check --base`, `impact --base` and `history` then run
# as a user runs them. Exit 3 (an internal error) or a traceback is a bug for any of them.

VERSIONS = ["0.1.0", "0.2.0", "1.0.0", "1.0.1", "1.1.0", "2.0.0", "1.0.0-rc.1", "10.0.0"]
RANGES = ["", "@^1.0", "@^2.0", "@*", "@1.x", "@~1.0.0", "@>=1.0.0 <2.0.0", "@^0.1", "@1.0.0"]
INPUT_NAMES = ["ticket_text", "locale", "history", "customer", "tone"]
TEMPLATES = [
    "Classify this ticket: {{ ticket_text }}",
    "Classify  this ticket:  {{ ticket_text }}",  # whitespace only
    "Classify {{ ticket_text }} in {{ locale }}",
    "{% for h in history %}{{ h }}{% endfor %} {{ ticket_text }}",
]
# where each kind keeps references: field -> (is a list, kinds it may name; None: any)
REF_FIELDS: dict[str, dict[str, tuple[bool, tuple[str, ...] | None]]] = {
    "capability": {"items": (True, None)},
    "prompt": {"model": (False, ("model",)), "context": (True, ("dataset",))},
    "agent": {
        "prompts": (True, ("prompt",)),
        "tools": (True, ("tool",)),
        "model": (False, ("model",)),
    },
    "evaluation": {"targets": (True, None), "dataset": (False, ("dataset",))},
    "tool": {"data": (True, ("dataset",))},
    "dataset": {"upstream": (True, ("dataset",))},
}
ENUMS: dict[str, dict[str, list[str]]] = {
    "agent": {"pattern": ["sequential", "parallel", "dynamic"]},
    "tool": {"side_effects": ["none", "read", "write", "external"]},
    "dataset": {"classification": ["public", "internal", "confidential", "restricted"]},
    "model": {"snapshot": ["gpt-4o-2024-08-06", "gpt-4o-2024-11-20"]},
}
ACTIONS = ["block", "redact", "require-approval", "flag", "allow"]


class Backlog:
    """Item files by path, template files by path; `used` remembers every id ever given, so
    none comes back."""

    def __init__(self) -> None:
        self.files = {f"backlog/{k}.yaml": copy.deepcopy(d) for k, d in EXAMPLES.items()}
        self.templates: dict[str, str] = {}
        self.used = {d["id"] for d in self.files.values()}

    def __repr__(self) -> str:  # what hypothesis prints for a failing case
        return f"Backlog({json.dumps([self.files, self.templates], indent=1)})"

    def copy(self) -> Backlog:
        other = Backlog.__new__(Backlog)
        other.files, other.used = copy.deepcopy(self.files), set(self.used)
        other.templates = dict(self.templates)
        return other

    def keys(self, kinds: tuple[str, ...] | None = None) -> dict[str, str]:
        """kind/id -> path."""
        return {
            f"{d['kind']}/{d['id']}": p
            for p, d in self.files.items()
            if kinds is None or d["kind"] in kinds
        }

    def new_id(self, draw: st.DrawFn) -> str:
        stem = draw(st.sampled_from(["alpha", "beta", "gamma"]))
        new = next(f"{stem}-{n}" for n in range(100) if f"{stem}-{n}" not in self.used)
        self.used.add(new)
        return new

    def pick(self, draw: st.DrawFn, kind: str | None = None) -> str | None:
        paths = sorted(p for p, d in self.files.items() if kind is None or d["kind"] == kind)
        return draw(st.sampled_from(paths)) if paths else None


def _set_version(draw: st.DrawFn, b: Backlog) -> None:
    path = b.pick(draw)
    if path:
        b.files[path]["version"] = draw(st.sampled_from(VERSIONS))


def _set_status(draw: st.DrawFn, b: Backlog) -> None:
    path = b.pick(draw)
    if path:
        b.files[path]["status"] = draw(st.sampled_from(STATUSES))


def _edit_inputs(draw: st.DrawFn, b: Backlog) -> None:
    path = b.pick(draw, "prompt")
    if not path:
        return
    inputs = b.files[path]["spec"].setdefault("inputs", {})
    name = draw(st.sampled_from(INPUT_NAMES))
    action = draw(st.sampled_from(["add", "remove", "require", "relax"]))
    if action == "add":
        inputs[name] = {"type": "string", "required": draw(st.booleans())}
    elif action == "remove":
        inputs.pop(name, None)
    elif name in inputs:
        inputs[name]["required"] = action == "require"


def _edit_template(draw: st.DrawFn, b: Backlog) -> None:
    path = b.pick(draw, "prompt")
    if not path:
        return
    spec = b.files[path]["spec"]
    text = draw(st.sampled_from(TEMPLATES))
    if "template_file" in spec:  # edit the file, not the item
        b.templates[spec["template_file"].lstrip("/")] = text
    else:
        spec["template"] = text


def _template_to_file(draw: st.DrawFn, b: Backlog) -> None:
    """A prompt's inline template moves to a `template_file` (from the repository root, so
    that moving the item keeps it valid); the file's content is part of the prompt."""
    path = b.pick(draw, "prompt")
    if not path or "template" not in b.files[path]["spec"]:
        return
    spec = b.files[path]["spec"]
    rel = f"backlog/templates/{b.files[path]['id']}.j2"
    b.templates[rel] = spec.pop("template")
    spec["template_file"] = "/" + rel


def _edit_reference(draw: st.DrawFn, b: Backlog) -> None:
    places = [
        (p, f, *shape)
        for p, d in sorted(b.files.items())
        for f, shape in REF_FIELDS.get(d["kind"], {}).items()
    ] + [(p, "depends_on", True, None) for p in sorted(b.files)]
    path, name, is_list, kinds = draw(st.sampled_from(places))
    known = sorted(b.keys(kinds))
    target = draw(st.sampled_from([*known, f"{(kinds or ('model',))[0]}/ghost"]))
    value = target + draw(st.sampled_from(RANGES))
    data = b.files[path]
    holder = data if name == "depends_on" else data.setdefault("spec", {})
    if not is_list:
        holder[name] = value
    elif draw(st.booleans()) and holder.get(name):
        holder[name] = []
    elif draw(st.booleans()):
        holder[name] = [value]
    else:
        holder.setdefault(name, []).append(value)


def _edit_enum(draw: st.DrawFn, b: Backlog) -> None:
    path = b.pick(draw)
    if not path:
        return
    data = b.files[path]
    if data["kind"] == "policy" and data["spec"].get("rules"):
        rule = draw(st.sampled_from(data["spec"]["rules"]))
        rule["action"] = draw(st.sampled_from(ACTIONS))
    elif data["kind"] == "policy":
        data["spec"]["rules"] = [{"id": "r", "description": "d", "action": "block"}]
    for name, values in ENUMS.get(data["kind"], {}).items():
        data["spec"][name] = draw(st.sampled_from(values))


def _add_item(draw: st.DrawFn, b: Backlog) -> None:
    kind = draw(st.sampled_from(sorted(EXAMPLES)))
    data = copy.deepcopy(EXAMPLES[kind])
    data["id"] = b.new_id(draw)
    b.files[f"backlog/{draw(st.sampled_from(['new', 'more/deep']))}/{data['id']}.yaml"] = data


def _remove_item(draw: st.DrawFn, b: Backlog) -> None:
    path = b.pick(draw)
    if path and len(b.files) > 1:
        del b.files[path]


def _rename_item(draw: st.DrawFn, b: Backlog) -> None:
    path = b.pick(draw)
    if not path:
        return
    data = b.files[path]
    old = f"{data['kind']}/{data['id']}"
    data["id"] = b.new_id(draw)
    if draw(st.booleans()):
        data["renamed_from"] = [*data.get("renamed_from", []), old]
    if draw(st.booleans()):  # and move the file too
        b.files[f"backlog/renamed/{data['id']}.yaml"] = b.files.pop(path)


def _move_item(draw: st.DrawFn, b: Backlog) -> None:
    path = b.pick(draw)
    if path:
        b.files[f"backlog/moved/{Path(path).name}"] = b.files.pop(path)


EDITS = [
    _set_version,
    _set_status,
    _edit_inputs,
    _edit_inputs,
    _edit_template,
    _template_to_file,
    _edit_reference,
    _edit_reference,
    _edit_enum,
    _add_item,
    _remove_item,
    _rename_item,
    _move_item,
]


@st.composite
def histories(draw: st.DrawFn) -> tuple[Backlog, Backlog, str]:
    base = Backlog()
    for _ in range(draw(st.integers(0, 3))):
        draw(st.sampled_from(EDITS))(draw, base)
    head = base.copy()
    for _ in range(draw(st.integers(1, 6))):
        draw(st.sampled_from(EDITS))(draw, head)
    keys = sorted(set(base.keys()) | set(head.keys()))
    return base, head, draw(st.sampled_from([*keys, "prompt/never-existed"]))


def _commit(root: Path, backlog: Backlog, message: str) -> None:
    shutil.rmtree(root / "backlog", ignore_errors=True)
    files: dict[str, str | bytes] = {path: emit(data) for path, data in backlog.files.items()}
    write_backlog(root, {**backlog.templates, **files})
    git(root, "add", "-A")
    git(root, "commit", "-q", "--allow-empty", "-m", message)


@functools.cache
def _validator(contract: str) -> Draft202012Validator:
    schema = json.loads((SCHEMAS / f"{contract}.schema.json").read_text(encoding="utf-8"))
    return Draft202012Validator(schema)


def _template(backlog: Backlog, data: dict[str, Any]) -> str | None:
    name = data.get("spec", {}).get("template_file")
    return backlog.templates.get(name.lstrip("/")) if isinstance(name, str) else None


def _spec_inputs(data: dict[str, Any]) -> dict[str, bool]:
    inputs = data.get("spec", {}).get("inputs", {})
    return {name: bool(value.get("required")) for name, value in inputs.items()}


@settings(SETTINGS, max_examples=14)
@given(histories())
def test_random_histories_through_the_cli(case: tuple[Backlog, Backlog, str]) -> None:
    base, head, item_name = case
    with tempfile.TemporaryDirectory() as tmp:
        root = Path(tmp) / "repo"
        root.mkdir()
        git(root, "init", "-q", "-b", "main")
        _commit(root, base, "base")
        git(root, "tag", "base")
        _commit(root, head, "head")
        diff, checked, impact, history = _run_all(
            root,
            [
                ("diff", "base", "HEAD", "--format", "json"),
                ("check", "--base", "base", "--format", "json", "--no-cache"),
                ("impact", "--base", "base", "--format", "json"),
                ("history", item_name, "--format", "json"),
            ],
        )
    for name, result, codes in (
        ("diff", diff, (0,)),
        ("check", checked, (0, 1)),
        ("impact", impact, (0,)),
        ("history", history, (2,) if item_name == "prompt/never-existed" else (0,)),
    ):
        assert result.returncode in codes, (name, result.returncode, result.stderr)
        assert "Traceback" not in result.stderr, (name, result.stderr)
    assert "never-existed" in history.stderr or history.returncode == 0
    payloads = {
        "diff-result": json.loads(diff.stdout),
        "check-result": json.loads(checked.stdout),
        "impact-result": json.loads(impact.stdout),
    }
    if history.returncode == 0:
        payloads["history-result"] = json.loads(history.stdout)
        assert payloads["history-result"]["entries"], history.stdout
    for contract, payload in payloads.items():
        _validator(contract).validate(payload)

    entries = {e["item"]: e for e in payloads["diff-result"]["items"]}
    base_keys, head_keys = base.keys(), head.keys()
    renamed = {e["renamed_from"] for e in entries.values() if e["renamed_from"]}
    assert set(entries) <= set(base_keys) | set(head_keys)
    for key in set(head_keys) - set(base_keys):
        assert key in entries and (entries[key]["state"] == "added" or entries[key]["renamed_from"])
    for key in set(base_keys) - set(head_keys):
        assert key in renamed or entries[key]["state"] == "removed", key
    for key in set(base_keys) & set(head_keys):
        old, new = base.files[base_keys[key]], head.files[head_keys[key]]
        if key not in entries:
            assert old == new and base_keys[key] == head_keys[key], key
        elif old.get("spec") == new.get("spec") and _template(base, old) == _template(head, new):
            assert entries[key]["level"] == "none", entries[key]  # envelope edits: no bump
        if key in entries and entries[key]["state"] == "changed" and old["kind"] == "prompt":
            # SPEC §5: an input removed, made required or added as required is breaking, and
            # nothing outranks breaking: removing an input is never below adding an optional one
            was, now = _spec_inputs(old), _spec_inputs(new)
            if any(n not in now or (now[n] and not was[n]) for n in was) or any(
                req for n, req in now.items() if n not in was
            ):
                assert entries[key]["level"] == "major", (entries[key], was, now)

    # impact's seeds are exactly diff's added, changed and removed items
    seeds = {c["item"]: c["state"] for c in payloads["impact-result"]["changed"]}
    assert seeds == {
        k: e["state"] for k, e in entries.items() if e["state"] in ("added", "changed", "removed")
    }
    # version rules fire only on items diff shows as changed with a bump problem
    for d in payloads["check-result"]["diagnostics"]:
        if d["rule"] in ("version-not-bumped", "version-bump-too-small", "version-decreased"):
            assert d["item"] in entries and entries[d["item"]]["bump_ok"] is False, d


@st.composite
def prompt_variants(draw: st.DrawFn) -> tuple[dict[str, Any], dict[str, dict[str, Any]]]:
    """A base prompt, and heads that share the same random `noise` edits: noise alone, noise
    plus one input removed, noise plus one optional input added."""
    base = copy.deepcopy(EXAMPLES["prompt"])
    names_ = draw(st.lists(st.sampled_from(INPUT_NAMES), min_size=1, max_size=3, unique=True))
    base["spec"]["inputs"] = {
        n: {"type": "string", "required": draw(st.booleans())} for n in names_
    }
    noise = copy.deepcopy(base)
    if draw(st.booleans()):
        noise["spec"]["template"] = draw(st.sampled_from(TEMPLATES))
    if draw(st.booleans()):
        noise["spec"]["model"] = "model/example-model" + draw(st.sampled_from(RANGES))
    if draw(st.booleans()):
        noise["spec"]["parameters"] = {"temperature": draw(st.integers(0, 2))}
    if draw(st.booleans()):
        noise["version"] = draw(st.sampled_from(VERSIONS))
    removed = copy.deepcopy(noise)
    del removed["spec"]["inputs"][draw(st.sampled_from(names_))]
    added = copy.deepcopy(noise)
    extra = draw(st.sampled_from([n for n in [*INPUT_NAMES, "new_input"] if n not in names_]))
    added["spec"]["inputs"][extra] = {"type": "string", "required": False}
    return base, {"noise": noise, "removed": removed, "added": added}


@settings(SETTINGS, max_examples=6)
@given(prompt_variants())
def test_diff_classification_is_monotone_through_git(
    case: tuple[dict[str, Any], dict[str, dict[str, Any]]],
) -> None:
    base, heads = case
    with tempfile.TemporaryDirectory() as tmp:
        root = write_backlog(Path(tmp) / "repo", {"backlog/p.yaml": emit(base)})
        git(root, "init", "-q", "-b", "main")
        git(root, "add", "-A")
        git(root, "commit", "-q", "-m", "base")
        for name, data in heads.items():
            git(root, "checkout", "-q", "-b", name, "main")
            (root / "backlog/p.yaml").write_text(emit(data), encoding="utf-8")
            git(root, "commit", "-q", "--allow-empty", "-am", name)
        results = _run_all(root, [("diff", "main", name, "--format", "json") for name in heads])
    levels: dict[str, str] = {}
    for name, result in zip(heads, results, strict=True):
        assert result.returncode == 0, (name, result.stderr)
        items = json.loads(result.stdout)["items"]
        levels[name] = items[0]["level"] if items else "none"
    rank = {name: LEVELS.index(level) for name, level in levels.items()}
    assert levels["removed"] == "major", levels
    assert rank["removed"] >= rank["added"] >= rank["noise"], levels
    assert rank["added"] >= LEVELS.index("minor"), levels
