"""duplicate-id: two files declare the same `kind/id`.

References resolve by `kind/id`, so two items with one id make every reference to it
ambiguous. Each file gets a finding at its `id`, naming the other places.

Failing (two files):

    # backlog/prompts/triage.yaml        # backlog/prompts/triage-v2.yaml
    kind: prompt                         kind: prompt
    id: support-triage                   id: support-triage

Passing: give the second item its own id (`support-triage-v2`), or delete the old file;
an id rename is recorded with `renamed_from: [prompt/support-triage]`.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from backlog_cli.diagnostic import Finding, Severity

if TYPE_CHECKING:
    from backlog_cli.engine import Context

ID = "duplicate-id"
SEVERITY: Severity = "error"


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    for key, items in project.by_key.items():
        if len(items) < 2 or not context.reports(key):
            continue
        places = [(item, *item.doc.locate(("id",))) for item in items]
        for item, line, column in places:
            others = ", ".join(f"{o.doc.rel}:{ln}" for o, ln, _ in places if o is not item)
            yield Finding(
                path=item.doc.rel,
                line=line,
                column=column,
                item=key,
                message=f"`{key}` is also declared in {others}",
                hint="ids are unique per kind: rename one item (and record the old id in "
                "`renamed_from`) or delete the stale file",
            )
