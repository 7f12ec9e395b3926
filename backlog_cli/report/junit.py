"""JUnit XML for CI test-report views: one testcase per item file checked.

A case fails when its file has an error (or, with `--strict`, a warning): one `<failure>`
whose `type` names the rules, whose `message` is the first finding and whose text lists them
all. Warnings that do not fail (no `--strict`) and waived findings are `<system-out>` notes,
so the case counts match the exit code. A finding outside every item file (the config's
`waiver-expired`) or in a template file joins the case of the item it names, else a case of
its own file.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from collections.abc import Sequence
from typing import TYPE_CHECKING

from backlog_cli.report.text import notes

if TYPE_CHECKING:
    from backlog_cli.diagnostic import Diagnostic
    from backlog_cli.engine import CheckResult

SUITE = "backlog check"
# characters XML 1.0 cannot hold, even escaped
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def _xml(text: str) -> str:
    return _NOT_XML.sub(lambda m: f"\\x{ord(m[0]):02x}", text)


def _line(d: Diagnostic) -> str:
    hint = f"\n  hint: {d.hint}" if d.hint else ""
    hint += "".join(f"\n  {note}" for note in notes(d))
    return f"{d.path}:{d.line}:{d.column}: {d.severity} {d.rule} {d.message}{hint}"


def render(result: CheckResult, *, cases: Sequence[tuple[str, str]] | None = None) -> str:
    """The report; `cases` lists every (name, path) checked, else the files with findings."""
    everything = sorted(result.diagnostics + result.waived)
    rows = list(cases) if cases is not None else []
    if cases is None:
        for d in everything:
            if (d.item or d.path, d.path) not in rows:
                rows.append((d.item or d.path, d.path))
    by_path = {path: n for n, (_, path) in reversed(list(enumerate(rows)))}
    by_name = {name: n for n, (name, _) in reversed(list(enumerate(rows)))}
    found: dict[int, list[tuple[Diagnostic, bool]]] = {}
    waived = set(result.waived)
    for d in everything:
        n = by_path.get(d.path, by_name.get(d.item or "", -1))
        if n < 0:
            n = by_path[d.path] = len(rows)
            rows.append((d.path, d.path))
        found.setdefault(n, []).append((d, d in waived))

    suite = ET.Element("testsuite", name=SUITE)
    failed = 0
    for n, (name, path) in enumerate(rows):
        kind = name.split("/", 1)[0] if name != path else "file"
        case = ET.SubElement(suite, "testcase", classname=kind, name=_xml(name), file=_xml(path))
        failing = [
            d for d, off in found.get(n, []) if not off and (d.severity == "error" or result.strict)
        ]
        notes = [
            f"{'waived: ' if off else ''}{_line(d)}"
            for d, off in found.get(n, [])
            if off or d not in failing
        ]
        if failing:
            failed += 1
            more = f" (and {len(failing) - 1} more)" if len(failing) > 1 else ""
            rules = ",".join(dict.fromkeys(d.rule for d in failing))
            failure = ET.SubElement(
                case, "failure", type=rules, message=_xml(failing[0].message + more)
            )
            failure.text = _xml("\n".join(_line(d) for d in failing))
        if notes:
            ET.SubElement(case, "system-out").text = _xml("\n".join(notes))
    counts = {"tests": str(len(rows)), "failures": str(failed), "errors": "0"}
    suite.attrib.update({**counts, "skipped": "0"})
    root = ET.Element("testsuites", {"name": SUITE, **counts})
    root.append(suite)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return f'<?xml version="1.0" encoding="UTF-8"?>\n{body}\n'
