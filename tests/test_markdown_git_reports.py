"""`diff` and `impact` Markdown (PR comments): values from the backlog create no structure."""

from __future__ import annotations

from pathlib import Path

from markdown_it import MarkdownIt

from tests.conftest import git, item, run_cli, write_backlog

OWNER = "team | x\n## Injected\n[click](https://evil.example)"
# a context line ` ```` of the diff would close a plain ``` fence (up to 3 spaces may indent it)
BASE_TEMPLATE = "Hello {{ name }}\n```\n"
TEMPLATE = BASE_TEMPLATE + "# not a heading\n[link](https://evil.example)\n"


def _repo(tmp_path: Path) -> Path:
    prompt = item(
        "prompt",
        "p",
        status="ready",
        spec="""
        template_file: p.j2
        inputs: {name: {type: string, required: true}}
        """,
    ).replace("owner: team-ai", f"owner: {OWNER!r}".replace("'", '"'))
    agent = item("agent", "a", status="ready", spec="prompts: [prompt/p@^1.0.0]")
    root = write_backlog(
        tmp_path / "r",
        {"backlog/p.yaml": prompt, "backlog/p.j2": BASE_TEMPLATE, "backlog/a.yaml": agent},
    )
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "base")
    (root / "backlog/p.j2").write_text(TEMPLATE, encoding="utf-8")
    return root


def _structure(markdown: str) -> tuple[list[str], list[str], list[str]]:
    tokens = MarkdownIt("commonmark").enable("table").parse(markdown)
    inline = [t for block in tokens if block.children for t in block.children]
    headings = [tokens[i + 1].content for i, t in enumerate(tokens) if t.type == "heading_open"]
    links = [t.attrs.get("href", "") for t in inline if t.type == "link_open"]
    fences = [t.content for t in tokens if t.type == "fence"]
    return headings, [str(h) for h in links], fences


def test_diff_markdown(tmp_path: Path) -> None:
    proc = run_cli("diff", "main", "--format", "markdown", "--no-cache", cwd=_repo(tmp_path))
    assert proc.returncode == 0, proc.stderr
    headings, links, fences = _structure(proc.stdout)
    assert headings == ["Backlog changes: `main` → the working tree"]
    assert links == ["backlog/p.yaml#L5"]  # issue 13 §5: the item's file, at `version:`
    (diff,) = fences  # the template diff stays one block, ``` inside it included
    assert "\n ```\n" in diff and "+[link](https://evil.example)" in diff


def test_impact_markdown(tmp_path: Path) -> None:
    proc = run_cli(
        "impact", "--base", "main", "--format", "markdown", "--no-cache", cwd=_repo(tmp_path)
    )
    assert proc.returncode == 0, proc.stderr
    headings, links, _ = _structure(proc.stdout)
    assert headings == ["Backlog impact: `main` → the working tree"]
    assert links == []
    assert "Injected" in proc.stdout  # shown, as text
    for line in proc.stdout.splitlines():
        if line.startswith("| `") or line.startswith("| ``"):
            assert line.replace("\\|", "").count("|") == 6, line
