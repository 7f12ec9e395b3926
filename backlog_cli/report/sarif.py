"""SARIF 2.1.0 for GitHub code scanning and other SARIF viewers (SPEC §6).

One run. `tool.driver.rules` holds a descriptor for each rule that has a result in the run
(waived ones included), in registry order, so the log stays small and `ruleIndex` points
into it; `backlog rules` lists them all.

Each result's `partialFingerprints["backlogFinding/v1"]` hashes the rule, the item
(`kind/id`; the path only for a finding outside any item) and the message with line numbers
taken out. It never hashes the path of an item's file, so an alert survives `git mv` and
edits that move lines. Findings identical in all three get an ordinal so they stay apart.

A finding in a template file is located in the template; the item that uses it is a
`relatedLocations` entry (`inputs declared in ...`, `template used by ...`).

Waived findings are results too, with an external suppression: code scanning shows them as
dismissed instead of silently forgetting them.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from pathlib import Path
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

from backlog_cli import __version__
from backlog_cli.checks import Rule, description, documentation, help_uri, registry, summary

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Diagnostic
    from backlog_cli.engine import CheckResult

SCHEMA_URI = "https://json.schemastore.org/sarif-2.1.0.json"
INFORMATION_URI = "https://pypi.org/project/backlog-cli/"
FINGERPRINT = "backlogFinding/v1"
SRCROOT = "%SRCROOT%"
WAIVER_JUSTIFICATION = "waived in backlog.yaml"
BASELINE_JUSTIFICATION = "recorded in the --baseline file"

# `line 12`, `(line 12 of the template)`, `path:12` or `path:12:3` inside a message
_LINE_NUMBERS = re.compile(r"\bline \d+|(?<=\S):\d+(?::\d+)?\b")


def fingerprint(d: Diagnostic, ordinal: int = 0) -> str:
    """The stable identity of a finding: rule, item (else path), message without lines."""
    message = _LINE_NUMBERS.sub(lambda m: "line" if m[0].startswith("line") else ":", d.message)
    parts = [d.rule, d.item or d.path, message]
    if ordinal:
        parts.append(str(ordinal))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:32]


def artifact_uri(path: str) -> str:
    """A repository-relative posix path as a relative URI reference (spaces, UTF-8, `:`)."""
    return quote(path, safe="/")


def camel_case(rule_id: str) -> str:
    return "".join(part[:1].upper() + part[1:] for part in re.split(r"[^A-Za-z0-9]+", rule_id))


def _descriptor(rule_id: str, module: Rule | None) -> dict[str, Any]:
    """`shortDescription` is the docstring's summary sentence (never cut at a line end),
    `fullDescription` its prose, `help` the whole docstring with the examples."""
    doc = documentation(module) if module is not None else ""
    short = summary(rule_id, doc)
    full = description(doc) or short
    severity = module.SEVERITY if module is not None else "error"
    tags = ["backlog", "security"] if rule_id == "secret" else ["backlog"]
    descriptor: dict[str, Any] = {"id": rule_id}
    # SARIF1001: a `name` that is the id again (`Readiness` for `readiness`) is refused
    if camel_case(rule_id).lower() != rule_id.lower():
        descriptor["name"] = camel_case(rule_id)
    descriptor |= {
        "shortDescription": {"text": short},
        "fullDescription": {"text": full},
        "help": {"text": doc or short, "markdown": doc or short},
    }
    if module is not None:
        descriptor["helpUri"] = help_uri(rule_id)
    descriptor["defaultConfiguration"] = {"level": "warning" if severity == "warning" else "error"}
    descriptor["properties"] = {"tags": tags}
    return descriptor


def _physical(path: str, line: int, column: int) -> dict[str, Any]:
    return {
        "artifactLocation": {"uri": artifact_uri(path), "uriBaseId": SRCROOT},
        "region": {"startLine": line, "startColumn": column},
    }


def _message(d: Diagnostic) -> str:
    return f"{d.message}\nhint: {d.hint}" if d.hint else d.message


def _results(
    findings: Iterable[tuple[Diagnostic, str | None]], index: dict[str, int]
) -> list[dict[str, Any]]:
    """`findings`: each with the justification of its suppression, or None."""
    seen: dict[str, int] = {}
    out: list[dict[str, Any]] = []
    for d, suppressed in findings:
        first = fingerprint(d)
        ordinal = seen.get(first, 0)
        seen[first] = ordinal + 1
        result: dict[str, Any] = {
            "ruleId": d.rule,
            "ruleIndex": index[d.rule],
            "level": d.severity,
            "message": {"text": _message(d)},
            "locations": [{"physicalLocation": _physical(d.path, d.line, d.column)}],
            "partialFingerprints": {FINGERPRINT: fingerprint(d, ordinal)},
        }
        if d.also:
            result["relatedLocations"] = [
                {
                    "id": n,
                    "physicalLocation": _physical(a.path, a.line, a.column),
                    "message": {"text": a.message},
                }
                for n, a in enumerate(d.also)
            ]
        if d.item:
            result["properties"] = {"item": d.item}
        if suppressed is not None:
            result["suppressions"] = [
                {"kind": "external", "status": "accepted", "justification": suppressed}
            ]
        out.append(result)
    return out


def render(result: CheckResult, *, root: str | None = None) -> str:
    """The SARIF log; `root` (the repository root) becomes `%SRCROOT%` when given."""
    findings: list[tuple[Diagnostic, str | None]] = sorted(
        [(d, None) for d in result.diagnostics]
        + [(d, WAIVER_JUSTIFICATION) for d in result.waived]
        + [(d, BASELINE_JUSTIFICATION) for d in result.baselined_findings],
        key=lambda pair: pair[0],
    )
    modules = registry()
    used = {d.rule for d, _ in findings}
    rule_ids = [r for r in modules if r in used] + sorted(used - modules.keys())
    index = {rule_id: n for n, rule_id in enumerate(rule_ids)}
    run: dict[str, Any] = {
        "tool": {
            "driver": {
                "name": "backlog",
                "informationUri": INFORMATION_URI,
                "version": __version__,
                "semanticVersion": __version__,
                "rules": [_descriptor(r, modules.get(r)) for r in rule_ids],
            }
        },
        "automationDetails": {"id": "backlog-check/"},
        "columnKind": "unicodeCodePoints",
        "results": _results(findings, index),
    }
    if root is not None:
        base = Path(root).absolute().as_uri().rstrip("/") + "/"
        run["originalUriBaseIds"] = {SRCROOT: {"uri": base}}
    log = {"$schema": SCHEMA_URI, "version": "2.1.0", "runs": [run]}
    return json.dumps(log, indent=2, ensure_ascii=False) + "\n"
