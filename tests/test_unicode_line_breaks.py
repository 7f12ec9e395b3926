"""NEL, U+2028 and U+2029 are ordinary characters in YAML 1.2: they neither break a line
(positions count LF, CRLF and CR only, as git and editors do) nor make a file invalid."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from backlog_cli.loader import split_lines
from tests.conftest import run_cli, write_backlog

HEAD = "apiVersion: backlog/v1\nkind: model\nid: {id}\n"
TAIL = "owner: x\nversion: 1.0\nstatus: proposed\nspec: {provider: a, name: b}\n"


@pytest.mark.parametrize("char", ["\x85", "\u2028", "\u2029"])
@pytest.mark.parametrize("quoted", [True, False])
def test_positions_after_an_old_line_break_are_exact(
    tmp_path: Path, char: str, quoted: bool
) -> None:
    title = f'"a{char}b{char}c"' if quoted else f"a{char}b{char}c"
    text = HEAD.format(id="m1") + f"title: {title}\n" + TAIL
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": text})
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=root)
    found = json.loads(proc.stdout)["diagnostics"]
    # the file is valid YAML 1.2: the only finding is the unquoted version, on line 6
    assert [(d["rule"], d["line"], d["column"]) for d in found] == [("schema", 6, 10)], found
    assert text.split("\n")[5].startswith("version:")
    shown = run_cli("show", "model/m1", "--format", "json", "--no-cache", cwd=root)
    assert json.loads(shown.stdout)["item"]["title"] == f"a{char}b{char}c"


def test_bump_keeps_such_a_file_byte_for_byte(tmp_path: Path) -> None:
    text = (HEAD.format(id="m1") + "title: a\u2028b\x85c\n" + TAIL).replace(
        "version: 1.0", 'version: "1.0.0"'
    )
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": text})
    proc = run_cli("bump", "model/m1", "--minor", cwd=root)
    assert proc.returncode == 0, proc.stderr
    after = (root / "backlog/m.yaml").read_text(encoding="utf-8")
    assert after == text.replace('version: "1.0.0"', 'version: "1.1.0"')


def test_split_lines_breaks_only_at_lf_crlf_and_cr() -> None:
    text = "a\u2028b\r\nc\x85d\re\x0cf\ng"
    assert split_lines(text) == ["a\u2028b", "c\x85d", "e\x0cf", "g"]
    assert "".join(split_lines(text, keepends=True)) == text
    assert split_lines("") == [] and split_lines("x\n") == ["x"]


def test_an_error_at_the_end_of_the_file_points_at_its_last_line(tmp_path: Path) -> None:
    text = "apiVersion: backlog/v1\nkind: model\nid: m1\nfoo: [unclosed\n"
    root = write_backlog(tmp_path / "r", {"backlog/m.yaml": text})
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=root)
    (found,) = json.loads(proc.stdout)["diagnostics"]
    # issue 14: an unclosed bracket is reported where it opened
    assert (found["rule"], found["line"], found["column"]) == ("yaml-syntax", 4, 6)
    (root / "backlog/m.yaml").write_text(text.replace("[unclosed", "bar\nbaz"), encoding="utf-8")
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=root)
    (found,) = json.loads(proc.stdout)["diagnostics"]
    assert (found["rule"], found["line"], found["column"]) == ("yaml-syntax", 5, 4)
    bad_utf8 = write_backlog(tmp_path / "u", {"backlog/m.yaml": b"id: \xff\n"})
    proc = run_cli("check", "--no-cache", "--format", "json", cwd=bad_utf8)
    assert json.loads(proc.stdout)["diagnostics"][0]["rule"] == "yaml-syntax"
