"""The options every command takes, gathered into one `Common` object per run.

Every command takes `--format`, `--root`, `--output`, `--no-color`, `-q/--quiet` and
`-v/--verbose` (SPEC §6), and those that load items take `--cache-dir/--no-cache`. Typer
needs them declared on each command (they come after the subcommand), so
`@common_options(...)` appends them to the command's own parameters, after them and in one
order, and hands the command body one `Common` built from their values. `Common` is also
where what they mean is done: what goes to stdout and stderr, colour, the output file, and
opening the project with the cache options.

`--format` stays a `str` option: its choices are an `Enum`, which drives shell completion
and the validation, but the refusal is a `BacklogError` (exit 2) with the message each
command has always given, not click's.
"""

from __future__ import annotations

import enum
import functools
import inspect
import os
import sys
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, Generic, TypeVar

import typer

from backlog_cli import workspace
from backlog_cli.cli import complete
from backlog_cli.errors import BacklogError

if TYPE_CHECKING:
    from collections.abc import Sequence

    from backlog_cli.project import Project
    from backlog_cli.select import Why
    from backlog_cli.versioning import Comparison

F = TypeVar("F", bound=enum.Enum)
K = TypeVar("K", bound=str)


class JsonFormat(str, enum.Enum):
    """`--format` of the commands that print text or JSON."""

    text = "text"
    json = "json"


class ReportFormat(str, enum.Enum):
    """`--format` of the commands that also render a markdown report."""

    text = "text"
    json = "json"
    markdown = "markdown"


def either(choices: Sequence[str]) -> str:
    """`a, b or c`, as the usage messages list alternatives (`a` alone)."""
    if len(choices) == 1:
        return choices[0]
    return ", ".join(choices[:-1]) + f" or {choices[-1]}"


def chosen_flag(flags: Mapping[K, bool], *, required: bool = False) -> K | None:
    """The one flag set among mutually exclusive `flags` (named `--KEY`), None when none is
    and that is allowed; exit 2 when several are (or none and one is `required`)."""
    on = [name for name, is_set in flags.items() if is_set]
    if len(on) > 1 or (required and not on):
        listed = either([f"--{name}" for name in flags])
        raise BacklogError(f"choose {'exactly ' if required else ''}one of {listed}")
    return on[0] if on else None


@dataclass(frozen=True)
class FormatChoice(Generic[F]):
    """A command's `--format`: its choices, help, default and refusal message.

    `refusal` may use `{value}`, `{either}` (`a, b or c`) and `{every}` (`a, b, c`);
    `auto`, when set, picks the format when none is given (then `default` is not shown).
    """

    formats: type[F]
    help: str
    default: str | None = None
    auto: Callable[[], str] | None = None
    refusal: str = "--format {value}: choose {either}"

    def parse(self, value: str | None) -> F:
        name = value if value is not None else self.auto() if self.auto else self.default
        try:
            return self.formats(name)
        except ValueError:
            values = [str(f.value) for f in self.formats]
            message = self.refusal.format(
                value=name, either=either(values), every=", ".join(values)
            )
            raise BacklogError(message) from None

    def option(self) -> Any:
        def complete(incomplete: str) -> list[str]:
            return [f.value for f in self.formats if str(f.value).startswith(incomplete)]

        if self.default is None:
            info = typer.Option(
                "--format", "-f", help=self.help, show_default=False, autocompletion=complete
            )
            return Annotated[str | None, info]
        return Annotated[
            str, typer.Option("--format", "-f", help=self.help, autocompletion=complete)
        ]


JSON = FormatChoice(JsonFormat, "text or json.", "text")
REPORT = FormatChoice(ReportFormat, "text, json or markdown.", "text")

ROOT_HELP = (
    "Project folder (where backlog.yaml is); default: found by walking up from the current folder."
)
OUTPUT_HELP = "Write the output to FILE (atomically) instead of printing it."
QUIET_HELP = "Print the result only: no summary lines or notes."
LINK_BASE_HELP = (
    "Markdown: make file links absolute, URL + the path from the repository root "
    "(default under GitHub Actions: $GITHUB_SERVER_URL/$GITHUB_REPOSITORY/blob/$GITHUB_SHA; "
    "else relative)."
)


@dataclass(frozen=True)
class Common(Generic[F]):
    """The common options of one run, and what they mean for its output."""

    fmt: F
    root: Path | None
    output: Path | None
    no_color: bool = False
    quiet: bool = False
    verbose: bool = False
    cache_dir: Path | None = None
    no_cache: bool = False
    # the prefix of Markdown file links (`links.link_base`), None for relative links
    link_base: str | None = None

    @property
    def color(self) -> bool:
        """Colour on the terminal: not with --no-color, a non-empty NO_COLOR, or when piped.

        An empty `NO_COLOR=` leaves colour on, as https://no-color.org asks.
        """
        return not self.no_color and not os.environ.get("NO_COLOR") and sys.stdout.isatty()

    def say(self, text: str) -> None:
        """An informational line on stdout (a count, what was written); not with --quiet."""
        if not self.quiet:
            sys.stdout.write(text + "\n")

    def detail(self, text: str) -> None:
        """A line for --verbose, on stderr."""
        if self.verbose:
            sys.stderr.write(f"backlog: {text}\n")

    def notes(self, notes: Sequence[str]) -> None:
        """Notes on stderr (unless --quiet): a comparison that counts every item as added
        (the base has no backlog there) must not look like a clean pass."""
        if not self.quiet:
            for note in notes:
                sys.stderr.write(f"backlog: note: {note}\n")

    def emit(self, text: str, summary: str | None = None) -> None:
        """The result: on stdout, or written to --output (then `summary` goes to stdout)."""
        if self.output is None:
            sys.stdout.write(text)
            return
        from backlog_cli.fsutil import write_atomic

        write_atomic(self.output, text)
        if summary is not None:
            sys.stdout.write(summary)

    def emit_json(self, payload: object) -> None:
        """The result of `--format json` (every command but `check`, whose reporter has it)."""
        from backlog_cli.cli.output import json_text

        self.emit(json_text(payload))

    def project(self) -> Project:
        """The project at the working tree (--root, through the cache unless it is off)."""
        opened = workspace.open_project(self.root, self.cache_dir, self.no_cache)
        self.detail(opened.detail)
        return opened.project

    @contextmanager
    def project_at(
        self,
        base: str | None,
        head: str | None,
        paths: Sequence[Path] | None = None,
        *,
        only: set[str] | None = None,
        label: str | None = None,
    ) -> Iterator[workspace.Compared]:
        """The project at `head` (default: the working tree) compared with `base`; a
        `--head` checkout lasts as long as the `with` block."""
        at = workspace.at_refs(self.project(), base, head, paths, only=only, label=label)
        with at as compared:
            self.notes(compared.comparison.notes)
            yield compared

    def selection(
        self,
        project: Project,
        select: Sequence[str] | None,
        exclude: Sequence[str] | None,
        base: str | None = None,
        comparison: Comparison | None = None,
    ) -> dict[str, Why] | None:
        """The `--select/--exclude` result (key -> why), or None for all items."""
        chosen = workspace.selection(project, select, exclude, base, comparison)
        self.notes(chosen.notes)
        return chosen.chosen


CACHE_DIR_HELP = (
    "Where the parse cache lives (default: "
    "$BACKLOG_CACHE_DIR, else .backlog_cache/ at the repository root)."
)


def _path(*names: str, text: str) -> Any:
    return Annotated[Path | None, typer.Option(*names, help=text, show_default=False)]


def _flag(*names: str, text: str) -> Any:
    return Annotated[bool, typer.Option(*names, help=text)]


def _shared(
    fmt: FormatChoice[Any],
    cache: bool,
    links: bool,
    texts: tuple[str, str, str],
) -> list[inspect.Parameter]:
    """The common parameters (name, typer annotation, default), in the order `--help`
    lists them; `texts`: the help of --root, --output and --quiet."""
    root_help, output_help, quiet_help = texts
    options: list[tuple[str, Any, Any]] = [
        ("fmt", fmt.option(), fmt.default),
        ("root", _path("--root", text=root_help), None),
    ]
    if cache:
        options += [
            ("cache_dir", _path("--cache-dir", text=CACHE_DIR_HELP), None),
            ("no_cache", _flag("--no-cache", text="Do not read or write the cache."), False),
        ]
    options += [
        ("output", _path("--output", "-o", text=output_help), None),
    ]
    if links:
        url = Annotated[
            str | None,
            typer.Option("--link-base", metavar="URL", help=LINK_BASE_HELP, show_default=False),
        ]
        options.append(("link_base", url, None))
    options += [
        ("no_color", _flag("--no-color", text="No colour (also NO_COLOR)."), False),
        ("quiet", _flag("--quiet", "-q", text=quiet_help), False),
        ("verbose", _flag("--verbose", "-v", text="Say more on stderr."), False),
    ]
    keyword = inspect.Parameter.KEYWORD_ONLY
    return [inspect.Parameter(name, keyword, default=d, annotation=a) for name, a, d in options]


def common_options(
    fmt: FormatChoice[F],
    *,
    cache: bool = False,
    links: bool = False,
    root_help: str = ROOT_HELP,
    output_help: str = OUTPUT_HELP,
    quiet_help: str = QUIET_HELP,
) -> Callable[[Callable[..., None]], Callable[..., None]]:
    """Give a command body `def body(common: Common[F], ...)` the common options.

    Typer sees the body's own parameters followed by the common ones; the body gets its own
    values and one `Common` (built before anything else runs, so a usage error in them is
    reported first: --quiet with --verbose, then --format, then --link-base). `links`
    adds `--link-base` (the commands that print Markdown).
    """
    shared = _shared(fmt, cache, links, (root_help, output_help, quiet_help))
    names = [p.name for p in shared]

    def decorate(body: Callable[..., None]) -> Callable[..., None]:
        signature = inspect.signature(body, eval_str=True)
        own = [
            p.replace(kind=inspect.Parameter.KEYWORD_ONLY)
            for p in signature.parameters.values()
            if p.name != "common"
        ]

        @functools.wraps(body)
        def command(**values: Any) -> None:
            given = {name: values.pop(name) for name in names}
            chosen_flag({"quiet": given["quiet"], "verbose": given["verbose"]})
            fmt_value = fmt.parse(given.pop("fmt"))
            if links:
                from backlog_cli.links import link_base

                given["link_base"] = link_base(given["link_base"], os.environ)
            common = Common(fmt=fmt_value, **given)
            body(common, **values)

        parameters = [*own, *shared]
        command.__signature__ = signature.replace(parameters=parameters)  # type: ignore[attr-defined]
        command.__annotations__ = {p.name: p.annotation for p in parameters}
        return command

    return decorate


ItemArg = Annotated[
    str,
    typer.Argument(
        metavar="ITEM", help="`kind/id` (or a unique id).", autocompletion=complete.items
    ),
]
HeadOpt = Annotated[
    str | None,
    typer.Option("--head", help="Head ref (default: the working tree).", show_default=False),
]
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
