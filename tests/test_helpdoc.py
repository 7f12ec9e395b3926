"""The README's command reference is the live --help of every command."""

from __future__ import annotations

from pathlib import Path

from backlog_cli import helpdoc

README = Path(__file__).resolve().parent.parent / "README.md"


def test_readme_command_reference_matches_live_help() -> None:
    block = helpdoc.current(README.read_text(encoding="utf-8"))
    assert block is not None, "README.md lost its command-reference markers"
    assert block == helpdoc.render(), (
        "README.md's command reference is stale: run `python -m backlog_cli.helpdoc README.md`"
    )


def test_every_command_is_documented() -> None:
    block = helpdoc.current(README.read_text(encoding="utf-8")) or ""
    for name in helpdoc.commands():
        assert f"$ backlog {name} --help" in block
    assert len(helpdoc.commands()) >= 13
