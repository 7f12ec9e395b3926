"""Semantic classification of the changes to one item between a base and a head version.

SPEC §5: only `spec` needs a version bump (a prompt's `template_file` content counts as its
spec); every change found is one `Change` with its own reason, and the most severe level wins.
Everything here is pure: the caller reads both versions (and template files) out of git.

Governance metadata is not part of the contract (SPEC §9, the change class `metadata`):
`title`, `description`, `owner`, `tags`, `priority` and `x-*` fields of the envelope, a
policy's `spec.review_by`, a model's `spec.sunset` and `x-*` keys at the top of `spec`.
`classify` never sees the metadata `spec` fields. `metadata_changes` lists the metadata
edits of an item whose only differences are metadata (each a level-none `Change`): its class
is `metadata`, it needs no bump and asks no re-validation downstream. Any other difference
(spec, template text, `status`, `version`, any other envelope field) keeps the item's
ordinary classification, and then its metadata edits are not listed as reasons.

Choices where SPEC §5 leaves room, so that `diff`, the versioning rules and the docs can
say the same thing:

- A spec edit without semantic effect yields no `Change` (`field_changes` still shows it):
  a default made explicit (`format: jinja2`, `required: false`, `type: string`,
  `idempotent: false`), an inline template moved to a file with the same text, a
  `template_file` renamed with the same content, `type: [number, integer]` → `number`.
- Reordering a list is a patch (`rules`, `controls`, refs, ...): order carries no contract.
- Prompt: a template engine (`format`) change is major (it changes how every input
  renders); an input type change is major unless it only widens (`integer` → `number`,
  minor); `required: true` → `false` is minor; a template added or removed is minor
  ("template text changed"); `model` added is minor, removed or pointed at another item is
  major, a range-only change is minor; `context` sources added, removed or re-ranged are
  minor.
- `output_schema` of a prompt follows SPEC §5 to the letter: narrowed (the schema accepts
  fewer documents) → major, widened → minor. A property removed from any output schema,
  or the whole output schema removed, is major: consumers lose what they read.
- `output_schema` of a tool is read from the consumer's side: anything a consumer may now
  receive that it could not before is incompatible (major: property removed, no longer
  required, type widened, enum value added, a bound relaxed); new properties (named, or
  `additionalProperties` opened) are the "output widened" of SPEC §5 (minor), and a
  narrowed output (guarantees more) is minor.
- Input schemas (tool `input_schema`): narrowed → major, widened → minor; a property
  removed is major only when `additionalProperties: false` makes callers that still send
  it fail, otherwise minor.
- Schema keywords beyond properties/required/type/enum/additionalProperties/items: numeric
  bounds narrow or widen by direction; `const` and other assertions narrow when added,
  widen when removed, and count as both when changed; `description`, `title`,
  `examples`, `$comment` and other annotations are patch; `default` is minor; `x-*` keys
  are ignored.
- Policy: `type` changed or removed is major, set for the first time minor; a rule
  action outside the strictness order (block > redact > require-approval > flag > allow)
  that changes is major (it may be a loosening); `match` and `approvers` are minor, a
  rule's `description` patch; `review_by` is metadata.
- Tool: `side_effects` widened (none < read < write < external) or no longer declared is
  major, narrowed or declared for the first time minor; `idempotent` true → false (or
  dropped) major, false → true minor; `timeout_ms`, `rate_limit_rps`, `data` minor in
  every direction (a timeout decrease included).
- Agent: `pattern` and `on_partial_failure` changed or removed are major, set for the
  first time minor; a prompt/tool/agent ref removed is major, added or re-ranged minor;
  `model` as for prompts; `idempotent` as for tools; timeouts, retries, backoff and
  `determinism` minor.
- Other kinds (capability, dataset, model, evaluation; a model's `sunset` is metadata),
  and any spec key the kinds above do not name: a removed field (at any depth) is major,
  an added or changed one minor, an edit of a `description`, `narrative` or `provenance`
  text patch. Lists of references and strings are compared as sets (a removed entry is
  major, a re-ranged ref minor), lists of maps by their `id` (or `metric`), other lists
  element-wise.
- `x-*` keys at the top of `spec` (metadata) and inside JSON Schemas are not classified.
- Id renames (`renamed_from`): a reference re-pointed from a former id to the item's new
  id is not a change of that reference (the caller passes the head's rename table); a
  range edited at the same time is classified as for an unchanged id. Chains (a → b → c)
  resolve to the last id.

The package, by job: `change` (the `Change` reported), `fields` (values, the plain field
diff, the generic rule and classifiers for common field shapes), `jsonschema_compat` (JSON
Schema narrowing and widening), `kinds` (the rules per kind, in a table), `metadata` (the
governance fields and the `metadata` class), `renames`.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from backlog_cli.classify.change import Change, level_of
from backlog_cli.classify.fields import MISSING, equal, field_changes, generic, get
from backlog_cli.classify.jsonschema_compat import SCHEMA_DIRECTIONS, schema_changes
from backlog_cli.classify.kinds import KIND_RULES
from backlog_cli.classify.metadata import METADATA, metadata_changes, strip
from backlog_cli.classify.renames import rename_table, repoint

__all__ = [
    "METADATA",
    "MISSING",
    "SCHEMA_DIRECTIONS",
    "Change",
    "classify",
    "field_changes",
    "level_of",
    "metadata_changes",
    "rename_table",
    "same_content",
    "schema_changes",
]


def _spec_of(kind: str, item: Any) -> Any:
    """The classified part of `spec`: without `x-*` keys and the kind's metadata fields."""
    spec = item.get("spec", MISSING) if isinstance(item, dict) else MISSING
    if spec is MISSING or spec is None:
        return {}
    if isinstance(spec, dict):
        return strip(kind, spec)
    return spec


def same_content(
    base: dict[str, Any],
    head: dict[str, Any],
    base_template: str | None,
    head_template: str | None,
) -> bool:
    """Whether two versions of an item are equal but for a `template_file` path whose text is
    the same at both ends: a prompt moved together with its template is a move, not a change.

    The templates are the texts each `template_file` resolves to; an unreadable one (None)
    never counts as the same.
    """
    old_spec, new_spec = base.get("spec"), head.get("spec")
    if not isinstance(old_spec, dict) or not isinstance(new_spec, dict):
        return False
    if get(old_spec, "template_file") is MISSING or get(new_spec, "template_file") is MISSING:
        return False
    if not isinstance(base_template, str) or base_template != head_template:
        return False
    envelopes = [{k: v for k, v in side.items() if k != "spec"} for side in (base, head)]
    specs = [
        {k: v for k, v in spec.items() if k != "template_file"} for spec in (old_spec, new_spec)
    ]
    return equal(*envelopes) and equal(*specs)


def classify(
    kind: str,
    base: dict[str, Any],
    head: dict[str, Any],
    base_template: str | None = None,
    head_template: str | None = None,
    *,
    renames: Mapping[str, str] | None = None,
) -> list[Change]:
    """Every semantic change to the item's `spec`, most severe first.

    `base_template`/`head_template` are the contents of the prompt's `template_file` at
    each end (None when it has none or it cannot be read); an inline `spec.template`
    takes precedence. `renames` maps former `kind/id`s to current ones (`rename_table` of
    the head items): a reference re-pointed from an item's former id to its new id is not
    a change. Envelope fields and `x-*` keys of `spec` are not classified.
    """
    old, new = _spec_of(kind, base), _spec_of(kind, head)
    if renames and isinstance(old, dict) and isinstance(new, dict):
        old = repoint(kind, old, new, renames)
    out: list[Change] = []
    rule = KIND_RULES.get(kind)
    if rule is None or not isinstance(old, dict) or not isinstance(new, dict):
        generic("spec", old, new, out)
    else:
        rule(old, new, (base_template, head_template), out)
    unique = list(dict.fromkeys(out))
    return sorted(unique, key=lambda c: c.level, reverse=True)
