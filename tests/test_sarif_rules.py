"""SARIF rule descriptors read well on GitHub's code-scanning page (issue 13 §5): a whole
summary sentence, the full prose, and a `helpUri` into docs/rules.md, one heading per rule."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path
from typing import Any

from backlog_cli import helpdoc
from backlog_cli.checks import RULE_IDS, RULES_DOC_URL, registry
from backlog_cli.report.sarif import _descriptor
from tests.conftest import git, item, require, run_cli, write_backlog
from tests.test_reporters import _multitool, _validate

RULES_MD = Path(__file__).resolve().parent.parent / "docs" / "rules.md"
PROMPT = """\
  model: model/{model}
  template: "Answer {{{{ questoin }}}}"
  inputs:
    question: {{type: string, required: true}}
"""


def _repo(tmp_path: Path) -> Path:
    """A prompt at `ready` (readiness), with an undeclared variable (template-inputs), whose
    model changed under a patch bump against `main` (version-bump-too-small)."""
    prompt = item("prompt", "answer", status="ready", spec=PROMPT.format(model="a"))
    repo = write_backlog(
        tmp_path / "repo",
        {
            "backlog/a.yaml": item("model", "a", status="refined"),
            "backlog/b.yaml": item("model", "b", status="refined"),
            "backlog/answer.yaml": prompt,
        },
    )
    git(repo, "init", "-q", "-b", "main")
    git(repo, "add", "-A")
    git(repo, "commit", "-q", "-m", "base")
    changed = prompt.replace("model/a", "model/b").replace('"1.0.0"', '"1.0.1"')
    (repo / "backlog/answer.yaml").write_text(changed, encoding="utf-8")
    return repo


def _rules(repo: Path) -> dict[str, dict[str, Any]]:
    done = run_cli("check", "--base", "main", "--format", "sarif", cwd=repo)
    assert done.returncode == 1, done.stderr
    driver = json.loads(done.stdout)["runs"][0]["tool"]["driver"]
    return {r["id"]: r for r in driver["rules"]}


def test_the_three_wrapped_summaries_are_whole_sentences(tmp_path: Path) -> None:
    rules = _rules(_repo(tmp_path))
    assert list(rules) == ["readiness", "template-inputs", "version-bump-too-small"]
    assert {r: d["shortDescription"]["text"] for r, d in rules.items()} == {
        "readiness": "an item at `ready` or later misses its kind's Definition of Ready "
        "(or, at `done`, its Definition of Done).",
        "template-inputs": "a prompt template uses a variable not declared in `inputs`, "
        "or a required input is never used.",
        "version-bump-too-small": "(with `--base`) the version went up, but by less than "
        "the change requires.",
    }
    assert rules["version-bump-too-small"]["fullDescription"]["text"] == (
        "A breaking (major) change needs a major bump, a feature (minor) change at least a "
        "minor one, a patch-level change at least a patch. Below 1.0.0, SemVer's 0.x rule "
        "applies: a breaking change needs a minor bump, a feature a patch."
    )
    readiness = rules["readiness"]["fullDescription"]["text"]
    assert readiness.startswith("One finding per missing element, at the item's `status` line")
    assert "| policy | `spec.rules` (at least one), `spec.review_by` |\n" in readiness
    assert readiness.endswith("adds or drops requirements per kind and status (README).")
    assert {r: d["helpUri"] for r, d in rules.items()} == {
        "readiness": f"{RULES_DOC_URL}#readiness",
        "template-inputs": f"{RULES_DOC_URL}#template-inputs",
        "version-bump-too-small": f"{RULES_DOC_URL}#version-bump-too-small",
    }
    # SARIF1001 refuses a `name` equal to the id but for case: one-word ids have none
    assert "name" not in rules["readiness"]
    assert rules["template-inputs"]["name"] == "TemplateInputs"
    assert RULES_DOC_URL == "https://github.com/backlog-cli/backlog-cli/blob/main/docs/rules.md"


def test_every_rule_descriptor_is_whole_and_documented() -> None:
    headings = re.findall(r"^## (\S+)$", RULES_MD.read_text(encoding="utf-8"), flags=re.M)
    assert headings == list(RULE_IDS)
    for rule_id, module in registry().items():
        d = _descriptor(rule_id, module)
        short, full = d["shortDescription"]["text"], d["fullDescription"]["text"]
        doc = (module.__doc__ or "").strip()
        first_paragraph = " ".join(doc.split("\n\n", 1)[0].split())
        # the summary is the docstring's whole first paragraph, never its first line alone
        assert f"{rule_id}: {short}" == first_paragraph, rule_id
        assert short.endswith(".") and "\n" not in short, rule_id
        assert short.count(". ") == 0, rule_id  # one sentence
        assert full and not full.startswith(short) and full.endswith("."), rule_id
        assert d["helpUri"] == f"{RULES_DOC_URL}#{rule_id}", rule_id


def test_rules_json_summary_is_the_whole_sentence() -> None:
    done = run_cli("rules", "--format", "json")
    summaries = {r["id"]: r["summary"] for r in json.loads(done.stdout)["rules"]}
    assert summaries["template-inputs"] == (
        "a prompt template uses a variable not declared in `inputs`, or a required input is "
        "never used."
    )


def test_docs_rules_page_is_generated_from_the_docstrings() -> None:
    assert RULES_MD.read_text(encoding="utf-8") == helpdoc.rules_page(), (
        "docs/rules.md is stale: run `python -m backlog_cli.helpdoc --rules docs/rules.md`"
    )


def test_descriptors_with_help_uri_pass_the_sarif_multitool(tmp_path: Path) -> None:
    tool = require(
        _multitool(), "SARIF Multitool not installed (npm install @microsoft/sarif-multitool-linux)"
    )
    repo = _repo(tmp_path)
    log = tmp_path / "out" / "backlog.sarif"
    done = run_cli("check", "--base", "main", "--format", "sarif", "--output", str(log), cwd=repo)
    assert done.returncode == 1, done.stderr
    assert os.path.getsize(log) > 0
    assert _validate(tool, log) == []
