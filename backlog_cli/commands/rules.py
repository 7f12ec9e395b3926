"""`backlog rules`: each rule's documentation and severity, default and as configured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleRow:
    """One rule as `backlog rules` shows it; `doc` is its module docstring, whose first line
    (after `ID:`) is the `summary`."""

    id: str
    severity: str
    default_severity: str
    summary: str
    doc: str

    def to_json(self) -> dict[str, str]:
        return {
            "id": self.id,
            "severity": self.severity,
            "default_severity": self.default_severity,
            "summary": self.summary,
            "doc": self.doc,
        }


def rows(configured: Mapping[str, str]) -> list[RuleRow]:
    """The implemented rules in reporting order, with the severity `configured` gives them."""
    from backlog_cli.checks import RULE_IDS, registry

    implemented = registry()
    out: list[RuleRow] = []
    for rule_id in RULE_IDS:
        module = implemented.get(rule_id)
        if module is None:
            continue
        doc = (module.__doc__ or "").strip()
        summary = doc.split("\n", 1)[0].removeprefix(f"{rule_id}:").strip()
        severity = configured.get(rule_id, module.SEVERITY)
        out.append(RuleRow(rule_id, severity, module.SEVERITY, summary, doc))
    return out


def render_text(rules: Sequence[RuleRow], *, quiet: bool = False) -> str:
    """Each rule's documentation and severities; with `quiet`, one `ID  SEVERITY` line each."""
    if quiet:
        return "".join(f"{r.id}  {r.severity}\n" for r in rules)
    texts: list[str] = []
    for r in rules:
        here = f"; configured: {r.severity}" if r.severity != r.default_severity else ""
        texts.append(f"{r.doc}\n  [default severity: {r.default_severity}{here}]\n\n")
    return "".join(texts)
