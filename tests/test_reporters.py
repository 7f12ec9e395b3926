"""The CI reporters (sarif, github, junit, markdown) via the real CLI, read by real consumers.

One backlog holds an error, a warning, a waived finding, a file that fails to load and paths
with spaces, non-ASCII letters and the characters workflow commands must escape.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any
from urllib.parse import unquote

import jsonschema
import pytest
from junitparser import Attr, JUnitXml, TestCase

from backlog_cli import __version__
from backlog_cli.diagnostic import Diagnostic
from backlog_cli.engine import CheckResult
from backlog_cli.report import Format, render
from backlog_cli.report.github import escape_data, escape_property
from backlog_cli.report.markdown import cell
from backlog_cli.report.sarif import fingerprint
from tests.conftest import item, require, run_cli, write_backlog

DATA = Path(__file__).parent / "data"
ENV = {"BACKLOG_TODAY": "2026-11-26"}
TRIAGE = "backlog/agents/triage agent.yaml"
ODD = "backlog/odd, 100%: ñ.yaml"
FILES: dict[str, str | bytes] = {
    TRIAGE: item("agent", "triage", spec="prompts: [prompt/legacy]\ntools: [tool/missing]"),
    "backlog/prompts/légacy.yaml": item("prompt", "legacy", status="deprecated"),
    "backlog/agents/waived.yaml": item("agent", "waived", spec="tools: [tool/gone]"),
    ODD: item("agent", "odd", spec="tools: [tool/x]"),
    "backlog/broken.yaml": "id: [unclosed\n",
}
CONFIG = """\
waivers:
  - rule: unknown-reference
    item: agent/waived
    reason: the tool lands next sprint
    expires: 2027-01-31
"""
SUMMARY = "5 items checked: 3 errors, 1 warning (1 waived)"
DEPRECATED = "`agent/triage` depends on `prompt/legacy`, which is deprecated"
DEPRECATED_HINT = "move `spec.prompts` to a successor of `prompt/legacy`"
MISSING = "`spec.tools` references `tool/missing`, which does not exist"
MISSING_HINT = (
    "no tool item has id `missing`; create it with `backlog new tool missing` or fix the reference"
)
X = "`spec.tools` references `tool/x`, which does not exist"
X_HINT = "no tool item has id `x`; create it with `backlog new tool x` or fix the reference"
GONE = "`spec.tools` references `tool/gone`, which does not exist"
GONE_HINT = (
    "no tool item has id `gone`; create it with `backlog new tool gone` or fix the reference"
)
BROKEN = "the bracket `[` opened at line 1, column 5 is never closed"  # issue 14: where it opened
BROKEN_HINT = "close it: `id: [unclosed]`"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    return write_backlog(tmp_path / "repo", FILES, config=CONFIG)


def check(root: Path, *args: str, env: dict[str, str] | None = None) -> str:
    result = run_cli("check", *args, cwd=root, env={**ENV, **(env or {})})
    assert result.returncode == 1, result.stderr
    return result.stdout


def sarif(root: Path) -> Any:
    return json.loads(check(root, "--format", "sarif"))


def results(log: Any) -> list[Any]:
    assert len(log["runs"]) == 1
    found: list[Any] = log["runs"][0]["results"]
    return found


# --- sarif -----------------------------------------------------------------------------------


def test_sarif_is_valid_against_the_official_schema(repo: Path) -> None:
    log = sarif(repo)
    schema = json.loads((DATA / "sarif-2.1.0-rtm.5.json").read_text(encoding="utf-8"))
    assert schema["$schema"] == "http://json-schema.org/draft-04/schema#"
    errors = [e.message for e in jsonschema.Draft4Validator(schema).iter_errors(log)]
    assert errors == []
    # the schema's `format: uri-reference` is not enforced by jsonschema without extras
    for result in results(log):
        uri = result["locations"][0]["physicalLocation"]["artifactLocation"]["uri"]
        assert re.fullmatch(r"[A-Za-z0-9\-._~!$&'()*+,;=@/%]+", uri), uri


def test_sarif_run_rules_and_results(repo: Path) -> None:
    log = sarif(repo)
    assert log["$schema"] == "https://json.schemastore.org/sarif-2.1.0.json"
    assert log["version"] == "2.1.0"
    run = log["runs"][0]
    driver = run["tool"]["driver"]
    assert (driver["name"], driver["version"], driver["semanticVersion"]) == (
        "backlog",
        __version__,
        __version__,
    )
    assert driver["informationUri"].startswith("https://")
    assert run["originalUriBaseIds"] == {"%SRCROOT%": {"uri": repo.resolve().as_uri() + "/"}}
    assert run["columnKind"] == "unicodeCodePoints"
    assert run["automationDetails"] == {"id": "backlog-check/"}

    rules = driver["rules"]
    assert [r["id"] for r in rules] == ["yaml-syntax", "unknown-reference", "status-consistency"]
    status = rules[2]
    assert status["name"] == "StatusConsistency"
    assert status["shortDescription"] == {
        "text": "an item's status does not fit the statuses of what it depends on."
    }
    assert status["fullDescription"]["text"].startswith(
        "An item at `ready` or later that depends on a `proposed` item is an error: it cannot"
    )
    assert status["fullDescription"]["text"].endswith("plan the migration.")
    assert status["help"]["text"].startswith("status-consistency: an item's status")
    assert "Failing:" in status["help"]["markdown"] and "Passing:" in status["help"]["markdown"]
    assert status["defaultConfiguration"] == {"level": "error"}
    assert status["properties"] == {"tags": ["backlog"]}

    odd = "backlog/odd%2C%20100%25%3A%20%C3%B1.yaml"
    rows = [
        (
            r["ruleId"],
            rules[r["ruleIndex"]]["id"],
            r["level"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uri"],
            r["locations"][0]["physicalLocation"]["artifactLocation"]["uriBaseId"],
            r["locations"][0]["physicalLocation"]["region"],
            r["message"]["text"],
            r.get("suppressions"),
        )
        for r in results(log)
    ]
    region = {"startLine": 9, "startColumn": 11}
    waived = [{"kind": "external", "status": "accepted", "justification": "waived in backlog.yaml"}]
    assert rows == [
        (
            "status-consistency",
            "status-consistency",
            "warning",
            "backlog/agents/triage%20agent.yaml",
            "%SRCROOT%",
            {"startLine": 9, "startColumn": 13},
            f"{DEPRECATED}\nhint: {DEPRECATED_HINT}",
            None,
        ),
        (
            "unknown-reference",
            "unknown-reference",
            "error",
            "backlog/agents/triage%20agent.yaml",
            "%SRCROOT%",
            {"startLine": 10, "startColumn": 11},
            f"{MISSING}\nhint: {MISSING_HINT}",
            None,
        ),
        (
            "unknown-reference",
            "unknown-reference",
            "error",
            "backlog/agents/waived.yaml",
            "%SRCROOT%",
            region,
            f"{GONE}\nhint: {GONE_HINT}",
            waived,
        ),
        (
            "yaml-syntax",
            "yaml-syntax",
            "error",
            "backlog/broken.yaml",
            "%SRCROOT%",
            {"startLine": 1, "startColumn": 5},  # the `[` that never closes
            f"{BROKEN}\nhint: {BROKEN_HINT}",
            None,
        ),
        (
            "unknown-reference",
            "unknown-reference",
            "error",
            odd,
            "%SRCROOT%",
            region,
            f"{X}\nhint: {X_HINT}",
            None,
        ),
    ]
    assert unquote(odd) == ODD


def test_sarif_without_a_root_has_no_base_uri() -> None:
    result = CheckResult((Diagnostic("a b.yaml", 1, 1, "schema", "error", "bad"),), items=1)
    run = json.loads(render(Format.sarif, result))["runs"][0]
    assert "originalUriBaseIds" not in run
    assert run["results"][0]["locations"][0]["physicalLocation"]["artifactLocation"] == {
        "uri": "a%20b.yaml",
        "uriBaseId": "%SRCROOT%",
    }
    rooted = json.loads(render(Format.sarif, result, root="/srv/my repo"))["runs"][0]
    assert rooted["originalUriBaseIds"] == {"%SRCROOT%": {"uri": "file:///srv/my%20repo/"}}


def _fingerprints(log: Any) -> dict[tuple[str, str], str]:
    out: dict[tuple[str, str], str] = {}
    for r in results(log):
        key = (r["ruleId"], r.get("properties", {}).get("item", ""))
        out[key] = r["partialFingerprints"]["backlogFinding/v1"]
    return out


def test_sarif_fingerprints_survive_a_file_move(repo: Path) -> None:
    before = sarif(repo)
    moved = repo / "backlog/renamed/tríage agent.yaml"
    moved.parent.mkdir()
    # what `git mv` does to the working tree, plus a comment that shifts every line
    text = (repo / TRIAGE).read_text(encoding="utf-8")
    moved.write_text("# moved\n" + text, encoding="utf-8")
    (repo / TRIAGE).unlink()
    after = sarif(repo)

    old, new = _fingerprints(before), _fingerprints(after)
    for key in [("unknown-reference", "agent/triage"), ("status-consistency", "agent/triage")]:
        assert old[key] == new[key], key
    assert old == new
    locations = [r["locations"][0]["physicalLocation"] for r in results(after)]
    assert {
        "artifactLocation": {
            "uri": "backlog/renamed/tr%C3%ADage%20agent.yaml",
            "uriBaseId": "%SRCROOT%",
        },
        "region": {"startLine": 11, "startColumn": 11},
    } in locations
    assert len(set(old.values())) == len(old) == 5
    assert all(re.fullmatch(r"[0-9a-f]{32}", f) for f in old.values())


def test_fingerprint_ignores_line_numbers_but_not_the_finding() -> None:
    def d(message: str, item: str | None = "prompt/a", path: str = "a.yaml") -> Diagnostic:
        return Diagnostic(path, 3, 1, "template-inputs", "error", message, item)

    one = fingerprint(d("template uses `x` (line 3 of the template)"))
    assert one == fingerprint(d("template uses `x` (line 12 of the template)"))
    assert one == fingerprint(d("template uses `x` (line 3 of the template)", path="b/c.yaml"))
    assert one != fingerprint(d("template uses `y` (line 3 of the template)"))
    assert one != fingerprint(d("template uses `x` (line 3 of the template)", item="prompt/b"))
    assert fingerprint(d("also at a.yaml:3:4", None)) == fingerprint(d("also at a.yaml:9:1", None))
    # without an item the path is the identity
    assert fingerprint(d("m", None, "a.yaml")) != fingerprint(d("m", None, "b.yaml"))
    assert fingerprint(d("m"), 1) != fingerprint(d("m"))


def _multitool() -> Path | None:
    """Microsoft's SARIF Multitool: $SARIF_MULTITOOL, else where `.ci/run` or a dev put it."""
    configured = os.environ.get("SARIF_MULTITOOL")
    if configured:
        if not os.access(configured, os.X_OK):
            pytest.fail(f"SARIF_MULTITOOL={configured} is not an executable file")
        return Path(configured)
    package = "node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool"
    for prefix in (Path("/tmp/sarif-tool"), Path(__file__).parents[1], Path.cwd()):
        if os.access(prefix / package, os.X_OK):
            return prefix / package
    launcher = shutil.which("sarif-multitool-linux") or ""
    # node_modules/.bin/sarif-multitool-linux -> bin.js beside the binary (it runs it via a
    # shell, which would split paths with spaces: call the binary itself)
    beside = Path(launcher).resolve().with_name("Sarif.Multitool") if launcher else None
    return beside if beside is not None and os.access(beside, os.X_OK) else None


def _validate(tool: Path, log: Path) -> list[str]:
    """The errors and warnings of `Sarif.Multitool validate`, SARIF and GitHub rules both."""
    out = log.with_suffix(".validation.sarif")
    done = subprocess.run(
        [
            *(str(tool), "validate", str(log), "--output", str(out), "--log", "ForceOverwrite"),
            *("--level", "Error;Warning", "--rule-kind", "Sarif;Gh"),
        ],
        cwd=log.parent,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(out.read_text(encoding="utf-8-sig"))
    return [f"{r['ruleId']}: {r['message'].get('arguments')}" for r in report["runs"][0]["results"]]


def test_sarif_is_accepted_by_the_sarif_multitool(repo: Path, tmp_path: Path) -> None:
    tool = require(
        _multitool(), "SARIF Multitool not installed (npm install @microsoft/sarif-multitool-linux)"
    )
    log = tmp_path / "out" / "backlog.sarif"
    done = run_cli("check", "--format", "sarif", "--output", str(log), cwd=repo, env=ENV)
    assert done.returncode == 1 and done.stdout == SUMMARY + "\n"
    assert _validate(tool, log) == []
    # the validator does reject what GitHub would: a result without a location
    broken = json.loads(log.read_text(encoding="utf-8"))
    del broken["runs"][0]["results"][0]["locations"]
    bad = tmp_path / "out" / "broken.sarif"
    bad.write_text(json.dumps(broken), encoding="utf-8")
    assert any(line.startswith("GH") for line in _validate(tool, bad))


# --- github ----------------------------------------------------------------------------------


def test_github_annotations_exact(repo: Path) -> None:
    triage = "file=backlog/agents/triage agent.yaml"
    assert check(repo, "--format", "github").splitlines() == [
        f"::warning {triage},line=9,col=13,title=status-consistency::"
        f"{DEPRECATED}%0Ahint: {DEPRECATED_HINT}",
        f"::error {triage},line=10,col=11,title=unknown-reference::"
        f"{MISSING}%0Ahint: {MISSING_HINT}",
        f"::error file=backlog/broken.yaml,line=1,col=5,title=yaml-syntax::"
        f"{BROKEN}%0Ahint: {BROKEN_HINT}",
        "::error file=backlog/odd%2C 100%25%3A ñ.yaml,line=9,col=11,title=unknown-reference::"
        f"{X}%0Ahint: {X_HINT}",
        SUMMARY,
    ]


def test_github_escaping_follows_the_actions_toolkit() -> None:
    assert escape_data("100%: a,b\r\nc%0A") == "100%25: a,b%0D%0Ac%250A"
    assert escape_property("100%: a,b\r\nc%0A") == "100%25%3A a%2Cb%0D%0Ac%250A"
    result = CheckResult(
        (Diagnostic("a:b,c.yaml", 2, 3, "schema", "warning", "50% off\nnow", None, "x, y: z"),),
        items=1,
    )
    assert render(Format.github, result, quiet=True) == (
        "::warning file=a%3Ab%2Cc.yaml,line=2,col=3,title=schema::50%25 off%0Anow%0Ahint: x, y: z\n"
    )


def _run_under_actions(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    # conftest.run_cli removes GITHUB_ACTIONS so that no other test depends on the CI runner
    env = {**os.environ, **ENV, "NO_COLOR": "1", "GITHUB_ACTIONS": "true"}
    return subprocess.run(
        [sys.executable, "-m", "backlog_cli.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_format_defaults_to_github_under_github_actions(repo: Path) -> None:
    actions = _run_under_actions("check", cwd=repo)
    assert actions.returncode == 1
    assert actions.stdout == check(repo, "--format", "github")
    assert actions.stdout.startswith("::warning file=")
    explicit = _run_under_actions("check", "--format", "text", cwd=repo)
    assert explicit.stdout == check(repo) and explicit.stdout.startswith(f"{TRIAGE}:9:13: warning")


# --- junit -----------------------------------------------------------------------------------


class FileCase(TestCase):
    file = Attr()


def _junit(root: Path, tmp_path: Path, *args: str) -> JUnitXml:
    report = tmp_path / "junit.xml"
    report.write_text(check(root, "--format", "junit", *args), encoding="utf-8")
    assert report.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n')
    return JUnitXml.fromfile(str(report))


def _cases(xml: JUnitXml) -> list[FileCase]:
    (suite,) = list(xml)
    return list(suite.iterchildren(FileCase))  # type: ignore[no-untyped-call]


def test_junit_one_case_per_file_checked(repo: Path, tmp_path: Path) -> None:
    xml = _junit(repo, tmp_path)
    (suite,) = list(xml)
    assert (suite.name, suite.tests, suite.failures, suite.errors, suite.skipped) == (
        "backlog check",
        5,
        3,
        0,
        0,
    )
    cases = _cases(xml)
    assert [(c.classname, c.name, c.file) for c in cases] == [
        ("agent", "agent/triage", TRIAGE),
        ("agent", "agent/waived", "backlog/agents/waived.yaml"),
        ("file", "backlog/broken.yaml", "backlog/broken.yaml"),
        ("agent", "agent/odd", ODD),
        ("prompt", "prompt/legacy", "backlog/prompts/légacy.yaml"),
    ]
    failures = {c.name: [(r.type, r.message, r.text) for r in c.result] for c in cases}
    assert failures == {
        "agent/triage": [
            (
                "unknown-reference",
                MISSING,
                f"{TRIAGE}:10:11: error unknown-reference {MISSING}\n  hint: {MISSING_HINT}",
            )
        ],
        "agent/waived": [],
        "backlog/broken.yaml": [
            (
                "yaml-syntax",
                BROKEN,
                f"backlog/broken.yaml:1:5: error yaml-syntax {BROKEN}\n  hint: {BROKEN_HINT}",
            )
        ],
        "agent/odd": [
            ("unknown-reference", X, f"{ODD}:9:11: error unknown-reference {X}\n  hint: {X_HINT}")
        ],
        "prompt/legacy": [],
    }
    notes = {c.name: c.system_out for c in cases}
    assert notes["agent/triage"] == (
        f"{TRIAGE}:9:13: warning status-consistency {DEPRECATED}\n  hint: {DEPRECATED_HINT}"
    )
    assert notes["agent/waived"] == (
        "waived: backlog/agents/waived.yaml:9:11: error unknown-reference "
        f"{GONE}\n  hint: {GONE_HINT}"
    )
    assert notes["prompt/legacy"] is None and notes["agent/odd"] is None


def test_junit_strict_fails_on_warnings_and_scope_narrows_cases(repo: Path, tmp_path: Path) -> None:
    (triage,) = [c for c in _cases(_junit(repo, tmp_path, "--strict")) if c.name == "agent/triage"]
    (failure,) = triage.result
    assert failure.type == "status-consistency,unknown-reference"
    assert failure.message == f"{DEPRECATED} (and 1 more)"
    assert failure.text.splitlines()[0].startswith(f"{TRIAGE}:9:13: warning status-consistency")
    assert triage.system_out is None
    only = _cases(_junit(repo, tmp_path, "backlog/broken.yaml"))
    assert [c.name for c in only] == ["backlog/broken.yaml"]
    selected = _cases(_junit(repo, tmp_path, "--select", "agent/odd"))
    assert [(c.name, c.file) for c in selected] == [("agent/odd", ODD)]


def test_junit_escapes_markup_and_control_characters(tmp_path: Path) -> None:
    message = 'a <b> & "c"\x01'
    result = CheckResult((Diagnostic("x.yaml", 1, 2, "secret", "error", message, "tool/t"),), 1)
    report = tmp_path / "j.xml"
    report.write_text(render(Format.junit, result), encoding="utf-8")
    (case,) = _cases(JUnitXml.fromfile(str(report)))
    assert (case.classname, case.name, case.file) == ("tool", "tool/t", "x.yaml")
    assert case.result[0].message == 'a <b> & "c"\\x01'


# --- markdown and --summary ------------------------------------------------------------------


def test_markdown_table_exact(repo: Path) -> None:
    def link(path: str, quoted: str, line: int) -> str:
        return f"[{path}:{line}]({quoted}#L{line})"

    triage = "backlog/agents/triage%20agent.yaml"
    odd = "backlog/odd%2C%20100%25%3A%20%C3%B1.yaml"
    assert check(repo, "--format", "markdown").splitlines() == [
        "## backlog check",
        "",
        "| items | errors | warnings | waived |",
        "|---:|---:|---:|---:|",
        "| 5 | 3 | 1 | 1 |",
        "",
        "| severity | rule | item | location | message |",
        "|---|---|---|---|---|",
        f"| warning | status-consistency | agent/triage | {link(TRIAGE, triage, 9)} | "
        f"{DEPRECATED}<br>hint: {DEPRECATED_HINT} |",
        f"| error | unknown-reference | agent/triage | {link(TRIAGE, triage, 10)} | "
        f"{MISSING}<br>hint: {MISSING_HINT} |",
        f"| error | yaml-syntax |  | {link('backlog/broken.yaml', 'backlog/broken.yaml', 1)} | "
        f"{BROKEN}<br>hint: {BROKEN_HINT} |",
        f"| error | unknown-reference | agent/odd | {link(ODD, odd, 9)} | {X}<br>hint: {X_HINT} |",
        "",
        "### Waived (1)",
        "",
        "| severity | rule | item | location | message |",
        "|---|---|---|---|---|",
        "| error | unknown-reference | agent/waived | "
        f"{link('backlog/agents/waived.yaml', 'backlog/agents/waived.yaml', 9)} | "
        f"{GONE}<br>hint: {GONE_HINT} |",
    ]


def test_markdown_escapes_cells_and_says_when_clean(tmp_path: Path) -> None:
    assert cell("a | b\nc\r\nd") == "a \\| b<br>c<br>d"
    result = CheckResult((Diagnostic("a|b.yaml", 4, 1, "schema", "error", "x|y", None),), 1)
    assert render(Format.markdown, result).splitlines()[-1] == (
        "| error | schema |  | [a\\|b.yaml:4](a%7Cb.yaml#L4) | x\\|y |"
    )
    root = write_backlog(tmp_path / "clean", {"backlog/a.yaml": item("agent", "a")})
    clean = run_cli("check", "--format", "markdown", cwd=root, env=ENV)
    assert clean.returncode == 0
    assert clean.stdout.splitlines()[-3:] == ["| 1 | 0 | 0 | 0 |", "", "No problems found."]


def test_summary_appends_to_the_step_summary(repo: Path, tmp_path: Path) -> None:
    step = tmp_path / "step-summary.md"
    step.write_text("earlier step\n", encoding="utf-8")
    markdown = check(repo, "--format", "markdown")
    env = {"GITHUB_STEP_SUMMARY": str(step)}
    assert check(repo, "--summary", env=env) == check(repo)
    assert step.read_text(encoding="utf-8") == "earlier step\n" + markdown
    check(repo, "--summary", "--format", "json", env=env)
    assert step.read_text(encoding="utf-8") == "earlier step\n" + markdown + markdown


def test_summary_without_the_variable_only_notes_it(repo: Path) -> None:
    result = run_cli("check", "--summary", cwd=repo, env={**ENV, "GITHUB_STEP_SUMMARY": ""})
    assert result.returncode == 1
    assert result.stdout == check(repo)
    assert result.stderr == "backlog: --summary: GITHUB_STEP_SUMMARY is not set; skipped\n"


# --- --output --------------------------------------------------------------------------------


@pytest.mark.parametrize("fmt", [f.value for f in Format])
def test_output_file_for_every_format_leaves_the_summary_line(
    repo: Path, tmp_path: Path, fmt: str
) -> None:
    out = tmp_path / "reports" / f"report.{fmt}"
    result = run_cli("check", "--format", fmt, "--output", str(out), cwd=repo, env=ENV)
    assert result.returncode == 1
    assert result.stdout == SUMMARY + "\n"
    assert out.read_text(encoding="utf-8") == check(repo, "--format", fmt)
