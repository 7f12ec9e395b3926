"""`backlog new` and `backlog init` through the real entry point."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from backlog_cli.commands.scaffold import FOLDERS
from backlog_cli.vocab import KINDS
from tests.conftest import git, item, run_cli, write_backlog

# no global or system git config: the owner falls back to the placeholder unless a test sets it
NO_GIT_CONFIG = {
    "HOME": "/nonexistent",
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_CONFIG_GLOBAL": "/dev/null",
}
MODELINE = re.compile(r"\A# yaml-language-server: \$schema=(\S+)\n")


def listing(root: Path) -> dict[str, bytes]:
    return {
        p.relative_to(root).as_posix(): p.read_bytes() if p.is_file() else b""
        for p in sorted(root.rglob("*"))
    }


def schema_of(path: Path) -> Path:
    match = MODELINE.match(path.read_text(encoding="utf-8"))
    assert match, path.read_text(encoding="utf-8")[:200]
    return path.parent / match.group(1)


def test_new_for_every_kind_checks_clean_at_once(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {})
    assert run_cli("schema", "--output", "schemas", cwd=root).returncode == 0
    for kind in KINDS:
        result = run_cli("new", kind, f"my-{kind}", cwd=root, env=NO_GIT_CONFIG)
        assert result.returncode == 0, result.stderr
        written = f"backlog/{FOLDERS[kind]}/my-{kind}.yaml"
        assert result.stdout == written + "\n"
        text = (root / written).read_text(encoding="utf-8")
        assert f"kind: {kind}\nid: my-{kind}\n" in text
        assert 'owner: "@you"' in text
        schema = schema_of(root / written)
        assert schema.resolve() == (root / "schemas" / f"{kind}.schema.json").resolve()
    check = run_cli("check", cwd=root)
    assert check.returncode == 0, check.stdout
    assert "8 items checked: no problems" in check.stdout


def test_modeline_prefers_the_repository_schemas_folder(tmp_path: Path) -> None:
    shipped = Path(__file__).resolve().parent.parent / "schemas" / "prompt.schema.json"
    root = write_backlog(
        tmp_path / "repo", {"schemas/prompt.schema.json": shipped.read_text(encoding="utf-8")}
    )
    assert run_cli("new", "prompt", "triage", cwd=root).returncode == 0
    written = root / "backlog/prompts/triage.yaml"
    assert written.read_text(encoding="utf-8").startswith(
        "# yaml-language-server: $schema=../../schemas/prompt.schema.json\n"
    )
    assert schema_of(written).resolve() == (root / "schemas/prompt.schema.json").resolve()


def test_title_owner_and_path_options(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {})
    assert run_cli("schema", "--output", "schemas", cwd=root).returncode == 0
    result = run_cli(
        "new",
        "tool",
        "order-lookup",
        "--path",
        "integrations/order.yml",
        "--title",
        "Order lookup: by number",
        "--owner",
        "team-orders",
        cwd=root / "backlog",
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout == "integrations/order.yml\n"
    text = (root / "backlog/integrations/order.yml").read_text(encoding="utf-8")
    assert 'title: "Order lookup: by number"\n' in text
    assert 'owner: "team-orders"\n' in text
    assert schema_of(root / "backlog/integrations/order.yml").is_file()
    assert run_cli("check", cwd=root).returncode == 0


def test_owner_from_git_config(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {})
    git(root, "init", "-q")
    git(root, "config", "user.email", "maria@example.com")
    assert run_cli("new", "model", "gpt-4o", cwd=root, env=NO_GIT_CONFIG).returncode == 0
    text = (root / "backlog/models/gpt-4o.yaml").read_text(encoding="utf-8")
    assert 'owner: "maria@example.com"\n' in text


@pytest.mark.parametrize(
    ("path", "why"),
    [
        ("outside.yaml", "outside the item folder"),
        ("backlog/../elsewhere/x.yaml", "outside the item folder"),
        ("backlog/x.json", "must end in .yaml or .yml"),
        ("backlog/.drafts/x.yaml", "hidden"),
        ("backlog/drafts/x.yaml", "exclude"),
    ],
)
def test_path_that_check_would_not_see_is_refused(tmp_path: Path, path: str, why: str) -> None:
    root = write_backlog(
        tmp_path / "repo", {}, config="items: backlog/\nexclude: [backlog/drafts]\n"
    )
    before = listing(tmp_path)
    result = run_cli("new", "prompt", "triage", "--path", path, cwd=root)
    assert result.returncode == 2
    assert why in result.stderr
    assert "Traceback" not in result.stderr
    assert listing(tmp_path) == before


def test_duplicate_id_elsewhere_is_refused_and_untouched(tmp_path: Path) -> None:
    existing = item("prompt", "triage", spec="template: hi")
    root = write_backlog(tmp_path / "repo", {"backlog/misc/old.yaml": existing})
    before = listing(tmp_path)
    result = run_cli("new", "prompt", "triage", cwd=root)
    assert result.returncode == 2
    assert "`prompt/triage` already exists in backlog/misc/old.yaml" in result.stderr
    assert (root / "backlog/misc/old.yaml").read_bytes() == existing.encode()
    assert listing(tmp_path) == before
    # the same id in another kind is a different item
    assert run_cli("new", "tool", "triage", cwd=root).returncode == 0


def test_existing_target_file_is_refused(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {"backlog/prompts/triage.yaml": "not: an item\n"})
    result = run_cli("new", "prompt", "triage", cwd=root)
    assert result.returncode == 2
    assert "backlog/prompts/triage.yaml: already exists" in result.stderr
    assert (root / "backlog/prompts/triage.yaml").read_text(encoding="utf-8") == "not: an item\n"


@pytest.mark.parametrize("bad_id", ["../../x", "Bad Id", "a/b", "", "x" * 65, "x-", "x\n"])
def test_invalid_id_writes_nothing(tmp_path: Path, bad_id: str) -> None:
    root = write_backlog(tmp_path / "repo", {})
    before = listing(tmp_path)
    result = run_cli("new", "prompt", bad_id, cwd=root / "backlog")
    assert result.returncode == 2
    assert "is not a valid id" in result.stderr
    assert listing(tmp_path) == before


def test_unknown_kind_gets_a_hint(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {})
    before = listing(tmp_path)
    result = run_cli("new", "promt", "triage", cwd=root)
    assert result.returncode == 2
    assert "unknown kind `promt`; did you mean `prompt`?" in result.stderr
    assert listing(tmp_path) == before


def test_new_creates_a_missing_item_folder(tmp_path: Path) -> None:
    root = tmp_path / "repo"
    root.mkdir()
    (root / "backlog.yaml").write_text("items: work/items\n", encoding="utf-8")
    result = run_cli("new", "dataset", "tickets", cwd=root)
    assert result.returncode == 0, result.stderr
    assert (root / "work/items/datasets/tickets.yaml").is_file()
    assert run_cli("check", cwd=root).returncode == 0


def test_init_in_a_fresh_repository_then_check_is_clean(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    (repo / "src").mkdir(parents=True)
    git(repo, "init", "-q")
    result = run_cli("init", cwd=repo / "src", env=NO_GIT_CONFIG)
    assert result.returncode == 0, result.stderr
    assert "wrote ../backlog.yaml" in result.stdout
    assert "wrote ../backlog/prompts/example-prompt.yaml" in result.stdout
    example = repo / "backlog/prompts/example-prompt.yaml"
    assert "{{ ticket_text }}" in example.read_text(encoding="utf-8")
    assert schema_of(example).resolve() == (repo / "schemas/prompt.schema.json").resolve()
    check = run_cli("check", cwd=repo)
    assert check.returncode == 0, check.stdout
    assert check.stdout == "1 item checked: no problems\n"


def test_second_init_is_refused_and_force_rewrites_the_config_only(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    assert run_cli("init", cwd=repo).returncode == 0
    config = repo / "backlog.yaml"
    example = repo / "backlog/prompts/example-prompt.yaml"
    config.write_text("items: backlog/  # mine\n", encoding="utf-8")
    example.write_text(example.read_text(encoding="utf-8") + "# edited\n", encoding="utf-8")
    edited_example = example.read_bytes()

    again = run_cli("init", cwd=repo)
    assert again.returncode == 2
    assert "--force" in again.stderr
    assert config.read_text(encoding="utf-8") == "items: backlog/  # mine\n"

    forced = run_cli("init", "--force", cwd=repo)
    assert forced.returncode == 0, forced.stderr
    assert "wrote backlog.yaml" in forced.stdout
    assert "skipped backlog/prompts/example-prompt.yaml" in forced.stdout
    assert config.read_text(encoding="utf-8").count("items: backlog/\n") == 1
    assert example.read_bytes() == edited_example
    assert run_cli("check", cwd=repo).returncode == 0


def test_init_refuses_a_symlinked_config(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    outside = tmp_path / "outside.yaml"
    outside.write_text("items: elsewhere/\n", encoding="utf-8")
    (repo / "backlog.yaml").symlink_to(outside)
    for args in (("init",), ("init", "--force")):
        result = run_cli(*args, "--root", str(repo), cwd=tmp_path)
        assert result.returncode == 2
        assert "symlink" in result.stderr
    assert outside.read_text(encoding="utf-8") == "items: elsewhere/\n"
    assert not (repo / "backlog").exists()


def test_init_refuses_a_symlinked_item_folder(tmp_path: Path) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    (tmp_path / "elsewhere").mkdir()
    (repo / "backlog").symlink_to(tmp_path / "elsewhere")
    result = run_cli("init", "--root", str(repo), cwd=tmp_path)
    assert result.returncode == 2
    assert "symlink" in result.stderr
    assert not (repo / "backlog.yaml").exists()
    assert list((tmp_path / "elsewhere").iterdir()) == []


def test_init_writes_item_schemas_and_modelines_stay_inside_the_repository(
    tmp_path: Path,
) -> None:
    repo = tmp_path / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    result = run_cli("init", cwd=repo, env=NO_GIT_CONFIG)
    assert (result.returncode, result.stderr) == (0, "")
    assert result.stdout == (
        "wrote backlog.yaml\n"
        "wrote 10 item schemas in schemas/\n"
        "wrote backlog/prompts/example-prompt.yaml\n"
        "next: `backlog check`, then `backlog new KIND ID` for your own items\n"
        "next: commit schemas/ too: editors running yaml-language-server (VS Code: the Red Hat "
        "YAML extension) read each item's `# yaml-language-server: $schema=` line for "
        "completion and hover docs; docs/editors.md maps the whole item folder\n"
    )
    shipped = Path(__file__).resolve().parent.parent / "schemas"
    assert sorted(p.name for p in (repo / "schemas").iterdir()) == sorted(
        f"{name}.schema.json" for name in ("envelope", *KINDS, "item")
    )
    for written in (repo / "schemas").iterdir():
        assert written.read_bytes() == (shipped / written.name).read_bytes()
    assert run_cli("new", "tool", "order-lookup", cwd=repo / "backlog").returncode == 0
    for path in (repo / "backlog").rglob("*.yaml"):
        text = path.read_text(encoding="utf-8")
        assert str(shipped.parent) not in text and str(tmp_path) not in text
    tool = (repo / "backlog/tools/order-lookup.yaml").read_text(encoding="utf-8")
    assert tool.startswith("# yaml-language-server: $schema=../../schemas/tool.schema.json\n")


def test_init_leaves_a_foreign_schema_alone(tmp_path: Path) -> None:
    foreign = '{"$id": "https://example.com/model.schema.json"}\n'
    repo = write_backlog(tmp_path / "repo", {"schemas/model.schema.json": foreign}, None)
    result = run_cli("init", "--force", cwd=repo)
    assert result.returncode == 0, result.stderr
    assert (
        "skipped schemas/model.schema.json (exists and is not backlog-cli's schema)\n"
        in result.stdout
    )
    assert (repo / "schemas/model.schema.json").read_text(encoding="utf-8") == foreign
    # no modeline to a schema that is not ours, and never one to the installed package
    done = run_cli("new", "model", "gpt-4o", cwd=repo)
    assert done.returncode == 0
    assert done.stderr == (
        "backlog: note: no `$schema` modeline: no backlog-cli schemas/model.schema.json in "
        "the project; "
        "`backlog schema --output schemas` writes the item schemas (docs/editors.md)\n"
    )
    text = (repo / "backlog/models/gpt-4o.yaml").read_text(encoding="utf-8")
    assert text.startswith("apiVersion: backlog/v1\n")


def test_new_without_schemas_in_the_repository_writes_no_machine_path(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {})
    done = run_cli("new", "prompt", "triage", "--format", "json", cwd=root)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {
        "version": 1,
        "item": "prompt/triage",
        "path": "backlog/prompts/triage.yaml",
        "schema": None,
    }
    text = (root / "backlog/prompts/triage.yaml").read_text(encoding="utf-8")
    assert "yaml-language-server" not in text and "/" + "work" not in text.split("\n")[0]
    assert run_cli("check", cwd=root).returncode == 0
