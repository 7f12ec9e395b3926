"""The rule registry: one module per rule id, `checks/<id with _>.py`, each with `ID`,
`SEVERITY` and `check(context)` yielding `Finding`s.

A rule's module docstring is its user documentation (`backlog rules`): what it checks,
why, and a failing and a passing example. Adding a rule: write its module (and its test,
`tests/checks/test_<id with _>.py`) and add its id to `RULE_IDS` below.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Finding, Severity
    from backlog_cli.engine import Context

# Where each rule's documentation lives: `docs/rules.md` has one heading per rule id, so the
# anchor is the id. pyproject has no `project.urls` and the project is not published yet, so
# this is the one place that names the repository: change it here when it moves.
RULES_DOC_URL = "https://github.com/backlog-cli/backlog-cli/blob/main/docs/rules.md"

# Every rule of the product (SPEC §4), in reporting order: the one list the config, `--rule`,
# `backlog rules`, SARIF's rule descriptors and the engine all read.
RULE_IDS: tuple[str, ...] = (
    "yaml-syntax",
    "schema",
    "duplicate-id",
    "unknown-reference",
    "version-constraint",
    "cycle",
    "status-consistency",
    "missing-file",
    "readiness",
    "evidence",
    "template-inputs",
    "secret",
    "review-overdue",
    "model-sunset",
    "waiver-expired",
    "version-not-bumped",
    "version-bump-too-small",
    "version-decreased",
    "removed-while-referenced",
)


class Rule(Protocol):
    """What a rule module provides."""

    ID: str
    SEVERITY: Severity
    __doc__: str | None

    def check(self, context: Context) -> Iterator[Finding]: ...


def module_name(rule_id: str) -> str:
    return "backlog_cli.checks." + rule_id.replace("-", "_")


def registry() -> dict[str, Rule]:
    """Every rule by id, in reporting order (imported on first use: `--help` needs none)."""
    return {
        rule_id: cast(Rule, importlib.import_module(module_name(rule_id))) for rule_id in RULE_IDS
    }


def help_uri(rule_id: str) -> str:
    """The rule's section of the rules documentation (SARIF `helpUri`)."""
    return f"{RULES_DOC_URL}#{rule_id}"


def documentation(module: Rule) -> str:
    return inspect.cleandoc(module.__doc__ or "")


def summary(rule_id: str, doc: str) -> str:
    """The docstring's first paragraph, after `ID:`, as one line: one complete sentence even
    when the docstring wraps it."""
    first = " ".join(doc.split("\n\n", 1)[0].split())
    return first.removeprefix(f"{rule_id}:").strip() or rule_id


def description(doc: str) -> str:
    """The prose after the summary, up to the first example (`Failing...`): paragraphs apart,
    a paragraph's wrapped lines joined, except lines of a list (`- `) or a table (`|`)."""
    paragraphs: list[str] = []
    for block in doc.split("\n\n")[1:]:
        if block.lstrip().startswith("Failing"):
            break
        lines: list[str] = []
        for raw in block.strip().splitlines():
            line = raw.strip()
            if lines and not line.startswith(("- ", "|")) and not lines[-1].startswith("|"):
                lines[-1] += " " + line
            else:
                lines.append(line)
        paragraphs.append("\n".join(lines))
    return "\n\n".join(p for p in paragraphs if p)
