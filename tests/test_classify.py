"""Tests for backlog_cli.classify: SPEC §5, row by row and kind by kind.

Each table row is one edit of one `spec`; the test asserts the level of the item, that one
change names the edited field (path and reason), and that nothing else was reported.
"""

from __future__ import annotations

import copy
import itertools
import random
from typing import Any

import pytest

from backlog_cli.classify import (
    MISSING,
    Change,
    classify,
    field_changes,
    level_of,
    schema_changes,
)
from backlog_cli.semver import LEVELS, actual_bump, bump_satisfies, bump_version, required_bump

Spec = dict[str, Any]


def item(kind: str, spec: Spec | None = None, **envelope: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "apiVersion": "backlog/v1",
        "kind": kind,
        "id": "sample",
        "title": "Sample",
        "version": "1.2.0",
        "status": "proposed",
        "owner": "team-ai",
    }
    data.update(envelope)
    if spec is not None:
        data["spec"] = spec
    return data


def changes_of(
    kind: str,
    base: Spec,
    head: Spec,
    base_template: str | None = None,
    head_template: str | None = None,
) -> list[Change]:
    return classify(kind, item(kind, base), item(kind, head), base_template, head_template)


def assert_change(
    changes: list[Change], level: str, path: str, *words: str, count: int = 1
) -> None:
    """Exactly `count` changes; the item's level is `level`; one change at `path` says `words`."""
    shown = [str(c) for c in changes]
    assert level_of(changes) == level, shown
    assert len(changes) == count, shown
    hits = [c for c in changes if c.path == path and c.level == level]
    assert hits, f"no {level} change at {path}: {shown}"
    assert any(all(w in c.reason for w in words) for c in hits), shown


# --- prompt ---------------------------------------------------------------------------------

INPUTS: Spec = {
    "ticket": {"type": "string", "required": True, "description": "The ticket body"},
    "locale": {"type": "string", "required": False},
}
PROMPT: Spec = {
    "model": "model/gpt-4o@^1.0",
    "format": "jinja2",
    "template": "Classify {{ ticket }} in {{ locale }}.",
    "inputs": INPUTS,
    "output_schema": {
        "type": "object",
        "properties": {"queue": {"type": "string", "enum": ["billing", "other"]}},
        "required": ["queue"],
    },
    "parameters": {"temperature": 0.2, "max_tokens": 512},
    "context": ["dataset/kb-articles@1.x"],
}


def prompt(**changes: Any) -> Spec:
    spec = copy.deepcopy(PROMPT)
    for key, value in changes.items():
        if value is MISSING:
            del spec[key]
        else:
            spec[key] = value
    return spec


def inputs(**changes: Any) -> Spec:
    result = copy.deepcopy(INPUTS)
    for name, value in changes.items():
        if value is MISSING:
            del result[name]
        else:
            result[name] = value
    return result


def output(**changes: Any) -> Spec:
    schema: Spec = copy.deepcopy(PROMPT["output_schema"])
    schema.update(changes)
    return schema


def queue(**changes: Any) -> Spec:
    return {"queue": {"type": "string", "enum": ["billing", "other"], **changes}}


# fmt: off
PROMPT_ROWS: list[tuple[str, Spec, Spec, str, str, tuple[str, ...]]] = [
    # major
    ("input removed (optional)", PROMPT, prompt(inputs=inputs(locale=MISSING)),
     "major", "spec.inputs.locale", ("input `locale` removed",)),
    ("input removed (required)", PROMPT, prompt(inputs=inputs(ticket=MISSING)),
     "major", "spec.inputs.ticket", ("input `ticket` removed",)),
    ("all inputs removed", prompt(inputs={"a": {}}), prompt(inputs=MISSING),
     "major", "spec.inputs.a", ("input `a` removed",)),
    ("input became required", PROMPT,
     prompt(inputs=inputs(locale={"type": "string", "required": True})),
     "major", "spec.inputs.locale.required", ("`locale`", "became required")),
    ("input became required (required was absent)", prompt(inputs={"a": {}}),
     prompt(inputs={"a": {"required": True}}),
     "major", "spec.inputs.a.required", ("`a`", "became required")),
    ("new required input", PROMPT, prompt(inputs=inputs(tier={"required": True})),
     "major", "spec.inputs.tier", ("new required input `tier`",)),
    ("output_schema narrowed: property now required",
     prompt(output_schema=output(required=[])), PROMPT,
     "major", "spec.output_schema.required", ("output_schema", "`queue` now required")),
    ("output_schema narrowed: enum value lost", PROMPT,
     prompt(output_schema=output(properties=queue(enum=["billing"]))),
     "major", "spec.output_schema.properties.queue.enum", ("enum of `queue` lost `other`",)),
    ("output_schema narrowed: type",
     prompt(output_schema=output(properties=queue(type=["string", "null"]))), PROMPT,
     "major", "spec.output_schema.properties.queue.type", ("type of `queue` narrowed",)),
    ("output_schema narrowed: new required property", PROMPT,
     prompt(output_schema=output(properties={**queue(), "why": {"type": "string"}},
                                 required=["queue", "why"])),
     "major", "spec.output_schema.properties.why", ("new required property `why`",)),
    ("output_schema narrowed: additionalProperties closed", PROMPT,
     prompt(output_schema=output(additionalProperties=False)),
     "major", "spec.output_schema.additionalProperties", ("no longer allowed",)),
    ("output_schema narrowed: added where there was none", prompt(output_schema=MISSING),
     PROMPT, "major", "spec.output_schema", ("`output_schema` added",)),
    ("output_schema: property removed", PROMPT,
     prompt(output_schema=output(properties={}, required=[])),
     "major", "spec.output_schema.properties.queue", ("property `queue` removed",)),
    ("output_schema removed", PROMPT, prompt(output_schema=MISSING),
     "major", "spec.output_schema", ("`output_schema` removed",)),
    ("model changed", PROMPT, prompt(model="model/claude-sonnet@^1.0"),
     "major", "spec.model", ("model changed", "model/gpt-4o", "model/claude-sonnet")),
    ("model removed", PROMPT, prompt(model=MISSING),
     "major", "spec.model", ("model", "removed")),
    ("format changed", PROMPT, prompt(format="mustache"),
     "major", "spec.format", ("`format`", "jinja2", "mustache")),
    ("format changed from the default", prompt(format=MISSING), prompt(format="fstring"),
     "major", "spec.format", ("`format`", "fstring")),
    ("input type changed", PROMPT,
     prompt(inputs=inputs(locale={"type": "number", "required": False})),
     "major", "spec.inputs.locale.type", ("input `locale` type changed", "string", "number")),
    # minor
    ("template text changed", PROMPT, prompt(template="Route {{ ticket }} ({{ locale }})."),
     "minor", "spec.template", ("template text changed",)),
    ("template added", prompt(template=MISSING), PROMPT,
     "minor", "spec.template", ("template added",)),
    ("template removed", PROMPT, prompt(template=MISSING),
     "minor", "spec.template", ("template removed",)),
    ("new optional input", PROMPT, prompt(inputs=inputs(tier={"type": "string"})),
     "minor", "spec.inputs.tier", ("new optional input `tier`",)),
    ("new optional input (required: false)", PROMPT,
     prompt(inputs=inputs(tier={"required": False})),
     "minor", "spec.inputs.tier", ("new optional input `tier`",)),
    ("input no longer required", PROMPT,
     prompt(inputs=inputs(ticket={"type": "string", "required": False,
                                  "description": "The ticket body"})),
     "minor", "spec.inputs.ticket.required", ("`ticket` no longer required",)),
    ("input type widened", prompt(inputs={"n": {"type": "integer"}}),
     prompt(inputs={"n": {"type": "number"}}),
     "minor", "spec.inputs.n.type", ("input `n` type widened", "integer", "number")),
    ("parameter changed", PROMPT, prompt(parameters={"temperature": 0.7, "max_tokens": 512}),
     "minor", "spec.parameters.temperature", ("parameter `temperature`", "0.2", "0.7")),
    ("parameter added", PROMPT,
     prompt(parameters={"temperature": 0.2, "max_tokens": 512, "top_p": 0.9}),
     "minor", "spec.parameters.top_p", ("parameter `top_p` added",)),
    ("parameter removed", PROMPT, prompt(parameters={"temperature": 0.2}),
     "minor", "spec.parameters.max_tokens", ("parameter `max_tokens` removed",)),
    ("output_schema widened: no longer required", PROMPT,
     prompt(output_schema=output(required=[])),
     "minor", "spec.output_schema.required", ("`queue` no longer required",)),
    ("output_schema widened: enum value gained", PROMPT,
     prompt(output_schema=output(properties=queue(enum=["billing", "other", "spam"]))),
     "minor", "spec.output_schema.properties.queue.enum", ("enum of `queue` gained `spam`",)),
    ("output_schema widened: new optional property", PROMPT,
     prompt(output_schema=output(properties={**queue(), "why": {"type": "string"}})),
     "minor", "spec.output_schema.properties.why", ("new optional property `why`",)),
    ("output_schema widened: type", PROMPT,
     prompt(output_schema=output(properties=queue(type=["string", "null"]))),
     "minor", "spec.output_schema.properties.queue.type", ("type of `queue` widened",)),
    ("context source added", PROMPT,
     prompt(context=["dataset/kb-articles@1.x", "dataset/faq"]),
     "minor", "spec.context[dataset/faq]", ("`dataset/faq` added to `context`",)),
    ("context source removed", PROMPT, prompt(context=[]),
     "minor", "spec.context[dataset/kb-articles]", ("`dataset/kb-articles` removed",)),
    ("context range changed", PROMPT, prompt(context=["dataset/kb-articles@2.x"]),
     "minor", "spec.context[dataset/kb-articles]", ("range of `dataset/kb-articles`", "2.x")),
    ("model range changed", PROMPT, prompt(model="model/gpt-4o@^2.0"),
     "minor", "spec.model", ("model range changed", "^1.0", "^2.0")),
    ("model added", prompt(model=MISSING), PROMPT,
     "minor", "spec.model", ("model", "added")),
    ("unknown spec key added", PROMPT, prompt(notes="keep it short"),
     "minor", "spec.notes", ("`notes` added",)),
    # patch
    ("whitespace-only template change", PROMPT,
     prompt(template="Classify  {{ ticket }}\n   in {{ locale }}.\n"),
     "patch", "spec.template", ("template whitespace changed",)),
    ("input description changed", PROMPT,
     prompt(inputs=inputs(ticket={"type": "string", "required": True,
                                  "description": "The whole ticket"})),
     "patch", "spec.inputs.ticket.description", ("input `ticket` description changed",)),
    ("output_schema description changed", PROMPT,
     prompt(output_schema=output(properties=queue(description="Where it goes"))),
     "patch", "spec.output_schema.properties.queue.description", ("`description`", "`queue`")),
]
# fmt: on


@pytest.mark.parametrize(
    ("base", "head", "level", "path", "words"),
    [row[1:] for row in PROMPT_ROWS],
    ids=[row[0] for row in PROMPT_ROWS],
)
def test_prompt_rows(base: Spec, head: Spec, level: str, path: str, words: tuple[str]) -> None:
    assert_change(changes_of("prompt", base, head), level, path, *words)


def test_removing_an_unknown_spec_key_is_major() -> None:
    changes = changes_of("prompt", prompt(notes="keep it short"), PROMPT)
    assert_change(changes, "major", "spec.notes", "`notes` removed")


def test_changing_an_unknown_spec_key_is_minor() -> None:
    changes = changes_of("prompt", prompt(notes="short"), prompt(notes="long"))
    assert_change(changes, "minor", "spec.notes", "`notes` changed", "short", "long")


def test_input_type_narrowed_is_major() -> None:
    base, head = prompt(inputs={"n": {"type": "number"}}), prompt(inputs={"n": {"type": "integer"}})
    assert_change(changes_of("prompt", base, head), "major", "spec.inputs.n.type", "`n`")


# --- templates ------------------------------------------------------------------------------

FILE_PROMPT = prompt(template=MISSING, template_file="templates/triage.j2")
TEXT = "Classify {{ ticket }} in {{ locale }}."


def test_template_file_content_change_is_minor() -> None:
    changes = changes_of("prompt", FILE_PROMPT, FILE_PROMPT, TEXT, "Route {{ ticket }}.")
    assert_change(changes, "minor", "spec.template_file", "template text changed")


def test_template_file_whitespace_change_is_patch() -> None:
    changes = changes_of(
        "prompt", FILE_PROMPT, FILE_PROMPT, TEXT, "Classify {{ ticket }}\n\tin {{ locale }}.\n"
    )
    assert_change(changes, "patch", "spec.template_file", "template whitespace changed")


def test_same_template_file_content_is_no_change() -> None:
    assert changes_of("prompt", FILE_PROMPT, FILE_PROMPT, TEXT, TEXT) == []


def test_inline_to_file_with_the_same_text_is_no_template_change() -> None:
    assert changes_of("prompt", PROMPT, FILE_PROMPT, None, TEXT) == []
    assert changes_of("prompt", FILE_PROMPT, PROMPT, TEXT, None) == []


def test_inline_to_file_with_other_text_is_a_template_change() -> None:
    changes = changes_of("prompt", PROMPT, FILE_PROMPT, None, "Route {{ ticket }}.")
    assert_change(changes, "minor", "spec.template_file", "template text changed")


def test_inline_to_file_with_whitespace_only_difference_is_patch() -> None:
    changes = changes_of("prompt", PROMPT, FILE_PROMPT, None, TEXT + "\n")
    assert_change(changes, "patch", "spec.template_file", "whitespace")


def test_template_file_renamed_with_the_same_content_is_no_change() -> None:
    moved = prompt(template=MISSING, template_file="prompts/triage.j2")
    assert changes_of("prompt", FILE_PROMPT, moved, TEXT, TEXT) == []


def test_unreadable_template_file_renamed_is_minor() -> None:
    moved = prompt(template=MISSING, template_file="prompts/triage.j2")
    changes = changes_of("prompt", FILE_PROMPT, moved, None, None)
    assert_change(changes, "minor", "spec.template_file", "template_file changed", "prompts/")


def test_template_file_unreadable_on_one_side_is_minor() -> None:
    changes = changes_of("prompt", FILE_PROMPT, FILE_PROMPT, None, TEXT)
    assert_change(changes, "minor", "spec.template_file", "not readable at base")


def test_inline_template_wins_over_a_template_argument() -> None:
    # the caller may pass the inline text itself as the "template": same answer either way
    assert changes_of("prompt", PROMPT, PROMPT, TEXT, TEXT) == []
    assert changes_of("prompt", PROMPT, PROMPT, "ignored", "also ignored") == []


def test_whitespace_collapse_keeps_word_boundaries() -> None:
    changes = changes_of("prompt", prompt(template="a b"), prompt(template="ab"))
    assert_change(changes, "minor", "spec.template", "template text changed")


# --- policy ---------------------------------------------------------------------------------

STRICTNESS = ["block", "redact", "require-approval", "flag", "allow"]
RULE = {"id": "no-pii", "description": "Redact personal data", "action": "redact"}
POLICY: Spec = {
    "type": "guardrail",
    "rules": [RULE, {"id": "no-secrets", "description": "Block keys", "action": "block"}],
    "controls": ["nist-ai-rmf:MEASURE-2.7", "eu-ai-act:art-10"],
    "review_by": "2026-06-30",
    "approvers": ["@ciso"],
}


def policy(**changes: Any) -> Spec:
    spec = copy.deepcopy(POLICY)
    for key, value in changes.items():
        if value is MISSING:
            del spec[key]
        else:
            spec[key] = value
    return spec


def rule(**changes: Any) -> list[Spec]:
    return [{**RULE, **changes}, POLICY["rules"][1]]


# fmt: off
POLICY_ROWS: list[tuple[str, Spec, Spec, str, str, tuple[str, ...]]] = [
    ("rule removed", POLICY, policy(rules=[RULE]),
     "major", "spec.rules[no-secrets]", ("rule `no-secrets` removed",)),
    ("control removed", POLICY, policy(controls=["eu-ai-act:art-10"]),
     "major", "spec.controls", ("control `nist-ai-rmf:MEASURE-2.7` removed",)),
    ("type changed", POLICY, policy(type="access"),
     "major", "spec.type", ("`type`", "guardrail", "access")),
    ("type removed", POLICY, policy(type=MISSING), "major", "spec.type", ("`type` removed",)),
    ("rule added", policy(rules=[RULE]), POLICY,
     "minor", "spec.rules[no-secrets]", ("rule `no-secrets` added",)),
    ("control added", policy(controls=["eu-ai-act:art-10"]), POLICY,
     "minor", "spec.controls", ("control `nist-ai-rmf:MEASURE-2.7` added",)),
    ("type set", policy(type=MISSING), POLICY, "minor", "spec.type", ("`type`", "guardrail")),
    ("match added", POLICY, policy(rules=rule(match="\\b\\d{16}\\b")),
     "minor", "spec.rules[no-pii].match", ("rule `no-pii` match changed",)),
    ("match changed", policy(rules=rule(match="a")), policy(rules=rule(match={"regex": "b"})),
     "minor", "spec.rules[no-pii].match", ("rule `no-pii` match changed",)),
    ("approver added", POLICY, policy(approvers=["@ciso", "@dpo"]),
     "minor", "spec.approvers", ("approver `@dpo` added",)),
    ("approver removed", POLICY, policy(approvers=[]),
     "minor", "spec.approvers", ("approver `@ciso` removed",)),
    ("rule description changed", POLICY, policy(rules=rule(description="Mask personal data")),
     "patch", "spec.rules[no-pii].description", ("rule `no-pii` description changed",)),
    ("rules reordered", POLICY, policy(rules=list(reversed(POLICY["rules"]))),
     "patch", "spec.rules", ("reordered",)),
    ("controls reordered", POLICY, policy(controls=list(reversed(POLICY["controls"]))),
     "patch", "spec.controls", ("reordered",)),
]
# fmt: on


@pytest.mark.parametrize(
    ("base", "head", "level", "path", "words"),
    [row[1:] for row in POLICY_ROWS],
    ids=[row[0] for row in POLICY_ROWS],
)
def test_policy_rows(base: Spec, head: Spec, level: str, path: str, words: tuple[str]) -> None:
    assert_change(changes_of("policy", base, head), level, path, *words)


@pytest.mark.parametrize(
    ("stricter", "looser"), list(itertools.combinations(STRICTNESS, 2)), ids=str
)
def test_rule_action_loosened_is_major_and_tightened_minor(stricter: str, looser: str) -> None:
    loosened = changes_of(
        "policy", policy(rules=rule(action=stricter)), policy(rules=rule(action=looser))
    )
    assert_change(loosened, "major", "spec.rules[no-pii].action", "loosened", stricter, looser)
    tightened = changes_of(
        "policy", policy(rules=rule(action=looser)), policy(rules=rule(action=stricter))
    )
    assert_change(tightened, "minor", "spec.rules[no-pii].action", "tightened", looser, stricter)


def test_unknown_rule_action_change_is_major() -> None:
    changes = changes_of("policy", policy(rules=rule(action="quarantine")), POLICY)
    assert_change(changes, "major", "spec.rules[no-pii].action", "action changed")


def test_rules_without_unique_ids_are_compared_element_wise() -> None:
    base = policy(rules=[{"description": "a", "action": "block"}])
    changes = changes_of("policy", base, policy(rules=[]))
    assert_change(changes, "major", "spec.rules[0]", "`rules[0]` removed")


# --- tool -----------------------------------------------------------------------------------

TOOL: Spec = {
    "input_schema": {
        "type": "object",
        "properties": {
            "order_id": {"type": "string"},
            "channel": {"type": "string", "enum": ["web", "phone"]},
        },
        "required": ["order_id"],
    },
    "output_schema": {
        "type": "object",
        "properties": {
            "status": {"type": "string", "enum": ["open", "shipped"]},
            "total": {"type": "integer"},
        },
        "required": ["status", "total"],
    },
    "side_effects": "read",
    "timeout_ms": 2000,
    "idempotent": True,
    "rate_limit_rps": 5,
    "data": ["dataset/orders@^1"],
}


def tool(field_name: str | None = None, **schema_changes_: Any) -> Spec:
    spec = copy.deepcopy(TOOL)
    if field_name is not None:
        spec[field_name].update(schema_changes_)
    return spec


def tool_with(**changes: Any) -> Spec:
    spec = copy.deepcopy(TOOL)
    for key, value in changes.items():
        if value is MISSING:
            del spec[key]
        else:
            spec[key] = value
    return spec


IN_PROPS = TOOL["input_schema"]["properties"]
OUT_PROPS = TOOL["output_schema"]["properties"]

# fmt: off
TOOL_ROWS: list[tuple[str, Spec, Spec, str, str, tuple[str, ...]]] = [
    # input_schema
    ("input narrowed: new required property", TOOL,
     tool("input_schema", properties={**IN_PROPS, "locale": {"type": "string"}},
          required=["order_id", "locale"]),
     "major", "spec.input_schema.properties.locale",
     ("input_schema", "new required property `locale`")),
    ("input narrowed: property now required", TOOL,
     tool("input_schema", required=["order_id", "channel"]),
     "major", "spec.input_schema.required", ("`channel` now required",)),
    ("input narrowed: enum value removed", TOOL,
     tool("input_schema", properties={**IN_PROPS, "channel": {"type": "string", "enum": ["web"]}}),
     "major", "spec.input_schema.properties.channel.enum", ("enum of `channel` lost `phone`",)),
    ("input narrowed: type", TOOL,
     tool("input_schema", properties={**IN_PROPS, "order_id": {"type": "integer"}}),
     "major", "spec.input_schema.properties.order_id.type", ("type of `order_id` changed",)),
    ("input narrowed: additionalProperties closed", TOOL,
     tool("input_schema", additionalProperties=False),
     "major", "spec.input_schema.additionalProperties", ("no longer allowed",)),
    ("input narrowed: property removed while closed",
     tool("input_schema", additionalProperties=False),
     tool("input_schema", additionalProperties=False, properties={"order_id": {"type": "string"}}),
     "major", "spec.input_schema.properties.channel", ("property `channel` removed",)),
    ("new optional input", TOOL,
     tool("input_schema", properties={**IN_PROPS, "locale": {"type": "string"}}),
     "minor", "spec.input_schema.properties.locale", ("new optional property `locale`",)),
    ("input widened: enum value added", TOOL,
     tool("input_schema",
          properties={**IN_PROPS, "channel": {"type": "string", "enum": ["web", "phone", "chat"]}}),
     "minor", "spec.input_schema.properties.channel.enum", ("gained `chat`",)),
    ("input widened: no longer required", TOOL, tool("input_schema", required=[]),
     "minor", "spec.input_schema.required", ("`order_id` no longer required",)),
    ("input: property removed while open", TOOL,
     tool("input_schema", properties={"order_id": {"type": "string"}}),
     "minor", "spec.input_schema.properties.channel", ("property `channel` removed",)),
    # output_schema
    ("output: property removed", TOOL,
     tool("output_schema", properties={"status": OUT_PROPS["status"]}, required=["status"]),
     "major", "spec.output_schema.properties.total", ("property `total` removed",)),
    ("output: no longer required", TOOL, tool("output_schema", required=["status"]),
     "major", "spec.output_schema.required", ("`total` no longer required",)),
    ("output: type widened", TOOL,
     tool("output_schema", properties={**OUT_PROPS, "total": {"type": "number"}}),
     "major", "spec.output_schema.properties.total.type", ("type of `total` widened",)),
    ("output: enum value added", TOOL,
     tool("output_schema", properties={
         **OUT_PROPS, "status": {"type": "string", "enum": ["open", "shipped", "lost"]}}),
     "major", "spec.output_schema.properties.status.enum", ("enum of `status` gained `lost`",)),
    ("output widened: new optional property", TOOL,
     tool("output_schema", properties={**OUT_PROPS, "eta": {"type": "string"}}),
     "minor", "spec.output_schema.properties.eta", ("new optional property `eta`",)),
    ("output narrowed (safe): enum value removed", TOOL,
     tool("output_schema",
          properties={**OUT_PROPS, "status": {"type": "string", "enum": ["open"]}}),
     "minor", "spec.output_schema.properties.status.enum", ("lost `shipped`",)),
    ("output narrowed (safe): new required property", TOOL,
     tool("output_schema", properties={**OUT_PROPS, "eta": {"type": "string"}},
          required=["status", "total", "eta"]),
     "minor", "spec.output_schema.properties.eta", ("new required property `eta`",)),
    # the rest of the contract
    ("side_effects widened", TOOL, tool_with(side_effects="write"),
     "major", "spec.side_effects", ("`side_effects` widened", "read", "write")),
    ("side_effects narrowed", TOOL, tool_with(side_effects="none"),
     "minor", "spec.side_effects", ("`side_effects` narrowed", "read", "none")),
    ("side_effects no longer declared", TOOL, tool_with(side_effects=MISSING),
     "major", "spec.side_effects", ("`side_effects` no longer declared",)),
    ("idempotent true to false", TOOL, tool_with(idempotent=False),
     "major", "spec.idempotent", ("`idempotent`",)),
    ("idempotent dropped", TOOL, tool_with(idempotent=MISSING),
     "major", "spec.idempotent", ("`idempotent`",)),
    ("idempotent false to true", tool_with(idempotent=False), TOOL,
     "minor", "spec.idempotent", ("`idempotent`",)),
    ("timeout decreased", TOOL, tool_with(timeout_ms=500),
     "minor", "spec.timeout_ms", ("`timeout_ms`", "2000", "500")),
    ("timeout increased", TOOL, tool_with(timeout_ms=5000),
     "minor", "spec.timeout_ms", ("`timeout_ms`", "5000")),
    ("rate limit changed", TOOL, tool_with(rate_limit_rps=10),
     "minor", "spec.rate_limit_rps", ("`rate_limit_rps`",)),
    ("data source added", TOOL, tool_with(data=["dataset/orders@^1", "dataset/refunds"]),
     "minor", "spec.data[dataset/refunds]", ("`dataset/refunds` added to `data`",)),
    ("data source removed", TOOL, tool_with(data=[]),
     "minor", "spec.data[dataset/orders]", ("`dataset/orders` removed from `data`",)),
    ("schema description", TOOL, tool("input_schema", description="Look up an order"),
     "patch", "spec.input_schema.description", ("input_schema", "`description`")),
]
# fmt: on


@pytest.mark.parametrize(
    ("base", "head", "level", "path", "words"),
    [row[1:] for row in TOOL_ROWS],
    ids=[row[0] for row in TOOL_ROWS],
)
def test_tool_rows(base: Spec, head: Spec, level: str, path: str, words: tuple[str]) -> None:
    assert_change(changes_of("tool", base, head), level, path, *words)


@pytest.mark.parametrize(
    ("narrow", "wide"),
    list(itertools.combinations(["none", "read", "write", "external"], 2)),
    ids=str,
)
def test_side_effects_order(narrow: str, wide: str) -> None:
    widened = changes_of("tool", tool_with(side_effects=narrow), tool_with(side_effects=wide))
    assert_change(widened, "major", "spec.side_effects", "widened", narrow, wide)
    narrowed = changes_of("tool", tool_with(side_effects=wide), tool_with(side_effects=narrow))
    assert_change(narrowed, "minor", "spec.side_effects", "narrowed", wide, narrow)


# --- agent ----------------------------------------------------------------------------------

AGENT: Spec = {
    "pattern": "sequential",
    "model": "model/gpt-4o@^1.0",
    "prompts": ["prompt/support-triage@^1.2"],
    "tools": ["tool/order-lookup@>=1.0.0 <2.0.0", "tool/refund"],
    "agents": ["agent/escalation"],
    "timeout_ms": 30000,
    "max_retries": 2,
    "retry_backoff_ms": 500,
    "idempotent": True,
    "on_partial_failure": "compensate",
    "determinism": "seeded",
}


def agent(**changes: Any) -> Spec:
    spec = copy.deepcopy(AGENT)
    for key, value in changes.items():
        if value is MISSING:
            del spec[key]
        else:
            spec[key] = value
    return spec


# fmt: off
AGENT_ROWS: list[tuple[str, Spec, Spec, str, str, tuple[str, ...]]] = [
    ("pattern changed", AGENT, agent(pattern="dynamic"),
     "major", "spec.pattern", ("`pattern`", "sequential", "dynamic")),
    ("pattern removed", AGENT, agent(pattern=MISSING), "major", "spec.pattern", ("`pattern`",)),
    ("prompt removed", AGENT, agent(prompts=[]),
     "major", "spec.prompts[prompt/support-triage]", ("`prompt/support-triage` removed",)),
    ("tool removed", AGENT, agent(tools=["tool/refund"]),
     "major", "spec.tools[tool/order-lookup]", ("`tool/order-lookup` removed from `tools`",)),
    ("sub-agent removed", AGENT, agent(agents=MISSING),
     "major", "spec.agents[agent/escalation]", ("`agent/escalation` removed",)),
    ("idempotent true to false", AGENT, agent(idempotent=False),
     "major", "spec.idempotent", ("`idempotent`",)),
    ("on_partial_failure changed", AGENT, agent(on_partial_failure="continue"),
     "major", "spec.on_partial_failure", ("`on_partial_failure`", "compensate", "continue")),
    ("model changed", AGENT, agent(model="model/claude-sonnet"),
     "major", "spec.model", ("model changed",)),
    ("prompt added", AGENT, agent(prompts=["prompt/support-triage@^1.2", "prompt/summary"]),
     "minor", "spec.prompts[prompt/summary]", ("`prompt/summary` added to `prompts`",)),
    ("tool added", AGENT, agent(tools=[*AGENT["tools"], "tool/crm"]),
     "minor", "spec.tools[tool/crm]", ("`tool/crm` added to `tools`",)),
    ("sub-agent added", AGENT, agent(agents=["agent/escalation", "agent/billing"]),
     "minor", "spec.agents[agent/billing]", ("`agent/billing` added",)),
    ("prompt range changed", AGENT, agent(prompts=["prompt/support-triage@^2.0"]),
     "minor", "spec.prompts[prompt/support-triage]", ("range of `prompt/support-triage`",)),
    ("model range changed", AGENT, agent(model="model/gpt-4o@^1.1"),
     "minor", "spec.model", ("model range changed",)),
    ("timeout changed", AGENT, agent(timeout_ms=60000),
     "minor", "spec.timeout_ms", ("`timeout_ms`",)),
    ("retries changed", AGENT, agent(max_retries=3),
     "minor", "spec.max_retries", ("`max_retries`",)),
    ("backoff changed", AGENT, agent(retry_backoff_ms=MISSING),
     "minor", "spec.retry_backoff_ms", ("`retry_backoff_ms`",)),
    ("determinism changed", AGENT, agent(determinism="replayable"),
     "minor", "spec.determinism", ("`determinism`",)),
    ("pattern set", agent(pattern=MISSING), AGENT, "minor", "spec.pattern", ("`pattern`",)),
    ("tools reordered", AGENT, agent(tools=list(reversed(AGENT["tools"]))),
     "patch", "spec.tools", ("`tools` reordered",)),
    ("description text", agent(description="Routes tickets"),
     agent(description="Routes support tickets"),
     "patch", "spec.description", ("`description` text changed",)),
]
# fmt: on


@pytest.mark.parametrize(
    ("base", "head", "level", "path", "words"),
    [row[1:] for row in AGENT_ROWS],
    ids=[row[0] for row in AGENT_ROWS],
)
def test_agent_rows(base: Spec, head: Spec, level: str, path: str, words: tuple[str]) -> None:
    assert_change(changes_of("agent", base, head), level, path, *words)


# --- other kinds ----------------------------------------------------------------------------

DATASET: Spec = {
    "source": "s3://kb/articles",
    "refresh": {"strategy": "batch", "schedule": "daily"},
    "classification": "internal",
    "contains_pii": False,
    "provenance": "Exported from Zendesk",
    "retention_days": 365,
    "license": "internal-use",
    "upstream": ["dataset/raw-articles@^1"],
}
MODEL: Spec = {
    "provider": "openai",
    "name": "gpt-4o",
    "snapshot": "gpt-4o-2024-08-06",
    "context_window": 128000,
    "sunset": "2026-06-30",
}
EVALUATION: Spec = {
    "targets": ["prompt/support-triage@^1", "agent/triage"],
    "dataset": "dataset/golden-tickets",
    "harness": "promptfoo",
    "metrics": [
        {"metric": "routing_accuracy", "op": ">=", "threshold": 0.95},
        {"metric": "latency", "op": "<=", "threshold": 1200},
    ],
    "schedule": "on-change",
}
CAPABILITY: Spec = {
    "narrative": "When a ticket arrives, I want it routed, so that customers wait less.",
    "items": ["prompt/support-triage", "agent/triage"],
    "success_metrics": [
        {"id": "AC-1", "text": "Routed", "metric": "m", "op": ">=", "threshold": 1}
    ],
}


def edit(spec: Spec, **changes: Any) -> Spec:
    result = copy.deepcopy(spec)
    for key, value in changes.items():
        if value is MISSING:
            del result[key]
        else:
            result[key] = value
    return result


# fmt: off
GENERIC_ROWS: list[tuple[str, str, Spec, Spec, str, str, tuple[str, ...]]] = [
    ("dataset", "field removed", DATASET, edit(DATASET, license=MISSING),
     "major", "spec.license", ("`license` removed",)),
    ("dataset", "nested field removed", DATASET,
     edit(DATASET, refresh={"strategy": "batch"}),
     "major", "spec.refresh.schedule", ("`refresh.schedule` removed",)),
    ("dataset", "upstream ref removed", DATASET, edit(DATASET, upstream=[]),
     "major", "spec.upstream[dataset/raw-articles]", ("`dataset/raw-articles` removed",)),
    ("dataset", "field added", edit(DATASET, license=MISSING), DATASET,
     "minor", "spec.license", ("`license` added",)),
    ("dataset", "field changed", DATASET, edit(DATASET, retention_days=30),
     "minor", "spec.retention_days", ("`retention_days` changed", "365", "30")),
    ("dataset", "nested field changed", DATASET,
     edit(DATASET, refresh={"strategy": "streaming", "schedule": "daily"}),
     "minor", "spec.refresh.strategy", ("`refresh.strategy`", "streaming")),
    ("dataset", "bool changed", DATASET, edit(DATASET, contains_pii=True),
     "minor", "spec.contains_pii", ("`contains_pii`",)),
    ("dataset", "upstream ref added", DATASET,
     edit(DATASET, upstream=["dataset/raw-articles@^1", "dataset/faq"]),
     "minor", "spec.upstream[dataset/faq]", ("`dataset/faq` added to `upstream`",)),
    ("dataset", "upstream range changed", DATASET,
     edit(DATASET, upstream=["dataset/raw-articles@^2"]),
     "minor", "spec.upstream[dataset/raw-articles]", ("range of `dataset/raw-articles`",)),
    ("dataset", "provenance text", DATASET, edit(DATASET, provenance="Exported nightly"),
     "patch", "spec.provenance", ("`provenance` text changed",)),
    ("model", "snapshot changed", MODEL, edit(MODEL, snapshot="gpt-4o-2024-11-20"),
     "minor", "spec.snapshot", ("`snapshot` changed",)),
    ("model", "snapshot removed", MODEL, edit(MODEL, snapshot=MISSING),
     "major", "spec.snapshot", ("`snapshot` removed",)),
    ("model", "context window added", edit(MODEL, context_window=MISSING), MODEL,
     "minor", "spec.context_window", ("`context_window` added",)),
    ("evaluation", "target removed", EVALUATION,
     edit(EVALUATION, targets=["prompt/support-triage@^1"]),
     "major", "spec.targets[agent/triage]", ("`agent/triage` removed from `targets`",)),
    ("evaluation", "target added", EVALUATION,
     edit(EVALUATION, targets=[*EVALUATION["targets"], "agent/other"]),
     "minor", "spec.targets[agent/other]", ("`agent/other` added",)),
    ("evaluation", "metric removed", EVALUATION,
     edit(EVALUATION, metrics=EVALUATION["metrics"][1:]),
     "major", "spec.metrics[routing_accuracy]", ("`routing_accuracy` removed from `metrics`",)),
    ("evaluation", "threshold changed", EVALUATION,
     edit(EVALUATION, metrics=[{**EVALUATION["metrics"][0], "threshold": 0.97},
                               EVALUATION["metrics"][1]]),
     "minor", "spec.metrics[routing_accuracy].threshold", ("threshold", "0.97")),
    ("evaluation", "dataset changed", EVALUATION, edit(EVALUATION, dataset="dataset/other"),
     "minor", "spec.dataset", ("`dataset` changed",)),
    ("evaluation", "harness changed", EVALUATION, edit(EVALUATION, harness="custom"),
     "minor", "spec.harness", ("`harness`",)),
    ("capability", "narrative text", CAPABILITY,
     edit(CAPABILITY, narrative="When a ticket arrives, route it."),
     "patch", "spec.narrative", ("`narrative` text changed",)),
    ("capability", "item removed", CAPABILITY, edit(CAPABILITY, items=["agent/triage"]),
     "major", "spec.items[prompt/support-triage]", ("`prompt/support-triage` removed",)),
    ("capability", "item added", CAPABILITY,
     edit(CAPABILITY, items=[*CAPABILITY["items"], "tool/crm"]),
     "minor", "spec.items[tool/crm]", ("`tool/crm` added",)),
    ("capability", "criterion removed", CAPABILITY, edit(CAPABILITY, success_metrics=[]),
     "major", "spec.success_metrics[AC-1]", ("`AC-1` removed",)),
    ("capability", "criterion text", CAPABILITY,
     edit(CAPABILITY, success_metrics=[{**CAPABILITY["success_metrics"][0], "text": "Ok"}]),
     "minor", "spec.success_metrics[AC-1].text", ("`success_metrics[AC-1].text` changed",)),
    ("capability", "narrative removed", CAPABILITY, edit(CAPABILITY, narrative=MISSING),
     "major", "spec.narrative", ("`narrative` removed",)),
    ("capability", "items reordered", CAPABILITY,
     edit(CAPABILITY, items=list(reversed(CAPABILITY["items"]))),
     "patch", "spec.items", ("`items` reordered",)),
]
# fmt: on


@pytest.mark.parametrize(
    ("kind", "base", "head", "level", "path", "words"),
    [(row[0], *row[2:]) for row in GENERIC_ROWS],
    ids=[f"{row[0]}: {row[1]}" for row in GENERIC_ROWS],
)
def test_other_kinds_rows(
    kind: str, base: Spec, head: Spec, level: str, path: str, words: tuple[str]
) -> None:
    assert_change(changes_of(kind, base, head), level, path, *words)


def test_whole_spec_removed_is_major() -> None:
    changes = classify("dataset", item("dataset", {"source": "x"}), item("dataset"))
    assert_change(changes, "major", "spec.source", "`source` removed")


def test_spec_that_is_not_a_map_is_still_classified() -> None:
    changes = classify("tool", item("tool", {"timeout_ms": 1}), item("tool", "oops"))  # type: ignore[arg-type]
    assert_change(changes, "minor", "spec", "`spec` changed")


def test_malformed_inputs_fall_back_to_generic_comparison() -> None:
    changes = changes_of("prompt", prompt(inputs=["a"]), prompt(inputs=["a", "b"]))
    assert_change(changes, "minor", "spec.inputs[b]", "`b` added to `inputs`")


# --- envelope and extensions ----------------------------------------------------------------

ENVELOPE_EDITS: list[tuple[str, Any]] = [
    ("title", "Another title"),
    ("description", "New words"),
    ("status", "ready"),
    ("owner", "@someone"),
    ("tags", ["pii"]),
    ("acceptance", [{"id": "AC-1", "text": "Works"}]),
    ("performance", {"latency_p95_ms": 900}),
    ("safety", {"policies": ["policy/pii"]}),
    ("rollout", {"strategy": "canary"}),
    ("priority", "P0"),
    ("risk", "high"),
    ("depends_on", ["tool/order-lookup"]),
    ("renamed_from", ["prompt/triage"]),
    ("x-team", {"slack": "#ai"}),
]


@pytest.mark.parametrize("kind", ["prompt", "policy", "tool", "agent", "dataset", "model"])
@pytest.mark.parametrize(("key", "value"), ENVELOPE_EDITS, ids=[k for k, _ in ENVELOPE_EDITS])
def test_envelope_edits_need_no_bump(kind: str, key: str, value: Any) -> None:
    base, head = item(kind, {}), item(kind, {}, **{key: value})
    changes = classify(kind, base, head)
    assert changes == []
    assert level_of(changes) == "none"
    # ... but they are field changes, shown by `diff`
    assert field_changes(base, head) == [(key, base.get(key, MISSING), value)]


@pytest.mark.parametrize(
    ("kind", "spec"),
    [
        ("prompt", PROMPT),
        ("policy", POLICY),
        ("tool", TOOL),
        ("agent", AGENT),
        ("dataset", DATASET),
        ("model", MODEL),
        ("evaluation", EVALUATION),
        ("capability", CAPABILITY),
    ],
)
def test_x_keys_in_spec_are_ignored(kind: str, spec: Spec) -> None:
    assert changes_of(kind, spec, {**spec, "x-cost-center": "42"}) == []
    assert changes_of(kind, {**spec, "x-a": 1}, {**spec, "x-a": 2}) == []
    assert changes_of(kind, {**spec, "x-a": 1}, spec) == []
    assert changes_of(kind, spec, spec) == []


def test_x_keys_inside_a_schema_are_ignored() -> None:
    head = tool("input_schema", **{"x-owner": "payments"})
    assert changes_of("tool", TOOL, head) == []


@pytest.mark.parametrize(
    ("base", "head"),
    [
        (prompt(format=MISSING), prompt(format="jinja2")),
        (prompt(inputs={"a": {}}), prompt(inputs={"a": {"type": "string", "required": False}})),
        (tool_with(idempotent=MISSING), tool_with(idempotent=False)),
    ],
    ids=["format default", "input defaults", "idempotent default"],
)
def test_defaults_made_explicit_are_no_change(base: Spec, head: Spec) -> None:
    kind = "tool" if "side_effects" in base else "prompt"
    assert changes_of(kind, base, head) == []


# --- several changes ------------------------------------------------------------------------


def test_several_changes_are_all_listed_and_the_most_severe_wins() -> None:
    head = prompt(
        template="Route {{ ticket }}.",
        inputs=inputs(locale=MISSING),
        parameters={"temperature": 0.5, "max_tokens": 512},
        output_schema=output(properties=queue(description="Target queue")),
    )
    changes = changes_of("prompt", PROMPT, head)
    assert level_of(changes) == "major"
    reasons = [c.reason for c in changes]
    assert reasons == [
        "input `locale` removed",
        "template text changed",
        "parameter `temperature` changed from 0.2 to 0.5",
        "output_schema: `description` of `queue` changed",
    ]
    assert [c.level for c in changes] == ["major", "minor", "minor", "patch"]


def test_changes_sort_by_severity() -> None:
    changes = [
        Change("patch", "a", "x"),
        Change("major", "b", "y"),
        Change("minor", "c", "z"),
        Change("none", "d", "w"),
    ]
    assert [c.level for c in sorted(changes, reverse=True)] == ["major", "minor", "patch", "none"]
    assert sorted(changes)[0].level == "none"


def test_change_text_and_validation() -> None:
    change = Change("major", "spec.inputs.refund_policy", "input `refund_policy` removed")
    assert str(change) == "input `refund_policy` removed → major"
    assert change == Change("major", "spec.inputs.refund_policy", "input `refund_policy` removed")
    assert "_rank" not in repr(change)
    with pytest.raises(ValueError, match="unknown change level"):
        Change("huge", "spec", "nope")


def test_level_of() -> None:
    assert level_of([]) == "none"
    assert level_of(iter([Change("patch", "a", "a"), Change("minor", "b", "b")])) == "minor"
    assert level_of([Change("major", "a", "a"), Change("patch", "b", "b")]) == "major"


# --- schema_changes -------------------------------------------------------------------------

OBJ: Spec = {
    "type": "object",
    "properties": {"a": {"type": "string"}, "b": {"type": "integer"}},
    "required": ["a"],
}


def obj(**changes: Any) -> Spec:
    schema = copy.deepcopy(OBJ)
    schema.update(changes)
    return schema


# (name, base, head, change path below "s", reason words, level for input/output/prompt-output)
# fmt: off
SCHEMA_ROWS: list[tuple[str, Any, Any, str, tuple[str, ...], tuple[str, str, str]]] = [
    ("property added, optional", OBJ, obj(properties={**OBJ["properties"], "c": {}}),
     ".properties.c", ("new optional property `c`",), ("minor", "minor", "minor")),
    ("property added, required", OBJ,
     obj(properties={**OBJ["properties"], "c": {}}, required=["a", "c"]),
     ".properties.c", ("new required property `c`",), ("major", "minor", "major")),
    ("property removed, open", OBJ, obj(properties={"a": {"type": "string"}}),
     ".properties.b", ("property `b` removed",), ("minor", "major", "major")),
    ("property removed, closed", obj(additionalProperties=False),
     obj(additionalProperties=False, properties={"a": {"type": "string"}}),
     ".properties.b", ("property `b` removed",), ("major", "major", "major")),
    ("required added", OBJ, obj(required=["a", "b"]),
     ".required", ("property `b` now required",), ("major", "minor", "major")),
    ("required removed", OBJ, obj(required=[]),
     ".required", ("property `a` no longer required",), ("minor", "major", "minor")),
    ("type narrowed", {"type": ["string", "null"]}, {"type": "string"},
     ".type", ("type narrowed", "string|null", "string"), ("major", "minor", "major")),
    ("type widened", {"type": "string"}, {"type": ["string", "null"]},
     ".type", ("type widened",), ("minor", "major", "minor")),
    ("integer to number widens", {"type": "integer"}, {"type": "number"},
     ".type", ("type widened", "integer", "number"), ("minor", "major", "minor")),
    ("number to integer narrows", {"type": "number"}, {"type": "integer"},
     ".type", ("type narrowed",), ("major", "minor", "major")),
    ("type replaced", {"type": "string"}, {"type": "boolean"},
     ".type", ("type changed",), ("major", "major", "major")),
    ("type added", {}, {"type": "string"}, ".type", ("type narrowed", "any"),
     ("major", "minor", "major")),
    ("enum value removed", {"enum": ["x", "y"]}, {"enum": ["x"]},
     ".enum", ("enum lost `y`",), ("major", "minor", "major")),
    ("enum value added", {"enum": ["x"]}, {"enum": ["x", "y"]},
     ".enum", ("enum gained `y`",), ("minor", "major", "minor")),
    ("enum introduced", {"type": "string"}, {"type": "string", "enum": ["x"]},
     ".enum", ("`enum` added",), ("major", "minor", "major")),
    ("enum dropped", {"type": "string", "enum": ["x"]}, {"type": "string"},
     ".enum", ("`enum` removed",), ("minor", "major", "minor")),
    ("additionalProperties closed", OBJ, obj(additionalProperties=False),
     ".additionalProperties", ("no longer allowed",), ("major", "minor", "major")),
    ("additionalProperties opened", obj(additionalProperties=False),
     obj(additionalProperties=True),
     ".additionalProperties", ("now allowed",), ("minor", "minor", "minor")),
    ("additionalProperties schema narrowed", obj(additionalProperties={"type": ["string", "null"]}),
     obj(additionalProperties={"type": "string"}),
     ".additionalProperties.type", ("type of `*` narrowed",), ("major", "minor", "major")),
    ("nested property now required",
     {"properties": {"t": {"type": "object", "properties": {"q": {}}}}},
     {"properties": {"t": {"type": "object", "properties": {"q": {}}, "required": ["q"]}}},
     ".properties.t.required", ("property `t.q` now required",), ("major", "minor", "major")),
    ("nested enum value added",
     {"properties": {"t": {"properties": {"q": {"enum": [1]}}}}},
     {"properties": {"t": {"properties": {"q": {"enum": [1, 2]}}}}},
     ".properties.t.properties.q.enum", ("enum of `t.q` gained `2`",),
     ("minor", "major", "minor")),
    ("items type narrowed", {"type": "array", "items": {"type": "number"}},
     {"type": "array", "items": {"type": "integer"}},
     ".items.type", ("type of `[]` narrowed",), ("major", "minor", "major")),
    ("items property removed",
     {"properties": {"tags": {"items": {"properties": {"n": {}, "v": {}}}}}},
     {"properties": {"tags": {"items": {"properties": {"n": {}}}}}},
     ".properties.tags.items.properties.v", ("property `tags[].v` removed",),
     ("minor", "major", "major")),
    ("items added", {"type": "array"}, {"type": "array", "items": {"type": "string"}},
     ".items", ("`items` added",), ("major", "minor", "major")),
    ("maximum lowered", {"maximum": 10}, {"maximum": 5},
     ".maximum", ("`maximum` lowered from 10 to 5",), ("major", "minor", "major")),
    ("maxLength raised", {"maxLength": 10}, {"maxLength": 50},
     ".maxLength", ("`maxLength` raised",), ("minor", "major", "minor")),
    ("minimum added", {}, {"minimum": 0}, ".minimum", ("`minimum` added",),
     ("major", "minor", "major")),
    ("minItems removed", {"minItems": 1}, {}, ".minItems", ("`minItems` removed",),
     ("minor", "major", "minor")),
    ("pattern changed", {"pattern": "^a"}, {"pattern": "^b"}, ".pattern",
     ("`pattern` changed",), ("major", "major", "major")),
    ("const added", {}, {"const": 1}, ".const", ("`const` added",), ("major", "minor", "major")),
    ("default changed", {"default": 1}, {"default": 2}, ".default", ("`default` changed",),
     ("minor", "minor", "minor")),
    ("title changed", {"title": "A"}, {"title": "B"}, ".title", ("`title` changed",),
     ("patch", "patch", "patch")),
    ("schema that is not a map", {"type": "string"}, "string", "", ("schema changed",),
     ("major", "major", "major")),
]
# fmt: on


@pytest.mark.parametrize("column", [0, 1, 2], ids=["input", "output", "prompt-output"])
@pytest.mark.parametrize(
    ("base", "head", "sub", "words", "levels"),
    [row[1:] for row in SCHEMA_ROWS],
    ids=[row[0] for row in SCHEMA_ROWS],
)
def test_schema_changes(
    base: Any, head: Any, sub: str, words: tuple[str], levels: tuple[str, str, str], column: int
) -> None:
    direction = ("input", "output", "prompt-output")[column]
    changes = schema_changes(base, head, direction, "s")
    assert_change(changes, levels[column], "s" + sub, "s: ", *words)


def test_schema_changes_whole_schema_added_and_removed() -> None:
    for direction, removed in (("input", "minor"), ("output", "major"), ("prompt-output", "major")):
        added = schema_changes(MISSING, OBJ, direction, "spec.input_schema")
        expected = "minor" if direction == "output" else "major"
        assert_change(added, expected, "spec.input_schema", "`input_schema` added")
        gone = schema_changes(OBJ, None, direction, "spec.input_schema")
        assert_change(gone, removed, "spec.input_schema", "`input_schema` removed")
    assert schema_changes(None, MISSING, "input") == []
    assert schema_changes(OBJ, copy.deepcopy(OBJ), "output") == []


def test_schema_changes_rejects_an_unknown_direction() -> None:
    with pytest.raises(ValueError, match="direction"):
        schema_changes({}, {"type": "string"}, "sideways")


def test_schema_changes_lists_every_enum_value_lost() -> None:
    changes = schema_changes({"enum": ["a", "b", "c"]}, {"enum": ["a"]}, "input", "s")
    assert_change(changes, "major", "s.enum", "lost `b`, `c`")


def test_enum_reordered_is_patch() -> None:
    changes = schema_changes({"enum": ["a", "b"]}, {"enum": ["b", "a"]}, "output", "s")
    assert_change(changes, "patch", "s.enum", "reordered")


# --- monotonicity (a seeded property test: the project has no hypothesis dependency) ---------

TYPES = ["string", "number", "integer", "boolean", "object", "array"]


def random_inputs(rng: random.Random) -> Spec:
    result: Spec = {}
    for index in range(rng.randint(1, 5)):
        spec: Spec = {}
        if rng.random() < 0.7:
            spec["type"] = rng.choice(TYPES)
        if rng.random() < 0.7:
            spec["required"] = rng.random() < 0.5
        if rng.random() < 0.3:
            spec["description"] = f"input {index}"
        result[f"in{index}"] = spec
    return result


@pytest.mark.parametrize("seed", range(200))
def test_removing_an_input_is_never_below_adding_an_optional_one(seed: int) -> None:
    rng = random.Random(seed)
    base_inputs = random_inputs(rng)
    victim = rng.choice(sorted(base_inputs))
    removed = {k: v for k, v in base_inputs.items() if k != victim}
    added = {**base_inputs, "fresh": {"type": rng.choice(TYPES), "required": False}}
    base = prompt(inputs=base_inputs)
    level_removed = level_of(changes_of("prompt", base, prompt(inputs=removed)))
    level_added = level_of(changes_of("prompt", base, prompt(inputs=added)))
    assert LEVELS.index(level_removed) >= LEVELS.index(level_added)
    assert (level_removed, level_added) == ("major", "minor")


def random_schema(rng: random.Random, depth: int = 0) -> Spec:
    schema: Spec = {}
    if rng.random() < 0.6:
        schema["type"] = rng.choice(["object", ["object", "null"]])
    names = [f"p{i}" for i in range(rng.randint(0, 3))]
    if names and depth < 2:
        schema["properties"] = {
            n: random_schema(rng, depth + 1) if rng.random() < 0.3 else {"type": rng.choice(TYPES)}
            for n in names
        }
        schema["required"] = [n for n in names if rng.random() < 0.5]
    if rng.random() < 0.3:
        schema["additionalProperties"] = rng.random() < 0.5
    return schema


@pytest.mark.parametrize("seed", range(100))
def test_adding_a_required_property_is_never_below_an_optional_one(seed: int) -> None:
    rng = random.Random(seed)
    base = random_schema(rng)
    optional = {**base, "properties": {**base.get("properties", {}), "new": {}}}
    required = {**optional, "required": [*base.get("required", []), "new"]}
    for direction in ("input", "prompt-output"):
        level_optional = level_of(schema_changes(base, optional, direction))
        level_required = level_of(schema_changes(base, required, direction))
        assert LEVELS.index(level_required) > LEVELS.index(level_optional)
    assert schema_changes(base, copy.deepcopy(base), "output") == []


def random_value(rng: random.Random, depth: int = 0) -> Any:
    roll = rng.random()
    if depth < 3 and roll < 0.3:
        return {rng.choice("abcd"): random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))}
    if depth < 3 and roll < 0.5:
        return [random_value(rng, depth + 1) for _ in range(rng.randint(0, 3))]
    return rng.choice([0, 1, 1.5, True, False, None, "x", "y", ""])


@pytest.mark.parametrize("seed", range(100))
def test_field_changes_is_empty_exactly_when_equal(seed: int) -> None:
    rng = random.Random(seed)
    a, b = {"spec": random_value(rng)}, {"spec": random_value(rng)}
    assert field_changes(a, copy.deepcopy(a)) == []
    assert (field_changes(a, b) == []) == (a == b and repr(a) == repr(b))
    for path, old, new in field_changes(a, b):
        assert path.startswith("spec")
        assert old is not new or old is MISSING
    for kind in ("prompt", "policy", "tool", "agent", "dataset"):
        assert classify(kind, a, copy.deepcopy(a)) == []
        if a != b:
            classify(kind, a, b)  # never raises on malformed specs


# --- field_changes --------------------------------------------------------------------------


def test_field_changes_paths_and_missing() -> None:
    base = {
        "title": "A",
        "tags": ["a", "b"],
        "spec": {"inputs": {"x": {"type": "string"}}, "parameters": {"top.p": 1}},
    }
    head = {
        "title": "B",
        "tags": ["a"],
        "spec": {"inputs": {"x": {"type": "number"}, "y": {}}, "parameters": {"top.p": 2}},
        "owner": "o",
    }
    assert field_changes(base, head) == [
        ("title", "A", "B"),
        ("tags[1]", "b", MISSING),
        ("spec.inputs.x.type", "string", "number"),
        ("spec.inputs.y", MISSING, {}),
        ('spec.parameters["top.p"]', 1, 2),
        ("owner", MISSING, "o"),
    ]


def test_field_changes_tells_true_from_one_and_keeps_one_equal_to_one_point_zero() -> None:
    assert field_changes({"a": 1}, {"a": True}) == [("a", 1, True)]
    assert field_changes({"a": 1}, {"a": 1.0}) == []
    assert field_changes({"a": [1]}, {"a": {"0": 1}}) == [("a", [1], {"0": 1})]


def test_missing_is_readable() -> None:
    assert repr(MISSING) == "MISSING"
    assert str(MISSING) == "MISSING"


# --- versions -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("version", "level", "expected"),
    [
        ("1.2.0", "none", "none"),
        ("1.2.0", "patch", "patch"),
        ("1.2.0", "minor", "minor"),
        ("1.2.0", "major", "major"),
        ("2.0.0-rc.1", "major", "major"),
        ("0.3.1", "none", "none"),
        ("0.3.1", "patch", "patch"),
        ("0.3.1", "minor", "patch"),
        ("0.3.1", "major", "minor"),
        ("0.0.1", "major", "minor"),
        ("1.0", "major", "major"),
        ("v1.0.0", "minor", "minor"),
        ("", "patch", "patch"),
    ],
)
def test_required_bump(version: str, level: str, expected: str) -> None:
    assert required_bump(version, level) == expected


def test_required_bump_rejects_an_unknown_level() -> None:
    with pytest.raises(ValueError, match="level"):
        required_bump("1.0.0", "huge")


@pytest.mark.parametrize(
    ("base", "head", "expected"),
    [
        ("1.2.0", "1.2.0", "none"),
        ("1.2.0", "1.2.0+build.7", "none"),
        ("1.2.0", "1.2.1", "patch"),
        ("1.2.0", "1.3.0", "minor"),
        ("1.2.9", "1.3.0", "minor"),
        ("1.2.0", "2.0.0", "major"),
        ("1.9.9", "2.0.0-rc.1", "major"),
        ("1.2.3-rc.1", "1.2.3-rc.2", "patch"),
        ("1.0.0-rc.1", "1.0.0", "patch"),
        ("1.2.3-rc.1", "1.3.0", "minor"),
        ("1.0.0-alpha", "1.0.0-alpha.1", "patch"),
        ("1.2.0", "1.1.9", "decreased"),
        ("1.0.0", "1.0.0-rc.1", "decreased"),
        ("2.0.0", "1.99.99", "decreased"),
        ("1.0.0-rc.2", "1.0.0-rc.1", "decreased"),
        ("1.0", "1.0.1", "invalid"),
        ("1.0.0", "one", "invalid"),
        ("", "1.0.0", "invalid"),
    ],
)
def test_actual_bump(base: str, head: str, expected: str) -> None:
    assert actual_bump(base, head) == expected


# node-semver's test/fixtures/increments.js, the strict major/minor/patch rows
@pytest.mark.parametrize(
    ("version", "part", "expected"),
    [
        ("1.2.3", "major", "2.0.0"),
        ("1.2.3", "minor", "1.3.0"),
        ("1.2.3", "patch", "1.2.4"),
        ("1.2.3-tag", "major", "2.0.0"),
        ("1.2.0-0", "patch", "1.2.0"),
        ("1.2.3-4", "major", "2.0.0"),
        ("1.2.3-4", "minor", "1.3.0"),
        ("1.2.3-4", "patch", "1.2.3"),
        ("1.2.3-alpha.0.beta", "major", "2.0.0"),
        ("1.2.3-alpha.0.beta", "minor", "1.3.0"),
        ("1.2.3-alpha.0.beta", "patch", "1.2.3"),
        ("1.2.0-1", "minor", "1.2.0"),
        ("1.0.0-1", "major", "1.0.0"),
        # and the brief's own
        ("1.4.2", "minor", "1.5.0"),
        ("0.3.1-rc.1+b7", "patch", "0.3.1"),
        ("1.2.3+build", "patch", "1.2.4"),
        ("0.9.9", "major", "1.0.0"),
    ],
)
def test_bump_version(version: str, part: str, expected: str) -> None:
    assert bump_version(version, part) == expected


@pytest.mark.parametrize(
    ("version", "part"), [("1.2.3", "fake"), ("fake", "major"), ("1.2", "patch")]
)
def test_bump_version_rejects_bad_input(version: str, part: str) -> None:
    with pytest.raises(ValueError):
        bump_version(version, part)


@pytest.mark.parametrize(
    ("actual", "required", "expected"),
    [
        ("none", "none", True),
        ("patch", "none", True),
        ("invalid", "none", True),
        ("decreased", "none", False),
        ("none", "patch", False),
        ("patch", "patch", True),
        ("minor", "patch", True),
        ("major", "patch", True),
        ("patch", "minor", False),
        ("minor", "minor", True),
        ("major", "minor", True),
        ("minor", "major", False),
        ("major", "major", True),
        ("decreased", "patch", False),
        ("invalid", "patch", False),
        ("invalid", "major", False),
    ],
)
def test_bump_satisfies(actual: str, required: str, expected: bool) -> None:
    assert bump_satisfies(actual, required) is expected


def test_required_and_actual_bump_agree_for_0x() -> None:
    # a breaking change to a 0.x item is satisfied by a minor bump, as SemVer's 0.x rule says
    required = required_bump("0.3.1", "major")
    assert bump_satisfies(actual_bump("0.3.1", bump_version("0.3.1", required)), required)
    assert not bump_satisfies(actual_bump("0.3.1", "0.3.2"), required)
