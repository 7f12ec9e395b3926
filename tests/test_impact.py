"""`backlog impact` on a real repository: a policy change fanning out downstream."""

from __future__ import annotations

import json
from pathlib import Path

from jsonschema import Draft202012Validator

from tests.conftest import git, item, run_cli, write_backlog

REPO = Path(__file__).resolve().parent.parent

POLICY = item(
    "policy",
    "pii",
    version="1.4.0",
    status="done",
    spec="""
    rules: [{id: r1, description: redact emails, action: redact}]
    review_by: 2099-01-01
""",
)
FILES: dict[str, str | bytes] = {
    "backlog/policies/pii.yaml": POLICY,
    "backlog/prompts/triage.yaml": item(
        "prompt",
        "triage",
        status="ready",
        extra="""
        owner_note: x
    """.replace("owner_note: x", "safety: {policies: ['policy/pii@^1.2']}"),
    ),
    "backlog/prompts/reply.yaml": item(
        "prompt", "reply", status="proposed", extra="safety: {policies: [policy/pii]}"
    ).replace("owner: team-ai", "owner: '@lena'"),
    "backlog/agents/bot.yaml": item(
        "agent", "bot", status="in-progress", spec="prompts: [prompt/triage, prompt/reply]"
    ).replace("owner: team-ai", "owner: team-bots"),
    "backlog/capabilities/cap.yaml": item(
        "capability", "cap", status="refined", spec="items: [agent/bot]"
    ),
    "backlog/evaluations/ev.yaml": item(
        "evaluation", "ev", status="in-progress", spec="targets: [prompt/triage]"
    ),
    "backlog/evaluations/cap-ev.yaml": item(
        "evaluation", "cap-ev", status="proposed", spec="targets: [capability/cap]"
    ),
    "backlog/tools/unrelated.yaml": item("tool", "unrelated", status="ready"),
    "backlog/models/m.yaml": item("model", "m"),
}


def repo(tmp_path: Path) -> Path:
    root = write_backlog(tmp_path / "repo", FILES)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    git(root, "checkout", "-q", "-b", "change")
    path = root / "backlog/policies/pii.yaml"
    text = path.read_text(encoding="utf-8").replace("action: redact", "action: flag")
    path.write_text(text.replace('version: "1.4.0"', 'version: "2.0.0"'), encoding="utf-8")
    return root


def test_impact_json_fans_out_with_why_paths(tmp_path: Path) -> None:
    root = repo(tmp_path)
    result = run_cli("impact", "--base", "main", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    data = json.loads(result.stdout)
    schema = json.loads((REPO / "schemas/impact-result.schema.json").read_text(encoding="utf-8"))
    Draft202012Validator(schema).validate(data)
    assert data["changed"] == [
        {
            "item": "policy/pii",
            "state": "changed",
            "level": "major",
            "base_version": "1.4.0",
            "head_version": "2.0.0",
        }
    ]
    impacted = {e["item"]: e for e in data["impacted"]}
    assert set(impacted) == {
        "policy/pii",
        "prompt/triage",
        "prompt/reply",
        "agent/bot",
        "capability/cap",
        "evaluation/ev",
        "evaluation/cap-ev",
    }
    assert "tool/unrelated" not in result.stdout and "model/m" not in result.stdout
    cap = impacted["capability/cap"]
    assert cap["depth"] == 3 and cap["needs_revalidation"] is False
    assert [(e["from"], e["relation"]) for e in cap["why"]["path"]] == [
        ("prompt/reply", "safety.policies"),
        ("agent/bot", "spec.prompts"),
        ("capability/cap", "spec.items"),
    ]
    assert cap["why"]["seed"] == "policy/pii"
    assert impacted["agent/bot"]["needs_revalidation"] is True
    assert [e["item"] for e in data["evaluations"]] == ["evaluation/ev", "evaluation/cap-ev"]
    assert data["broken_constraints"] == [
        {
            "from": "prompt/triage",
            "to": "policy/pii",
            "relation": "safety.policies",
            "range": "^1.2",
            "base_version": "1.4.0",
            "head_version": "2.0.0",
            "path": "backlog/prompts/triage.yaml",
            "line": 8,
        }
    ]
    owners = {o["owner"]: o["items"] for o in data["owners"]}
    assert owners["@lena"] == ["prompt/reply"]
    assert owners["team-bots"] == ["agent/bot"]
    assert data["summary"] == {
        "changed": 1,
        "impacted": 7,
        "revalidate": 4,
        "evaluations": 2,
        "broken_constraints": 1,
    }


def test_impact_text_and_markdown(tmp_path: Path) -> None:
    root = repo(tmp_path)
    text = run_cli("impact", "--base", "main", cwd=root).stdout
    assert (
        "1 changed item impact 7 items: 4 to re-validate, 2 evaluations to run, "
        "1 broken constraint" in text
    )
    assert (
        "why: policy/pii <- prompt/reply (safety.policies) <- agent/bot (spec.prompts) <- "
        "capability/cap (spec.items)" in text
    )
    assert "agent/bot  [in-progress]  team-bots  re-validate" in text
    assert "prompt/triage `safety.policies` policy/pii@^1.2 admitted 1.4.0, not 2.0.0" in text
    markdown = run_cli("impact", "--base", "main", "--format", "markdown", cwd=root).stdout
    assert markdown.startswith("### Backlog impact: `main` → the working tree\n")
    assert "| `agent/bot` | in-progress | team-bots | yes |" in markdown
    assert (
        "**Evaluations to re-run:** `evaluation/ev` (team-ai), `evaluation/cap-ev` (team-ai)"
        in markdown
    )
    assert "`policy/pii@^1.2` admitted 1.4.0 but not 2.0.0" in markdown


def test_moves_are_not_changes_and_nothing_changed(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", FILES)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    (root / "backlog/policies/moved").mkdir()
    git(root, "mv", "backlog/policies/pii.yaml", "backlog/policies/moved/pii.yaml")
    data = json.loads(run_cli("impact", "--base", "main", "--format", "json", cwd=root).stdout)
    assert data["changed"] == [] and data["impacted"] == []
    assert "no item changed" in run_cli("impact", "--base", "main", cwd=root).stdout


def test_removed_item_impacts_its_referrers(tmp_path: Path) -> None:
    root = repo(tmp_path)
    (root / "backlog/prompts/reply.yaml").unlink()
    data = json.loads(run_cli("impact", "--base", "main", "--format", "json", cwd=root).stdout)
    assert {
        "item": "prompt/reply",
        "state": "removed",
        "level": "none",
        "base_version": "1.0.0",
        "head_version": None,
    } in data["changed"]
    bot = next(e for e in data["impacted"] if e["item"] == "agent/bot")
    assert bot["depth"] == 1
