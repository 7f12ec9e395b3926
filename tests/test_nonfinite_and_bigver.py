"""Values an item cannot hold although they look like numbers and versions.

JSON has no NaN or Infinity, so YAML's `.nan` and `.inf` are `schema` findings wherever they
sit (typed fields, free-form maps, `x-*` extensions). A version component above 2^53 - 1 is
one npm's semver cannot hold and no range admits, so it is a `schema` finding on `version`
itself. The pydantic fast path and the jsonschema path of the rule must agree on both.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft202012Validator

from backlog_cli import schemas
from backlog_cli.checks import schema as schema_rule
from backlog_cli.checks.schema import check_document, fast_validator
from backlog_cli.loader import Document, load_bytes
from backlog_cli.schemagen import EXAMPLES
from tests.checks.test_schema_fast_path import corpus, pointers, set_at
from tests.conftest import git, item, run_cli, write_backlog

MAX = 9007199254740991
FINITE_HINT = "JSON has no NaN or Infinity: write a finite number, or leave the key out"
INF_HINT = FINITE_HINT + "; a number too large for a double, like 1e400, reads as infinity"


def check_json(root: Path, *args: str) -> tuple[int, list[dict[str, Any]]]:
    result = run_cli("check", "--no-cache", "--format", "json", *args, cwd=root)
    assert result.returncode in (0, 1), result.stderr
    assert "Traceback" not in result.stderr
    diagnostics: list[dict[str, Any]] = json.loads(result.stdout)["diagnostics"]
    return result.returncode, diagnostics


Found = tuple[str, str, int, int, str]


def non_finite(path: str, line: int, column: int, where: str, shown: str) -> Found:
    return ("schema", path, line, column, f"`{where}` is `{shown}`, not a finite number")


def found(diagnostics: list[dict[str, Any]]) -> list[Found]:
    return [(d["rule"], d["path"], d["line"], d["column"], d["message"]) for d in diagnostics]


# --- .nan and .inf -------------------------------------------------------------------------


def test_the_reported_nan_and_inf_are_schema_errors_at_their_values(tmp_path: Path) -> None:
    text = item("model", "m1", extra="performance: {latency_p95_ms: .nan, throughput_rps: .inf}")
    text += "spec: {provider: a, name: b}\n"
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": text})
    code, diagnostics = check_json(root, "--strict")
    assert code == 1
    assert found(diagnostics) == [
        (
            "schema",
            "backlog/m.yaml",
            8,
            31,
            "`performance.latency_p95_ms` is `.nan`, not a finite number",
        ),
        (
            "schema",
            "backlog/m.yaml",
            8,
            53,
            "`performance.throughput_rps` is `.inf`, not a finite number",
        ),
    ]
    assert [d["hint"] for d in diagnostics] == [FINITE_HINT, INF_HINT]
    assert {d["severity"] for d in diagnostics} == {"error"}
    assert {d["item"] for d in diagnostics} == {"model/m1"}


def test_every_number_field_of_every_kind_and_free_form_values(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "backlog/p.yaml": item(
            "prompt",
            "p",
            extra="""
            acceptance:
              - {id: a, text: t, metric: m, op: ">=", threshold: .NaN}
            rollout: {canary_percent: 1e400}
            x-team: {cost: [1, -.Inf]}
            """,
            spec="""
            template: hi
            parameters: {temperature: .nan, stop: [{at: .inf}]}
            output_schema: {type: number, maximum: -.inf}
            x-note: .NAN
            """,
        ),
        "backlog/t.yaml": item(
            "tool",
            "t",
            spec="""
            rate_limit_rps: .inf
            input_schema: {minimum: .nan}
            """,
        ),
        "backlog/e.yaml": item(
            "evaluation",
            "e",
            spec="""
            metrics: [{metric: m, op: ">=", threshold: -.inf, baseline: .nan}]
            """,
        ),
        "backlog/pol.yaml": item(
            "policy",
            "pol",
            spec="""
            rules: [{id: r, description: d, action: flag, match: {score: .inf}}]
            """,
        ),
    }
    root = write_backlog(tmp_path / "r", files)
    _, diagnostics = check_json(root)
    assert found(diagnostics) == [
        non_finite("backlog/e.yaml", 9, 46, "spec.metrics[0].threshold", "-.inf"),
        non_finite("backlog/e.yaml", 9, 63, "spec.metrics[0].baseline", ".nan"),
        non_finite("backlog/p.yaml", 9, 54, "acceptance[0].threshold", ".nan"),
        non_finite("backlog/p.yaml", 10, 27, "rollout.canary_percent", ".inf"),
        non_finite("backlog/p.yaml", 11, 20, "x-team.cost[1]", "-.inf"),
        non_finite("backlog/p.yaml", 14, 29, "spec.parameters.temperature", ".nan"),
        non_finite("backlog/p.yaml", 14, 47, "spec.parameters.stop[0].at", ".inf"),
        non_finite("backlog/p.yaml", 15, 42, "spec.output_schema.maximum", "-.inf"),
        non_finite("backlog/p.yaml", 16, 11, "spec.x-note", ".nan"),
        non_finite("backlog/pol.yaml", 9, 64, "spec.rules[0].match.score", ".inf"),
        non_finite("backlog/t.yaml", 9, 19, "spec.rate_limit_rps", ".inf"),
        non_finite("backlog/t.yaml", 10, 27, "spec.input_schema.minimum", ".nan"),
    ]


def test_one_finding_per_value_with_the_message_that_explains_it(tmp_path: Path) -> None:
    text = item(
        "prompt",
        "p",
        extra="""
        performance: {timeout_ms: -.inf, max_tokens: .nan}
        priority: .nan
        """,
        spec="template: .inf",
    )
    root = write_backlog(tmp_path / "r", {"backlog/p.yaml": text})
    _, diagnostics = check_json(root)
    # below `minimum: 0` and not an integer are true, but "not a finite number" is the fix;
    # where the field takes no number at all, the schema's own message and hint stay
    quote = "YAML read `{}` as a number; quote it"
    assert [(d["line"], d["column"], d["message"], d["hint"]) for d in diagnostics] == [
        (8, 27, "`performance.timeout_ms` is `-.inf`, not a finite number", INF_HINT),
        (8, 46, "`performance.max_tokens` is `.nan`, not a finite number", FINITE_HINT),
        (9, 11, "`priority` is `nan`; expected one of `P0`, `P1`, `P2`, `P3`", None),
        (9, 11, "`priority` must be a string, not a number", quote.format("nan")),
        (11, 13, "`spec.template` must be a string, not a number", quote.format("inf")),
    ]


def test_nan_on_a_ready_item_is_reported_and_nothing_crashes(tmp_path: Path) -> None:
    # readiness counts `latency_p95_ms: .nan` as present; the schema finding is what says no
    text = item(
        "prompt",
        "p",
        status="ready",
        extra="""
        performance: {latency_p95_ms: .nan}
        acceptance: [{id: a, text: t, metric: m, op: ">=", threshold: 0.9}]
        safety: {policies: [policy/x]}
        """,
        spec="template: hi",
    )
    root = write_backlog(tmp_path / "r", {"backlog/p.yaml": text})
    _, diagnostics = check_json(root)
    assert ("schema", 8, 31) in [(d["rule"], d["line"], d["column"]) for d in diagnostics]
    for command in (["status"], ["list"], ["lineage", "prompt/p"], ["show", "prompt/p"]):
        result = run_cli(*command, "--no-cache", cwd=root)
        assert result.returncode == 0, result.stderr
        assert "Traceback" not in result.stderr


def test_findings_survive_the_cache(tmp_path: Path) -> None:
    text = item("model", "m", extra="performance: {latency_p95_ms: .nan}")
    files: dict[str, str | bytes] = {"backlog/m.yaml": text, "backlog/n.yaml": item("model", "n")}
    root = write_backlog(tmp_path / "r", files)
    expected = [non_finite("backlog/m.yaml", 8, 31, "performance.latency_p95_ms", ".nan")]
    for args in ((), (), ("backlog/m.yaml",)):
        result = run_cli("check", "--format", "json", *args, cwd=root)
        assert result.returncode == 1, result.stderr
        assert found(json.loads(result.stdout)["diagnostics"]) == expected


def test_the_fast_path_reports_them_too(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        f"backlog/m{i}.yaml": item("model", f"m{i}") for i in range(schema_rule.FAST_PATH_MIN_FILES)
    }
    files["backlog/m0.yaml"] = item("model", "m0", extra="x-cost: .nan")
    files["backlog/m1.yaml"] = item("model", "m1", extra="rollout: {canary_percent: .inf}")
    files["backlog/m2.yaml"] = item("model", "m2", version=f"{MAX + 1}.0.0")
    root = write_backlog(tmp_path / "r", files)
    _, diagnostics = check_json(root)
    assert [(d["path"], d["line"], d["column"]) for d in diagnostics] == [
        ("backlog/m0.yaml", 8, 9),
        ("backlog/m1.yaml", 8, 27),
        ("backlog/m2.yaml", 5, 10),
    ]


# --- version components above 2^53 - 1 ----------------------------------------------------


def test_a_version_component_above_the_bound_is_a_schema_error(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "backlog/m.yaml": item("model", "big", version=f"{MAX + 1}.0.0"),
        "backlog/n.yaml": item("model", "patch", version=f"{MAX}.{MAX}.{MAX + 1}-rc.1"),
        "backlog/o.yaml": item("model", "edge", version=f"{MAX}.{MAX}.{MAX}"),
    }
    root = write_backlog(tmp_path / "r", files)
    _, diagnostics = check_json(root)
    assert found(diagnostics) == [
        (
            "schema",
            "backlog/m.yaml",
            5,
            10,
            f"`version` is `{MAX + 1}.0.0`: major component above {MAX}",
        ),
        (
            "schema",
            "backlog/n.yaml",
            5,
            10,
            f"`version` is `{MAX}.{MAX}.{MAX + 1}-rc.1`: patch component above {MAX}",
        ),
    ]
    assert diagnostics[0]["hint"] == (
        "npm's semver cannot hold a larger component, so no range could admit this version; "
        "number it within the bound"
    )


def test_a_version_longer_than_npm_allows_is_a_schema_error(tmp_path: Path) -> None:
    long_version = "1.0.0-" + "a" * 251  # 257 characters
    files: dict[str, str | bytes] = {"backlog/m.yaml": item("model", "m", version=long_version)}
    root = write_backlog(tmp_path / "r", files)
    _, diagnostics = check_json(root)
    assert [(d["line"], d["column"], d["message"], d["hint"]) for d in diagnostics] == [
        (
            5,
            10,
            "`version` is 257 characters long; at most 256 are allowed",
            "npm's semver refuses a longer version, so no range could admit it; shorten its "
            "prerelease or build part",
        )
    ]


def test_the_largest_valid_version_passes_and_ranges_admit_it(tmp_path: Path) -> None:
    core = f"{MAX}.{MAX}.{MAX}"
    largest = f"{core}+" + "b" * (255 - len(core))
    assert len(largest) == 256
    files: dict[str, str | bytes] = {
        "backlog/m.yaml": item("model", "m", version=largest),
        "backlog/a.yaml": item("agent", "a", extra=f'depends_on: [model/m@*, "model/m@>={core}"]'),
    }
    root = write_backlog(tmp_path / "r", files)
    assert check_json(root) == (0, [])


def test_no_version_constraint_finding_for_an_item_whose_version_is_invalid(
    tmp_path: Path,
) -> None:
    files: dict[str, str | bytes] = {
        "backlog/m.yaml": item("model", "big", version=f"{MAX + 1}.0.0"),
        "backlog/a.yaml": item("agent", "a1", extra='depends_on: ["model/big@>=1.0", model/big@*]'),
        "backlog/h.yaml": item("model", "huge", version="1" * 5000 + ".0.0"),
        "backlog/b.yaml": item("agent", "b1", extra="depends_on: [model/huge@*]"),
    }
    root = write_backlog(tmp_path / "r", files)
    _, diagnostics = check_json(root)
    assert {(d["rule"], d["path"], d["line"], d["column"]) for d in diagnostics} == {
        ("schema", "backlog/m.yaml", 5, 10),
        ("schema", "backlog/h.yaml", 5, 10),
    }


# --- the published schema and the two paths of the rule -----------------------------------


def test_published_schema_bounds_the_version_length_and_documents_the_component_bound() -> None:
    for name in ("envelope", "model"):
        version = schemas.load(name)["properties"]["version"]
        assert version["maxLength"] == 256
        assert version["pattern"].startswith("^(0|[1-9]")
        assert str(MAX) in version["description"]
    published = Draft202012Validator(schemas.load("model"))
    assert not published.is_valid({**EXAMPLES["model"], "version": "1.0.0-" + "a" * 251})
    assert published.is_valid({**EXAMPLES["model"], "version": "1.0.0-" + "a" * 250})


@pytest.mark.parametrize(
    ("version", "accepted"),
    [
        (f"{MAX}.{MAX}.{MAX}", True),
        (f"{MAX + 1}.0.0", False),
        (f"0.{MAX + 1}.0", False),
        (f"0.0.{MAX + 1}+build", False),
        ("1" * 5000 + ".0.0", False),
        ("99999999999999999.0.0", False),
    ],
)
def test_the_model_bounds_version_components(version: str, accepted: bool) -> None:
    assert fast_validator("model")({**EXAMPLES["model"], "version": version}) is accepted


@pytest.mark.parametrize("value", [float("nan"), float("inf"), float("-inf")])
def test_the_model_refuses_non_finite_floats(value: float) -> None:
    good = EXAMPLES["evaluation"]
    assert fast_validator("evaluation")(good)
    metric = {**good["spec"]["metrics"][0], "threshold": value}
    assert not fast_validator("evaluation")({**good, "spec": {**good["spec"], "metrics": [metric]}})
    assert not fast_validator("evaluation")({**good, "performance": {"timeout_ms": value}})


TRICKY: list[Any] = [
    float("nan"),
    float("inf"),
    float("-inf"),
    [float("nan")],
    {"a": float("inf")},
    f"{MAX + 1}.0.0",
    f"1.{MAX + 1}.0",
    f"{MAX}.0.0",
    "1.0.0-" + "a" * 251,
]


def _mutations() -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = []
    for data in EXAMPLES.values():
        for pointer in pointers(data):
            out.extend(set_at(data, pointer, value) for value in TRICKY)
        out.extend(set_at(data, ("x-ext",), value) for value in TRICKY)
    return out


def test_fast_path_never_accepts_what_the_slow_path_reports() -> None:
    """The rule as a whole: the fast path (pydantic plus the checks JSON Schema cannot
    express) is silent only where jsonschema plus those checks find nothing."""
    silent = reported = 0
    disagreements: list[str] = []
    for data in [*_mutations(), *list(corpus())[::20]]:
        raw = yaml.dump(data, Dumper=yaml.CSafeDumper, sort_keys=False, width=10_000)
        doc = load_bytes(Path("x.yaml"), "x.yaml", raw.encode())
        assert isinstance(doc, Document)
        fast = list(check_document(doc, fast=True))
        slow = list(check_document(doc, fast=False))
        if fast != slow:
            disagreements.append(f"{raw[:300]}: {slow[:1]} vs {fast[:1]}")
        if slow:
            reported += 1
        else:
            silent += 1
    assert disagreements == []
    assert reported > 1000
    assert silent > 50


def _strict_json(text: str) -> Any:
    def refuse(constant: str) -> None:
        raise ValueError(f"{constant} is not JSON")

    return json.loads(text, parse_constant=refuse)


def test_json_outputs_of_an_item_with_nan_stay_json(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": item("model", "m")})
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    text = item("model", "m", extra="performance: {latency_p95_ms: .nan, timeout_ms: .inf}")
    (root / "backlog/m.yaml").write_text(text, encoding="utf-8")
    for command in (["show", "model/m"], ["diff", "HEAD"]):
        result = run_cli(*command, "--format", "json", "--no-cache", cwd=root)
        assert result.returncode == 0, result.stderr
        shown = _strict_json(result.stdout)
        assert ".nan" in json.dumps(shown) and ".inf" in json.dumps(shown)


def test_a_tagged_float_too_large_for_a_double_is_infinity_not_a_crash(tmp_path: Path) -> None:
    huge = "1" + "0" * 400
    text = item("model", "m", extra=f"performance: {{latency_p95_ms: !!float {huge}}}")
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": text})
    code, diagnostics = check_json(root)
    assert code == 1
    assert [(d["rule"], d["line"], d["message"]) for d in diagnostics] == [
        ("schema", 8, "`performance.latency_p95_ms` is `.inf`, not a finite number")
    ]
