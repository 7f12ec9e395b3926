"""Governance metadata: the fields whose edits are not a change to the item's contract.

`title`, `description`, `owner`, `tags`, `priority` and top-level `x-*` fields of the
envelope, a policy's `spec.review_by`, a model's `spec.sunset` and `x-*` keys at the top of
`spec` say who looks after an item and when to look again; no consumer reads them. An item
whose only differences are in these fields has the change class `metadata`: no bump, and
nothing downstream to re-validate. As soon as anything else differs (the spec, the status,
the version, any other envelope field, the template text) the item is classified as before
and its metadata edits are not listed as reasons.
"""

from __future__ import annotations

from typing import Any, Final

from backlog_cli.classify.change import Change
from backlog_cli.classify.fields import MISSING, equal, join, show
from backlog_cli.semver import Level

__all__ = ["METADATA", "METADATA_FIELDS", "METADATA_SPEC_FIELDS", "metadata_changes", "strip"]

METADATA: Final = "metadata"
"""The change class of an item whose only differences are governance metadata."""

METADATA_FIELDS = ("title", "description", "owner", "tags", "priority")
"""Envelope fields that are metadata (and every top-level `x-*` field)."""

METADATA_SPEC_FIELDS: dict[str, tuple[str, ...]] = {"policy": ("review_by",), "model": ("sunset",)}
"""Per kind, the `spec` fields that are metadata (and every `x-*` key at the top of `spec`)."""


def _extension(key: Any) -> bool:
    return isinstance(key, str) and key.startswith("x-")


def _is_metadata(kind: str, key: Any, *, in_spec: bool) -> bool:
    if _extension(key):
        return True
    names = METADATA_SPEC_FIELDS.get(kind, ()) if in_spec else METADATA_FIELDS
    return key in names


def strip(kind: str, spec: dict[str, Any]) -> dict[str, Any]:
    """`spec` without its metadata keys (what the kind rules classify)."""
    return {k: v for k, v in spec.items() if not _is_metadata(kind, k, in_spec=True)}


def _contract(kind: str, data: dict[str, Any]) -> dict[str, Any]:
    """The item without its metadata: what must be equal for a change to be metadata only."""
    out = {k: v for k, v in data.items() if not _is_metadata(kind, k, in_spec=False)}
    spec = out.get("spec")
    if isinstance(spec, dict):
        out["spec"] = strip(kind, spec)
    return out


def _reason(path: str, label: str, old: Any, new: Any) -> str:
    if old is MISSING:
        return f"`{label}` set to {show(new)}"
    if new is MISSING:
        return f"`{label}` removed (was {show(old)})"
    if label == "description" and isinstance(old, str) and isinstance(new, str):
        return "`description` text changed"
    if label == "tags" and isinstance(old, list) and isinstance(new, list):
        removed = [t for t in old if t not in new]
        added = [t for t in new if t not in old]
        parts = [f"tag `{show(t)}` removed" for t in removed]
        parts += [f"tag `{show(t)}` added" for t in added]
        return "; ".join(parts) if parts else "`tags` reordered"
    return f"`{label}` changed from {show(old)} to {show(new)}"


def _changed(
    prefix: str, kind: str, old: dict[str, Any], new: dict[str, Any], *, in_spec: bool
) -> list[Change]:
    out: list[Change] = []
    keys = [*old, *(k for k in new if k not in old)]
    for key in keys:
        if not _is_metadata(kind, key, in_spec=in_spec):
            continue
        before, after = old.get(key, MISSING), new.get(key, MISSING)
        if equal(before, after):
            continue
        path = join(prefix, key)
        label = path.removeprefix("spec.")
        out.append(Change(Level.NONE, path, _reason(path, label, before, after)))
    return out


def metadata_changes(
    kind: str,
    base: dict[str, Any],
    head: dict[str, Any],
    base_template: str | None = None,
    head_template: str | None = None,
) -> list[Change]:
    """The metadata edits between two versions of an item, when they are all that changed;
    [] otherwise (nothing changed, or something besides metadata did).

    Each is a `Change` at level none (no bump) whose path is the field (`title`,
    `spec.review_by`); its class is `METADATA`. `base_template`/`head_template` are the
    prompt's `template_file` texts: a template edit is never metadata.
    """
    if base_template != head_template or not equal(_contract(kind, base), _contract(kind, head)):
        return []
    out = _changed("", kind, base, head, in_spec=False)
    old_spec, new_spec = base.get("spec"), head.get("spec")
    if isinstance(old_spec, dict) and isinstance(new_spec, dict):
        out += _changed("spec", kind, old_spec, new_spec, in_spec=True)
    return out
