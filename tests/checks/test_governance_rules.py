"""status-consistency, missing-file, review-overdue, model-sunset and waivers, both sides."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from tests.conftest import check, item, run_cli, write_backlog


def found(root: Path, rule: str) -> list[tuple[str, int, int, str, str]]:
    return [
        (d.path, d.line, d.column, d.severity, d.message)
        for d in check(root).diagnostics
        if d.rule == rule
    ]


def test_status_consistency(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/a.yaml": item(
                "agent", "a", status="ready", spec="prompts: [prompt/new, prompt/old, prompt/ok]"
            ),
            "backlog/b.yaml": item("agent", "b", status="refined", spec="prompts: [prompt/new]"),
            "backlog/c.yaml": item("agent", "c", status="deprecated", spec="prompts: [prompt/old]"),
            "backlog/new.yaml": item("prompt", "new", status="proposed"),
            "backlog/old.yaml": item("prompt", "old", status="deprecated"),
            "backlog/ok.yaml": item("prompt", "ok", status="refined"),
        },
    )
    assert found(root, "status-consistency") == [
        (
            "backlog/a.yaml",
            9,
            13,
            "error",
            "`agent/a` is ready but depends on `prompt/new`, which is only proposed",
        ),
        (
            "backlog/a.yaml",
            9,
            25,
            "warning",
            "`agent/a` depends on `prompt/old`, which is deprecated",
        ),
    ]


def test_missing_file(tmp_path: Path) -> None:
    outside = tmp_path / "secret.j2"
    outside.write_text("{{ password }}", encoding="utf-8")
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/p/ok.yaml": item("prompt", "ok", spec="template_file: t/ok.j2"),
            "backlog/p/t/ok.j2": "Hi {{ name }}",
            "backlog/p/root.yaml": item("prompt", "root", spec="template_file: /shared/x.j2"),
            "shared/x.j2": "root-relative",
            "backlog/p/gone.yaml": item("prompt", "gone", spec="template_file: t/gone.j2"),
            "backlog/p/up.yaml": item("prompt", "up", spec="template_file: ../../../secret.j2"),
            "backlog/p/link.yaml": item("prompt", "link", spec="template_file: t/link.j2"),
            "backlog/e.yaml": item("evaluation", "e", spec="config: evals/none.json"),
        },
    )
    os.symlink(outside, root / "backlog/p/t/link.j2")
    result = found(root, "missing-file")
    assert [(p, line, col) for p, line, col, _, _ in result] == [
        ("backlog/e.yaml", 9, 11),
        ("backlog/p/gone.yaml", 9, 18),
        ("backlog/p/link.yaml", 9, 18),
        ("backlog/p/up.yaml", 9, 18),
    ]
    messages = [m for *_, m in result]
    assert messages[0] == "`spec.config` `evals/none.json`: no such file"
    assert "leads outside the repository (through a symlink)" in messages[2]
    assert "leaves the repository" in messages[3]
    cli = run_cli("check", "--format", "json", cwd=root)
    assert "password" not in cli.stdout


def test_review_overdue(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKLOG_TODAY", "2026-11-26")
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/late.yaml": item("policy", "late", spec="review_by: 2026-11-25"),
            "backlog/today.yaml": item("policy", "today", spec="review_by: 2026-11-26"),
            "backlog/old.yaml": item(
                "policy", "old", status="deprecated", spec="review_by: 2020-01-01"
            ),
        },
    )
    assert found(root, "review-overdue") == [
        (
            "backlog/late.yaml",
            9,
            14,
            "warning",
            "review of `policy/late` was due on 2026-11-25 (1 day ago)",
        )
    ]


def test_model_sunset(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("BACKLOG_TODAY", "2026-11-26")
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/gone.yaml": item("model", "gone", spec="sunset: 2026-11-26"),
            "backlog/soon.yaml": item("model", "soon", spec="sunset: 2026-12-26"),
            "backlog/later.yaml": item("model", "later", spec="sunset: 2026-12-27"),
            "backlog/p.yaml": item("prompt", "p", spec="model: model/gone"),
            "backlog/a.yaml": item("agent", "a", spec="model: model/soon\nprompts: [prompt/p]"),
            "backlog/b.yaml": item("agent", "b", spec="model: model/later"),
            "backlog/d.yaml": item("agent", "d", status="deprecated", spec="model: model/gone"),
        },
    )
    assert found(root, "model-sunset") == [
        (
            "backlog/a.yaml",
            9,
            10,
            "warning",
            "`agent/a` uses `model/soon`, which is retired on 2026-12-26 (in 30 days)",
        ),
        (
            "backlog/p.yaml",
            9,
            10,
            "error",
            "`prompt/p` uses `model/gone`, which was retired on 2026-11-26",
        ),
    ]


WAIVED_CONFIG = """
waivers:
  - rule: unknown-reference
    item: agent/a
    reason: the tool lands next sprint
    expires: {expires}
    approved_by: "@lead"
"""


def test_live_waiver_suppresses_exactly_that_rule_on_that_item(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/a.yaml": item(
                "agent", "a", spec="tools: [tool/missing]\nmodel: model/nope@^x"
            ),
            "backlog/b.yaml": item("agent", "b", spec="tools: [tool/missing]"),
        },
        config=WAIVED_CONFIG.format(expires="2027-01-31"),
    )
    env = {"BACKLOG_TODAY": "2026-11-26"}
    result = run_cli("check", "--format", "json", cwd=root, env=env)
    payload = json.loads(result.stdout)
    assert payload["summary"]["waived"] == 2
    assert {(d["rule"], d["item"]) for d in payload["waived"]} == {("unknown-reference", "agent/a")}
    remaining = {(d["rule"], d["item"]) for d in payload["diagnostics"]}
    assert remaining == {("unknown-reference", "agent/b")}
    text = run_cli("check", cwd=root, env=env)
    assert "waived (2):" in text.stdout and "(2 waived)" in text.stdout
    assert text.returncode == 1


def test_expired_waiver_is_an_error_and_no_longer_applies(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "r",
        {
            "backlog/a.yaml": item("agent", "a", spec="tools: [tool/missing]"),
        },
        config=WAIVED_CONFIG.format(expires="2026-11-25"),
    )
    result = run_cli("check", "--format", "json", cwd=root, env={"BACKLOG_TODAY": "2026-11-26"})
    payload = json.loads(result.stdout)
    assert payload["waived"] == []
    rules = [(d["rule"], d["path"], d["line"], d["column"]) for d in payload["diagnostics"]]
    assert ("waiver-expired", "backlog.yaml", 3, 5) in rules
    assert ("unknown-reference", "backlog/a.yaml", 9, 11) in rules


@pytest.mark.parametrize(
    ("waiver", "message"),
    [
        ("{rule: cycle, item: agent/a, expires: 2027-01-01}", "waiver without `reason`"),
        ("{rule: cycle, item: agent/a, reason: x}", "waiver without `expires`"),
        ("{rule: cycel, item: agent/a, reason: x, expires: 2027-01-01}", "did you mean `cycle`?"),
        ("{rule: cycle, item: agnt/a, reason: x, expires: 2027-01-01}", "is not an item `kind/id`"),
        ("{rule: cycle, item: agent/a, reason: x, expires: soon}", "`soon` is not a date"),
        (
            "{rule: cycle, item: agent/a, reason: x, expires: 2027-01-01, by: me}",
            "unknown key `by`",
        ),
    ],
)
def test_bad_waiver_is_a_config_error(tmp_path: Path, waiver: str, message: str) -> None:
    root = write_backlog(
        tmp_path / "r", {"backlog/a.yaml": item("agent", "a")}, config=f"waivers:\n  - {waiver}\n"
    )
    result = run_cli("check", cwd=root)
    assert result.returncode == 2
    assert message in result.stderr and "backlog.yaml:2:" in result.stderr


def test_bad_backlog_today_is_exit_2(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/a.yaml": item("agent", "a")})
    result = run_cli("check", cwd=root, env={"BACKLOG_TODAY": "tomorrow"})
    assert result.returncode == 2 and "BACKLOG_TODAY" in result.stderr
