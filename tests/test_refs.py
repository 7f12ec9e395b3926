"""Tests for backlog_cli.refs.

The range tables are node-semver's own fixtures (test/fixtures/range-include.js and
range-exclude.js, rows that need no loose/includePrerelease option) and the desugarings
documented in its README, so a failure here means we no longer agree with npm.
"""

from __future__ import annotations

import dataclasses
import itertools
import random
import re

import pytest

from backlog_cli.refs import (
    ID_PATTERN,
    REF_PATTERN,
    Range,
    Ref,
    parse_range,
    parse_ref,
    range_admits,
)
from backlog_cli.semver import SEMVER_PATTERN, Version, parse_version
from backlog_cli.vocab import KINDS

# --- node-semver fixtures -------------------------------------------------------------------

RANGE_INCLUDE = [
    ("1.0.0 - 2.0.0", "1.2.3"),
    ("^1.2.3+build", "1.2.3"),
    ("^1.2.3+build", "1.3.0"),
    ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3"),
    ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "1.2.3-pre.2"),
    ("1.2.3-pre+asdf - 2.4.3-pre+asdf", "2.4.3-alpha"),
    ("1.2.3+asdf - 2.4.3+asdf", "1.2.3"),
    ("1.0.0", "1.0.0"),
    (">=*", "0.2.4"),
    ("", "1.0.0"),
    ("*", "1.2.3"),
    (">=1.0.0", "1.0.0"),
    (">=1.0.0", "1.0.1"),
    (">=1.0.0", "1.1.0"),
    (">1.0.0", "1.0.1"),
    (">1.0.0", "1.1.0"),
    ("<=2.0.0", "2.0.0"),
    ("<=2.0.0", "1.9999.9999"),
    ("<=2.0.0", "0.2.9"),
    ("<2.0.0", "1.9999.9999"),
    ("<2.0.0", "0.2.9"),
    (">= 1.0.0", "1.0.0"),
    (">=  1.0.0", "1.0.1"),
    (">=   1.0.0", "1.1.0"),
    ("> 1.0.0", "1.0.1"),
    (">  1.0.0", "1.1.0"),
    ("<=   2.0.0", "2.0.0"),
    ("<= 2.0.0", "1.9999.9999"),
    ("<=  2.0.0", "0.2.9"),
    ("<    2.0.0", "1.9999.9999"),
    ("<\t2.0.0", "0.2.9"),
    (">=0.1.97", "0.1.97"),
    ("0.1.20 || 1.2.4", "1.2.4"),
    (">=0.2.3 || <0.0.1", "0.0.0"),
    (">=0.2.3 || <0.0.1", "0.2.3"),
    (">=0.2.3 || <0.0.1", "0.2.4"),
    ("||", "1.3.4"),
    ("2.x.x", "2.1.3"),
    ("1.2.x", "1.2.3"),
    ("1.2.x || 2.x", "2.1.3"),
    ("1.2.x || 2.x", "1.2.3"),
    ("x", "1.2.3"),
    ("2.*.*", "2.1.3"),
    ("1.2.*", "1.2.3"),
    ("1.2.* || 2.*", "2.1.3"),
    ("1.2.* || 2.*", "1.2.3"),
    ("2", "2.1.2"),
    ("2.3", "2.3.1"),
    ("~0.0.1", "0.0.1"),
    ("~0.0.1", "0.0.2"),
    ("~x", "0.0.9"),
    ("~2", "2.0.9"),
    ("~2.4", "2.4.0"),
    ("~2.4", "2.4.5"),
    ("~>3.2.1", "3.2.2"),
    ("~1", "1.2.3"),
    ("~>1", "1.2.3"),
    ("~> 1", "1.2.3"),
    ("~1.0", "1.0.2"),
    ("~ 1.0", "1.0.2"),
    ("~ 1.0.3", "1.0.12"),
    (">=1", "1.0.0"),
    (">= 1", "1.0.0"),
    ("<1.2", "1.1.1"),
    ("< 1.2", "1.1.1"),
    ("~v0.5.4-pre", "0.5.5"),
    ("~v0.5.4-pre", "0.5.4"),
    ("=0.7.x", "0.7.2"),
    ("<=0.7.x", "0.7.2"),
    (">=0.7.x", "0.7.2"),
    ("<=0.7.x", "0.6.2"),
    ("~1.2.1 >=1.2.3", "1.2.3"),
    ("~1.2.1 =1.2.3", "1.2.3"),
    ("~1.2.1 1.2.3", "1.2.3"),
    ("~1.2.1 >=1.2.3 1.2.3", "1.2.3"),
    ("~1.2.1 1.2.3 >=1.2.3", "1.2.3"),
    (">=1.2.1 1.2.3", "1.2.3"),
    ("1.2.3 >=1.2.1", "1.2.3"),
    (">=1.2.3 >=1.2.1", "1.2.3"),
    (">=1.2.1 >=1.2.3", "1.2.3"),
    (">=1.2", "1.2.8"),
    ("^1.2.3", "1.8.1"),
    ("^0.1.2", "0.1.2"),
    ("^0.1", "0.1.2"),
    ("^0.0.1", "0.0.1"),
    ("^1.2", "1.4.2"),
    ("^1.2 ^1", "1.4.2"),
    ("^1.2.3-alpha", "1.2.3-pre"),
    ("^1.2.0-alpha", "1.2.0-pre"),
    ("^0.0.1-alpha", "0.0.1-beta"),
    ("^0.0.1-alpha", "0.0.1"),
    ("^0.1.1-alpha", "0.1.1-beta"),
    ("^x", "1.2.3"),
    ("x - 1.0.0", "0.9.7"),
    ("x - 1.x", "0.9.7"),
    ("1.0.0 - x", "1.9.7"),
    ("1.x - x", "1.9.7"),
    ("<=7.x", "7.9.9"),
]

RANGE_EXCLUDE = [
    ("1.0.0 - 2.0.0", "2.2.3"),
    ("1.2.3+asdf - 2.4.3+asdf", "1.2.3-pre.2"),
    ("1.2.3+asdf - 2.4.3+asdf", "2.4.3-alpha"),
    ("^1.2.3+build", "2.0.0"),
    ("^1.2.3+build", "1.2.0"),
    ("^1.2.3", "1.2.3-pre"),
    ("^1.2", "1.2.0-pre"),
    (">1.2", "1.3.0-beta"),
    ("<=1.2.3", "1.2.3-beta"),
    ("^1.2.3", "1.2.3-beta"),
    ("=0.7.x", "0.7.0-asdf"),
    (">=0.7.x", "0.7.0-asdf"),
    ("<=0.7.x", "0.7.0-asdf"),
    ("1.0.0", "1.0.1"),
    (">=1.0.0", "0.0.0"),
    (">=1.0.0", "0.0.1"),
    (">=1.0.0", "0.1.0"),
    (">1.0.0", "0.0.1"),
    (">1.0.0", "0.1.0"),
    ("<=2.0.0", "3.0.0"),
    ("<=2.0.0", "2.9999.9999"),
    ("<=2.0.0", "2.2.9"),
    ("<2.0.0", "2.9999.9999"),
    ("<2.0.0", "2.2.9"),
    (">=0.1.97", "0.1.93"),
    ("0.1.20 || 1.2.4", "1.2.3"),
    (">=0.2.3 || <0.0.1", "0.0.3"),
    (">=0.2.3 || <0.0.1", "0.2.2"),
    ("2.x.x", "3.1.3"),
    ("1.2.x", "1.3.3"),
    ("1.2.x || 2.x", "3.1.3"),
    ("1.2.x || 2.x", "1.1.3"),
    ("2.*.*", "1.1.3"),
    ("2.*.*", "3.1.3"),
    ("1.2.*", "1.3.3"),
    ("1.2.* || 2.*", "3.1.3"),
    ("1.2.* || 2.*", "1.1.3"),
    ("2", "1.1.2"),
    ("2.3", "2.4.1"),
    ("~0.0.1", "0.1.0-alpha"),
    ("~0.0.1", "0.1.0"),
    ("~2.4", "2.5.0"),
    ("~2.4", "2.3.9"),
    ("~>3.2.1", "3.3.2"),
    ("~>3.2.1", "3.2.0"),
    ("~1", "0.2.3"),
    ("~>1", "2.2.3"),
    ("~1.0", "1.1.0"),
    ("<1", "1.0.0"),
    (">=1.2", "1.1.1"),
    ("~v0.5.4-beta", "0.5.4-alpha"),
    ("=0.7.x", "0.8.2"),
    (">=0.7.x", "0.6.2"),
    ("<0.7.x", "0.7.2"),
    ("<1.2.3", "1.2.3-beta"),
    ("=1.2.3", "1.2.3-beta"),
    (">1.2", "1.2.8"),
    ("^0.0.1", "0.0.2-alpha"),
    ("^0.0.1", "0.0.2"),
    ("^1.2.3", "2.0.0-alpha"),
    ("^1.2.3", "1.2.2"),
    ("^1.2", "1.1.9"),
    ("^1.0.0", "2.0.0-rc1"),
    ("1 - 2", "2.0.0-pre"),
    ("1 - 2", "1.0.0-pre"),
    ("1.0 - 2", "1.0.0-pre"),
    ("1.1.x", "1.0.0-a"),
    ("1.1.x", "1.1.0-a"),
    ("1.1.x", "1.2.0-a"),
    ("1.x", "1.0.0-a"),
    ("1.x", "1.1.0-a"),
    ("1.x", "1.2.0-a"),
    (">=1.0.0 <1.1.0", "1.1.0"),
    (">=1.0.0 <1.1.0", "1.1.0-pre"),
    (">=1.0.0 <1.1.0-pre", "1.1.0-pre"),
]

# node-semver README: "range := comparator set it desugars to".
README_DESUGARINGS = [
    ("1.2.3 - 2.3.4", ">=1.2.3 <=2.3.4"),
    ("1.2 - 2.3.4", ">=1.2.0 <=2.3.4"),
    ("1.2.3 - 2.3", ">=1.2.3 <2.4.0-0"),
    ("1.2.3 - 2", ">=1.2.3 <3.0.0-0"),
    ("*", ">=0.0.0"),
    ("1.x", ">=1.0.0 <2.0.0-0"),
    ("1.2.x", ">=1.2.0 <1.3.0-0"),
    ("", "*"),
    ("1", "1.x.x"),
    ("1", ">=1.0.0 <2.0.0-0"),
    ("1.2", "1.2.x"),
    ("1.2", ">=1.2.0 <1.3.0-0"),
    ("~1.2.3", ">=1.2.3 <1.3.0-0"),
    ("~1.2", ">=1.2.0 <1.3.0-0"),
    ("~1", ">=1.0.0 <2.0.0-0"),
    ("~0.2.3", ">=0.2.3 <0.3.0-0"),
    ("~0.2", ">=0.2.0 <0.3.0-0"),
    ("~0", ">=0.0.0 <1.0.0-0"),
    ("~1.2.3-beta.2", ">=1.2.3-beta.2 <1.3.0-0"),
    ("^1.2.3", ">=1.2.3 <2.0.0-0"),
    ("^0.2.3", ">=0.2.3 <0.3.0-0"),
    ("^0.0.3", ">=0.0.3 <0.0.4-0"),
    ("^1.2.3-beta.2", ">=1.2.3-beta.2 <2.0.0-0"),
    ("^0.0.3-beta", ">=0.0.3-beta <0.0.4-0"),
    ("^1.2.x", ">=1.2.0 <2.0.0-0"),
    ("^0.0.x", ">=0.0.0 <0.1.0-0"),
    ("^0.0", ">=0.0.0 <0.1.0-0"),
    ("^1.x", ">=1.0.0 <2.0.0-0"),
    ("^0.x", ">=0.0.0 <1.0.0-0"),
]

# node-semver test/fixtures/range-parse.js (strict rows that parse): range -> canonical form.
RANGE_PARSE = [
    ("1.0.0 - 2.0.0", ">=1.0.0 <=2.0.0"),
    ("1 - 2", ">=1.0.0 <3.0.0-0"),
    ("1.0 - 2.0", ">=1.0.0 <2.1.0-0"),
    (">=*", "*"),
    ("||", "*"),
    ("2.x.x", ">=2.0.0 <3.0.0-0"),
    ("1.2.x || 2.x", ">=1.2.0 <1.3.0-0||>=2.0.0 <3.0.0-0"),
    ("~>3.2.1", ">=3.2.1 <3.3.0-0"),
    ("~> 1", ">=1.0.0 <2.0.0-0"),
    ("~ 1.0", ">=1.0.0 <1.1.0-0"),
    ("^0", "<1.0.0-0"),
    ("^ 1", ">=1.0.0 <2.0.0-0"),
    ("^0.1", ">=0.1.0 <0.2.0-0"),
    ("^1.0", ">=1.0.0 <2.0.0-0"),
    ("^0.0.1-beta", ">=0.0.1-beta <0.0.2-0"),
    ("^1.2.3-beta.4", ">=1.2.3-beta.4 <2.0.0-0"),
    ("<1", "<1.0.0-0"),
    ("< 1.2", "<1.2.0-0"),
    (">= 1", ">=1.0.0"),
    ("^ 1.2 ^ 1", ">=1.2.0 <2.0.0-0 >=1.0.0"),
    ("1.2 - 3.4.5", ">=1.2.0 <=3.4.5"),
    ("1.2.3 - 3.4", ">=1.2.3 <3.5.0-0"),
    ("1.2 - 3.4", ">=1.2.0 <3.5.0-0"),
    (">1", ">=2.0.0"),
    (">1.2", ">=1.3.0"),
    (">X", "<0.0.0-0"),
    ("<X", "<0.0.0-0"),
    ("<x <* || >* 2.x", "<0.0.0-0"),
    (">x 2.x || * || <x", "*"),
]


def _probe_versions() -> list[Version]:
    probes = []
    for major in range(4):
        for minor in range(5):
            for patch in range(6):
                for pre in ((), (0,), ("alpha",), ("beta", 2), ("pre",)):
                    probes.append(Version(major, minor, patch, pre))
    return probes


PROBES = _probe_versions()


def _v(text: str) -> Version:
    version = parse_version(text)
    assert version is not None, text
    return version


@pytest.mark.parametrize(("range_text", "version_text"), RANGE_INCLUDE)
def test_range_includes(range_text: str, version_text: str) -> None:
    assert parse_range(range_text).admits(_v(version_text)) is True
    assert range_admits(range_text, version_text) is True


@pytest.mark.parametrize(("range_text", "version_text"), RANGE_EXCLUDE)
def test_range_excludes(range_text: str, version_text: str) -> None:
    assert parse_range(range_text).admits(_v(version_text)) is False
    assert range_admits(range_text, version_text) is False


def test_fixture_tables_are_big_enough() -> None:
    assert len(RANGE_INCLUDE) >= 60
    assert len(RANGE_EXCLUDE) >= 60


@pytest.mark.parametrize(("sugar", "plain"), README_DESUGARINGS + RANGE_PARSE)
def test_range_matches_its_desugaring(sugar: str, plain: str) -> None:
    sugared, desugared = parse_range(sugar), parse_range(plain)
    disagreements = [str(v) for v in PROBES if sugared.admits(v) is not desugared.admits(v)]
    assert disagreements == []


@pytest.mark.parametrize(
    ("range_text", "lowest", "below", "highest", "above"),
    [
        ("^1.2.3", "1.2.3", "1.2.2", "1.99.99", "2.0.0"),
        ("^0.2.3", "0.2.3", "0.2.2", "0.2.99", "0.3.0"),
        ("^0.0.3", "0.0.3", "0.0.2", "0.0.3", "0.0.4"),
        ("~1.2.3", "1.2.3", "1.2.2", "1.2.99", "1.3.0"),
        ("~1", "1.0.0", "0.99.99", "1.99.99", "2.0.0"),
        ("~0.2", "0.2.0", "0.1.99", "0.2.99", "0.3.0"),
        ("1.2.3 - 2.3.4", "1.2.3", "1.2.2", "2.3.4", "2.3.5"),
        ("1.2 - 2.3", "1.2.0", "1.1.99", "2.3.99", "2.4.0"),
        (">=1.0.0 <2.0.0", "1.0.0", "0.99.99", "1.99.99", "2.0.0"),
        ("1.x || >=2.5.0 <3", "1.0.0", "0.99.99", "2.99.99", "3.0.0"),
    ],
)
def test_range_boundaries(
    range_text: str, lowest: str, below: str, highest: str, above: str
) -> None:
    parsed = parse_range(range_text)
    assert parsed.admits(_v(lowest))
    assert parsed.admits(_v(highest))
    assert not parsed.admits(_v(below))
    assert not parsed.admits(_v(above))


@pytest.mark.parametrize(
    ("range_text", "version_text", "expected"),
    [
        # The README's prerelease examples.
        (">1.2.3-alpha.3", "1.2.3-alpha.7", True),
        (">1.2.3-alpha.3", "3.4.5-alpha.9", False),
        (">1.2.3-alpha.3", "3.4.5", True),
        (">1.2.3-alpha.3", "1.2.3-alpha.3", False),
        (">1.2.3-alpha.3", "1.2.4-alpha.1", False),
        (">1.2.3-alpha.3 <1.2.4", "1.2.3-alpha.4", True),
        (">=1.2.3-alpha.3 <3.4.5", "3.4.5-alpha.9", False),
        # An upper bound with a prerelease opts its own patch in, too.
        (">=1.0.0 <=2.0.0-rc.2", "2.0.0-rc.1", True),
        (">=1.0.0 <=2.0.0-rc.2", "2.0.0-rc.3", False),
        (">=1.0.0 <=2.0.0-rc.2", "1.5.0-rc.1", False),
        # Opting in happens per comparator set, not per range.
        ("1.2.3-beta.1 || 2.x", "1.2.3-beta.1", True),
        ("1.2.3-beta.1 || 2.x", "2.1.0-beta.1", False),
        # npm collapses a set that is just "*" over the whole range, prereleases included.
        ("* || 1.0.0-alpha", "1.0.0-alpha", False),
        ("1.0.0-alpha || >=2", "1.0.0-alpha", True),
        # "<1.2" is "<1.2.0-0", which keeps 1.2.0's prereleases out even when opted in.
        (">=1.2.0-alpha <1.2", "1.2.0-beta", False),
        (">=1.2.0-alpha <1.2.0", "1.2.0-beta", True),
        # X ranges with an operator and a major wildcard admit nothing / everything.
        (">x", "0.0.0", False),
        ("<=*", "0.0.0", True),
        # Build metadata never takes part in matching.
        ("1.2.3", "1.2.3+build.7", True),
        ("=1.2.3+other", "1.2.3+build.7", True),
    ],
)
def test_prerelease_and_edge_semantics(range_text: str, version_text: str, expected: bool) -> None:
    assert range_admits(range_text, version_text) is expected


@pytest.mark.parametrize(
    "bad",
    [
        "^",
        "~",
        ">",
        ">=x.y",
        "1.2.3.4",
        "abc",
        ">01.02.03",
        "~1.2.3beta",
        "1.x.3",
        "x.1",
        "=1.2.3 - 2",
        "1.2.3 -",
        ">=1.0.0 <2.0.0 abc",
        "abc || 1.2.3",
        "1.2.3-",
        "v",
        "9007199254740991",
        "1.2.3-" + "a" * 260,
    ],
)
def test_bad_ranges_raise(bad: str) -> None:
    with pytest.raises(ValueError, match="invalid version range") as excinfo:
        parse_range(bad)
    assert repr(bad) in str(excinfo.value)
    assert range_admits(bad, "1.2.3") is None


def test_bad_range_message_names_the_comparator_and_the_accepted_forms() -> None:
    with pytest.raises(ValueError) as excinfo:
        parse_range(">=1.0.0 <2.0.0 ^")
    message = str(excinfo.value)
    assert "'^' is not a valid comparator" in message
    assert "^1.2" in message
    assert "||" in message


@pytest.mark.parametrize("text", ["^1.2", " ~1.2.3 ", ">=1.0.0  <2.0.0", "1.x || 2.x", ""])
def test_range_str_is_the_original_text(text: str) -> None:
    parsed = parse_range(text)
    assert isinstance(parsed, Range)
    assert str(parsed) == text
    assert repr(parsed) == f"Range({text!r})"


def test_range_rejects_versions_node_semver_cannot_represent() -> None:
    # node-semver stores numbers as JS doubles and refuses versions past 2**53 - 1.
    assert parse_range(">=1.0.0").admits(Version(2**53 - 1, 0, 0))
    assert not parse_range(">=1.0.0").admits(Version(2**53, 0, 0))
    assert not parse_range("*").admits(Version(1, 0, 0, (), ("b" * 260,)))


@pytest.mark.parametrize(
    ("range_text", "version_text"),
    [("^1.2.3", "v1.2.3"), ("^1.2.3", " 1.2.3"), ("*", "not a version"), (">=2", "glorp")],
)
def test_range_admits_is_none_for_unparsable_versions(range_text: str, version_text: str) -> None:
    assert range_admits(range_text, version_text) is None


# --- versions -------------------------------------------------------------------------------

VALID_VERSIONS = [
    "0.0.0",
    "0.0.4",
    "1.2.3",
    "10.20.30",
    "1.1.2-prerelease+meta",
    "1.1.2+meta",
    "1.1.2+meta-valid",
    "1.0.0-alpha",
    "1.0.0-beta",
    "1.0.0-alpha.beta",
    "1.0.0-alpha.beta.1",
    "1.0.0-alpha.1",
    "1.0.0-alpha0.valid",
    "1.0.0-alpha.0valid",
    "1.0.0-alpha-a.b-c-somethinglong+build.1-aef.1-its-okay",
    "1.0.0-rc.1+build.1",
    "2.0.0-rc.1+build.123",
    "1.2.3-beta",
    "10.2.3-DEV-SNAPSHOT",
    "1.2.3-SNAPSHOT-123",
    "2.0.0+build.1848",
    "2.0.1-alpha.1227",
    "1.0.0-alpha+beta",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12+788",
    "1.2.3----R-S.12.9.1--.12+meta",
    "1.2.3----RC-SNAPSHOT.12.9.1--.12",
    "1.0.0+0.build.1-rc.10000aaa-kk-0.1",
    "99999999999999999999999.999999999999999999.99999999999999999",
    "1.0.0-0A.is.legal",
]

INVALID_VERSIONS = [
    "",
    "1",
    "1.2",
    "1.2.3-0123",
    "1.2.3-0123.0123",
    "1.1.2+.123",
    "+invalid",
    "-invalid",
    "-invalid+invalid",
    "-invalid.01",
    "alpha",
    "alpha.beta",
    "alpha.1",
    "alpha+beta",
    "1.2.3.DEV",
    "1.2-SNAPSHOT",
    "1.2.31.2.3----RC-SNAPSHOT.12.09.1--..12+788",
    "1.2-RC-SNAPSHOT",
    "-1.0.3-gamma+b7718",
    "+justmeta",
    "9.8.7+meta+meta",
    "9.8.7-whatever+meta+meta",
    "01.1.1",
    "1.01.1",
    "1.1.01",
    "1.2.3-",
    "1.2.3+",
    "1.2.3-alpha..1",
    "v1.2.3",
    "=1.2.3",
    " 1.2.3",
    "1.2.3 ",
    "1.2.x",
    # Full-width digits: \d must mean ASCII digits only, as in ECMA-262.
    "\uff11.2.3",
    "1\uff10.2.3",
    "1.2.3-\uff11a",
]


@pytest.mark.parametrize("text", VALID_VERSIONS)
def test_parse_version_accepts_and_round_trips(text: str) -> None:
    version = parse_version(text)
    assert version is not None
    assert str(version) == text


@pytest.mark.parametrize("text", [*INVALID_VERSIONS, "1.2.3\n"])
def test_parse_version_rejects(text: str) -> None:
    assert parse_version(text) is None


def test_parse_version_fields() -> None:
    version = parse_version("1.0.0-alpha.1.x-y+build.05")
    assert version is not None
    assert (version.major, version.minor, version.patch) == (1, 0, 0)
    assert version.prerelease == ("alpha", 1, "x-y")
    assert version.build == ("build", "05")


@pytest.mark.parametrize("text", VALID_VERSIONS + INVALID_VERSIONS)
def test_semver_pattern_agrees_with_parse_version(text: str) -> None:
    # JSON Schema applies "pattern" with search semantics; ECMA-262's \d is ASCII-only.
    assert (re.search(SEMVER_PATTERN, text, re.ASCII) is not None) is (
        parse_version(text) is not None
    )


SEMVER_ORG_PRECEDENCE = [
    "1.0.0-alpha",
    "1.0.0-alpha.1",
    "1.0.0-alpha.beta",
    "1.0.0-beta",
    "1.0.0-beta.2",
    "1.0.0-beta.11",
    "1.0.0-rc.1",
    "1.0.0",
    "2.0.0",
    "2.1.0",
    "2.1.1",
    "10.0.0",
]


def test_version_precedence_matches_semver_org() -> None:
    ordered = [_v(text) for text in SEMVER_ORG_PRECEDENCE]
    shuffled = ordered[:]
    random.Random(1).shuffle(shuffled)
    assert sorted(shuffled) == ordered
    for lower, higher in itertools.pairwise(ordered):
        assert lower < higher
        assert lower <= higher
        assert higher > lower
        assert higher >= lower
        assert lower != higher


@pytest.mark.parametrize(
    ("lower", "higher"),
    [
        ("1.0.0-2", "1.0.0-10"),  # numeric identifiers compare as numbers
        ("1.0.0-999", "1.0.0-a"),  # numeric identifiers rank below alphanumeric ones
        ("1.0.0-Z", "1.0.0-a"),  # alphanumerics compare in ASCII order
        ("1.0.0-a.b", "1.0.0-a.b.0"),  # more identifiers win when the shared ones tie
        ("1.0.0-rc.1", "1.0.0"),
        ("1.9.9", "1.10.0"),
    ],
)
def test_version_precedence_rules(lower: str, higher: str) -> None:
    assert _v(lower) < _v(higher)
    assert not _v(higher) < _v(lower)


def test_build_metadata_is_ignored_for_precedence_and_equality() -> None:
    a, b = _v("1.0.0-rc.1+build.1"), _v("1.0.0-rc.1+build.2")
    assert a == b
    assert hash(a) == hash(b)
    assert not a < b
    assert not b < a
    assert len({a, b}) == 1
    assert str(a) != str(b)


def test_version_is_frozen_and_constructible() -> None:
    version = Version(1, 2, 3, ("rc", 1), ("sha", "abc"))
    assert str(version) == "1.2.3-rc.1+sha.abc"
    assert version == _v("1.2.3-rc.1")
    assert Version(1, 2, 3) > version
    with pytest.raises(dataclasses.FrozenInstanceError):
        version.major = 2  # type: ignore[misc]


# --- references -----------------------------------------------------------------------------

VALID_REFS = [
    ("prompt/support-triage@^1.2", Ref("prompt", "support-triage", "^1.2")),
    ("model/gpt-4o@>=1.0.0 <2.0.0", Ref("model", "gpt-4o", ">=1.0.0 <2.0.0")),
    ("dataset/eval.v2", Ref("dataset", "eval.v2", None)),
    ("tool/web_search", Ref("tool", "web_search", None)),
    ("agent/a", Ref("agent", "a", None)),
    ("agent/0", Ref("agent", "0", None)),
    ("policy/pii-redaction@1.2.3", Ref("policy", "pii-redaction", "1.2.3")),
    ("evaluation/x@1.x || 2.x", Ref("evaluation", "x", "1.x || 2.x")),
    ("capability/a.b-c_d@~1.2.3", Ref("capability", "a.b-c_d", "~1.2.3")),
    ("model/m@1.2.3 - 2.0.0", Ref("model", "m", "1.2.3 - 2.0.0")),
    ("model/m@*", Ref("model", "m", "*")),
    ("model/m@1.2.3-rc.1+build.5", Ref("model", "m", "1.2.3-rc.1+build.5")),
    ("prompt/" + "a" * 64, Ref("prompt", "a" * 64, None)),
]

# Well-formed ranges only: for these, the schema regex and parse_ref must agree exactly.
INVALID_REFS = [
    "",
    "prompt",
    "prompt/",
    "/x",
    "Prompt/x",
    "prompts/x",
    "unknown/x",
    "prompt/X",
    "prompt/-x",
    "prompt/x-",
    "prompt/x.",
    "prompt/.x",
    "prompt/x y",
    "prompt/x/y",
    "prompt/x@",
    "prompt/x@@1",
    "prompt/x@1.0.0 #2",
    "prompt/x@1.0.0,2.0.0",
    " prompt/x",
    "prompt/x ",
    "prompt/" + "a" * 65,
    "prompt:x@1.0.0",
]


@pytest.mark.parametrize(("text", "expected"), VALID_REFS)
def test_parse_ref_valid(text: str, expected: Ref) -> None:
    ref = parse_ref(text)
    assert ref == expected
    assert ref is not None
    assert ref.key == f"{expected.kind}/{expected.id}"
    assert str(ref) == text


@pytest.mark.parametrize("text", INVALID_REFS)
def test_parse_ref_invalid(text: str) -> None:
    assert parse_ref(text) is None


@pytest.mark.parametrize("text", [text for text, _ in VALID_REFS] + INVALID_REFS)
def test_ref_pattern_agrees_with_parse_ref(text: str) -> None:
    assert (re.search(REF_PATTERN, text, re.ASCII) is not None) is (parse_ref(text) is not None)


@pytest.mark.parametrize("text", ["prompt/x@^", "prompt/x@abc", "prompt/x@1.2.3.4", "tool/t@>=x.y"])
def test_ref_with_malformed_range_passes_the_schema_but_not_parse_ref(text: str) -> None:
    assert re.search(REF_PATTERN, text, re.ASCII) is not None
    assert parse_ref(text) is None
    with pytest.raises(ValueError):
        parse_range(text.partition("@")[2])


@pytest.mark.parametrize("kind", KINDS)
def test_every_kind_is_referenceable(kind: str) -> None:
    ref = parse_ref(f"{kind}/item-1@^1")
    assert ref == Ref(kind, "item-1", "^1")
    assert ref is not None
    assert ref.key == f"{kind}/item-1"


def test_ref_defaults_and_str() -> None:
    ref = Ref("model", "gpt-4o")
    assert ref.range is None
    assert ref.key == "model/gpt-4o"
    assert str(ref) == "model/gpt-4o"
    assert str(Ref("model", "gpt-4o", "^1")) == "model/gpt-4o@^1"


@pytest.mark.parametrize(
    ("text", "ok"),
    [
        ("a", True),
        ("gpt-4o", True),
        ("eval.v2", True),
        ("a_b", True),
        ("a" * 64, True),
        ("", False),
        ("-a", False),
        ("a-", False),
        ("A", False),
        ("a b", False),
        ("a" * 65, False),
    ],
)
def test_id_pattern(text: str, ok: bool) -> None:
    assert (re.search(ID_PATTERN, text, re.ASCII) is not None) is ok


@pytest.mark.parametrize("pattern", [ID_PATTERN, SEMVER_PATTERN, REF_PATTERN])
def test_patterns_use_only_ecma262_syntax(pattern: str) -> None:
    # JSON Schema validators compile "pattern" as ECMA-262: no Python-only constructs.
    for construct in ("(?P", "(?>", r"\A", r"\Z", "(?#", "*+", "++", "?+", "}+"):
        assert construct not in pattern
    assert pattern.startswith("^")
    assert pattern.endswith("$")
    re.compile(pattern)
