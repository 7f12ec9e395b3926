"""cycle through the real CLI: the two-item loop of the rule's own docstring, and scope.

A loop of two is the smallest cycle between items, and the one a `len(component) > 2`
slip in the graph would hide; `check FILE` (what pre-commit runs) must report it from
either side of the loop.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import pytest

from tests.conftest import Found, check, item, run_cli, write_backlog

TWO_LOOP = {
    "backlog/triage.yaml": item("agent", "triage", spec="agents: [agent/escalation]"),
    "backlog/escalation.yaml": item("agent", "escalation", spec="agents: [agent/triage]"),
}
# reported once, at the reference that leaves the loop's first item (by `kind/id`)
TWO_LOOP_FINDING = (
    "backlog/escalation.yaml:9:12: error cycle dependency cycle: "
    "agent/escalation -> agent/triage -> agent/escalation\n"
    "  hint: break the cycle by removing one of these references: "
    "agent/escalation `spec.agents`, agent/triage `spec.agents`\n"
)


def test_the_two_item_loop_in_process(findings: Callable[..., Found]) -> None:
    # the same, through the engine in-process, where a mutation tool sees it
    assert findings(TWO_LOOP, "cycle") == [("cycle", 9, 12)]
    assert findings({**TWO_LOOP, "backlog/escalation.yaml": item("agent", "escalation")}) == []


def cli_findings(root: Path, *args: str) -> tuple[int, list[tuple[str, str, int, int, str]]]:
    proc = run_cli("check", "--no-cache", "--format", "json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    found = [
        (d["rule"], d["path"], d["line"], d["column"], d["message"])
        for d in json.loads(proc.stdout)["diagnostics"]
    ]
    return proc.returncode, found


def test_a_loop_of_two_items_is_one_error(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", TWO_LOOP)
    proc = run_cli("check", "--no-cache", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == TWO_LOOP_FINDING + "\n2 items checked: 1 error, 0 warnings\n"
    assert cli_findings(root) == (
        1,
        [
            (
                "cycle",
                "backlog/escalation.yaml",
                9,
                12,
                "dependency cycle: agent/escalation -> agent/triage -> agent/escalation",
            )
        ],
    )


@pytest.mark.parametrize("staged", ["backlog/triage.yaml", "backlog/escalation.yaml"])
def test_check_file_reports_the_loop_from_either_side(tmp_path: Path, staged: str) -> None:
    root = write_backlog(tmp_path / "repo", TWO_LOOP)
    proc = run_cli("check", "--no-cache", staged, cwd=root)
    assert proc.returncode == 1, proc.stderr
    # a PATHS run counts the files it reports on and the items it loaded (issue 13 §4)
    assert proc.stdout == TWO_LOOP_FINDING + (
        "\n2 files checked, 2 items loaded: 1 error, 0 warnings\n"
    )


def test_breaking_the_loop_passes(tmp_path: Path) -> None:
    files = dict(TWO_LOOP)
    files["backlog/escalation.yaml"] = item("agent", "escalation")
    root = write_backlog(tmp_path / "repo", files)
    assert cli_findings(root) == (0, [])
    assert cli_findings(root, "backlog/triage.yaml") == (0, [])


def test_an_item_outside_the_loop_does_not_report_it(tmp_path: Path) -> None:
    # `ok` depends on the loop, `top` on `ok`: neither is on it, so a commit of either
    # file is not blocked by a loop it cannot break (the full run still reports it)
    files = {
        **TWO_LOOP,
        "backlog/ok.yaml": item("agent", "ok", spec="agents: [agent/triage]"),
        "backlog/top.yaml": item("agent", "top", spec="agents: [agent/ok]"),
    }
    root = write_backlog(tmp_path / "repo", files)
    assert [f[0] for f in cli_findings(root)[1]] == ["cycle"]
    proc = run_cli("check", "--no-cache", "backlog/ok.yaml", cwd=root)
    assert (proc.returncode, proc.stdout) == (0, "2 files checked, 4 items loaded: no problems\n")
    proc = run_cli("check", "--no-cache", "backlog/top.yaml", cwd=root)
    assert (proc.returncode, proc.stdout) == (0, "1 file checked, 4 items loaded: no problems\n")


def test_a_loop_of_three_is_reported_from_a_member_that_is_not_its_first(
    tmp_path: Path,
) -> None:
    # `check c.yaml` selects c and b (b references c), not a, where the finding sits
    files = {
        "backlog/a.yaml": item("agent", "a", spec="agents: [agent/b]"),
        "backlog/b.yaml": item("agent", "b", spec="agents: [agent/c]"),
        "backlog/c.yaml": item("agent", "c", spec="agents: [agent/a]"),
    }
    root = write_backlog(tmp_path / "repo", files)
    expected = [
        (
            "cycle",
            "backlog/a.yaml",
            9,
            12,
            "dependency cycle: agent/a -> agent/b -> agent/c -> agent/a",
        )
    ]
    assert cli_findings(root) == (1, expected)
    for staged in files:
        assert cli_findings(root, staged) == (1, expected), staged


def test_an_item_that_references_itself(tmp_path: Path) -> None:
    files = {
        "backlog/self.yaml": item("dataset", "self", spec="upstream: [dataset/self]"),
        "backlog/other.yaml": item("dataset", "other", spec="upstream: [dataset/self]"),
    }
    root = write_backlog(tmp_path / "repo", files)
    expected = [
        ("cycle", "backlog/self.yaml", 9, 14, "dependency cycle: dataset/self -> dataset/self")
    ]
    assert cli_findings(root) == (1, expected)
    assert cli_findings(root, "backlog/self.yaml") == (1, expected)
    proc = run_cli("check", "--no-cache", "backlog/self.yaml", cwd=root)
    assert proc.stdout == (
        "backlog/self.yaml:9:14: error cycle dependency cycle: dataset/self -> dataset/self\n"
        "  hint: break the cycle by removing one of these references: "
        "dataset/self `spec.upstream`\n"
        "\n2 files checked, 2 items loaded: 1 error, 0 warnings\n"  # and `other`, one hop down
    )
    # `other` only depends on the self-loop: it is not on it
    assert cli_findings(root, "backlog/other.yaml") == (0, [])


def _cycles(tmp_path: Path, files: dict[str, str | bytes]) -> list[tuple[str, str]]:
    root = write_backlog(tmp_path / "repo", files)
    return [(d.path, d.message) for d in check(root).diagnostics if d.rule == "cycle"]


def test_loops_the_graph_walk_must_not_miss(tmp_path: Path) -> None:
    # mutation survivors: a loop entered from an item that sorts before it; a loop closed
    # by an item's second reference; a loop whose member first references an outside item;
    # two routes back to the start (the first one found is the one reported)
    files: dict[str, str | bytes] = {
        "backlog/a.yaml": item("agent", "a-entry", spec="agents: [agent/b]"),
        "backlog/b.yaml": item("agent", "b", spec="agents: [agent/c]"),
        "backlog/c.yaml": item("agent", "c", spec="agents: [agent/b]"),
        "backlog/d.yaml": item("dataset", "d", spec="upstream: [dataset/x, dataset/e]"),
        "backlog/e.yaml": item("dataset", "e", spec="upstream: [dataset/d]"),
        "backlog/x.yaml": item("dataset", "x"),
        "backlog/p.yaml": item("tool", "p", spec="data: [dataset/x]", extra="depends_on: [tool/q]"),
        "backlog/q.yaml": item("tool", "q", extra="depends_on: [tool/r, tool/s]"),
        "backlog/r.yaml": item("tool", "r", extra="depends_on: [tool/t]"),
        "backlog/s.yaml": item("tool", "s", extra="depends_on: [tool/t]"),
        "backlog/t.yaml": item("tool", "t", extra="depends_on: [tool/q]"),
    }
    assert _cycles(tmp_path, files) == [
        ("backlog/b.yaml", "dependency cycle: agent/b -> agent/c -> agent/b"),
        ("backlog/d.yaml", "dependency cycle: dataset/d -> dataset/e -> dataset/d"),
        (
            "backlog/q.yaml",
            "dependency cycle: tool/q -> tool/r -> tool/t -> tool/q; "
            "tool/s is in the same loop too",
        ),
    ]


# a -> b -> a and a -> c -> d -> a: one loop of four items; the path shown is the shortest one
# through its first item (a -> b -> a), so d is in the loop but not on the path shown
FOUR_IN_ONE_LOOP = {
    "backlog/a.yaml": item("agent", "a", spec="agents: [agent/b, agent/c]"),
    "backlog/b.yaml": item("agent", "b", spec="agents: [agent/a]"),
    "backlog/c.yaml": item("agent", "c", spec="agents: [agent/d]"),
    "backlog/d.yaml": item("agent", "d", spec="agents: [agent/a]"),
}


@pytest.mark.parametrize("staged", sorted(FOUR_IN_ONE_LOOP))
def test_check_file_on_any_member_of_the_loop_reports_it(tmp_path: Path, staged: str) -> None:
    # membership, not the text of the path shown, decides: staging d alone must not pass
    root = write_backlog(tmp_path / "repo", FOUR_IN_ONE_LOOP)
    message = (
        "dependency cycle: agent/a -> agent/b -> agent/a; agent/c, agent/d are in the same loop too"
    )
    assert cli_findings(root) == (1, [("cycle", "backlog/a.yaml", 9, 12, message)])
    assert cli_findings(root, staged) == (1, [("cycle", "backlog/a.yaml", 9, 12, message)])
