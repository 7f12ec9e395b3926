"""The loader on real files: data, positions, YAML 1.2 typing and every bad-input case."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from backlog_cli.loader import DEFAULT_LIMITS, Document, Limits, LoadError, load_file
from tests.conftest import require, require_module


def load(
    tmp_path: Path, content: str | bytes, limits: Limits = DEFAULT_LIMITS
) -> Document | LoadError:
    path = tmp_path / "item.yaml"
    if isinstance(content, str):
        content = content.encode("utf-8")
    path.write_bytes(content)
    return load_file(path, "item.yaml", limits)


def doc(tmp_path: Path, content: str | bytes) -> Document:
    loaded = load(tmp_path, content)
    assert isinstance(loaded, Document), loaded
    return loaded


def error(tmp_path: Path, content: str | bytes, limits: Limits = DEFAULT_LIMITS) -> LoadError:
    loaded = load(tmp_path, content, limits)
    assert isinstance(loaded, LoadError), loaded
    return loaded


def test_colons_inside_flow_sequences_parse_as_plain_scalars(tmp_path: Path) -> None:
    d = doc(tmp_path, "controls: [nist-ai-rmf:MEASURE-2.7, iso-42001:A.7.4]\n")
    assert d.data == {"controls": ["nist-ai-rmf:MEASURE-2.7", "iso-42001:A.7.4"]}
    assert d.locate(("controls", 1)) == (1, 37)


def test_ruamel_c_loader_rejects_what_we_accept() -> None:
    """Why the loader does not use ruamel's C parser (kept as a canary: if ruamel fixes it,
    the choice can be revisited)."""
    ruamel = require_module(
        "ruamel.yaml", "ruamel.yaml is not installed (pip install -e '.[test]')"
    )
    loader = ruamel.YAML(typ="safe")
    require(
        getattr(loader, "Parser", None) and "CParser" in repr(loader.Parser),
        "ruamel.yaml.clib is not installed",
    )
    with pytest.raises(Exception, match="unexpected ':'"):
        loader.load("controls: [nist-ai-rmf:MEASURE-2.7, iso-42001:A.7.4]\n")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("on", "on"),
        ("yes", "yes"),
        ("No", "No"),
        ("true", True),
        ("FALSE", False),
        ("~", None),
        ("null", None),
        ("", None),
        ("1.0", 1.0),
        ("1_000", "1_000"),
        ("012", 12),
        ("0o17", 15),
        ("0x1F", 31),
        ("1e3", 1000.0),
        ("-.inf", float("-inf")),
        ("2026-01-01", "2026-01-01"),
        ("1:20", "1:20"),
        ("'1.0'", "1.0"),
        ('"true"', "true"),
        ("!!str 1.0", "1.0"),
        ("!!float 1", 1.0),
        ("! 12", "12"),
        ("^1.2", "^1.2"),
    ],
)
def test_yaml_1_2_core_schema_typing(tmp_path: Path, text: str, expected: object) -> None:
    assert doc(tmp_path, f"v: {text}\n").data["v"] == expected


def test_nan_is_a_float(tmp_path: Path) -> None:
    value = doc(tmp_path, "v: .nan\n").data["v"]
    assert isinstance(value, float) and value != value


def test_positions_of_keys_and_values(tmp_path: Path) -> None:
    d = doc(tmp_path, "a:\n  b: 1\n  c: [x, {d: 2}]\nlist:\n  - one\n  -   two\n")
    assert d.locate(("a", "b")) == (2, 6)
    assert d.locate(("a", "b"), at_key=True) == (2, 3)
    assert d.locate(("a", "c", 1, "d")) == (3, 14)
    assert d.locate(("list", 1)) == (6, 7)
    # a missing pointer falls back to the nearest parent's key
    assert d.locate(("a", "zzz")) == (1, 1)


def test_columns_count_characters_not_bytes(tmp_path: Path) -> None:
    d = doc(tmp_path, "title: héllo wörld\nnext: [é, x]\n")
    assert d.locate(("next", 1)) == (2, 11)


def test_crlf_positions(tmp_path: Path) -> None:
    d = doc(tmp_path, b"a: 1\r\nb:\r\n  c: x\r\n")
    assert d.data == {"a": 1, "b": {"c": "x"}}
    assert d.locate(("b", "c")) == (3, 6)


def test_utf8_bom_is_accepted(tmp_path: Path) -> None:
    assert doc(tmp_path, b"\xef\xbb\xbfa: 1\n").data == {"a": 1}


def test_anchors_and_small_aliases_are_fine(tmp_path: Path) -> None:
    d = doc(tmp_path, "a: &x [1, 2]\nb: *x\n")
    assert d.data == {"a": [1, 2], "b": [1, 2]}


@pytest.mark.parametrize(
    ("content", "message", "line", "column"),
    [
        (b"a: 1\n\xff\xfe oops\n", "invalid UTF-8 at byte offset 5", 2, 1),
        (b"", "empty file", 1, 1),
        (b"# only a comment\n", "empty file", 1, 1),
        (b"a: 1\n---\nb: 2\n", "several YAML documents", 2, 1),
        (b"- a\n- b\n", "top level is a list", 1, 1),
        (b"just text\n", "top level is a string", 1, 1),
        (b"a: 1\nb: 2\na: 3\n", "duplicate key `a` (first defined at line 1)", 3, 1),
        (b"a: !!python/object:os.system x\n", "custom tag `!!python/object:os.system`", 1, 4),
        (b"a: !foo x\n", "custom tag `!foo`", 1, 4),
        (b"a: !!binary aGVsbG8=\n", "custom tag `!!binary`", 1, 4),
        (b"a: !!set {x}\n", "custom tag `!!set`", 1, 4),
        # issue 14: an unclosed quote or bracket is reported where it opened
        (b"a: 'unclosed\n", "the quote `'` opened at line 1, column 4 is never closed", 1, 4),
        (b"a: [1, 2\n", "the bracket `[` opened at line 1, column 4 is never closed", 1, 4),
        (b"a:\n\tb: 1\n", "tab character", 2, 1),
        (b"a: *nowhere\n", "unknown anchor `*nowhere`", 1, 4),
        (b"base: &b {x: 1}\nc:\n  <<: *b\n", "merge keys", 3, 3),
        (b"? [a]\n: b\n", "a mapping key must be a plain value", 1, 3),
        (b"a: \x00\n", "control character U+0000 is not allowed", 1, 4),
        (b"\xff\xfea\x00:\x00", "UTF-16", 1, 1),
        (b"a: !!int x\n", "not a valid int", 1, 4),
    ],
)
def test_bad_input_becomes_a_located_load_error(
    tmp_path: Path, content: bytes, message: str, line: int, column: int
) -> None:
    err = error(tmp_path, content)
    assert message in err.message
    assert (err.line, err.column) == (line, column)


def test_file_over_the_size_cap(tmp_path: Path) -> None:
    err = error(tmp_path, "a: " + "x" * 2000 + "\n", Limits(max_file_size=1000))
    assert "over the 1000-byte cap" in err.message


def test_billion_laughs_is_refused_quickly(tmp_path: Path) -> None:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    for i, name in enumerate("bcdefghi"):
        prev = "abcdefghi"[i]
        lines.append(f"{name}: &{name} [" + ",".join([f"*{prev}"] * 9) + "]")
    start = time.perf_counter()
    err = error(tmp_path, "\n".join(lines) + "\n")
    elapsed = time.perf_counter() - start
    assert "aliases expand to more than" in err.message
    assert elapsed < 10.0  # a functional bound, not a speed target: the naive expansion never ends


@pytest.mark.parametrize(
    "content",
    [
        "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
        "a: " + "{b: " * 5_000 + "1" + "}" * 5_000 + "\n",
        "".join(" " * i + "k:\n" for i in range(1200)),
        "a: " + "[" * 100 + "]" * 100 + "\n",
    ],
)
def test_deep_nesting_is_an_error_not_a_crash(tmp_path: Path, content: str) -> None:
    err = error(tmp_path, content)
    assert "nest" in err.message


def test_huge_integer_is_an_error(tmp_path: Path) -> None:
    err = error(tmp_path, "a: " + "9" * 5000 + "\n")
    assert "number too large" in err.message


def test_fifo_is_skipped_with_a_warning(tmp_path: Path) -> None:
    path = tmp_path / "fifo.yaml"
    os.mkfifo(path)
    loaded = load_file(path, "fifo.yaml")
    assert isinstance(loaded, LoadError) and loaded.warning


def test_unreadable_file(tmp_path: Path) -> None:
    path = tmp_path / "loop.yaml"
    path.symlink_to(path)
    loaded = load_file(path, "loop.yaml")
    assert isinstance(loaded, LoadError) and "cannot read" in loaded.message
