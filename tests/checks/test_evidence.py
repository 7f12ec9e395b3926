"""The `evidence` rule through the real CLI, on git repositories with hand-written records
that follow schemas/evidence-record.schema.json."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from tests.conftest import git, item, run_cli, write_backlog

EVAL = "backlog/evaluations/groundedness.yaml"
HINT = (
    "  hint: run evaluation/groundedness and record it: `backlog evidence record "
    "evaluation/groundedness --from {src}`\n"
)


def evaluation(version: str = "1.0.0", metric: str = "", status: str = "in-progress") -> str:
    return item(
        "evaluation",
        "groundedness",
        version=version,
        status=status,
        spec=f"""
        targets:
          - prompt/answer
        dataset: dataset/faq
        metrics:
          - {{metric: groundedness, op: ">=", threshold: 0.9{metric}}}
        """,
    )


def project(tmp_path: Path, prompt: str = "1.3.0", status: str = "done", config: str = "") -> Path:
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/prompts/answer.yaml": item("prompt", "answer", version=prompt, status=status),
            "backlog/datasets/faq.yaml": item("dataset", "faq", version="2.0.0"),
            EVAL: evaluation(),
        },
        "items: backlog/\n" + config,
    )
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "start")
    return root


def record(
    root: Path,
    *,
    value: float = 0.93,
    n: int | None = 500,
    prompt: str = "1.3.0",
    evaluation_version: str = "1.0.0",
    dataset: str = "2.0.0",
    at: str = "2026-03-01T10:00:00Z",
    source: str = "results/run.json",
) -> Path:
    """Write one evidence record as `backlog evidence record` does; its path."""
    sha = hashlib.sha256(f"{at}{value}".encode()).hexdigest()
    data: dict[str, Any] = {
        "version": 1,
        "evaluation": {"ref": "evaluation/groundedness", "version": evaluation_version},
        "targets": [{"ref": "prompt/answer", "version": prompt}],
        "dataset": {"ref": "dataset/faq", "version": dataset},
        "metrics": [
            {
                "metric": "groundedness",
                "source": "groundedness",
                "value": value,
                "n": n,
                "op": ">=",
                "threshold": 0.9,
                "passed": value >= 0.9,
            }
        ],
        "harness": {"name": "plain", "version": None},
        "source": {"path": source, "format": "plain-json", "sha256": sha},
        "commit": None,
        "dirty": False,
        "recorded_at": at,
    }
    stamp = at.replace("-", "").replace(":", "")
    path = root / "evidence" / "groundedness" / f"{stamp}-{sha[:12]}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(data, indent=2) + "\n", encoding="utf-8")
    _validate(data)
    return path


def _validate(data: dict[str, Any]) -> None:
    from jsonschema import Draft202012Validator

    schema = json.loads(Path("schemas/evidence-record.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER).validate(data)


def gate(root: Path, *args: str) -> tuple[int, str]:
    result = run_cli("check", "--root", str(root), "--rule", "evidence", "--no-cache", *args)
    assert result.stderr == ""
    return result.returncode, result.stdout


def one(line: str, message: str, src: str = "results/run.json") -> str:
    return (
        f"{EVAL}:{line}: error evidence {message}\n{HINT.format(src=src)}\n"
        "3 items checked: 1 error, 0 warnings\n"
    )


def test_missing_evidence(tmp_path: Path) -> None:
    root = project(tmp_path)
    assert gate(root) == (
        1,
        one(
            "10:7",
            "no evidence recorded from evaluation/groundedness for prompt/answer 1.3.0",
            "RESULTS",
        ),
    )


def test_passing_evidence(tmp_path: Path) -> None:
    root = project(tmp_path)
    record(root)
    assert gate(root) == (0, "3 items checked: no problems\n")


def test_stale_when_the_target_was_bumped(tmp_path: Path) -> None:
    root = project(tmp_path)
    record(root, prompt="1.2.0")
    assert gate(root) == (
        1,
        one(
            "10:7",
            "evidence was recorded for prompt/answer 1.2.0; the item is now 1.3.0 — "
            "re-run evaluation/groundedness",
        ),
    )


def test_stale_when_the_evaluation_was_bumped(tmp_path: Path) -> None:
    root = project(tmp_path)
    record(root, evaluation_version="0.9.0")
    assert gate(root)[1].startswith(
        f"{EVAL}:10:7: error evidence evidence was recorded with evaluation/groundedness "
        "0.9.0; the evaluation is now 1.0.0 — re-run it for prompt/answer\n"
    )


def test_stale_when_the_dataset_was_bumped(tmp_path: Path) -> None:
    root = project(tmp_path)
    record(root, dataset="1.0.0")
    assert gate(root)[1].startswith(
        f"{EVAL}:10:7: error evidence evidence was recorded on dataset/faq 1.0.0; "
        "evaluation/groundedness now runs on dataset/faq 2.0.0 — re-run it\n"
    )


def test_failing_metric_against_the_current_threshold(tmp_path: Path) -> None:
    root = project(tmp_path)
    path = record(root, value=0.93)
    # the threshold was raised after recording: the record's own `passed` no longer counts
    (root / EVAL).write_text(evaluation(metric="5"), encoding="utf-8")
    rel = path.relative_to(root).as_posix()
    assert gate(root) == (
        1,
        one(
            "13:7",
            "evaluation/groundedness on prompt/answer 1.3.0: `groundedness` is 0.93, which "
            f"does not meet >= 0.95 ({rel})",
        ),
    )


def test_too_few_samples(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / EVAL).write_text(evaluation(metric="0, min_samples: 200"), encoding="utf-8")
    path = record(root, value=0.95, n=40)
    rel = path.relative_to(root).as_posix()
    assert gate(root) == (
        1,
        one(
            "13:7",
            "evaluation/groundedness on prompt/answer 1.3.0: `groundedness`: too few samples "
            f"to judge: 40 < 200 ({rel})",
        ),
    )


def test_regression_beyond_tolerance_even_above_threshold(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / EVAL).write_text(evaluation(metric=", tolerance: 0.01"), encoding="utf-8")
    before = record(root, value=0.97, prompt="1.2.0", at="2026-02-01T10:00:00Z")
    after = record(root, value=0.93)
    old, new = (p.relative_to(root).as_posix() for p in (before, after))
    assert gate(root) == (
        1,
        one(
            "13:7",
            "evaluation/groundedness on prompt/answer 1.3.0: `groundedness` regressed from "
            f"0.97 to 0.93, more than its tolerance 0.01 (previous record {old}) ({new})",
        ),
    )
    # within the tolerance: no finding
    after.unlink()
    record(root, value=0.965)
    assert gate(root) == (0, "3 items checked: no problems\n")


def test_deprecated_evaluation_is_ignored(tmp_path: Path) -> None:
    root = project(tmp_path)
    (root / EVAL).write_text(evaluation(status="deprecated"), encoding="utf-8")
    assert gate(root) == (0, "3 items checked: no problems\n")


@pytest.mark.parametrize(("status", "failing"), [("ready", True), ("refined", False)])
def test_gate_configured_on_ready(tmp_path: Path, status: str, failing: bool) -> None:
    root = project(tmp_path, status=status, config='evidence:\n  gate: {"*": ready}\n')
    code, out = gate(root)
    assert code == (1 if failing else 0)
    assert ("no evidence recorded" in out) is failing
    # without the config, ready is not gated
    (root / "backlog.yaml").write_text("items: backlog/\n", encoding="utf-8")
    assert gate(root) == (0, "3 items checked: no problems\n")


def test_gate_turned_off_for_a_kind(tmp_path: Path) -> None:
    root = project(tmp_path, config="evidence:\n  gate: {prompt: false}\n")
    assert gate(root) == (0, "3 items checked: no problems\n")


def test_bad_gate_config_is_exit_2(tmp_path: Path) -> None:
    root = project(tmp_path, config="evidence:\n  gate: {prompt: shipped}\n")
    result = run_cli("check", "--root", str(root))
    assert result.returncode == 2
    assert result.stderr == (
        "backlog: error: backlog.yaml:3:18: `evidence.gate.prompt`: `shipped` is not one of "
        "refined, ready, in-progress, done or false\n"
    )


def test_corrupt_record_is_one_finding(tmp_path: Path) -> None:
    root = project(tmp_path)
    record(root)
    bad = root / "evidence" / "groundedness" / "broken.json"
    bad.write_text('{"version": 1, "evaluation"', encoding="utf-8")
    code, out = gate(root)
    assert code == 1
    assert out.startswith(
        "evidence/groundedness/broken.json:1:1: error evidence not an evidence record: "
        "invalid JSON (Expecting ':' delimiter: line 1 column 28 (char 27))\n"
        "  hint: delete the file and record the run again with `backlog evidence record`\n"
    )
    bad.write_text('{"version": 2}', encoding="utf-8")
    assert "not an evidence record: " in gate(root)[1]


def test_waiver_suppresses_the_finding(tmp_path: Path) -> None:
    root = project(
        tmp_path,
        config=(
            "waivers:\n  - {rule: evidence, item: prompt/answer, reason: eval box down, "
            "expires: 2999-01-01}\n"
        ),
    )
    code, out = gate(root)
    assert code == 0
    assert out.endswith("3 items checked: no problems (1 waived)\n")


def test_baseline_accepts_the_finding(tmp_path: Path) -> None:
    root = project(tmp_path)
    baseline = tmp_path / "baseline.json"
    result = run_cli("check", "--root", str(root), "--write-baseline", str(baseline))
    assert result.returncode == 0, result.stderr
    code, _ = gate(root, "--baseline", str(baseline))
    assert code == 0


def test_a_new_record_changes_a_cached_result(tmp_path: Path) -> None:
    root = project(tmp_path)
    cache = ["--cache-dir", str(tmp_path / "cache")]
    args = ("check", "--root", str(root), "--rule", "evidence", *cache)
    assert run_cli(*args).returncode == 1
    assert run_cli(*args).returncode == 1  # from the stored result
    path = record(root)
    assert run_cli(*args).stdout == "3 items checked: no problems\n"
    path.write_text(path.read_text(encoding="utf-8").replace("0.93", "0.5"), encoding="utf-8")
    assert run_cli(*args).returncode == 1
