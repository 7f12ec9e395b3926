"""`backlog evidence record`: one run's result file, in each format, recorded as evidence.

The result files under tests/data/evidence/ were written by the real tools (promptfoo
0.121.20 with its `echo` provider, Inspect AI 0.3.285 with `mockllm/model`, pytest's
`--junitxml`), except lm-evaluation-harness's (too heavy to run here: a realistic file
in its 0.4 layout) and our plain JSON/CSV. `test_evidence_tools.py` regenerates the
promptfoo and Inspect files with the real tools.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import git, item, run_cli, write_backlog

DATA = Path(__file__).parent / "data" / "evidence"
SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
NOW = {"BACKLOG_TODAY": "2026-12-01T10:00:00Z"}


def make_repo(root: Path, metrics: str, *, config: str = "") -> Path:
    """A committed backlog: prompt/triage 1.2.0, dataset/tickets 2.0.0 and
    evaluation/triage-eval 1.0.0 targeting both prompts, with `metrics` (YAML list)."""
    evaluation = item(
        "evaluation",
        "triage-eval",
        spec=(
            "targets: [prompt/triage@^1.0, prompt/gone]\n"
            "dataset: dataset/tickets@2.x\n"
            "metrics:\n" + metrics
        ),
    )
    write_backlog(
        root,
        {
            "backlog/triage.yaml": item("prompt", "triage", version="1.2.0", spec="template: hi"),
            "backlog/tickets.yaml": item("dataset", "tickets", version="2.0.0"),
            "backlog/triage-eval.yaml": evaluation,
        },
        config=config,
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "backlog")
    return root


def record(root: Path, *args: str, code: int = 0) -> str:
    proc = run_cli("evidence", "record", "triage-eval", *args, cwd=root, env=NOW)
    assert proc.returncode == code, proc.stdout + proc.stderr
    return proc.stdout if code == 0 else proc.stderr


def records(root: Path) -> list[Path]:
    folder = root / "evidence"
    return sorted(folder.rglob("*.json")) if folder.exists() else []


def validate(name: str, payload: Any) -> None:
    schema = json.loads((SCHEMAS / f"{name}.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    assert [e.message for e in validator.iter_errors(payload)] == []


def copy_in(root: Path, name: str) -> str:
    shutil.copy(DATA / name, root / name)
    return name


def test_promptfoo_named_scores_and_pass_rate(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path,
        "  - {metric: groundedness, source: namedScores.groundedness, op: '>=', threshold: 0.9}\n"
        "  - {metric: pass_rate, op: '>=', threshold: 0.6, min_samples: 10}\n",
    )
    name = copy_in(root, "promptfoo-results.json")
    out = record(root, "--from", name)
    path = "evidence/triage-eval/20261201T100000Z-" + sha(root / name)[:12] + ".json"
    head = git(root, "rev-parse", "HEAD").strip()
    assert out == (
        f"recorded {path}\n"
        "evaluation/triage-eval 1.0.0 on prompt/triage 1.2.0, prompt/gone (missing), "
        f"dataset/tickets 2.0.0 (promptfoo 0.121.20, {head[:12]})\n"
        "  FAIL groundedness = 0.666667 >= 0.9 (n=3)\n"
        "  PASS pass_rate = 0.666667 >= 0.6 (n=3); too few samples to judge: 3 < 10\n"
        "1 of 2 thresholds not met\n"
    )
    written = (root / path).read_text(encoding="utf-8")
    data = json.loads(written)
    validate("evidence-record", data)
    assert written == json.dumps(data, indent=2) + "\n"  # two-space indent, newline
    assert list(data) == [
        "version", "evaluation", "targets", "dataset", "metrics", "harness", "source",
        "commit", "dirty", "recorded_at",
    ]  # fmt: skip
    assert data["evaluation"] == {"ref": "evaluation/triage-eval", "version": "1.0.0"}
    assert data["targets"] == [
        {"ref": "prompt/triage", "version": "1.2.0"},
        {"ref": "prompt/gone", "version": None},
    ]
    assert data["dataset"] == {"ref": "dataset/tickets", "version": "2.0.0"}
    assert data["metrics"][0] == {
        "metric": "groundedness",
        "source": "namedScores.groundedness",
        "value": 2 / 3,
        "n": 3,
        "op": ">=",
        "threshold": 0.9,
        "passed": False,
    }
    assert data["harness"] == {"name": "promptfoo", "version": "0.121.20"}
    assert data["source"] == {"path": name, "format": "promptfoo", "sha256": sha(root / name)}
    assert (data["commit"], data["dirty"]) == (head, False)
    assert data["recorded_at"] == "2026-12-01T10:00:00Z"


def sha(path: Path) -> str:
    import hashlib

    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    ("file", "metrics", "fmt", "expected"),
    [
        (
            "inspect-log.json",
            "  - {metric: accuracy, op: '>=', threshold: 0.7}\n"
            "  - {metric: includes, source: includes.accuracy, op: '>=', threshold: 0.8}\n",
            "inspect",
            [("accuracy", 0.75, 4, True), ("includes", 0.75, 4, False)],
        ),
        (
            "junit.xml",
            "  - {metric: pass_rate, op: '>=', threshold: 0.6}\n"
            "  - {metric: accuracy, op: '>=', threshold: 0.9}\n"
            "  - {metric: latency, source: latency_ms, op: '<=', threshold: 200}\n",
            "junit",
            [("pass_rate", 2 / 3, 3, True), ("accuracy", 0.91, 3, True), ("latency", 120, 3, True)],
        ),
        (
            "results_2026-12-01T10-00-00.json",
            "  - {metric: accuracy, source: 'acc,none', op: '>=', threshold: 0.8}\n"
            "  - {metric: strict, source: 'support_triage.exact_match,strict-match', op: '>=',"
            " threshold: 0.8}\n",
            "lm-eval",
            [("accuracy", 0.8125, 200, True), ("strict", 0.79, 200, False)],
        ),
        (
            "plain.json",
            "  - {metric: accuracy, op: '>=', threshold: 0.9}\n"
            "  - {metric: groundedness, op: '>=', threshold: 0.95}\n",
            "plain-json",
            [("accuracy", 0.93, 200, True), ("groundedness", 0.97, None, True)],
        ),
        (
            "plain.csv",
            "  - {metric: accuracy, op: '>=', threshold: 0.9}\n"
            "  - {metric: groundedness, op: '>=', threshold: 0.95}\n",
            "plain-csv",
            [("accuracy", 0.93, 200, True), ("groundedness", 0.97, None, True)],
        ),
    ],
)
def test_each_format_detected_and_named(
    tmp_path: Path, file: str, metrics: str, fmt: str, expected: list[tuple[Any, ...]]
) -> None:
    root = make_repo(tmp_path, metrics)
    name = copy_in(root, file)
    proc = run_cli(
        "evidence", "record", "triage-eval", "--from", name, "-f", "json", cwd=root, env=NOW
    )
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    validate("evidence-record-result", payload)
    assert payload["source"]["format"] == fmt
    got = [(m["metric"], m["value"], m["n"], m["passed"]) for m in payload["metrics"]]
    assert got == expected
    on_disk = json.loads((root / payload["path"]).read_text(encoding="utf-8"))
    assert {**on_disk, "path": payload["path"]} == payload
    # named explicitly, the same record (already there, unchanged)
    again = record(root, "--from", name, "--from-format", fmt)
    assert again.startswith(f"recorded {payload['path']} (already there, unchanged)\n")
    assert len(records(root)) == 1
