"""The published JSON Schemas: finding, listing and loading the shipped files.

Two families ship in `schemas/`: the item schemas (ITEM_SCHEMAS), generated from `model.py`
by `python -m backlog_cli.schemagen`, and the output contracts (`*-result`), edited by hand.
Checking reads the committed files, so nothing here imports pydantic.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path
from typing import Any

from backlog_cli.errors import BacklogError
from backlog_cli.vocab import KINDS

SCHEMA_DIALECT = "https://json-schema.org/draft/2020-12/schema"
ID_BASE = "https://backlog-cli.dev/schemas/v1/"
ITEM_SCHEMAS = ("envelope", *KINDS, "item")


def schema_dir() -> Path:
    """The folder with the shipped schemas: inside the wheel, or the source checkout's."""
    packaged = Path(__file__).parent / "schemas"
    if packaged.is_dir():
        return packaged
    return Path(__file__).parent.parent / "schemas"


def file_name(name: str) -> str:
    return f"{name}.schema.json"


@cache
def load(name: str) -> dict[str, Any]:
    """A shipped schema by name (`envelope`, a kind, `item`, or an output contract)."""
    path = schema_dir() / file_name(name)
    try:
        data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BacklogError(
            f"cannot read the shipped schema {path}: {exc}; reinstall backlog-cli"
        ) from exc
    return data


def available() -> list[str]:
    return sorted(p.name.removesuffix(".schema.json") for p in schema_dir().glob("*.schema.json"))


def dumps(schema: dict[str, Any]) -> str:
    return json.dumps(schema, indent=2, ensure_ascii=False) + "\n"
