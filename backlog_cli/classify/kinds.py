"""The rules per kind: which `spec` fields each kind has and how a change to each is
classified (SPEC §5 and the choices in the package docstring). A kind without rules here is
classified field by field with the generic rule (`fields.generic`).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeAlias

from backlog_cli.classify.change import Change
from backlog_cli.classify.fields import (
    MISSING,
    equal,
    generic,
    get,
    join,
    model_ref,
    ref_list,
    reordered,
    rest,
    setting,
    show,
    string_set,
)
from backlog_cli.classify.jsonschema_compat import accepted_types, schema_changes
from backlog_cli.semver import Level

__all__ = ["KIND_RULES", "KindRule", "Spec", "Templates"]

Spec: TypeAlias = dict[str, Any]
Templates: TypeAlias = tuple[str | None, str | None]
"""The prompt template's text at base and at head (None: none, or unreadable)."""
KindRule: TypeAlias = Callable[[Spec, Spec, Templates, list[Change]], None]


def _prompt(old: Spec, new: Spec, templates: Templates, out: list[Change]) -> None:
    model_ref("spec.model", get(old, "model"), get(new, "model"), out)
    old_format, new_format = get(old, "format"), get(new, "format")
    old_format = "jinja2" if old_format is MISSING else old_format
    new_format = "jinja2" if new_format is MISSING else new_format
    if not equal(old_format, new_format):
        shown = f"from {show(old_format)} to {show(new_format)}"
        out.append(Change(Level.MAJOR, "spec.format", f"template `format` changed {shown}"))
    _template(old, new, *templates, out)
    _inputs(get(old, "inputs"), get(new, "inputs"), out)
    out.extend(
        schema_changes(
            get(old, "output_schema"),
            get(new, "output_schema"),
            "prompt-output",
            "spec.output_schema",
        )
    )
    _parameters(get(old, "parameters"), get(new, "parameters"), out)
    ref_list(
        "spec.context",
        get(old, "context"),
        get(new, "context"),
        out,
        removed=Level.MINOR,
        added=Level.MINOR,
    )
    handled = {"model", "format", "template", "template_file", "inputs", "output_schema"}
    rest(old, new, handled | {"parameters", "context"}, "spec", out)


def _template_text(spec: dict[str, Any], file_text: str | None) -> Any:
    """The template text: inline, else the file's (None: unreadable), else MISSING."""
    inline = get(spec, "template")
    if inline is not MISSING:
        return inline
    return file_text if get(spec, "template_file") is not MISSING else MISSING


def _template(
    old: dict[str, Any],
    new: dict[str, Any],
    old_file_text: str | None,
    new_file_text: str | None,
    out: list[Change],
) -> None:
    before, after = _template_text(old, old_file_text), _template_text(new, new_file_text)
    if any(v is not MISSING and v is not None and not isinstance(v, str) for v in (before, after)):
        generic("spec.template", get(old, "template"), get(new, "template"), out)
        return
    uses_file = get(new, "template_file") is not MISSING or (
        get(new, "template") is MISSING and get(old, "template_file") is not MISSING
    )
    path = "spec.template_file" if uses_file else "spec.template"
    if before is None and after is None:
        old_file, new_file = get(old, "template_file"), get(new, "template_file")
        if not equal(old_file, new_file):
            shown = f"from {show(old_file)} to {show(new_file)}"
            text = f"template_file changed {shown} (content not available)"
            out.append(Change(Level.MINOR, path, text))
    elif before is None or after is None:
        side = "base" if before is None else "head"
        text = f"template text changed (template_file not readable at {side})"
        out.append(Change(Level.MINOR, path, text))
    elif before is MISSING and after is not MISSING:
        out.append(Change(Level.MINOR, path, "template added"))
    elif after is MISSING and before is not MISSING:
        out.append(Change(Level.MINOR, path, "template removed"))
    elif before != after:
        if " ".join(str(before).split()) == " ".join(str(after).split()):
            out.append(Change(Level.PATCH, path, "template whitespace changed"))
        else:
            out.append(Change(Level.MINOR, path, "template text changed"))


def _inputs(old: Any, new: Any, out: list[Change]) -> None:
    before = {} if old is MISSING else old
    after = {} if new is MISSING else new
    if not isinstance(before, dict) or not isinstance(after, dict):
        generic("spec.inputs", old, new, out)
        return
    for name, spec in before.items():
        path = join("spec.inputs", name)
        if name not in after:
            out.append(Change(Level.MAJOR, path, f"input `{name}` removed"))
        else:
            _input(path, name, spec, after[name], out)
    for name, spec in after.items():
        if name in before:
            continue
        path = join("spec.inputs", name)
        if isinstance(spec, dict) and spec.get("required") is True:
            out.append(Change(Level.MAJOR, path, f"new required input `{name}`"))
        else:
            out.append(Change(Level.MINOR, path, f"new optional input `{name}`"))


def _input(path: str, name: str, old: Any, new: Any, out: list[Change]) -> None:
    if not isinstance(old, dict) or not isinstance(new, dict):
        generic(path, old, new, out)
        return
    was, now = get(old, "required"), get(new, "required")
    if any(v is not MISSING and not isinstance(v, bool) for v in (was, now)):
        generic(join(path, "required"), was, now, out)
    elif now is True and was is not True:
        out.append(Change(Level.MAJOR, join(path, "required"), f"input `{name}` became required"))
    elif was is True and now is not True:
        text = f"input `{name}` no longer required"
        out.append(Change(Level.MINOR, join(path, "required"), text))
    old_type, new_type = (get(side, "type") for side in (old, new))
    old_type = "string" if old_type is MISSING else old_type
    new_type = "string" if new_type is MISSING else new_type
    if not equal(old_type, new_type):
        before, after = accepted_types({"type": old_type}), accepted_types({"type": new_type})
        widened = before is not None and after is not None and before < after
        verb = "widened" if widened else "changed"
        text = f"input `{name}` type {verb} from {show(old_type)} to {show(new_type)}"
        out.append(Change(Level.MINOR if widened else Level.MAJOR, join(path, "type"), text))
    if not equal(old.get("description", MISSING), new.get("description", MISSING)):
        text = f"input `{name}` description changed"
        out.append(Change(Level.PATCH, join(path, "description"), text))
    rest(old, new, {"required", "type", "description"}, path, out)


def _parameters(old: Any, new: Any, out: list[Change]) -> None:
    before = {} if old is MISSING else old
    after = {} if new is MISSING else new
    if not isinstance(before, dict) or not isinstance(after, dict):
        generic("spec.parameters", old, new, out)
        return
    for key, value in before.items():
        path = join("spec.parameters", key)
        if key not in after:
            out.append(Change(Level.MINOR, path, f"parameter `{key}` removed (was {show(value)})"))
        elif not equal(value, after[key]):
            shown = f"from {show(value)} to {show(after[key])}"
            out.append(Change(Level.MINOR, path, f"parameter `{key}` changed {shown}"))
    for key, value in after.items():
        if key not in before:
            path = join("spec.parameters", key)
            out.append(Change(Level.MINOR, path, f"parameter `{key}` added: {show(value)}"))


_STRICTNESS = ("block", "redact", "require-approval", "flag", "allow")  # strictest first


def _policy(old: Spec, new: Spec, templates: Templates, out: list[Change]) -> None:
    setting("spec.type", get(old, "type"), get(new, "type"), out, changed=Level.MAJOR)
    _rules(get(old, "rules"), get(new, "rules"), out)
    string_set(
        "spec.controls",
        "control",
        get(old, "controls"),
        get(new, "controls"),
        out,
        removed=Level.MAJOR,
        added=Level.MINOR,
    )
    string_set(
        "spec.approvers",
        "approver",
        get(old, "approvers"),
        get(new, "approvers"),
        out,
        removed=Level.MINOR,
        added=Level.MINOR,
    )
    rest(old, new, {"type", "rules", "controls", "approvers"}, "spec", out)


def _rule_ids(rules: list[Any]) -> dict[str, dict[str, Any]] | None:
    if not all(isinstance(r, dict) and isinstance(r.get("id"), str) for r in rules):
        return None
    ids = [r["id"] for r in rules]
    return dict(zip(ids, rules, strict=True)) if len(set(ids)) == len(ids) else None


def _rules(old: Any, new: Any, out: list[Change]) -> None:
    before = [] if old is MISSING else old
    after = [] if new is MISSING else new
    by_old = _rule_ids(before) if isinstance(before, list) else None
    by_new = _rule_ids(after) if isinstance(after, list) else None
    if by_old is None or by_new is None:
        generic("spec.rules", old, new, out)
        return
    for rule_id, rule in by_old.items():
        path = f"spec.rules[{rule_id}]"
        if rule_id not in by_new:
            out.append(Change(Level.MAJOR, path, f"rule `{rule_id}` removed"))
        else:
            _rule(path, rule_id, rule, by_new[rule_id], out)
    for rule_id in by_new:
        if rule_id not in by_old:
            out.append(Change(Level.MINOR, f"spec.rules[{rule_id}]", f"rule `{rule_id}` added"))
    reordered("spec.rules", list(by_old), list(by_new), out)


def _rule(
    path: str, rule_id: str, old: dict[str, Any], new: dict[str, Any], out: list[Change]
) -> None:
    before, after = old.get("action", MISSING), new.get("action", MISSING)
    if not equal(before, after):
        sub = join(path, "action")
        shown = f"from {show(before)} to {show(after)}"
        if before in _STRICTNESS and after in _STRICTNESS:
            loosened = _STRICTNESS.index(after) > _STRICTNESS.index(before)
            verb = "loosened" if loosened else "tightened"
            text = f"rule `{rule_id}` action {verb} {shown}"
            out.append(Change(Level.MAJOR if loosened else Level.MINOR, sub, text))
        else:
            out.append(Change(Level.MAJOR, sub, f"rule `{rule_id}` action changed {shown}"))
    if not equal(old.get("match", MISSING), new.get("match", MISSING)):
        out.append(Change(Level.MINOR, join(path, "match"), f"rule `{rule_id}` match changed"))
    if not equal(old.get("description", MISSING), new.get("description", MISSING)):
        text = f"rule `{rule_id}` description changed"
        out.append(Change(Level.PATCH, join(path, "description"), text))
    rest(old, new, {"id", "action", "match", "description"}, path, out)


_SIDE_EFFECTS = ("none", "read", "write", "external")  # narrowest first


def _idempotent(path: str, old: Any, new: Any, out: list[Change]) -> None:
    if any(v is not MISSING and not isinstance(v, bool) for v in (old, new)):
        generic(path, old, new, out)
    elif old is True and new is not True:
        out.append(Change(Level.MAJOR, path, "no longer `idempotent` (true → false)"))
    elif new is True and old is not True:
        out.append(Change(Level.MINOR, path, "now `idempotent` (false → true)"))
    # absent and false both mean "no guarantee": making that explicit changes nothing


def _side_effects(old: Any, new: Any, out: list[Change]) -> None:
    """Widened (none < read < write < external) or no longer declared is major."""
    path = "spec.side_effects"
    if equal(old, new):
        return
    if old is MISSING:
        out.append(Change(Level.MINOR, path, f"`side_effects` declared as {show(new)}"))
    elif new is MISSING:
        out.append(
            Change(Level.MAJOR, path, f"`side_effects` no longer declared (was {show(old)})")
        )
    elif old not in _SIDE_EFFECTS or new not in _SIDE_EFFECTS:
        shown = f"from {show(old)} to {show(new)}"
        out.append(Change(Level.MAJOR, path, f"`side_effects` changed {shown}"))
    elif _SIDE_EFFECTS.index(new) > _SIDE_EFFECTS.index(old):
        out.append(Change(Level.MAJOR, path, f"`side_effects` widened from {old} to {new}"))
    else:
        out.append(Change(Level.MINOR, path, f"`side_effects` narrowed from {old} to {new}"))


def _tool(old: Spec, new: Spec, templates: Templates, out: list[Change]) -> None:
    out.extend(
        schema_changes(
            get(old, "input_schema"), get(new, "input_schema"), "input", "spec.input_schema"
        )
    )
    out.extend(
        schema_changes(
            get(old, "output_schema"), get(new, "output_schema"), "output", "spec.output_schema"
        )
    )
    _side_effects(get(old, "side_effects"), get(new, "side_effects"), out)
    _idempotent("spec.idempotent", get(old, "idempotent"), get(new, "idempotent"), out)
    for key in ("timeout_ms", "rate_limit_rps"):
        path = f"spec.{key}"
        setting(path, get(old, key), get(new, key), out, changed=Level.MINOR, removed=Level.MINOR)
    ref_list(
        "spec.data", get(old, "data"), get(new, "data"), out, removed=Level.MINOR, added=Level.MINOR
    )
    handled = {"input_schema", "output_schema", "side_effects", "idempotent", "data"}
    rest(old, new, handled | {"timeout_ms", "rate_limit_rps"}, "spec", out)


_AGENT_TUNING = ("timeout_ms", "max_retries", "retry_backoff_ms", "determinism")


def _agent(old: Spec, new: Spec, templates: Templates, out: list[Change]) -> None:
    for key in ("pattern", "on_partial_failure"):
        setting(f"spec.{key}", get(old, key), get(new, key), out, changed=Level.MAJOR)
    model_ref("spec.model", get(old, "model"), get(new, "model"), out)
    for key in ("prompts", "tools", "agents"):
        ref_list(
            f"spec.{key}", get(old, key), get(new, key), out, removed=Level.MAJOR, added=Level.MINOR
        )
    _idempotent("spec.idempotent", get(old, "idempotent"), get(new, "idempotent"), out)
    for key in _AGENT_TUNING:
        path = f"spec.{key}"
        setting(path, get(old, key), get(new, key), out, changed=Level.MINOR, removed=Level.MINOR)
    handled = {"pattern", "on_partial_failure", "model", "prompts", "tools", "agents"}
    rest(old, new, handled | {"idempotent", *_AGENT_TUNING}, "spec", out)


KIND_RULES: dict[str, KindRule] = {
    "prompt": _prompt,
    "policy": _policy,
    "tool": _tool,
    "agent": _agent,
}
