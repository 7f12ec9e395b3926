"""`backlog new` and `init`: create an item from its template, or a project's first files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from backlog_cli.cli import complete
from backlog_cli.cli.common import JSON, Common, JsonFormat, common_options

if TYPE_CHECKING:
    from backlog_cli.commands.schema_files import SchemaFile


@common_options(JSON)
def new(
    common: Common[JsonFormat],
    kind: Annotated[
        str,
        typer.Argument(
            metavar="KIND",
            help="capability, prompt, agent, tool, policy, dataset, model or evaluation.",
            autocompletion=complete.kinds,
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
) -> None:
    """Create an item file from its kind's template, valid against the schema at once.

    The file starts with a yaml-language-server `$schema` comment, relative to the file,
    pointing at the project's schemas/<kind>.schema.json (written by `backlog init` or
    `backlog schema --output schemas`); without that file there is no comment, and a note
    says how to get one. Never overwrites: an existing file or an existing kind/id is
    refused. Prints the path written.
    """
    from backlog_cli.commands import scaffold
    from backlog_cli.config import find_git_root
    from backlog_cli.paths import relpath

    root = common.root
    options = scaffold.NewOptions(kind, item_id, path, title, owner, root)
    result = scaffold.new_item(options, Path.cwd())
    written = result.path
    if result.schema is None:
        common.notes(
            [
                f"no `$schema` modeline: no backlog-cli schemas/{kind}.schema.json in the "
                "project; "
                "`backlog schema --output schemas` writes the item schemas (docs/editors.md)"
            ]
        )
    if common.fmt is JsonFormat.json:
        repo = find_git_root(written.parent) or (root or Path.cwd()).resolve()
        payload = {
            "version": 1,
            "item": f"{kind}/{item_id}",
            "path": relpath(written, repo),
            "schema": result.schema,
        }
        common.emit_json(payload)
    else:
        common.emit(f"{os.path.relpath(written)}\n")


@common_options(
    JSON, root_help="Repository folder; default: the git root of the current folder, else it."
)
def init(
    common: Common[JsonFormat],
    force: Annotated[
        bool, typer.Option("--force", help="Overwrite an existing backlog.yaml.")
    ] = False,
) -> None:
    """Create backlog.yaml, the item schemas (schemas/) and an example item
    (backlog/prompts/example-prompt.yaml).

    An existing backlog.yaml is refused unless --force, which overwrites the config and
    older copies of this tool's schemas: an existing example item, and a schemas/ file that
    is not this tool's, are always left alone.
    """
    from backlog_cli.commands import scaffold
    from backlog_cli.paths import relpath

    result = scaffold.init(common.root, Path.cwd(), force=force)
    if common.fmt is JsonFormat.json:
        payload = {
            "version": 1,
            "config": {
                "path": relpath(result.config, result.root),
                "written": result.config_written,
            },
            "schemas": [
                {"path": relpath(s.path, result.root), "written": s.written, "skipped": s.skipped}
                for s in result.schemas
            ],
            "example": {
                "path": relpath(result.example, result.root),
                "written": result.example_skipped is None,
                "skipped": result.example_skipped,
            },
        }
        common.emit_json(payload)
        return
    config = os.path.relpath(result.config)
    lines = [f"{'wrote' if result.config_written else 'up to date'} {config}\n"]
    lines += _schema_lines(result.schemas)
    example = os.path.relpath(result.example)
    if result.example_skipped is None:
        lines.append(f"wrote {example}\n")
    else:
        lines.append(f"skipped {example} ({result.example_skipped})\n")
    if not common.quiet:
        lines += NEXT_LINES
    common.emit("".join(lines))


NEXT_LINES = [
    "next: `backlog check`, then `backlog new KIND ID` for your own items\n",
    "next: commit schemas/ too: editors running yaml-language-server (VS Code: the Red Hat "
    "YAML extension) read each item's `# yaml-language-server: $schema=` line for completion "
    "and hover docs; docs/editors.md maps the whole item folder\n",
]


def _schema_lines(schemas: list[SchemaFile]) -> list[str]:
    """One line for the schemas written or up to date, one per schema left alone."""
    lines = []
    written = [s for s in schemas if s.written]
    if written:
        folder = os.path.relpath(written[0].path.parent)
        lines.append(f"wrote {len(written)} item schemas in {folder}{os.sep}\n")
    elif not any(s.skipped for s in schemas):
        lines.append(f"up to date {os.path.relpath(schemas[0].path.parent)}{os.sep}\n")
    lines += [f"skipped {os.path.relpath(s.path)} ({s.skipped})\n" for s in schemas if s.skipped]
    return lines
