"""JSON: the SPEC §6 contract, `schemas/check-result.schema.json`."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from backlog_cli.engine import CheckResult


def render(result: CheckResult) -> str:
    payload = {
        "version": 1,
        "summary": {
            "items": result.items,
            "errors": result.errors,
            "warnings": result.warnings,
            "waived": len(result.waived),
            "baselined": result.baselined,
            "stale_baseline": result.stale_baseline,
        },
        "diagnostics": [d.to_json() for d in result.diagnostics],
        "waived": [d.to_json() for d in result.waived],
    }
    return json.dumps(payload, indent=2, ensure_ascii=False) + "\n"
