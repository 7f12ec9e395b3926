"""The shared vocabulary: its values, and that the committed schemas agree with it."""

from __future__ import annotations

import json
from pathlib import Path

from backlog_cli.suggest import did_you_mean
from backlog_cli.vocab import (
    API_VERSION,
    FILE_FIELDS,
    GATED,
    KINDS,
    RANK,
    SPEC_REFS,
    STATUSES,
    reference_fields,
)

ENVELOPE = Path(__file__).resolve().parent.parent / "schemas/envelope.schema.json"


def test_kinds() -> None:
    assert KINDS == (
        "capability",
        "prompt",
        "agent",
        "tool",
        "policy",
        "dataset",
        "model",
        "evaluation",
    )


def test_statuses_in_lifecycle_order() -> None:
    assert STATUSES == ("proposed", "refined", "ready", "in-progress", "done", "deprecated")
    assert [RANK[s] for s in STATUSES] == list(range(len(STATUSES)))
    assert GATED == ("refined", "ready", "in-progress", "done")


def test_committed_envelope_schema_agrees() -> None:
    properties = json.loads(ENVELOPE.read_text(encoding="utf-8"))["properties"]
    assert properties["apiVersion"]["const"] == API_VERSION == "backlog/v1"
    assert tuple(properties["kind"]["enum"]) == KINDS
    assert tuple(properties["status"]["enum"]) == STATUSES


def test_reference_and_file_fields_name_known_kinds() -> None:
    assert set(SPEC_REFS) <= set(KINDS)
    assert set(FILE_FIELDS) <= set(KINDS)
    assert list(reference_fields("agent")) == [
        ("depends_on",),
        ("safety", "policies"),
        ("spec", "model"),
        ("spec", "prompts"),
        ("spec", "tools"),
        ("spec", "agents"),
    ]
    assert list(reference_fields("policy")) == [("depends_on",), ("safety", "policies")]


def test_did_you_mean() -> None:
    assert did_you_mean("promt", KINDS) == "; did you mean `prompt`?"
    assert did_you_mean("zzz", KINDS) == ""
