"""JUnit XML (`<testsuites>` or a lone `<testsuite>`), as pytest, promptfoo's JUnit
reporter and most test runners write it.

Namespace: `pass_rate` (passed / run, where run = tests - skipped and passed = run -
failures - errors, counted from the `<testcase>` elements), `tests`, `failures`, `errors`
and `skipped` (counts), and every `<property name=... value=...>` whose value is a number,
under its name (a name given twice with different values is refused). `n` is the number of
tests run. No DTD or entity declaration is accepted (an XML bomb is refused unexpanded).
"""

from __future__ import annotations

import xml.parsers.expat
from typing import Any
from xml.etree.ElementTree import Element, TreeBuilder

from backlog_cli.evidence.results import Measured, ResultFileError, Results


class _Refused(Exception):
    pass


def _tree(text: str) -> Element:
    builder = TreeBuilder()
    parser = xml.parsers.expat.ParserCreate()

    def refuse(*_: Any) -> None:
        raise _Refused

    parser.StartDoctypeDeclHandler = refuse
    parser.EntityDeclHandler = refuse
    parser.ExternalEntityRefHandler = refuse  # type: ignore[assignment]
    parser.StartElementHandler = builder.start
    parser.EndElementHandler = builder.end
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(text, True)
    except _Refused:
        raise ResultFileError(
            "XML with a DTD or entity declarations is refused (JUnit needs neither)"
        ) from None
    except xml.parsers.expat.ExpatError as exc:
        raise ResultFileError(f"not well-formed XML: {exc}") from None
    return builder.close()


def read(text: str) -> Results:
    root = _tree(text)
    if root.tag not in ("testsuites", "testsuite"):
        raise ResultFileError(f"not JUnit XML: the root element is <{root.tag}>")
    cases = list(root.iter("testcase"))
    skipped = sum(1 for c in cases if c.find("skipped") is not None)
    failures = sum(1 for c in cases if c.find("failure") is not None)
    errors = sum(1 for c in cases if c.find("error") is not None and c.find("failure") is None)
    run = len(cases) - skipped
    passed = run - failures - errors
    metrics: dict[str, Measured] = {
        "tests": Measured(float(len(cases)), run),
        "failures": Measured(float(failures), run),
        "errors": Measured(float(errors), run),
        "skipped": Measured(float(skipped), run),
    }
    if run:
        metrics["pass_rate"] = Measured(passed / run, run)
    for name, value in _properties(root).items():
        metrics.setdefault(name, Measured(value, run))
    return Results("junit", "junit", None, metrics)


def _properties(root: Element) -> dict[str, float]:
    found: dict[str, float] = {}
    for prop in root.iter("property"):
        name, raw = prop.get("name"), prop.get("value")
        if not name or raw is None:
            continue
        try:
            value = float(raw)
        except ValueError:
            continue  # a text property (a hostname, a seed label) is no metric
        if name in found and found[name] != value and found[name] == found[name]:
            raise ResultFileError(
                f"<property name={name!r}> is given twice with different values "
                f"({found[name]:g} and {value:g}); give it once"
            )
        found[name] = value
    return found
