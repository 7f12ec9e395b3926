"""The rule engine: run the selected rules over a loaded project and return the findings.

Each rule (one module under `checks/`) gets one `Context` — the project, what this run
reports on, and the comparison with the base ref when there is one — and yields `Finding`s.
The engine alone decides what becomes of them: it stamps the rule id and the severity (the
config's, else the finding's own, else the rule's default), keeps what the scope covers,
sets aside what a live waiver suppresses, and masks what no report may show.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from backlog_cli.checks import RULE_IDS, registry
from backlog_cli.dates import today
from backlog_cli.diagnostic import Diagnostic, Finding, Severity, printable, report_order
from backlog_cli.errors import BacklogError
from backlog_cli.scope import Scope, scope
from backlog_cli.suggest import did_you_mean

if TYPE_CHECKING:
    from backlog_cli.graph import Edge
    from backlog_cli.loader import Document, LoadError
    from backlog_cli.project import Item, Project
    from backlog_cli.versioning import Comparison


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[Path, ...] = ()  # limit findings to these files (pre-commit passes them)
    rules: tuple[str, ...] = ()  # --rule: only these
    ignore_rules: tuple[str, ...] = ()  # --ignore-rule
    strict: bool = False
    # --select/--exclude: only findings on these items (None: every finding)
    items: frozenset[str] | None = None
    # staged deletions (`check --pre-commit`): absolute paths, and the deleted items' kind/id
    deleted: tuple[Path, ...] = ()
    deleted_items: frozenset[str] = frozenset()


@dataclass(frozen=True)
class CheckResult:
    diagnostics: tuple[Diagnostic, ...]
    items: int  # item files in scope
    strict: bool = False
    waived: tuple[Diagnostic, ...] = ()  # suppressed by a live waiver: listed, never failing
    # (name, path) of every file in scope; the name is `kind/id` for an item (JUnit cases)
    checked: tuple[tuple[str, str], ...] = ()
    baselined: int = 0  # findings recorded in the --baseline file (not failing)
    # those findings themselves: SARIF lists them as suppressed, like waived ones
    baselined_findings: tuple[Diagnostic, ...] = ()
    stale_baseline: int = 0  # baseline entries whose finding is gone
    # items loaded for a run that reports on part of the backlog (PATHS); None: all of it
    loaded: int | None = None

    @property
    def errors(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "error")

    @property
    def warnings(self) -> int:
        return sum(1 for d in self.diagnostics if d.severity == "warning")

    @property
    def exit_code(self) -> int:
        if self.errors or (self.strict and self.warnings):
            return 1
        return 0


@dataclass(frozen=True)
class Context:
    """What a rule sees: the project, the comparison with the base ref (`--base`; None
    without one), and the focus of this run (None: everything). A rule may skip what lies
    outside the focus — the engine drops findings there anyway — so that a pre-commit run
    reads the data of a few items only."""

    project: Project
    comparison: Comparison | None = None
    focus: Scope | None = None

    def reports(self, key: str) -> bool:
        """Whether findings on the item `key` can be reported in this run."""
        return self.focus is None or key in self.focus.items

    def documents(self) -> list[Document]:
        focus, documents = self.focus, self.project.documents
        if focus is None:
            return documents
        return [d for d in documents if d.rel in focus.files or _key(d) in focus.items]

    def others(self) -> list[Document]:
        """The YAML files under the item folder that are not items (`Project.others`)."""
        focus, others = self.focus, self.project.others
        if focus is None:
            return others
        return [d for d in others if d.rel in focus.files]

    def load_errors(self) -> list[LoadError]:
        focus, errors = self.focus, self.project.load_errors
        if focus is None:
            return errors
        return [e for e in errors if e.rel in focus.files]

    def items(self) -> list[Item]:
        """Every item (duplicates included) the findings may be about."""
        focus, items = self.focus, self.project.items
        if focus is None:
            return items
        return [i for i in items if i.key in focus.items or i.doc.rel in focus.files]

    def nodes(self) -> list[Item]:
        """The graph's nodes (the first file of a duplicate id) the findings may be about."""
        nodes = self.project.graph.nodes
        if self.focus is None:
            return list(nodes.values())
        return [nodes[k] for k in sorted(self.focus.items) if k in nodes]

    def edges(self) -> list[Edge]:
        """The references whose referring item the findings may be about."""
        graph = self.project.graph
        if self.focus is None:
            return graph.edges
        return [e for k in sorted(self.focus.items) for e in graph.upstream.get(k, ())]


def _key(doc: Document) -> str | None:
    summary = doc.summary
    if summary is None or summary.kind is None or summary.id is None:
        return None
    return f"{summary.kind}/{summary.id}"


def validate_rule_names(names: Sequence[str], option: str) -> None:
    for name in names:
        if name not in RULE_IDS:
            raise BacklogError(
                f"{option} {name}: unknown rule{did_you_mean(name, RULE_IDS)} "
                "(`backlog rules` lists them)"
            )


def selected_rules(project: Project, options: CheckOptions) -> list[str]:
    validate_rule_names(options.rules, "--rule")
    validate_rule_names(options.ignore_rules, "--ignore-rule")
    both = sorted(set(options.rules) & set(options.ignore_rules))
    if both:
        raise BacklogError(
            f"--rule {both[0]} and --ignore-rule {both[0]} contradict each other; keep one"
        )
    wanted = (set(options.rules) or set(RULE_IDS)) - set(options.ignore_rules)
    return [r for r in RULE_IDS if r in wanted and project.config.rules.get(r) != "off"]


def run_check(
    project: Project,
    options: CheckOptions = CheckOptions(),
    comparison: Comparison | None = None,
) -> CheckResult:
    rules = registry()
    in_scope = scope(project, options.paths, options.deleted, options.deleted_items)
    focus = in_scope
    if focus is None and options.items is not None:
        focus = Scope(frozenset(), options.items)
    context = Context(project, comparison, focus)
    overrides = project.config.rules
    now = today() if project.config.waivers else None
    live = {
        (w.rule, w.item) for w in project.config.waivers if now is not None and w.expires >= now
    }
    found: list[Diagnostic] = []
    waived: list[Diagnostic] = []
    for rule_id in selected_rules(project, options):
        rule = rules[rule_id]
        override = overrides.get(rule_id)
        for finding in rule.check(context):
            if in_scope is not None and not in_scope.covers(finding):
                continue
            if options.items is not None and finding.item not in options.items:
                continue
            severity: Severity = (
                override if override in ("error", "warning") else finding.severity or rule.SEVERITY  # type: ignore[assignment]
            )
            diagnostic = _stamped(finding, rule_id, severity)
            (waived if (rule_id, finding.item) in live else found).append(diagnostic)
    found, waived = _redacted(project, found), _redacted(project, waived)
    files = [d.rel for d in project.documents] + [e.rel for e in project.load_errors]
    if options.items is not None:
        files = [i.doc.rel for i in project.items if i.key in options.items]
    if in_scope is not None:
        in_items = {i.doc.rel for i in project.items if i.key in in_scope.items}
        files = [f for f in files if f in in_scope.files or f in in_items]
    names = {i.doc.rel: i.key for i in project.items}
    checked = tuple(sorted(((names.get(f, f), f) for f in files), key=lambda pair: pair[1]))
    return CheckResult(
        tuple(report_order(set(found))),
        len(files),
        options.strict,
        tuple(sorted(set(waived))),
        checked=checked,
        loaded=len(project.items) if in_scope is not None else None,
    )


def _stamped(finding: Finding, rule: str, severity: Severity) -> Diagnostic:
    f = finding
    return Diagnostic(
        f.path,
        f.line,
        f.column,
        rule,
        severity,
        f.message,
        f.item,
        f.hint,
        f.related,
        f.follows,
        f.also,
    )


def _redacted(project: Project, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Findings as every report may show them: control characters escaped and any
    credential masked, as the secret rule masks it.

    Rules quote what users wrote (`version` is `...`, unknown key `...`): printed raw, an
    escape sequence or line break in it would reach the terminal or forge a CI log line,
    and a credential would be printed in full, whether or not the `secret` rule runs."""
    from backlog_cli.checks import secret

    # a finding in a template file quotes the item that uses it: mask that item's credentials
    paths = {p for d in diagnostics if d.rule != secret.ID for p in _files(d)}
    secrets = {doc.rel: secret.secrets_in(doc) for doc in project.documents if doc.rel in paths}
    out = []
    for diagnostic in diagnostics:
        message, hint = diagnostic.message, diagnostic.hint
        known: tuple[str, ...] = ()
        if diagnostic.rule != secret.ID:
            known = tuple(s for p in _files(diagnostic) for s in secrets.get(p, ()))
            message = secret.redact(message, known)
            hint = secret.redact(hint, known) if hint else hint
        message = printable(message)
        hint = printable(hint) if hint else hint
        if message != diagnostic.message or hint != diagnostic.hint:
            diagnostic = replace(diagnostic, message=message, hint=hint)
        if diagnostic.also:
            also = tuple(
                replace(a, message=printable(secret.redact(a.message, known)))
                for a in diagnostic.also
            )
            diagnostic = replace(diagnostic, also=also)
        out.append(diagnostic)
    return out


def _files(diagnostic: Diagnostic) -> list[str]:
    return [diagnostic.path, *(location.path for location in diagnostic.also)]
