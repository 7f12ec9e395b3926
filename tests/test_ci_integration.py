"""The CI and editor integrations as users copy them: the GitHub workflow, the CI docs' snippets,
the shipped JSON Schemas under check-jsonschema, and the editor settings in docs/editors.md.

check-jsonschema runs offline: every schema used here is local (`--schemafile`) or built into
check-jsonschema (`--builtin-schema`), and the proxy variables point at a closed port so any
attempt to reach the network would fail the test instead of passing silently.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from backlog_cli.vocab import KINDS
from tests.conftest import git, item, require, run_cli, write_backlog

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]

PROJECT = Path(__file__).resolve().parent.parent
WORKFLOW = PROJECT / "examples/github/backlog.yml"
CI_DOC = PROJECT / "docs/ci.md"
EDITORS_DOC = PROJECT / "docs/editors.md"
EXAMPLE_ITEMS = PROJECT / "examples/support-copilot/backlog"
BIN = Path(sys.executable).parent
OFFLINE_ENV = {
    "HTTP_PROXY": "http://127.0.0.1:9",
    "HTTPS_PROXY": "http://127.0.0.1:9",
    "http_proxy": "http://127.0.0.1:9",
    "https_proxy": "http://127.0.0.1:9",
    "NO_PROXY": "",
    "no_proxy": "",
}


def check_jsonschema(*args: str | Path) -> subprocess.CompletedProcess[str]:
    exe = BIN / "check-jsonschema"
    require(exe.exists(), f"check-jsonschema is not installed next to {sys.executable}")
    return subprocess.run(
        [str(exe), "--no-cache", *map(str, args)],
        env={**os.environ, **OFFLINE_ENV},
        capture_output=True,
        text=True,
        timeout=120,
    )


def fenced_blocks(markdown: Path, language: str) -> list[str]:
    """The code blocks of `language` in a Markdown file, de-indented (list items indent them)."""
    pattern = re.compile(rf"^( *)```{language}\n(.*?)^\1```$", re.M | re.S)
    blocks = []
    for match in pattern.finditer(markdown.read_text(encoding="utf-8")):
        indent = len(match.group(1))
        blocks.append("".join(line[indent:] for line in match.group(2).splitlines(True)))
    return blocks


def only_block(markdown: Path, language: str, marker: str) -> str:
    found = [block for block in fenced_blocks(markdown, language) if marker in block]
    assert len(found) == 1, f"{markdown.name}: {len(found)} {language} blocks with {marker!r}"
    return found[0]


def example_items() -> dict[str, list[Path]]:
    by_kind: dict[str, list[Path]] = {kind: [] for kind in KINDS}
    for path in sorted(EXAMPLE_ITEMS.rglob("*.yaml")):
        by_kind[yaml.safe_load(path.read_text(encoding="utf-8"))["kind"]].append(path)
    return by_kind


# --- the GitHub workflow ------------------------------------------------------------------


def test_the_workflow_is_a_valid_github_workflow() -> None:
    done = check_jsonschema("--builtin-schema", "vendor.github-workflows", WORKFLOW)
    assert done.returncode == 0, done.stdout + done.stderr


def steps() -> dict[str, dict[str, Any]]:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job = workflow["jobs"]["backlog"]
    return {step.get("name") or step["uses"]: step for step in job["steps"]}


def test_the_workflow_is_the_gate_the_docs_describe() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    # docs/ci.md shows the same workflow, comments aside
    assert yaml.safe_load(only_block(CI_DOC, "yaml", "name: backlog\n")) == workflow
    assert workflow["permissions"]["security-events"] == "write"
    assert workflow["jobs"]["backlog"]["env"]["BASE"] == "origin/${{ github.base_ref }}"
    by_name = steps()
    assert by_name["actions/checkout@v4"]["with"] == {"fetch-depth": 0}
    assert "actions/setup-python@v5" in by_name
    check = by_name["backlog check"]
    assert check["id"] == "check" and check["continue-on-error"] is True
    assert check["run"] == ('backlog check --base "$BASE" --format sarif --output backlog.sarif')
    upload = by_name["Upload the findings to code scanning"]
    assert upload["uses"] == "github/codeql-action/upload-sarif@v3"
    assert upload["with"]["sarif_file"] == "backlog.sarif"
    assert "always()" in upload["if"]
    summary = by_name["Impact summary"]
    assert summary["run"].endswith('--format markdown >> "$GITHUB_STEP_SUMMARY"')
    assert "always()" in summary["if"]
    gate = by_name["Fail when backlog check failed"]
    assert "steps.check.outcome == 'failure'" in gate["if"]
    assert list(by_name)[-1] == "Fail when backlog check failed"


def pull_request(tmp_path: Path, prompt_spec: str, version: str) -> Path:
    """A clone whose `main` has a small backlog, checked out on a branch that edits the prompt."""
    prompt = """
        model: model/small@^1.0
        template: "Route {{ ticket }}"
        inputs:
          ticket: {type: string, required: true}
    """
    upstream = write_backlog(
        tmp_path / "upstream",
        {
            "backlog/models/small.yaml": item("model", "small", spec="provider: acme"),
            "backlog/prompts/triage.yaml": item("prompt", "triage", spec=prompt),
        },
    )
    git(upstream, "init", "-q", "-b", "main")
    git(upstream, "add", "-A")
    git(upstream, "commit", "-q", "-m", "backlog")
    clone = tmp_path / "clone"
    git(tmp_path, "clone", "-q", str(upstream), str(clone))
    git(clone, "checkout", "-q", "-b", "change")
    (clone / "backlog/prompts/triage.yaml").write_text(
        item("prompt", "triage", version=version, spec=prompt_spec), encoding="utf-8"
    )
    git(clone, "commit", "-q", "-am", "edit the triage prompt")
    return clone


def run_step(name: str, cwd: Path, summary: Path) -> subprocess.CompletedProcess[str]:
    """One `run:` step of the workflow, as the runner runs it (bash -eo pipefail, job env)."""
    workflow = yaml.safe_load(WORKFLOW.read_text(encoding="utf-8"))
    job_env = {
        key: value.replace("${{ github.base_ref }}", "main")
        for key, value in workflow["jobs"]["backlog"]["env"].items()
    }
    script = steps()[name]["run"]
    assert isinstance(script, str) and "${{" not in script
    env = {
        **os.environ,
        **job_env,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
        "NO_COLOR": "1",
    }
    return subprocess.run(
        ["bash", "--noprofile", "--norc", "-eo", "pipefail", "-c", script],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_the_workflow_steps_run_on_a_pull_request(tmp_path: Path) -> None:
    require(shutil.which("bash"), "bash is not installed; the workflow's steps run in bash")
    require(
        (BIN / "backlog").exists(), f"the backlog command is not installed next to {sys.executable}"
    )
    summary = tmp_path / "step-summary.md"

    # a good change: the template changed (minor) and the version says so
    good = pull_request(
        tmp_path / "good",
        """
        model: model/small@^1.0
        template: "Route {{ ticket }} to a queue"
        inputs:
          ticket: {type: string, required: true}
        """,
        version="1.1.0",
    )
    checked = run_step("backlog check", good, summary)
    # a `--format sarif` the step cannot run is a bug in backlog, never a missing tool
    assert checked.returncode == 0, checked.stdout + checked.stderr
    sarif = json.loads((good / "backlog.sarif").read_text(encoding="utf-8"))
    assert sarif["version"] == "2.1.0"
    assert sarif["runs"][0]["results"] == []
    impact = run_step("Impact summary", good, summary)
    assert impact.returncode == 0, impact.stdout + impact.stderr
    assert "`prompt/triage`" in summary.read_text(encoding="utf-8")

    # a bad change: the template changed but the version did not
    bad = pull_request(
        tmp_path / "bad",
        """
        model: model/small@^1.0
        template: "Route {{ ticket }} to a team"
        inputs:
          ticket: {type: string, required: true}
        """,
        version="1.0.0",
    )
    checked = run_step("backlog check", bad, summary)
    assert checked.returncode == 1, checked.stdout + checked.stderr
    sarif = json.loads((bad / "backlog.sarif").read_text(encoding="utf-8"))
    assert [r["ruleId"] for r in sarif["runs"][0]["results"]] == ["version-not-bumped"]
    gate = run_step("Fail when backlog check failed", bad, summary)
    assert gate.returncode == 1, gate.stdout + gate.stderr
    # under GitHub Actions the default format is workflow commands: one annotation a finding
    assert re.search(
        r"^::error file=backlog/prompts/triage\.yaml,line=\d+,col=\d+,title=version-not-bumped::",
        gate.stdout,
        re.M,
    ), gate.stdout


def test_the_gitlab_snippet_is_a_valid_gitlab_ci_file(tmp_path: Path) -> None:
    snippet = only_block(CI_DOC, "yaml", "# .gitlab-ci.yml")
    job = yaml.safe_load(snippet)["backlog"]
    assert job["artifacts"]["reports"]["junit"] == "backlog-junit.xml"
    assert any("--format junit --output backlog-junit.xml" in line for line in job["script"])
    target = tmp_path / ".gitlab-ci.yml"
    target.write_text(snippet, encoding="utf-8")
    done = check_jsonschema("--builtin-schema", "vendor.gitlab-ci", target)
    assert done.returncode == 0, done.stdout + done.stderr


# --- the item schemas, as editors and other validators use them ---------------------------


def test_the_example_backlog_holds_every_kind() -> None:
    assert all(example_items()[kind] for kind in KINDS), example_items()


@pytest.mark.parametrize("kind", KINDS)
def test_each_kind_schema_accepts_the_example_items_of_its_kind(kind: str) -> None:
    files = example_items()[kind]
    done = check_jsonschema("--schemafile", PROJECT / f"schemas/{kind}.schema.json", *files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_item_schema_accepts_every_example_item() -> None:
    files = [path for paths in example_items().values() for path in paths]
    done = check_jsonschema("--schemafile", PROJECT / "schemas/item.schema.json", *files)
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_item_schema_rejects_a_broken_item(tmp_path: Path) -> None:
    """Not a vacuous pass: a wrong enum value and an unknown key are both rejected."""
    broken = tmp_path / "broken.yaml"
    broken.write_text(item("prompt", "x", status="shipped", extra="titel: typo"), encoding="utf-8")
    done = check_jsonschema("--schemafile", PROJECT / "schemas/item.schema.json", broken)
    assert done.returncode == 1, done.stdout + done.stderr
    assert "shipped" in done.stdout and "titel" in done.stdout


# --- docs/editors.md ----------------------------------------------------------------------


def test_the_vscode_settings_snippet_is_valid_json_mapping_a_shipped_schema() -> None:
    settings = json.loads(only_block(EDITORS_DOC, "json", '"yaml.schemas"'))
    mapping = settings["yaml.schemas"]
    assert mapping == {"./schemas/item.schema.json": ["backlog/**/*.yaml", "backlog/**/*.yml"]}
    for schema in mapping:
        assert (PROJECT / schema).is_file(), schema


def test_the_helix_snippet_is_valid_toml_with_the_same_mapping() -> None:
    config = tomllib.loads(only_block(EDITORS_DOC, "toml", "yaml-language-server"))
    schemas = config["language-server"]["yaml-language-server"]["config"]["yaml"]["schemas"]
    assert schemas == {"./schemas/item.schema.json": ["backlog/**/*.yaml", "backlog/**/*.yml"]}


def test_the_modeline_in_the_editor_docs_is_the_one_backlog_new_writes(tmp_path: Path) -> None:
    """With the schemas committed as the docs say, `backlog new` writes the documented line."""
    root = write_backlog(tmp_path / "repo", {})
    git(root, "init", "-q")
    for args in (("schema", "--output", "schemas"), ("new", "prompt", "x", "--owner", "t")):
        done = run_cli(*args, cwd=root)
        assert done.returncode == 0, done.stdout + done.stderr
    written = (root / "backlog/prompts/x.yaml").read_text(encoding="utf-8").splitlines()
    documented = only_block(EDITORS_DOC, "yaml", "yaml-language-server").splitlines()
    assert (
        written[0]
        == documented[0]
        == ("# yaml-language-server: $schema=../../schemas/prompt.schema.json")
    )
    assert written[1:3] == documented[1:3] == ["apiVersion: backlog/v1", "kind: prompt"]
