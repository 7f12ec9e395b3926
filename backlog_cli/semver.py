"""SemVer 2.0.0, in one place: the version grammar and its limits, `Version`, change levels and
the bump arithmetic between two versions.

The limits mirror node-semver, because backlog ranges are npm ranges (`refs.Range`): a
version npm refuses (too long, or a component a JS number cannot hold exactly) is one that
no range admits, and the `schema` rule and the item model refuse it up front.
"""

from __future__ import annotations

import enum
import functools
import re
from dataclasses import dataclass, field
from typing import Literal, TypeAlias

__all__ = [
    "LEVELS",
    "MAX_VERSION_COMPONENT",
    "MAX_VERSION_LENGTH",
    "SEMVER_PATTERN",
    "Bump",
    "Level",
    "Version",
    "actual_bump",
    "bump_satisfies",
    "bump_version",
    "oversized_components",
    "parse_version",
    "required_bump",
]

# The regex published on semver.org; the numbered-group variant is used because it is the one
# that is valid ECMA-262, which JSON Schema "pattern" requires.
SEMVER_PATTERN = (
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
    r"(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?"
    r"(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)

# re.ASCII keeps \d and \s as narrow as ECMA-262's, so the Python reading of the shared
# pattern is the same as a JSON Schema validator's.
_SEMVER_RE = re.compile(SEMVER_PATTERN, re.ASCII)

# node-semver refuses a version longer than 256 characters or with a component it cannot hold
# exactly in a JS number (Number.MAX_SAFE_INTEGER), and so no range admits such a version
# (`refs.Range.admits`). The length is a `maxLength`; a regex cannot sensibly bound the value
# of a component, so the model and the `schema` rule check that on top of the JSON Schema.
MAX_VERSION_LENGTH = 256
MAX_VERSION_COMPONENT = 2**53 - 1
# `\d` as in SEMVER_PATTERN, which a JSON Schema validator reads with Unicode digits
_VERSION_CORE = re.compile(r"(\d+)\.(\d+)\.(\d+)")
_COMPONENT_DIGITS = len(str(MAX_VERSION_COMPONENT))


def oversized_components(version: str) -> list[str]:
    """The names (`major`, `minor`, `patch`) of the components of a SemVer `version` above
    MAX_VERSION_COMPONENT."""
    core = _VERSION_CORE.match(version)
    if core is None:
        return []
    # digits are counted before int() reads them: a 5,000-digit component is over the
    # bound, and past Python's int-conversion digit limit
    return [
        name
        for name, digits in zip(("major", "minor", "patch"), core.groups(), strict=True)
        if len(digits) > _COMPONENT_DIGITS
        or (len(digits) == _COMPONENT_DIGITS and int(digits) > MAX_VERSION_COMPONENT)
    ]


# --- versions -------------------------------------------------------------------------------

_Identifier: TypeAlias = str | int
_PrereleaseKey: TypeAlias = tuple[int, tuple[tuple[int, int, str], ...]]
_Precedence: TypeAlias = tuple[int, int, int, _PrereleaseKey]


def _is_numeric(identifier: _Identifier) -> bool:
    return isinstance(identifier, int) or (identifier.isascii() and identifier.isdigit())


def _precedence(
    major: int, minor: int, patch: int, prerelease: tuple[_Identifier, ...]
) -> _Precedence:
    if not prerelease:
        # A release outranks every prerelease of the same major.minor.patch.
        return (major, minor, patch, (1, ()))
    parts = tuple(
        (0, int(part), "") if _is_numeric(part) else (1, 0, str(part)) for part in prerelease
    )
    # Tuple comparison already gives SemVer's rule that a longer identifier list wins when
    # all shared identifiers are equal, and numeric identifiers (tag 0) sort below others.
    return (major, minor, patch, (0, parts))


@dataclass(frozen=True, order=True)
class Version:
    """A SemVer 2.0.0 version.

    Comparison follows SemVer precedence, and build metadata plays no part in it (nor in
    equality or hashing): the generated ordering methods look only at the precomputed
    ``_precedence`` key, because comparing the raw fields would rank ``1.0.0`` below
    ``1.0.0-alpha`` and fail outright on mixed numeric/alphanumeric identifiers.
    """

    major: int = field(compare=False)
    minor: int = field(compare=False)
    patch: int = field(compare=False)
    prerelease: tuple[str | int, ...] = field(default=(), compare=False)
    build: tuple[str, ...] = field(default=(), compare=False)
    _precedence: _Precedence = field(init=False, repr=False, compare=True)

    def __post_init__(self) -> None:
        key = _precedence(self.major, self.minor, self.patch, self.prerelease)
        object.__setattr__(self, "_precedence", key)

    def __str__(self) -> str:
        text = f"{self.major}.{self.minor}.{self.patch}"
        if self.prerelease:
            text += "-" + ".".join(str(part) for part in self.prerelease)
        if self.build:
            text += "+" + ".".join(self.build)
        return text


@functools.lru_cache(maxsize=16384)
def parse_version(text: str) -> Version | None:
    """Parse a strict SemVer 2.0.0 string (no ``v`` prefix, no leading zeros, no padding)."""
    match = _SEMVER_RE.fullmatch(text)
    if match is None:
        return None
    major, minor, patch, prerelease, build = match.groups()
    try:
        return Version(
            int(major),
            int(minor),
            int(patch),
            tuple(int(p) if p.isdigit() else p for p in prerelease.split("."))
            if prerelease
            else (),
            tuple(build.split(".")) if build else (),
        )
    except ValueError:  # a component past Python's int digit limit: no usable version
        return None


# --- change levels and bumps ----------------------------------------------------------------


class Level(str, enum.Enum):
    """How much a change matters to consumers, and so which part of the version it bumps.

    Ordered none < patch < minor < major (by severity, not alphabetically as the `str`
    mixin alone would). A `str` so that it prints, compares, hashes and serialises to JSON
    exactly as the plain words did; `__str__` and `__format__` are spelled out because
    mixin enums format differently across Python 3.10 to 3.12.
    """

    NONE = "none"
    PATCH = "patch"
    MINOR = "minor"
    MAJOR = "major"

    @classmethod
    def of(cls, value: str) -> Level:
        """`value` as a Level: a Level, or its name from outside typed code."""
        try:
            return cls(value)
        except ValueError:
            names = tuple(level.value for level in cls)
            raise ValueError(f"unknown change level {value!r}; expected one of {names}") from None

    @property
    def rank(self) -> int:
        return _RANK[self]

    def required_at(self, base: Version | None) -> Level:
        """The bump a change of this level needs from `base`: itself, one step down below
        1.0.0 (SemVer's 0.x rule, and npm's caret: there a breaking change needs a minor
        bump and a feature a patch). Without a SemVer base, the level itself."""
        if base is None or base.major > 0:
            return self
        return _BELOW_1.get(self, self)

    def __str__(self) -> str:
        return self.value

    def __format__(self, format_spec: str) -> str:
        return format(self.value, format_spec)

    def __lt__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank < rank

    def __le__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank <= rank

    def __gt__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank > rank

    def __ge__(self, other: object) -> bool:
        rank = _rank_of(other)
        return NotImplemented if rank is None else self.rank >= rank


LEVELS: tuple[Level, ...] = tuple(Level)
_RANK = {level: rank for rank, level in enumerate(LEVELS)}
_BELOW_1 = {Level.MAJOR: Level.MINOR, Level.MINOR: Level.PATCH}
_BUMPS = (Level.MAJOR, Level.MINOR, Level.PATCH)


def _rank_of(other: object) -> int | None:
    """The rank of a Level or of a level's name: a plain string must never fall back to
    `str`'s alphabetical order, where "major" < "minor"."""
    if isinstance(other, Level):
        return _RANK[other]
    if isinstance(other, str):
        return _RANK[Level.of(other)]
    return None


Bump: TypeAlias = Level | Literal["decreased", "invalid"]
"""How far a version moved: a level, or "decreased", or "invalid" (not SemVer at one end)."""


def required_bump(base_version: str, level: Level) -> Level:
    """The bump a change of `level` needs from `base_version` (`Level.required_at`); a base
    version that is not SemVer leaves the level unchanged."""
    checked = Level.of(level)
    base = parse_version(base_version) if isinstance(base_version, str) else None
    return checked.required_at(base)


def actual_bump(base_version: str, head_version: str) -> Bump:
    """How far head moved from base: none, patch, minor, major, decreased or invalid.

    By SemVer precedence; the first of major/minor/patch that differs names the bump, and
    a prerelease-only move (`1.0.0-rc.1` → `1.0.0-rc.2` or `1.0.0`) counts as a patch.
    Build metadata does not count.
    """
    base = parse_version(base_version) if isinstance(base_version, str) else None
    head = parse_version(head_version) if isinstance(head_version, str) else None
    if base is None or head is None:
        return "invalid"
    if head < base:
        return "decreased"
    if head == base:
        return Level.NONE
    for part in _BUMPS:
        if getattr(head, part.value) != getattr(base, part.value):
            return part
    return Level.PATCH


def bump_version(version: str, part: Level) -> str:
    """`version` incremented like npm's `semver.inc(version, part)`; build metadata dropped.

    A prerelease is promoted rather than incremented when it already stands for the bump:
    `1.2.3-rc.1` patch → `1.2.3`, `1.2.0-rc.1` minor → `1.2.0`, `1.0.0-rc.1` major →
    `1.0.0`.
    """
    parsed = parse_version(version)
    if parsed is None:
        raise ValueError(f"{version!r} is not a SemVer version")
    major, minor, patch, pre = parsed.major, parsed.minor, parsed.patch, parsed.prerelease
    if part == Level.MAJOR:
        if minor or patch or not pre:
            major += 1
        minor = patch = 0
    elif part == Level.MINOR:
        if patch or not pre:
            minor += 1
        patch = 0
    elif part == Level.PATCH:
        if not pre:
            patch += 1
    else:
        names = tuple(level.value for level in _BUMPS)
        raise ValueError(f"unknown version part {part!r}; expected one of {names}")
    return f"{major}.{minor}.{patch}"


def bump_satisfies(actual: Bump, required: Level) -> bool:
    """Whether an `actual_bump` result is at least the `required_bump`.

    Nothing is required: anything but a decrease will do (an invalid version included:
    that is another rule's finding). Otherwise "decreased" and "invalid" never satisfy.
    """
    needed = Level.of(required)
    if needed is Level.NONE:
        return actual != "decreased"
    return actual in LEVELS and Level(actual) >= needed
