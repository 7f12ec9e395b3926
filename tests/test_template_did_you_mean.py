"""template-inputs (issue 13 §5): an undeclared name next to a declared input the template
never uses gets a did-you-mean (`questoin` -> `question`)."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import item, run_cli, write_backlog

TYPO = """\
template: "Answer {{ questoin }} for {{ customer }}"
inputs:
  question: {type: string, required: true}
  customer: {type: string, required: true}
"""


def test_an_undeclared_name_close_to_an_unused_input_gets_a_did_you_mean(
    tmp_path: Path,
) -> None:
    root = write_backlog(tmp_path / "r", {"backlog/p.yaml": item("prompt", "p", spec=TYPO)})
    done = run_cli("check", "--rule", "template-inputs", "--no-cache", cwd=root)
    assert done.returncode == 1
    assert done.stdout == (
        "backlog/p.yaml:9:13: error template-inputs template uses `questoin` (line 1 of the "
        "template), which is not declared in `spec.inputs`; did you mean `question`?\n"
        "  hint: write `question` in the template (declared in `spec.inputs`, never used), or "
        "declare it under `spec.inputs` with its type (`questoin: {type: string, required: "
        "true}`), or remove it from the template\n"
        "backlog/p.yaml:11:5: warning template-inputs required input `question` is never used "
        "by the template\n"
        "  hint: use it in the template, remove it from `spec.inputs`, or mark it "
        "`required: false`\n"
        "\n"
        "1 item checked: 1 error, 1 warning\n"
    )


def test_no_did_you_mean_when_the_close_input_is_used(tmp_path: Path) -> None:
    spec = TYPO.replace("for {{ customer }}", "for {{ customer }} {{ question }}")
    root = write_backlog(tmp_path / "r", {"backlog/p.yaml": item("prompt", "p", spec=spec)})
    done = run_cli("check", "--rule", "template-inputs", "--no-cache", cwd=root)
    assert done.returncode == 1
    assert "did you mean" not in done.stdout
    assert "write `question`" not in done.stdout
    assert done.stdout.startswith(
        "backlog/p.yaml:9:13: error template-inputs template uses `questoin` (line 1 of the "
        "template), which is not declared in `spec.inputs`\n"
        "  hint: declare it under `spec.inputs` with its type"
    )
