"""The JSON text every command prints for `--format json` (the check reporters aside)."""

from __future__ import annotations

import json
from typing import Any


def json_text(payload: object) -> str:
    """`payload` as indented UTF-8 JSON with a final newline; never invalid JSON.

    Item data with `.nan`/`.inf` (a `schema` finding) has no JSON spelling: such numbers are
    written as YAML spells them, as strings, never as invalid `NaN`.
    """
    try:
        text = json.dumps(payload, indent=2, ensure_ascii=False, default=str, allow_nan=False)
    except ValueError:
        text = json.dumps(_finite(payload), indent=2, ensure_ascii=False, default=str)
    return text + "\n"


def _finite(value: Any) -> Any:
    if isinstance(value, float) and value != value:
        return ".nan"
    if isinstance(value, float) and value in (float("inf"), float("-inf")):
        return ".inf" if value > 0 else "-.inf"
    if isinstance(value, dict):
        return {key: _finite(v) for key, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [_finite(v) for v in value]
    return value
