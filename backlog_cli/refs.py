"""Item references (``kind/id@range``) and npm-style semver ranges.

Range matching deliberately reproduces node-semver's ``satisfies(version, range)`` with
default options, quirks included: backlog authors write ranges the way they write them in
``package.json``, and a range that means one thing in npm and another here would be a trap.
To keep that promise the range parser is a port of node-semver's own desugaring pipeline
(hyphen ranges, trims, carets, tildes, X-ranges, stars) rather than a fresh grammar; every
step was checked against the node-semver 7.8 implementation.
"""

from __future__ import annotations

import functools
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import NamedTuple

from backlog_cli.semver import MAX_VERSION_COMPONENT, MAX_VERSION_LENGTH, Version, parse_version
from backlog_cli.vocab import KINDS

__all__ = [
    "ID_PATTERN",
    "REF_PATTERN",
    "Range",
    "RangeError",
    "Ref",
    "parse_range",
    "parse_ref",
    "range_admits",
]

ID_PATTERN = r"^[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$"

# The schema only guards the alphabet of the range; parse_range owns its grammar, so that
# error messages about a bad range come from one place and can explain what is wrong.
REF_PATTERN = (
    "^(?:"
    + "|".join(KINDS)
    + ")/"
    + ID_PATTERN.removeprefix("^").removesuffix("$")
    + r"(?:@[0-9A-Za-z.^~*<>=|+ -]+)?$"
)

# re.ASCII, as for semver.SEMVER_PATTERN: the Python reading of a pattern the JSON Schemas
# share is the same as a JSON Schema validator's.
_REF_RE = re.compile(REF_PATTERN, re.ASCII)


class Ref(NamedTuple):
    """A reference to a backlog item, optionally pinned to a version range.

    (A named tuple rather than a dataclass: a 10,000-item graph builds ~35,000 of them.)
    """

    kind: str
    id: str
    range: str | None = None

    @property
    def key(self) -> str:
        return f"{self.kind}/{self.id}"

    def __str__(self) -> str:
        return self.key if self.range is None else f"{self.key}@{self.range}"


def parse_ref(text: str) -> Ref | None:
    """Parse ``kind/id`` or ``kind/id@RANGE``; None unless both shape and range are valid."""
    if _REF_RE.fullmatch(text) is None:
        return None
    kind, _, rest = text.partition("/")
    item_id, at, range_text = rest.partition("@")
    if not at:
        return Ref(kind, item_id, None)
    try:
        parse_range(range_text)
    except ValueError:
        return None
    return Ref(kind, item_id, range_text)


# --- node-semver regex sources ---------------------------------------------------------------
# Built from the same pieces, in the same way, as node-semver's internal/re.js, so that each
# step of the pipeline below can be compared with its JavaScript counterpart line by line.

_LETTERDASHNUMBER = "[a-zA-Z0-9-]"
_NUMERIC_ID = r"0|[1-9]\d*"
_NUMERIC_ID_LOOSE = r"\d+"
_NONNUMERIC_ID = rf"\d*[a-zA-Z-]{_LETTERDASHNUMBER}*"
_MAIN_VERSION = rf"({_NUMERIC_ID})\.({_NUMERIC_ID})\.({_NUMERIC_ID})"
_MAIN_VERSION_LOOSE = rf"({_NUMERIC_ID_LOOSE})\.({_NUMERIC_ID_LOOSE})\.({_NUMERIC_ID_LOOSE})"
_PRERELEASE_ID = f"(?:{_NONNUMERIC_ID}|{_NUMERIC_ID})"
_PRERELEASE_ID_LOOSE = f"(?:{_NONNUMERIC_ID}|{_NUMERIC_ID_LOOSE})"
_PRERELEASE = rf"(?:-({_PRERELEASE_ID}(?:\.{_PRERELEASE_ID})*))"
_PRERELEASE_LOOSE = rf"(?:-?({_PRERELEASE_ID_LOOSE}(?:\.{_PRERELEASE_ID_LOOSE})*))"
_BUILD_ID = f"{_LETTERDASHNUMBER}+"
_BUILD = rf"(?:\+({_BUILD_ID}(?:\.{_BUILD_ID})*))"
_FULL_PLAIN = rf"v?{_MAIN_VERSION}{_PRERELEASE}?{_BUILD}?"
_LOOSE_PLAIN = rf"[v=\s]*{_MAIN_VERSION_LOOSE}{_PRERELEASE_LOOSE}?{_BUILD}?"
_GTLT = "((?:<|>)?=?)"
_XRANGE_ID = rf"{_NUMERIC_ID}|x|X|\*"
_XRANGE_PLAIN = (
    rf"[v=\s]*({_XRANGE_ID})"
    rf"(?:\.({_XRANGE_ID})(?:\.({_XRANGE_ID})(?:{_PRERELEASE})?{_BUILD}?)?)?"
)
_LONE_TILDE = "(?:~>?)"
_LONE_CARET = r"(?:\^)"


def _bounded(source: str) -> str:
    # node-semver bounds these repetitions to defuse catastrophic backtracking (CVE-2022-25883);
    # Python's engine backtracks the same way, and equal bounds keep matches identical.
    for token, limit in (
        (r"\s", 1),
        (r"\d", MAX_VERSION_LENGTH),
        (_LETTERDASHNUMBER, MAX_VERSION_LENGTH - 6),
    ):
        source = source.replace(f"{token}*", f"{token}{{0,{limit}}}")
        source = source.replace(f"{token}+", f"{token}{{1,{limit}}}")
    return source


def _compile(source: str) -> re.Pattern[str]:
    return re.compile(_bounded(source), re.ASCII)


# node-semver strips build metadata with the unbounded source, so this one stays unbounded.
_BUILD_STRIP_RE = re.compile(_BUILD, re.ASCII)
_BUILD_RE = _compile(_BUILD)
_HYPHEN_RANGE_RE = _compile(rf"^\s*({_XRANGE_PLAIN})\s+-\s+({_XRANGE_PLAIN})\s*$")
_COMPARATOR_TRIM_RE = _compile(rf"(\s*){_GTLT}\s*({_LOOSE_PLAIN}|{_XRANGE_PLAIN})")
_TILDE_TRIM_RE = _compile(rf"(\s*){_LONE_TILDE}\s+")
_CARET_TRIM_RE = _compile(rf"(\s*){_LONE_CARET}\s+")
_TILDE_RE = _compile(rf"^{_LONE_TILDE}{_XRANGE_PLAIN}$")
_CARET_RE = _compile(rf"^{_LONE_CARET}{_XRANGE_PLAIN}$")
_XRANGE_RE = _compile(rf"^{_GTLT}\s*{_XRANGE_PLAIN}$")
_STAR_RE = _compile(r"(<|>)?=?\s*\*")
_GTE0_RE = _compile(r"^\s*>=\s*0\.0\.0\s*$")
_COMPARATOR_RE = _compile(rf"^{_GTLT}\s*({_FULL_PLAIN})$|^$")

# JavaScript's \s (what String.prototype.trim and /\s+/ use): Python's str.split() disagrees
# on a few code points (U+001C..U+001F, U+0085, U+FEFF).
_JS_WHITESPACE_RE = re.compile(
    "[\t\n\v\f\r \u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000\ufeff]+"
)

_RANGE_HINT = (
    "expected comparators such as 1.2.3, =1.2.3, >=1.2.0 <2.0.0, ^1.2, ~1.2.3, 1.x or "
    "1.2.3 - 2.0.0, alternatives separated by ||"
)


def _is_x(part: str | None) -> bool:
    return not part or part.lower() == "x" or part == "*"


def _inc(number: str) -> int:
    return int(number) + 1


def _hyphen_replace(match: re.Match[str]) -> str:
    low, l_major, l_minor, l_patch = match.group(1, 2, 3, 4)
    high, h_major, h_minor, h_patch, h_pre = match.group(7, 8, 9, 10, 11)
    if _is_x(l_major):
        lower = ""
    elif _is_x(l_minor):
        lower = f">={l_major}.0.0"
    elif _is_x(l_patch):
        lower = f">={l_major}.{l_minor}.0"
    else:
        lower = f">={low}"
    if _is_x(h_major):
        upper = ""
    elif _is_x(h_minor):
        upper = f"<{_inc(h_major)}.0.0-0"
    elif _is_x(h_patch):
        upper = f"<{h_major}.{_inc(h_minor)}.0-0"
    elif h_pre:
        upper = f"<={h_major}.{h_minor}.{h_patch}-{h_pre}"
    else:
        upper = f"<={high}"
    return f"{lower} {upper}".strip()


def _caret_replace(match: re.Match[str]) -> str:
    major, minor, patch, pre = match.group(1, 2, 3, 4)
    if _is_x(major):
        return ""
    if _is_x(minor):
        return f">={major}.0.0 <{_inc(major)}.0.0-0"
    if _is_x(patch):
        if major == "0":
            return f">={major}.{minor}.0 <{major}.{_inc(minor)}.0-0"
        return f">={major}.{minor}.0 <{_inc(major)}.0.0-0"
    lower = f">={major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
    if major != "0":
        return f"{lower} <{_inc(major)}.0.0-0"
    if minor != "0":
        return f"{lower} <{major}.{_inc(minor)}.0-0"
    return f"{lower} <{major}.{minor}.{_inc(patch)}-0"


def _tilde_replace(match: re.Match[str]) -> str:
    major, minor, patch, pre = match.group(1, 2, 3, 4)
    if _is_x(major):
        return ""
    if _is_x(minor):
        return f">={major}.0.0 <{_inc(major)}.0.0-0"
    if _is_x(patch):
        return f">={major}.{minor}.0 <{major}.{_inc(minor)}.0-0"
    lower = f">={major}.{minor}.{patch}" + (f"-{pre}" if pre else "")
    return f"{lower} <{major}.{_inc(minor)}.0-0"


def _xrange_replace(match: re.Match[str]) -> str:
    operator, major, minor, patch = match.group(1, 2, 3, 4)
    # Wildcards must be trailing (1.x, 1.2.*); node-semver leaves 1.x.3 or x.1 untouched so
    # that they fail as comparators, and so must we.
    if (_is_x(major) and not _is_x(minor)) or (_is_x(minor) and patch and not _is_x(patch)):
        return match.group(0)
    x_major = _is_x(major)
    x_minor = x_major or _is_x(minor)
    any_x = x_minor or _is_x(patch)
    if operator == "=" and any_x:
        operator = ""
    if x_major:
        return "<0.0.0-0" if operator in (">", "<") else "*"
    if operator and any_x:
        new_major, new_minor = int(major), 0 if x_minor else int(minor)
        suffix = ""
        if operator == ">":
            # >1 means >=2.0.0 and >1.2 means >=1.3.0: nothing inside the wildcard qualifies.
            operator = ">="
            if x_minor:
                new_major += 1
            else:
                new_minor += 1
        elif operator == "<=":
            # <=1.2 admits all of 1.2.x, so the bound moves to just below 1.3.0.
            operator = "<"
            if x_minor:
                new_major += 1
            else:
                new_minor += 1
        if operator == "<":
            # -0 is the lowest prerelease, so "<1.3.0-0" also shuts out 1.3.0's prereleases.
            suffix = "-0"
        return f"{operator}{new_major}.{new_minor}.0{suffix}"
    if x_minor:
        return f">={major}.0.0 <{_inc(major)}.0.0-0"
    if any_x:
        return f">={major}.{minor}.0 <{major}.{_inc(minor)}.0-0"
    return match.group(0)


def _map_words(pattern: re.Pattern[str], replace: Callable[[re.Match[str]], str], text: str) -> str:
    return " ".join(pattern.sub(replace, word, count=1) for word in text.split(" "))


def _desugar(word: str) -> str:
    word = _BUILD_RE.sub("", word, count=1)
    word = _map_words(_CARET_RE, _caret_replace, word)
    word = _map_words(_TILDE_RE, _tilde_replace, word)
    word = _map_words(_XRANGE_RE, _xrange_replace, word)
    # Only the first star goes, exactly as in node-semver ("1.2.3*" really is "1.2.3").
    return _STAR_RE.sub("", word.strip(" "), count=1)


@dataclass(frozen=True)
class _Comparator:
    operator: str  # one of "", "<", "<=", ">", ">="; "" means equality
    version: Version | None  # None matches everything

    @property
    def value(self) -> str:
        if self.version is None:
            return ""
        v = self.version
        pre = ".".join(str(p) for p in v.prerelease)
        return f"{self.operator}{v.major}.{v.minor}.{v.patch}" + (f"-{pre}" if pre else "")

    def test(self, version: Version) -> bool:
        if self.version is None:
            return True
        if self.operator == "":
            return version == self.version
        if self.operator == ">":
            return version > self.version
        if self.operator == ">=":
            return version >= self.version
        if self.operator == "<":
            return version < self.version
        return version <= self.version


_ANY_VALUE = ""
_NULL_SET_VALUE = "<0.0.0-0"


class RangeError(ValueError):
    """A range that does not parse. `str()` is the whole message; `reason` says what is
    wrong without repeating the range, in backticks, for messages that already show it."""

    def __init__(self, raw: str, what: str, subject: str, problem: str, more: str = "") -> None:
        super().__init__(f"invalid version range {raw!r}: {what}{subject!r} {problem}{more}")
        self.raw = raw
        # the whole range is the one bad comparator: nothing to add to "invalid range `X`"
        self.reason = None if (not what and subject == raw) else f"{what}`{subject}` {problem}"


def _parse_comparator(word: str, raw: str) -> _Comparator:
    match = _COMPARATOR_RE.match(word)
    if match is None:
        raise RangeError(raw, "", word, "is not a valid comparator", f" ({_RANGE_HINT})")
    operator, version_text = match.group(1, 2)
    if version_text is None:
        return _Comparator("", None)
    if len(version_text) > MAX_VERSION_LENGTH:
        raise RangeError(
            raw, "version ", version_text, f"is longer than {MAX_VERSION_LENGTH} characters"
        )
    major, minor, patch, pre = (match.group(i) for i in (3, 4, 5, 6))
    numbers = (int(major), int(minor), int(patch))
    if max(numbers) > MAX_VERSION_COMPONENT:
        raise RangeError(
            raw, "version ", version_text, f"has a component above {MAX_VERSION_COMPONENT}"
        )
    prerelease = tuple(int(p) if p.isdigit() else p for p in pre.split(".")) if pre else ()
    return _Comparator("" if operator == "=" else operator, Version(*numbers, prerelease))


def _parse_alternative(text: str, raw: str) -> tuple[_Comparator, ...]:
    text = _BUILD_STRIP_RE.sub("", text)
    text = _HYPHEN_RANGE_RE.sub(_hyphen_replace, text, count=1)
    text = _COMPARATOR_TRIM_RE.sub(r"\1\2\3", text)
    text = _TILDE_TRIM_RE.sub(r"\1~", text)
    text = _CARET_TRIM_RE.sub(r"\1^", text)
    words = re.split(" +", " ".join(_desugar(word) for word in text.split(" ")))
    comparators = [_parse_comparator(_GTE0_RE.sub("", word, count=1), raw) for word in words]
    by_value: dict[str, _Comparator] = {}
    for comparator in comparators:
        if comparator.value == _NULL_SET_VALUE:
            return (comparator,)
        by_value.setdefault(comparator.value, comparator)
    if len(by_value) > 1:
        by_value.pop(_ANY_VALUE, None)
    return tuple(by_value.values())


@functools.lru_cache(maxsize=1024)
def _parse_sets(raw: str) -> tuple[tuple[_Comparator, ...], ...]:
    normalized = _JS_WHITESPACE_RE.sub(" ", raw).strip(" ")
    sets = [_parse_alternative(part.strip(" "), raw) for part in normalized.split("||")]
    if len(sets) > 1:
        # These two simplifications look cosmetic but are not: collapsing to a lone "*" set
        # changes the answer for prereleases ("* || 1.0.0-rc.1" rejects 1.0.0-rc.1 in npm).
        sets = [s for s in sets if s[0].value != _NULL_SET_VALUE] or sets[:1]
    if len(sets) > 1:
        sets = next(([s] for s in sets if len(s) == 1 and s[0].value == _ANY_VALUE), sets)
    return tuple(sets)


def _admits_set(comparators: tuple[_Comparator, ...], version: Version) -> bool:
    if not all(comparator.test(version) for comparator in comparators):
        return False
    if not version.prerelease:
        return True
    # A prerelease only qualifies when the range explicitly names a prerelease of the same
    # major.minor.patch: opting into 1.2.3-beta.2 is not opting into 1.9.0-alpha.
    return any(
        c.version is not None
        and c.version.prerelease
        and (c.version.major, c.version.minor, c.version.patch)
        == (version.major, version.minor, version.patch)
        for c in comparators
    )


class Range:
    """An npm-style version range; ``str()`` gives back the text it was parsed from."""

    __slots__ = ("_sets", "_text")

    def __init__(self, text: str) -> None:
        self._text = text
        self._sets = _parse_sets(text)

    def admits(self, version: Version) -> bool:
        """True exactly when node-semver's ``satisfies(version, range)`` is true."""
        if (
            len(str(version)) > MAX_VERSION_LENGTH
            or max(version.major, version.minor, version.patch) > MAX_VERSION_COMPONENT
        ):
            return False
        return any(_admits_set(comparators, version) for comparators in self._sets)

    def __str__(self) -> str:
        return self._text

    def __repr__(self) -> str:
        return f"Range({self._text!r})"


@functools.lru_cache(maxsize=4096)
def parse_range(text: str) -> Range:
    """Parse an npm-style range, raising ValueError with a readable message if it is invalid.

    Memoised: a backlog repeats the same few ranges thousands of times, and a `Range` never
    changes once built.
    """
    return Range(text)


def range_admits(range_text: str, version_text: str) -> bool | None:
    """Whether the version satisfies the range; None if either of them does not parse."""
    version = parse_version(version_text)
    if version is None:
        return None
    try:
        return parse_range(range_text).admits(version)
    except ValueError:
        return None
