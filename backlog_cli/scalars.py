"""How a YAML scalar's text becomes a value: YAML 1.2's core schema, not PyYAML's 1.1 one.

libyaml (YAML 1.1) would read `on` as true and `2026-01-01` as a date; backlog items are
read by the 1.2 rules that JSON Schema validators and editors apply, so a value means the
same thing here as in the item schemas. Only the core tags are allowed: items are plain data.
"""

from __future__ import annotations

import math
import re
import sys
from typing import Any

from backlog_cli.errors import ParseProblem

# https://yaml.org/spec/1.2.2/#103-core-schema
_NULLS = {"", "~", "null", "Null", "NULL"}
_BOOLS = {"true": True, "True": True, "TRUE": True, "false": False, "False": False, "FALSE": False}
_INT = re.compile(r"[-+]?[0-9]+\Z")
_OCT = re.compile(r"0o[0-7]+\Z")
_HEX = re.compile(r"0x[0-9a-fA-F]+\Z")
_FLOAT = re.compile(r"[-+]?(\.[0-9]+|[0-9]+(\.[0-9]*)?)([eE][-+]?[0-9]+)?\Z")
_INF = re.compile(r"[-+]?\.(inf|Inf|INF)\Z")
_NAN = re.compile(r"\.(nan|NaN|NAN)\Z")
_NUMERIC_START = frozenset("0123456789+-.")
_CORE = "tag:yaml.org,2002:"
_ALLOWED_TAGS = {_CORE + t for t in ("str", "int", "float", "bool", "null", "map", "seq")}


# Python refuses to print an int of more decimal digits than this (CVE-2020-10735); hex
# and octal literals are parsed without that limit, so they are held to it here.
_MAX_INT_DIGITS = sys.get_int_max_str_digits() or 4300
_MAX_INT_BITS = int(_MAX_INT_DIGITS * 3.32)


def _bounded(number: int, mark: Any) -> int:
    if number.bit_length() > _MAX_INT_BITS:
        raise ParseProblem(
            f"number too large: more than {_MAX_INT_DIGITS} decimal digits",
            mark,
        )
    return number


def resolve_plain(value: str, mark: Any) -> Any:
    if not value:
        return None
    first = value[0]
    if first in _NUMERIC_START:
        try:
            if _INT.match(value):
                return int(value)
            if _FLOAT.match(value):
                return float(value)
            if _OCT.match(value):
                return _bounded(int(value[2:], 8), mark)
            if _HEX.match(value):
                return _bounded(int(value[2:], 16), mark)
        except ValueError as exc:  # more digits than int() allows (CVE-2020-10735 limit)
            raise ParseProblem(f"number too large: {exc}", mark) from None
        if _INF.match(value):
            return float("-inf") if first == "-" else float("inf")
        if _NAN.match(value):
            return float("nan")
        return value
    if first in "tTfF":
        return _BOOLS.get(value, value)
    if first in "nN~":
        return None if value in _NULLS else value
    return value


def resolve_tagged(tag: str, value: str, mark: Any) -> Any:
    if tag == _CORE + "str":
        return value
    resolved = resolve_plain(value, mark)
    expected: Any = {
        _CORE + "int": int,
        _CORE + "float": (int, float),
        _CORE + "bool": bool,
        _CORE + "null": type(None),
    }.get(tag)
    if (
        expected is None
        or not isinstance(resolved, expected)
        or (tag != _CORE + "bool" and isinstance(resolved, bool))
    ):
        raise ParseProblem(f"`{value}` is not a valid {tag.removeprefix(_CORE)}", mark)
    if tag == _CORE + "float":
        try:
            return float(resolved)
        except OverflowError:  # `!!float 1000...0` beyond a double: what YAML reads as .inf
            return math.inf if resolved > 0 else -math.inf
    return resolved


def check_tag(tag: str | None, mark: Any) -> None:
    if tag is None or tag == "!" or tag in _ALLOWED_TAGS:
        return
    shown = "!!" + tag.removeprefix(_CORE) if tag.startswith(_CORE) else tag
    raise ParseProblem(
        f"custom tag `{shown}` is not allowed",
        mark,
        "backlog items are plain data: remove the tag (quote the value if it must be a string)",
    )
