"""Widening a version range to admit a new version, in the range's own style.

`bump --auto --update-dependents` rewrites a referrer's range that no longer admits the
version a bump gives the item it names. The new range keeps the operator and the number of
components the author wrote, and moves to the new version (the old one is no longer
promised: the referrer was validated against it, and is re-validated against the new one):

- caret, tilde, exact pin, x-range: the same operator, the new version at the written
  precision: `^1.0` -> `^2.0`, `~1.2.3` -> `~2.0.0`, `1.2.3` / `=1.2.3` -> `2.0.0` /
  `=2.0.0`, `1.x` -> `2.x`, `1` -> `2`;
- a window `>=LOW <HIGH` (or `<=HIGH`, or a hyphen range `LOW - HIGH`): the same width,
  re-anchored at the new version: the lower bound becomes the new version (`>` becomes
  `>=`), the upper bound moves by as much (`>=1.0 <2.0` -> `>=2.0 <3.0`, `>=1.2.0 <=1.4.9`
  -> `>=2.0.0 <=2.2.9`); an upper bound alone moves to the next version above the new one
  at the place it names (`<2.0` -> `<3.0`, `<1.5` -> `<1.6`, `<=1.4.9` -> `<=1.5.0`);
- alternatives (`^1.0 || ^2.0`): the last one, widened, is added (`|| ^3.0`): the older
  majors stay admitted, as the author listed them.

Anything else (a wildcard inside a window, a prerelease-only window) is not widened:
`widen` returns None and the caller says to widen it by hand.
"""

from __future__ import annotations

import re

from backlog_cli.refs import range_admits
from backlog_cli.semver import Version, parse_version

_PART = r"(?:0|[1-9]\d*|[xX*])"
_VERSION = rf"{_PART}(?:\.{_PART}){{0,2}}(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?"
_SIMPLE = re.compile(rf"(\^|~>?|=|)({_VERSION})")
_COMPARATOR = re.compile(rf"(>=|<=|>|<)(\s*)({_VERSION})")
_HYPHEN = re.compile(rf"({_VERSION})(\s+-\s+)({_VERSION})")


def _parts(written: str) -> list[str]:
    """The written components of a version (`1.2` -> ["1", "2"]), without prerelease/build."""
    core = re.split(r"[-+]", written, maxsplit=1)[0]
    return core.split(".")


def _numbers(written: str) -> list[int] | None:
    """The components, padded to three with zeros; None when one is a wildcard."""
    parts = _parts(written)
    if any(not p.isdigit() for p in parts):
        return None
    return [int(p) for p in parts] + [0] * (3 - len(parts))


def _at_precision(written: str, numbers: list[int]) -> str:
    """`numbers` written with as many components as `written` (a wildcard stays one)."""
    parts = _parts(written)
    return ".".join(p if not p.isdigit() else str(n) for p, n in zip(parts, numbers, strict=False))


def _simple(text: str, new: Version) -> str | None:
    match = _SIMPLE.fullmatch(text.strip())
    if match is None:
        return None
    operator, written = match.groups()
    if not _parts(written)[0].isdigit():
        return None  # `*`, `x`: admits every release already
    return operator + _at_precision(written, [new.major, new.minor, new.patch])


def _moved_upper(
    low: list[int] | None, high: list[int], new: Version, inclusive: bool
) -> list[int]:
    current = [new.major, new.minor, new.patch]
    if low is None:
        # an upper bound alone: the next version above `new` at the place it names
        place = max((i for i, n in enumerate(high) if n), default=2)
        if inclusive:
            return current
        moved = current[:place] + [current[place] + 1] + [0] * (2 - place)
        return moved
    place = next((i for i in range(3) if low[i] != high[i]), 2)
    span = high[place] - low[place]
    return [*current[:place], current[place] + span, *high[place + 1 :]]


def _window(text: str, new: Version) -> str | None:
    found = list(_COMPARATOR.finditer(text))
    if not found or _COMPARATOR.sub("", text).strip():
        return None
    lows = [m for m in found if m.group(1).startswith(">")]
    highs = [m for m in found if m.group(1).startswith("<")]
    if len(lows) > 1 or len(highs) != 1:
        return None
    high = highs[0]
    high_numbers = _numbers(high.group(3))
    low_numbers = _numbers(lows[0].group(3)) if lows else None
    if high_numbers is None or (lows and low_numbers is None):
        return None
    upper = _moved_upper(low_numbers, high_numbers, new, high.group(1) == "<=")
    current = [new.major, new.minor, new.patch]
    out, last = [], 0
    for m in found:
        out.append(text[last : m.start()])
        if m is high:
            out.append(f"{m.group(1)}{m.group(2)}{_at_precision(m.group(3), upper)}")
        else:
            out.append(f">={m.group(2)}{_at_precision(m.group(3), current)}")
        last = m.end()
    out.append(text[last:])
    return "".join(out)


def _hyphen(text: str, new: Version) -> str | None:
    match = _HYPHEN.fullmatch(text.strip())
    if match is None:
        return None
    low, dash, high = match.groups()
    low_numbers, high_numbers = _numbers(low), _numbers(high)
    if low_numbers is None or high_numbers is None:
        return None
    upper = _moved_upper(low_numbers, high_numbers, new, True)
    current = [new.major, new.minor, new.patch]
    lead = text[: len(text) - len(text.lstrip())]
    trail = text[len(text.rstrip()) :]
    return f"{lead}{_at_precision(low, current)}{dash}{_at_precision(high, upper)}{trail}"


def _one(text: str, new: Version) -> str | None:
    for style in (_simple, _hyphen, _window):
        widened = style(text, new)
        if widened is not None:
            return widened
    return None


def widen(range_text: str, version: str) -> str | None:
    """`range_text` rewritten in its own style to admit `version` (a release); None when
    it has no style-keeping form (the caller asks for a hand edit)."""
    new = parse_version(version)
    if new is None or new.prerelease:
        return None
    if "||" in range_text:
        last = range_text.split("||")[-1]
        widened = _one(last, new)
        result = None if widened is None else f"{range_text.rstrip()} || {widened.strip()}"
    else:
        result = _one(range_text, new)
    if result is None or range_admits(result, version) is not True:
        return None
    return result
