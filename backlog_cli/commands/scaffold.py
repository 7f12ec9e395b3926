"""`new` and `init`: item files from per-kind templates, and a starter config.

Every template is valid against its kind's schema as written and holds no live reference
(a reference to an item that does not exist yet would be an `unknown-reference` finding),
so a backlog made only of fresh items checks clean. References are shown as comments.

Nothing here prints; refusals are `BacklogError`s raised before anything is written.
"""

from __future__ import annotations

import datetime
import json
import os
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

from backlog_cli.commands.schema_files import FOLDER as SCHEMA_FOLDER
from backlog_cli.commands.schema_files import SchemaFile, modeline_target, write_item_schemas
from backlog_cli.config import (
    CONFIG_NAME,
    Config,
    _pyproject_has_table,
    find_git_root,
    load_config,
)
from backlog_cli.dates import today
from backlog_cli.discovery import is_excluded
from backlog_cli.errors import BacklogError
from backlog_cli.fsutil import write_atomic
from backlog_cli.paths import relpath
from backlog_cli.refs import ID_PATTERN
from backlog_cli.suggest import did_you_mean
from backlog_cli.vocab import API_VERSION, KINDS

FOLDERS: dict[str, str] = {
    "capability": "capabilities",
    "prompt": "prompts",
    "agent": "agents",
    "tool": "tools",
    "policy": "policies",
    "dataset": "datasets",
    "model": "models",
    "evaluation": "evaluations",
}
DEFAULT_ITEMS = "backlog"
EXAMPLE_PROMPT = ("prompt", "example-prompt", "Example prompt: summarise a support ticket")
OWNER_PLACEHOLDER = "@you"
GIT_TIMEOUT_S = 5


# --- validation -------------------------------------------------------------------------


def check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise BacklogError(
            f"unknown kind `{kind}`{did_you_mean(kind, KINDS)} (kinds: {', '.join(KINDS)})"
        )


def check_id(item_id: str) -> None:
    # judged before any path is built from it: an id is also a file name
    if not re.fullmatch(ID_PATTERN, item_id):
        shown = item_id.encode("unicode_escape").decode("ascii")
        raise BacklogError(
            f"`{shown}` is not a valid id: use 1-64 lower-case letters, digits, `.`, `_` "
            "or `-`, starting and ending with a letter or digit (e.g. `support-triage`)"
        )


def _one_line(option: str, value: str) -> str:
    if not value.strip() or not value.isprintable():
        raise BacklogError(f"{option} {value!r}: must be one non-empty line of printable text")
    return value.strip()


# --- the file ---------------------------------------------------------------------------


def title_from_id(item_id: str) -> str:
    words = re.sub(r"[-_.]+", " ", item_id).strip()
    return words[:1].upper() + words[1:]


def git_owner(cwd: Path) -> str | None:
    """The git `user.email` (else `user.name`) seen from `cwd`, or None."""
    for key in ("user.email", "user.name"):
        try:
            done = subprocess.run(
                ["git", "config", "--get", key],
                cwd=cwd,
                capture_output=True,
                timeout=GIT_TIMEOUT_S,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            return None  # no git, or it hangs: the placeholder will do
        value = done.stdout.decode("utf-8", errors="replace").strip()
        if done.returncode == 0 and value and value.isprintable():
            return value
    return None


def _quoted(value: str) -> str:
    # a JSON string is a YAML double-quoted scalar; callers pass printable one-line text
    return json.dumps(value, ensure_ascii=False)


_MODELINE = "# yaml-language-server: $schema={schema}\n"
_ENVELOPE = """\
apiVersion: {api_version}
kind: {kind}
id: {id}
title: {title}
# description: |
#   What this item is for and why, in Markdown.
# SemVer of `spec`: bump it whenever `spec` changes (`backlog bump`).
version: "0.1.0"
# proposed -> refined -> ready -> in-progress -> done; deprecated is terminal
status: proposed
# a team or an @person
owner: {owner}
# low | medium | high (high needs a non-direct rollout and a rollback plan at `ready`)
risk: medium
# priority: P2
tags: []
# depends_on: [capability/auto-triage]
"""

# capability, prompt, agent and tool need these at `ready` (Definition of Ready)
_READINESS = """\
# acceptance:
#   - id: AC-1
#     text: Routes tickets to the right queue
#     metric: routing_accuracy   # metric + op + threshold make it measurable
#     op: ">="
#     threshold: 0.95
"""
_RUNTIME = """\
# performance: {latency_p95_ms: 1200, cost_per_1k_calls_usd: 0.5}
# safety: {policies: [policy/pii-redaction], data_classification: internal}
# rollout: {strategy: feature-flag, flag: my_flag, rollback: Turn the flag off}
"""

_SPECS: dict[str, str] = {
    "capability": """\
spec:
  # job story: when <situation>, I want <motivation>, so that <outcome>
  narrative: When a customer writes in, I want the request understood at once, so that
    they get a useful answer sooner.
  # what delivers it: prompts, agents, tools ... (references)
  # items: [agent/triage-orchestrator@^1.0, prompt/support-triage@^1.2]
  success_metrics:
    - id: first-response-time
      text: Customers get a first useful answer faster
      metric: median_first_response_minutes
      op: "<="
      threshold: 30
""",
    "prompt": """\
spec:
  # the model it is written for
  # model: model/gpt-4o@^1.0
  # jinja2 | mustache | fstring
  format: jinja2
  # inline here, or `template_file: templates/__ID__.j2` (relative to this file) instead
  template: |
    Summarise the support ticket below in two sentences for the agent who picks it up.

    Ticket: {{ ticket_text }}
  # every variable the template uses is declared here
  inputs:
    ticket_text:
      type: string
      required: true
      description: The ticket text, with personal data redacted.
  # JSON Schema of the model's answer
  # output_schema: {type: object, properties: {summary: {type: string}}}
  parameters:
    temperature: 0.2
    max_tokens: 256
  # data sources it reads
  # context: [dataset/kb-articles@1.x]
""",
    "agent": """\
spec:
  # sequential | parallel | dynamic
  pattern: sequential
  # model: model/gpt-4o@^1.0
  # prompts: [prompt/support-triage@^1.2]
  # tools: [tool/order-lookup@^1.0]
  # agents: [agent/refund-assistant@^1.0]   # sub-agents
  timeout_ms: 30000
  max_retries: 2
  retry_backoff_ms: 500
  # whether a rerun of the whole agent is safe
  idempotent: false
  # abort | compensate | rollback | continue
  on_partial_failure: abort
  # none | seeded | replayable
  determinism: none
""",
    "tool": """\
spec:
  # JSON Schemas of a call's input and output
  input_schema:
    type: object
    properties:
      order_id: {type: string, description: The order number.}
    required: [order_id]
    additionalProperties: false
  output_schema:
    type: object
    properties:
      status: {type: string}
  # none | read | write | external (the widest effect of a call)
  side_effects: read
  timeout_ms: 2000
  idempotent: true
  # rate_limit_rps: 10
  # data sources it touches
  # data: [dataset/ticket-history@1.x]
""",
    "policy": """\
spec:
  # guardrail | access | data-usage | compliance | retention
  type: guardrail
  rules:
    - id: no-pii
      description: Redact personal data before it reaches the model
      # block > redact > require-approval > flag > allow
      action: redact
      # match: "(?i)passport number|iban"
  # framework control ids this policy implements
  # controls: [nist-ai-rmf:MEASURE-2.7, iso-42001:A.6.2.4, eu-ai-act:art-10]
  review_by: "__REVIEW_BY__"
  # approvers: ["@privacy-lead"]
""",
    "dataset": """\
spec:
  # a URI or a description
  source: Export of the helpdesk's closed tickets
  refresh:
    # batch | streaming | manual
    strategy: batch
    schedule: "0 3 * * *"
  # public | internal | confidential | restricted
  classification: internal
  contains_pii: false
  provenance: Who produces the data, how it is collected and cleaned.
  # retention_days: 365
  # license: CC-BY-4.0
  # datasets it derives from
  # upstream: [dataset/ticket-history@1.x]
""",
    "model": """\
spec:
  provider: openai
  name: gpt-4o
  # the exact, pinned provider version (needed at `ready`)
  # snapshot: gpt-4o-2024-08-06
  context_window: 128000
  # the date the provider retires it
  # sunset: "2026-06-30"
""",
    "evaluation": """\
spec:
  # the items it evaluates and the data it runs on
  # targets: [prompt/support-triage@^1.2]
  # dataset: dataset/triage-golden-set@1.x
  # promptfoo | custom | human | ...
  harness: promptfoo
  # harness config, relative to this file; it must exist
  # config: evals/__ID__.yaml
  metrics:
    - metric: accuracy
      op: ">="
      threshold: 0.9
      # baseline: 0.87
  # on-change | nightly | ...
  schedule: on-change
""",
}


def render_item(kind: str, item_id: str, *, title: str, owner: str, schema: str | None) -> str:
    """The text of a fresh item: valid against the schema, no live references; with a
    yaml-language-server modeline when `schema` (relative to the file) is given."""
    text = _MODELINE.format(schema=schema) if schema is not None else ""
    text += _ENVELOPE.format(
        api_version=API_VERSION,
        kind=kind,
        id=item_id,
        title=_quoted(title),
        owner=_quoted(owner),
    )
    if kind in ("capability", "prompt", "agent", "tool"):
        text += _READINESS
    if kind in ("prompt", "agent", "tool"):
        text += _RUNTIME
    # a year ahead, so that `review-overdue` stays quiet until the review is really due
    review_by = today() + datetime.timedelta(days=365)
    spec = _SPECS[kind].replace("__ID__", item_id).replace("__REVIEW_BY__", review_by.isoformat())
    return text + spec


# --- where it goes ----------------------------------------------------------------------


def _checked_target(raw: Path, config: Config, shown: str) -> Path:
    """`raw` with its folder's symlinks resolved, or the reason it cannot hold a new item."""
    if not raw.name.endswith((".yaml", ".yml")):
        raise BacklogError(f"{shown}: an item file must end in .yaml or .yml")
    if "\x00" in str(raw):
        raise BacklogError(f"{shown!r}: the path contains a NUL character")
    lexical = Path(os.path.normpath(os.path.abspath(raw)))
    try:
        target = lexical.parent.resolve() / lexical.name
    except (OSError, RuntimeError) as exc:  # symlink loops, permissions
        raise BacklogError(f"{shown}: cannot resolve its folder ({exc})") from exc
    items = config.items.resolve()
    if not target.is_relative_to(items):
        raise BacklogError(
            f"{shown}: outside the item folder {items}; `backlog check` would not see it"
        )
    if not target.is_relative_to(config.repo_root.resolve()):
        raise BacklogError(f"{shown}: outside the repository {config.repo_root}")
    if any(part.startswith(".") for part in target.relative_to(items).parts):
        raise BacklogError(f"{shown}: hidden files and folders are skipped by `backlog check`")
    # discovery's own matching: nothing is written where check will not look
    if is_excluded(relpath(target, config.project_root), config.exclude):
        raise BacklogError(f"{shown}: matches an `exclude` pattern of {config.source}")
    return target


@dataclass(frozen=True)
class NewOptions:
    kind: str
    item_id: str
    path: Path | None = None  # relative to `cwd`
    title: str | None = None
    owner: str | None = None
    root: Path | None = None


@dataclass(frozen=True)
class NewResult:
    path: Path
    schema: str | None  # the modeline's `$schema`, relative to the file; None: no modeline


def new_item(options: NewOptions, cwd: Path) -> NewResult:
    """Write a new item file from its kind's template."""
    from backlog_cli.project import load_project

    check_kind(options.kind)
    check_id(options.item_id)
    title = _one_line("--title", options.title) if options.title is not None else None
    owner = _one_line("--owner", options.owner) if options.owner is not None else None
    config = load_config(options.root, cwd)
    if options.path is not None:
        target = _checked_target(cwd / options.path, config, str(options.path))
    else:
        default = config.items / FOLDERS[options.kind] / f"{options.item_id}.yaml"
        target = _checked_target(default, config, relpath(default, cwd))
    key = f"{options.kind}/{options.item_id}"
    existing = load_project(config).by_key.get(key)
    if existing:
        raise BacklogError(f"`{key}` already exists in {existing[0].doc.rel}")
    if os.path.lexists(target):
        raise BacklogError(f"{relpath(target, cwd)}: already exists; choose another id or --path")
    schema = modeline_target(options.kind, target.parent, config.project_root, config.repo_root)
    text = render_item(
        options.kind,
        options.item_id,
        title=title or title_from_id(options.item_id),
        owner=owner or git_owner(config.project_root) or OWNER_PLACEHOLDER,
        schema=schema,
    )
    write_atomic(target, text, force=False)
    return NewResult(target, schema)


# --- init -------------------------------------------------------------------------------

CONFIG_TEMPLATE = """\
# backlog configuration: see `backlog --help` and the README of backlog-cli.
# Every key is optional; an unknown key is an error (exit 2).

# The folder of the item files (one YAML file per item, any layout below it),
# relative to this file.
items: backlog/

# Globs (relative to this file; `*` also matches `/`) of files that are not items.
# exclude: [backlog/drafts, "*.draft.yaml"]

# Default base ref for `--base` (version rules, diff, impact).
# base: origin/main

# Severity per rule: error | warning | off (`backlog rules` lists them).
# rules:
#   cycle: warning
#   review-overdue: error

# Caps that keep hostile files cheap to reject.
# limits:
#   max_file_size: 1048576
#   max_alias_nodes: 10000
#   max_depth: 64

# Definition of Ready / Done overrides, per kind and status.
# readiness: {}

# One rule waived for one item, with a reason and an expiry date.
# waivers:
#   - rule: readiness
#     item: prompt/support-triage
#     reason: Latency target set after the load test
#     expires: "2026-12-31"
#     approved_by: "@maria"
"""


@dataclass(frozen=True)
class InitResult:
    root: Path
    config: Path
    config_written: bool  # False: it already held exactly this text
    example: Path
    example_skipped: str | None  # why the example item was not written, or None
    schemas: list[SchemaFile]  # the item schemas in <root>/schemas/


def _refuse_symlinks(root: Path, target: Path) -> None:
    # write_atomic refuses a symlinked file; a symlinked folder on the way would still carry
    # the write elsewhere, so every component below the root is checked too
    current = root
    for part in target.relative_to(root).parts:
        current = current / part
        if current.is_symlink():
            raise BacklogError(f"{current}: is a symlink; refusing to write through it")


def init(root: Path | None, cwd: Path, *, force: bool = False) -> InitResult:
    """Write `backlog.yaml`, the item schemas (`schemas/`) and an example prompt into the
    repository at `root` (default: the git root of `cwd`, else `cwd`)."""
    from backlog_cli.project import load_project

    if root is not None:
        if not root.is_dir():
            raise BacklogError(f"--root {root}: not a directory")
        base = root.resolve()
    else:
        here = cwd.resolve()
        base = find_git_root(here) or here
    config_path = base / CONFIG_NAME
    kind, item_id, title = EXAMPLE_PROMPT
    example = base / DEFAULT_ITEMS / FOLDERS[kind] / f"{item_id}.yaml"
    schema_folder = base / SCHEMA_FOLDER
    _refuse_symlinks(base, config_path)
    _refuse_symlinks(base, example)
    _refuse_symlinks(base, schema_folder)
    if os.path.lexists(config_path) and not force:
        raise BacklogError(
            f"{config_path} already exists; pass --force to overwrite it (the example item "
            "is never overwritten)"
        )
    pyproject = base / "pyproject.toml"
    if not force and pyproject.is_file() and _pyproject_has_table(pyproject):
        raise BacklogError(
            f"{pyproject} already configures backlog ([tool.backlog]); a {CONFIG_NAME} would "
            "take its place. Pass --force to write one anyway"
        )
    items = base / DEFAULT_ITEMS
    if items.exists() and not items.is_dir():
        raise BacklogError(f"{items}: exists and is not a folder")

    skipped: str | None = None
    if os.path.lexists(example):
        skipped = "already exists"
    else:
        defaults = Config(
            project_root=base,
            repo_root=find_git_root(base) or base,
            source=None,
            items=items,
        )
        found = load_project(defaults).find(f"{kind}/{item_id}")
        if found is not None:
            skipped = f"`{kind}/{item_id}` already exists in {found.doc.rel}"
    config_written = write_atomic(config_path, CONFIG_TEMPLATE, force=force)
    schemas = write_item_schemas(schema_folder, force=force)
    if skipped is None:
        schema = modeline_target(kind, example.parent, base, find_git_root(base) or base)
        text = render_item(
            kind, item_id, title=title, owner=git_owner(base) or OWNER_PLACEHOLDER, schema=schema
        )
        write_atomic(example, text, force=False)
    return InitResult(base, config_path, config_written, example, skipped, schemas)
