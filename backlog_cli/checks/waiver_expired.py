"""waiver-expired: a waiver in the config has passed its `expires` date.

A waiver `{rule, item, reason, expires, approved_by}` in the config suppresses exactly
that rule on that item until it expires; suppressed findings are still counted and listed
as waived. Once expired, the waiver no longer applies and this error points at it, so the
team either fixes the finding or renews the waiver on purpose. A waiver without `reason`
or `expires` is a config error (exit 2). "Today" is the real date, or `BACKLOG_TODAY`.

Failing (today 2026-11-26):

    waivers:
      - {rule: readiness, item: prompt/triage, reason: eval suite lands in Q3,
         expires: 2026-09-30, approved_by: "@lead"}

Passing: `expires: 2027-03-31` (and a finding that is really temporary).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.dates import today
from backlog_cli.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "waiver-expired"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    now = today()
    config = project.config
    for waiver in config.waivers:
        if waiver.expires >= now:
            continue
        yield Finding(
            config.source_rel,
            waiver.line,
            waiver.column,
            f"the waiver of `{waiver.rule}` on `{waiver.item}` expired on "
            f"{waiver.expires.isoformat()}",
            waiver.item,
            "fix the finding and delete the waiver, or renew it with a new "
            "`expires` date and approval",
        )
