"""duplicate-id, unknown-reference, version-constraint and cycle on real backlogs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import check, item, write_backlog

Finder = Callable[..., list[tuple[str, int, int]]]


def test_duplicate_id_reports_both_places(findings: Finder, tmp_path: Path) -> None:
    files = {
        "backlog/a.yaml": item("prompt", "triage"),
        "backlog/sub/b.yaml": "# moved copy\n" + item("prompt", "triage"),
        "backlog/c.yaml": item("tool", "triage"),  # same id, other kind: fine
    }
    assert findings(files, "duplicate-id") == [("duplicate-id", 3, 5), ("duplicate-id", 4, 5)]
    result = check(tmp_path / "repo")
    messages = [d.message for d in result.diagnostics if d.rule == "duplicate-id"]
    assert messages == [
        "`prompt/triage` is also declared in backlog/sub/b.yaml:4",
        "`prompt/triage` is also declared in backlog/a.yaml:3",
    ]


def test_unknown_reference_with_closest_hint(tmp_path: Path) -> None:
    files = {
        "backlog/m.yaml": item("model", "gpt-4o"),
        "backlog/p.yaml": item(
            "prompt", "p", extra="depends_on: [tool/nothing-like-it]", spec="model: model/gpt-4"
        ),
    }
    root = write_backlog(tmp_path / "repo", files)
    found = [(d.line, d.column, d.message, d.hint) for d in check(root).diagnostics]
    assert (
        8,
        14,
        "`depends_on` references `tool/nothing-like-it`, which does not exist",
        "no tool item has id `nothing-like-it`; create it with "
        "`backlog new tool nothing-like-it` or fix the reference",
    ) in found
    assert (
        10,
        10,
        "`spec.model` references `model/gpt-4`, which does not exist",
        "did you mean `model/gpt-4o`?",
    ) in found


def test_unknown_reference_to_a_renamed_item(tmp_path: Path) -> None:
    files = {
        "backlog/new.yaml": item("prompt", "triage-v2", extra="renamed_from: [prompt/triage]"),
        "backlog/agent.yaml": item("agent", "a", spec="prompts: [prompt/triage]"),
    }
    root = write_backlog(tmp_path / "repo", files)
    hints = [d.hint for d in check(root).diagnostics if d.rule == "unknown-reference"]
    assert hints == [
        "`prompt/triage` was renamed to `prompt/triage-v2`; reference `prompt/triage-v2`"
    ]


def test_every_reference_field_is_followed(findings: Finder) -> None:
    files = {
        "backlog/cap.yaml": item("capability", "c", spec="items: [prompt/x1]"),
        "backlog/prompt.yaml": item(
            "prompt",
            "p",
            extra="safety: {policies: [policy/x2]}",
            spec="model: model/x3\ncontext: [dataset/x4]",
        ),
        "backlog/agent.yaml": item(
            "agent",
            "a",
            spec="model: model/x5\nprompts: [prompt/x6]\ntools: [tool/x7]\nagents: [agent/x8]",
        ),
        "backlog/tool.yaml": item("tool", "t", spec="data: [dataset/x9]"),
        "backlog/ds.yaml": item("dataset", "d", spec="upstream: [dataset/x10]"),
        "backlog/ev.yaml": item(
            "evaluation", "e", spec="targets: [prompt/x11]\ndataset: dataset/x12"
        ),
    }
    assert len(findings(files, "unknown-reference")) == 12


def test_version_constraint_npm_semantics(tmp_path: Path) -> None:
    files = {
        "backlog/m.yaml": item("model", "m", version="0.3.1"),
        "backlog/p.yaml": item("prompt", "p", version="1.4.0"),
        "backlog/a.yaml": item(
            "agent",
            "a",
            spec="""
            model: model/m@^0.2
            prompts:
              - prompt/p@^1.2
              - prompt/p@~1.3.0
              - prompt/p@1.x
              - prompt/p@>=1.0.0 <2.0.0
              - prompt/p@^1.5 || ^2
              - prompt/p@^^1
        """,
        ),
        "backlog/b.yaml": item("agent", "b", spec="model: model/m@~0.3.0"),
    }
    root = write_backlog(tmp_path / "repo", files)
    found = [
        (d.line, d.column, d.message)
        for d in check(root).diagnostics
        if d.rule == "version-constraint"
    ]
    assert [(line, col) for line, col, _ in found] == [(9, 10), (12, 7), (15, 7), (16, 7)]
    assert found[0][2] == "`model/m@^0.2` does not admit `model/m` at version 0.3.1"
    assert "invalid version range `^^1`" in found[3][2]


def test_cycle_reported_once_with_the_whole_path(tmp_path: Path) -> None:
    files = {
        "backlog/a.yaml": item("agent", "a", spec="agents: [agent/b]"),
        "backlog/b.yaml": item("agent", "b", spec="agents: [agent/c]"),
        "backlog/c.yaml": item("agent", "c", spec="agents: [agent/a]"),
        "backlog/self.yaml": item("dataset", "self", spec="upstream: [dataset/self]"),
        "backlog/ok.yaml": item("agent", "ok", spec="agents: [agent/a]"),
    }
    root = write_backlog(tmp_path / "repo", files)
    found = [
        (d.path, d.line, d.column, d.message) for d in check(root).diagnostics if d.rule == "cycle"
    ]
    assert found == [
        ("backlog/a.yaml", 9, 12, "dependency cycle: agent/a -> agent/b -> agent/c -> agent/a"),
        ("backlog/self.yaml", 9, 14, "dependency cycle: dataset/self -> dataset/self"),
    ]


def test_long_chain_without_cycle_does_not_recurse(findings: Finder) -> None:
    files = {
        f"backlog/d{i}.yaml": item(
            "dataset", f"d{i}", spec=f"upstream: [dataset/d{i + 1}]" if i < 2999 else ""
        )
        for i in range(3000)
    }
    assert findings(files, "cycle") == []
