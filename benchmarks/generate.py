"""Write a synthetic, valid product backlog for benchmarks.

    python benchmarks/generate.py N DEST [--seed S]

DEST gets `backlog.yaml` (`items: backlog/`) and N item files under `backlog/<kind>/<domain>/`,
all eight kinds in realistic proportions, each about 1.2-1.5 KB, with plain and ranged
references (`model/support-chat-3@^1.2`) that only point at items generated earlier (so the
graph has no cycles), always resolve, and whose ranges admit the target's version. Statuses are
assigned so that the backlog also meets the readiness and status-consistency rules of the spec
(section 4): referenced items are never `proposed` or `deprecated`, items at `ready` or later
have what their kind's Definition of Ready asks for, `done` items only have evaluations at
`in-progress` or later. The same N and seed always give byte-identical files.

Files are written from plain string templates (no YAML library) so that generating 10,000
items takes well under a second of Python time.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import random
import shutil
import sys
from dataclasses import dataclass, field
from pathlib import Path

MARKER = ".backlog-bench"  # marks a folder this script owns and may wipe on the next run

KINDS = ("capability", "prompt", "agent", "tool", "policy", "dataset", "model", "evaluation")
FOLDERS = {
    "capability": "capabilities",
    "prompt": "prompts",
    "agent": "agents",
    "tool": "tools",
    "policy": "policies",
    "dataset": "datasets",
    "model": "models",
    "evaluation": "evaluations",
}
# Mostly prompts, agents, tools and evaluations; some of the rest.
WEIGHTS = {
    "prompt": 30,
    "agent": 14,
    "tool": 15,
    "evaluation": 18,
    "policy": 6,
    "dataset": 7,
    "model": 4,
    "capability": 6,
}
# The first items of every backlog, so that later ones always have something to point at.
BOOTSTRAP = ("model", "policy", "dataset", "model", "policy", "dataset", "tool", "prompt")

STATUSES = ("proposed", "refined", "ready", "in-progress", "done", "deprecated")
READY_PLUS = ("ready", "in-progress", "done")
STATUS_WEIGHTS = (8, 17, 22, 25, 23, 5)
EVAL_STATUSES = ("proposed", "refined", "ready", "in-progress", "done")
EVAL_STATUS_WEIGHTS = (8, 10, 15, 37, 30)

DOMAINS = (
    "support",
    "billing",
    "search",
    "onboarding",
    "fraud",
    "sales",
    "hr",
    "legal",
    "marketing",
    "analytics",
)
TASKS = {
    "prompt": ("triage", "summarize", "classify", "extract", "draft-reply", "translate", "rank"),
    "agent": ("orchestrator", "planner", "resolver", "researcher", "concierge", "reviewer"),
    "tool": ("lookup", "search", "create-ticket", "refund", "geocode", "crm-update", "fetch-doc"),
    "evaluation": ("regression", "quality", "safety-redteam", "latency", "faithfulness"),
    "policy": ("pii-redaction", "toxicity", "data-access", "retention", "eu-ai-act", "jailbreak"),
    "dataset": ("tickets", "transcripts", "kb-articles", "invoices", "chat-logs", "gold-set"),
    "model": ("chat", "embed", "rerank", "vision", "small"),
    "capability": ("self-service", "agent-assist", "insights", "automation", "copilot"),
}
OWNERS = (
    "team-ai-platform",
    "team-support-ai",
    "team-search",
    "team-growth",
    "team-trust-safety",
    "team-data",
    "@maria",
    "@kenji",
    "@amara",
    "@lucas",
)
MODELS = (
    ("openai", "gpt-4o", "gpt-4o-2024-08-06", 128000),
    ("openai", "gpt-4o-mini", "gpt-4o-mini-2024-07-18", 128000),
    ("anthropic", "claude-3-5-sonnet", "claude-3-5-sonnet-20241022", 200000),
    ("anthropic", "claude-3-5-haiku", "claude-3-5-haiku-20241022", 200000),
    ("google", "gemini-1.5-pro", "gemini-1.5-pro-002", 2000000),
    ("mistral", "mistral-large", "mistral-large-2411", 128000),
)
METRICS = (
    ("routing_accuracy", ">=", 0.92),
    ("exact_match", ">=", 0.85),
    ("faithfulness", ">=", 0.9),
    ("toxicity_rate", "<=", 0.001),
    ("refusal_rate", "<", 0.02),
    ("json_valid_rate", "==", 1.0),
    ("csat_delta", ">", 0.0),
    ("hallucination_rate", "<=", 0.03),
)
CONTROLS = (
    "nist-ai-rmf:MEASURE-2.7",
    "nist-ai-rmf:GOVERN-1.2",
    "nist-ai-rmf:MANAGE-4.1",
    "iso-42001:A.7.4",
    "iso-42001:A.6.2.4",
    "eu-ai-act:art-10",
    "eu-ai-act:art-14",
)
TEMPLATE_VARS = (
    ("ticket_text", "string", "The customer's message."),
    ("customer_tier", "string", "Plan tier (free/pro/enterprise)."),
    ("locale", "string", "Reply locale (BCP 47)."),
    ("history", "array", "Previous turns."),
    ("max_items", "integer", "Longest list to return."),
    ("account_id", "string", "Opaque account id."),
)


@dataclass
class Item:
    index: int
    kind: str
    id: str
    domain: str
    task: str
    version: tuple[int, int, int]
    refs: dict[str, list[int]] = field(default_factory=dict)  # field -> target indexes
    rendered_refs: dict[str, list[str]] = field(default_factory=dict)
    status: str = "refined"
    can_be_ready: bool = True
    covered: bool = False  # some evaluation targets it
    risk: str = "medium"
    metrics: list[tuple[str, str, float]] = field(default_factory=list)  # an evaluation's

    @property
    def version_text(self) -> str:
        major, minor, patch = self.version
        return f"{major}.{minor}.{patch}"

    @property
    def rel_dir(self) -> str:
        return f"backlog/{FOLDERS[self.kind]}/{self.domain}"


def reference(rng: random.Random, target: Item) -> str:
    """`kind/id`, or `kind/id@range` with a range that admits the target's version."""
    major, minor, patch = target.version
    key = f"{target.kind}/{target.id}"
    choice = rng.random()
    if choice < 0.35:
        return key
    if choice < 0.6:
        return f"{key}@^{major}.{minor}"
    if choice < 0.72:
        return f"{key}@~{major}.{minor}.{patch}"
    if choice < 0.82:
        return f"{key}@{major}.x"
    if choice < 0.9:
        return f"{key}@{major}.{minor}.{patch}"
    if choice < 0.97:
        return f"{key}@>={major}.{minor}.0 <{major + 1}.0.0"
    return f"{key}@*"


class Plan:
    """Phase 1: kinds, ids, versions and references; phase 2: statuses; phase 3: text."""

    def __init__(self, n: int, seed: int) -> None:
        self.rng = random.Random(seed)
        self.items: list[Item] = []
        self.by_kind: dict[str, list[Item]] = {kind: [] for kind in KINDS}
        kinds = list(WEIGHTS)
        weights = [WEIGHTS[k] for k in kinds]
        for index in range(n):
            if index < len(BOOTSTRAP):
                kind = BOOTSTRAP[index]
            else:
                kind = self.rng.choices(kinds, weights)[0]
            self._add(index, kind)
        self._assign_statuses()

    # -- phase 1 ------------------------------------------------------------------------------

    def pick(self, kind: str, k: int) -> list[Item]:
        """Up to k distinct earlier items of `kind`, biased towards recent ones."""
        pool = self.by_kind[kind]
        if not pool:
            return []
        k = min(k, len(pool))
        window = pool[-max(k, 40) :] if self.rng.random() < 0.7 else pool
        return self.rng.sample(window, k)

    def _add(self, index: int, kind: str) -> None:
        rng = self.rng
        domain = rng.choice(DOMAINS)
        task = rng.choice(TASKS[kind])
        major = 0 if rng.random() < 0.15 else rng.randint(1, 4)
        version = (major, rng.randint(0, 12), rng.randint(0, 9))
        item = Item(index, kind, f"{domain}-{task}-{index}", domain, task, version)
        refs: dict[str, list[Item]] = {}
        if kind in ("prompt", "agent", "tool"):
            refs["policies"] = self.pick("policy", rng.randint(1, 2))
            item.can_be_ready = bool(refs["policies"])
        if kind == "prompt":
            refs["model"] = self.pick("model", 1)
            refs["context"] = self.pick("dataset", rng.randint(0, 2))
        elif kind == "agent":
            refs["model"] = self.pick("model", 1)
            refs["prompts"] = self.pick("prompt", rng.randint(1, 4))
            refs["tools"] = self.pick("tool", rng.randint(0, 3))
            refs["agents"] = self.pick("agent", 1) if rng.random() < 0.25 else []
        elif kind == "tool":
            refs["data"] = self.pick("dataset", rng.randint(0, 2))
        elif kind == "dataset":
            refs["upstream"] = self.pick("dataset", 1) if rng.random() < 0.3 else []
        elif kind == "capability":
            refs["items"] = (
                self.pick("agent", rng.randint(0, 2))
                + self.pick("prompt", rng.randint(1, 3))
                + self.pick("tool", rng.randint(0, 1))
            )
        elif kind == "evaluation":
            refs["targets"] = self._eval_targets()
            refs["dataset"] = self.pick("dataset", 1)
        if kind not in ("model", "policy", "evaluation") and rng.random() < 0.2:
            refs["depends_on"] = self.pick(rng.choice(("dataset", "model", "tool")), 1)
        for name, targets in refs.items():
            if targets:
                item.refs[name] = [t.index for t in targets]
                item.rendered_refs[name] = [reference(rng, t) for t in targets]
        self.items.append(item)
        self.by_kind[kind].append(item)

    def _eval_targets(self) -> list[Item]:
        """1-3 earlier prompts/agents/capabilities, preferring ones no evaluation covers yet."""
        rng = self.rng
        uncovered = [
            i
            for kind in ("prompt", "agent", "capability")
            for i in self.by_kind[kind][-60:]
            if not i.covered
        ]
        want = rng.randint(1, 4)
        chosen = rng.sample(uncovered, min(want, len(uncovered)))
        if len(chosen) < want:
            extra = self.pick(rng.choice(("prompt", "agent", "tool")), want - len(chosen))
            chosen += [e for e in extra if e not in chosen]
        if not chosen:  # nothing to evaluate yet: evaluate a model
            chosen = self.pick("model", 1)
        for target in chosen:
            target.covered = True
        return chosen

    # -- phase 2 ------------------------------------------------------------------------------

    def _assign_statuses(self) -> None:
        rng = self.rng
        items = self.items
        referenced: set[int] = set()
        evaluated_by: dict[int, list[Item]] = {}
        for item in items:
            for name, targets in item.refs.items():
                referenced.update(targets)
                if name == "targets":
                    for t in targets:
                        evaluated_by.setdefault(t, []).append(item)
        for item in items:
            if item.kind == "evaluation":
                item.status = rng.choices(EVAL_STATUSES, EVAL_STATUS_WEIGHTS)[0]
                continue
            status = rng.choices(STATUSES, STATUS_WEIGHTS)[0]
            if item.index in referenced and status == "proposed":
                status = "refined"  # `ready` dependents must not depend on a proposed item
            if item.index in referenced and status == "deprecated":
                status = "done"  # nothing active may depend on a deprecated item
            needs_eval = item.kind in ("capability", "prompt", "agent")
            if status in READY_PLUS and (
                not item.can_be_ready or (needs_eval and item.index not in evaluated_by)
            ):
                status = "refined"
            item.status = status
        # Definition of Done: every evaluation that targets a done item is in progress or later.
        for item in items:
            if item.status == "done" and any(
                e.status not in ("in-progress", "done") for e in evaluated_by.get(item.index, ())
            ):
                item.status = "in-progress"
        # ... and a done capability's items are all done.
        for item in items:
            delivered_by = [items[t] for t in item.refs.get("items", ())]
            done = item.status == "done"
            if done and any(d.status != "done" for d in delivered_by):
                item.status = "in-progress"


# -- phase 3: text ----------------------------------------------------------------------------


def scalar(value: str) -> str:
    """`value` as a YAML scalar: quoted when it starts with an indicator such as `@`."""
    return f'"{value}"' if value[:1] in "@`!&*|>%'\"" else value


def ref_list(refs: list[str], indent: str) -> str:
    return "".join(f"{indent}- {r}\n" for r in refs)


def criteria(rng: random.Random, item: Item, key: str, count: int) -> str:
    out = [f"{key}:\n"]
    for n, (metric, op, threshold) in enumerate(rng.sample(METRICS, count)):
        out.append(
            f"  - id: {metric.replace('_', '-')}\n"
            f"    text: {item.task.replace('-', ' ').capitalize()} keeps {metric} {op} "
            f"{threshold} on the {item.domain} gold set\n"
            f'    metric: {metric}\n    op: "{op}"\n    threshold: {threshold}\n'
        )
        if n == 0 and item.kind in ("agent", "capability"):
            out.append(
                f"  - id: escalates-{item.domain}\n"
                f"    given: a request from the {item.domain} queue that cannot be resolved\n"
                f"    when: confidence drops below the configured floor\n"
                f"    then: the conversation is handed to a human with a summary\n"
            )
    return "".join(out)


def envelope(rng: random.Random, item: Item) -> str:
    title = f"{item.domain.capitalize()} {item.task.replace('-', ' ')} {item.index}"
    owner = rng.choice(OWNERS)
    # `risk: high` needs a rollout plan (readiness): only kinds that carry one get it.
    operational = item.kind in ("prompt", "agent", "tool")
    risk = rng.choices(("low", "medium", "high"), (3, 5, 2 if operational else 0))[0]
    item.risk = risk
    tags = [item.domain, item.task, rng.choice(("genai", "llm", "pii", "latency", "q3-okr"))]
    text = (
        f"apiVersion: backlog/v1\n"
        f"kind: {item.kind}\n"
        f"id: {item.id}\n"
        f"title: {title}\n"
        f"description: |\n"
        f"  {item.kind.capitalize()} for the {item.domain} team: {item.task.replace('-', ' ')}.\n"
    )
    if item.kind not in ("prompt", "agent", "tool"):
        text += (
            f"  Owned by {owner}; see the runbook in the team wiki before changing the contract.\n"
            "  Changes go through the weekly review; breaking changes need a major version and\n"
            "  a note in the changelog of every downstream item.\n"
            f"x-runbook: https://wiki.acme.internal/backlog/{FOLDERS[item.kind]}/{item.id}\n"
        )
    text += (
        f'version: "{item.version_text}"\n'
        f"status: {item.status}\n"
        f"owner: {scalar(owner)}\n"
        f"risk: {risk}\n"
        f"priority: P{rng.randint(0, 3)}\n"
        f"tags: [{', '.join(dict.fromkeys(tags))}]\n"
    )
    if "depends_on" in item.rendered_refs:
        text += "depends_on:\n" + ref_list(item.rendered_refs["depends_on"], "  ")
    return text


def operations(rng: random.Random, item: Item) -> str:
    """performance, safety and rollout: what prompts, agents and tools carry."""
    p50 = rng.randrange(200, 1500, 50)
    text = (
        f"performance:\n"
        f"  latency_p50_ms: {p50}\n"
        f"  latency_p95_ms: {p50 * 3}\n"
        f"  timeout_ms: {p50 * 10}\n"
        f"  cost_per_1k_calls_usd: {rng.randint(5, 900) / 100}\n"
        f"safety:\n"
    )
    if "policies" in item.rendered_refs:
        text += "  policies:\n" + ref_list(item.rendered_refs["policies"], "    ")
    text += (
        f"  data_classification: {rng.choice(('internal', 'confidential', 'restricted'))}\n"
        f"  human_review: {rng.choice(('true', 'false'))}\n"
    )
    if item.risk == "high" or rng.random() < 0.5:
        text += (
            f"rollout:\n"
            f"  strategy: canary\n"
            f"  flag: {item.id}-v{item.version[0]}\n"
            f"  canary_percent: {rng.choice((5, 10, 25))}\n"
            f"  rollback: Turn off the flag; the previous version keeps serving traffic.\n"
        )
    else:
        text += (
            "rollout:\n  strategy: direct\n"
            "  rollback: Revert the commit and redeploy the service.\n"
        )
    return text


def template_text(fmt: str, names: list[str], domain: str) -> str:
    def var(name: str) -> str:
        if fmt == "jinja2":
            return f"{{{{ {name} }}}}"
        return f"{{{{{name}}}}}" if fmt == "mustache" else f"{{{name}}}"

    lines = [
        f"You are the {domain} assistant of Acme. Be concise; never reveal internal notes.",
    ]
    lines += [f"{name.replace('_', ' ').capitalize()}: {var(name)}" for name in names]
    lines.append("Answer with JSON that matches the output schema.")
    return "\n".join(lines) + "\n"


def prompt_spec(rng: random.Random, item: Item, files: dict[str, str]) -> str:
    r = item.rendered_refs
    fmt = rng.choices(("jinja2", "mustache", "fstring"), (7, 2, 1))[0]
    chosen = rng.sample(TEMPLATE_VARS, rng.randint(2, 3))
    names = [name for name, _, _ in chosen]
    text = "spec:\n"
    if "model" in r:
        text += f"  model: {r['model'][0]}\n"
    text += f"  format: {fmt}\n"
    body = template_text(fmt, names, item.domain)
    if fmt == "jinja2" and rng.random() < 0.15:
        rel = f"templates/{item.id}.j2"
        files[f"{item.rel_dir}/{rel}"] = body
        text += f"  template_file: {rel}\n"
    else:
        text += "  template: |\n" + "".join(f"    {line}\n" for line in body.splitlines())
    text += "  inputs:\n"
    for n, (name, typ, desc) in enumerate(chosen):
        required = "true" if n < 2 else "false"
        text += f"    {name}: {{type: {typ}, required: {required}, description: {desc}}}\n"
    text += (
        "  output_schema:\n"
        "    type: object\n"
        "    required: [label, confidence]\n"
        "    properties:\n"
        f"      label: {{type: string, enum: [{item.domain}, other, escalate]}}\n"
        "      confidence: {type: number, minimum: 0, maximum: 1}\n"
        "  parameters:\n"
        f"    temperature: {rng.choice((0, 0.1, 0.2, 0.3, 0.7))}\n"
        f"    max_tokens: {rng.choice((256, 512, 1024))}\n"
    )
    if "context" in r:
        text += "  context:\n" + ref_list(r["context"], "    ")
    return text


def agent_spec(rng: random.Random, item: Item) -> str:
    r = item.rendered_refs
    text = f"spec:\n  pattern: {rng.choice(('sequential', 'parallel', 'dynamic'))}\n"
    if "model" in r:
        text += f"  model: {r['model'][0]}\n"
    for name in ("prompts", "tools", "agents"):
        if name in r:
            text += f"  {name}:\n" + ref_list(r[name], "    ")
    text += (
        f"  timeout_ms: {rng.choice((15000, 30000, 60000))}\n"
        f"  max_retries: {rng.randint(0, 3)}\n"
        f"  retry_backoff_ms: {rng.choice((250, 500, 1000))}\n"
        f"  idempotent: {rng.choice(('true', 'false'))}\n"
        f"  on_partial_failure: {rng.choice(('abort', 'compensate', 'rollback', 'continue'))}\n"
        f"  determinism: {rng.choice(('none', 'seeded', 'replayable'))}\n"
    )
    return text


def tool_spec(rng: random.Random, item: Item) -> str:
    text = (
        "spec:\n"
        "  input_schema:\n"
        "    type: object\n"
        "    required: [account_id]\n"
        "    properties:\n"
        "      account_id: {type: string, pattern: '^ACC-[0-9]{8}$'}\n"
        "      include_history: {type: boolean, default: false}\n"
        "      limit: {type: integer, minimum: 1, maximum: 100}\n"
        "  output_schema:\n"
        "    type: object\n"
        "    properties:\n"
        "      records: {type: array, items: {type: object}}\n"
        "      next_cursor: {type: [string, 'null']}\n"
        f"  side_effects: {rng.choice(('none', 'read', 'write', 'external'))}\n"
        f"  timeout_ms: {rng.choice((1000, 2000, 5000))}\n"
        f"  idempotent: {rng.choice(('true', 'false'))}\n"
        f"  rate_limit_rps: {rng.choice((10, 50, 100, 250))}\n"
    )
    if "data" in item.rendered_refs:
        text += "  data:\n" + ref_list(item.rendered_refs["data"], "    ")
    return text


def policy_spec(rng: random.Random, item: Item, first: bool) -> str:
    if first:
        controls = ["nist-ai-rmf:MEASURE-2.7", "iso-42001:A.7.4"]
    else:
        controls = rng.sample(CONTROLS, rng.randint(1, 3))
    text = (
        "spec:\n"
        f"  type: {rng.choice(('guardrail', 'access', 'data-usage', 'compliance', 'retention'))}\n"
        "  rules:\n"
        "    - id: redact-card-numbers\n"
        "      description: Card numbers never reach the model or the logs.\n"
        "      action: redact\n"
        "      match: '[0-9]{4}([ -]?[0-9]{4}){3}'\n"
        "    - id: block-self-harm\n"
        "      description: Self-harm content is blocked and routed to a trained agent.\n"
        "      action: block\n"
        "      match: {category: self-harm, min_score: 0.7}\n"
        "    - id: flag-legal-advice\n"
        "      description: Anything that reads as legal advice is flagged for review.\n"
        f"      action: {rng.choice(('flag', 'require-approval'))}\n"
    )
    if first or rng.random() < 0.6:
        text += f"  controls: [{', '.join(controls)}]\n"
    else:
        text += "  controls:\n" + "".join(f"    - {c}\n" for c in controls)
    text += (
        f"  review_by: {rng.randint(2031, 2034)}-{rng.randint(1, 12):02d}-"
        f"{rng.randint(1, 28):02d}\n"
        f'  approvers: ["@maria", team-trust-safety, {scalar(rng.choice(OWNERS))}]\n'
    )
    return text


def dataset_spec(rng: random.Random, item: Item) -> str:
    strategy = rng.choice(("batch", "streaming", "manual"))
    text = (
        "spec:\n"
        f"  source: s3://acme-{item.domain}-lake/{item.task}/v{item.version[0]}/\n"
        f'  refresh: {{strategy: {strategy}, schedule: "0 {rng.randint(0, 23)} * * *"}}\n'
        f"  classification: {rng.choice(('internal', 'confidential', 'restricted'))}\n"
        f"  contains_pii: {rng.choice(('true', 'false'))}\n"
        f"  provenance: Exported from the {item.domain} production system, de-duplicated and\n"
        f"    sampled by the data team; labels reviewed by two annotators.\n"
        f"  retention_days: {rng.choice((30, 90, 365, 730))}\n"
        f"  license: {rng.choice(('internal-use-only', 'CC-BY-4.0', 'proprietary'))}\n"
    )
    if "upstream" in item.rendered_refs:
        text += "  upstream:\n" + ref_list(item.rendered_refs["upstream"], "    ")
    return text


def model_spec(rng: random.Random, item: Item) -> str:
    provider, name, snapshot, window = rng.choice(MODELS)
    return (
        "spec:\n"
        f"  provider: {provider}\n"
        f"  name: {name}\n"
        f"  snapshot: {snapshot}\n"
        f"  context_window: {window}\n"
        f"  sunset: {rng.randint(2032, 2035)}-{rng.randint(1, 12):02d}-01\n"
        f"x-procurement:\n"
        f"  contract: MSA-{rng.randint(1000, 9999)}\n"
        f"  data_processing_addendum: signed\n"
        f"  region: {rng.choice(('eu-west-1', 'us-east-1', 'eu-central-1'))}\n"
    )


def capability_spec(rng: random.Random, item: Item) -> str:
    text = (
        "spec:\n"
        f"  narrative: When a {item.domain} customer needs help outside office hours, they want\n"
        f"    an answer in under a minute, so that they do not have to wait for the next day.\n"
    )
    if "items" in item.rendered_refs:
        text += "  items:\n" + ref_list(item.rendered_refs["items"], "    ")
    text += (
        "  success_metrics:\n"
        f"    - id: deflection\n      text: Share of {item.domain} contacts resolved without an"
        " agent\n"
        f'      metric: deflection_rate\n      op: ">="\n      threshold: 0.{rng.randint(25, 60)}\n'
    )
    return text


def evaluation_spec(rng: random.Random, item: Item, files: dict[str, str]) -> str:
    r = item.rendered_refs
    harness = rng.choices(("promptfoo", "custom", "human"), (6, 3, 1))[0]
    text = "spec:\n  targets:\n" + ref_list(r.get("targets", []), "    ")
    if "dataset" in r:
        text += f"  dataset: {r['dataset'][0]}\n"
    text += f"  harness: {harness}\n"
    if harness == "promptfoo":
        config = f"evals/{item.domain}.promptfooconfig.yaml"
        files[config] = (
            f"# promptfoo configuration shared by the {item.domain} evaluations\n"
            "prompts: []\nproviders: []\ntests: []\n"
        )
        text += f"  config: ../../../{config}\n"
    text += "  metrics:\n"
    for metric, op, threshold in rng.sample(METRICS, rng.randint(1, 3)):
        item.metrics.append((metric, op, threshold))
        text += f'    - {{metric: {metric}, op: "{op}", threshold: {threshold}'
        text += f", baseline: {threshold}}}\n" if rng.random() < 0.5 else "}\n"
    text += f"  schedule: {rng.choice(('on-change', 'nightly', 'weekly'))}\n"
    return text


def render(rng: random.Random, item: Item, files: dict[str, str], first_policy: bool) -> str:
    text = envelope(rng, item)
    kind = item.kind
    if kind in ("prompt", "agent"):
        text += criteria(rng, item, "acceptance", 1)
    else:
        text += criteria(rng, item, "acceptance", 2)
    if kind in ("prompt", "agent", "tool"):
        text += operations(rng, item)
    elif kind == "model":
        text += (
            f"performance:\n  latency_p50_ms: {rng.randrange(150, 900, 50)}\n"
            f"  latency_p95_ms: {rng.randrange(900, 3000, 100)}\n"
            f"  cost_per_1k_calls_usd: {rng.randint(5, 300) / 100}\n"
            f"  max_tokens: {rng.choice((4096, 8192, 16384))}\n"
        )
    if kind == "prompt":
        text += prompt_spec(rng, item, files)
    elif kind == "agent":
        text += agent_spec(rng, item)
    elif kind == "tool":
        text += tool_spec(rng, item)
    elif kind == "policy":
        text += policy_spec(rng, item, first_policy)
    elif kind == "dataset":
        text += dataset_spec(rng, item)
    elif kind == "model":
        text += model_spec(rng, item)
    elif kind == "capability":
        text += capability_spec(rng, item)
    else:
        text += evaluation_spec(rng, item, files)
    return text


def evidence_record(plan: Plan, item: Item) -> dict[str, str]:
    """A passing evidence record of the evaluation for its targets' versions (the
    `evidence` rule gates `done` items on one), as `backlog evidence record` writes it."""
    pinned = [
        {"ref": f"{t.kind}/{t.id}", "version": t.version_text}
        for t in (plan.items[i] for i in item.refs.get("targets", []))
    ]
    datasets = [plan.items[i] for i in item.refs.get("dataset", [])]
    passing = {">": 0.01, "<": -0.01}  # strict ops: a value just past the threshold
    metrics = [
        {
            "metric": metric,
            "source": metric,
            "value": round(threshold + passing.get(op, 0.0), 4) if op != "<" else threshold / 2,
            "n": 500,
            "op": op,
            "threshold": threshold,
            "passed": True,
        }
        for metric, op, threshold in item.metrics
    ]
    digest = hashlib.sha256(item.id.encode()).hexdigest()
    record = {
        "version": 1,
        "evaluation": {"ref": f"evaluation/{item.id}", "version": item.version_text},
        "targets": pinned,
        "dataset": (
            {"ref": f"dataset/{datasets[0].id}", "version": datasets[0].version_text}
            if datasets
            else None
        ),
        "metrics": metrics,
        "harness": {"name": "plain", "version": None},
        "source": {
            "path": f"evals/results/{item.id}.json",
            "format": "plain-json",
            "sha256": digest,
        },
        "commit": None,
        "dirty": False,
        "recorded_at": "2026-01-05T10:00:00Z",
    }
    rel = f"evidence/{item.id}/20260105T100000Z-{digest[:12]}.json"
    return {rel: json.dumps(record, indent=2) + "\n"}


def prepare_dest(dest: Path) -> None:
    """Create DEST, or wipe what an earlier run of this script wrote there."""
    if dest.exists():
        if not dest.is_dir():
            raise SystemExit(f"generate: {dest} exists and is not a folder")
        if (dest / MARKER).is_file():
            for name in ("backlog", "evals", "evidence"):
                shutil.rmtree(dest / name, ignore_errors=True)
        elif any(dest.iterdir()):
            raise SystemExit(f"generate: {dest} is not empty and was not written by this script")
    dest.mkdir(parents=True, exist_ok=True)
    (dest / MARKER).write_text("written by benchmarks/generate.py; safe to delete\n")


def generate(n: int, dest: Path, seed: int = 0) -> dict[str, int]:
    """Write the backlog; return the number of items per kind."""
    prepare_dest(dest)
    plan = Plan(n, seed)
    rng = random.Random(seed * 7919 + 1)
    files = {"backlog.yaml": "# synthetic backlog for benchmarks\nitems: backlog/\n"}
    first_policy = True
    for item in plan.items:
        text = render(rng, item, files, first_policy and item.kind == "policy")
        if item.kind == "policy":
            first_policy = False
        files[f"{item.rel_dir}/{item.id}.yaml"] = text
    for item in plan.by_kind["evaluation"]:
        files.update(evidence_record(plan, item))
    (dest / "backlog").mkdir(exist_ok=True)  # even for N=0: an empty backlog is valid
    made: set[str] = set()
    for rel, text in files.items():
        folder = os.path.dirname(rel)
        if folder and folder not in made:
            os.makedirs(dest / folder, exist_ok=True)
            made.add(folder)
        with open(dest / rel, "w", encoding="utf-8", newline="\n") as handle:
            handle.write(text)
    counts = {kind: len(plan.by_kind[kind]) for kind in KINDS}
    return counts


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("n", type=int, help="number of item files")
    parser.add_argument("dest", type=Path, help="folder to write the repository to")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    args = parser.parse_args(argv)
    if args.n < 0:
        parser.error("N must be >= 0")
    counts = generate(args.n, args.dest, args.seed)
    summary = ", ".join(f"{count} {kind}" for kind, count in counts.items() if count)
    print(f"wrote {args.n} items to {args.dest} ({summary or 'none'})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
