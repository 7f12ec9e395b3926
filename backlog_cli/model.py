# Optional fields are typed without `None` so that an explicit `null` is rejected, as the JSON
# Schema rejects it; their default of None is never validated. mypy sees that as a bad default.
# mypy: disable-error-code="assignment,arg-type"
"""The item model: one pydantic model per kind, the single source of the JSON Schemas.

`backlog check` validates with the JSON Schemas generated from these models (`schemagen.py`
writes them into `schemas/`), so what editors and `check-jsonschema` enforce is exactly what
the tool enforces. Besides that generation and its staleness test, only the `schema` rule's
fast path on large backlogs imports this module.
"""

from __future__ import annotations

import datetime
from typing import Annotated, Any, Literal, TypeAlias

from pydantic import AfterValidator, BaseModel, ConfigDict, Field, model_validator

from backlog_cli.refs import ID_PATTERN
from backlog_cli.semver import (
    MAX_VERSION_COMPONENT,
    MAX_VERSION_LENGTH,
    SEMVER_PATTERN,
    oversized_components,
)
from backlog_cli.vocab import KINDS, ApiVersion, Kind, Status

_ID_BODY = ID_PATTERN.removeprefix("^").removesuffix("$")
# The fine syntax of a range is checked by the `version-constraint` rule; the schema only
# keeps out characters that can never appear in one.
_RANGE_BODY = r"[0-9A-Za-z.^~*<>=| +-]+"
DATE_PATTERN = r"^[0-9]{4}-[0-9]{2}-[0-9]{2}$"
# ids inside an item (criteria, policy rules): teams write `AC-1` or `no_pii`; no spaces
LOCAL_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9._-]*$"


def ref_pattern(*kinds: str, ranged: bool = True) -> str:
    """Regex (ECMA-262 compatible) for `kind/id[@range]` restricted to `kinds`."""
    alternatives = "|".join(kinds or KINDS)
    suffix = f"(@{_RANGE_BODY})?" if ranged else ""
    return f"^({alternatives})/{_ID_BODY}{suffix}$"


_REF_EXAMPLES = {
    "model": "model/gpt-4o@^1.0",
    "policy": "policy/pii-redaction",
    "dataset": "dataset/kb-articles@1.x",
    "prompt": "prompt/support-triage@^1.2",
    "tool": "tool/order-lookup@>=1.0.0 <2.0.0",
    "agent": "agent/triage-orchestrator",
}


def _ref_field(*kinds: str) -> Any:
    targets = " or ".join(kinds) if kinds else "any kind"
    return Field(
        pattern=ref_pattern(*kinds),
        description=f"A reference `kind/id[@range]` to an item of {targets}.",
        examples=[_REF_EXAMPLES[kinds[0] if kinds else "prompt"]],
    )


AnyRef: TypeAlias = Annotated[str, _ref_field()]
ModelRef: TypeAlias = Annotated[str, _ref_field("model")]
PolicyRef: TypeAlias = Annotated[str, _ref_field("policy")]
DatasetRef: TypeAlias = Annotated[str, _ref_field("dataset")]
PromptRef: TypeAlias = Annotated[str, _ref_field("prompt")]
ToolRef: TypeAlias = Annotated[str, _ref_field("tool")]
AgentRef: TypeAlias = Annotated[str, _ref_field("agent")]


def _calendar_date(value: str) -> str:
    # the pattern admits 2026-13-45; JSON Schema's `format: date` (checked by jsonschema's
    # format checker) does not, and the fast path must never accept more than the schema
    datetime.date.fromisoformat(value)
    return value


Date = Annotated[
    str,
    AfterValidator(_calendar_date),
    Field(
        pattern=DATE_PATTERN,
        json_schema_extra={"format": "date"},
        description="An ISO 8601 calendar date, `YYYY-MM-DD`.",
        examples=["2026-06-30"],
    ),
]


def _usable_version(value: str) -> str:
    # the bound the JSON Schema cannot express, which the `schema` rule checks on top of it
    # (semver.oversized_components): the fast path must never accept more than that rule
    if oversized_components(value):
        raise ValueError(f"a version component is above {MAX_VERSION_COMPONENT}")
    return value


# the Field before the validator: the other way round, pydantic leaves `pattern` out of the
# generated JSON Schema
SemVer = Annotated[
    str,
    Field(pattern=SEMVER_PATTERN, max_length=MAX_VERSION_LENGTH),
    AfterValidator(_usable_version),
]
NonNegative = Annotated[float, Field(ge=0)]
NonNegativeInt = Annotated[int, Field(ge=0)]
Text = Annotated[str, Field(min_length=1)]

Op = Literal[">=", "<=", ">", "<", "=="]
Classification = Literal["public", "internal", "confidential", "restricted"]


class _Strict(BaseModel):
    # JSON has no NaN or Infinity (YAML's `.nan`, `.inf`); subclasses' configs merge with
    # this. Values typed Any (free-form maps, `x-*`) are left to the `schema` rule.
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class Criterion(_Strict):
    """An acceptance criterion: a `text`, or `given`/`when`/`then`; measurable when it has
    `metric`, `op` and `threshold`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "anyOf": [{"required": ["text"]}, {"required": ["given", "when", "then"]}],
            "dependentRequired": {
                "metric": ["op", "threshold"],
                "op": ["metric", "threshold"],
                "threshold": ["metric", "op"],
            },
            "examples": [
                {
                    "id": "routing-accuracy",
                    "text": "Routes tickets to the right queue",
                    "metric": "routing_accuracy",
                    "op": ">=",
                    "threshold": 0.95,
                }
            ],
        },
    )

    id: Annotated[
        str,
        Field(
            pattern=LOCAL_ID_PATTERN,
            description="Identifier of the criterion, unique within the item.",
            examples=["routing-accuracy"],
        ),
    ]
    text: Text = Field(None, description="The criterion in plain words.")
    given: Text = Field(None, description="Behaviour-style precondition.")
    when: Text = Field(None, description="Behaviour-style action.")
    then: Text = Field(None, description="Behaviour-style expected outcome.")
    metric: Text = Field(
        None, description="Name of the measured metric.", examples=["routing_accuracy"]
    )
    op: Op = Field(None, description="Comparison of the metric against `threshold`.")
    threshold: float = Field(None, description="Target value of the metric.")

    @model_validator(mode="after")
    def _alternatives(self) -> Criterion:
        # mirrors the `anyOf` and `dependentRequired` of json_schema_extra above
        given = self.model_fields_set
        if "text" not in given and not {"given", "when", "then"} <= given:
            raise ValueError("needs `text`, or `given`, `when` and `then`")
        target = {"metric", "op", "threshold"} & given
        if target and target != {"metric", "op", "threshold"}:
            raise ValueError("a measurable target has `metric`, `op` and `threshold`")
        return self


class Metric(_Strict):
    """A measured target of an evaluation, with an optional baseline."""

    metric: Text = Field(description="Name of the metric.", examples=["faithfulness"])
    op: Op = Field(description="Comparison of the metric against `threshold`.")
    threshold: float = Field(description="Value the metric must reach.", examples=[0.9])
    baseline: float = Field(None, description="Value measured before the change.")
    source: Text = Field(
        None,
        description="The metric's name in the result file (dotted path allowed); default `metric`.",
        examples=["namedScores.groundedness"],
    )
    min_samples: Annotated[int, Field(ge=1)] = Field(
        None, description="Fewest samples a recorded value may rest on."
    )
    tolerance: NonNegative = Field(
        None, description="Largest allowed regression from the previous evidence record."
    )


class Performance(_Strict):
    """Latency, throughput and cost targets."""

    latency_p50_ms: NonNegative = Field(None, description="Median latency target, ms.")
    latency_p95_ms: NonNegative = Field(
        None, description="95th percentile latency target, ms.", examples=[1200]
    )
    latency_p99_ms: NonNegative = Field(None, description="99th percentile latency, ms.")
    timeout_ms: NonNegative = Field(None, description="Hard timeout, ms.")
    throughput_rps: NonNegative = Field(None, description="Sustained requests per second.")
    cost_per_1k_calls_usd: NonNegative = Field(
        None, description="Cost of 1,000 calls in US dollars."
    )
    max_tokens: NonNegativeInt = Field(None, description="Token budget per call.")


class Safety(_Strict):
    """Safety controls that apply to the item."""

    policies: list[PolicyRef] = Field(None, description="Policy items that govern this item.")
    data_classification: Classification = Field(
        None, description="Most sensitive class of data the item handles."
    )
    human_review: bool = Field(None, description="Whether a human reviews outputs.")


class Rollout(_Strict):
    """How a change to the item reaches users, and how to undo it."""

    strategy: Literal["direct", "feature-flag", "canary", "blue-green"] = Field(
        None, description="Release strategy."
    )
    flag: Text = Field(None, description="Feature flag that gates the change.")
    canary_percent: Annotated[float, Field(ge=0, le=100)] = Field(
        None, description="Share of traffic in the canary, 0-100."
    )
    rollback: Text = Field(None, description="How to undo the rollout.")


_EXTENSIONS: Any = {"^x-": {"description": "Organisation-specific extension field; not validated."}}


class _Extensible(_Strict):
    """Allows `x-*` keys, like the schema's `patternProperties: {"^x-": {}}`."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"patternProperties": _EXTENSIONS})

    @model_validator(mode="before")
    @classmethod
    def _drop_extensions(cls, data: Any) -> Any:
        if isinstance(data, dict) and any(type(k) is str and k.startswith("x-") for k in data):
            return {k: v for k, v in data.items() if not (type(k) is str and k.startswith("x-"))}
        return data


class _Spec(_Extensible):
    pass


class CapabilitySpec(_Spec):
    """What a capability is for and what delivers it."""

    narrative: Text = Field(
        None,
        description="Job story: when ..., I want ..., so that ...",
        examples=["When a ticket arrives, I want it routed, so that customers wait less."],
    )
    items: list[AnyRef] = Field(None, description="Items that deliver the capability.")
    success_metrics: list[Criterion] = Field(
        None, description="Criteria that say the capability succeeds."
    )


class Input(_Strict):
    """One template input."""

    type: Literal["string", "number", "integer", "boolean", "object", "array"] = Field(
        "string", description="JSON type of the value."
    )
    required: bool = Field(False, description="Whether every render must supply it.")
    description: str = Field(None, description="What the input carries.")


class PromptSpec(_Spec):
    """A prompt template, its inputs, model and output contract."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "patternProperties": _EXTENSIONS,
            "not": {"required": ["template", "template_file"]},
        },
    )

    model: ModelRef = Field(None, description="The model the prompt is written for.")
    format: Literal["jinja2", "mustache", "fstring"] = Field(
        "jinja2", description="Template engine."
    )
    template: str = Field(
        None, description="Inline template text (exclusive with `template_file`)."
    )
    template_file: Text = Field(
        None,
        description="Template path relative to this file; a leading `/` is the repository root.",
        examples=["templates/support-triage.j2"],
    )
    inputs: dict[
        Annotated[str, Field(pattern=r"^[A-Za-z_][A-Za-z0-9_]*$")],
        Input,
    ] = Field(None, description="Template inputs by name.")
    output_schema: dict[str, Any] = Field(None, description="JSON Schema of the model's output.")
    parameters: dict[str, Any] = Field(
        None,
        description="Sampling parameters (temperature, max_tokens, ...).",
        examples=[{"temperature": 0.2, "max_tokens": 512}],
    )
    context: list[DatasetRef] = Field(None, description="Data sources the prompt reads.")

    @model_validator(mode="after")
    def _one_template(self) -> PromptSpec:
        # mirrors `not: {required: [template, template_file]}`
        if {"template", "template_file"} <= self.model_fields_set:
            raise ValueError("`template` and `template_file` are exclusive")
        return self


class AgentSpec(_Spec):
    """An agent's orchestration policy."""

    pattern: Literal["sequential", "parallel", "dynamic"] = Field(
        None, description="Orchestration pattern."
    )
    model: ModelRef = Field(None, description="The model that drives the agent.")
    prompts: list[PromptRef] = Field(None, description="Prompts the agent uses.")
    tools: list[ToolRef] = Field(None, description="Tools the agent may call.")
    agents: list[AgentRef] = Field(None, description="Sub-agents.")
    timeout_ms: NonNegativeInt = Field(None, description="Overall timeout, ms.")
    max_retries: NonNegativeInt = Field(None, description="Retries per step.")
    retry_backoff_ms: NonNegativeInt = Field(None, description="Backoff between retries.")
    idempotent: bool = Field(None, description="Whether a rerun is safe.")
    on_partial_failure: Literal["abort", "compensate", "rollback", "continue"] = Field(
        None, description="What happens when a step fails."
    )
    determinism: Literal["none", "seeded", "replayable"] = Field(
        None, description="How reproducible a run is."
    )


class ToolSpec(_Spec):
    """A tool contract."""

    input_schema: dict[str, Any] = Field(None, description="JSON Schema of the input.")
    output_schema: dict[str, Any] = Field(None, description="JSON Schema of the output.")
    side_effects: Literal["none", "read", "write", "external"] = Field(
        None, description="Widest side effect of a call."
    )
    timeout_ms: NonNegativeInt = Field(None, description="Call timeout, ms.")
    idempotent: bool = Field(None, description="Whether a repeated call is safe.")
    rate_limit_rps: NonNegative = Field(None, description="Calls per second allowed.")
    data: list[DatasetRef] = Field(None, description="Data sources the tool touches.")


class PolicyRule(_Strict):
    """One rule of a policy."""

    id: Annotated[str, Field(pattern=LOCAL_ID_PATTERN)] = Field(
        description="Identifier of the rule, unique within the policy.", examples=["no-pii"]
    )
    description: Text = Field(description="What the rule enforces.")
    action: Literal["block", "redact", "flag", "require-approval", "allow"] = Field(
        description="What happens on a match (block > redact > require-approval > flag > allow)."
    )
    match: str | dict[str, Any] = Field(
        None, description="What the rule matches: a pattern or a structured matcher."
    )


class PolicySpec(_Spec):
    """A guardrail, access, data-usage, compliance or retention policy."""

    type: Literal["guardrail", "access", "data-usage", "compliance", "retention"] = Field(
        None, description="Kind of policy."
    )
    rules: list[PolicyRule] = Field(None, description="The rules of the policy.")
    controls: list[
        Annotated[
            str,
            Field(
                pattern=r"^[a-z0-9][a-z0-9-]*:[^\s]+$",
                examples=["nist-ai-rmf:MEASURE-2.7"],
            ),
        ]
    ] = Field(
        None,
        description="Framework control ids `framework:control` this policy implements.",
        examples=[["nist-ai-rmf:MEASURE-2.7", "iso-42001:A.6.2.4", "eu-ai-act:art-10"]],
    )
    review_by: Date = Field(None, description="Date by which the policy is reviewed.")
    approvers: list[Text] = Field(None, description="Who approves changes.")


class Refresh(_Strict):
    """How a dataset is refreshed."""

    strategy: Literal["batch", "streaming", "manual"] = Field(description="Refresh mechanism.")
    schedule: Text = Field(None, description="When it runs (cron or words).")


class DatasetSpec(_Spec):
    """A data source."""

    source: Text = Field(None, description="URI or description of the source.")
    refresh: Refresh = Field(None, description="How the data is refreshed.")
    classification: Classification = Field(None, description="Data classification.")
    contains_pii: bool = Field(None, description="Whether it holds personal data.")
    provenance: Text = Field(None, description="Where the data comes from.")
    retention_days: NonNegativeInt = Field(None, description="How long it is kept.")
    license: Text = Field(None, description="License of the data.")
    upstream: list[DatasetRef] = Field(None, description="Datasets it derives from.")


class ModelSpec(_Spec):
    """A model version from a provider."""

    provider: Text = Field(None, description="Provider.", examples=["openai"])
    name: Text = Field(None, description="Model name.", examples=["gpt-4o"])
    snapshot: Text = Field(
        None, description="Exact, pinned provider version.", examples=["gpt-4o-2024-08-06"]
    )
    context_window: Annotated[int, Field(ge=1)] = Field(
        None, description="Context window in tokens."
    )
    sunset: Date = Field(None, description="Date the provider retires the model.")


class EvaluationSpec(_Spec):
    """An evaluation: what it targets, on which data, with which thresholds."""

    targets: list[AnyRef] = Field(None, description="Items the evaluation evaluates.")
    dataset: DatasetRef = Field(None, description="Data the evaluation runs on.")
    harness: Text = Field(
        None, description="Harness that runs it.", examples=["promptfoo", "custom", "human"]
    )
    config: Text = Field(
        None, description="Harness config path relative to this file (`/` = repository root)."
    )
    metrics: list[Metric] = Field(None, description="Metrics with thresholds.")
    schedule: Text = Field(None, description="When it runs.", examples=["on-change"])


SPECS: dict[str, type[_Spec]] = {
    "capability": CapabilitySpec,
    "prompt": PromptSpec,
    "agent": AgentSpec,
    "tool": ToolSpec,
    "policy": PolicySpec,
    "dataset": DatasetSpec,
    "model": ModelSpec,
    "evaluation": EvaluationSpec,
}


class Envelope(_Extensible):
    """The fields every backlog item has, whatever its kind."""

    apiVersion: ApiVersion = Field(description="Format version.")
    kind: Kind = Field(description="Kind of item.")
    id: Annotated[str, Field(pattern=ID_PATTERN, max_length=64)] = Field(
        description="Slug, unique per kind; the file name need not match.",
        examples=["support-triage"],
    )
    title: Text = Field(description="Short human title.")
    description: str = Field(None, description="Longer description (Markdown).")
    version: SemVer = Field(
        description=(
            f"SemVer 2.0.0 version of the item's `spec` (at most {MAX_VERSION_LENGTH} "
            f"characters; MAJOR, MINOR and PATCH at most {MAX_VERSION_COMPONENT}, as npm's "
            "semver: no range admits a larger one)."
        ),
        examples=["1.2.0"],
    )
    status: Status = Field(description="Lifecycle status; `deprecated` is terminal.")
    owner: Text = Field(description="Owning team or `@person`.", examples=["@maria", "team-ai"])
    risk: Literal["low", "medium", "high"] = Field(
        "medium", description="Risk; drives rollout and readiness rules."
    )
    priority: Literal["P0", "P1", "P2", "P3"] = Field(None, description="Priority.")
    tags: list[Text] = Field(None, description="Free-form labels.")
    depends_on: list[AnyRef] = Field(None, description="Generic dependencies.")
    acceptance: list[Criterion] = Field(None, description="Acceptance criteria.")
    performance: Performance = Field(None, description="Performance targets.")
    safety: Safety = Field(None, description="Safety controls.")
    rollout: Rollout = Field(None, description="Rollout plan.")
    renamed_from: list[Annotated[str, Field(pattern=ref_pattern(ranged=False))]] = Field(
        None, description="Former `kind/id`s of this item."
    )
    spec: dict[str, Any] = Field(None, description="Kind-specific content.")


def _item_model(kind: str, spec: type[_Spec]) -> type[Envelope]:
    annotations = {
        "kind": Literal[kind],
        "spec": spec,
    }
    namespace: dict[str, Any] = {
        "__annotations__": annotations,
        "__doc__": f"A `{kind}` backlog item. {spec.__doc__}",
        "__module__": __name__,
        "kind": Field(description="Kind of item.", examples=[kind]),
        "spec": Field(None, description=f"`{kind}`-specific content."),
    }
    return type(f"{kind.capitalize()}Item", (Envelope,), namespace)


ITEM_MODELS: dict[str, type[Envelope]] = {k: _item_model(k, s) for k, s in SPECS.items()}
