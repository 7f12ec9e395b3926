"""The README's command reference, generated from the live `--help` of every command.

`python -m backlog_cli.helpdoc README.md` rewrites the block between the
`<!-- command-reference -->` markers; a test fails when the committed block differs from
what the CLI prints, so the README cannot drift from the tool.
`python -m backlog_cli.helpdoc --rules docs/rules.md` writes the rules page from the rules'
docstrings the same way (SARIF's `helpUri` points into it).
"""

from __future__ import annotations

import os
import re
import sys
from pathlib import Path

BEGIN = "<!-- command-reference -->"
END = "<!-- /command-reference -->"
WIDTH = "100"


def _help(args: list[str]) -> str:
    from typer.testing import CliRunner

    from backlog_cli.cli import app

    result = CliRunner().invoke(
        app,
        [*args, "--help"],
        prog_name="backlog",
        env={"COLUMNS": WIDTH, "TERM": "dumb", "NO_COLOR": "1"},
    )
    if result.exit_code != 0:  # pragma: no cover - a broken command is a bug
        raise RuntimeError(f"backlog {' '.join(args)} --help failed: {result.output}")
    return result.output.rstrip() + "\n"


def commands() -> list[str]:
    from backlog_cli.cli import app

    names = [c.name or (c.callback.__name__ if c.callback else "") for c in app.registered_commands]
    for group in app.registered_groups:  # `evidence`, then `evidence record`
        sub = group.typer_instance
        if group.name and sub is not None:
            names.append(group.name)
            names += [f"{group.name} {c.name}" for c in sub.registered_commands if c.name]
    return sorted(n for n in names if n)


def render() -> str:
    parts = [BEGIN, "", "```text", "$ backlog --help", _help([]).rstrip(), "```"]
    for name in commands():
        parts += ["", "```text", f"$ backlog {name} --help", _help(name.split()).rstrip(), "```"]
    parts += ["", END]
    return "\n".join(parts)


def current(readme: str) -> str | None:
    match = re.search(re.escape(BEGIN) + r".*?" + re.escape(END), readme, flags=re.S)
    return match.group(0) if match else None


def rules_page() -> str:
    """`docs/rules.md`: every rule's documentation, from its docstring."""
    from backlog_cli.commands import rules

    return rules.render_markdown(rules.rows({}))


def main() -> None:
    os.environ["COLUMNS"] = WIDTH
    if sys.argv[1:2] == ["--rules"]:
        target = Path(sys.argv[2] if len(sys.argv) > 2 else "docs/rules.md")
        target.write_text(rules_page(), encoding="utf-8")
        return
    path = Path(sys.argv[1] if len(sys.argv) > 1 else "README.md")
    readme = path.read_text(encoding="utf-8")
    block = current(readme)
    if block is None:
        raise SystemExit(f"{path}: no {BEGIN} ... {END} block")
    path.write_text(readme.replace(block, render()), encoding="utf-8")


if __name__ == "__main__":
    main()
