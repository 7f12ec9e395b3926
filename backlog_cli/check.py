"""The `check` core: run the selected rules over a loaded project and return the findings."""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from backlog_cli.checks import RULE_IDS, registry
from backlog_cli.dates import today
from backlog_cli.diagnostic import Diagnostic, printable
from backlog_cli.errors import BacklogError
from backlog_cli.paths import relpath
from backlog_cli.project import Project, Scope
from backlog_cli.suggest import did_you_mean


@dataclass(frozen=True)
class CheckOptions:
    paths: tuple[Path, ...] = ()  # limit findings to these files (pre-commit passes them)
    rules: tuple[str, ...] = ()  # --rule: only these
    ignore_rules: tuple[str, ...] = ()  # --ignore-rule
    strict: bool = False
    # --select/--exclude: only findings on these items (None: every finding)
    items: frozenset[str] | None = None


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
    wanted = set(options.rules) or set(RULE_IDS)
    wanted -= set(options.ignore_rules)
    return [
        rule for rule in registry() if rule in wanted and project.config.rules.get(rule) != "off"
    ]


def scope(project: Project, paths: Sequence[Path]) -> Scope | None:
    """The scope for PATHS, or None for everything."""
    if not paths:
        return None
    from backlog_cli.paths import resolve

    config = project.config
    root = config.repo_root
    known = {d.rel for d in project.documents} | {e.rel for e in project.load_errors}
    wanted: set[str] = set()
    real_files: set[Path] = set()
    for path in paths:
        absolute = path.resolve() if path.exists() or path.is_symlink() else None
        if absolute is None:
            raise BacklogError(f"{path}: no such file or directory")
        if config.source is not None and absolute == config.source.resolve():
            return None  # the config changed: everything may have changed
        if absolute.is_dir() and root.resolve().is_relative_to(absolute):
            return None  # a folder that holds the whole repository: everything
        inside = absolute.is_relative_to(root.resolve()) or (
            path.is_symlink() and path.absolute().is_relative_to(root)
        )
        if not inside:
            raise BacklogError(
                f"{path}: outside the repository ({root}); give files or folders inside it"
            )
        rel = relpath(absolute, root)
        if absolute.is_dir():
            prefix = "" if rel == "." else rel.rstrip("/") + "/"
            wanted.update(k for k in known if k.startswith(prefix))
        else:
            # a symlinked item file is known by the path it was found at
            wanted.add(relpath(path.absolute(), root) if path.is_symlink() else rel)
            real_files.add(absolute)
    keys = {item.key for item in project.items if item.doc.rel in wanted}
    # a template or evaluation config selects the items that name it (item files are
    # known by their path: only other files need the search)
    others = {p for p in real_files if relpath(p, root) not in known}
    if others:
        names = {p.name for p in others}
        for item in project.items:
            raw = item.summary.file
            if raw is not None and raw.rsplit("/", 1)[-1] in names:
                resolved = resolve(raw, item.doc.path, root)
                if resolved.path is not None and resolved.path in others:
                    keys.add(item.key)
    graph = project.graph
    reached = set(keys)
    for key in keys:
        node = graph.nodes.get(key)
        former = node.summary.renamed_from if node is not None else ()
        for target in (key, *former):
            reached.update(edge.source for edge in graph.downstream.get(target, ()))
    return Scope(frozenset(wanted), frozenset(reached))


def run_check(project: Project, options: CheckOptions = CheckOptions()) -> CheckResult:
    rules = registry()
    in_scope = scope(project, options.paths)
    overrides = project.config.rules
    now = today() if project.config.waivers else None
    live = {
        (w.rule, w.item) for w in project.config.waivers if now is not None and w.expires >= now
    }
    found: list[Diagnostic] = []
    waived: list[Diagnostic] = []
    if in_scope is not None:
        project.focus = in_scope
    elif options.items is not None:
        project.focus = Scope(frozenset(), options.items)
    try:
        for rule_id in selected_rules(project, options):
            severity = overrides.get(rule_id)
            for diagnostic in rules[rule_id].check(project):
                if in_scope is not None and not in_scope.covers(diagnostic):
                    continue
                if options.items is not None and diagnostic.item not in options.items:
                    continue
                if severity in ("error", "warning") and diagnostic.severity != severity:
                    diagnostic = dataclasses.replace(diagnostic, severity=severity)
                if (diagnostic.rule, diagnostic.item) in live:
                    waived.append(diagnostic)
                else:
                    found.append(diagnostic)
    finally:
        project.focus = None
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
        tuple(sorted(set(found))),
        len(files),
        options.strict,
        tuple(sorted(set(waived))),
        checked=checked,
    )


def _redacted(project: Project, diagnostics: list[Diagnostic]) -> list[Diagnostic]:
    """Findings as every report may show them: control characters escaped and any
    credential masked, as the secret rule masks it.

    Rules quote what users wrote (`version` is `...`, unknown key `...`): printed raw, an
    escape sequence or line break in it would reach the terminal or forge a CI log line,
    and a credential would be printed in full, whether or not the `secret` rule runs."""
    from backlog_cli.checks import secret

    paths = {d.path for d in diagnostics if d.rule != secret.ID}
    secrets = {doc.rel: secret.secrets_in(doc) for doc in project.documents if doc.rel in paths}
    out = []
    for diagnostic in diagnostics:
        message, hint = diagnostic.message, diagnostic.hint
        if diagnostic.rule != secret.ID:
            known = secrets.get(diagnostic.path, ())
            message = secret.redact(message, known)
            hint = secret.redact(hint, known) if hint else hint
        message = printable(message)
        hint = printable(hint) if hint else hint
        if message != diagnostic.message or hint != diagnostic.hint:
            diagnostic = dataclasses.replace(diagnostic, message=message, hint=hint)
        out.append(diagnostic)
    return out
