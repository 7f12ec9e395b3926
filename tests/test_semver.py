"""Tests for backlog_cli.semver's `Level`: it must order by severity and still read, print and
serialise as the plain words every output used before it existed (the bump arithmetic and
`Version` are tested in test_classify.py and test_refs.py)."""

from __future__ import annotations

import json

import pytest

from backlog_cli.semver import LEVELS, Level, parse_version


def test_levels_order_by_severity_not_alphabetically() -> None:
    assert sorted([Level.MAJOR, Level.NONE, Level.MINOR, Level.PATCH]) == list(LEVELS)
    assert LEVELS == (Level.NONE, Level.PATCH, Level.MINOR, Level.MAJOR)
    assert Level.MAJOR > Level.MINOR > Level.PATCH > Level.NONE
    assert Level.MINOR >= Level.MINOR and Level.MINOR <= Level.MINOR
    assert max(LEVELS) is Level.MAJOR
    # a level's name compares by severity too, from either side ("major" < "minor" as text)
    assert Level.MAJOR > "minor" and "minor" < Level.MAJOR  # noqa: SIM300
    with pytest.raises(ValueError, match="unknown change level 'huge'"):
        _ = Level.MAJOR < "huge"


def test_levels_read_print_and_serialise_as_the_plain_words() -> None:
    assert Level.MAJOR == "major" and "major" == Level.MAJOR  # noqa: SIM300
    assert {"major": 1}[Level.MAJOR] == 1 and {Level.MAJOR: 1}["major"] == 1
    assert str(Level.MINOR) == "minor"
    assert f"{Level.MINOR}|{Level.PATCH:>7}|{Level.NONE!s}" == "minor|  patch|none"
    assert "%s" % Level.MAJOR == "major"  # noqa: UP031
    assert Level.PATCH.ljust(6) == "patch "
    payload = {Level.MAJOR: [Level.NONE]}
    assert json.dumps(payload) == '{"major": ["none"]}'
    assert json.dumps(payload, indent=1) == '{\n "major": [\n  "none"\n ]\n}'


def test_level_of_a_name() -> None:
    assert Level.of("patch") is Level.PATCH
    assert Level.of(Level.MAJOR) is Level.MAJOR
    with pytest.raises(ValueError, match=r"unknown change level 'huge'; expected one of \("):
        Level.of("huge")


@pytest.mark.parametrize(
    ("level", "base", "expected"),
    [
        (Level.MAJOR, "1.2.0", Level.MAJOR),
        (Level.MAJOR, "0.3.1", Level.MINOR),
        (Level.MINOR, "0.3.1", Level.PATCH),
        (Level.PATCH, "0.3.1", Level.PATCH),
        (Level.NONE, "0.3.1", Level.NONE),
        (Level.MAJOR, None, Level.MAJOR),
    ],
)
def test_the_bump_a_level_requires(level: Level, base: str | None, expected: Level) -> None:
    version = parse_version(base) if base is not None else None
    assert level.required_at(version) is expected
