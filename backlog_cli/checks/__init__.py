"""The rule registry: one module per rule id, `checks/<id with _>.py`, each with `ID`,
`SEVERITY` and `check(context)` yielding `Finding`s.

A rule's module docstring is its user documentation (`backlog rules`): what it checks,
why, and a failing and a passing example. Adding a rule: write its module (and its test,
`tests/checks/test_<id with _>.py`) and add its id to `RULE_IDS` below.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from typing import TYPE_CHECKING, Protocol, cast

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Finding, Severity
    from backlog_cli.engine import Context

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
