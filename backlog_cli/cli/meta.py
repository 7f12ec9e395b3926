"""`backlog schema` and `rules`: what the tool itself publishes (schemas, rule docs)."""

from __future__ import annotations

import enum
import sys
from pathlib import Path
from typing import Annotated

import typer

from backlog_cli.cli import complete
from backlog_cli.cli.common import JSON, Common, FormatChoice, JsonFormat, common_options
from backlog_cli.errors import BacklogError


class SchemaFormat(str, enum.Enum):
    """`schema --format`: schemas are JSON documents."""

    json = "json"


SCHEMA = FormatChoice(SchemaFormat, "json (schemas are JSON documents).", "json")


@common_options(
    SCHEMA,
    root_help="A relative --output is taken from this folder.",
    output_help="Write the schema file(s) into this folder.",
)
def schema(
    common: Common[SchemaFormat],
    kind: Annotated[
        str | None,
        typer.Argument(
            help="A kind, `envelope`, `item` (all kinds, the default) or an output "
            "contract such as `check-result`.",
            show_default=False,
            autocompletion=complete.schema_names,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite differing files.")] = False,
    contracts: Annotated[
        bool,
        typer.Option(
            "--contracts",
            help="With --output and no KIND: also write the CLI's own result contracts "
            "(`*-result`).",
        ),
    ] = False,
) -> None:
    """Print or write the published JSON Schemas.

    --output DIR writes the item schemas (envelope, one per kind, item): what editors and
    item files refer to. The CLI's output contracts are written only when named as KIND or
    with --contracts."""
    from backlog_cli import schemas
    from backlog_cli.fsutil import write_atomic
    from backlog_cli.suggest import did_you_mean

    root, output = common.root, common.output
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
    chosen = [kind] if kind else [n for n in names if contracts or n in schemas.ITEM_SCHEMAS]
    for name in chosen:
        target = output / schemas.file_name(name)
        changed = write_atomic(target, schemas.dumps(schemas.load(name)), force=force)
        common.say(f"{'wrote' if changed else 'up to date'} {target}")


@common_options(
    JSON,
    root_help="Project folder whose config sets the severities shown (default: the "
    "config found from the current folder, if any).",
)
def rules(common: Common[JsonFormat]) -> None:
    """List the rules with their documentation and severity (default, and as configured).

    With --quiet, one line per rule: its id and severity."""
    from backlog_cli.commands import rules as rule_docs
    from backlog_cli.config import find_config_file, load_config

    configured: dict[str, str] = {}
    if common.root is not None or find_config_file(Path.cwd().resolve()) is not None:
        config = load_config(common.root)
        configured = config.rules
        common.detail(f"config {config.source or '(defaults)'}")
    rows = rule_docs.rows(configured)
    if common.fmt is JsonFormat.json:
        common.emit_json({"version": 1, "rules": [row.to_json() for row in rows]})
    else:
        common.emit(rule_docs.render_text(rows, quiet=common.quiet))
