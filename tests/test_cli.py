"""The real entry point on real files: output contracts, options and exit codes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator

from tests.conftest import item, run_cli, write_backlog

REPO = Path(__file__).resolve().parent.parent


def broken_backlog(tmp_path: Path) -> Path:
    return write_backlog(
        tmp_path / "repo",
        {
            "backlog/models/m.yaml": item("model", "gpt-4o", version="1.3.0"),
            "backlog/prompts/p.yaml": item("prompt", "triage", spec="model: model/gpt-4o@^2.0"),
            "backlog/bad.yaml": "apiVersion: backlog/v1\nkind: promt\n",
            "backlog/dup.yaml": "a: 1\na: 2\n",
        },
    )


def test_text_output_exact(tmp_path: Path) -> None:
    root = broken_backlog(tmp_path)
    result = run_cli("check", cwd=root)
    assert result.returncode == 1
    assert result.stdout == (
        "backlog/bad.yaml:1:1: error schema missing required key `id`\n"
        "  hint: add `id:` with a slug, e.g. `id: support-answer`\n"
        "backlog/bad.yaml:1:1: error schema missing required key `owner`\n"
        '  hint: add `owner:` with a team name or "@person", e.g. `owner: team-ai`\n'
        "backlog/bad.yaml:1:1: error schema missing required key `status`\n"
        "  hint: add `status: proposed` (then refined, ready, in-progress, done, deprecated)\n"
        "backlog/bad.yaml:1:1: error schema missing required key `title`\n"
        "  hint: add `title:` with a short name for the item\n"
        "backlog/bad.yaml:1:1: error schema missing required key `version`\n"
        '  hint: add `version: "0.1.0"` (quoted; SemVer of the item\'s `spec`)\n'
        "backlog/bad.yaml:2:7: error schema unknown kind `promt`\n"
        "  hint: did you mean `prompt`?\n"
        "\n"
        "backlog/dup.yaml:2:1: error yaml-syntax duplicate key `a` (first defined at line 1)\n"
        "  hint: YAML keys must be unique; remove or merge one of them\n"
        "\n"
        "backlog/prompts/p.yaml:9:10: error version-constraint `model/gpt-4o@^2.0` does not "
        "admit `model/gpt-4o` at version 1.3.0\n"
        "  hint: widen the range (e.g. `@^1.3` or `@~1.3.0`) after checking the change, or "
        "pin an older version of `model/gpt-4o`\n"
        "\n"
        "4 items checked: 8 errors, 0 warnings\n"
    )


def test_json_output_matches_its_published_schema(tmp_path: Path) -> None:
    root = broken_backlog(tmp_path)
    result = run_cli("check", "--format", "json", cwd=root / "backlog")
    assert result.returncode == 1
    payload = json.loads(result.stdout)
    schema = json.loads((REPO / "schemas" / "check-result.schema.json").read_text())
    Draft202012Validator(schema).validate(payload)
    assert list(payload) == ["version", "summary", "diagnostics", "waived"]
    assert payload["summary"] == {
        "items": 4,
        "errors": 8,
        "warnings": 0,
        "waived": 0,
        "baselined": 0,
        "stale_baseline": 0,
    }
    first = payload["diagnostics"][-1]
    assert first == {
        "rule": "version-constraint",
        "severity": "error",
        "path": "backlog/prompts/p.yaml",
        "line": 9,
        "column": 10,
        "item": "prompt/triage",
        "message": "`model/gpt-4o@^2.0` does not admit `model/gpt-4o` at version 1.3.0",
        "hint": first["hint"],
    }


def test_paths_limit_findings_but_graph_sees_everything(tmp_path: Path) -> None:
    root = broken_backlog(tmp_path)
    result = run_cli("check", "backlog/prompts/p.yaml", "--format", "json", cwd=root)
    payload = json.loads(result.stdout)
    assert {d["path"] for d in payload["diagnostics"]} == {"backlog/prompts/p.yaml"}
    assert payload["summary"]["items"] == 1
    # the model it references lives in another file and was still loaded
    assert payload["diagnostics"][0]["rule"] == "version-constraint"
    # a staged model reaches the prompt that references it: the broken range is reported
    folder = run_cli("check", "backlog/models", cwd=root)
    assert folder.returncode == 1 and "2 files checked, 2 items loaded: 1 error" in folder.stdout
    assert "backlog/prompts/p.yaml:9:10: error version-constraint" in folder.stdout
    missing = run_cli("check", "backlog/nope.yaml", cwd=root)
    assert missing.returncode == 2 and "no such file" in missing.stderr


def test_rule_selection(tmp_path: Path) -> None:
    root = broken_backlog(tmp_path)
    only = run_cli("check", "--rule", "yaml-syntax", "--format", "json", cwd=root)
    assert {d["rule"] for d in json.loads(only.stdout)["diagnostics"]} == {"yaml-syntax"}
    ignored = run_cli(
        "check",
        "--ignore-rule",
        "schema",
        "--ignore-rule",
        "yaml-syntax",
        "--format",
        "json",
        cwd=root,
    )
    assert {d["rule"] for d in json.loads(ignored.stdout)["diagnostics"]} == {"version-constraint"}
    unknown = run_cli("check", "--rule", "cycel", cwd=root)
    assert unknown.returncode == 2
    assert "unknown rule; did you mean `cycle`?" in unknown.stderr


def test_usage_errors_are_exit_2(tmp_path: Path) -> None:
    root = broken_backlog(tmp_path)
    assert run_cli("check", "--format", "yaml", cwd=root).returncode == 2
    assert run_cli("check", "--no-such-flag", cwd=root).returncode == 2
    assert run_cli("frobnicate", cwd=root).returncode == 2
    assert run_cli("check", "--root", str(root / "nope")).returncode == 2


def test_output_file_and_quiet(tmp_path: Path) -> None:
    root = broken_backlog(tmp_path)
    out = tmp_path / "report.json"
    result = run_cli("check", "--format", "json", "--output", str(out), cwd=root)
    assert result.returncode == 1
    assert json.loads(out.read_text())["summary"]["errors"] == 8
    assert result.stdout == "4 items checked: 8 errors, 0 warnings\n"
    quiet = run_cli("check", "-q", cwd=root)
    assert quiet.returncode == 1
    assert "items checked" not in quiet.stdout and "duplicate key" in quiet.stdout


def test_strict_and_clean_exit_codes(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {"backlog/m.yaml": item("model", "m")})
    clean = run_cli("check", cwd=root)
    assert clean.returncode == 0 and clean.stdout == "1 item checked: no problems\n"
    assert run_cli("check", "--strict", cwd=root).returncode == 0


def test_hostile_files_do_not_stop_the_run(tmp_path: Path) -> None:
    laughs = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]'] + [
        f"{n}: &{n} [" + ",".join([f"*{p}"] * 9) + "]"
        for p, n in zip("abcdefgh", "bcdefghi", strict=True)
    ]
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/laughs.yaml": "\n".join(laughs) + "\n",
            "backlog/deep.yaml": "a: " + "[" * 5000 + "]" * 5000 + "\n",
            "backlog/utf.yaml": b"title: \xc3\x28\n",
            "backlog/empty.yaml": "",
            "backlog/multi.yaml": "a: 1\n---\nb: 2\n",
            "backlog/list.yaml": "- 1\n",
            "backlog/tag.yaml": "a: !!python/object/apply:os.system ['true']\n",
            "backlog/big.yaml": "a: " + "x" * (1024 * 1024 + 10) + "\n",
            "backlog/nul.yaml": b"a: b\x00c\n",
            "backlog/good.yaml": item("model", "m", extra="statuss: x"),
        },
    )
    os.mkfifo(root / "backlog" / "pipe.yaml")
    result = run_cli("check", "--format", "json", cwd=root)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    payload = json.loads(result.stdout)
    by_path = {d["path"]: d for d in payload["diagnostics"]}
    assert set(by_path) == {
        f"backlog/{n}.yaml"
        for n in (
            "laughs",
            "deep",
            "utf",
            "empty",
            "multi",
            "list",
            "tag",
            "big",
            "nul",
            "good",
            "pipe",
        )
    }
    assert by_path["backlog/good.yaml"]["rule"] == "schema"
    assert by_path["backlog/pipe.yaml"]["severity"] == "warning"
    assert "byte offset 7" in by_path["backlog/utf.yaml"]["message"]


def test_list_and_show(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/m.yaml": item("model", "gpt-4o", version="1.3.0", status="ready"),
            "backlog/p.yaml": item("prompt", "triage", spec="model: model/gpt-4o@^1.2"),
            "backlog/a.yaml": item("agent", "bot", spec="prompts: [prompt/triage]"),
        },
    )
    listed = run_cli("list", cwd=root)
    assert listed.returncode == 0
    assert listed.stdout.splitlines()[0].split() == [
        "agent/bot",
        "1.0.0",
        "proposed",
        "team-ai",
        "backlog/a.yaml",
    ]
    as_json = json.loads(run_cli("list", "--kind", "model", "--format", "json", cwd=root).stdout)
    schema = json.loads((REPO / "schemas" / "list-result.schema.json").read_text())
    Draft202012Validator(schema).validate(as_json)
    assert [i["key"] for i in as_json["items"]] == ["model/gpt-4o"]
    assert run_cli("list", "--kind", "modle", cwd=root).returncode == 2

    shown = run_cli("show", "prompt/triage", cwd=root)
    assert shown.returncode == 0
    assert "spec.model: model/gpt-4o@^1.2 -> 1.3.0 [ready]" in shown.stdout
    assert "agent/bot (spec.prompts)" in shown.stdout
    by_id = run_cli("show", "triage", "--format", "json", cwd=root)
    shown_json = json.loads(by_id.stdout)
    show_schema = json.loads((REPO / "schemas" / "show-result.schema.json").read_text())
    Draft202012Validator(show_schema).validate(shown_json)
    assert shown_json["upstream"][0]["admitted"] is True
    unknown = run_cli("show", "prompt/traige", cwd=root)
    assert unknown.returncode == 2
    assert "did you mean `prompt/triage`?" in unknown.stderr


def test_version_and_help() -> None:
    version = subprocess.run(
        [sys.executable, "-m", "backlog_cli.cli", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    from backlog_cli import __version__

    assert version.stdout == f"backlog {__version__}\n"
    help_text = run_cli("check", "--help")
    assert help_text.returncode == 0 and "--ignore-rule" in help_text.stdout


HEAVY = ("pydantic", "jsonschema", "rich", "yaml", "backlog_cli.git", "backlog_cli.loader")


def _imported(args: list[str], env: dict[str, str] | None = None) -> tuple[set[str], str]:
    """The modules a real `backlog ARGS` run imports (by `-X importtime`), and its output."""
    # started as `backlog` (the name shell completion is keyed by), like the installed script
    start = "import sys; sys.argv[0] = 'backlog'; from backlog_cli.cli import main; main()"
    result = subprocess.run(
        [sys.executable, "-X", "importtime", "-c", start, *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "import time:" in result.stderr
    modules = {
        line.rsplit("|", 1)[1].strip()
        for line in result.stderr.splitlines()
        if line.startswith("import time:") and "|" in line
    }
    return modules, result.stdout


@pytest.mark.parametrize(
    "args",
    [["--version"], ["--help"], ["check", "--help"], ["diff", "--help"], ["lineage", "--help"]],
)
def test_version_help_and_completion_stay_light(args: list[str]) -> None:
    from backlog_cli.cli import typer_patch

    if not typer_patch.COERCION_DEFERRED and args[0] != "--version":
        pytest.skip("this typer has no hook to defer parameter coercion")
    imported, out = _imported(args)
    assert out.strip()
    assert not imported & set(HEAVY), imported & set(HEAVY)
    # and the same for a completion request of a command's options
    completion, offered = _imported(
        [],
        {
            "_BACKLOG_COMPLETE": "complete_bash",
            "COMP_WORDS": "backlog check --f",
            "COMP_CWORD": "2",
        },
    )
    assert not completion & set(HEAVY), completion & set(HEAVY)
    assert offered.split() == ["--format"]  # the request really ran through the CLI


def test_a_warm_check_imports_neither_pydantic_nor_jsonschema(tmp_path: Path) -> None:
    """A pre-commit run with a warm cache: option parsing and the cached result need no
    validation library (typer's own converters for str/bool/Path, and no rule runs)."""
    from backlog_cli.cli import typer_patch

    if not typer_patch.COERCION_DEFERRED:
        pytest.skip("this typer has no hook to defer parameter coercion")
    root = write_backlog(tmp_path / "repo", {"backlog/m.yaml": item("model", "m")})
    args = ["check", "--root", str(root), "--format", "json", str(root / "backlog/m.yaml")]
    first, _ = _imported(args)
    assert "jsonschema" in first  # the cold run validated the file
    warm, out = _imported(args)
    assert json.loads(out)["summary"]["items"] == 1
    assert not warm & {"pydantic", "jsonschema"}, warm & {"pydantic", "jsonschema"}


def test_rules_command_documents_each_rule() -> None:
    result = run_cli("rules")
    assert result.returncode == 0
    for rule in (
        "yaml-syntax",
        "schema",
        "duplicate-id",
        "unknown-reference",
        "version-constraint",
        "cycle",
    ):
        assert f"{rule}:" in result.stdout
    assert result.stdout.count("Failing") >= 6 and result.stdout.count("Passing") >= 6


def test_symlink_leaving_the_repository_is_not_read(tmp_path: Path) -> None:
    secret = tmp_path / "outside.yaml"
    secret.write_text("password: hunter2-very-secret\n", encoding="utf-8")
    root = write_backlog(tmp_path / "repo", {"backlog/m.yaml": item("model", "m")})
    (root / "backlog" / "leak.yaml").symlink_to(secret)
    (root / "backlog" / "inside.yaml").symlink_to(root / "backlog" / "m.yaml")
    result = run_cli("check", cwd=root)
    assert "hunter2" not in result.stdout + result.stderr
    assert "backlog/leak.yaml:1:1: warning yaml-syntax symlink points outside" in result.stdout
    # the in-repository link is read (and so duplicates model/m)
    assert "duplicate-id" in result.stdout


def test_paths_reach_templates_config_and_direct_referrers(tmp_path: Path) -> None:
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/p/triage.yaml": item(
                "prompt",
                "triage",
                spec="template_file: t/triage.j2\ninputs: {ticket: {type: string}}",
            ),
            "backlog/p/t/triage.j2": "{{ ticket }} {{ undeclared }}",
            "backlog/policy.yaml": item("policy", "pii", version="3.0.0"),
            "backlog/agent.yaml": item("agent", "a", extra="safety: {policies: ['policy/pii@^2']}"),
            "backlog/other.yaml": item("model", "m", status="ready"),
        },
    )
    template = run_cli("check", "backlog/p/t/triage.j2", "--format", "json", cwd=root)
    found = {(d["rule"], d["item"]) for d in json.loads(template.stdout)["diagnostics"]}
    assert found == {("template-inputs", "prompt/triage")}
    policy = run_cli("check", "backlog/policy.yaml", "--format", "json", cwd=root)
    found = {(d["rule"], d["item"]) for d in json.loads(policy.stdout)["diagnostics"]}
    assert found == {("version-constraint", "agent/a")}  # in the unchanged referrer's file
    config = run_cli("check", "backlog.yaml", "--format", "json", cwd=root)
    assert json.loads(config.stdout)["summary"]["items"] == 4  # the config: everything
    assert ("readiness", "model/m") in {
        (d["rule"], d["item"]) for d in json.loads(config.stdout)["diagnostics"]
    }


def test_huge_files_and_device_files_are_findings(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {"backlog/good.yaml": item("model", "m")})
    with open(root / "backlog/huge.yaml", "wb") as handle:  # 50 MB, never read whole
        handle.truncate(50 * 1024 * 1024)
    (root / "backlog/line.yaml").write_text("a: " + "x" * (2 * 1024 * 1024) + "\n")
    (root / "backlog/zero.yaml").symlink_to("/dev/zero")
    result = run_cli("check", "--format", "json", cwd=root)
    assert result.returncode == 1, result.stderr
    by_path = {d["path"]: d for d in json.loads(result.stdout)["diagnostics"]}
    assert "over the 1048576-byte cap" in by_path["backlog/huge.yaml"]["message"]
    assert "over the 1048576-byte cap" in by_path["backlog/line.yaml"]["message"]
    assert by_path["backlog/zero.yaml"]["severity"] == "warning"
    assert "outside the repository; not read" in by_path["backlog/zero.yaml"]["message"]
    assert "backlog/good.yaml" not in by_path


def test_a_device_node_in_the_item_tree_is_skipped(tmp_path: Path) -> None:
    import stat

    root = write_backlog(tmp_path / "repo", {"backlog/good.yaml": item("model", "m")})
    try:
        os.mknod(root / "backlog/zero.yaml", stat.S_IFCHR | 0o600, os.makedev(1, 5))
    except (PermissionError, OSError):
        pytest.skip("creating a device node needs root")
    result = run_cli("check", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stdout
    (finding,) = json.loads(result.stdout)["diagnostics"]
    assert finding["path"] == "backlog/zero.yaml" and finding["severity"] == "warning"
    assert "not a regular file; skipped" in finding["message"]
