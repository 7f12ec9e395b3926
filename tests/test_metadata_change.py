"""Governance metadata is not a contract change (issue 13 §3): title, description, owner,
tags, priority, a policy's `review_by`, a model's `sunset` and `x-*` fields alone are the
change class `metadata` — no bump, reported as metadata by `diff`, nothing downstream for
`impact` — on real git repositories through the real CLI."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from backlog_cli.classify import classify, metadata_changes
from tests.conftest import git, item, run_cli, write_backlog

REPO = Path(__file__).resolve().parent.parent
CONFIG = "items: backlog/\nrules:\n  readiness: off\n"
POLICY = "backlog/policies/pii.yaml"
FILES: dict[str, str | bytes] = {
    POLICY: item(
        "policy",
        "pii",
        status="done",
        spec="""
        rules: [{id: r1, description: redact emails, action: redact}]
        review_by: 2099-01-01
    """,
    ),
    "backlog/prompts/triage.yaml": item(
        "prompt",
        "triage",
        status="ready",
        extra="safety: {policies: ['policy/pii@^1.0']}",
        spec="template: 'Hi there'",
    ),
    "backlog/evaluations/ev.yaml": item(
        "evaluation", "ev", status="ready", spec="targets: [prompt/triage]"
    ),
    "backlog/models/m.yaml": item("model", "m", spec="provider: openai\nsunset: 2026-06-30"),
}


def _repo(tmp_path: Path) -> Path:
    root = write_backlog(tmp_path / "repo", FILES, config=CONFIG)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def _edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def _json(root: Path, *args: str) -> dict[str, object]:
    result = run_cli(*args, "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    data: dict[str, object] = json.loads(result.stdout)
    return data


def _validate(data: object, contract: str) -> None:
    schema = json.loads((REPO / f"schemas/{contract}-result.schema.json").read_text("utf-8"))
    Draft202012Validator(schema).validate(data)


def _sha(root: Path) -> str:
    return git(root, "rev-parse", "HEAD").strip()[:12]


EDITS = [
    ("review_by", POLICY, "review_by: 2099-01-01", "review_by: 2100-06-30"),
    ("title", POLICY, "title: Pii", "title: PII redaction"),
    ("owner", POLICY, "owner: team-ai", "owner: '@lena'"),
    ("tags", POLICY, "status: done", "status: done\ntags: [pii, gdpr]"),
    ("priority", POLICY, "status: done", "status: done\npriority: P1"),
    ("description", POLICY, "status: done", "status: done\ndescription: Masks emails."),
    ("x-field", POLICY, "status: done", "status: done\nx-ticket: SEC-12"),
    ("spec x-field", POLICY, "review_by:", "x-jira: SEC-1\n  review_by:"),
    ("sunset", "backlog/models/m.yaml", "sunset: 2026-06-30", "sunset: 2027-01-31"),
]


@pytest.mark.parametrize(("rel", "old", "new"), [e[1:] for e in EDITS], ids=[e[0] for e in EDITS])
def test_a_metadata_edit_needs_no_bump_and_impacts_nothing(
    tmp_path: Path, rel: str, old: str, new: str
) -> None:
    root = _repo(tmp_path)
    _edit(root, rel, old, new)
    check = run_cli("check", "--base", "main", cwd=root)
    assert check.returncode == 0, check.stdout + check.stderr
    assert check.stdout == "4 items checked: no problems\n"
    diff = _json(root, "diff", "main")
    _validate(diff, "diff")
    [entry] = diff["items"]  # type: ignore[misc]
    assert (entry["level"], entry["required_bump"], entry["bump_ok"]) == ("metadata", "none", True)
    assert entry["reasons"] and {r["level"] for r in entry["reasons"]} == {"metadata"}
    impact = _json(root, "impact", "--base", "main")
    _validate(impact, "impact")
    assert impact["summary"] == {
        "changed": 1,
        "impacted": 0,
        "revalidate": 0,
        "evaluations": 0,
        "broken_constraints": 0,
    }
    assert impact["impacted"] == impact["evaluations"] == impact["owners"] == []


def _review_by_moved(tmp_path: Path) -> Path:
    root = _repo(tmp_path)
    _edit(root, POLICY, "review_by: 2099-01-01", "review_by: 2100-06-30")
    _edit(root, POLICY, "title: Pii", "title: PII redaction")
    return root


def test_diff_text_shows_the_metadata_class(tmp_path: Path) -> None:
    root = _review_by_moved(tmp_path)
    result = run_cli("diff", "main", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        f"diff main ({_sha(root)}) .. working tree\n"
        "\n"
        "~ policy/pii  1.0.0 -> 1.0.0  [metadata]  changed\n"
        "    backlog/policies/pii.yaml\n"
        "    metadata  `title` changed from Pii to PII redaction\n"
        "    metadata  `review_by` changed from 2099-01-01 to 2100-06-30\n"
        '      title: "Pii" -> "PII redaction"\n'
        '      spec.review_by: "2099-01-01" -> "2100-06-30"\n'
        "    version: metadata only: no bump needed\n"
        "\n"
        "1 changed, 0 added, 0 removed, 0 moved; 0 version problems\n"
    )


def test_diff_json_and_markdown_show_the_metadata_class(tmp_path: Path) -> None:
    root = _review_by_moved(tmp_path)
    [entry] = _json(root, "diff", "main")["items"]  # type: ignore[misc]
    assert entry["reasons"] == [
        {
            "level": "metadata",
            "path": "title",
            "reason": "`title` changed from Pii to PII redaction",
        },
        {
            "level": "metadata",
            "path": "spec.review_by",
            "reason": "`review_by` changed from 2099-01-01 to 2100-06-30",
        },
    ]
    result = run_cli("diff", "main", "--format", "markdown", cwd=root)
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "### Backlog changes: `main` → the working tree\n"
        "\n"
        "1 changed, 0 added, 0 removed, 0 moved — **0 version problems**\n"
        "\n"
        # issue 13 §5: the item links to its file, at its `version:` line
        "| item | file | change | level | version | bump |\n"
        "|---|---|---|---|---|---|\n"
        "| `policy/pii` | [backlog/policies/pii.yaml:5](backlog/policies/pii.yaml#L5) | changed "
        "| metadata | 1.0.0 → 1.0.0 | ✅ metadata only: no bump needed |\n"
        "\n"
        "<details><summary><code>policy/pii</code>: metadata</summary>\n"
        "\n"
        "- **metadata**: `title` changed from Pii to PII redaction\n"
        "- **metadata**: `review_by` changed from 2099-01-01 to 2100-06-30\n"
        "\n"
        "</details>\n"
    )


def test_impact_asks_no_revalidation_for_metadata(tmp_path: Path) -> None:
    root = _review_by_moved(tmp_path)
    text = run_cli("impact", "--base", "main", cwd=root)
    assert text.returncode == 0, text.stderr
    assert text.stdout == (
        f"impact main ({_sha(root)}) .. working tree\n"
        "1 changed item impact 0 items: 0 to re-validate, 0 evaluations to run, "
        "0 broken constraints\n"
        "\n"
        "changed:\n"
        "  policy/pii  changed [metadata]  1.0.0 -> 1.0.0  (metadata only: nothing downstream)\n"
        "\n"
        "impacted: nothing downstream\n"
        "\n"
        "evaluations to re-run: none\n"
        "\n"
        "owners to notify: none\n"
    )
    assert _json(root, "impact", "--base", "main")["changed"] == [
        {
            "item": "policy/pii",
            "state": "changed",
            "level": "metadata",
            "base_version": "1.0.0",
            "head_version": "1.0.0",
        }
    ]
    markdown = run_cli("impact", "--base", "main", "--format", "markdown", cwd=root)
    assert markdown.stdout == (
        "### Backlog impact: `main` → the working tree\n"
        "\n"
        "**1 changed item impact 0 items: 0 to re-validate, 0 evaluations to run, "
        "0 broken constraints**\n"
        "\n"
        "Metadata only (nothing downstream to re-validate): `policy/pii`\n"
        "\n"
        "**Evaluations to re-run:** none\n"
        "\n"
        "**Owners to notify:** none\n"
    )


def test_a_mixed_change_keeps_its_spec_classification(tmp_path: Path) -> None:
    root = _review_by_moved(tmp_path)
    _edit(root, POLICY, "action: redact", "action: block")  # tightened: minor
    check = run_cli("check", "--base", "main", "--format", "json", cwd=root)
    assert check.returncode == 1
    rules = [d["rule"] for d in json.loads(check.stdout)["diagnostics"]]
    assert rules == ["version-not-bumped"]
    [entry] = _json(root, "diff", "main")["items"]  # type: ignore[misc]
    assert (entry["level"], entry["required_bump"]) == ("minor", "minor")
    assert entry["reasons"] == [
        {
            "level": "minor",
            "path": "spec.rules[r1].action",
            "reason": "rule `r1` action tightened from redact to block",
        }
    ]
    impact = _json(root, "impact", "--base", "main")
    assert impact["summary"]["revalidate"] == 3  # type: ignore[index]
    assert [e["item"] for e in impact["evaluations"]] == ["evaluation/ev"]  # type: ignore[attr-defined]


def test_a_status_change_keeps_its_treatment(tmp_path: Path) -> None:
    """Metadata with a status change is not metadata only: level none, seeds the impact."""
    root = _review_by_moved(tmp_path)
    _edit(root, POLICY, "status: done", "status: in-progress")
    [entry] = _json(root, "diff", "main")["items"]  # type: ignore[misc]
    assert (entry["level"], entry["reasons"]) == ("none", [])
    assert "    version: no bump needed\n" in run_cli("diff", "main", cwd=root).stdout
    impact = _json(root, "impact", "--base", "main")
    assert impact["summary"]["evaluations"] == 1  # type: ignore[index]


def test_history_names_a_metadata_entry(tmp_path: Path) -> None:
    root = _review_by_moved(tmp_path)
    git(root, "commit", "-q", "-am", "review later")
    result = run_cli("history", "policy/pii", cwd=root)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0] == "policy/pii: 2 versions, oldest first"
    assert lines[-1] == (
        "  metadata: `title` changed from Pii to PII redaction; "
        "`review_by` changed from 2099-01-01 to 2100-06-30"
    )
    data = _json(root, "history", "policy/pii")
    _validate(data, "history")
    newest = data["entries"][-1]  # type: ignore[index]
    assert (newest["level"], newest["required_bump"], newest["bump_ok"]) == (
        "metadata",
        "none",
        True,
    )
    assert [r["level"] for r in newest["reasons"]] == ["metadata", "metadata"]


def test_the_classifier_leaves_metadata_out_of_the_spec() -> None:
    def policy(review_by: str, action: str = "redact") -> dict[str, object]:
        spec = {"rules": [{"id": "r", "action": action}], "review_by": review_by}
        return {"kind": "policy", "id": "p", "version": "1.0.0", "title": "P", "spec": spec}

    base, moved = policy("2099-01-01"), policy("2100-01-01")
    assert classify("policy", base, moved) == []
    [edit] = metadata_changes("policy", base, moved)
    assert (edit.path, edit.reason) == (
        "spec.review_by",
        "`review_by` changed from 2099-01-01 to 2100-01-01",
    )
    assert metadata_changes("policy", base, policy("2100-01-01", "block")) == []
    assert metadata_changes("policy", base, {**moved, "version": "1.0.1"}) == []
    assert metadata_changes("policy", base, base) == []
