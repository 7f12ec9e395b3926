"""The result files of `backlog evidence record`, written by the real tools, offline.

promptfoo (npm, its `echo` provider) and Inspect AI (PyPI, `--model mockllm/model`; the
task's solver answers without a model call) run here on the configs in tests/data/evidence/
and their fresh output is recorded. `.ci/run` installs both (pinned) and sets
`PROMPTFOO_BIN` and `INSPECT_BIN`; on a developer's machine without them these tests skip,
under CI=true they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from tests.conftest import require
from tests.test_evidence_record import DATA, NOW, make_repo, run_cli, validate

CACHE = Path(os.environ.get("HOME") or "/tmp") / ".cache" / "backlog-ci"


def tool(variable: str, default: Path, what: str) -> Path:
    found = Path(os.environ.get(variable) or default)
    return require(found if found.is_file() else None, f"{what} is not installed (${variable})")


def run_tool(args: list[str], cwd: Path) -> None:
    env = {
        **os.environ,
        "HOME": str(cwd),  # neither tool may write into the real home
        "PROMPTFOO_DISABLE_TELEMETRY": "1",
        "PROMPTFOO_DISABLE_UPDATE": "1",
        "PROMPTFOO_DISABLE_SHARING": "1",
        "PROMPTFOO_CONFIG_DIR": str(cwd / ".promptfoo"),
        "NO_COLOR": "1",
    }
    proc = subprocess.run(args, cwd=cwd, env=env, capture_output=True, text=True, timeout=300)
    assert proc.returncode in (0, 100), proc.stdout + proc.stderr  # promptfoo: 100 = a test failed


def recorded(root: Path, name: str) -> dict[str, Any]:
    proc = run_cli(
        "evidence", "record", "triage-eval", "--from", name, "-f", "json", cwd=root, env=NOW
    )
    assert proc.returncode == 0, proc.stderr
    payload: dict[str, Any] = json.loads(proc.stdout)
    validate("evidence-record-result", payload)
    return payload


def test_real_promptfoo_output(tmp_path: Path) -> None:
    promptfoo = tool("PROMPTFOO_BIN", CACHE / "promptfoo/node_modules/.bin/promptfoo", "promptfoo")
    root = make_repo(
        tmp_path,
        "  - {metric: groundedness, source: namedScores.groundedness, op: '>=', threshold: 0.6}\n"
        "  - {metric: routing, source: namedScores.routing, op: '==', threshold: 1}\n",
    )
    shutil.copy(DATA / "promptfooconfig.yaml", root)
    run_tool(
        [str(promptfoo), "eval", "-c", "promptfooconfig.yaml", "--output", "results.json",
         "--no-cache", "--no-progress-bar", "--no-write", "--no-table"],
        root,
    )  # fmt: skip
    payload = recorded(root, "results.json")
    assert payload["harness"] == {"name": "promptfoo", "version": "0.121.20"}
    metrics = [(m["metric"], m["value"], m["n"], m["passed"]) for m in payload["metrics"]]
    assert metrics == [("groundedness", 2 / 3, 3, True), ("routing", 1, 2, True)]


def test_real_inspect_log(tmp_path: Path) -> None:
    inspect = tool("INSPECT_BIN", CACHE / "inspect/bin/inspect", "Inspect AI")
    root = make_repo(
        tmp_path,
        "  - {metric: accuracy, op: '>=', threshold: 0.7, min_samples: 4}\n"
        "  - {metric: includes, source: includes.accuracy, op: '>=', threshold: 0.8}\n",
    )
    shutil.copy(DATA / "inspect_task.py", root / "task.py")
    run_tool(
        [str(inspect), "eval", "task.py", "--model", "mockllm/model", "--log-format", "json",
         "--log-dir", "logs", "--no-log-samples"],
        root,
    )  # fmt: skip
    (log,) = (root / "logs").glob("*.json")
    payload = recorded(root, log.relative_to(root).as_posix())
    assert payload["harness"] == {"name": "inspect", "version": "0.3.285"}
    metrics = [(m["metric"], m["value"], m["n"], m["passed"]) for m in payload["metrics"]]
    assert metrics == [("accuracy", 0.75, 4, True), ("includes", 0.75, 4, False)]
