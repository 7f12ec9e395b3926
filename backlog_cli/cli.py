"""The command line: parse options, call one core function, render, map errors to exit codes.

Heavy modules (jsonschema, pydantic, the loader) are imported inside the commands so that
`--version`, `--help` and completion stay fast.
"""

from __future__ import annotations

import dataclasses
import os
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from backlog_cli import __version__
from backlog_cli.errors import BacklogError

if TYPE_CHECKING:
    from collections.abc import Callable

    from backlog_cli.config import Config
    from backlog_cli.engine import CheckOptions, CheckResult
    from backlog_cli.project import Project
    from backlog_cli.select import Why
    from backlog_cli.versioning import Comparison


def _defer_typer_coercion() -> bool:
    """Keep pydantic out of `--help`, `--version` and shell completion.

    Typer coerces each parameter's value through a pydantic TypeAdapter that it builds the
    first time the parameter is processed, even when there is no value to coerce: a
    command's `--help`, the group's flags and every completion request imported pydantic
    (~50 ms), and every `check` built ~20 TypeAdapters (~100 ms of a 0.5 s warm run). This
    defers the adapter until a value needs one: an unset value passes through, and the
    plain types this CLI uses (str, bool, Path, lists of them) get exactly what typer's
    own converters give, without pydantic. Returns whether the hook is in place (with a
    typer that lacks these internals nothing changes).
    """
    try:
        from typer.core import _TyperParameter
    except ImportError:  # pragma: no cover - another typer
        return False
    build = getattr(_TyperParameter, "get_runtime_param", None)
    if build is None or getattr(build, "_deferred", False):  # pragma: no cover
        return build is not None

    coerce_cli_path: Any
    try:
        from typer._param_types import coerce_cli_path
    except ImportError:  # pragma: no cover - another typer: paths go through pydantic
        coerce_cli_path = None

    missing = object()

    def plain(value: Any, annotation: Any, param: Any, ctx: Any) -> Any:
        """What typer's own coercion gives for the plain types this CLI uses (str, bool,
        Path and lists of them, with no parser), without pydantic; `missing` otherwise."""
        info = param.type_descriptor.parameter_info
        if annotation is str and type(value) is str:
            return value
        if annotation is bool and type(value) is bool:
            return value
        if (
            annotation is Path
            and isinstance(value, str)
            and coerce_cli_path is not None
            and getattr(info, "parser", None) is None
        ):
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        if getattr(annotation, "__origin__", None) is list and isinstance(value, (list, tuple)):
            (inner,) = annotation.__args__
            out = [plain(v, inner, param, ctx) for v in value]
            if all(v is not missing for v in out):
                return out
        return missing

    class Deferred:
        def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
            if value is None:
                return () if (param.multiple or param.nargs == -1) else None
            done = plain(value, param.type_descriptor.annotation, param, ctx)
            if done is not missing:
                return done
            return original(param).coerce(value, param=param, ctx=ctx)

    deferred = Deferred()
    original: Any = build

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            return deferred
        return self._runtime_param

    get_runtime_param._deferred = True  # type: ignore[attr-defined]
    _TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]
    return True


COERCION_DEFERRED = _defer_typer_coercion()

app = typer.Typer(
    name="backlog",
    help="Git-native checks for GenAI product backlogs.",
    no_args_is_help=True,
    add_completion=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)

RootOpt = Annotated[
    Path | None,
    typer.Option(
        "--root",
        help="Project folder (where backlog.yaml is); default: found "
        "by walking up from the current folder.",
        show_default=False,
    ),
]
CacheDirOpt = Annotated[
    Path | None,
    typer.Option(
        "--cache-dir",
        help="Where the parse cache lives (default: "
        "$BACKLOG_CACHE_DIR, else .backlog_cache/ at the repository root).",
        show_default=False,
    ),
]
NoCacheOpt = Annotated[bool, typer.Option("--no-cache", help="Do not read or write the cache.")]
HeadOpt = Annotated[
    str | None,
    typer.Option("--head", help="Head ref (default: the working tree).", show_default=False),
]
JsonFormatOpt = Annotated[str, typer.Option("--format", "-f", help="text or json.")]
ReportFormatOpt = Annotated[str, typer.Option("--format", "-f", help="text, json or markdown.")]
CheckOutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the report to FILE (atomically); the terminal still gets the text summary.",
        show_default=False,
    ),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the output to FILE (atomically) instead of printing it.",
        show_default=False,
    ),
]
NoColorOpt = Annotated[bool, typer.Option("--no-color", help="No colour (also NO_COLOR).")]
CheckQuietOpt = Annotated[bool, typer.Option("--quiet", "-q", help="Print findings only.")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Print the result only: no summary lines or notes.")
]
VerboseOpt = Annotated[bool, typer.Option("--verbose", "-v", help="Say more on stderr.")]


@dataclasses.dataclass
class _Ui:
    """`--quiet`, `--verbose` and `--no-color`, which every command takes."""

    quiet: bool = False
    verbose: bool = False
    no_color: bool = False


UI = _Ui()


def _ui(quiet: bool, verbose: bool, no_color: bool) -> None:
    if quiet and verbose:
        raise BacklogError("choose one of --quiet or --verbose")
    UI.quiet, UI.verbose, UI.no_color = quiet, verbose, no_color


def _say(text: str) -> None:
    """An informational line on stdout (a count, what was written); not with --quiet."""
    if not UI.quiet:
        sys.stdout.write(text + "\n")


def _detail(text: str) -> None:
    """A line for --verbose, on stderr."""
    if UI.verbose:
        sys.stderr.write(f"backlog: {text}\n")


SelectOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--select",
        "-s",
        help="Only items matching this selector (repeatable; "
        "`kind/id`, `kind/id+`, `+kind/id`, `2+kind/id+1`, `kind:K`, `status:S`, "
        "`owner:O`, `tag:T`, `path:GLOB`, `changed`, `changed+`; space = union, "
        "comma = intersection).",
        show_default=False,
    ),
]
ExcludeOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--exclude",
        "-x",
        help="Leave out items matching this selector (repeatable).",
        show_default=False,
    ),
]


def _version(value: bool) -> None:
    if value:
        typer.echo(f"backlog {__version__}")
        raise typer.Exit()


@app.callback()
def main_options(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """Validate GenAI backlog items, their lineage, readiness and versions."""


def _color() -> bool:
    return not UI.no_color and "NO_COLOR" not in os.environ and sys.stdout.isatty()


def _project(root: Path | None, cache_dir: Path | None = None, no_cache: bool = False) -> Project:
    from backlog_cli import cache
    from backlog_cli.config import load_config
    from backlog_cli.project import load_project

    config = load_config(root)
    if not config.items.is_dir():
        where = config.source or config.project_root
        raise BacklogError(
            f"no item folder at {config.items} (from {where}); create it, "
            "run `backlog init`, or set `items:` in backlog.yaml"
        )
    folder = cache.directory(config.repo_root, cache_dir, no_cache)
    project = load_project(config, cache.Cache(folder) if folder is not None else None)
    _detail(
        f"config {config.source or '(defaults)'}; items {config.items}; "
        f"{len(project.documents) + len(project.load_errors)} files loaded; "
        f"cache {folder if folder is not None else 'off'}"
    )
    return project


def _check_cached(
    root: Path | None,
    options: CheckOptions,
    select: list[str] | None,
    exclude: list[str] | None,
    cache_dir: Path | None,
    no_cache: bool,
) -> tuple[CheckResult, Project | None, Config]:
    """A plain `check` (no git refs), through the parse cache and the whole-run cache."""
    from backlog_cli import cache
    from backlog_cli.commands.check import Selection, check_working_tree
    from backlog_cli.config import load_config

    config = load_config(root)
    if not config.items.is_dir():
        _project(root)  # raises the missing-folder error
    folder = cache.directory(config.repo_root, cache_dir, no_cache)
    run = check_working_tree(
        config, options, Selection(tuple(select or ()), tuple(exclude or ())), folder
    )
    if not UI.quiet:
        for note in run.notes:
            sys.stderr.write(f"backlog: note: {note}\n")
    return run.result, run.project, config


def _project_at(
    root: Path | None,
    base: str | None,
    head: str | None,
    paths: list[Path] | None = None,
    cache_dir: Path | None = None,
    no_cache: bool = False,
    *,
    compare: bool = False,
    only: set[str] | None = None,
) -> tuple[Project, Comparison | None, object]:
    """The project to check, with its comparison when `--base`/`--head` ask for one.

    The second value keeps a temporary checkout of `--head` alive while it is in use.
    """
    if base is None and head is None and not compare:
        return _project(root, cache_dir, no_cache), None, None
    from backlog_cli import versioning

    project = _project(root, cache_dir, no_cache)
    config = project.config
    keep: object = None
    if head is not None:
        if paths:
            raise BacklogError(
                "PATHS cannot be combined with --head (they name working-tree "
                "files); drop one of them"
            )
        project, keep = versioning.temporary_head(config, head)
    try:
        comparison = _noted(versioning.with_base(config, project, base, head, only=only))
    except BaseException:
        cleanup = getattr(keep, "cleanup", None)
        if callable(cleanup):  # a refused base: remove the --head checkout now
            cleanup()
        raise
    return project, comparison, keep


def _noted(comparison: Comparison) -> Comparison:
    """`comparison`, its notes said on stderr (unless --quiet): a comparison that counts
    every item as added (the base has no backlog there) must not look like a clean pass."""
    if not UI.quiet:
        for note in comparison.notes:
            sys.stderr.write(f"backlog: note: {note}\n")
    return comparison


def _selection(
    project: Project,
    select: list[str] | None,
    exclude: list[str] | None,
    base: str | None = None,
    comparison: Comparison | None = None,
) -> dict[str, Why] | None:
    """The `--select/--exclude` result (key -> why it was selected), or None for all items."""
    if not select and not exclude:
        return None
    from backlog_cli import select as selectors

    changed: set[str] | None = None
    if selectors.needs_changed(select or [], exclude or []):
        from backlog_cli import versioning

        comparison = comparison or _noted(versioning.with_base(project.config, project, base, None))
        changed = {c.key for c in comparison.items if c.state in ("added", "changed")}
    return selectors.select(project, select or [], exclude or [], changed)


def _emit(text: str, output: Path | None, summary: str | None = None) -> None:
    if output is None:
        sys.stdout.write(text)
        return
    from backlog_cli.fsutil import write_atomic

    write_atomic(output, text)
    if summary is not None:
        sys.stdout.write(summary)


@app.command()
def check(
    paths: Annotated[
        list[Path] | None,
        typer.Argument(
            help="Limit findings to these files or folders (the whole backlog is "
            "still loaded for graph rules).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str | None,
        typer.Option(
            "--format",
            "-f",
            help="text, json, sarif, github, junit or markdown; default: github when "
            "GITHUB_ACTIONS=true (under GitHub Actions), else text.",
            show_default=False,
        ),
    ] = None,
    step_summary: Annotated[
        bool,
        typer.Option(
            "--summary",
            help="Also append the markdown report to the file named by $GITHUB_STEP_SUMMARY "
            "(the job summary page under GitHub Actions).",
        ),
    ] = False,
    rule: Annotated[
        list[str] | None,
        typer.Option("--rule", help="Run only this rule (repeatable).", show_default=False),
    ] = None,
    ignore_rule: Annotated[
        list[str] | None,
        typer.Option("--ignore-rule", help="Skip this rule (repeatable).", show_default=False),
    ] = None,
    strict: Annotated[bool, typer.Option("--strict", help="Warnings fail too.")] = False,
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Compare with this git ref and enforce version bumps "
            "(default base: config `base`, else the merge-base with the default "
            "branch, used when --head is given).",
            show_default=False,
        ),
    ] = None,
    head: Annotated[
        str | None,
        typer.Option(
            "--head", help="Check this commit instead of the working tree.", show_default=False
        ),
    ] = None,
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    baseline_file: Annotated[
        Path | None,
        typer.Option(
            "--baseline",
            help="Fail only on findings not recorded in FILE (written "
            "by --write-baseline); says how many recorded ones are fixed.",
            show_default=False,
        ),
    ] = None,
    write_baseline: Annotated[
        Path | None,
        typer.Option(
            "--write-baseline",
            help="Record today's findings in FILE and exit 0: a "
            "legacy backlog adopts the tool in one commit.",
            show_default=False,
        ),
    ] = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    root: RootOpt = None,
    output: CheckOutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: CheckQuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Check the backlog: YAML, schemas, references, readiness, templates, secrets, versions."""
    from backlog_cli.engine import CheckOptions, run_check
    from backlog_cli.report import Format, render
    from backlog_cli.report.text import summary

    _ui(quiet, verbose, no_color)

    if fmt is None:
        fmt_name = "github" if os.environ.get("GITHUB_ACTIONS") == "true" else "text"
    else:
        fmt_name = fmt
    try:
        report_format = Format(fmt_name)
    except ValueError:
        choices = ", ".join(f.value for f in Format)
        raise BacklogError(
            f"--format {fmt_name}: unknown format; choose one of {choices}"
        ) from None
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
    project: Project | None
    if base is None and head is None:
        result, project, config = _check_cached(root, options, select, exclude, cache_dir, no_cache)
    else:
        project, comparison, _checkout = _project_at(root, base, head, paths, cache_dir, no_cache)
        chosen = _selection(project, select, exclude, base, comparison)
        if chosen is not None:
            options = dataclasses.replace(options, items=frozenset(chosen))
        result = run_check(project, options, comparison)
        config = project.config
    if write_baseline is not None:
        from backlog_cli import baseline

        count = baseline.write(write_baseline, result)
        sys.stdout.write(f"wrote {count} finding{'' if count == 1 else 's'} to {write_baseline}\n")
        raise typer.Exit(0)
    if baseline_file is not None:
        from backlog_cli import baseline

        result = baseline.apply(result, baseline.read(baseline_file), partial=partial).result
    if verbose:
        loaded = (
            f"{len(project.documents) + len(project.load_errors)} files loaded"
            if project is not None
            else "result reused from the cache (nothing changed)"
        )
        sys.stderr.write(
            f"backlog: config {config.source or '(defaults)'}; items {config.items}; {loaded}\n"
        )
    use_color = _color() and output is None
    # a --head checkout is temporary: SARIF locations then stay relative to no root
    repo_root = str(config.repo_root) if head is None else None
    cases = result.checked if report_format is Format.junit else None
    text = render(report_format, result, color=use_color, quiet=quiet, root=repo_root, cases=cases)
    if step_summary:
        target = os.environ.get("GITHUB_STEP_SUMMARY")
        if not target:
            sys.stderr.write("backlog: --summary: GITHUB_STEP_SUMMARY is not set; skipped\n")
        else:
            try:
                with open(target, "a", encoding="utf-8") as handle:
                    handle.write(render(Format.markdown, result))
            except OSError as exc:
                raise BacklogError(f"--summary: cannot append to {target}: {exc}") from exc
    _emit(text, output, None if quiet else summary(result) + "\n")
    raise typer.Exit(result.exit_code)


def _json(payload: object) -> str:
    import json

    try:
        text = json.dumps(payload, indent=2, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        # item data with `.nan`/`.inf` (a `schema` finding): JSON has no such numbers, so
        # they are written as YAML spells them, as strings, never as invalid `NaN`
        text = json.dumps(_finite(payload), indent=2, ensure_ascii=False, default=str)
    return text + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return ".nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, dict):
        return {key: _finite(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value


def _check_format(fmt: str, choices: tuple[str, ...] = ("text", "json")) -> None:
    """Exit 2 unless `fmt` is one of `choices` ("choose text, json or markdown")."""
    if fmt not in choices:
        listed = ", ".join(choices[:-1]) + f" or {choices[-1]}"
        raise BacklogError(f"--format {fmt}: choose {listed}")


@app.command("list")
def list_items(
    kind: Annotated[
        list[str] | None,
        typer.Option("--kind", help="Only this kind (repeatable).", show_default=False),
    ] = None,
    status: Annotated[
        list[str] | None,
        typer.Option("--status", help="Only this status (repeatable).", show_default=False),
    ] = None,
    owner: Annotated[
        list[str] | None,
        typer.Option("--owner", help="Only this owner (repeatable).", show_default=False),
    ] = None,
    fmt: JsonFormatOpt = "text",
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    base: Annotated[
        str | None,
        typer.Option("--base", help="Base ref for the `changed` selector.", show_default=False),
    ] = None,
    root: RootOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """List the items, one line each."""
    from backlog_cli.commands import inventory
    from backlog_cli.config import did_you_mean
    from backlog_cli.refs import KINDS

    _ui(quiet, verbose, no_color)
    _check_format(fmt)
    from backlog_cli.readiness import STATUSES

    for k in kind or ():
        if k not in KINDS:
            raise BacklogError(f"--kind {k}: unknown kind{did_you_mean(k, KINDS)}")
    for s in status or ():
        if s not in STATUSES:
            raise BacklogError(f"--status {s}: unknown status{did_you_mean(s.lower(), STATUSES)}")
    project = _project(root, cache_dir, no_cache)
    items = inventory.select(project, kind or (), status or (), owner or ())
    chosen = _selection(project, select, exclude, base)
    if chosen is not None:
        items = [i for i in items if i.key in chosen]
    if fmt == "json":
        rows = [
            {**inventory.summary(i), **({"why": chosen[i.key].to_json()} if chosen else {})}
            for i in items
        ]
        _emit(_json({"version": 1, "items": rows}), output)
    else:
        _emit(inventory.render_list(items, footer=not UI.quiet), output)


@app.command()
def show(
    item_name: Annotated[str, typer.Argument(metavar="ITEM", help="`kind/id` (or a unique id).")],
    fmt: JsonFormatOpt = "text",
    root: RootOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Show one item with its resolved links, upstream and downstream."""
    from backlog_cli.commands import inventory

    _ui(quiet, verbose, no_color)
    _check_format(fmt)
    project = _project(root, cache_dir, no_cache)
    item = inventory.resolve(project, item_name)
    upstream, downstream = inventory.links(project, item)
    if fmt == "json":
        payload = {
            "version": 1,
            "item": {**inventory.summary(item), "data": item.data},
            "upstream": upstream,
            "downstream": downstream,
        }
        _emit(_json(payload), output)
    else:
        _emit(inventory.render_show(item, upstream, downstream), output)


@app.command()
def status(
    fmt: ReportFormatOpt = "text",
    root: RootOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """The board: items per kind and status, what is not ready and why, what to pick up."""
    from backlog_cli.commands import status as board

    _ui(quiet, verbose, no_color)
    _check_format(fmt, ("text", "json", "markdown"))
    report = board.build(_project(root, cache_dir, no_cache))
    if fmt == "json":
        _emit(_json(report.to_json()), output)
    elif fmt == "markdown":
        _emit(board.render_markdown(report), output)
    else:
        rich_terminal = output is None and _color()
        _emit(board.render_text(report, rich_terminal=rich_terminal), output)


def _split_refs_and_items(args: list[str]) -> tuple[list[str], list[str]]:
    """`diff BASE HEAD ITEM...`: words that name an item (`kind/id`) are items."""
    from backlog_cli.refs import KINDS

    refs: list[str] = []
    items: list[str] = []
    for arg in args:
        (items if arg.split("/", 1)[0] in KINDS and "/" in arg else refs).append(arg)
    if len(refs) > 2:
        raise BacklogError(f"diff takes at most two refs (BASE, HEAD); got {', '.join(refs)}")
    return refs, items


@app.command()
def diff(
    args: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[BASE [HEAD]] [ITEM...]",
            help="Refs to compare (default: "
            "config `base` or the merge-base with the default branch, against the "
            "working tree) and `kind/id` items to limit the diff to.",
            show_default=False,
        ),
    ] = None,
    base: Annotated[
        str | None, typer.Option("--base", help="Base ref.", show_default=False)
    ] = None,
    head: HeadOpt = None,
    fmt: ReportFormatOpt = "text",
    root: RootOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Semantic diff of items between two refs: what changed, how it is classified, bumps."""
    from backlog_cli.commands import diff as render

    _ui(quiet, verbose, no_color)
    _check_format(fmt, ("text", "json", "markdown"))
    refs, items = _split_refs_and_items(args or [])
    if refs and base is not None:
        raise BacklogError("give the base ref either as BASE or as --base, not both")
    if refs:
        base = refs[0]
    if len(refs) == 2:
        if head is not None:
            raise BacklogError("give the head ref either as HEAD or as --head, not both")
        head = refs[1]
    only = set(items) if items else None
    project, comparison, keep = _project_at(
        root, base, head, None, cache_dir, no_cache, compare=True, only=only
    )
    assert comparison is not None
    if only:
        known = {c.key for c in comparison.items} | set(project.by_key)
        known |= {c.base.key for c in comparison.items if c.base is not None}  # renamed
        for key in sorted(only - known):
            raise BacklogError(f"unknown item `{key}` (neither at the base nor at the head)")
    if fmt == "json":
        _emit(_json(render.to_json(comparison)), output)
    elif fmt == "markdown":
        _emit(render.render_markdown(comparison), output)
    else:
        _emit(render.render_text(comparison, color=output is None and _color()), output)
    del keep


@app.command()
def bump(
    items: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="[ITEM...]",
            help="Items (`kind/id`) to bump; with --auto, limits it to these.",
            show_default=False,
        ),
    ] = None,
    major: Annotated[bool, typer.Option("--major", help="Bump the major version.")] = False,
    minor: Annotated[bool, typer.Option("--minor", help="Bump the minor version.")] = False,
    patch: Annotated[bool, typer.Option("--patch", help="Bump the patch version.")] = False,
    auto: Annotated[
        bool,
        typer.Option(
            "--auto",
            help="Every changed item gets the bump its classification requires (against --base).",
        ),
    ] = False,
    base: Annotated[
        str | None, typer.Option("--base", help="Base ref for --auto.", show_default=False)
    ] = None,
    fmt: JsonFormatOpt = "text",
    root: RootOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Rewrite `version` in place; nothing else in the file changes."""
    from backlog_cli import versioning
    from backlog_cli.classify import bump_version
    from backlog_cli.commands import inventory
    from backlog_cli.commands.bump import write_bump
    from backlog_cli.loader import relpath
    from backlog_cli.refs import parse_version

    _ui(quiet, verbose, no_color)
    _check_format(fmt)
    chosen = [
        name
        for name, on in (("major", major), ("minor", minor), ("patch", patch), ("auto", auto))
        if on
    ]
    if len(chosen) != 1:
        raise BacklogError("choose exactly one of --major, --minor, --patch or --auto")
    project = _project(root, cache_dir, no_cache)
    plan: list[tuple[str, Path, str, str]] = []  # key, file, old, new
    if chosen[0] == "auto":
        only = {inventory.resolve(project, name).key for name in items} if items else None
        comparison = _noted(versioning.with_base(project.config, project, base, None, only=only))
        for change in comparison.items:
            if change.state != "changed" or change.level == "none" or change.bump_ok:
                continue
            item = project.find(change.key)
            if item is None or change.base is None or change.base.version is None:
                continue
            if parse_version(change.base.version) is None:
                continue  # no valid version at the base: nothing to bump from (as check)
            target = bump_version(change.base.version, change.required)
            plan.append((change.key, item.doc.path, item.version or "?", target))
    else:
        if base is not None:
            raise BacklogError("--base only applies to --auto")
        if not items:
            raise BacklogError(f"name the items to bump: backlog bump --{chosen[0]} kind/id ...")
        for name in items:
            item = inventory.resolve(project, name)
            if item.version is None:
                raise BacklogError(f"`{item.key}` has no valid version to bump")
            try:
                new = bump_version(item.version, chosen[0])
            except ValueError as exc:
                raise BacklogError(f"`{item.key}`: {exc}") from None
            plan.append((item.key, item.doc.path, item.version, new))
    limits = project.config.limits
    rows: list[dict[str, str]] = []
    lines: list[str] = []
    for key, path, old, new in plan:
        write_bump(path, new, limits)
        rel = relpath(path, project.config.repo_root)
        rows.append({"item": key, "path": rel, "from": old, "to": new})
        lines.append(f"{key}: {old} -> {new} ({os.path.relpath(path)})\n")
    if fmt == "json":
        _emit(_json({"version": 1, "bumped": rows}), output)
    elif plan:
        _emit("".join(lines), output)
    elif not UI.quiet:
        _emit("nothing to bump: every changed item already has the version it needs\n", output)


@app.command()
def impact(
    base: Annotated[
        str | None,
        typer.Option(
            "--base",
            help="Base ref (default: config `base`, else the merge-base with the default branch).",
            show_default=False,
        ),
    ] = None,
    head: HeadOpt = None,
    fmt: ReportFormatOpt = "text",
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    root: RootOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """What the change set touches: impacted items, owners, evaluations, broken ranges."""
    from backlog_cli.commands import impact as impact_report

    _ui(quiet, verbose, no_color)
    _check_format(fmt, ("text", "json", "markdown"))
    project, comparison, keep = _project_at(
        root, base, head, None, cache_dir, no_cache, compare=True
    )
    assert comparison is not None
    report = impact_report.build(project, comparison)
    chosen = _selection(project, select, exclude, comparison=comparison)
    if chosen is not None:
        report.restrict(set(chosen))
    if fmt == "json":
        _emit(_json(impact_report.to_json(report)), output)
    elif fmt == "markdown":
        _emit(impact_report.render_markdown(report), output)
    else:
        _emit(impact_report.render_text(report), output)
    del keep


@app.command()
def schema(
    kind: Annotated[
        str | None,
        typer.Argument(
            help="A kind, `envelope`, `item` (all kinds, the default) or an output "
            "contract such as `check-result`.",
            show_default=False,
        ),
    ] = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output", "-o", help="Write the schema file(s) into this folder.", show_default=False
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite differing files.")] = False,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="json (schemas are JSON documents).")
    ] = "json",
    root: Annotated[
        Path | None,
        typer.Option(
            "--root", help="A relative --output is taken from this folder.", show_default=False
        ),
    ] = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Print or write the published JSON Schemas."""
    from backlog_cli import schemas
    from backlog_cli.config import did_you_mean
    from backlog_cli.fsutil import write_atomic

    _ui(quiet, verbose, no_color)
    _check_format(fmt, ("json",))
    if root is not None and not root.is_dir():
        raise BacklogError(f"--root {root}: not a directory")
    if root is not None and output is not None and not output.is_absolute():
        output = root / output
    names = schemas.available()
    if kind is not None and kind not in names:
        raise BacklogError(
            f"unknown schema `{kind}`{did_you_mean(kind, names)}; available: {', '.join(names)}"
        )
    if output is None:
        sys.stdout.write(schemas.dumps(schemas.load(kind or "item")))
        return
    if output.exists() and not output.is_dir():
        raise BacklogError(f"--output {output}: not a folder")
    for name in [kind] if kind else names:
        target = output / schemas.file_name(name)
        changed = write_atomic(target, schemas.dumps(schemas.load(name)), force=force)
        _say(f"{'wrote' if changed else 'up to date'} {target}")


@app.command()
def rules(
    fmt: JsonFormatOpt = "text",
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="Project folder whose config sets the severities shown (default: the "
            "config found from the current folder, if any).",
            show_default=False,
        ),
    ] = None,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """List the rules with their documentation and severity (default, and as configured).

    With --quiet, one line per rule: its id and severity."""
    from backlog_cli.checks import RULE_IDS, registry
    from backlog_cli.config import find_config_file, load_config

    _ui(quiet, verbose, no_color)
    _check_format(fmt)
    configured: dict[str, str] = {}
    if root is not None or find_config_file(Path.cwd().resolve()) is not None:
        config = load_config(root)
        configured = config.rules
        _detail(f"config {config.source or '(defaults)'}")
    implemented = registry()
    rows: list[dict[str, str]] = []
    texts: list[str] = []
    for rule_id in RULE_IDS:
        module = implemented.get(rule_id)
        if module is None:
            continue
        doc = (module.__doc__ or "").strip()
        severity = configured.get(rule_id, module.SEVERITY)
        summary = doc.split("\n", 1)[0].removeprefix(f"{rule_id}:").strip()
        rows.append(
            {
                "id": rule_id,
                "severity": severity,
                "default_severity": module.SEVERITY,
                "summary": summary,
                "doc": doc,
            }
        )
        if UI.quiet:
            texts.append(f"{rule_id}  {severity}\n")
        else:
            here = f"; configured: {severity}" if severity != module.SEVERITY else ""
            texts.append(f"{doc}\n  [default severity: {module.SEVERITY}{here}]\n\n")
    if fmt == "json":
        _emit(_json({"version": 1, "rules": rows}), output)
    else:
        _emit("".join(texts), output)


@app.command()
def new(
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="capability, prompt, agent, tool, policy, dataset, model or evaluation.",
        ),
    ],
    item_id: Annotated[str, typer.Argument(metavar="ID", help="Slug, e.g. `support-triage`.")],
    path: Annotated[
        Path | None,
        typer.Option(
            "--path",
            help="Write to FILE (.yaml/.yml, inside the item folder) instead of "
            "<items>/<kind folder>/<ID>.yaml.",
            show_default=False,
        ),
    ] = None,
    title: Annotated[
        str | None,
        typer.Option("--title", help="Title; default: derived from ID.", show_default=False),
    ] = None,
    owner: Annotated[
        str | None,
        typer.Option(
            "--owner",
            help="Owner; default: git user.email (else user.name), else `@you`.",
            show_default=False,
        ),
    ] = None,
    root: RootOpt = None,
    fmt: JsonFormatOpt = "text",
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Create an item file from its kind's template, valid against the schema at once.

    The file starts with a yaml-language-server `$schema` comment: the repository's
    schemas/<kind>.schema.json when it has one, else the schema shipped with backlog-cli
    (relative when it lies inside the repository, absolute otherwise). Never overwrites:
    an existing file or an existing kind/id is refused. Prints the path written.
    """
    from backlog_cli.commands import scaffold
    from backlog_cli.config import find_git_root
    from backlog_cli.loader import relpath

    _ui(quiet, verbose, no_color)
    _check_format(fmt)
    options = scaffold.NewOptions(kind, item_id, path, title, owner, root)
    written = scaffold.new_item(options, Path.cwd())
    if fmt == "json":
        repo = find_git_root(written.parent) or (root or Path.cwd()).resolve()
        payload = {"version": 1, "item": f"{kind}/{item_id}", "path": relpath(written, repo)}
        _emit(_json(payload), output)
    else:
        _emit(f"{os.path.relpath(written)}\n", output)


@app.command()
def init(
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing backlog.yaml.")
    ] = False,
    root: Annotated[
        Path | None,
        typer.Option(
            "--root",
            help="Repository folder; default: the git root of the current folder, else it.",
            show_default=False,
        ),
    ] = None,
    fmt: JsonFormatOpt = "text",
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Create backlog.yaml and an example item (backlog/prompts/example-prompt.yaml).

    An existing backlog.yaml is refused unless --force, which overwrites the config only:
    an existing example item is always left alone.
    """
    from backlog_cli.commands import scaffold
    from backlog_cli.loader import relpath

    _ui(quiet, verbose, no_color)
    _check_format(fmt)
    result = scaffold.init(root, Path.cwd(), force=force)
    if fmt == "json":
        payload = {
            "version": 1,
            "config": {
                "path": relpath(result.config, result.root),
                "written": result.config_written,
            },
            "example": {
                "path": relpath(result.example, result.root),
                "written": result.example_skipped is None,
                "skipped": result.example_skipped,
            },
        }
        _emit(_json(payload), output)
        return
    config = os.path.relpath(result.config)
    lines = [f"{'wrote' if result.config_written else 'up to date'} {config}\n"]
    example = os.path.relpath(result.example)
    if result.example_skipped is None:
        lines.append(f"wrote {example}\n")
    else:
        lines.append(f"skipped {example} ({result.example_skipped})\n")
    if not UI.quiet:
        lines.append("next: `backlog check`, then `backlog new KIND ID` for your own items\n")
    _emit("".join(lines), output)


@app.command()
def history(
    item_name: Annotated[str, typer.Argument(metavar="ITEM", help="`kind/id` (or a unique id).")],
    fmt: JsonFormatOpt = "text",
    root: RootOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Every version of one item across git history, oldest first, with the classification
    of each change and whether its version bump was enough; follows moves and id renames
    (`renamed_from`), counts template_file edits, and ends with uncommitted changes."""
    from backlog_cli.commands import history as item_history

    _ui(quiet, verbose, no_color)
    _check_format(fmt)
    result = item_history.build(_project(root, cache_dir, no_cache), item_name)
    if not UI.quiet:
        for note in result.notes:
            sys.stderr.write(f"backlog: note: {note}\n")
    if fmt == "json":
        _emit(_json(result.to_json()), output)
    else:
        _emit(item_history.render_text(result), output)


@app.command()
def lineage(
    item_name: Annotated[str, typer.Argument(metavar="ITEM", help="`kind/id` (or a unique id).")],
    up: Annotated[bool, typer.Option("--up", help="Only what ITEM depends on.")] = False,
    down: Annotated[bool, typer.Option("--down", help="Only what depends on ITEM.")] = False,
    both: Annotated[bool, typer.Option("--both", help="Both ways (the default).")] = False,
    depth: Annotated[
        int | None,
        typer.Option(
            "--depth",
            min=1,
            help="At most N edges from ITEM (default: no limit).",
            show_default=False,
        ),
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", "-f", help="tree, mermaid, dot or json.")
    ] = "tree",
    select: SelectOpt = None,
    exclude: ExcludeOpt = None,
    root: RootOpt = None,
    cache_dir: CacheDirOpt = None,
    no_cache: NoCacheOpt = False,
    output: OutputOpt = None,
    no_color: NoColorOpt = False,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """The upstream (what ITEM depends on) and downstream (what depends on it) graph of one
    item. Mermaid and DOT draw edges from the referenced item to the referrer; JSON follows
    schemas/lineage-result.schema.json. Dangling references show as missing nodes."""
    from backlog_cli.commands import inventory
    from backlog_cli.commands import lineage as item_lineage

    _ui(quiet, verbose, no_color)
    if fmt not in item_lineage.FORMATS:
        raise BacklogError(f"--format {fmt}: choose {', '.join(item_lineage.FORMATS)}")
    chosen = [name for name, on in (("up", up), ("down", down), ("both", both)) if on]
    if len(chosen) > 1:
        raise BacklogError("choose one of --up, --down or --both")
    direction: item_lineage.Direction = "both"
    if chosen == ["up"]:
        direction = "up"
    elif chosen == ["down"]:
        direction = "down"
    project = _project(root, cache_dir, no_cache)
    item = inventory.resolve(project, item_name)
    result = item_lineage.build(project, item, direction, depth)
    chosen_keys = _selection(project, select, exclude)
    if chosen_keys is not None:
        # dangling (missing) nodes are not items and so never selected: they go too
        result = item_lineage.filter_nodes(result, lambda node: node.key in chosen_keys)
    if fmt == "json":
        _emit(_json(item_lineage.to_json(result)), output)
    else:
        rich_terminal = fmt == "tree" and output is None and _color()
        _emit(item_lineage.render(result, fmt, rich_terminal=rich_terminal), output)


def main() -> None:
    import gc
    import signal

    signal.signal(signal.SIGINT, signal.default_int_handler)  # see backlog_cli/__init__.py
    # A run is short and builds its objects once (documents, summaries, ~35,000 graph edges
    # at 10,000 items) with almost no reference cycles: collecting every 700 allocations
    # re-walks that heap again and again for nothing (~15% of a pre-commit run). Collect
    # rarely instead; memory stays bounded because cycles are still collected.
    gc.set_threshold(100_000, 50, 1000)
    previous_hook = sys.unraisablehook
    sys.unraisablehook = _keep_interrupts(previous_hook)
    try:
        code = _run()
    finally:
        sys.unraisablehook = previous_hook
    sys.exit(code)


def _keep_interrupts(
    previous: Callable[[Any], object],
) -> Callable[[Any], None]:
    """An unraisable-exception hook that does not lose Ctrl-C.

    Python raises KeyboardInterrupt wherever the main thread happens to be, and that can be
    a weakref callback or a finalizer (the import system's module-lock callback, during a
    lazy import). There it cannot propagate: Python prints "Exception ignored in ...", a
    traceback, and carries on as if nothing happened. This hook swallows that report and
    trips SIGINT again a moment later, so the interrupt lands in the command itself and
    stops it the usual way (exit 130, writes left whole). Every other report goes to
    `previous`."""

    def hook(unraisable: Any) -> None:
        if isinstance(unraisable.exc_value, KeyboardInterrupt):
            import _thread
            import threading

            # Trip SIGINT again from a thread a moment later: tripped from here, Python would
            # run the handler inside this hook, where it would be ignored once more.
            redeliver = threading.Timer(0.01, _thread.interrupt_main)
            redeliver.daemon = True
            redeliver.start()
            return
        previous(unraisable)

    return hook


def entry() -> None:
    """The `backlog` program (console script and `python -m backlog_cli.cli`): `main`, and
    once the command is over (its files written) Ctrl-C is ignored, so that one landing
    while the interpreter shuts down prints no traceback. `main` alone, called in-process,
    leaves the caller's signal handlers as they were."""
    import signal

    try:
        main()
    finally:
        signal.signal(signal.SIGINT, signal.SIG_IGN)


def _run() -> int:
    """Run the command; its exit code, with every error mapped to one."""
    try:
        code = app(standalone_mode=False)
    except BacklogError as exc:
        sys.stderr.write(f"backlog: error: {exc}\n")
        return exc.exit_code
    except typer.Exit as exc:
        return int(exc.exit_code)
    except KeyboardInterrupt:
        sys.stderr.write("backlog: interrupted\n")
        return 130
    except typer.Abort:
        sys.stderr.write("backlog: aborted\n")
        return 130
    except BrokenPipeError:
        # `backlog check | head`: the reader left; stop quietly like other Unix tools
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return 141
    except Exception as exc:
        # click's usage errors (typer vendors click, so match by behaviour, not by class)
        show = getattr(exc, "show", None)
        if callable(show) and isinstance(getattr(exc, "exit_code", None), int):
            show()
            return int(exc.exit_code)  # type: ignore[attr-defined]
        if _interrupt_inside(exc):
            # Python 3.11 wraps a Ctrl-C that lands while a class is being created (a lazily
            # imported module's dataclass) in a RuntimeError: still the user's interrupt
            sys.stderr.write("backlog: interrupted\n")
            return 130
        if os.environ.get("BACKLOG_DEBUG"):
            raise
        sys.stderr.write(
            f"backlog: internal error: {type(exc).__name__}: {exc}\n"
            "This is a bug in backlog-cli, not in your files. Please report it with the "
            "command you ran; BACKLOG_DEBUG=1 shows the traceback.\n"
        )
        return 3
    return code if isinstance(code, int) else 0


def _interrupt_inside(exc: BaseException) -> bool:
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        if isinstance(current, KeyboardInterrupt):
            return True
        seen.add(id(current))
        current = current.__cause__ or current.__context__
    return False


if __name__ == "__main__":
    entry()
