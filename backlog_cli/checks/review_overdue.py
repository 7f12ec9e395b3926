"""review-overdue: a policy's `review_by` date has passed.

Policies carry the date by which they must be reviewed; a warning from the day after it
until someone reviews the policy and moves the date. Deprecated policies are exempt.
"Today" is the real date, or `BACKLOG_TODAY=YYYY-MM-DD`.

Failing (today 2026-11-26):

    kind: policy
    spec:
      review_by: 2026-06-30

Passing:

    spec:
      review_by: 2027-06-30
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.dates import parse_date, today
from backlog_cli.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "review-overdue"
SEVERITY: Severity = "warning"


def check(context: Context) -> Iterator[Finding]:
    now = today()
    for item in context.nodes():
        if item.kind != "policy" or item.status == "deprecated":
            continue
        spec = item.data.get("spec")
        due = parse_date(spec.get("review_by")) if isinstance(spec, dict) else None
        if due is None or due >= now:
            continue
        days = (now - due).days
        line, column = item.doc.locate(("spec", "review_by"))
        yield Finding(
            item.doc.rel,
            line,
            column,
            f"review of `{item.key}` was due on {due.isoformat()} "
            f"({days} day{'' if days == 1 else 's'} ago)",
            item.key,
            "review the policy with its approvers, then move `review_by` on",
        )
