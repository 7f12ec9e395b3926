from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from tests.conftest import check, item, write_backlog

Finder = Callable[..., list[tuple[str, int, int]]]


def messages(tmp_path: Path, text: str) -> list[tuple[int, int, str, str | None]]:
    root = write_backlog(tmp_path / "repo", {"backlog/x.yaml": text})
    return [
        (d.line, d.column, d.message, d.hint) for d in check(root).diagnostics if d.rule == "schema"
    ]


def test_valid_items_of_every_kind_pass(findings: Finder) -> None:
    import json

    from backlog_cli.schemagen import EXAMPLES

    files = {f"backlog/{k}.yaml": json.dumps(v) for k, v in EXAMPLES.items()}
    # the examples reference each other loosely; only the schema matters here
    assert findings(files, "schema") == []


def test_every_violation_at_its_own_position(tmp_path: Path) -> None:
    text = (
        "apiVersion: backlog/v1\n"
        "kind: promt\n"
        "id: Bad Id\n"
        "version: 1.0\n"
        "statuss: ready\n"
        "owner:\n"
        "risk: extreme\n"
    )
    found = messages(tmp_path, text)
    assert (2, 7, "unknown kind `promt`", "did you mean `prompt`?") in found
    assert any(f[:2] == (3, 5) and "not a valid id" in f[2] for f in found)
    version = next(f for f in found if f[:2] == (4, 10))
    assert "must be a string, not a number" in version[2]
    assert version[3] is not None and "YAML read `1.0` as a number; quote it" in version[3]
    assert (5, 1, "unknown key `statuss`", "did you mean `status`?") in found
    assert any(f[:2] == (6, 7) and "not empty (null)" in f[2] for f in found)
    # an enum error is reported although sibling keys are wrong too
    assert any(f[:2] == (7, 7) and "`risk` is `extreme`" in f[2] for f in found)
    missing = [f for f in found if "missing required key" in f[2]]
    assert {f[2] for f in missing} == {
        "missing required key `title`",
        "missing required key `status`",
    }
    status = next(f for f in missing if "status" in f[2])
    assert status[3] == "is `statuss` a misspelling of `status`?"


def test_unknown_key_is_located_at_the_key_not_its_parent(findings: Finder) -> None:
    text = item(
        "prompt",
        "p",
        spec="""
        format: jinja2
        temperatur: 0.2
    """,
    )
    assert findings({"backlog/p.yaml": text}, "schema") == [("schema", 10, 3)]


def test_nested_spec_errors_and_ref_kind(tmp_path: Path) -> None:
    text = item(
        "agent",
        "a",
        spec="""
        pattern: round-robin
        model: prompt/support-triage
        prompts: [prompt/ok, "not a ref"]
        timeout_ms: -5
    """,
    )
    found = messages(tmp_path, text)
    assert any(
        f[:2] == (9, 12) and "expected one of" in f[2] and "sequential" in f[2] for f in found
    )
    assert any(f[:2] == (10, 10) and "must reference model items" in f[2] for f in found)
    assert any(f[:2] == (11, 24) and "not a valid reference" in f[2] for f in found)
    assert any(f[:2] == (12, 15) and "minimum" in f[2] for f in found)


def test_extension_fields_are_allowed(findings: Finder) -> None:
    text = item(
        "model",
        "m",
        extra="x-cost-center: 4711\nx-anything: {a: [1]}",
        spec="provider: openai\nx-internal: yes",
    )
    assert findings({"backlog/m.yaml": text}, "schema") == []


def test_unknown_kind_still_checks_the_envelope(tmp_path: Path) -> None:
    text = (
        "apiVersion: backlog/v1\nkind: promt\nid: x\ntitle: X\nversion: '1'\n"
        "status: ready\nowner: me\nbogus: 1\n"
    )
    found = messages(tmp_path, text)
    assert [(f[0], f[1]) for f in found] == [(2, 7), (5, 10), (8, 1)]


def test_criterion_alternatives_and_measurable_target(tmp_path: Path) -> None:
    text = item(
        "prompt",
        "p",
        extra="""
        acceptance:
          - id: a1
            given: a ticket
          - id: a2
            text: fine
            metric: accuracy
    """,
    )
    found = messages(tmp_path, text)
    assert any(f[:2] == (9, 5) and "`text` or `given` + `when` + `then`" in f[2] for f in found)
    assert any(
        f[:2] == (13, 5) and "`metric`" in f[2] and "`op` and `threshold`" in f[2] for f in found
    )


def test_template_and_template_file_are_exclusive(tmp_path: Path) -> None:
    text = item("prompt", "p", spec="template: hi\ntemplate_file: t.j2")
    found = messages(tmp_path, text)
    assert [(f[0], f[1]) for f in found] == [(9, 3)]
    assert "keep only one" in found[0][2]


def test_dates_and_controls(tmp_path: Path) -> None:
    text = item(
        "policy",
        "p",
        spec="""
        review_by: 2026-13-45
        controls: [nist-ai-rmf:MEASURE-2.7, "not a control"]
    """,
    )
    found = messages(tmp_path, text)
    assert any(f[:2] == (9, 14) and "not a valid date" in f[2] for f in found)
    assert any(f[:2] == (10, 39) and "not a control id" in f[2] for f in found)


def test_input_names_must_be_identifiers(tmp_path: Path) -> None:
    text = item(
        "prompt",
        "p",
        spec="""
        inputs:
          ticket-text: {type: string}
    """,
    )
    found = messages(tmp_path, text)
    assert [(f[0], f[1]) for f in found] == [(10, 5)]
    assert "not a valid name" in found[0][2]


def test_local_ids_are_unique_within_their_list(tmp_path: Path) -> None:
    text = item(
        "policy",
        "p",
        extra="""
        acceptance:
          - {id: AC-1, text: one}
          - {id: AC-1, text: two}
    """,
        spec="""
        rules:
          - {id: no_pii, description: d, action: block}
          - {id: no_pii, description: e, action: flag}
    """,
    )
    found = messages(tmp_path, text)
    assert [(f[0], f[1]) for f in found] == [(10, 10), (14, 12)]
    assert "`acceptance`: id `AC-1` is used twice (first at `acceptance[0]`)" in found[0][2]
    assert "`spec.rules`: id `no_pii` is used twice" in found[1][2]
