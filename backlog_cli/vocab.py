"""The product's nouns (SPEC sections 2-4), each defined once: every module that needs a kind,
a status, a reference field or a file field reads it from here.

Plain data only, with no imports of the rest of the package, so that any module (the config,
the loader, the graph, the rules, the commands) can depend on it without creating a cycle.
The spelled-out `Literal` types are the single source; the tuples are derived from them, so
the order a user sees (in `backlog status`, in the schemas' enums) is the order written here.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Literal, get_args

# A JSON pointer into an item's data, as a tuple of keys and list indexes.
Pointer = tuple[str | int, ...]

ApiVersion = Literal["backlog/v1"]
API_VERSION: str = get_args(ApiVersion)[0]

Kind = Literal["capability", "prompt", "agent", "tool", "policy", "dataset", "model", "evaluation"]
KINDS: tuple[str, ...] = get_args(Kind)

# The lifecycle, in order; `deprecated` is terminal.
Status = Literal["proposed", "refined", "ready", "in-progress", "done", "deprecated"]
STATUSES: tuple[str, ...] = get_args(Status)
RANK = {s: i for i, s in enumerate(STATUSES)}
# The statuses a `readiness:` block may name: a requirement applies from that status on.
GATED = ("refined", "ready", "in-progress", "done")
# Where the Definition of Ready applies: the item is committed to.
READY_OR_LATER = ("ready", "in-progress", "done")

# Reference-valued fields: the envelope's, then each kind's under `spec`.
ENVELOPE_REFS: tuple[Pointer, ...] = (("depends_on",), ("safety", "policies"))
SPEC_REFS: dict[str, tuple[str, ...]] = {
    "capability": ("items",),
    "prompt": ("model", "context"),
    "agent": ("model", "prompts", "tools", "agents"),
    "tool": ("data",),
    "dataset": ("upstream",),
    "evaluation": ("targets", "dataset"),
}


def reference_fields(kind: str) -> Iterator[Pointer]:
    """Where an item of `kind` may name other items (each field holds a ref or a list of them)."""
    yield from ENVELOPE_REFS
    for name in SPEC_REFS.get(kind, ()):
        yield ("spec", name)


# The spec field that names a file next to the item, per kind.
FILE_FIELDS = {"prompt": "template_file", "evaluation": "config"}


# An id that reads naturally after each kind, for the examples in hints.
EXAMPLE_IDS = {
    "capability": "ticket-routing",
    "prompt": "support-triage",
    "agent": "triage-orchestrator",
    "tool": "order-lookup",
    "policy": "pii-redaction",
    "dataset": "support-tickets",
    "model": "gpt-4o",
    "evaluation": "triage-accuracy",
}
