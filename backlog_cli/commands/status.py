"""`backlog status`: the board (items per kind x status) and what blocks what.

"Not ready" lists every item at `refined` or later that does not meet the Definition of
Ready it is (or, for `refined`, would next be) held to, with the reasons: readiness gaps and
dependencies still at `proposed`. "Ready to pick up" lists `ready` items with no gaps, and
`refined` items that could move to `ready` now.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from backlog_cli.diagnostic import printable
from backlog_cli.project import Item, Project
from backlog_cli.readiness import evaluate
from backlog_cli.vocab import GATED, KINDS, STATUSES


@dataclass
class Entry:
    item: Item
    reasons: list[str] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "item": self.item.key,
            "title": self.item.title,
            "status": self.item.status,
            "owner": self.item.owner,
            "path": self.item.doc.rel,
            "reasons": self.reasons,
        }


@dataclass
class StatusReport:
    board: dict[str, dict[str, int]]
    not_ready: list[Entry]
    pick_up: list[Entry]

    def to_json(self) -> dict[str, Any]:
        return {
            "version": 1,
            "statuses": list(STATUSES),
            "board": self.board,
            "totals": {s: sum(row[s] for row in self.board.values()) for s in STATUSES},
            "not_ready": [e.to_json() for e in self.not_ready],
            "ready_to_pick_up": [e.to_json() for e in self.pick_up],
        }


def build(project: Project) -> StatusReport:
    rules = project.config.readiness_rules
    board = {kind: dict.fromkeys(STATUSES, 0) for kind in KINDS}
    not_ready: list[Entry] = []
    pick_up: list[Entry] = []
    graph = project.graph
    for key in sorted(graph.nodes):
        item = graph.nodes[key]
        status = item.status if item.status in STATUSES else None
        if status is None:
            continue
        board[item.kind][status] += 1
        if status not in GATED:
            continue
        held_to = "ready" if status == "refined" else status
        reasons = [gap.reason for gap in evaluate(project, item, rules, held_to)]
        for edge in graph.upstream.get(key, []):
            target = graph.nodes.get(edge.target)
            if target is None:
                reasons.append(f"depends on `{edge.target}`, which does not exist")
            elif target.status == "proposed":
                reasons.append(f"depends on `{edge.target}`, which is only proposed")
        if reasons:
            not_ready.append(Entry(item, reasons))
        elif status in ("refined", "ready"):
            pick_up.append(Entry(item))
    return StatusReport(board, not_ready, pick_up)


def _counts_rows(report: StatusReport) -> list[list[str]]:
    rows = [[kind, *(str(report.board[kind][s] or "") for s in STATUSES)] for kind in KINDS]
    totals = report.to_json()["totals"]
    rows.append(["total", *(str(totals[s]) for s in STATUSES)])
    return rows


def render_text(report: StatusReport, *, rich_terminal: bool = False) -> str:
    header = ["kind", *STATUSES]
    rows = _counts_rows(report)
    if rich_terminal:
        return _render_rich(report, header, rows)
    widths = [max(len(r[c]) for r in [header, *rows]) for c in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[c]) for c, cell in enumerate(r)).rstrip()
        for r in [header, *rows]
    ]
    lines += ["", *_lists_text(report)]
    return "\n".join(lines) + "\n"


def _lists_text(report: StatusReport) -> list[str]:
    lines = [f"not ready ({len(report.not_ready)}):" if report.not_ready else "not ready: none"]
    for entry in report.not_ready:
        item = entry.item
        lines.append(printable(f"  {item.key} [{item.status}] {item.owner or ''} ({item.doc.rel})"))
        lines.extend(printable(f"    - {reason}") for reason in entry.reasons)
    lines.append("")
    lines.append(
        f"ready to pick up ({len(report.pick_up)}):" if report.pick_up else "ready to pick up: none"
    )
    for entry in report.pick_up:
        item = entry.item
        move = " (can move to ready)" if item.status == "refined" else ""
        lines.append(printable(f"  {item.key} [{item.status}] {item.owner or ''}{move}"))
    return lines


def _render_rich(report: StatusReport, header: list[str], rows: list[list[str]]) -> str:
    from rich.console import Console
    from rich.table import Table

    console = Console(record=True, force_terminal=True)
    table = Table(title="backlog board")
    for name in header:
        table.add_column(name, justify="left" if name == "kind" else "right")
    for row in rows:
        table.add_row(*row, style="bold" if row[0] == "total" else None)
    with console.capture() as capture:
        console.print(table)
    return capture.get() + "\n" + "\n".join(_lists_text(report)) + "\n"


def render_markdown(report: StatusReport, link_base: str | None = None) -> str:
    """`link_base`: the prefix of absolute file links (`links.link_base`), else relative."""
    from backlog_cli.report.markdown import code, escape, message, path_link

    header = ["kind", *STATUSES]
    lines = [
        "## Backlog status",
        "",
        "| " + " | ".join(header) + " |",
        "|" + "|".join(["---"] + ["---:"] * len(STATUSES)) + "|",
    ]
    for row in _counts_rows(report):
        cells = [f"**{c}**" if row[0] == "total" else c for c in row]
        lines.append("| " + " | ".join(cells) + " |")
    lines += ["", f"### Not ready ({len(report.not_ready)})", ""]
    if not report.not_ready:
        lines.append("Nothing is blocked.")
    for entry in report.not_ready:
        item = entry.item
        lines.append(
            f"- **{code(item.key)}** ({escape(item.status or '')}, "
            f"{escape(item.owner or 'no owner')}) — {path_link(item.doc.rel, None, link_base)}"
        )
        lines.extend(f"  - {message(reason)}" for reason in entry.reasons)
    lines += ["", f"### Ready to pick up ({len(report.pick_up)})", ""]
    if not report.pick_up:
        lines.append("Nothing is ready to pick up.")
    for entry in report.pick_up:
        item = entry.item
        move = " — can move to ready" if item.status == "refined" else ""
        lines.append(
            f"- {code(item.key)} ({escape(item.status or '')}, "
            f"{escape(item.owner or 'no owner')}){move}"
        )
    return "\n".join(lines) + "\n"
