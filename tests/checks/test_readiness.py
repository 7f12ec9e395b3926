"""readiness: the default DoR/DoD per kind, both sides, and the config that adjusts it."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import check, item, run_cli, write_backlog

READY_PROMPT_EXTRA = """
acceptance:
  - {id: acc, text: routes well, metric: accuracy, op: ">=", threshold: 0.9}
performance: {latency_p95_ms: 1200}
safety: {policies: [policy/pii]}
"""
POLICY = item(
    "policy",
    "pii",
    status="done",
    spec="""
    rules: [{id: r1, description: redact, action: redact}]
    review_by: 2099-01-01
""",
)
EVAL = item(
    "evaluation",
    "ev",
    status="in-progress",
    spec="""
    targets: [prompt/p]
    metrics: [{metric: accuracy, op: ">=", threshold: 0.9}]
""",
)


def gaps(root: Path) -> list[tuple[str, int, int, str]]:
    return [
        (d.path, d.line, d.column, d.message)
        for d in check(root).diagnostics
        if d.rule == "readiness"
    ]


def test_ready_prompt_meeting_the_dor_is_silent(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/p.yaml": item("prompt", "p", status="ready", extra=READY_PROMPT_EXTRA),
            "backlog/pol.yaml": POLICY,
            "backlog/ev.yaml": EVAL,
        },
    )
    assert gaps(root) == []


def test_each_missing_element_is_one_finding_at_the_status_line(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/p.yaml": item("prompt", "p", status="ready")})
    found = gaps(root)
    assert [(line, col) for _, line, col, _ in found] == [(6, 9)] * 4
    assert sorted(m for *_, m in found) == [
        "`prompt/p` is ready but has no `performance.latency_p95_ms`",
        "`prompt/p` is ready but has no `safety.policies`",
        "`prompt/p` is ready but has no acceptance criteria",
        "`prompt/p` is ready but no evaluation targets it",
    ]


def test_proposed_and_refined_and_deprecated_are_not_gated(tmp_path: Path) -> None:
    files = {
        f"backlog/{s}.yaml": item("prompt", s, status=s)
        for s in ("proposed", "refined", "deprecated")
    }
    assert gaps(write_backlog(tmp_path / "r", files)) == []


def test_unmeasurable_acceptance_points_at_acceptance(tmp_path: Path) -> None:
    extra = READY_PROMPT_EXTRA.replace(', metric: accuracy, op: ">=", threshold: 0.9', "")
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/p.yaml": item("prompt", "p", status="ready", extra=extra),
            "backlog/pol.yaml": POLICY,
            "backlog/ev.yaml": EVAL,
        },
    )
    assert gaps(root) == [
        (
            "backlog/p.yaml",
            9,
            3,
            "`prompt/p` is ready but none of its acceptance criteria is measurable",
        )
    ]


def test_high_risk_needs_a_real_rollout(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/m.yaml": item(
                "model",
                "m",
                status="ready",
                extra="risk: high\nrollout: {strategy: direct}",
                spec="snapshot: m-2024",
            ),
            "backlog/n.yaml": item(
                "model",
                "n",
                status="ready",
                extra="risk: high\nrollout: {strategy: canary, rollback: flip the flag}",
                spec="snapshot: n-2024",
            ),
        },
    )
    assert gaps(root) == [
        (
            "backlog/m.yaml",
            6,
            9,
            "`model/m` is ready but says nothing about rollback although it is high risk",
        ),
        (
            "backlog/m.yaml",
            9,
            21,
            "`model/m` is ready but rolls out directly although it is high risk",
        ),
    ]


@pytest.mark.parametrize(
    ("kind", "spec", "missing"),
    [
        ("policy", "type: guardrail", ["has no rules", "has no `spec.review_by`"]),
        (
            "dataset",
            "source: s3://x",
            ["`spec.classification`", "`spec.provenance`", "`spec.refresh`"],
        ),
        ("model", "provider: openai", ["`spec.snapshot`"]),
        ("evaluation", "harness: human", ["`spec.targets`", "no metric with a threshold"]),
        (
            "tool",
            "side_effects: read",
            ["acceptance criteria", "`performance.latency_p95_ms`", "`safety.policies`"],
        ),
        ("capability", "narrative: n", ["acceptance criteria", "no evaluation targets it"]),
    ],
)
def test_kind_specific_dor(tmp_path: Path, kind: str, spec: str, missing: list[str]) -> None:
    root = write_backlog(
        tmp_path / "r", {"backlog/x.yaml": item(kind, "x", status="in-progress", spec=spec)}
    )
    messages = [m for *_, m in gaps(root)]
    assert len(messages) == len(missing)
    for fragment in missing:
        assert any(fragment in m for m in messages), (fragment, messages)


def test_definition_of_done(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/p.yaml": item("prompt", "p", status="done", extra=READY_PROMPT_EXTRA),
            "backlog/pol.yaml": POLICY,
            "backlog/ev.yaml": EVAL.replace("status: in-progress", "status: ready"),
            "backlog/ev2.yaml": EVAL.replace("id: ev", "id: ev2"),
            "backlog/cap.yaml": item(
                "capability",
                "c",
                status="done",
                extra=READY_PROMPT_EXTRA.split("performance")[0],
                spec="items: [prompt/p, tool/t]",
            ),
            "backlog/t.yaml": item("tool", "t", status="ready"),
            "backlog/evc.yaml": EVAL.replace("id: ev", "id: evc").replace(
                "prompt/p", "capability/c"
            ),
        },
    )
    found = [m for *_, m in gaps(root) if "done" in m]
    assert found == [
        "`capability/c` is done but `tool/t`, which delivers it, is ready",
        "`prompt/p` is done but its evaluation `evaluation/ev` is only ready",
    ]


def test_config_adds_and_drops_requirements(tmp_path: Path) -> None:
    config = """
readiness:
  prompt:
    ready:
      require: [description, spec.output_schema]
      drop: [performance.latency_p95_ms, safety.policies]
      evaluation: false
  "*":
    refined:
      require: [tags]
"""
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/p.yaml": item(
                "prompt",
                "p",
                status="ready",
                extra="""
            acceptance:
              - {id: acc, text: t, metric: m, op: ">=", threshold: 1}
        """,
            ),
            "backlog/m.yaml": item("model", "m", status="refined"),
        },
        config=config,
    )
    assert sorted(m for *_, m in gaps(root)) == [
        "`model/m` is refined but has no `tags`",
        "`prompt/p` is ready but has no `description`",
        "`prompt/p` is ready but has no `spec.output_schema`",
        "`prompt/p` is ready but has no `tags`",
    ]


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ("readiness: {promt: {ready: {}}}", "unknown kind `promt`; did you mean `prompt`?"),
        ("readiness: {prompt: {redy: {}}}", "unknown status `redy`; did you mean `ready`?"),
        (
            "readiness: {prompt: {ready: {require: [spec.tempalte]}}}",
            "`spec.tempalte` is not a field of a prompt item; did you mean `spec.template`?",
        ),
        ("readiness: {model: {ready: {drop: [nope]}}}", "`nope` is not a field of a model item"),
        ("readiness: {model: {ready: {evaluation: maybe}}}", "must be true or false"),
        ("readiness: {model: {ready: {requires: []}}}", "unknown key `requires`"),
    ],
)
def test_bad_readiness_config_is_exit_2(tmp_path: Path, config: str, message: str) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": item("model", "m")}, config=config)
    result = run_cli("check", cwd=root)
    assert result.returncode == 2, result.stdout
    assert message in result.stderr
    assert "backlog.yaml:1:" in result.stderr
