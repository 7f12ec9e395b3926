"""The published JSON Schemas: generation from the pydantic model, and loading the shipped files.

Checking reads the committed JSON files (no pydantic import at check time); the staleness
test regenerates them from `model.py` and fails when they differ.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from backlog_cli.errors import BacklogError
from backlog_cli.refs import KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://backlog-cli.dev/schemas/v1/"
ITEM_SCHEMAS = ("envelope", *KINDS, "item")


def schema_dir() -> Path:
    """The folder with the shipped schemas: inside the wheel, or the source checkout's."""
    packaged = Path(__file__).parent / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "schemas"


def file_name(name: str) -> str:
    return f"{name}.schema.json"


@cache
def load(name: str) -> dict[str, Any]:
    """A shipped schema by name (`envelope`, a kind, `item`, or an output contract)."""
    path = schema_dir() / file_name(name)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BacklogError(
            f"cannot read the shipped schema {path}: {exc}; reinstall backlog-cli"
        ) from exc
    return data


def available() -> list[str]:
    return sorted(p.name.removesuffix(".schema.json") for p in schema_dir().glob("*.schema.json"))


# --- generation -------------------------------------------------------------------------

_SCHEMA_MAPS = ("properties", "patternProperties", "$defs", "dependentSchemas")
_SCHEMA_LISTS = ("anyOf", "allOf", "oneOf", "prefixItems")
_SCHEMA_ONE = ("items", "additionalProperties", "not", "if", "then", "else", "propertyNames")


def _clean(schema: Any, top: bool = False) -> Any:
    """Tidy pydantic's output into what a schema author would write by hand.

    Optional fields become plain (absent, not `null`), defaults of None and the
    auto-generated titles go.
    """
    if not isinstance(schema, dict):
        return schema
    any_of = schema.get("anyOf")
    if isinstance(any_of, list) and len(any_of) == 2 and {"type": "null"} in any_of:
        inner = next(s for s in any_of if s != {"type": "null"})
        merged = {k: v for k, v in schema.items() if k != "anyOf"}
        for key, value in inner.items():
            merged.setdefault(key, value)
        schema = merged
    if "patternProperties" in schema and "additionalProperties" not in schema:
        # pydantic maps `dict[Annotated[str, pattern], X]` to patternProperties alone, which
        # would let any other key through
        schema = {**schema, "additionalProperties": False}
    out: dict[str, Any] = {}
    for key, value in schema.items():
        if key == "default" and value is None:
            continue
        if key == "title" and not top:
            continue
        if key in _SCHEMA_MAPS and isinstance(value, dict):
            out[key] = {k: _clean(v) for k, v in value.items()}
        elif key in _SCHEMA_LISTS and isinstance(value, list):
            out[key] = [_clean(v) for v in value]
        elif key in _SCHEMA_ONE:
            out[key] = _clean(value)
        else:
            out[key] = value
    return out


def _wrap(name: str, body: dict[str, Any], title: str, description: str) -> dict[str, Any]:
    head = {
        "$schema": SCHEMA_DIALECT,
        "$id": ID_BASE + file_name(name),
        "title": title,
        "description": description,
    }
    return {**head, **{k: v for k, v in body.items() if k not in ("title", "description")}}


def generate() -> dict[str, dict[str, Any]]:
    """Every item schema, freshly generated from the pydantic model."""
    from backlog_cli import model

    out: dict[str, dict[str, Any]] = {}
    envelope = _clean(model.Envelope.model_json_schema(), top=True)
    out["envelope"] = _wrap(
        "envelope",
        envelope,
        "backlog item envelope",
        "The fields every backlog item has, whatever its kind (apiVersion backlog/v1).",
    )
    out["envelope"]["examples"] = [model.EXAMPLES["model"]]
    bundled_defs: dict[str, Any] = {}
    branches: list[dict[str, Any]] = []
    for kind, item_model in model.ITEM_MODELS.items():
        body = _clean(item_model.model_json_schema(), top=True)
        body["examples"] = [model.EXAMPLES[kind]]
        out[kind] = _wrap(kind, body, f"backlog {kind} item", (item_model.__doc__ or "").strip())
        defs = body.pop("$defs", {})
        bundled_defs.update(defs)
        bundled_defs[item_model.__name__] = {k: v for k, v in body.items() if k != "title"}
        branches.append(
            {
                "if": {"properties": {"kind": {"const": kind}}, "required": ["kind"]},
                "then": {"$ref": f"#/$defs/{item_model.__name__}"},
            }
        )
    bundled_defs["Envelope"] = {k: v for k, v in envelope.items() if k not in ("title", "$defs")}
    bundled_defs.update(envelope.get("$defs", {}))
    branches.append(
        {
            "if": {"not": {"properties": {"kind": {"enum": list(KINDS)}}, "required": ["kind"]}},
            "then": {"$ref": "#/$defs/Envelope"},
        }
    )
    out["item"] = {
        "$schema": SCHEMA_DIALECT,
        "$id": ID_BASE + file_name("item"),
        "title": "backlog item",
        "description": "Any backlog item: dispatches on `kind` to that kind's schema.",
        "type": "object",
        "allOf": branches,
        "$defs": dict(sorted(bundled_defs.items())),
        "examples": [model.EXAMPLES["prompt"]],
    }
    return out


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"


def _diagnostic_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "One finding.",
        "required": ["rule", "severity", "path", "line", "column", "item", "message", "hint"],
        "additionalProperties": False,
        "properties": {
            "rule": {"type": "string", "description": "Rule id, e.g. `schema`."},
            "severity": {"enum": ["error", "warning"], "description": "Severity after config."},
            "path": {"type": "string", "description": "File path relative to the repository root."},
            "line": {"type": "integer", "minimum": 1, "description": "1-based line."},
            "column": {"type": "integer", "minimum": 1, "description": "1-based column."},
            "item": {"type": ["string", "null"], "description": "`kind/id`, or null."},
            "message": {"type": "string", "description": "What is wrong."},
            "hint": {"type": ["string", "null"], "description": "How to fix it, or null."},
        },
    }


def _item_summary_schema() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "description": "An item in a listing.",
        "required": ["key", "kind", "id", "title", "version", "status", "owner", "path"],
        "properties": {
            "key": {"type": "string", "description": "`kind/id`."},
            "kind": {"enum": list(KINDS), "description": "Kind."},
            "id": {"type": "string", "description": "Id."},
            "title": {**nullable, "description": "Title."},
            "version": {**nullable, "description": "Version."},
            "status": {**nullable, "description": "Status."},
            "owner": {**nullable, "description": "Owner."},
            "path": {"type": "string", "description": "File, relative to the repository root."},
            "why": _why_schema(),
        },
    }


def _why_schema() -> dict[str, Any]:
    return {
        "type": "object",
        "description": "Why a selector picked the item: the selector atom (the seed) and the "
        "edges walked from the seed item to this one (empty for the seed itself and for "
        "attribute selectors).",
        "required": ["seed", "path"],
        "properties": {
            "seed": {"type": "string", "description": "The selector atom, e.g. `prompt/x+`."},
            "path": {
                "type": "array",
                "description": "Edges, from the seed outwards.",
                "items": {
                    "type": "object",
                    "description": "A reference: `from` depends on `to`.",
                    "required": ["from", "to", "relation", "range"],
                    "properties": {
                        "from": {"type": "string", "description": "The referring item."},
                        "to": {"type": "string", "description": "The referenced item."},
                        "relation": {"type": "string", "description": "The field."},
                        "range": {"type": ["string", "null"], "description": "Its range."},
                    },
                },
            },
        },
    }


def _impacted_schema() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "description": "An impacted item.",
        "required": [
            "item",
            "kind",
            "title",
            "status",
            "owner",
            "path",
            "changed",
            "needs_revalidation",
            "depth",
            "why",
        ],
        "properties": {
            "item": {"type": "string", "description": "`kind/id`."},
            "kind": {"enum": list(KINDS), "description": "Kind."},
            "title": {**nullable, "description": "Title."},
            "status": {**nullable, "description": "Status."},
            "owner": {**nullable, "description": "Owner to notify."},
            "path": {"type": "string", "description": "File, relative to the repository root."},
            "changed": {"type": "boolean", "description": "Whether it changed itself."},
            "needs_revalidation": {
                "type": "boolean",
                "description": "Ready, in progress or done: re-validate.",
            },
            "depth": {
                "type": "integer",
                "minimum": 0,
                "description": "Edges from the nearest changed item.",
            },
            "why": _why_schema(),
        },
    }


def _link_schema() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "description": "A reference between two items.",
        "required": ["relation", "item", "exists", "version", "status", "range", "admitted"],
        "properties": {
            "relation": {"type": "string", "description": "Referring field, e.g. `spec.model`."},
            "item": {"type": "string", "description": "`kind/id` of the other item."},
            "exists": {"type": "boolean", "description": "Whether that item exists."},
            "version": {**nullable, "description": "Its version."},
            "status": {**nullable, "description": "Its status."},
            "range": {**nullable, "description": "The reference's version range, if any."},
            "admitted": {
                "type": ["boolean", "null"],
                "description": "Whether the range admits the version (null: no range).",
            },
        },
    }


def _board_entry_schema() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "description": "An item on the board.",
        "required": ["item", "title", "status", "owner", "path", "reasons"],
        "properties": {
            "item": {"type": "string", "description": "`kind/id`."},
            "title": {**nullable, "description": "Title."},
            "status": {**nullable, "description": "Status."},
            "owner": {**nullable, "description": "Owner."},
            "path": {"type": "string", "description": "File, relative to the repository root."},
            "reasons": {
                "type": "array",
                "description": "What is missing (empty when ready to pick up).",
                "items": {"type": "string"},
            },
        },
    }


def _ref_schema(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["ref", "commit"],
        "properties": {
            "ref": {"type": "string", "description": "The ref as given (or how it was found)."},
            "commit": {"type": ["string", "null"], "description": "Full commit id, or null."},
        },
    }


def _diff_item_schema() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    levels = ["none", "patch", "minor", "major"]
    bumps = [*levels, "decreased", "invalid"]
    return {
        "type": "object",
        "description": "One item that differs between base and head.",
        "required": [
            "item",
            "kind",
            "state",
            "renamed_from",
            "moved",
            "base_path",
            "head_path",
            "base_version",
            "head_version",
            "level",
            "required_bump",
            "actual_bump",
            "bump_ok",
            "reasons",
            "fields",
            "template_diff",
        ],
        "properties": {
            "item": {"type": "string", "description": "`kind/id` (at head; at base if removed)."},
            "kind": {"enum": list(KINDS), "description": "Kind."},
            "state": {
                "enum": ["added", "removed", "moved", "changed"],
                "description": "What happened to it.",
            },
            "renamed_from": {**nullable, "description": "Former `kind/id` of an id rename."},
            "moved": {"type": "boolean", "description": "Whether its file path changed."},
            "base_path": {**nullable, "description": "File at base."},
            "head_path": {**nullable, "description": "File at head."},
            "base_version": {**nullable, "description": "Version at base."},
            "head_version": {**nullable, "description": "Version at head."},
            "level": {"enum": levels, "description": "Classification: the most severe change."},
            "required_bump": {"enum": levels, "description": "The bump the change needs."},
            "actual_bump": {"enum": bumps, "description": "The bump that was made."},
            "bump_ok": {
                "type": ["boolean", "null"],
                "description": "Whether the bump is enough (null unless changed).",
            },
            "reasons": {
                "type": "array",
                "description": "Every classified change, most severe first.",
                "items": {
                    "type": "object",
                    "description": "One classified change.",
                    "required": ["level", "path", "reason"],
                    "properties": {
                        "level": {"enum": levels, "description": "Its level."},
                        "path": {"type": "string", "description": "Dotted field path."},
                        "reason": {"type": "string", "description": "What changed, in words."},
                    },
                },
            },
            "fields": {
                "type": "array",
                "description": "Every changed leaf field, envelope included.",
                "items": {
                    "type": "object",
                    "description": "One changed field.",
                    "required": ["path", "old", "new", "change"],
                    "properties": {
                        "path": {"type": "string", "description": "Dotted field path."},
                        "old": {"description": "Value at base (null when added)."},
                        "new": {"description": "Value at head (null when removed)."},
                        "change": {
                            "enum": ["added", "removed", "changed"],
                            "description": "Kind of change.",
                        },
                    },
                },
            },
            "template_diff": {**nullable, "description": "Unified diff of the template text."},
        },
    }


def generate_contracts() -> dict[str, dict[str, Any]]:
    """The JSON output contracts (`--format json`), hand-written: they are the product's
    promise to scripts, so a change to them must be a visible diff."""

    def wrap(name: str, title: str, body: dict[str, Any]) -> dict[str, Any]:
        return {
            "$schema": SCHEMA_DIALECT,
            "$id": ID_BASE + file_name(name),
            "title": title,
            "type": "object",
            **body,
        }

    version = {"const": 1, "description": "Contract version; always the first key."}
    return {
        "check-result": wrap(
            "check-result",
            "backlog check --format json",
            {
                "required": ["version", "summary", "diagnostics", "waived"],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "summary": {
                        "type": "object",
                        "description": "Counts.",
                        "required": [
                            "items",
                            "errors",
                            "warnings",
                            "waived",
                            "baselined",
                            "stale_baseline",
                        ],
                        "additionalProperties": False,
                        "properties": {
                            "items": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Item files checked.",
                            },
                            "errors": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Findings at error level.",
                            },
                            "warnings": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Findings at warning level.",
                            },
                            "waived": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Findings suppressed by waivers.",
                            },
                            "baselined": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Findings recorded in the --baseline file.",
                            },
                            "stale_baseline": {
                                "type": "integer",
                                "minimum": 0,
                                "description": "Baseline entries whose finding is fixed.",
                            },
                        },
                    },
                    "diagnostics": {
                        "type": "array",
                        "description": "Findings, ordered by path, line, column, rule.",
                        "items": _diagnostic_schema(),
                    },
                    "waived": {
                        "type": "array",
                        "description": "Findings suppressed by a live waiver in the config; "
                        "they do not fail the run.",
                        "items": _diagnostic_schema(),
                    },
                },
            },
        ),
        "show-result": wrap(
            "show-result",
            "backlog show --format json",
            {
                "required": ["version", "item", "upstream", "downstream"],
                "properties": {
                    "version": version,
                    "item": {
                        **_item_summary_schema(),
                        "description": "The item, with its data as loaded.",
                        "required": [*_item_summary_schema()["required"], "data"],
                        "properties": {
                            **_item_summary_schema()["properties"],
                            "data": {"type": "object", "description": "The item file's data."},
                        },
                    },
                    "upstream": {
                        "type": "array",
                        "description": "What the item references.",
                        "items": _link_schema(),
                    },
                    "downstream": {
                        "type": "array",
                        "description": "Items that reference it.",
                        "items": _link_schema(),
                    },
                },
            },
        ),
        "status-result": wrap(
            "status-result",
            "backlog status --format json",
            {
                "required": [
                    "version",
                    "statuses",
                    "board",
                    "totals",
                    "not_ready",
                    "ready_to_pick_up",
                ],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "statuses": {
                        "type": "array",
                        "description": "The statuses in lifecycle order.",
                        "items": {"type": "string"},
                    },
                    "board": {
                        "type": "object",
                        "description": "kind -> status -> number of items.",
                        "additionalProperties": {
                            "type": "object",
                            "additionalProperties": {"type": "integer", "minimum": 0},
                        },
                    },
                    "totals": {
                        "type": "object",
                        "description": "status -> number of items of every kind.",
                        "additionalProperties": {"type": "integer", "minimum": 0},
                    },
                    "not_ready": {
                        "type": "array",
                        "description": "Items at refined or later that do not meet their "
                        "Definition of Ready (refined: the one for ready), with the reasons.",
                        "items": _board_entry_schema(),
                    },
                    "ready_to_pick_up": {
                        "type": "array",
                        "description": "Ready items with nothing missing, and refined items "
                        "that could move to ready.",
                        "items": _board_entry_schema(),
                    },
                },
            },
        ),
        "list-result": wrap(
            "list-result",
            "backlog list --format json",
            {
                "required": ["version", "items"],
                "properties": {
                    "version": version,
                    "items": {
                        "type": "array",
                        "description": "The items.",
                        "items": _item_summary_schema(),
                    },
                },
            },
        ),
        "impact-result": wrap(
            "impact-result",
            "backlog impact --format json",
            {
                "required": [
                    "version",
                    "base",
                    "head",
                    "summary",
                    "changed",
                    "impacted",
                    "evaluations",
                    "broken_constraints",
                    "owners",
                ],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "base": _ref_schema("The base ref and the commit it resolved to."),
                    "head": _ref_schema("The head ref (`working tree` with a null commit)."),
                    "summary": {
                        "type": "object",
                        "description": "Counts.",
                        "required": [
                            "changed",
                            "impacted",
                            "revalidate",
                            "evaluations",
                            "broken_constraints",
                        ],
                        "additionalProperties": {"type": "integer", "minimum": 0},
                    },
                    "changed": {
                        "type": "array",
                        "description": "The seeds: items added, changed or removed.",
                        "items": {
                            "type": "object",
                            "description": "A changed item.",
                            "required": ["item", "state", "level", "base_version", "head_version"],
                            "properties": {
                                "item": {"type": "string", "description": "`kind/id`."},
                                "state": {
                                    "enum": ["added", "changed", "removed"],
                                    "description": "What happened.",
                                },
                                "level": {
                                    "enum": ["none", "patch", "minor", "major"],
                                    "description": "Classification.",
                                },
                                "base_version": {
                                    "type": ["string", "null"],
                                    "description": "Version at base.",
                                },
                                "head_version": {
                                    "type": ["string", "null"],
                                    "description": "Version at head.",
                                },
                            },
                        },
                    },
                    "impacted": {
                        "type": "array",
                        "description": "Every item in the downstream closure, seeds first.",
                        "items": _impacted_schema(),
                    },
                    "evaluations": {
                        "type": "array",
                        "description": "Evaluation items in the closure: the ones to re-run.",
                        "items": _impacted_schema(),
                    },
                    "broken_constraints": {
                        "type": "array",
                        "description": "References whose range admitted the base version of "
                        "a changed item and does not admit its head version.",
                        "items": {
                            "type": "object",
                            "description": "A broken constraint.",
                            "required": [
                                "from",
                                "to",
                                "relation",
                                "range",
                                "base_version",
                                "head_version",
                                "path",
                                "line",
                            ],
                            "properties": {
                                "from": {"type": "string", "description": "Referring item."},
                                "to": {"type": "string", "description": "Changed item."},
                                "relation": {"type": "string", "description": "The field."},
                                "range": {"type": "string", "description": "The range."},
                                "base_version": {
                                    "type": "string",
                                    "description": "Admitted version.",
                                },
                                "head_version": {
                                    "type": "string",
                                    "description": "Refused version.",
                                },
                                "path": {"type": "string", "description": "File of the reference."},
                                "line": {
                                    "type": "integer",
                                    "minimum": 1,
                                    "description": "Line of the reference.",
                                },
                            },
                        },
                    },
                    "owners": {
                        "type": "array",
                        "description": "Owners to notify, with their impacted items.",
                        "items": {
                            "type": "object",
                            "description": "One owner.",
                            "required": ["owner", "items"],
                            "properties": {
                                "owner": {"type": "string", "description": "Owner."},
                                "items": {
                                    "type": "array",
                                    "items": {"type": "string"},
                                    "description": "Their impacted items.",
                                },
                            },
                        },
                    },
                },
            },
        ),
        "diff-result": wrap(
            "diff-result",
            "backlog diff --format json",
            {
                "required": ["version", "base", "head", "summary", "items"],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "base": _ref_schema("The base ref and the commit it resolved to."),
                    "head": _ref_schema("The head ref (`working tree` with a null commit)."),
                    "summary": {
                        "type": "object",
                        "description": "Counts per state, and changed items whose bump is wrong.",
                        "required": ["added", "removed", "moved", "changed", "bump_problems"],
                        "additionalProperties": {"type": "integer", "minimum": 0},
                    },
                    "items": {
                        "type": "array",
                        "description": "Items that differ, by `kind/id`.",
                        "items": _diff_item_schema(),
                    },
                },
            },
        ),
        "history-result": wrap(
            "history-result",
            "backlog history --format json",
            {
                "required": ["version", "item", "entries"],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "item": {
                        "type": "string",
                        "description": "`kind/id` of the item now (its last key if removed).",
                    },
                    "entries": {
                        "type": "array",
                        "description": "Every version of the item, oldest first.",
                        "items": _history_entry_schema(),
                    },
                },
            },
        ),
        "lineage-result": wrap(
            "lineage-result",
            "backlog lineage --format json",
            {
                "description": "The upstream (what the item depends on) and downstream (what "
                "depends on it) graph of one item.",
                "required": ["version", "root", "direction", "depth", "nodes", "edges"],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "root": {"type": "string", "description": "`kind/id` of the focus item."},
                    "direction": {
                        "enum": ["up", "down", "both"],
                        "description": "Which walks were made from the focus item.",
                    },
                    "depth": {
                        "type": ["integer", "null"],
                        "minimum": 1,
                        "description": "At most this many edges from the focus item each "
                        "way; null: no limit.",
                    },
                    "nodes": {
                        "type": "array",
                        "description": "The focus item, then upstream, then downstream items; "
                        "nearest first, then by key.",
                        "items": _lineage_node_schema(),
                    },
                    "edges": {
                        "type": "array",
                        "description": "Every reference between two nodes along the walks, "
                        "ordered by from, to, relation.",
                        "items": _why_schema()["properties"]["path"]["items"],
                    },
                },
            },
        ),
        "bump-result": wrap(
            "bump-result",
            "backlog bump --format json",
            {
                "required": ["version", "bumped"],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "bumped": {
                        "type": "array",
                        "description": "Every item file whose version was rewritten (empty: "
                        "nothing needed a bump).",
                        "items": {
                            "type": "object",
                            "description": "One rewritten version.",
                            "required": ["item", "path", "from", "to"],
                            "additionalProperties": False,
                            "properties": {
                                "item": {"type": "string", "description": "`kind/id`."},
                                "path": {"type": "string", "description": _PATH},
                                "from": {"type": "string", "description": "Version before."},
                                "to": {"type": "string", "description": "Version written."},
                            },
                        },
                    },
                },
            },
        ),
        "new-result": wrap(
            "new-result",
            "backlog new --format json",
            {
                "required": ["version", "item", "path"],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "item": {"type": "string", "description": "`kind/id` of the new item."},
                    "path": {"type": "string", "description": _PATH},
                },
            },
        ),
        "init-result": wrap(
            "init-result",
            "backlog init --format json",
            {
                "required": ["version", "config", "example"],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "config": _written_schema("The config file."),
                    "example": _written_schema(
                        "The example item; `skipped` says why it was not written."
                    ),
                },
            },
        ),
        "rules-result": wrap(
            "rules-result",
            "backlog rules --format json",
            {
                "required": ["version", "rules"],
                "additionalProperties": False,
                "properties": {
                    "version": version,
                    "rules": {
                        "type": "array",
                        "description": "The implemented rules, in run order.",
                        "items": {
                            "type": "object",
                            "description": "One rule.",
                            "required": ["id", "severity", "default_severity", "summary", "doc"],
                            "additionalProperties": False,
                            "properties": {
                                "id": {"type": "string", "description": "Rule id."},
                                "severity": {
                                    "enum": ["error", "warning", "off"],
                                    "description": "As the project's config sets it.",
                                },
                                "default_severity": {
                                    "enum": ["error", "warning"],
                                    "description": "Without configuration.",
                                },
                                "summary": {"type": "string", "description": "One line."},
                                "doc": {
                                    "type": "string",
                                    "description": "What, why, a failing and a passing example.",
                                },
                            },
                        },
                    },
                },
            },
        ),
    }


_PATH = "Relative to the repository root."


def _written_schema(description: str) -> dict[str, Any]:
    return {
        "type": "object",
        "description": description,
        "required": ["path", "written"],
        "additionalProperties": False,
        "properties": {
            "path": {"type": "string", "description": _PATH},
            "written": {"type": "boolean", "description": "False: left as it was."},
            "skipped": {"type": ["string", "null"], "description": "Why it was not written."},
        },
    }


def _history_entry_schema() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    levels = ["none", "patch", "minor", "major"]
    bumps = [*levels, "decreased", "invalid"]
    return {
        "type": "object",
        "description": "One version: the commit that made it and how it changed.",
        "required": [
            "commit",
            "short",
            "date",
            "author",
            "subject",
            "path",
            "key",
            "version",
            "status",
            "level",
            "reasons",
            "required_bump",
            "actual_bump",
            "bump_ok",
        ],
        "additionalProperties": False,
        "properties": {
            "commit": {**nullable, "description": "Full commit id; null: the working tree."},
            "short": {**nullable, "description": "Abbreviated commit id (7 characters)."},
            "date": {**nullable, "description": "Author date, ISO 8601."},
            "author": {**nullable, "description": "Author name."},
            "subject": {**nullable, "description": "First line of the commit message."},
            "path": {
                "type": "string",
                "description": "The item file at that commit, relative to the repository root.",
            },
            "key": {"type": "string", "description": "`kind/id` at that commit."},
            "version": {**nullable, "description": "Version (null: removed or not a string)."},
            "status": {**nullable, "description": "Status (null: removed or not a string)."},
            "level": {
                "enum": [*levels, "added", "removed"],
                "description": "Classification of the change from the previous entry: the "
                "most severe level among `reasons`; `added` for the first entry, `removed` "
                "for the commit that deleted the item.",
            },
            "reasons": {
                "type": "array",
                "description": "Each classified change (most severe first), then notes on "
                "moves and id renames (level none).",
                "items": {
                    "type": "object",
                    "description": "One change.",
                    "required": ["level", "path", "reason"],
                    "additionalProperties": False,
                    "properties": {
                        "level": {"enum": levels, "description": "Its level."},
                        "path": {
                            "type": "string",
                            "description": "Dotted path of the field, e.g. `spec.inputs.tier`.",
                        },
                        "reason": {"type": "string", "description": "What changed."},
                    },
                },
            },
            "required_bump": {"enum": levels, "description": "The bump the change needs."},
            "actual_bump": {
                "enum": bumps,
                "description": "How far the version moved from the previous entry's.",
            },
            "bump_ok": {"type": "boolean", "description": "Whether the bump was enough."},
        },
    }


def _lineage_node_schema() -> dict[str, Any]:
    nullable = {"type": ["string", "null"]}
    return {
        "type": "object",
        "description": "An item in the lineage, or the target of a dangling reference.",
        "required": [
            "key",
            "kind",
            "id",
            "title",
            "version",
            "status",
            "owner",
            "path",
            "missing",
            "direction",
            "distance",
            "why",
        ],
        "additionalProperties": False,
        "properties": {
            "key": {"type": "string", "description": "`kind/id`."},
            "kind": {"enum": list(KINDS), "description": "Kind."},
            "id": {"type": "string", "description": "Id."},
            "title": {**nullable, "description": "Title (null when missing)."},
            "version": {**nullable, "description": "Version (null when missing)."},
            "status": {**nullable, "description": "Status (null when missing)."},
            "owner": {**nullable, "description": "Owner (null when missing)."},
            "path": {
                **nullable,
                "description": "File, relative to the repository root (null when missing).",
            },
            "missing": {
                "type": "boolean",
                "description": "A reference names it but no item has this `kind/id`.",
            },
            "direction": {
                "enum": ["root", "up", "down"],
                "description": "`root`: the focus item; `up`: something it depends on; "
                "`down`: something that depends on it. An item reached both ways (only "
                "through a cycle) is listed once, with the shorter walk (`up` on a tie).",
            },
            "distance": {
                "type": "integer",
                "minimum": 0,
                "description": "Edges from the focus item along that walk.",
            },
            "why": {
                **_why_schema(),
                "description": "How the walk reached it: the seed is the focus item and the "
                "path the edges from it (`from` depends on `to`), empty for the focus item.",
            },
        },
    }


def write_all(folder: Path) -> list[Path]:
    """Regenerate every committed schema file into `folder` (used by maintainers)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in {**generate(), **generate_contracts()}.items():
        path = folder / file_name(name)
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


if __name__ == "__main__":  # python -m backlog_cli.schemas: refresh schemas/
    for written_path in write_all(Path(__file__).parent.parent / "schemas"):
        print(written_path)
