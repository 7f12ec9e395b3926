"""`bump --auto` must not make a broken backlog worse: it refuses while errors other than
the version rules are open (`--force` goes ahead), and `--dry-run` shows the plan with its
reasons and writes nothing."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, item, run_cli, write_backlog

TOOL = item("tool", "search-kb", spec="side_effects: read")
BOT = item("agent", "bot", spec="pattern: sequential\ntools: [tool/search-kb@^1.0]")
HELPER = item("agent", "helper", spec="pattern: sequential\ntools: ['tool/search-kb@~1.0.0']")


def repo(tmp_path: Path, files: dict[str, str | bytes] | None = None) -> Path:
    root = write_backlog(
        tmp_path / "repo",
        files
        or {
            "backlog/tools/search-kb.yaml": TOOL,
            "backlog/agents/bot.yaml": BOT,
        },
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    return root


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")


def test_a_typo_in_a_reference_stops_bump_auto_and_force_goes_ahead(tmp_path: Path) -> None:
    root = repo(tmp_path)
    bot = root / "backlog/agents/bot.yaml"
    edit(bot, "tool/search-kb@", "tool/serch-kb@")
    before = bot.read_bytes()
    proc = run_cli("bump", "--auto", "--base", "main", cwd=root)
    assert proc.returncode == 1, proc.stderr
    assert proc.stdout == (
        "backlog/agents/bot.yaml:10:11: error unknown-reference `spec.tools` references "
        "`tool/serch-kb`, which does not exist\n"
        "  hint: did you mean `tool/search-kb`?\n"
        "not bumped: 1 error besides the version rules; a bump decided over them can be "
        "wrong (a typo'd reference reads as a removal). Fix them first, or pass --force.\n"
    )
    assert proc.stderr == ""
    assert bot.read_bytes() == before

    as_json = run_cli("bump", "--auto", "--base", "main", "--format", "json", cwd=root)
    assert as_json.returncode == 1
    payload = json.loads(as_json.stdout)
    assert (payload["dry_run"], payload["written"]) == (False, False)
    assert [(d["rule"], d["path"], d["line"]) for d in payload["blocking"]] == [
        ("unknown-reference", "backlog/agents/bot.yaml", 10)
    ]
    assert bot.read_bytes() == before

    forced = run_cli("bump", "--auto", "--base", "main", "--force", cwd=root)
    assert forced.returncode == 0, forced.stderr
    assert forced.stdout == "agent/bot: 1.0.0 -> 2.0.0 (backlog/agents/bot.yaml)\n"
    assert bot.read_bytes() == before.replace(b'"1.0.0"', b'"2.0.0"')


def test_the_version_rules_it_fixes_do_not_stop_it(tmp_path: Path) -> None:
    root = repo(tmp_path)
    tool = root / "backlog/tools/search-kb.yaml"
    edit(tool, "side_effects: read", "side_effects: none")  # narrowed: not breaking
    before = tool.read_bytes()
    assert run_cli("check", "--base", "main", cwd=root).returncode == 1  # version-not-bumped
    proc = run_cli("bump", "--auto", "--base", "main", cwd=root)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert proc.stdout == "tool/search-kb: 1.0.0 -> 1.1.0 (backlog/tools/search-kb.yaml)\n"
    assert tool.read_bytes() == before.replace(b'"1.0.0"', b'"1.1.0"')
    assert run_cli("check", "--base", "main", cwd=root).returncode == 0


def test_a_manual_level_is_not_gated_and_force_is_only_for_auto(tmp_path: Path) -> None:
    root = repo(tmp_path)
    edit(root / "backlog/agents/bot.yaml", "tool/search-kb@", "tool/serch-kb@")
    proc = run_cli("bump", "--patch", "tool/search-kb", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "tool/search-kb: 1.0.0 -> 1.0.1 (backlog/tools/search-kb.yaml)\n"
    misuse = run_cli("bump", "--patch", "--force", "tool/search-kb", cwd=root)
    assert misuse.returncode == 2
    assert misuse.stderr == "backlog: error: --force only applies to --auto\n"
    assert "Traceback" not in misuse.stderr


def test_dry_run_prints_the_plan_with_reasons_and_writes_nothing(tmp_path: Path) -> None:
    root = repo(tmp_path)
    tool = root / "backlog/tools/search-kb.yaml"
    edit(tool, "side_effects: read", "side_effects: write")
    before = tool.read_bytes()
    proc = run_cli("bump", "--auto", "--base", "main", "--dry-run", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "tool/search-kb: 1.0.0 -> 2.0.0 (backlog/tools/search-kb.yaml)\n"
        "  major: `side_effects` widened from read to write\n"
        "backlog/agents/bot.yaml:10: agent/bot's `tool/search-kb@^1.0` will not admit 2.0.0: "
        "check the referrer against the change and widen the range\n"
        "to widen these ranges and bump their referrers in one step: "
        "backlog bump --auto --update-dependents\n"
        "dry run: nothing written\n"
    )
    payload = json.loads(
        run_cli(
            "bump", "--auto", "--base", "main", "--dry-run", "--format", "json", cwd=root
        ).stdout
    )
    assert payload == {
        "version": 1,
        "dry_run": True,
        "written": False,
        "bumped": [
            {
                "item": "tool/search-kb",
                "path": "backlog/tools/search-kb.yaml",
                "from": "1.0.0",
                "to": "2.0.0",
                "why": ["major: `side_effects` widened from read to write"],
            }
        ],
        "blocking": [],
        "broken_ranges": [
            {
                "referrer": "agent/bot",
                "path": "backlog/agents/bot.yaml",
                "line": 10,
                "reference": "tool/search-kb@^1.0",
                "version": "2.0.0",
            }
        ],
        "range_edits": [],
        "revalidate": [],
    }
    manual = run_cli("bump", "--minor", "agent/bot", "--dry-run", cwd=root)
    assert manual.returncode == 0, manual.stderr
    assert manual.stdout == (
        "agent/bot: 1.0.0 -> 1.1.0 (backlog/agents/bot.yaml)\n"
        "  --minor asked for\n"
        "dry run: nothing written\n"
    )
    assert tool.read_bytes() == before
    assert (root / "backlog/agents/bot.yaml").read_text(encoding="utf-8") == BOT


def test_dry_run_over_open_errors_shows_the_plan_and_why_it_would_stop(tmp_path: Path) -> None:
    root = repo(tmp_path)
    bot = root / "backlog/agents/bot.yaml"
    edit(bot, "tool/search-kb@", "tool/serch-kb@")
    proc = run_cli("bump", "--auto", "--base", "main", "--dry-run", cwd=root)
    assert proc.returncode == 1
    assert proc.stdout.splitlines() == [
        "agent/bot: 1.0.0 -> 2.0.0 (backlog/agents/bot.yaml)",
        "  major: `tool/search-kb` removed from `tools`",
        "  minor: `tool/serch-kb` added to `tools`",
        "backlog/agents/bot.yaml:10:11: error unknown-reference `spec.tools` references "
        "`tool/serch-kb`, which does not exist",
        "  hint: did you mean `tool/search-kb`?",
        "would not bump: 1 error besides the version rules; a bump decided over them can be "
        "wrong (a typo'd reference reads as a removal). Fix them first, or pass --force.",
    ]
    assert bot.read_text(encoding="utf-8") == BOT.replace("tool/search-kb@", "tool/serch-kb@")


def test_the_ranges_a_bump_breaks_are_named(tmp_path: Path) -> None:
    loose = item("agent", "any", spec="pattern: sequential\ntools: ['tool/search-kb@*']")
    stale = item("agent", "stale", spec="pattern: sequential\ntools: ['tool/search-kb@^3']")
    root = repo(
        tmp_path,
        {
            "backlog/tools/search-kb.yaml": TOOL,
            "backlog/agents/bot.yaml": BOT,
            "backlog/agents/helper.yaml": HELPER,
            "backlog/agents/any.yaml": loose,
        },
    )
    tool = root / "backlog/tools/search-kb.yaml"
    edit(tool, "side_effects: read", "side_effects: write")
    proc = run_cli("bump", "--auto", "--base", "main", cwd=root)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == (
        "tool/search-kb: 1.0.0 -> 2.0.0 (backlog/tools/search-kb.yaml)\n"
        "backlog/agents/bot.yaml:10: agent/bot's `tool/search-kb@^1.0` will not admit 2.0.0: "
        "check the referrer against the change and widen the range\n"
        "backlog/agents/helper.yaml:10: agent/helper's `tool/search-kb@~1.0.0` will not admit "
        "2.0.0: check the referrer against the change and widen the range\n"
        "to widen these ranges and bump their referrers in one step: "
        "backlog bump --auto --update-dependents\n"
    )
    assert b'version: "2.0.0"' in tool.read_bytes()
    check = run_cli("check", "--base", "main", cwd=root)
    assert [line.split(" ")[2] for line in check.stdout.splitlines() if ": error " in line] == [
        "version-constraint",
        "version-constraint",
    ]
    # a range that failed before the bump is check's to report, not the bump's
    (root / "backlog/agents/stale.yaml").write_text(stale, encoding="utf-8")
    edit(tool, "side_effects: write", "side_effects: external")
    edit(tool, 'version: "2.0.0"', 'version: "1.0.0"')
    again = run_cli("bump", "--auto", "--base", "main", "--force", "--dry-run", cwd=root)
    assert "agent/stale" not in again.stdout
