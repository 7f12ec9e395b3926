"""`backlog diff`: the semantic difference of items between two refs, in text, JSON, Markdown."""

from __future__ import annotations

import json
from typing import Any

from backlog_cli.classify import MISSING, bump_version
from backlog_cli.versioning import Comparison, ItemChange

_MARK = {"added": "+", "removed": "-", "moved": ">", "changed": "~"}
_RESET = "\x1b[0m"
_STYLE = {
    "+": "\x1b[32m",
    "-": "\x1b[31m",
    ">": "\x1b[36m",
    "~": "\x1b[33m",
    "major": "\x1b[1;31m",
    "minor": "\x1b[1;33m",
    "patch": "\x1b[1;36m",
    "dim": "\x1b[2m",
}


def _value(value: Any) -> Any:
    return None if value is MISSING else value


def _show(value: Any) -> str:
    if value is MISSING:
        return "(absent)"
    text = json.dumps(value, ensure_ascii=False, default=str)
    return text if len(text) <= 80 else text[:77] + "..."


def verdict(change: ItemChange) -> str:
    if change.state != "changed" or change.base is None or change.head is None:
        return ""
    if change.actual == "decreased":
        return "version decreased"
    if change.level == "none":
        return "no bump needed"
    if change.bump_ok:
        return f"{change.actual} bump, ok"
    target = bump_version(change.base.version or "0.0.0", change.required)
    if change.actual == "none":
        return f"not bumped: needs {change.required} ({target})"
    return f"{change.actual} bump too small: needs {change.required} ({target})"


def to_json(comparison: Comparison) -> dict[str, Any]:
    items = []
    for c in comparison.items:
        items.append(
            {
                "item": c.key,
                "kind": c.kind,
                "state": c.state,
                "renamed_from": c.renamed_from,
                "moved": c.moved,
                "base_path": c.base.rel if c.base else None,
                "head_path": c.head.rel if c.head else None,
                "base_version": c.base.version if c.base else None,
                "head_version": c.head.version if c.head else None,
                "level": c.level,
                "required_bump": c.required,
                "actual_bump": c.actual,
                "bump_ok": c.bump_ok if c.state == "changed" else None,
                "reasons": [
                    {"level": ch.level, "path": ch.path, "reason": ch.reason}
                    for ch in sorted(c.changes, reverse=True)
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
                "template_diff": c.template_diff(),
            }
        )
    counts = {
        state: sum(1 for c in comparison.items if c.state == state)
        for state in ("added", "removed", "moved", "changed")
    }
    return {
        "version": 1,
        "base": {"ref": comparison.base_ref, "commit": comparison.base_sha},
        "head": {"ref": comparison.head_ref, "commit": comparison.head_sha},
        "summary": {
            **counts,
            "bump_problems": sum(
                1 for c in comparison.items if c.state == "changed" and not c.bump_ok
            ),
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
        mark = _MARK[c.state]
        versions = ""
        if c.base and c.head:
            versions = f"  {c.base.version} -> {c.head.version}"
        elif c.head:
            versions = f"  {c.head.version}"
        elif c.base:
            versions = f"  {c.base.version}"
        level = f"  [{paint(c.level, c.level)}]" if c.state == "changed" else ""
        lines.append(f"{paint(mark, mark)} {c.key}{versions}{level}  {c.state}")
        if c.renamed_from:
            lines.append(f"    renamed from {c.renamed_from}")
        if c.moved and c.base and c.head:
            lines.append(f"    moved {c.base.rel} -> {c.head.rel}")
        elif c.head or c.base:
            lines.append(paint("dim", f"    {(c.head or c.base).rel}"))  # type: ignore[union-attr]
        for ch in sorted(c.changes, reverse=True):
            lines.append(f"    {paint(ch.level, ch.level.ljust(5))}  {ch.reason}")
        shown = [f for f in c.fields if not f[0].startswith("spec.template")]
        for path, old, new in shown[:20]:
            lines.append(paint("dim", f"      {path}: {_show(old)} -> {_show(new)}"))
        if len(shown) > 20:
            lines.append(paint("dim", f"      ... {len(shown) - 20} more fields"))
        template = c.template_diff()
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


def render_markdown(comparison: Comparison) -> str:
    data = to_json(comparison)
    s = data["summary"]
    head = f"`{comparison.head_ref}`" if comparison.head_sha else "the working tree"
    lines = [
        f"### Backlog changes: `{comparison.base_ref}` → {head}",
        "",
        f"{s['changed']} changed, {s['added']} added, {s['removed']} removed, {s['moved']} moved"
        f" — **{s['bump_problems']} version problem{'' if s['bump_problems'] == 1 else 's'}**",
        "",
    ]
    if not comparison.items:
        lines.append("No backlog item changed.")
        return "\n".join(lines) + "\n"
    lines += ["| item | change | level | version | bump |", "|---|---|---|---|---|"]
    for c in comparison.items:
        version = " → ".join(
            v for v in (c.base.version if c.base else None, c.head.version if c.head else None) if v
        )
        bump = verdict(c) or "—"
        flag = (
            "✅ " if c.state == "changed" and c.bump_ok else ("❌ " if c.state == "changed" else "")
        )
        lines.append(
            f"| `{c.key}` | {c.state}{' (renamed)' if c.renamed_from else ''} | "
            f"{c.level if c.state == 'changed' else '—'} | {version} | {flag}{bump} |"
        )
    for c in comparison.items:
        if not c.changes and not c.template_diff():
            continue
        lines += ["", f"<details><summary><code>{c.key}</code>: {c.level}</summary>", ""]
        lines += [f"- **{ch.level}**: {ch.reason}" for ch in sorted(c.changes, reverse=True)]
        template = c.template_diff()
        if template:
            lines += ["", "```diff", template.rstrip("\n"), "```"]
        lines += ["", "</details>"]
    return "\n".join(lines) + "\n"
