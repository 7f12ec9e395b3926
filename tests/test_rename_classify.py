"""Id renames and moves in classification, `diff` and `impact`.

- A reference re-pointed from an item's former id (its `renamed_from`) to its new id is not
  a change of that reference; a range edited at the same time is classified as for an
  unchanged id (SPEC §3, §5).
- A prompt moved together with its template (same text, `template_file` path rewritten) is
  a move, in `diff` and in `impact`; an unreadable template still counts as a change.
- `diff` shows a base item without a version as `(none)` and agrees with `check --base`:
  nothing to bump from, no bump required.
- A template added or removed diffs against `/dev/null`.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from backlog_cli.classify import classify, rename_table, same_content
from tests.conftest import git, item, run_cli, write_backlog

# --- classify: references re-pointed through renames ----------------------------------------


def data(kind: str, **spec: Any) -> dict[str, Any]:
    return {
        "apiVersion": "backlog/v1",
        "kind": kind,
        "id": "sample",
        "title": "Sample",
        "version": "1.2.0",
        "status": "proposed",
        "owner": "team-ai",
        "spec": spec,
    }


RENAMES = {"model/claude-sonnet": "model/claude", "tool/kb-search": "tool/kb-find"}


def shown(kind: str, base: dict[str, Any], head: dict[str, Any], **kw: Any) -> list[str]:
    return [
        f"{c.level} {c.path}: {c.reason}"
        for c in classify(kind, data(kind, **base), data(kind, **head), **kw)
    ]


def test_model_repointed_to_the_new_id_is_no_change() -> None:
    base, head = {"model": "model/claude-sonnet@~3.5.0"}, {"model": "model/claude@~3.5.0"}
    assert shown("prompt", base, head, renames=RENAMES) == []
    assert shown("agent", base, head, renames=RENAMES) == []
    # without the rename table it is another model
    assert shown("prompt", base, head) == [
        "major spec.model: model changed from `model/claude-sonnet@~3.5.0` to `model/claude@~3.5.0`"
    ]


def test_model_repointed_with_a_new_range_is_a_range_change() -> None:
    base, head = {"model": "model/claude-sonnet@~3.5.0"}, {"model": "model/claude@^3.5"}
    assert shown("prompt", base, head, renames=RENAMES) == [
        "minor spec.model: model range changed from `~3.5.0` to `^3.5`"
    ]


def test_model_pointed_at_another_item_is_still_major() -> None:
    base, head = {"model": "model/claude-sonnet@~3.5.0"}, {"model": "model/gpt-4o@^1"}
    assert shown("prompt", base, head, renames=RENAMES) == [
        "major spec.model: model changed from `model/claude-sonnet@~3.5.0` to `model/gpt-4o@^1`"
    ]


def test_ref_lists_repointed_to_new_ids_are_no_change() -> None:
    base = {"tools": ["tool/kb-search@^2.0", "tool/order@1.x"], "prompts": ["prompt/p"]}
    head = {"tools": ["tool/kb-find@^2.0", "tool/order@1.x"], "prompts": ["prompt/p"]}
    assert shown("agent", base, head, renames=RENAMES) == []
    assert shown("agent", base, head) == [
        "major spec.tools[tool/kb-search]: `tool/kb-search` removed from `tools`",
        "minor spec.tools[tool/kb-find]: `tool/kb-find` added to `tools`",
    ]


def test_ref_list_repointed_with_a_new_range_and_a_real_removal() -> None:
    base = {"tools": ["tool/kb-search@^2.0", "tool/order@1.x"]}
    head = {"tools": ["tool/kb-find@^3.0"]}
    assert shown("agent", base, head, renames=RENAMES) == [
        "major spec.tools[tool/order]: `tool/order` removed from `tools`",
        "minor spec.tools[tool/kb-find]: range of `tool/kb-find` in `tools` changed from "
        "`^2.0` to `^3.0`",
    ]


def test_reference_fields_of_other_kinds_follow_renames() -> None:
    renames = {"dataset/golden": "dataset/gold", "prompt/triage": "prompt/route"}
    evaluation = shown(
        "evaluation",
        {"targets": ["prompt/triage@^1"], "dataset": "dataset/golden@~1.2.0"},
        {"targets": ["prompt/route@^1"], "dataset": "dataset/gold@~1.2.0"},
        renames=renames,
    )
    assert evaluation == []
    capability = shown(
        "capability", {"items": ["prompt/triage"]}, {"items": ["prompt/route"]}, renames=renames
    )
    assert capability == []
    dataset = shown(
        "dataset", {"upstream": ["dataset/golden"]}, {"upstream": ["dataset/gold"]}, renames=renames
    )
    assert dataset == []
    context = shown(
        "prompt",
        {"context": ["dataset/golden@1.x"]},
        {"context": ["dataset/gold@1.x"]},
        renames=renames,
    )
    assert context == []
    data_refs = shown(
        "tool", {"data": ["dataset/golden"]}, {"data": ["dataset/gold"]}, renames=renames
    )
    assert data_refs == []


def test_rename_chains_resolve_to_the_last_id() -> None:
    renames = {"tool/a": "tool/b", "tool/b": "tool/c"}
    assert shown("agent", {"tools": ["tool/a@^1"]}, {"tools": ["tool/c@^1"]}, renames=renames) == []
    looped = {"tool/a": "tool/b", "tool/b": "tool/a"}  # nonsense input: it ends, never hangs
    assert len(shown("agent", {"tools": ["tool/a"]}, {"tools": ["tool/b"]}, renames=looped)) == 2


def test_only_reference_fields_are_repointed() -> None:
    # a model's `name` is text that happens to look like a reference: a real change
    assert shown(
        "model", {"name": "model/claude-sonnet"}, {"name": "model/claude"}, renames=RENAMES
    ) == ["minor spec.name: `name` changed from model/claude-sonnet to model/claude"]


def test_rename_table_from_head_items() -> None:
    table = rename_table(
        {
            "tool/c": ["tool/a", "tool/b"],
            "tool/x": ["tool/shared", "tool/y"],  # tool/y is still an item: not renamed
            "tool/z": ["tool/shared", "tool/z"],  # claimed twice: no one item
            "tool/y": [],
        }
    )
    assert table == {"tool/a": "tool/c", "tool/b": "tool/c"}


# --- classify: a prompt moved together with its template -----------------------------------


def test_same_content_is_a_template_path_rewrite_with_the_same_text() -> None:
    base = data("prompt", template_file="templates/t.j2", inputs={})
    head = data("prompt", template_file="t.j2", inputs={})
    assert same_content(base, head, "Hi {{ x }}", "Hi {{ x }}")
    assert classify("prompt", base, head, "Hi {{ x }}", "Hi {{ x }}") == []
    assert not same_content(base, head, "Hi {{ x }}", "Hello {{ x }}")
    assert not same_content(base, head, None, None)  # unreadable: never the same
    assert not same_content(base, head, "Hi", None)
    assert not same_content(base, {**head, "title": "Other"}, "Hi", "Hi")
    assert not same_content(base, data("prompt", template_file="t.j2", inputs=None), "Hi", "Hi")
    assert [str(c) for c in classify("prompt", base, head, None, None)] == [
        "template_file changed from templates/t.j2 to t.j2 (content not available) → minor"
    ]


# --- on real repositories -------------------------------------------------------------------

TEMPLATE = "Ticket: {{ ticket }}\n"


def prompt_item(version: str = "1.2.0", template_file: str = "templates/triage.j2") -> str:
    return item(
        "prompt",
        "triage",
        version=version,
        status="ready",
        spec=f"""
        template_file: {template_file}
        inputs:
          ticket: {{type: string, required: true}}
        """,
    )


def new_repo(tmp_path: Path, files: dict[str, str | bytes]) -> Path:
    root = write_backlog(tmp_path / "repo", files)
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    return root


def cli_json(root: Path, *args: str) -> Any:
    result = run_cli(*args, "--format", "json", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return json.loads(result.stdout)


def triage_repo(tmp_path: Path) -> Path:
    return new_repo(
        tmp_path,
        {
            "backlog/prompts/triage.yaml": prompt_item(),
            "backlog/prompts/templates/triage.j2": TEMPLATE,
            "backlog/agents/router.yaml": item(
                "agent", "router", status="ready", spec="prompts: [prompt/triage@^1.2]"
            ),
        },
    )


def move_triage_with_its_template(root: Path) -> None:
    (root / "backlog/prompts/triage").mkdir()
    git(root, "mv", "backlog/prompts/triage.yaml", "backlog/prompts/triage/")
    git(root, "mv", "backlog/prompts/templates/triage.j2", "backlog/prompts/triage/")
    path = root / "backlog/prompts/triage/triage.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("templates/triage.j2", "triage.j2"), encoding="utf-8")


def test_prompt_moved_with_its_template_is_a_move(tmp_path: Path) -> None:
    root = triage_repo(tmp_path)
    move_triage_with_its_template(root)
    text = run_cli("diff", "main", cwd=root).stdout
    assert text.splitlines()[2:] == [
        "> prompt/triage  1.2.0 -> 1.2.0  moved",
        "    moved backlog/prompts/triage.yaml -> backlog/prompts/triage/triage.yaml",
        "    template moved backlog/prompts/templates/triage.j2 -> "
        "backlog/prompts/triage/triage.j2",
        "",
        "0 changed, 0 added, 0 removed, 1 moved; 0 version problems",
    ]
    diff = cli_json(root, "diff", "main")
    (entry,) = diff["items"]
    assert (entry["state"], entry["level"], entry["bump_ok"], entry["reasons"]) == (
        "moved",
        "none",
        None,
        [],
    )
    assert diff["summary"] == {
        "added": 0,
        "removed": 0,
        "moved": 1,
        "changed": 0,
        "bump_problems": 0,
    }
    impact = cli_json(root, "impact", "--base", "main")
    assert impact["changed"] == [] and impact["impacted"] == []
    assert run_cli("impact", "--base", "main", cwd=root).stdout.splitlines()[1] == (
        "0 changed items impact 0 items: 0 to re-validate, 0 evaluations to run, "
        "0 broken constraints"
    )
    check = cli_json(root, "check", "--base", "main")
    assert [d["rule"] for d in check["diagnostics"] if d["rule"].startswith("version")] == []


def test_template_path_rewritten_to_a_missing_file_is_still_a_change(tmp_path: Path) -> None:
    root = triage_repo(tmp_path)
    path = root / "backlog/prompts/triage.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("templates/triage.j2", "gone.j2"), encoding="utf-8")
    (entry,) = cli_json(root, "diff", "main")["items"]
    assert (entry["state"], entry["level"]) == ("changed", "minor")
    assert [r["reason"] for r in entry["reasons"]] == [
        "template text changed (template_file not readable at head)"
    ]
    impact = cli_json(root, "impact", "--base", "main")
    assert [c["item"] for c in impact["changed"]] == ["prompt/triage"]


def test_base_item_without_a_version_needs_no_bump(tmp_path: Path) -> None:
    with_version = item("tool", "lookup", version="1.3.0", spec="side_effects: read")
    root = new_repo(
        tmp_path, {"backlog/tools/lookup.yaml": with_version.replace('version: "1.3.0"\n', "")}
    )
    (root / "backlog/tools/lookup.yaml").write_text(
        with_version.replace("side_effects: read", "side_effects: write"), encoding="utf-8"
    )
    lines = run_cli("diff", "main", cwd=root).stdout.splitlines()
    assert lines[2] == "~ tool/lookup  (none) -> 1.3.0  [major]  changed"
    assert "    version: no version at the base: no bump required" in lines
    assert lines[-1] == "1 changed, 0 added, 0 removed, 0 moved; 0 version problems"
    (entry,) = cli_json(root, "diff", "main")["items"]
    assert (entry["base_version"], entry["head_version"]) == (None, "1.3.0")
    assert (entry["level"], entry["required_bump"], entry["bump_ok"]) == ("major", "none", True)
    markdown = run_cli("diff", "main", "--format", "markdown", cwd=root).stdout
    row = (  # issue 13 §5: the item links to its file, at its `version:` line
        "| `tool/lookup` | [backlog/tools/lookup.yaml:5](backlog/tools/lookup.yaml#L5) | "
        "changed | major | (none) → 1.3.0 | "
        "✅ no version at the base: no bump required |"
    )
    assert row in markdown
    assert run_cli("check", "--base", "main", cwd=root).returncode == 0
    impact = run_cli("impact", "--base", "main", cwd=root).stdout
    assert "  tool/lookup  changed [major]  (none) -> 1.3.0" in impact


def test_base_version_not_semver_needs_no_bump(tmp_path: Path) -> None:
    tool = item("tool", "lookup", version="1.3.0", spec="side_effects: read")
    root = new_repo(tmp_path, {"backlog/tools/lookup.yaml": tool.replace('"1.3.0"', '"1.3"')})
    (root / "backlog/tools/lookup.yaml").write_text(
        tool.replace("side_effects: read", "side_effects: write"), encoding="utf-8"
    )
    lines = run_cli("diff", "main", cwd=root).stdout.splitlines()
    assert lines[2] == "~ tool/lookup  1.3 -> 1.3.0  [major]  changed"
    assert "    version: no valid version at the base: no bump required" in lines
    assert lines[-1] == "1 changed, 0 added, 0 removed, 0 moved; 0 version problems"
    assert run_cli("check", "--base", "main", cwd=root).returncode == 0


def test_head_without_a_version_is_a_version_problem(tmp_path: Path) -> None:
    tool = item("tool", "lookup", version="1.3.0", spec="side_effects: read")
    root = new_repo(tmp_path, {"backlog/tools/lookup.yaml": tool})
    changed = tool.replace("side_effects: read", "side_effects: write")
    (root / "backlog/tools/lookup.yaml").write_text(
        changed.replace('version: "1.3.0"\n', ""), encoding="utf-8"
    )
    lines = run_cli("diff", "main", cwd=root).stdout.splitlines()
    assert lines[2] == "~ tool/lookup  1.3.0 -> (none)  [major]  changed"
    assert "    version: no valid version at head: needs major (2.0.0)" in lines
    assert lines[-1] == "1 changed, 0 added, 0 removed, 0 moved; 1 version problem"
    assert run_cli("check", "--base", "main", cwd=root).returncode == 1  # the schema rule


def test_added_and_removed_templates_diff_against_dev_null(tmp_path: Path) -> None:
    root = triage_repo(tmp_path)
    (root / "backlog/prompts/triage.yaml").unlink()
    (root / "backlog/prompts/route.yaml").write_text(
        prompt_item().replace("id: triage", "id: route"), encoding="utf-8"
    )
    lines = run_cli("diff", "main", cwd=root).stdout.splitlines()
    added = lines.index("+ prompt/route  1.2.0  added")
    assert lines[added + 2 : added + 6] == [
        "      --- /dev/null",
        "      +++ b/backlog/prompts/templates/triage.j2",
        "      @@ -0,0 +1 @@",
        "      +Ticket: {{ ticket }}",
    ]
    removed = lines.index("- prompt/triage  1.2.0  removed")
    assert lines[removed + 2 : removed + 6] == [
        "      --- a/backlog/prompts/templates/triage.j2",
        "      +++ /dev/null",
        "      @@ -1 +0,0 @@",
        "      -Ticket: {{ ticket }}",
    ]
    # an inline template added to an existing prompt: /dev/null too, not the item file
    root2 = new_repo(tmp_path / "two", {"backlog/prompts/p.yaml": item("prompt", "p")})
    (root2 / "backlog/prompts/p.yaml").write_text(
        item("prompt", "p", spec="template: Hello"), encoding="utf-8"
    )
    (entry,) = cli_json(root2, "diff", "main")["items"]
    assert entry["template_diff"].splitlines()[:2] == [
        "--- /dev/null",
        "+++ b/backlog/prompts/p.yaml (spec.template)",
    ]


# --- end to end through the parts other modules own -----------------------------------------


def renamed_model_repo(tmp_path: Path) -> Path:
    root = new_repo(
        tmp_path,
        {
            "backlog/models/claude-sonnet.yaml": item("model", "claude-sonnet", version="3.5.2"),
            "backlog/prompts/p.yaml": item("prompt", "p", spec="model: model/claude-sonnet@~3.5.0"),
            "backlog/agents/a.yaml": item(
                "agent", "a", spec="model: model/claude-sonnet@~3.5.0\nprompts: [prompt/p]"
            ),
            "backlog/evaluations/e.yaml": item(
                "evaluation", "e", spec="targets: [model/claude-sonnet, prompt/p]"
            ),
        },
    )
    git(root, "mv", "backlog/models/claude-sonnet.yaml", "backlog/models/claude.yaml")
    for rel, old, new in (
        (
            "models/claude.yaml",
            "id: claude-sonnet",
            "id: claude\nrenamed_from: [model/claude-sonnet]",
        ),
        ("prompts/p.yaml", "model/claude-sonnet@", "model/claude@"),
        ("agents/a.yaml", "model/claude-sonnet@", "model/claude@"),
        ("evaluations/e.yaml", "model/claude-sonnet,", "model/claude,"),
    ):
        path = root / "backlog" / rel
        path.write_text(path.read_text(encoding="utf-8").replace(old, new), encoding="utf-8")
    return root


def test_check_passes_after_an_id_rename_with_every_reference_updated(tmp_path: Path) -> None:
    root = renamed_model_repo(tmp_path)
    result = run_cli("check", "--base", "main", "-q", cwd=root)
    assert (result.returncode, result.stdout) == (0, "")
    levels = {i["item"]: i["level"] for i in cli_json(root, "diff", "main")["items"]}
    assert levels == {
        "model/claude": "none",
        "prompt/p": "none",
        "agent/a": "none",
        "evaluation/e": "none",
    }


def test_diff_of_a_former_id_shows_the_renamed_item(tmp_path: Path) -> None:
    root = renamed_model_repo(tmp_path)
    git(root, "commit", "-q", "-am", "rename")
    result = run_cli("diff", "main~1", "main", "model/claude-sonnet", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    (entry,) = json.loads(result.stdout)["items"]
    assert (entry["item"], entry["renamed_from"]) == ("model/claude", "model/claude-sonnet")


def test_diff_follows_a_rename_chain_listed_in_renamed_from(tmp_path: Path) -> None:
    root = new_repo(tmp_path, {"backlog/tools/a.yaml": item("tool", "a")})
    path = root / "backlog/tools/a.yaml"
    path.write_text(item("tool", "b", extra="renamed_from: [tool/a]"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "a -> b")
    path.write_text(item("tool", "c", extra="renamed_from: [tool/a, tool/b]"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "b -> c")
    (entry,) = cli_json(root, "diff", "main~2", "main")["items"]
    assert (entry["item"], entry["state"], entry["renamed_from"]) == ("tool/c", "changed", "tool/a")


def test_diff_follows_a_rename_chain_when_every_former_id_is_listed(tmp_path: Path) -> None:
    # a diff compares two commits, not the history between them: an item renamed twice in
    # between is followed when its `renamed_from` lists both former ids (docs/versioning.md)
    root = new_repo(tmp_path, {"backlog/tools/a.yaml": item("tool", "a")})
    path = root / "backlog/tools/a.yaml"
    path.write_text(item("tool", "b", extra="renamed_from: [tool/a]"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "a -> b")
    path.write_text(item("tool", "c", extra="renamed_from: [tool/a, tool/b]"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "b -> c")
    (entry,) = cli_json(root, "diff", "main~2", "main")["items"]
    assert (entry["item"], entry["renamed_from"]) == ("tool/c", "tool/a")
    assert entry["state"] != "added"


def test_version_messages_do_not_repeat_the_level(tmp_path: Path) -> None:
    root = triage_repo(tmp_path)
    (root / "backlog/prompts/templates/triage.j2").write_text("Route: {{ ticket }}\n")
    result = cli_json(root, "check", "--base", "main")
    (message,) = [d["message"] for d in result["diagnostics"] if d["rule"] == "version-not-bumped"]
    assert message == (
        "`prompt/triage` changed since main (minor: template text changed) but its version "
        "is still 1.2.0"
    )
