"""Every command's `--format json` output is valid against its committed contract.

The contracts (`schemas/*-result.schema.json`) are written by hand and are the only copy of
the promise to scripts, so this module is what holds the output to them: the real CLI runs
on a real git repository (the support-copilot example, then a realistic change set) and
each output is validated with a Draft 2020-12 validator that also checks `format`s. Each
run is arranged to fill the optional corners of its contract (null items and hints, waived
and baselined findings, every diff state, a renamed item, a template change, the working
tree in a history, a dangling reference, `why` paths), and the test asserts that it did, so
a contract corner that no output reaches cannot pass unnoticed.
"""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from backlog_cli import schemas
from tests.conftest import git, run_cli

REPO = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO / "schemas"
EXAMPLE = REPO / "examples" / "support-copilot"
# the commands with a JSON output, each with its contract
CONTRACTS = {
    name: f"{name}-result"
    for name in (
        "bump",
        "check",
        "diff",
        "history",
        "impact",
        "init",
        "lineage",
        "list",
        "new",
        "rules",
        "show",
        "status",
    )
}
CONTRACTS["evidence record"] = "evidence-record-result"
CONFIG = """
rules:
  unknown-reference: warning
  review-overdue: off           # keeps the run independent of today's date
waivers:
  - {rule: version-constraint, item: agent/refund-assistant, reason: moves to v2 next sprint,
     expires: 2099-12-31, approved_by: "@head-of-ai"}
"""


def validate(name: str, payload: Any) -> None:
    """`payload` is valid against the committed contract of command `name`."""
    schema = json.loads((SCHEMA_DIR / schemas.file_name(CONTRACTS[name])).read_text("utf-8"))
    validator = Draft202012Validator(schema, format_checker=Draft202012Validator.FORMAT_CHECKER)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(payload)]
    assert errors == [], f"{name} --format json breaks {CONTRACTS[name]}"


def run_json(*args: str, cwd: Path, code: int = 0) -> Any:
    """The JSON a command prints, after checking its exit code."""
    proc = run_cli(*args, "--format", "json", cwd=cwd)
    assert proc.returncode == code, proc.stdout + proc.stderr
    return json.loads(proc.stdout)


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"{old!r} not in {path}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.fixture(scope="module")
def repo(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example at two commits (the second, tagged `base`, a minor change to
    prompt/support-triage), then a working tree with one item of every diff state, a
    template edit, findings recorded in a baseline and new ones, and a waiver."""
    root = tmp_path_factory.mktemp("contracts") / "repo"
    shutil.copytree(EXAMPLE, root)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "the example")
    items = root / "backlog"
    edit(
        items / "prompts/support-triage.yaml",
        "    previous_tickets:",
        "    sentiment:\n      type: string\n      required: false\n"
        "      description: Sentiment of the first message.\n    previous_tickets:",
    )
    edit(items / "prompts/support-triage.yaml", 'version: "1.2.3"', 'version: "1.3.0"')
    git(root, "commit", "-qam", "triage: an optional sentiment input")
    git(root, "tag", "base")

    # the change set, in the working tree
    (items / "prompts/macro-suggest-legacy.yaml").unlink()  # removed
    shutil.copy(items / "tools/ticket-update.yaml", items / "tools/ticket-tagger.yaml")
    edit(items / "tools/ticket-tagger.yaml", "id: ticket-update", "id: ticket-tagger")  # added
    edit(items / "tools/kb-search.yaml", "side_effects: none", "side_effects: write")  # no bump
    edit(items / "tools/order-lookup.yaml", "side_effects: read", "side_effects: write")
    edit(items / "tools/order-lookup.yaml", 'version: "1.3.0"', 'version: "2.0.0"')  # breaks ranges
    (items / "datasets/rag").mkdir()
    git(root, "mv", "backlog/datasets/kb-articles.yaml", "backlog/datasets/rag/")  # moved
    git(
        root,
        "mv",
        "backlog/datasets/ticket-history.yaml",
        "backlog/datasets/support-ticket-history.yaml",
    )
    edit(
        items / "datasets/support-ticket-history.yaml",
        "id: ticket-history",
        "id: support-ticket-history\nrenamed_from: [dataset/ticket-history]",
    )  # renamed
    edit(
        items / "prompts/templates/support-triage.j2",
        "Classify the\nticket below.",
        "Classify the\nticket below, in one pass.",
    )  # a template change
    (items / "prompts/scratch.yaml").write_text("id: [unclosed\n", encoding="utf-8")
    baseline = run_cli("check", "--write-baseline", ".backlog-baseline.json", cwd=root)
    assert baseline.returncode == 0, baseline.stderr
    (items / "prompts/scratch.yaml").unlink()  # a baselined finding that is fixed
    (items / "drafts").mkdir()
    # a syntax error no hint explains (an unclosed bracket now has one): the null hint
    (items / "drafts/half-written.yaml").write_text("kind: prompt\nid\n", encoding="utf-8")
    edit(
        items / "agents/triage-orchestrator.yaml",
        "    - tool/order-lookup@>=1.0.0 <2.0.0",
        "    - tool/order-lookup@>=1.0.0 <2.0.0\n    - tool/sla-timer",
    )  # a dangling reference
    with (root / "backlog.yaml").open("a", encoding="utf-8") as config:
        config.write(CONFIG)
    return root


@pytest.fixture
def writable(repo: Path, tmp_path: Path) -> Path:
    """A copy of `repo`, git history included, for the commands that write."""
    return Path(shutil.copytree(repo, tmp_path / "repo", symlinks=True))


def test_every_command_with_json_output_has_a_contract_here() -> None:
    contracts = {p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*-result.*")}
    assert contracts == set(CONTRACTS.values())


@pytest.mark.parametrize("name", sorted(CONTRACTS))
def test_contract_is_a_draft_2020_12_schema_with_its_id(name: str) -> None:
    text = (SCHEMA_DIR / schemas.file_name(CONTRACTS[name])).read_text(encoding="utf-8")
    contract = json.loads(text)
    Draft202012Validator.check_schema(contract)
    assert contract["$schema"] == schemas.SCHEMA_DIALECT
    assert contract["$id"] == schemas.ID_BASE + schemas.file_name(CONTRACTS[name])
    assert contract["title"] == f"backlog {name} --format json"
    assert contract["type"] == "object"
    assert contract["required"][0] == "version"
    assert contract["properties"]["version"]["const"] == 1
    # edited by hand, printed by `backlog schema` as loaded: the file must be in that form
    assert text == schemas.dumps(contract)


def test_check(repo: Path) -> None:
    payload = run_json(
        "check", "--base", "base", "--baseline", ".backlog-baseline.json", cwd=repo, code=1
    )
    validate("check", payload)
    summary, found = payload["summary"], payload["diagnostics"]
    assert summary["errors"] and summary["warnings"] and summary["waived"]
    assert summary["baselined"] and summary["stale_baseline"]
    assert {d["severity"] for d in found} == {"error", "warning"}
    assert any(d["item"] is None and d["hint"] is None for d in found)  # yaml-syntax
    assert [d["rule"] for d in payload["waived"]] == ["version-constraint"]


def test_diff(repo: Path) -> None:
    payload = run_json("diff", "base", cwd=repo)
    validate("diff", payload)
    assert payload["head"] == {"ref": "working tree", "commit": None}
    items = {i["item"]: i for i in payload["items"]}
    assert {i["state"] for i in items.values()} == {"added", "removed", "moved", "changed"}
    renamed = items["dataset/support-ticket-history"]
    assert (renamed["renamed_from"], renamed["moved"]) == ("dataset/ticket-history", True)
    assert items["prompt/support-triage"]["template_diff"]
    assert items["prompt/support-triage"]["bump_ok"] is False
    assert items["tool/order-lookup"]["bump_ok"] is True
    assert items["tool/ticket-tagger"]["bump_ok"] is None
    assert any(i["fields"] for i in items.values())


@pytest.mark.parametrize(
    ("item", "last_level"),
    [
        ("prompt/support-triage", "minor"),  # a template edit in the working tree
        ("prompt/macro-suggest-legacy", "removed"),
        ("dataset/support-ticket-history", "none"),  # renamed and moved
    ],
)
def test_history(repo: Path, item: str, last_level: str) -> None:
    payload = run_json("history", item, cwd=repo)
    validate("history", payload)
    entries = payload["entries"]
    assert entries[0]["level"] == "added" and entries[0]["commit"]
    assert entries[-1]["commit"] is None and entries[-1]["level"] == last_level


def test_lineage(repo: Path) -> None:
    payload = run_json("lineage", "agent/triage-orchestrator", "--depth", "2", cwd=repo)
    validate("lineage", payload)
    assert payload["depth"] == 2 and payload["edges"]
    assert {n["direction"] for n in payload["nodes"]} == {"root", "up", "down"}
    assert any(n["missing"] and n["path"] is None for n in payload["nodes"])


def test_impact(repo: Path) -> None:
    payload = run_json("impact", "--base", "base", cwd=repo)
    validate("impact", payload)
    assert {c["state"] for c in payload["changed"]} == {"added", "changed", "removed"}
    assert payload["evaluations"] and payload["owners"]
    assert {b["from"] for b in payload["broken_constraints"]} >= {"agent/refund-assistant"}


def test_status(repo: Path) -> None:
    payload = run_json("status", cwd=repo)
    validate("status", payload)
    assert payload["not_ready"] and payload["ready_to_pick_up"]


def test_list_with_select(repo: Path) -> None:
    payload = run_json("list", "--select", "tool/order-lookup+", cwd=repo)
    validate("list", payload)
    why = {i["key"]: i["why"] for i in payload["items"]}
    assert why["tool/order-lookup"] == {"seed": "tool/order-lookup+", "path": []}
    assert why["agent/refund-assistant"]["path"]


def test_show(repo: Path) -> None:
    payload = run_json("show", "agent/triage-orchestrator", cwd=repo)
    validate("show", payload)
    upstream = {u["item"]: u for u in payload["upstream"]}
    assert upstream["tool/sla-timer"]["exists"] is False
    assert upstream["tool/order-lookup"]["admitted"] is False
    # a downstream link carries the referrer's range on this item, never tested against
    # the referrer's own version
    assert {d["admitted"] for d in payload["downstream"]} == {None}
    assert any(d["range"] for d in payload["downstream"])


def test_rules(repo: Path) -> None:
    payload = run_json("rules", cwd=repo)
    validate("rules", payload)
    assert {r["id"] for r in payload["rules"]} >= {"schema", "cycle", "secret"}
    assert {r["severity"] for r in payload["rules"]} == {"error", "warning", "off"}


def test_bump(writable: Path) -> None:
    # the fixture's backlog has open errors: --auto stops at them (exit 1), --force goes ahead
    refused = run_json("bump", "--auto", "--base", "base", "tool/kb-search", cwd=writable, code=1)
    validate("bump", refused)
    assert refused["blocking"] and not refused["written"]
    dry = run_json(
        "bump", "--auto", "--force", "--dry-run", "--base", "base", "tool/kb-search", cwd=writable
    )
    validate("bump", dry)
    dependents = run_json(
        "bump", "--auto", "--force", "--dry-run", "--update-dependents", "--base", "base",
        cwd=writable,
    )  # fmt: skip
    validate("bump", dependents)
    assert dependents["range_edits"] or dependents["revalidate"] or dependents["bumped"]
    payload = run_json(
        "bump", "--auto", "--force", "--base", "base", "tool/kb-search", cwd=writable
    )
    validate("bump", payload)
    assert payload["bumped"][0]["item"] == "tool/kb-search"
    assert payload["bumped"][0]["to"].startswith("3.")  # side_effects widened: major


def test_new(writable: Path) -> None:
    payload = run_json("new", "tool", "fresh-tool", cwd=writable)
    validate("new", payload)
    assert payload["path"] == "backlog/tools/fresh-tool.yaml"


def test_init(tmp_path: Path) -> None:
    git(tmp_path, "init", "-q")
    first = run_json("init", cwd=tmp_path)
    validate("init", first)
    assert first["example"]["written"] is True and first["example"]["skipped"] is None
    again = run_json("init", "--force", cwd=tmp_path)
    validate("init", again)
    assert again["example"] == {
        "path": "backlog/prompts/example-prompt.yaml",
        "written": False,
        "skipped": "already exists",
    }


def test_evidence_record(writable: Path) -> None:
    run = {
        "metrics": [
            {"metric": "groundedness", "value": 0.96, "n": 300},
            {"metric": "citation_precision", "value": 0.88, "n": 300},
            {"metric": "refusal_when_unanswerable", "value": 0.85},
        ],
        "harness": {"name": "reply-judge", "version": "2.3.0"},
    }
    (writable / "run.json").write_text(json.dumps(run), encoding="utf-8")
    payload = run_json(
        "evidence", "record", "evaluation/reply-groundedness", "--from", "run.json", cwd=writable
    )
    validate("evidence record", payload)
    assert payload["path"].startswith("evidence/reply-groundedness/")
    assert payload["dataset"] is not None and len(payload["targets"]) == 3
    assert [m["passed"] for m in payload["metrics"]] == [True, False, True]
    assert payload["metrics"][2]["n"] is None and payload["commit"] is not None
