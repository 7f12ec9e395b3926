"""`backlog check`: run the rules, apply a baseline, render the report, exit 0/1/2."""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, NoReturn

import typer

from backlog_cli.cli import complete
from backlog_cli.cli.common import (
    Common,
    ExcludeOpt,
    FormatChoice,
    SelectOpt,
    common_options,
)
from backlog_cli.errors import BacklogError
from backlog_cli.report import Format

if TYPE_CHECKING:
    from backlog_cli.config import Config
    from backlog_cli.engine import CheckOptions, CheckResult
    from backlog_cli.project import Project


def _auto_format() -> str:
    return "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"


CHECK = FormatChoice(
    Format,
    "text, json, sarif, github, junit or markdown; default: github when "
    "GITHUB_ACTIONS=true (under GitHub Actions), else text.",
    auto=_auto_format,
    refusal="--format {value}: unknown format; choose one of {every}",
)


_PathsOpt = Annotated[
    list[Path] | None,
    typer.Argument(
        help="Limit findings to these files or folders (the whole backlog is "
        "still loaded for graph rules).",
        show_default=False,
    ),
]
_StepSummaryOpt = Annotated[
    bool,
    typer.Option(
        "--summary",
        help="Also append the markdown report to the file named by $GITHUB_STEP_SUMMARY "
        "(the job summary page under GitHub Actions).",
    ),
]
_RuleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--rule",
        help="Run only this rule (repeatable).",
        show_default=False,
        autocompletion=complete.rule_ids,
    ),
]
_IgnoreRuleOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--ignore-rule",
        help="Skip this rule (repeatable).",
        show_default=False,
        autocompletion=complete.rule_ids,
    ),
]
_StrictOpt = Annotated[bool, typer.Option("--strict", help="Warnings fail too.")]
_BaseOpt = Annotated[
    str | None,
    typer.Option(
        "--base",
        help="Compare with this git ref and enforce version bumps "
        "(default base: config `base`, else the merge-base with the default "
        "branch, used when --head is given).",
        show_default=False,
    ),
]
_HeadOpt = Annotated[
    str | None,
    typer.Option(
        "--head", help="Check this commit instead of the working tree.", show_default=False
    ),
]
_PreCommitOpt = Annotated[
    bool,
    typer.Option(
        "--pre-commit",
        help="Run as the backlog-check pre-commit hook: PATHS are the staged files; staged "
        "deletions under the item folder are checked too (the items still referencing a "
        "deleted item); with config `base`, the version rules run against the merge-base "
        "of HEAD and it; nothing staged in the backlog: exit 0 at once.",
    ),
]
_BaselineFileOpt = Annotated[
    Path | None,
    typer.Option(
        "--baseline",
        help="Fail only on findings not recorded in FILE (written "
        "by --write-baseline); says how many recorded ones are fixed.",
        show_default=False,
    ),
]
_WriteBaselineOpt = Annotated[
    Path | None,
    typer.Option(
        "--write-baseline",
        help="Record today's findings in FILE and exit 0: a "
        "legacy backlog adopts the tool in one commit.",
        show_default=False,
    ),
]


@common_options(
    CHECK,
    cache=True,
    links=True,
    output_help="Write the report to FILE (atomically); the terminal still gets the text summary.",
    quiet_help="Print findings only.",
)
def check(
    common: Common[Format],
    paths: _PathsOpt = None,
    step_summary: _StepSummaryOpt = False,
    rule: _RuleOpt = None,
    ignore_rule: _IgnoreRuleOpt = None,
    strict: _StrictOpt = False,
    base: _BaseOpt = None,
    head: _HeadOpt = None,
    pre_commit: _PreCommitOpt = False,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    baseline_file: _BaselineFileOpt = None,
    write_baseline: _WriteBaselineOpt = None,
) -> None:
    """Check the backlog: YAML, schemas, references, readiness, templates, secrets, versions."""
    from backlog_cli.engine import CheckOptions, run_check

    options = CheckOptions(
        paths=tuple(paths or ()),
        rules=tuple(rule or ()),
        ignore_rules=tuple(ignore_rule or ()),
        strict=strict,
    )
    # PATHS, --rule/--ignore-rule and --select/--exclude leave findings out of the run: a
    # baseline written from it would lose them, and one applied to it would call them fixed
    partial = bool(paths or rule or ignore_rule or select or exclude)
    if write_baseline is not None and partial:
        raise BacklogError(
            "--write-baseline records the whole backlog: drop PATHS, --rule, --ignore-rule, "
            "--select and --exclude"
        )
    report = _Report(common, step_summary, baseline_file, write_baseline, partial, head)
    label = None
    if pre_commit:
        if base is not None or head is not None:
            raise BacklogError(
                "--pre-commit compares with config `base` itself; drop --base and --head"
            )
        options, base, label = _pre_commit(common, options, paths or ())
    if base is None and head is None:
        result, project, config = _check_cached(common, options, select, exclude)
        report.finish(result, project, config)
    else:
        with common.project_at(base, head, paths, label=label) as compared:
            project, comparison = compared.project, compared.comparison
            chosen = common.selection(project, select, exclude, base, comparison)
            if chosen is not None:
                options = dataclasses.replace(options, items=frozenset(chosen))
            report.finish(run_check(project, options, comparison), project, project.config)


@dataclasses.dataclass(frozen=True)
class _Report:
    """What `check` does with its result: the baseline, the report and the exit code."""

    common: Common[Format]
    step_summary: bool
    baseline_file: Path | None
    write_baseline: Path | None
    partial: bool
    head: str | None

    def finish(self, result: CheckResult, project: Project | None, config: Config) -> NoReturn:
        """Write or apply the baseline, say the report, and exit with the result's code."""
        from backlog_cli import baseline
        from backlog_cli.report import render
        from backlog_cli.report.text import summary

        common = self.common
        if self.write_baseline is not None:
            count = baseline.write(self.write_baseline, result)
            plural = "" if count == 1 else "s"
            sys.stdout.write(f"wrote {count} finding{plural} to {self.write_baseline}\n")
            raise typer.Exit(0)
        if self.baseline_file is not None:
            recorded = baseline.read(self.baseline_file)
            result = baseline.apply(result, recorded, partial=self.partial).result
        loaded = (
            f"{len(project.documents) + len(project.load_errors)} files loaded"
            if project is not None
            else "result reused from the cache (nothing changed)"
        )
        common.detail(f"config {config.source or '(defaults)'}; items {config.items}; {loaded}")
        use_color = common.color and common.output is None
        # a --head checkout is temporary: SARIF locations then stay relative to no root
        repo_root = str(config.repo_root) if self.head is None else None
        cases = result.checked if common.fmt is Format.junit else None
        text = render(
            common.fmt,
            result,
            color=use_color,
            quiet=common.quiet,
            root=repo_root,
            cases=cases,
            link_base=common.link_base,
        )
        if self.step_summary:
            self._append_step_summary(result, common.link_base)
        common.emit(text, None if common.quiet else summary(result) + "\n")
        raise typer.Exit(result.exit_code)

    def _append_step_summary(self, result: CheckResult, link_base: str | None) -> None:
        from backlog_cli.report import render

        target = os.environ.get("GITHUB_STEP_SUMMARY")
        if not target:
            sys.stderr.write("backlog: --summary: GITHUB_STEP_SUMMARY is not set; skipped\n")
            return
        try:
            with open(target, "a", encoding="utf-8") as handle:
                handle.write(render(Format.markdown, result, link_base=link_base))
        except OSError as exc:
            raise BacklogError(f"--summary: cannot append to {target}: {exc}") from exc


def _pre_commit(
    common: Common[Format], options: CheckOptions, paths: list[Path] | tuple[()]
) -> tuple[CheckOptions, str | None, str | None]:
    """The options and base ref of a hook run; exits 0 when nothing in the backlog is staged."""
    from backlog_cli.commands import hook

    plan = hook.plan(common.root, paths)
    if plan is None:
        if common.fmt is Format.text:
            if not common.quiet:
                sys.stdout.write("nothing in the backlog is staged: 0 files checked\n")
        else:
            from backlog_cli.engine import CheckResult
            from backlog_cli.report import render

            common.emit(render(common.fmt, CheckResult((), 0, options.strict, loaded=0)))
        raise typer.Exit(0)
    options = dataclasses.replace(options, deleted=plan.deleted, deleted_items=plan.deleted_items)
    return options, plan.base, plan.label


def _check_cached(
    common: Common[Format],
    options: CheckOptions,
    select: list[str] | None,
    exclude: list[str] | None,
) -> tuple[CheckResult, Project | None, Config]:
    """A plain `check` (no git refs), through the parse cache and the whole-run cache."""
    from backlog_cli import cache
    from backlog_cli.commands.check import Selection, check_working_tree
    from backlog_cli.config import load_config
    from backlog_cli.workspace import require_items

    config = load_config(common.root)
    require_items(config)
    folder = cache.directory(config.repo_root, common.cache_dir, common.no_cache)
    selection = Selection(tuple(select or ()), tuple(exclude or ()))
    run = check_working_tree(config, options, selection, folder)
    common.notes(run.notes)
    return run.result, run.project, config
