"""`backlog diff`: the semantic difference of items between two refs, in text, JSON, Markdown."""

from __future__ import annotations

import difflib
import json
from typing import Any

from backlog_cli.classify import METADATA, MISSING, Change, same_content
from backlog_cli.semver import Level, bump_version, parse_version
from backlog_cli.versioning import Comparison, ItemChange, Side, template_text

_MARK = {"added": "+", "removed": "-", "moved": ">", "changed": "~"}
_RESET = "\x1b[0m"
_STYLE = {
    "+": "\x1b[32m",
    "-": "\x1b[31m",
    ">": "\x1b[36m",
    "~": "\x1b[33m",
    Level.MAJOR: "\x1b[1;31m",
    Level.MINOR: "\x1b[1;33m",
    Level.PATCH: "\x1b[1;36m",
    METADATA: "\x1b[2m",
    "dim": "\x1b[2m",
}


def _value(value: Any) -> Any:
    return None if value is MISSING else value


def _show(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def state_of(change: ItemChange) -> str:
    """The change's state, where a prompt moved together with its template (the same text,
    only the `template_file` path rewritten) is `moved`: moving a file is not a change."""
    if (
        change.state == "changed"
        and change.base is not None
        and change.head is not None
        and change.renamed_from is None
        and same_content(
            change.base.data, change.head.data, change.base.template, change.head.template
        )
    ):
        return "moved"
    return change.state


def _valid_version(side: Side | None) -> bool:
    return side is not None and side.version is not None and parse_version(side.version) is not None


def _version_text(side: Side) -> str:
    value = side.data.get("version")
    if value is None:
        return "(none)"
    return value if isinstance(value, str) else json.dumps(value, default=str)


def required_bump(change: ItemChange) -> Level:
    """The bump `check --base` asks for: none when the base version is absent or not SemVer
    (there is nothing to bump from; the `schema` rule reports the version itself)."""
    return change.required if _valid_version(change.base) else Level.NONE


def bump_ok(change: ItemChange) -> bool | None:
    """Whether the bump is enough (None unless the item changed)."""
    if state_of(change) != "changed":
        return None
    if not _valid_version(change.base):
        return True  # nothing to bump from (and nothing to decrease from)
    return change.bump_ok


def bump_problem(change: ItemChange) -> bool:
    """Whether `check --base` fails the item's version: not bumped, bumped too little,
    decreased, or (with a bump required) no valid version at head."""
    return bump_ok(change) is False


def verdict(change: ItemChange) -> str:
    if state_of(change) != "changed" or change.base is None or change.head is None:
        return ""
    if change.actual == "decreased":
        return "version decreased"
    if change.metadata:
        return "metadata only: no bump needed"
    if change.level == Level.NONE:
        return "no bump needed"
    if not _valid_version(change.base):
        what = "no version" if change.base.version is None else "no valid version"
        return f"{what} at the base: no bump required"
    if change.bump_ok:
        return f"{change.actual} bump, ok"
    target = bump_version(change.base.version or "0.0.0", change.required)
    if change.actual == Level.NONE:
        return f"not bumped: needs {change.required} ({target})"
    if change.actual == "invalid":
        return f"no valid version at head: needs {change.required} ({target})"
    return f"{change.actual} bump too small: needs {change.required} ({target})"


def reasons(change: ItemChange) -> list[tuple[str, Change]]:
    """The classified changes, most severe first, each with the name of its level; the edits
    of a metadata-only change are named `metadata`."""
    out: list[tuple[str, Change]] = [(ch.level, ch) for ch in sorted(change.changes, reverse=True)]
    return out + [(METADATA, ch) for ch in change.metadata]


def _template_name(side: Side | None, prefix: str) -> str:
    """`a/PATH` for the diff header, `/dev/null` when that side has no template at all."""
    if side is None:
        return "/dev/null"
    if side.template_rel is not None:
        return f"{prefix}{side.template_rel}"
    if template_text(side) is not None:
        return f"{prefix}{side.rel} (spec.template)"
    return "/dev/null"


def template_diff(change: ItemChange) -> str | None:
    """The unified diff of the template text between base and head, if it changed."""
    old, new = template_text(change.base), template_text(change.head)
    if old == new:
        return None
    lines = difflib.unified_diff(
        (old or "").splitlines(keepends=True),
        (new or "").splitlines(keepends=True),
        fromfile=_template_name(change.base, "a/"),
        tofile=_template_name(change.head, "b/"),
    )
    text = "".join(line if line.endswith("\n") else line + "\n" for line in lines)
    return text or None


def to_json(comparison: Comparison) -> dict[str, Any]:
    items = []
    for c in comparison.items:
        items.append(
            {
                "item": c.key,
                "kind": c.kind,
                "state": state_of(c),
                "renamed_from": c.renamed_from,
                "moved": c.moved,
                "base_path": c.base.rel if c.base else None,
                "head_path": c.head.rel if c.head else None,
                "base_version": c.base.version if c.base else None,
                "head_version": c.head.version if c.head else None,
                "level": c.change_class,
                "required_bump": required_bump(c),
                "actual_bump": c.actual,
                "bump_ok": bump_ok(c),
                "reasons": [
                    {"level": level, "path": ch.path, "reason": ch.reason}
                    for level, ch in reasons(c)
                ],
                "fields": [
                    {
                        "path": p,
                        "old": _value(o),
                        "new": _value(n),
                        "change": "added"
                        if o is MISSING
                        else "removed"
                        if n is MISSING
                        else "changed",
                    }
                    for p, o, n in c.fields
                ],
                "template_diff": template_diff(c),
            }
        )
    states = [state_of(c) for c in comparison.items]
    counts = {state: states.count(state) for state in ("added", "removed", "moved", "changed")}
    return {
        "version": 1,
        "base": {"ref": comparison.base_ref, "commit": comparison.base_sha},
        "head": {"ref": comparison.head_ref, "commit": comparison.head_sha},
        "summary": {
            **counts,
            "bump_problems": sum(1 for c in comparison.items if bump_problem(c)),
        },
        "items": items,
    }


def render_text(comparison: Comparison, *, color: bool = False) -> str:
    def paint(style: str, text: str) -> str:
        return f"{_STYLE[style]}{text}{_RESET}" if color and style in _STYLE else text

    head = (
        f"{comparison.head_ref} ({comparison.head_sha[:12]})"
        if comparison.head_sha
        else "working tree"
    )
    lines = [f"diff {comparison.base_ref} ({comparison.base_sha[:12]}) .. {head}", ""]
    if not comparison.items:
        lines.append("no item changed")
    for c in comparison.items:
        state = state_of(c)
        mark = _MARK[state]
        versions = "  " + " -> ".join(_version_text(s) for s in (c.base, c.head) if s)
        label = c.change_class
        level = f"  [{paint(label, label)}]" if state == "changed" else ""
        lines.append(f"{paint(mark, mark)} {c.key}{versions}{level}  {state}")
        if c.renamed_from:
            lines.append(f"    renamed from {c.renamed_from}")
        if c.moved and c.base and c.head:
            lines.append(f"    moved {c.base.rel} -> {c.head.rel}")
        elif c.head or c.base:
            lines.append(paint("dim", f"    {(c.head or c.base).rel}"))  # type: ignore[union-attr]
        if state == "moved" and c.base and c.head and c.base.template_rel != c.head.template_rel:
            lines.append(f"    template moved {c.base.template_rel} -> {c.head.template_rel}")
        for name, ch in reasons(c):
            lines.append(f"    {paint(name, name.ljust(5))}  {ch.reason}")
        shown = [f for f in c.fields if not f[0].startswith("spec.template")]
        for path, old, new in shown[:20]:
            lines.append(paint("dim", f"      {path}: {_show(old)} -> {_show(new)}"))
        if len(shown) > 20:
            lines.append(paint("dim", f"      ... {len(shown) - 20} more fields"))
        template = template_diff(c)
        if template:
            for line in template.rstrip("\n").splitlines():
                style = "+" if line.startswith("+") else "-" if line.startswith("-") else "dim"
                lines.append("      " + paint(style, line))
        text = verdict(c)
        if text:
            lines.append(f"    version: {text}")
        lines.append("")
    data = to_json(comparison)["summary"]
    lines.append(
        f"{data['changed']} changed, {data['added']} added, {data['removed']} removed, "
        f"{data['moved']} moved; {data['bump_problems']} version problem"
        f"{'' if data['bump_problems'] == 1 else 's'}"
    )
    return "\n".join(lines) + "\n"


def render_markdown(comparison: Comparison, link_base: str | None = None) -> str:
    """`link_base`: the prefix of absolute file links (`links.link_base`), else relative.

    Each item links to its file at the head, at its `version:` line (a removed item has no
    file to link to)."""
    import html

    from backlog_cli.report.markdown import cell, code, escape, fenced, message, path_link

    data = to_json(comparison)
    s = data["summary"]
    head = code(comparison.head_ref) if comparison.head_sha else "the working tree"
    lines = [
        f"### Backlog changes: {code(comparison.base_ref)} → {head}",
        "",
        f"{s['changed']} changed, {s['added']} added, {s['removed']} removed, {s['moved']} moved"
        f" — **{s['bump_problems']} version problem{'' if s['bump_problems'] == 1 else 's'}**",
        "",
    ]
    if not comparison.items:
        lines.append("No backlog item changed.")
        return "\n".join(lines) + "\n"
    lines += [
        "| item | file | change | level | version | bump |",
        "|---|---|---|---|---|---|",
    ]
    for c in comparison.items:
        state = state_of(c)
        version = " → ".join(escape(_version_text(s)) for s in (c.base, c.head) if s)
        bump = message(verdict(c)) if verdict(c) else "—"
        ok = bump_ok(c)
        flag = "" if ok is None else "✅ " if ok else "❌ "
        where = path_link(c.head.rel, c.head.version_line(), link_base) if c.head else "—"
        lines.append(
            f"| {cell(code(c.key))} | {cell(where)} | "
            f"{state}{' (renamed)' if c.renamed_from else ''} | "
            f"{c.change_class if state == 'changed' else '—'} | {cell(version)} | "
            f"{cell(flag + bump)} |"
        )
    for c in comparison.items:
        template = template_diff(c)
        if not c.changes and not c.metadata and not template:
            continue
        summary = f"<code>{html.escape(c.key)}</code>: {c.change_class}"
        lines += ["", f"<details><summary>{summary}</summary>", ""]
        lines += [f"- **{name}**: {message(ch.reason)}" for name, ch in reasons(c)]
        if template:
            lines += ["", *fenced(template.rstrip("\n"), "diff")]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
