"""`backlog rules`: each rule's documentation and severity, default and as configured."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass


@dataclass(frozen=True)
class RuleRow:
    """One rule as `backlog rules` shows it; `doc` is its module docstring, whose first paragraph
    (after `ID:`, joined into one line) is the `summary`."""

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
    from backlog_cli.checks import RULE_IDS, documentation, registry, summary

    implemented = registry()
    out: list[RuleRow] = []
    for rule_id in RULE_IDS:
        module = implemented.get(rule_id)
        if module is None:
            continue
        doc = documentation(module)
        severity = configured.get(rule_id, module.SEVERITY)
        out.append(RuleRow(rule_id, severity, module.SEVERITY, summary(rule_id, doc), doc))
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


RULES_PAGE_HEADER = """# Rules

<!-- generated from each rule's docstring by `python -m backlog_cli.helpdoc --rules docs/rules.md`;
a test fails when this page is stale. Edit the docstrings in backlog_cli/checks/, not this file. -->

Every rule `backlog check` runs, in reporting order, with its default severity. `backlog rules`
prints the same text (with the severities your config sets); a SARIF log links each rule's
`helpUri` to its section here. The config's `rules:` block changes a severity or turns a rule
off (README, "Configuration").
"""


def render_markdown(rules: Sequence[RuleRow]) -> str:
    """`docs/rules.md`: an index, then one `## <id>` section per rule (its anchor is the id)."""
    parts = [RULES_PAGE_HEADER, "| rule | default severity | finds |", "|---|---|---|"]
    for r in rules:
        cell = r.summary.replace("|", "\\|")
        parts.append(f"| [`{r.id}`](#{r.id}) | {r.default_severity} | {cell} |")
    for r in rules:
        rest = r.doc.split("\n\n", 1)[1] if "\n\n" in r.doc else ""
        head = r.summary[:1].upper() + r.summary[1:]
        parts += ["", f"## {r.id}", "", f"{head} Default severity: {r.default_severity}."]
        parts += ["", rest.rstrip()] if rest.strip() else []
    return "\n".join(parts) + "\n"
