"""`backlog impact`: what a change set touches, who must look, what to re-run.

Seeds are the items that differ between base and head — added, changed (renames included)
or removed; a move is not a change, nor is a prompt moved together with its template file
(the same text under a rewritten `template_file` path). The impact is their downstream
closure in the head graph: everything that depends on a seed, transitively. For each
impacted item: the path of edges from a seed (the why), its owner and status, and whether
it needs re-validation (`ready`, `in-progress`, `done`). Evaluations in the closure are
the ones to re-run (an evaluation references what it targets, so it is downstream of it).
A broken constraint is a reference to a changed item whose range admitted the base version
and does not admit the head version.

An item whose only differences are governance metadata (the change class `metadata`: title,
description, owner, tags, priority, a policy's `review_by`, a model's `sunset`, `x-*`
fields) is listed among the changed items but is no seed: nothing downstream needs a fresh
look, no evaluation needs a re-run, and its version cannot have moved.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backlog_cli.classify import METADATA
from backlog_cli.commands.diff import state_of
from backlog_cli.graph import Edge, Reached, walk
from backlog_cli.project import Project
from backlog_cli.refs import parse_range
from backlog_cli.semver import parse_version
from backlog_cli.versioning import Comparison, ItemChange
from backlog_cli.vocab import READY_OR_LATER

REVALIDATE = READY_OR_LATER  # a change to what they depend on needs a fresh look


@dataclass(frozen=True)
class Broken:
    edge: Edge
    base_version: str
    head_version: str
    path: str
    line: int

    def to_json(self) -> dict[str, Any]:
        return {
            **self.edge.to_json(),
            "base_version": self.base_version,
            "head_version": self.head_version,
            "path": self.path,
            "line": self.line,
        }


@dataclass
class Impact:
    comparison: Comparison
    project: Project
    seeds: dict[str, ItemChange]
    reached: dict[str, Reached]
    broken: list[Broken] = field(default_factory=list)
    metadata: list[ItemChange] = field(default_factory=list)  # metadata-only: not seeds

    @property
    def impacted(self) -> list[str]:
        """Items in the closure (seeds first), present at head."""
        keys = [k for k in self.reached if k in self.project.graph.nodes]
        return sorted(keys, key=lambda k: (self.reached[k].depth, k))

    def changed(self) -> list[ItemChange]:
        """The seeds and the metadata-only changes, in the comparison's order."""
        wanted = {id(c) for c in [*self.seeds.values(), *self.metadata]}
        return [c for c in self.comparison.items if id(c) in wanted]

    def evaluations(self) -> list[str]:
        return [k for k in self.impacted if self.project.graph.nodes[k].kind == "evaluation"]

    def owners(self) -> dict[str, list[str]]:
        out: dict[str, list[str]] = {}
        for key in self.impacted:
            owner = self.project.graph.nodes[key].owner or "(no owner)"
            out.setdefault(owner, []).append(key)
        return dict(sorted(out.items()))

    def why_text(self, key: str) -> str:
        reached = self.reached[key]
        if not reached.path:
            return "changed"
        chain = [reached.path[0].target]
        chain += [f"{edge.source} ({edge.relation})" for edge in reached.path]
        return " <- ".join(chain)

    def restrict(self, keys: set[str]) -> None:
        """Keep only these impacted items (a `--select`); seeds stay in the summary."""
        self.reached = {k: v for k, v in self.reached.items() if k in keys}


def build(project: Project, comparison: Comparison) -> Impact:
    changed = [c for c in comparison.items if state_of(c) in ("added", "changed", "removed")]
    seeds = {c.key: c for c in changed if not c.metadata}
    graph = project.graph
    reached = walk(graph, seeds, "down")
    metadata = [c for c in changed if c.metadata]
    impact = Impact(comparison, project, seeds, reached, metadata=metadata)
    for change in seeds.values():
        if change.state != "changed" or change.base is None or change.head is None:
            continue
        base_v = parse_version(change.base.version or "")
        head_v = parse_version(change.head.version or "")
        if base_v is None or head_v is None:
            continue
        targets = {change.key} | ({change.renamed_from} if change.renamed_from else set())
        for target in sorted(targets):
            for edge in graph.downstream.get(target, []):
                if edge.ref.range is None:
                    continue
                try:
                    wanted = parse_range(edge.ref.range)
                except ValueError:
                    continue
                if wanted.admits(base_v) and not wanted.admits(head_v):
                    source = graph.nodes[edge.source]
                    line, _ = source.doc.locate(edge.pointer)
                    impact.broken.append(
                        Broken(edge, str(base_v), str(head_v), source.doc.rel, line)
                    )
    return impact


def _item_json(impact: Impact, key: str) -> dict[str, Any]:
    item = impact.project.graph.nodes[key]
    reached = impact.reached[key]
    seed = reached.path[0].target if reached.path else key
    return {
        "item": key,
        "kind": item.kind,
        "title": item.title,
        "status": item.status,
        "owner": item.owner,
        "path": item.doc.rel,
        "changed": key in impact.seeds,
        "needs_revalidation": item.status in REVALIDATE,
        "depth": reached.depth,
        "why": {"seed": seed, "path": reached.why()},
    }


def to_json(impact: Impact) -> dict[str, Any]:
    c = impact.comparison
    impacted = impact.impacted
    evaluations = impact.evaluations()
    return {
        "version": 1,
        "base": {"ref": c.base_ref, "commit": c.base_sha},
        "head": {"ref": c.head_ref, "commit": c.head_sha},
        "summary": {
            "changed": len(impact.seeds) + len(impact.metadata),
            "impacted": len(impacted),
            "revalidate": sum(
                1 for k in impacted if impact.project.graph.nodes[k].status in REVALIDATE
            ),
            "evaluations": len(evaluations),
            "broken_constraints": len(impact.broken),
        },
        "changed": [
            {
                "item": ch.key,
                "state": ch.state,
                "level": ch.change_class,
                "base_version": ch.base.version if ch.base else None,
                "head_version": ch.head.version if ch.head else None,
            }
            for ch in impact.changed()
        ],
        "impacted": [_item_json(impact, k) for k in impacted],
        "evaluations": [_item_json(impact, k) for k in evaluations],
        "broken_constraints": [b.to_json() for b in impact.broken],
        "owners": [{"owner": o, "items": keys} for o, keys in impact.owners().items()],
    }


def _summary_line(data: dict[str, Any]) -> str:
    s = data["summary"]
    return (
        f"{s['changed']} changed item{'' if s['changed'] == 1 else 's'} impact "
        f"{s['impacted']} item{'' if s['impacted'] == 1 else 's'}: {s['revalidate']} to "
        f"re-validate, {s['evaluations']} evaluation{'' if s['evaluations'] == 1 else 's'} to "
        f"run, {s['broken_constraints']} broken constraint"
        f"{'' if s['broken_constraints'] == 1 else 's'}"
    )


def render_text(impact: Impact) -> str:
    data = to_json(impact)
    c = impact.comparison
    head = f"{c.head_ref} ({c.head_sha[:12]})" if c.head_sha else "working tree"
    lines = [f"impact {c.base_ref} ({c.base_sha[:12]}) .. {head}", _summary_line(data), ""]
    if not impact.seeds and not impact.metadata:
        lines.append("no item changed")
        return "\n".join(lines) + "\n"
    lines.append("changed:")
    for ch in data["changed"]:
        if ch["state"] == "changed":
            versions = " -> ".join(v or "(none)" for v in (ch["base_version"], ch["head_version"]))
        else:
            versions = ch["base_version"] or ch["head_version"] or "(none)"
        level = f" [{ch['level']}]" if ch["state"] == "changed" else ""
        note = "  (metadata only: nothing downstream)" if ch["level"] == METADATA else ""
        lines.append(f"  {ch['item']}  {ch['state']}{level}  {versions}{note}")
    others = [e for e in data["impacted"] if not e["changed"]]
    lines += ["", "impacted:" if others else "impacted: nothing downstream"]
    for entry in others:
        flag = "  re-validate" if entry["needs_revalidation"] else ""
        lines.append(f"  {entry['item']}  [{entry['status']}]  {entry['owner']}{flag}")
        lines.append(f"    why: {impact.why_text(entry['item'])}")
    evaluations = data["evaluations"]
    lines += ["", "evaluations to re-run:" if evaluations else "evaluations to re-run: none"]
    for entry in evaluations:
        lines.append(f"  {entry['item']}  [{entry['status']}]  {entry['owner']}")
    if impact.broken:
        lines += ["", "broken constraints:"]
        for b in impact.broken:
            lines.append(
                f"  {b.path}:{b.line}: {b.edge.source} `{b.edge.relation}` "
                f"{b.edge.target}@{b.edge.ref.range} admitted {b.base_version}, "
                f"not {b.head_version}"
            )
    owners = impact.owners()
    lines += ["", "owners to notify:" if owners else "owners to notify: none"]
    for owner, keys in owners.items():
        lines.append(f"  {owner}: {', '.join(keys)}")
    return "\n".join(lines) + "\n"


def _md(text: object) -> str:
    """A value (owner, status) for a Markdown table cell or line: shown, never obeyed."""
    from backlog_cli.report.markdown import cell, escape

    return cell(escape(str(text))) if text is not None else "—"


def render_markdown(impact: Impact, link_base: str | None = None) -> str:
    """`link_base`: the prefix of absolute file links (`links.link_base`), else relative."""
    from backlog_cli.report.markdown import cell, code, escape, path_link

    data = to_json(impact)
    c = impact.comparison
    head = code(c.head_ref) if c.head_sha else "the working tree"
    lines = [
        f"### Backlog impact: {code(c.base_ref)} → {head}",
        "",
        f"**{_summary_line(data)}**",
        "",
    ]
    if not impact.seeds and not impact.metadata:
        lines.append("No backlog item changed.")
        return "\n".join(lines) + "\n"
    if impact.metadata:
        keys = ", ".join(code(ch.key) for ch in impact.metadata)
        lines += [f"Metadata only (nothing downstream to re-validate): {keys}", ""]
    if not impact.seeds:
        lines += ["**Evaluations to re-run:** none", "", "**Owners to notify:** none"]
        return "\n".join(lines) + "\n"
    lines += ["| item | status | owner | re-validate | why |", "|---|---|---|---|---|"]
    for entry in data["impacted"]:
        why = (
            "changed"
            if entry["changed"]
            else " ← ".join(
                [escape(entry["why"]["seed"])]
                + [f"{code(e['from'])} ({escape(e['relation'])})" for e in entry["why"]["path"]]
            )
        )
        revalidate = "yes" if entry["needs_revalidation"] else "no"
        lines.append(
            f"| {cell(code(entry['item']))} | {_md(entry['status'])} | {_md(entry['owner'])} | "
            f"{revalidate} | {cell(why)} |"
        )
    lines += [
        "",
        "**Evaluations to re-run:** "
        + (
            ", ".join(f"{code(e['item'])} ({_md(e['owner'])})" for e in data["evaluations"])
            or "none"
        ),
    ]
    if impact.broken:
        lines += ["", "**Broken version constraints:**", ""]
        for b in impact.broken:
            lines.append(
                f"- {code(b.edge.source)} {code(b.edge.relation)}: "
                f"{code(f'{b.edge.target}@{b.edge.ref.range}')} admitted "
                f"{escape(str(b.base_version))} but not {escape(str(b.head_version))} "
                f"({path_link(b.path, b.line, link_base)})"
            )
    owners = ", ".join(f"{_md(o)} ({len(keys)})" for o, keys in impact.owners().items())
    lines += ["", f"**Owners to notify:** {owners}"]
    return "\n".join(lines) + "\n"
