"""Baselines: adopt the tool on a legacy backlog in one commit.

`check --write-baseline FILE` records today's findings; `check --baseline FILE` fails only
on findings that are not recorded, and counts the recorded ones that are gone (stale) so
the file can shrink. A finding is recorded by rule, item (or file, for findings without an
item) and a fingerprint of its message with line numbers and day counts taken out — not by
line number — so editing other parts of a file, moving it, or the calendar moving on does
not turn old findings into new ones.
"""

from __future__ import annotations

import dataclasses
import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from backlog_cli import __version__
from backlog_cli.diagnostic import Diagnostic
from backlog_cli.engine import CheckResult
from backlog_cli.errors import BacklogError
from backlog_cli.fsutil import write_atomic

FORMAT_VERSION = 1
_VOLATILE = (
    (re.compile(r"\b(line|lines) \d+"), r"\1 N"),
    (re.compile(r"(\.ya?ml):\d+"), r"\1"),
    (re.compile(r"\(\d+ days? ago\)|\(in \d+ days?\)"), "(N days)"),
)

Key = tuple[str, str, str]


def _normalised(message: str) -> str:
    for pattern, replacement in _VOLATILE:
        message = pattern.sub(replacement, message)
    return message


def fingerprint(diagnostic: Diagnostic) -> str:
    subject = diagnostic.item or diagnostic.path
    raw = "\0".join((diagnostic.rule, subject, _normalised(diagnostic.message)))
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()[:20]


def key(diagnostic: Diagnostic) -> Key:
    return (diagnostic.rule, diagnostic.item or diagnostic.path, fingerprint(diagnostic))


def write(path: Path, result: CheckResult) -> int:
    entries = sorted(
        (
            {
                "rule": d.rule,
                "item": d.item,
                "path": d.path,
                "fingerprint": fingerprint(d),
                "message": d.message,
            }
            for d in result.diagnostics
        ),
        key=lambda e: (e["rule"], e["item"] or e["path"], e["fingerprint"]),
    )
    payload = {
        "version": FORMAT_VERSION,
        "generated_by": f"backlog {__version__}",
        "entries": entries,
    }
    write_atomic(path, json.dumps(payload, indent=2, ensure_ascii=False) + "\n")
    return len(entries)


def read(path: Path) -> Counter[Key]:
    try:
        payload: Any = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BacklogError(
            f"--baseline {path}: no such file; create it with --write-baseline {path}"
        ) from None
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        raise BacklogError(f"--baseline {path}: not a baseline file ({exc})") from None
    except RecursionError:
        raise BacklogError(f"--baseline {path}: not a baseline file (nested too deep)") from None
    version = payload.get("version") if isinstance(payload, dict) else None
    if type(version) is not int or version != FORMAT_VERSION:
        raise BacklogError(
            f"--baseline {path}: not a version {FORMAT_VERSION} baseline; "
            f"write it again with --write-baseline {path}"
        )
    entries = payload.get("entries")
    if not isinstance(entries, list):
        raise BacklogError(f"--baseline {path}: `entries` must be a list")
    out: Counter[Key] = Counter()
    for index, entry in enumerate(entries):
        fields = ("rule", "fingerprint")
        if not isinstance(entry, dict) or not all(isinstance(entry.get(f), str) for f in fields):
            raise BacklogError(f"--baseline {path}: entry {index} is malformed")
        subject = entry.get("item") or entry.get("path")
        if not isinstance(subject, str):
            raise BacklogError(f"--baseline {path}: entry {index} has no item or path")
        out[(entry["rule"], subject, entry["fingerprint"])] += 1
    return out


@dataclass(frozen=True)
class Applied:
    result: CheckResult
    baselined: int
    stale: int


def apply(result: CheckResult, recorded: Counter[Key], *, partial: bool = False) -> Applied:
    """Findings in the baseline leave the result (each entry absorbs one finding).

    `partial`: the run left some findings out (PATHS, --rule, --select), so an entry that
    matched nothing may still be live: none is counted as fixed."""
    remaining = Counter(recorded)
    fresh: list[Diagnostic] = []
    recorded_findings: list[Diagnostic] = []
    for diagnostic in result.diagnostics:
        k = key(diagnostic)
        if remaining[k] > 0:
            remaining[k] -= 1
            recorded_findings.append(diagnostic)
        else:
            fresh.append(diagnostic)
    baselined = len(recorded_findings)
    stale = 0 if partial else sum(remaining.values())
    updated = dataclasses.replace(
        result,
        diagnostics=tuple(fresh),
        baselined=baselined,
        stale_baseline=stale,
        baselined_findings=tuple(recorded_findings),
    )
    return Applied(updated, baselined, stale)
