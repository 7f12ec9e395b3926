"""The rule registry: one module per rule id, each with `ID`, `SEVERITY` and `check()`.

A rule's module docstring is its user documentation (`backlog rules`): what it checks,
why, and a failing and a passing example.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterator
from types import ModuleType
from typing import TYPE_CHECKING, Protocol

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Diagnostic, Severity
    from backlog_cli.project import Project

# Every rule id of the product (SPEC §4), so configs and `--rule` may name any of them.
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
    ID: str
    SEVERITY: Severity

    def check(self, project: Project) -> Iterator[Diagnostic]: ...


# Implemented rules, by module name, in reporting order. Adding a rule: write
# `checks/<rule_id with _>.py` and add its module name here.
MODULES: tuple[str, ...] = (
    "yaml_syntax",
    "schema",
    "duplicate_id",
    "unknown_reference",
    "version_constraint",
    "cycle",
    "status_consistency",
    "missing_file",
    "readiness",
    "template_inputs",
    "secret",
    "review_overdue",
    "model_sunset",
    "waiver_expired",
    "version_not_bumped",
    "version_bump_too_small",
    "version_decreased",
    "removed_while_referenced",
)


def registry() -> dict[str, ModuleType]:
    """The implemented rules by id, in reporting order."""
    modules = [importlib.import_module(f"backlog_cli.checks.{name}") for name in MODULES]
    return {module.ID: module for module in modules}


def get(rule_id: str) -> Rule:
    rules = registry()
    if rule_id not in rules:
        raise KeyError(rule_id)
    module: Rule = rules[rule_id]
    return module
