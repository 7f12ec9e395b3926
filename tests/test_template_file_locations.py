"""template-inputs (issue 13 §5): a finding about a template FILE is located in that file, at
the line and column of the name, in every format, with the item that uses the template as a
related location; scope, hook, baselines, waivers and the cache treat it as the item's."""

from __future__ import annotations

import json
from pathlib import Path

from tests.conftest import git, item, require, run_cli, write_backlog
from tests.test_reporters import _multitool, _validate

ITEM = "backlog/prompts/triage.yaml"
TEMPLATE = "backlog/prompts/templates/triage.j2"
TRIAGE = item(
    "prompt",
    "triage",
    spec="""
    template_file: templates/triage.j2
    inputs:
      subject: {type: string, required: true}
    """,
)
# `customer_tier` is at line 3, column 15 (after the literal word `tier`)
SOURCE = "Classify the ticket.\n\nTier: tier {{ customer_tier }}\nSubject: {{ subject }}\n"
MESSAGE = (
    "template `templates/triage.j2` uses `customer_tier` (line 3), which is not declared in "
    "`spec.inputs`"
)
HINT = (
    "declare it under `spec.inputs` with its type (`customer_tier: {type: string, required: "
    "true}`), or remove it from the template"
)
NOTE = "inputs declared in `prompt/triage` (`spec.inputs`), without `customer_tier`"


def repo(root: Path, files: dict[str, str] | None = None, config: str = "") -> Path:
    write_backlog(root, files or {ITEM: TRIAGE, TEMPLATE: SOURCE}, config=config)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "backlog")
    return root


def check(root: Path, *args: str) -> str:
    done = run_cli("check", "--rule", "template-inputs", *args, cwd=root)
    assert done.stderr == ""
    return done.stdout


def test_text_json_github_junit_markdown_locate_it_in_the_template(tmp_path: Path) -> None:
    root = repo(tmp_path / "r")
    assert check(root, "--no-cache") == (
        f"{TEMPLATE}:3:15: error template-inputs {MESSAGE}\n"
        f"  hint: {HINT}\n"
        f"  note: {ITEM}:10:3: {NOTE}\n"
        "\n"
        "1 item checked: 1 error, 0 warnings\n"
    )
    [finding] = json.loads(check(root, "--no-cache", "--format", "json"))["diagnostics"]
    assert finding == {
        "rule": "template-inputs",
        "severity": "error",
        "path": TEMPLATE,
        "line": 3,
        "column": 15,
        "item": "prompt/triage",
        "message": MESSAGE,
        "hint": HINT,
        "related_locations": [{"path": ITEM, "line": 10, "column": 3, "message": NOTE}],
    }
    assert check(root, "--no-cache", "--format", "github").splitlines() == [
        f"::error file={TEMPLATE},line=3,col=15,title=template-inputs::{MESSAGE}"
        f"%0Ahint: {HINT}%0Anote: {ITEM}%3A10%3A3: {NOTE}".replace("%3A", ":"),
        "1 item checked: 1 error, 0 warnings",
    ]
    junit = check(root, "--no-cache", "--format", "junit")
    assert (
        f'<testcase classname="prompt" name="prompt/triage" file="{ITEM}">\n'
        f'      <failure type="template-inputs" message="{MESSAGE}">'
        f"{TEMPLATE}:3:15: error template-inputs {MESSAGE}\n"
        f"  hint: {HINT}\n"
        f"  note: {ITEM}:10:3: {NOTE}</failure>\n"
    ) in junit
    markdown = check(root, "--no-cache", "--format", "markdown", "--link-base", "https://x.io/b")
    assert markdown.splitlines()[-1] == (
        "| error | template-inputs | prompt/triage | "
        f"[{TEMPLATE}:3](https://x.io/b/{TEMPLATE}#L3) | template `templates/triage.j2` uses "
        "`customer_tier` (line 3), which is not declared in `spec.inputs`<br>hint: declare it "
        "under `spec.inputs` with its type (`customer_tier: {type: string, required: true}`), "
        "or remove it from the template<br>"
        f"see [{ITEM}:10](https://x.io/b/{ITEM}#L10): inputs declared in `prompt/triage` "
        "(`spec.inputs`), without `customer_tier` |"
    )


def test_sarif_relates_the_item_and_passes_the_multitool(tmp_path: Path) -> None:
    root = repo(tmp_path / "r")
    log = tmp_path / "out" / "backlog.sarif"
    check(root, "--no-cache", "--format", "sarif", "--output", str(log))
    [result] = json.loads(log.read_text(encoding="utf-8"))["runs"][0]["results"]
    assert result["locations"] == [
        {
            "physicalLocation": {
                "artifactLocation": {"uri": TEMPLATE, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 3, "startColumn": 15},
            }
        }
    ]
    assert result["relatedLocations"] == [
        {
            "id": 0,
            "physicalLocation": {
                "artifactLocation": {"uri": ITEM, "uriBaseId": "%SRCROOT%"},
                "region": {"startLine": 10, "startColumn": 3},
            },
            "message": {"text": NOTE},
        }
    ]
    tool = require(
        _multitool(), "SARIF Multitool not installed (npm install @microsoft/sarif-multitool-linux)"
    )
    assert _validate(tool, log) == []


def test_a_syntax_error_is_at_its_line_and_a_shared_template_names_each_user(
    tmp_path: Path,
) -> None:
    other = TRIAGE.replace("id: triage", "id: route")
    files = {
        ITEM: TRIAGE,
        "backlog/prompts/route.yaml": other,
        TEMPLATE: "{{ subject }}\n\n{{ subject subject }}\n",
    }
    root = repo(tmp_path / "r", files)
    assert check(root, "--no-cache").splitlines()[:6] == [
        f"{TEMPLATE}:3:1: error template-inputs template `templates/triage.j2` does not parse "
        "as jinja2 (line 3): expected token 'end of print statement', got 'subject'",
        "  hint: fix the jinja2 syntax; `spec.format` is not set, so the template is read as "
        "jinja2: set `format: mustache` or `format: fstring` if it is one of those",
        "  note: backlog/prompts/route.yaml:9:18: template used by `prompt/route` "
        "(`spec.template_file`)",
        f"{TEMPLATE}:3:1: error template-inputs template `templates/triage.j2` does not parse "
        "as jinja2 (line 3): expected token 'end of print statement', got 'subject'",
        "  hint: fix the jinja2 syntax; `spec.format` is not set, so the template is read as "
        "jinja2: set `format: mustache` or `format: fstring` if it is one of those",
        f"  note: {ITEM}:9:18: template used by `prompt/triage` (`spec.template_file`)",
    ]


def test_columns_per_engine(tmp_path: Path) -> None:
    spec = "format: {engine}\ntemplate_file: t.txt\ninputs: {{a: {{type: string}}}}"
    cases = {
        "mustache": ("{{a}} list {{#list}}{{x.y}}{{/list}}\n", 1, 15),
        "fstring": ("{a} {{y}} y {y!r:>10}\n", 1, 14),
        "jinja2": ("{# y #}\n{% for i in a %}{{ i }}{% endfor %} {{ a.y }}\n  {{\n  y }}", 4, 3),
    }
    for engine, (source, line, column) in cases.items():
        files = {
            "backlog/p.yaml": item("prompt", "p", spec=spec.format(engine=engine)),
            "backlog/t.txt": source,
        }
        root = write_backlog(tmp_path / engine, files)
        [first] = check(root, "--no-cache").splitlines()[:1]
        name = "list" if engine == "mustache" else "y"
        assert first.startswith(f"backlog/t.txt:{line}:{column}: error template-inputs "), engine
        assert f"uses `{name}`" in first, engine


def test_check_paths_and_the_hook_report_it_with_the_template_or_the_item(
    tmp_path: Path,
) -> None:
    root = repo(
        tmp_path / "r",
        {
            **{ITEM: TRIAGE, TEMPLATE: SOURCE},
            "backlog/m.yaml": item("model", "m", spec="provider: acme"),
        },
    )
    first = f"{TEMPLATE}:3:15: error template-inputs {MESSAGE}"
    for path in (TEMPLATE, ITEM):
        assert check(root, "--no-cache", path).splitlines()[0] == first, path
    assert check(root, "--no-cache", "backlog/m.yaml").endswith(": no problems\n")
    # the hook: a staged template counts as the item that uses it
    (root / TEMPLATE).write_text(SOURCE + "Locale: {{ locale }}\n", encoding="utf-8")
    git(root, "add", TEMPLATE)
    hook = run_cli("check", "--pre-commit", TEMPLATE, cwd=root)
    assert hook.returncode == 1, hook.stderr
    assert hook.stdout.splitlines()[0] == first
    assert hook.stdout.splitlines()[3].startswith(f"{TEMPLATE}:5:12: error template-inputs ")
    assert hook.stdout.endswith("1 file checked, 2 items loaded: 2 errors, 0 warnings\n")


def test_old_baselines_and_waivers_still_match(tmp_path: Path) -> None:
    """The baseline key is (rule, item, message without line numbers) and the waiver's is
    (rule, item): neither holds the path, so entries recorded when the finding was at the
    item's `template_file` line still match."""
    from backlog_cli.baseline import fingerprint
    from backlog_cli.diagnostic import Diagnostic

    root = repo(tmp_path / "r")
    at_item = Diagnostic(ITEM, 9, 18, "template-inputs", "error", MESSAGE, "prompt/triage")
    entry = {
        "rule": "template-inputs",
        "item": "prompt/triage",
        "path": ITEM,  # where the finding was before
        "fingerprint": fingerprint(at_item),
        "message": MESSAGE,
    }
    old = {"version": 1, "generated_by": "backlog 0.1.0", "entries": [entry]}
    (root / "old.json").write_text(json.dumps(old), encoding="utf-8")
    adopted = run_cli("check", "--baseline", "old.json", "--no-cache", cwd=root)
    assert (adopted.returncode, adopted.stdout) == (
        0,
        "1 item checked: no problems (1 in baseline)\n",
    )
    waiver = (
        "waivers:\n  - {rule: template-inputs, item: prompt/triage, reason: tier lands next "
        "sprint, expires: 2099-12-31}\n"
    )
    (root / "backlog.yaml").write_text(
        (root / "backlog.yaml").read_text(encoding="utf-8") + waiver, encoding="utf-8"
    )
    waived = run_cli("check", "--rule", "template-inputs", "--no-cache", cwd=root)
    assert (waived.returncode, waived.stdout) == (
        0,
        f"waived (1):\n  {TEMPLATE}:3:15: error template-inputs {MESSAGE}\n\n"
        "1 item checked: no problems (1 waived)\n",
    )


def test_the_cache_gives_the_same_findings(tmp_path: Path) -> None:
    root = repo(tmp_path / "r")
    for args in ((), (TEMPLATE,), (ITEM,)):
        fresh = check(root, "--no-cache", "--format", "json", *args)
        stored = check(root, "--format", "json", *args)  # runs, and stores the result
        assert check(root, "--format", "json", *args) == stored == fresh, args
    assert list((root / ".backlog_cache" / "results").glob("*.json"))
