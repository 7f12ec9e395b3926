"""`bump --auto --update-dependents` (issue 13 §2): the ranges a bump breaks are widened in
their own style, the referrers bumped as that change requires, until stable; the items to
re-validate are named; `check --base` passes afterwards. Byte-exact, all or nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, item, run_cli, write_backlog

# ready and done referrers (to be re-validated) without their full Definition of Ready
CONFIG = "items: backlog/\nrules:\n  readiness: off\n  status-consistency: off\n"

TOOL = item("tool", "search-kb", spec="side_effects: read")
LLM = item("model", "llm", spec="provider: openai\nname: gpt-4o\ncontext_window: 8000")
PROMPT = item(
    "prompt",
    "answer",
    status="ready",
    extra="depends_on: [tool/search-kb@^1.0]  # the tool it calls",
    spec="model: model/llm@^1.0\ntemplate: 'Answer {{ question }}'\n"
    "inputs:\n  question: {type: string, required: true}",
)
AGENT = item(
    "agent",
    "bot",
    status="done",
    spec="pattern: sequential\nprompts:\n  - 'prompt/answer@~1.0.0'  # pinned to patches",
)
ROUTER = item("agent", "router", spec="pattern: dynamic\nagents: [agent/bot@1.0.0]")


def repo(tmp_path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    root = write_backlog(
        tmp_path / "repo",
        files
        or {
            "backlog/tools/search-kb.yaml": TOOL,
            "backlog/prompts/answer.yaml": PROMPT,
            "backlog/models/llm.yaml": LLM,
            "backlog/agents/bot.yaml": AGENT,
            "backlog/agents/router.yaml": ROUTER,
        },
        CONFIG,
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def edit(path: Path, old: str, new: str) -> None:
    data = path.read_bytes()
    assert old.encode() in data
    path.write_bytes(data.replace(old.encode(), new.encode()))


def snapshot(root: Path) -> dict[str, bytes]:
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted(root.rglob("*.yaml"))}


def test_a_chain_is_widened_and_bumped_until_stable(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root / "backlog/models/llm.yaml", "context_window: 8000\n", "")  # major
    edit(root / "backlog/tools/search-kb.yaml", "side_effects: read", "side_effects: write")
    proc = run_cli("bump", "--auto", "--base", "main", "--update-dependents", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == (
        "model/llm: 1.0.0 -> 2.0.0 (backlog/models/llm.yaml)\n"
        "tool/search-kb: 1.0.0 -> 2.0.0 (backlog/tools/search-kb.yaml)\n"
        "prompt/answer: 1.0.0 -> 1.1.0 (backlog/prompts/answer.yaml)\n"
        "agent/bot: 1.0.0 -> 1.1.0 (backlog/agents/bot.yaml)\n"
        "agent/router: 1.0.0 -> 1.1.0 (backlog/agents/router.yaml)\n"
        "backlog/agents/bot.yaml:11: agent/bot: `prompt/answer@~1.0.0` -> "
        "`prompt/answer@~1.1.0` (admits 1.1.0)\n"
        "backlog/agents/router.yaml:10: agent/router: `agent/bot@1.0.0` -> `agent/bot@1.1.0` "
        "(admits 1.1.0)\n"
        "backlog/prompts/answer.yaml:8: prompt/answer: `tool/search-kb@^1.0` -> "
        "`tool/search-kb@^2.0` (admits 2.0.0)\n"
        "backlog/prompts/answer.yaml:10: prompt/answer: `model/llm@^1.0` -> "
        "`model/llm@^2.0` (admits 2.0.0)\n"
        "re-validate (what they depend on changed):\n"
        "  prompt/answer (ready): model/llm <- prompt/answer (spec.model)\n"
        "  agent/bot (done): model/llm <- prompt/answer (spec.model) <- agent/bot "
        "(spec.prompts)\n"
    )
    assert (root / "backlog/prompts/answer.yaml").read_text(encoding="utf-8") == (
        PROMPT.replace("@^1.0", "@^2.0").replace('"1.0.0"', '"1.1.0"')
    )
    assert (root / "backlog/agents/bot.yaml").read_text(encoding="utf-8") == AGENT.replace(
        "@~1.0.0'", "@~1.1.0'"
    ).replace('"1.0.0"', '"1.1.0"')
    assert (root / "backlog/agents/router.yaml").read_text(encoding="utf-8") == ROUTER.replace(
        "@1.0.0]", "@1.1.0]"
    ).replace('"1.0.0"', '"1.1.0"')
    check = run_cli("check", "--base", "main", cwd=root)
    assert check.returncode == 0, check.stdout
    again = run_cli("bump", "--auto", "--base", "main", "--update-dependents", cwd=root)
    assert again.stdout == "nothing to bump: every changed item already has the version it needs\n"


def test_an_envelope_range_is_widened_without_a_bump(tmp_path: Path) -> None:
    """`depends_on` is not the contract (`spec` is): widened, and the prompt keeps 1.0.0."""
    root = repo(tmp_path)
    edit(root / "backlog/tools/search-kb.yaml", "side_effects: read", "side_effects: write")
    proc = run_cli("bump", "--auto", "--base", "main", "--update-dependents", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == (
        "tool/search-kb: 1.0.0 -> 2.0.0 (backlog/tools/search-kb.yaml)\n"
        "backlog/prompts/answer.yaml:8: prompt/answer: `tool/search-kb@^1.0` -> "
        "`tool/search-kb@^2.0` (admits 2.0.0)\n"
        "re-validate (what they depend on changed):\n"
        "  prompt/answer (ready): tool/search-kb <- prompt/answer (depends_on)\n"
        "  agent/bot (done): tool/search-kb <- prompt/answer (depends_on) <- agent/bot "
        "(spec.prompts)\n"
    )
    assert run_cli("check", "--base", "main", cwd=root).returncode == 0


def test_without_the_flag_the_broken_ranges_and_the_flag_are_named(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root / "backlog/tools/search-kb.yaml", "side_effects: read", "side_effects: write")
    proc = run_cli("bump", "--auto", "--base", "main", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "tool/search-kb: 1.0.0 -> 2.0.0 (backlog/tools/search-kb.yaml)\n"
        "backlog/prompts/answer.yaml:8: prompt/answer's `tool/search-kb@^1.0` will not admit "
        "2.0.0: check the referrer against the change and widen the range\n"
        "to widen these ranges and bump their referrers in one step: "
        "backlog bump --auto --update-dependents\n"
    )
    misuse = run_cli("bump", "--major", "tool/search-kb", "--update-dependents", cwd=root)
    assert misuse.returncode == 2
    assert misuse.stderr == "backlog: error: --update-dependents only applies to --auto\n"


def test_each_operator_style_and_a_range_that_still_admits(tmp_path: Path) -> None:
    styles = {
        "caret": "^1.0",
        "tilde": "~1.0.0",
        "pin": "1.0.0",
        "eq": "=1.0.0",
        "window": ">=1.0 <2.0",
        "hyphen": "1.0.0 - 1.9.9",
        "xrange": "1.x",
        "alternatives": "^0.9 || ^1.0",
        "loose": ">=1.0.0",
    }
    files: dict[str, str | bytes] = {"backlog/tools/search-kb.yaml": TOOL}
    for name, written in styles.items():
        files[f"backlog/agents/{name}.yaml"] = item(
            "agent", name, spec=f"pattern: sequential\ntools: ['tool/search-kb@{written}']"
        )
    root = repo(tmp_path, files)
    edit(root / "backlog/tools/search-kb.yaml", "side_effects: read", "side_effects: write")
    before = snapshot(root)
    dry = run_cli("bump", "--auto", "--base", "main", "--update-dependents", "--dry-run", cwd=root)
    assert dry.returncode == 0, dry.stdout + dry.stderr
    assert snapshot(root) == before
    edits = [line for line in dry.stdout.splitlines() if "(admits 2.0.0)" in line]
    assert edits == [
        "backlog/agents/alternatives.yaml:10: agent/alternatives: `tool/search-kb@^0.9 || "
        "^1.0` -> `tool/search-kb@^0.9 || ^1.0 || ^2.0` (admits 2.0.0)",
        "backlog/agents/caret.yaml:10: agent/caret: `tool/search-kb@^1.0` -> "
        "`tool/search-kb@^2.0` (admits 2.0.0)",
        "backlog/agents/eq.yaml:10: agent/eq: `tool/search-kb@=1.0.0` -> "
        "`tool/search-kb@=2.0.0` (admits 2.0.0)",
        "backlog/agents/hyphen.yaml:10: agent/hyphen: `tool/search-kb@1.0.0 - 1.9.9` -> "
        "`tool/search-kb@2.0.0 - 2.9.9` (admits 2.0.0)",
        "backlog/agents/pin.yaml:10: agent/pin: `tool/search-kb@1.0.0` -> "
        "`tool/search-kb@2.0.0` (admits 2.0.0)",
        "backlog/agents/tilde.yaml:10: agent/tilde: `tool/search-kb@~1.0.0` -> "
        "`tool/search-kb@~2.0.0` (admits 2.0.0)",
        "backlog/agents/window.yaml:10: agent/window: `tool/search-kb@>=1.0 <2.0` -> "
        "`tool/search-kb@>=2.0 <3.0` (admits 2.0.0)",
        "backlog/agents/xrange.yaml:10: agent/xrange: `tool/search-kb@1.x` -> "
        "`tool/search-kb@2.x` (admits 2.0.0)",
    ]
    assert "agent/loose" not in dry.stdout  # `>=1.0.0` admits 2.0.0: left alone
    assert "  minor: range of `tool/search-kb` in `tools` changed from `^1.0` to `^2.0`" in (
        dry.stdout
    )
    assert dry.stdout.endswith("dry run: nothing written\n")
    proc = run_cli("bump", "--auto", "--base", "main", "--update-dependents", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "`tool/search-kb@~1.0.0` -> `tool/search-kb@~2.0.0`" in proc.stdout
    assert (root / "backlog/agents/loose.yaml").read_bytes() == before["backlog/agents/loose.yaml"]
    check = run_cli("check", "--base", "main", cwd=root)
    assert check.returncode == 0, check.stdout


def test_crlf_bom_comments_and_quotes_are_kept(tmp_path: Path) -> None:
    agent = (
        "\ufeff# the bot\r\n"
        + item("agent", "bot").replace("\n", "\r\n")
        + "spec:\r\n  pattern: sequential   # fixed\r\n"
        + "  tools: [\"tool/search-kb@^1.0\", 'tool/other@^1']  # both\r\n"
        + "  prompts:\r\n    - prompt/p@~1.0 # plain\r\n"
    )
    files: dict[str, str | bytes] = {
        "backlog/tools/search-kb.yaml": TOOL,
        "backlog/tools/other.yaml": item("tool", "other"),
        "backlog/prompts/p.yaml": item("prompt", "p", spec="template: 'x @ y'"),
        "backlog/agents/bot.yaml": agent.encode("utf-8"),
    }
    root = repo(tmp_path, files)
    edit(root / "backlog/tools/search-kb.yaml", "side_effects: read", "side_effects: write")
    edit(root / "backlog/prompts/p.yaml", "'x @ y'", "'x @ z'")
    proc = run_cli("bump", "--auto", "--base", "main", "--update-dependents", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    expected = (
        agent.replace("tool/search-kb@^1.0", "tool/search-kb@^2.0")
        .replace("prompt/p@~1.0", "prompt/p@~1.1")
        .replace('version: "1.0.0"', 'version: "1.1.0"')
    )
    assert (root / "backlog/agents/bot.yaml").read_bytes() == expected.encode("utf-8")
    assert run_cli("check", "--base", "main", cwd=root).returncode == 0


def test_a_failure_mid_way_writes_nothing(tmp_path: Path) -> None:
    escaped = item(
        "agent", "escaped", spec='pattern: sequential\ntools: ["tool/search-kb@\\x5e1.0"]'
    )
    odd = item("agent", "odd", spec="pattern: sequential\ntools: ['tool/search-kb@<=1.x']")
    root = repo(
        tmp_path,
        {
            "backlog/tools/search-kb.yaml": TOOL,
            "backlog/agents/escaped.yaml": escaped,
        },
    )
    edit(root / "backlog/tools/search-kb.yaml", "side_effects: read", "side_effects: write")
    before = snapshot(root)
    proc = run_cli("bump", "--auto", "--base", "main", "--update-dependents", cwd=root)
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr == (
        "backlog: error: backlog/agents/escaped.yaml: `tool/search-kb@^1.0` is not written on "
        "one line as it reads (an escape or a line break inside it); widen it by hand; "
        "nothing written\n"
    )
    assert snapshot(root) == before
    (root / "backlog/agents/escaped.yaml").unlink()
    (root / "backlog/agents/odd.yaml").write_text(odd, encoding="utf-8")
    git(root, "add", "backlog/agents")
    git(root, "commit", "-qm", "odd range")  # the tool's edit stays uncommitted
    before = snapshot(root)
    proc = run_cli("bump", "--auto", "--base", "main", "--update-dependents", cwd=root)
    assert proc.returncode == 2, proc.stdout
    assert proc.stderr == (
        "backlog: error: backlog/agents/odd.yaml:10: cannot widen `tool/search-kb@<=1.x` to "
        "admit 2.0.0 in its own style; widen it by hand, then run bump again (nothing written)\n"
    )
    assert snapshot(root) == before


def test_json_has_the_range_edits_and_what_to_revalidate(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root / "backlog/models/llm.yaml", "context_window: 8000\n", "")  # major
    before = snapshot(root)
    proc = run_cli(
        "bump", "--auto", "--base", "main", "--update-dependents", "--dry-run",
        "--format", "json", cwd=root,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    payload = json.loads(proc.stdout)
    assert snapshot(root) == before
    assert [(b["item"], b["to"]) for b in payload["bumped"]] == [
        ("model/llm", "2.0.0"),
        ("prompt/answer", "1.1.0"),
        ("agent/bot", "1.1.0"),
        ("agent/router", "1.1.0"),
    ]
    assert payload["bumped"][1]["why"] == ["minor: model range changed from `^1.0` to `^2.0`"]
    assert payload["range_edits"][2] == {
        "referrer": "prompt/answer",
        "path": "backlog/prompts/answer.yaml",
        "line": 10,
        "from": "model/llm@^1.0",
        "to": "model/llm@^2.0",
        "version": "2.0.0",
    }
    assert payload["revalidate"] == [
        {
            "item": "prompt/answer",
            "status": "ready",
            "why": "model/llm <- prompt/answer (spec.model)",
        },
        {
            "item": "agent/bot",
            "status": "done",
            "why": "model/llm <- prompt/answer (spec.model) <- agent/bot (spec.prompts)",
        },
    ]
    assert payload["broken_ranges"] == []
