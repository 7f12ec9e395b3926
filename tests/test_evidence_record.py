"""`backlog evidence record`: one run's result file, in each format, recorded as evidence.

The result files under tests/data/evidence/ were written by the real tools (promptfoo
0.121.20 with its `echo` provider, Inspect AI 0.3.285 with `mockllm/model`, pytest's
`--junitxml`), except lm-evaluation-harness's (too heavy to run here: a realistic file
in its 0.4 layout) and our plain JSON/CSV. `test_evidence_tools.py` regenerates the
promptfoo and Inspect files with the real tools.
"""

from __future__ import annotations

import json
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


ONE_METRIC = "  - {metric: accuracy, op: '>=', threshold: 0.9}\n"
BOMB = (
    '<?xml version="1.0"?>\n<!DOCTYPE lolz [<!ENTITY lol "lol">'
    '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">]>\n'
    '<testsuite tests="1"><testcase name="&lol2;"/></testsuite>\n'
)


@pytest.mark.parametrize(
    ("content", "args", "message"),
    [
        (
            b'{"metrics": [{"metric": "accuracy", "val',
            (),
            "bad.txt: not valid JSON (truncated?): line 1 column 37: "
            "Unterminated string starting at",
        ),
        (
            (DATA / "promptfoo-results.json").read_bytes(),
            ("--from-format", "inspect"),
            "bad.txt: not an Inspect AI JSON log: expected",
        ),
        (b"name: not a result file\n", (), "bad.txt: cannot tell the format; pass --from-format"),
        (b'{"some": "json"}', (), "bad.txt: JSON of no known result format;"),
        (
            b'{"metrics": [{"metric": "accuracy", "value": NaN, "n": 3}]}',
            (),
            "bad.txt: `accuracy` is nan, not a finite number",
        ),
        (b"metric,value,n\naccuracy,inf,3\n", (), "bad.txt: `accuracy` is inf, not a finite"),
        (
            b"metric,value,n\naccuracy,0.9\xff,3\n",
            (),
            "bad.txt: not UTF-8 (invalid byte at offset 27)",
        ),
        (BOMB.encode(), (), "bad.txt: XML with a DTD or entity declarations is refused"),
        (b"<testsuite><testcase>", (), "bad.txt: not well-formed XML: no element found"),
        (b"<html></html>", (), "bad.txt: not JUnit XML: the root element is <html>"),
        (b"", (), "bad.txt: empty file"),
        (
            b"metric,value,n\naccurcy,0.9,3\n",
            (),
            "bad.txt: no metric `accuracy` (for `accuracy`); did you mean `accurcy`?; "
            "this plain-csv file has: accurcy (map a name with the metric's `source:`",
        ),
        (b"metric,value,n\naccuracy,high,3\n", (), "bad.txt: line 2: the value of `accuracy`"),
        (b"metric,value,n\naccuracy,0.9,3.5\n", (), "bad.txt: line 2: `n` of `accuracy` must be"),
    ],
)
def test_bad_result_files_are_exit_2_and_write_nothing(
    tmp_path: Path, content: bytes, args: tuple[str, ...], message: str
) -> None:
    root = make_repo(tmp_path, ONE_METRIC)
    (root / "bad.txt").write_bytes(content)
    err = record(root, "--from", "bad.txt", *args, code=2)
    assert err.startswith(f"backlog: error: {message}"), err
    assert "Traceback" not in err
    assert records(root) == []


def test_a_file_over_the_cap_is_refused_unread(tmp_path: Path) -> None:
    root = make_repo(tmp_path, ONE_METRIC)
    huge = root / "huge.json"
    with huge.open("wb") as handle:  # sparse: 3 GiB on paper, nothing on disk
        handle.truncate(3 * 1024**3)
    err = record(root, "--from", "huge.json", code=2)
    assert err == (
        "backlog: error: huge.json: 3221225472 bytes, over the 256 MiB limit for result files;"
        " record a run's summary output, not its raw samples\n"
    )
    assert records(root) == []


def test_unknown_name_lists_the_names_with_did_you_mean(tmp_path: Path) -> None:
    root = make_repo(
        tmp_path, "  - {metric: grounded, source: namedScores.grounded, op: '>=', threshold: 0.9}\n"
    )
    err = record(root, "--from", copy_in(root, "promptfoo-results.json"), code=2)
    assert err == (
        "backlog: error: promptfoo-results.json: no metric `namedScores.grounded` (for "
        "`grounded`); did you mean `namedScores.groundedness`?; this promptfoo file has: "
        "namedScores.groundedness, namedScores.routing, pass_rate, score (map a name with the "
        "metric's `source:`, see docs/evidence.md)\n"
    )


def test_usage_errors(tmp_path: Path) -> None:
    root = make_repo(tmp_path, ONE_METRIC)
    name = copy_in(root, "plain.csv")
    err = record(root, "--from", name, "--from-format", "promptfo", code=2)
    assert err == (
        "backlog: error: --from-format promptfo: choose one of promptfoo, inspect, junit, "
        "lm-eval, plain-json, plain-csv; did you mean `promptfoo`?\n"
    )
    assert record(root, "--from", "nowhere.json", code=2) == (
        "backlog: error: --from nowhere.json: does not exist; give the result file of one run\n"
    )
    proc = run_cli("evidence", "record", "prompt/triage", "--from", name, cwd=root)
    assert (proc.returncode, proc.stderr) == (
        2,
        "backlog: error: `prompt/triage` is a prompt, not an evaluation\n",
    )
    proc = run_cli("evidence", "record", "triage-evl", "--from", name, cwd=root)
    assert proc.returncode == 2 and "did you mean `evaluation/triage-eval`?" in proc.stderr
    assert records(root) == []


def test_dirty_target_outside_git_and_configured_folder(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", ONE_METRIC, config="evidence: {folder: qa/runs}\n")
    name = copy_in(root, "plain.json")
    (root / "backlog" / "triage.yaml").write_text(
        item("prompt", "triage", version="1.3.0", spec="template: hello"), encoding="utf-8"
    )
    data = json.loads(run_cli("evidence", "record", "triage-eval", "--from", name, "-f", "json",
                              cwd=root, env=NOW).stdout)  # fmt: skip
    assert data["path"].startswith("qa/runs/triage-eval/20261201T100000Z-")
    assert data["targets"][0] == {"ref": "prompt/triage", "version": "1.3.0"}
    assert data["dirty"] is True and data["commit"] == git(root, "rev-parse", "HEAD").strip()

    outside = tmp_path / "plain"
    shutil.copytree(root, outside, ignore=shutil.ignore_patterns(".git", "qa"))
    data = json.loads(run_cli("evidence", "record", "triage-eval", "--from", name, "-f", "json",
                              cwd=outside, env=NOW).stdout)  # fmt: skip
    assert (data["commit"], data["dirty"]) == (None, True)


def test_evidence_folder_outside_the_repository_is_a_config_error(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", ONE_METRIC, config="evidence: {folder: ../elsewhere}\n")
    err = record(root, "--from", copy_in(root, "plain.json"), code=2)
    assert "evidence.folder" in err or "evidence folder `../elsewhere`" in err, err
    assert not (tmp_path / "elsewhere").exists()
    root2 = make_repo(tmp_path / "repo2", ONE_METRIC, config="evidence: {foldr: x}\n")
    err = record(root2, "--from", copy_in(root2, "plain.json"), code=2)
    assert "unknown key `foldr`; did you mean `folder`?" in err, err


def test_the_bare_group_is_the_matrix(tmp_path: Path) -> None:
    root = make_repo(tmp_path, ONE_METRIC)
    proc = run_cli("evidence", cwd=root)
    assert proc.returncode == 2 and "matrix" in proc.stderr


def test_an_id_that_is_no_slug_names_no_folder(tmp_path: Path) -> None:
    root = make_repo(tmp_path / "repo", ONE_METRIC)
    hostile = item("evaluation", "x", spec="metrics:\n" + ONE_METRIC).replace(
        "id: x", "id: ../../x"
    )
    (root / "backlog" / "hostile.yaml").write_text(hostile, encoding="utf-8")
    name = copy_in(root, "plain.json")
    proc = run_cli("evidence", "record", "evaluation/../../x", "--from", name, cwd=root, env=NOW)
    assert (proc.returncode, proc.stderr) == (
        2,
        "backlog: error: `evaluation/../../x`: the id is not a slug; `backlog check` shows why\n",
    )
    assert not (tmp_path / "x").exists() and records(root) == []
