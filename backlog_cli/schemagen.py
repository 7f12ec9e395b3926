"""Generate the item schemas (`envelope`, one per kind, `item`) from the pydantic model.

Only maintainers and the staleness test import this module (it pulls in pydantic through
`model.py`): checking reads the committed files through `schemas.py`. The output contracts
(`schemas/*-result.schema.json`) are not generated: they are edited by hand, and
tests/test_contracts.py holds every command's JSON output to them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from backlog_cli import model
from backlog_cli.schemas import ID_BASE, SCHEMA_DIALECT, dumps, file_name
from backlog_cli.vocab import API_VERSION, KINDS

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
    out: dict[str, dict[str, Any]] = {}
    envelope = _clean(model.Envelope.model_json_schema(), top=True)
    out["envelope"] = _wrap(
        "envelope",
        envelope,
        "backlog item envelope",
        "The fields every backlog item has, whatever its kind (apiVersion backlog/v1).",
    )
    out["envelope"]["examples"] = [EXAMPLES["model"]]
    bundled_defs: dict[str, Any] = {}
    branches: list[dict[str, Any]] = []
    for kind, item_model in model.ITEM_MODELS.items():
        body = _clean(item_model.model_json_schema(), top=True)
        body["examples"] = [EXAMPLES[kind]]
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
        "examples": [EXAMPLES["prompt"]],
    }
    return out


def write_all(folder: Path) -> list[Path]:
    """Regenerate every item schema file into `folder` (used by maintainers)."""
    folder.mkdir(parents=True, exist_ok=True)
    written = []
    for name, schema in generate().items():
        path = folder / file_name(name)
        path.write_text(dumps(schema), encoding="utf-8")
        written.append(path)
    return written


def _example(kind: str, title: str, spec: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "apiVersion": API_VERSION,
        "kind": kind,
        "id": "support-triage" if kind == "prompt" else f"example-{kind}",
        "title": title,
        "version": "1.0.0",
        "status": "proposed",
        "owner": "team-ai",
        **extra,
        "spec": spec,
    }


# One minimal valid item per kind: the `examples` of each schema.
EXAMPLES: dict[str, dict[str, Any]] = {
    "capability": _example(
        "capability",
        "Ticket routing",
        {
            "narrative": "When a ticket arrives, I want it routed, so that customers wait less.",
            "items": ["prompt/support-triage@^1.0"],
        },
    ),
    "prompt": _example(
        "prompt",
        "Support ticket triage",
        {
            "model": "model/example-model@^1.0",
            "format": "jinja2",
            "template": "Classify this ticket: {{ ticket_text }}",
            "inputs": {"ticket_text": {"type": "string", "required": True}},
        },
        acceptance=[
            {
                "id": "routing-accuracy",
                "text": "Routes tickets to the right queue",
                "metric": "routing_accuracy",
                "op": ">=",
                "threshold": 0.95,
            }
        ],
    ),
    "agent": _example(
        "agent",
        "Triage orchestrator",
        {"pattern": "sequential", "prompts": ["prompt/support-triage@^1.0"]},
    ),
    "tool": _example(
        "tool",
        "Order lookup",
        {
            "input_schema": {"type": "object", "properties": {"order_id": {"type": "string"}}},
            "side_effects": "read",
        },
    ),
    "policy": _example(
        "policy",
        "PII redaction",
        {
            "type": "guardrail",
            "rules": [{"id": "no-pii", "description": "Redact personal data", "action": "redact"}],
            "controls": ["nist-ai-rmf:MEASURE-2.7"],
            "review_by": "2027-06-30",
        },
    ),
    "dataset": _example(
        "dataset",
        "Knowledge base articles",
        {"source": "s3://kb/articles", "classification": "internal", "contains_pii": False},
    ),
    "model": _example(
        "model",
        "GPT-4o",
        {"provider": "openai", "name": "gpt-4o", "snapshot": "gpt-4o-2024-08-06"},
    ),
    "evaluation": _example(
        "evaluation",
        "Triage regression suite",
        {
            "targets": ["prompt/support-triage"],
            "harness": "promptfoo",
            "metrics": [{"metric": "routing_accuracy", "op": ">=", "threshold": 0.95}],
        },
    ),
}


if __name__ == "__main__":  # python -m backlog_cli.schemagen: refresh schemas/
    for written_path in write_all(Path(__file__).parent.parent / "schemas"):
        print(written_path)
