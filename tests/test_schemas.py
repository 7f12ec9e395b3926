"""The committed schemas: fresh, documented, self-contained and usable by other tools."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from jsonschema import Draft202012Validator

from backlog_cli import schemagen, schemas
from backlog_cli.schemagen import EXAMPLES
from backlog_cli.vocab import KINDS
from tests.conftest import require, run_cli

REPO = Path(__file__).resolve().parent.parent
SCHEMA_DIR = REPO / "schemas"


# files the tool writes or reads that are neither items nor command output (issue 15)
DATA_FORMATS = {"evidence-record", "evidence-plain"}


def test_committed_item_schemas_are_not_stale() -> None:
    fresh = schemagen.generate()
    committed = {p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json")}
    assert set(fresh) == set(schemas.ITEM_SCHEMAS)
    contracts = committed - set(fresh) - DATA_FORMATS
    assert all(name.endswith("-result") for name in contracts), (
        f"schemas/ holds the item schemas, the output contracts (`*-result`) and the data "
        f"formats {sorted(DATA_FORMATS)}: {contracts}"
    )
    for name, schema in fresh.items():
        on_disk = (SCHEMA_DIR / schemas.file_name(name)).read_text(encoding="utf-8")
        assert on_disk == schemas.dumps(schema), (
            f"schemas/{name}.schema.json is stale: run `python -m backlog_cli.schemagen`"
        )


def _walk_properties(schema: Any, where: str = "") -> list[str]:
    """Every property of every object schema that lacks a description."""
    missing: list[str] = []
    if isinstance(schema, dict):
        for name, sub in schema.get("properties", {}).items():
            if isinstance(sub, dict) and "description" not in sub and "$ref" not in sub:
                missing.append(f"{where}.{name}")
        for key, value in schema.items():
            if key in ("examples", "if"):  # conditions, not fields
                continue
            missing.extend(_walk_properties(value, f"{where}/{key}"))
    elif isinstance(schema, list):
        for i, value in enumerate(schema):
            missing.extend(_walk_properties(value, f"{where}[{i}]"))
    return missing


@pytest.mark.parametrize(
    "name", sorted(p.name.removesuffix(".schema.json") for p in SCHEMA_DIR.glob("*.schema.json"))
)
def test_schema_is_valid_documented_and_identified(name: str) -> None:
    """Every committed file, item schema or output contract."""
    schema = json.loads((SCHEMA_DIR / schemas.file_name(name)).read_text(encoding="utf-8"))
    Draft202012Validator.check_schema(schema)
    assert schema["$schema"] == "https://json-schema.org/draft/2020-12/schema"
    assert schema["$id"].endswith(f"/{name}.schema.json")
    assert schema.get("description") or schema.get("title")
    assert _walk_properties(schema) == []
    refs = [m for m in json.dumps(schema).split('"$ref": ')[1:]]
    assert all(r.startswith('"#/') for r in refs), "every $ref must be local (offline use)"


@pytest.mark.parametrize("kind", KINDS)
def test_examples_validate_against_kind_and_item_schemas(kind: str) -> None:
    for name in (kind, "item"):
        schema = json.loads((SCHEMA_DIR / schemas.file_name(name)).read_text(encoding="utf-8"))
        validator = Draft202012Validator(schema)
        assert list(validator.iter_errors(EXAMPLES[kind])) == []
    assert (
        EXAMPLES[kind]
        in json.loads((SCHEMA_DIR / schemas.file_name(kind)).read_text(encoding="utf-8"))[
            "examples"
        ]
    )


def test_item_schema_rejects_what_the_kind_schema_rejects() -> None:
    schema = json.loads((SCHEMA_DIR / "item.schema.json").read_text(encoding="utf-8"))
    validator = Draft202012Validator(schema)
    bad = {**EXAMPLES["prompt"], "spec": {"format": "handlebars"}}
    assert list(validator.iter_errors(bad))
    unknown_kind = {**EXAMPLES["prompt"], "kind": "promt"}
    assert list(validator.iter_errors(unknown_kind))


def _check_jsonschema() -> str:
    exe = Path(sys.executable).parent / "check-jsonschema"
    found = str(exe) if exe.exists() else shutil.which("check-jsonschema")
    return require(found, "check-jsonschema is not installed")


@pytest.mark.parametrize("kind", ["prompt", "policy", "item"])
def test_check_jsonschema_uses_each_schema_alone_offline(tmp_path: Path, kind: str) -> None:
    """Copy one schema file alone into an empty folder; the peer tool must validate with it
    (good file passes, bad file fails) without any network."""
    schema_file = tmp_path / "only" / schemas.file_name(kind)
    schema_file.parent.mkdir()
    shutil.copy(SCHEMA_DIR / schemas.file_name(kind), schema_file)
    example = EXAMPLES["policy" if kind == "policy" else "prompt"]
    good = tmp_path / "good.yaml"
    good.write_text(json.dumps(example) + "\n", encoding="utf-8")
    bad = tmp_path / "bad.yaml"
    bad.write_text(json.dumps({**example, "status": "almost"}) + "\n", encoding="utf-8")
    exe = _check_jsonschema()
    env = {
        "PATH": "/usr/bin:/bin",
        "HTTP_PROXY": "http://127.0.0.1:9",
        "HTTPS_PROXY": "http://127.0.0.1:9",
        "NO_PROXY": "",
    }
    ok = subprocess.run(
        [exe, "--schemafile", str(schema_file), str(good)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert ok.returncode == 0, ok.stdout + ok.stderr
    fail = subprocess.run(
        [exe, "--schemafile", str(schema_file), str(bad)],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert fail.returncode == 1, fail.stdout + fail.stderr
    assert "almost" in fail.stdout + fail.stderr


def test_schema_command_prints_and_writes(tmp_path: Path) -> None:
    printed = run_cli("schema", "prompt")
    assert printed.returncode == 0
    assert json.loads(printed.stdout)["$id"].endswith("/prompt.schema.json")
    default = run_cli("schema")
    assert json.loads(default.stdout)["$id"].endswith("/item.schema.json")

    out = tmp_path / "out"
    written = run_cli("schema", "--output", str(out))
    assert written.returncode == 0, written.stderr
    # item schemas only (issue 13 §6); the CLI's result contracts with --contracts
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name
        for p in SCHEMA_DIR.glob("*.schema.json")
        if "-result." not in p.name and p.name.removesuffix(".schema.json") not in DATA_FORMATS
    )
    assert len(list(out.iterdir())) == 10
    again = run_cli("schema", "--output", str(out))
    assert again.returncode == 0 and "up to date" in again.stdout
    everything = run_cli("schema", "--output", str(out), "--contracts")
    assert everything.returncode == 0, everything.stderr
    assert sorted(p.name for p in out.iterdir()) == sorted(
        p.name for p in SCHEMA_DIR.glob("*.schema.json")
    )

    (out / "prompt.schema.json").write_text("{}", encoding="utf-8")
    refused = run_cli("schema", "prompt", "--output", str(out))
    assert refused.returncode == 2 and "--force" in refused.stderr
    assert (out / "prompt.schema.json").read_text(encoding="utf-8") == "{}"
    forced = run_cli("schema", "prompt", "--output", str(out), "--force")
    assert forced.returncode == 0
    assert json.loads((out / "prompt.schema.json").read_text(encoding="utf-8"))["$id"]

    unknown = run_cli("schema", "promt")
    assert unknown.returncode == 2 and "did you mean `prompt`" in unknown.stderr
