"""`backlog bump` on every way YAML can spell a version: exact bytes after, `check` clean.

`bump` is the one command that rewrites users' files: only the characters of the version
value may change. A form it cannot rewrite safely is refused with exit 2, a message that
says why, and the file left byte for byte as it was.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import run_cli, write_backlog

HEAD = "apiVersion: backlog/v1\nkind: model\nid: m\ntitle: M\n"
TAIL = "status: proposed\nowner: team-ai\n"


def block(version_line: str) -> str:
    return HEAD + version_line + TAIL


def flow(version_entry: str) -> str:
    return "{apiVersion: backlog/v1, kind: model, id: m, title: M, " + version_entry


# name: (file before, the version's text before, its text after `bump --patch`)
REWRITTEN: dict[str, tuple[str, str, str]] = {
    "plain": (block("version: 1.0.0\n"), "1.0.0", "1.0.1"),
    "single-quoted": (block("version: '1.0.0'\n"), "'1.0.0'", "'1.0.1'"),
    "double-quoted": (block('version: "1.0.0"\n'), '"1.0.0"', '"1.0.1"'),
    # escapes spell 1.0.0: the rewritten value is the plain text in the same quotes
    "double-quoted with escapes": (
        block('version: "\\x31.0.\\u0030"\n'),
        '"\\x31.0.\\u0030"',
        '"1.0.1"',
    ),
    "plain with a comment": (
        block("version: 1.0.0   # pinned, see {x}, [y]\n"),
        "1.0.0   #",
        "1.0.1   #",
    ),
    "plain with a tab and a comment": (block("version: 1.0.0\t# c\n"), "1.0.0\t#", "1.0.1\t#"),
    "quoted with a comment": (
        block("version: '1.0.0' # it's 'quoted'\n"),
        "'1.0.0' #",
        "'1.0.1' #",
    ),
    "trailing blanks": (block("version:    1.0.0    \n"), "1.0.0    \n", "1.0.1    \n"),
    "on the next line": (block("version:\n  1.0.0\n"), "  1.0.0", "  1.0.1"),
    "quoted on the next line": (block('version:\n  "1.0.0"\n'), '"1.0.0"', '"1.0.1"'),
    "quoted key": (block('"version": 1.0.0\n'), '"version": 1.0.0', '"version": 1.0.1'),
    "explicit key": (block("? version\n: 1.0.0\n"), ": 1.0.0", ": 1.0.1"),
    "document markers": ("---\n" + block("version: 1.0.0\n") + "...\n", "1.0.0", "1.0.1"),
    "last line without a newline": (HEAD + TAIL + "version: 1.0.0", "1.0.0", "1.0.1"),
    "prerelease": (block("version: 1.0.0-rc.1+build.5\n"), "1.0.0-rc.1+build.5", "1.0.0"),
    "anchor": (block("version: &v 1.0.0\n"), "&v 1.0.0", "&v 1.0.1"),
    "anchor and comment, value below": (
        block("version: &v # note\n  1.0.0\n"),
        "# note\n  1.0.0",
        "# note\n  1.0.1",
    ),
    "tag": (block("version: !!str 1.0.0\n"), "!!str 1.0.0", "!!str 1.0.1"),
    "tag, double-quoted": (block('version: !!str "1.0.0"\n'), '!!str "1.0.0"', '!!str "1.0.1"'),
    "verbatim tag": (
        block("version: !<tag:yaml.org,2002:str> '1.0.0'\n"),
        "> '1.0.0'",
        "> '1.0.1'",
    ),
    # an alias is the version's whole text: it becomes the new value, the anchor stays
    "alias": (
        HEAD.replace("title: M", "title: &v 1.0.0") + "version: *v\n" + TAIL,
        "version: *v",
        "version: 1.0.1",
    ),
    "flow mapping, plain, last": (
        flow("status: proposed, owner: x, version: 1.0.0}\n"),
        "version: 1.0.0}",
        "version: 1.0.1}",
    ),
    "flow mapping, no space after the comma": (
        flow("version: 1.0.0,status: proposed, owner: x}\n"),
        "1.0.0,status",
        "1.0.1,status",
    ),
    "flow mapping, single-quoted": (
        flow("version: '1.0.0', status: proposed, owner: x}\n"),
        "'1.0.0',",
        "'1.0.1',",
    ),
    "flow mapping over lines": (
        flow('\n  version: "1.0.0",\n  status: proposed, owner: x}\n'),
        '"1.0.0",',
        '"1.0.1",',
    ),
    "flow mapping, anchor and tag": (
        flow("version: &a !!str 1.0.0, status: proposed, owner: x}\n"),
        "&a !!str 1.0.0,",
        "&a !!str 1.0.1,",
    ),
}


def _bumped(tmp_path: Path, raw: bytes) -> tuple[Path, Path]:
    root = write_backlog(tmp_path / "repo", {"backlog/m.yaml": raw})
    return root, root / "backlog/m.yaml"


ENDINGS = {"lf": ("", "\n"), "crlf-bom": ("\ufeff", "\r\n"), "cr": ("", "\r")}


@pytest.mark.parametrize("ending", list(ENDINGS))
def test_bump_rewrites_only_the_version(tmp_path: Path, ending: str) -> None:
    # every form in one backlog (one item each), bumped by one command: a subprocess per
    # form would make this the slowest file of the suite
    bom, newline = ENDINGS[ending]
    files: dict[str, str | bytes] = {}
    expected: dict[str, bytes] = {}
    lines = []
    for n, (name, (text, old, new)) in enumerate(REWRITTEN.items()):
        assert text.count(old) == 1 and text.count("id: m") == 1, name
        text = text.replace("id: m", f"id: m{n}")
        rel = f"backlog/m{n}.yaml"
        files[rel] = (bom + text).replace("\n", newline).encode("utf-8")
        expected[rel] = (bom + text.replace(old, new)).replace("\n", newline).encode("utf-8")
        source, to = ("1.0.0-rc.1+build.5", "1.0.0") if name == "prerelease" else ("1.0.0", "1.0.1")
        lines.append(f"model/m{n}: {source} -> {to} ({rel})\n")
    root = write_backlog(tmp_path / "repo", files)
    proc = run_cli(
        "bump", "--no-cache", "--patch", *(f"model/m{n}" for n in range(len(files))), cwd=root
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout == "".join(lines)
    for (rel, want), name in zip(expected.items(), REWRITTEN, strict=True):
        assert (root / rel).read_bytes() == want, name
    after = run_cli("check", "--no-cache", cwd=root)
    assert (after.returncode, after.stdout) == (0, f"{len(files)} items checked: no problems\n")


# name: (file, the message on stderr)
REFUSED: dict[str, tuple[str, str]] = {
    # a quoted scalar folded over lines: the splice works on one line only
    "double-quoted over lines": (
        block('version: "1.0.\\\n  0"\n'),
        "the version value spans lines; put it on one line to bump it",
    ),
    "single-quoted over lines": (
        block("version: '1.0.0\n  '\n"),
        "`model/m`: '1.0.0 ' is not a SemVer version",
    ),
    # a plain scalar over lines folds into `1.0. 0`: not a version to bump from
    "plain over lines": (
        block("version: 1.0.\n  0\n"),
        "`model/m`: '1.0. 0' is not a SemVer version",
    ),
    # the anchored version is copied elsewhere: bumping it would change that copy too
    "anchor used elsewhere": (
        block("version: &v 1.0.0\n") + "tags: [*v]\n",
        "bumping would change more than `version`; the file was not written",
    ),
    "folded block scalar": (
        block("version: >-\n  1.0.0\n"),
        "bumping would change more than `version`; the file was not written",
    ),
    "no version": (HEAD + TAIL, "`model/m` has no valid version to bump"),
}


@pytest.mark.parametrize("name", list(REFUSED))
@pytest.mark.parametrize("newline", ["\n", "\r\n"], ids=["lf", "crlf"])
def test_bump_refuses_what_it_cannot_rewrite_and_leaves_the_file(
    tmp_path: Path, name: str, newline: str
) -> None:
    text, message = REFUSED[name]
    before = ("\ufeff" + text).replace("\n", newline).encode("utf-8")
    root, path = _bumped(tmp_path, before)
    proc = run_cli("bump", "--no-cache", "--patch", "model/m", cwd=root)
    assert (proc.returncode, proc.stdout) == (2, ""), proc.stderr
    assert proc.stderr == f"backlog: error: {message}\n"
    assert path.read_bytes() == before
