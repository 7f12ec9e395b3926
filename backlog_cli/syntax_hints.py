"""Syntax errors a person can act on: what a YAML parser's error was most likely caused by,
in words, with the corrected line.

A parser says where it gave up (`mapping values are not allowed in this context` at the
second `:` of `title: GPT-4o mini: query rewriting`); the slip a person made is usually on
that line or where a quote or bracket opened. This module reads the source around that
place and names the common slips: a value starting with `@` or a backtick, `: ` inside a
plain value, a tab in the indentation, a key or `-` item indented off its siblings, a quote
or bracket that never closes, `key:value` without a space, a list item where a key belongs.
It never depends on the parser's wording (the raw message is only a tie-breaker), so it
serves whichever parser the loader uses; it is called only when a file fails to parse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

_KEY_LINE = re.compile(
    r"""(?P<indent>[ ]*)(?P<dashes>(?:-[ ]+)*)"""
    r"""(?P<key>"[^"]*"|'[^']*'|[^\s#'"\[\]{},&*!|>%@`-][^#]*?|-[^\s#]*?)"""
    r""":(?:[ \t]+(?P<value>.*?))?[ \t]*\Z"""
)
_ITEM_LINE = re.compile(r"(?P<indent>[ ]*)-(?:[ ]+(?P<rest>.*?))?[ \t]*\Z")
_NO_SPACE = re.compile(r"(?P<indent>[ ]*)(?P<key>[A-Za-z_][\w.-]*):(?P<value>[^\s:/#].*?)[ \t]*\Z")
_BLOCK_SCALAR = re.compile(r"[|>][-+0-9]*[ \t]*(?:#.*)?\Z")
_COMMENT = re.compile(r"[ \t]+#")
_RESERVED = {"@": "`@`", "`": "a backtick"}


@dataclass(frozen=True)
class Explained:
    """A parse error in words: the message, a hint showing the fix, and where (1-based)."""

    message: str
    hint: str
    line: int
    column: int


def explain(text: str, line: int, column: int, raw: str = "") -> Explained | None:
    """Why `text` fails to parse at `line`:`column` (1-based, where the parser stopped;
    `raw` is its message), when the cause is one of the slips above; None otherwise."""
    try:
        return _Source(text).explain(line, column, raw)
    except (IndexError, ValueError):  # pragma: no cover - a hint is a nicety, never a crash
        return None


def explain_encoding(raw: bytes, offset: int, line: int, column: int) -> Explained:
    """The byte at `offset` is not UTF-8: name it and, when the whole file reads as
    Windows-1252 (an editor's "ANSI"), the character it is there."""
    byte = raw[offset]
    message = f"invalid UTF-8 at byte offset {offset}: byte 0x{byte:02X} at line {line}, "
    message += f"column {column}; the file is not UTF-8"
    try:
        raw.decode("cp1252")
        char = bytes([byte]).decode("cp1252")
    except UnicodeDecodeError:
        return Explained(message, "re-save the file as UTF-8", line, column)
    if b"\0" in raw or byte < 0x80:
        return Explained(message, "re-save the file as UTF-8", line, column)
    import unicodedata

    name = unicodedata.name(char, f"U+{ord(char):04X}")
    message += f" (probably Windows-1252, where 0x{byte:02X} is `{char}`, {name})"
    hint = "re-save the file as UTF-8 (in the editor: save with encoding UTF-8)"
    return Explained(message, hint, line, column)


@dataclass
class _Span:
    """A quoted scalar or flow collection: its opening character and where it opened and
    closed (0-based line and column; `end` is None when it never closes)."""

    char: str
    start: tuple[int, int]
    end: tuple[int, int] | None = None


@dataclass(frozen=True)
class _Level:
    """An open block level above a line: a key or a `-` item, its indentation and line."""

    indent: int
    kind: str  # "key" or "item"
    name: str
    line: int  # 0-based
    opens: bool  # nothing after the `:` or `-`: what follows, indented, belongs to it


def _words(indent: int) -> str:
    if indent == 0:
        return "not indented"
    return f"indented {indent} space{'' if indent == 1 else 's'}"


def _quoted(value: str) -> str:
    if '"' not in value and "\\" not in value:
        return f'"{value}"'
    return "'" + value.replace("'", "''") + "'"


def _strip_comment(value: str) -> str:
    found = _COMMENT.search(value)
    return (value[: found.start()] if found else value).rstrip()


class _Source:
    def __init__(self, text: str) -> None:
        self.lines = [line.rstrip("\r\n") for line in re.findall(r"[^\r\n]*(?:\r\n|\r|\n)", text)]
        tail = re.search(r"[^\r\n]+\Z", text)
        if tail:
            self.lines.append(tail.group())
        self.spans: list[_Span] = []
        self.skip: set[int] = set()  # lines inside a block scalar, a quote or a flow collection
        _Scanner(self).run()

    def explain(self, line: int, column: int, raw: str) -> Explained | None:
        if not self.lines:
            return None
        at = min(max(line - 1, 0), len(self.lines) - 1)
        col = max(column - 1, 0) if line - 1 == at else len(self.lines[at])
        for detect in (
            self._unclosed,
            self._tab,
            self._reserved,
            self._colon_in_value,
            self._no_space,
            self._indentation,
            self._item_among_keys,
        ):
            found = detect(at, col, raw)
            if found is not None:
                return found
        return None

    # -- the slips, most specific first ------------------------------------------------

    def _unclosed(self, at: int, col: int, raw: str) -> Explained | None:
        """A quote or bracket that never closes, or runs past a line that reads as a new key:
        the place it opened is the place to fix."""
        quotes = [s for s in self.spans if s.char in "\"'"]
        flows = [s for s in self.spans if s.char in "[{"]
        # a quote that runs on swallows the brackets after it: blame the quote first
        if "quoted" not in raw and "flow" in raw:
            quotes, flows = flows, quotes
        for span in [*quotes, *flows]:
            if span.start > (at, col):
                continue  # opened after the parser stopped: not what stopped it
            runs_into = self._runs_into(span)
            if span.end is not None and runs_into is None:
                continue
            return self._unclosed_hint(span, runs_into)
        return None

    def _runs_into(self, span: _Span) -> int | None:
        """The first line after the span's first that reads as a key of the same mapping or
        a parent one, when the span reaches it."""
        first = span.start[0]
        last = len(self.lines) - 1 if span.end is None else span.end[0]
        indent = self._indent(first)
        for number in range(first + 1, last + 1):
            text = self.lines[number]
            matched = _KEY_LINE.match(text)
            if (
                matched
                and matched.group("key")[:1] not in "\"'"
                and len(matched["indent"]) <= indent
            ):
                return number
        return None

    def _unclosed_hint(self, span: _Span, runs_into: int | None) -> Explained:
        line, column = span.start
        closer = {'"': '"', "'": "'", "[": "]", "{": "}"}[span.char]
        what = "quote" if span.char in "\"'" else "bracket"
        where = f"line {line + 1}, column {column + 1}"
        if span.end is None:
            message = f"the {what} `{span.char}` opened at {where} is never closed"
        else:
            message = (
                f"the {what} `{span.char}` opened at {where} is not closed on its line and "
                f"runs on into line {runs_into + 1 if runs_into is not None else '?'}"
            )
        opening = self.lines[line]
        body = (opening if what == "quote" else _strip_comment(opening)).rstrip()
        if what == "quote" and any(s.char in "[{" and s.start[0] == line for s in self.spans):
            body = body.rstrip("]} ")  # a quote inside `[...]` closes before the bracket does
        fixed = body + closer + opening[len(body) :].rstrip()
        return Explained(message, f"close it: `{fixed}`", line + 1, column + 1)

    def _tab(self, at: int, col: int, raw: str) -> Explained | None:
        text = self.lines[at]
        lead = text[: len(text) - len(text.lstrip(" \t"))]
        if "\t" not in lead:
            return None
        tab = lead.index("\t")
        indent = self._expected_indent(at)
        fixed = " " * indent + text.lstrip(" \t")
        return Explained(
            f"tab character in the indentation of line {at + 1} (column {tab + 1}): "
            f"`{text}`; YAML indents with spaces only",
            f"indent with spaces: `{fixed}`",
            at + 1,
            tab + 1,
        )

    def _reserved(self, at: int, col: int, raw: str) -> Explained | None:
        """`owner: @maria`: `@` and the backtick are reserved and cannot start a plain value."""
        text = self.lines[at]
        start = col if text[col : col + 1] in _RESERVED else -1
        if start < 0 or not self._value_starts(text, start):
            found = re.search(r"(?:^[ ]*|:[ \t]+|-[ \t]+|[\[{,][ \t]*)([@`])", text)
            if found is None:
                return None
            start = found.start(1)
        char = text[start]
        in_flow = any(
            s.start[0] == at and s.start[1] < start and s.char in "[{" for s in self.spans
        )
        rest = text[start:]
        if in_flow:
            end = start + len(re.split(r"[,\]}]", rest)[0].rstrip())
        else:
            end = start + len(_strip_comment(rest))
        fixed = text[:start] + _quoted(text[start:end]) + text[end:]
        return Explained(
            f"{_RESERVED[char]} cannot start a plain YAML value (it is a reserved character)",
            f"quote the value: `{fixed.strip()}`",
            at + 1,
            start + 1,
        )

    @staticmethod
    def _value_starts(text: str, start: int) -> bool:
        before = text[:start].rstrip(" \t")
        return before == "" or before.endswith((":", "-", "[", "{", ","))

    def _colon_in_value(self, at: int, col: int, raw: str) -> Explained | None:
        """`title: GPT-4o mini: query rewriting`: a second `: ` in a plain value."""
        matched = _KEY_LINE.match(self.lines[at])
        if matched is None or not matched["value"] or at in self.skip:
            return None
        value = _strip_comment(matched["value"])
        if value[:1] in "\"'[{|>&*!#" or not (": " in value or value.endswith(":")):
            return None
        start = matched.start("value")
        inner = value.index(": ") if ": " in value else len(value) - 1
        position = col if start <= col < start + len(value) and value[col - start] == ":" else None
        column = position if position is not None else start + inner
        text = self.lines[at]
        fixed = text[:start] + _quoted(value) + text[start + len(value) :]
        key = matched["key"]
        holds = "holds `: `" if ": " in value else "ends with `:`"
        return Explained(
            f"the value of `{key}` {holds}, which YAML reads as the start of another key",
            f"quote the value: `{fixed.strip()}`",
            at + 1,
            column + 1,
        )

    def _no_space(self, at: int, col: int, raw: str) -> Explained | None:
        """`owner:maria`: without a space after the `:` it is one string, not a key."""
        for number in (at, self._previous(at)):
            if number is None or number in self.skip:
                continue
            text = self.lines[number]
            matched = _NO_SPACE.match(text)
            if matched is None or ": " in matched["value"]:
                continue
            colon = matched.end("key")
            fixed = text[: colon + 1] + " " + text[colon + 1 :]
            return Explained(
                f"no space after the `:` in `{text.strip()}`: YAML reads it as one string, "
                "not a key and a value",
                f"add a space: `{fixed.strip()}`",
                number + 1,
                colon + 1,
            )
        return None

    def _indentation(self, at: int, col: int, raw: str) -> Explained | None:
        """A key or `-` item indented to no open level: name the sibling it most likely
        belongs with, and its indentation."""
        here = self._first_level(at)
        if here is None or at in self.skip:
            return None
        levels, previous = self._levels(at)
        if previous is not None and previous.opens and here.indent > previous.indent:
            return None
        if any(lv.indent == here.indent and lv.kind == here.kind for lv in levels):
            return None
        candidates = [lv for lv in levels if lv.kind == here.kind] or levels
        if not candidates:
            return None
        # the nearest indentation; between two, the deeper one (the sibling just above)
        sibling = min(candidates, key=lambda lv: (abs(lv.indent - here.indent), -lv.indent))
        if sibling.indent == here.indent:
            return None
        text = self.lines[at]
        fixed = " " * sibling.indent + text.lstrip(" ")
        if here.kind == "key":
            message = (
                f"key `{here.name}` is {_words(here.indent)}, but its sibling `{sibling.name}` "
                f"on line {sibling.line + 1} is {_words(sibling.indent)}"
            )
        else:
            message = (
                f"list item is {_words(here.indent)}, but the "
                f"{'item' if sibling.kind == 'item' else f'key `{sibling.name}`'} "
                f"on line {sibling.line + 1} is {_words(sibling.indent)}"
            )
        return Explained(
            message,
            f"indent it like line {sibling.line + 1}: `{fixed}`",
            at + 1,
            here.indent + 1,
        )

    def _item_among_keys(self, at: int, col: int, raw: str) -> Explained | None:
        """`a: 1` then `- b` at the same indentation: a list item where a key belongs."""
        here = self._first_level(at)
        if here is None or here.kind != "item" or at in self.skip:
            return None
        levels, _ = self._levels(at)
        for level in reversed(levels):
            if level.kind == "key" and level.indent == here.indent and not level.opens:
                value = _KEY_LINE.match(self.lines[level.line])
                shown = value["value"] if value and value["value"] else ""
                return Explained(
                    f"a list item where a key belongs: `{level.name}` on line "
                    f"{level.line + 1} already has the value `{shown}`",
                    f"to make the list the value of `{level.name}`, remove that value "
                    f"(`{' ' * level.indent}{level.name}:`) and keep the items below it",
                    at + 1,
                    here.indent + 1,
                )
        return None

    # -- the block structure above a line ---------------------------------------------

    def _indent(self, number: int) -> int:
        text = self.lines[number]
        return len(text) - len(text.lstrip(" "))

    def _previous(self, at: int) -> int | None:
        for number in range(at - 1, -1, -1):
            stripped = self.lines[number].strip()
            if stripped and not stripped.startswith("#"):
                return number
        return None

    def _parts(self, number: int) -> list[_Level]:
        """The levels a line opens: `- name: x` is an item and, inside it, a key."""
        text = self.lines[number]
        if number in self.skip or not text.strip() or text.lstrip(" \t").startswith("#"):
            return []
        if "\t" in text[: len(text) - len(text.lstrip(" \t"))]:
            return []
        matched = _KEY_LINE.match(text)
        if matched:
            out, indent = [], len(matched["indent"])
            for dash in re.finditer(r"-[ ]+", matched["dashes"]):
                out.append(_Level(indent + dash.start(), "item", "-", number, False))
            value = _strip_comment(matched["value"] or "")
            opens = not value or _BLOCK_SCALAR.match(value) is not None
            key = matched["key"].strip("\"'")
            out.append(_Level(indent + len(matched["dashes"]), "key", key, number, opens))
            return out
        item = _ITEM_LINE.match(text)
        if item:
            opens = not _strip_comment(item["rest"] or "")
            return [_Level(len(item["indent"]), "item", "-", number, opens)]
        return []

    def _first_level(self, number: int) -> _Level | None:
        parts = self._parts(number)
        return parts[0] if parts else None

    def _levels(self, at: int) -> tuple[list[_Level], _Level | None]:
        """The open levels above line `at` (outermost first) and the last one met."""
        stack: list[_Level] = []
        last: _Level | None = None
        for number in range(at):
            for level in self._parts(number):
                # a key closes the items at its own indentation (`tools:` then `- a` at
                # the same indentation is a list under `tools`)
                while stack and (
                    stack[-1].indent > level.indent
                    or (
                        stack[-1].indent == level.indent
                        and stack[-1].kind != level.kind
                        and level.kind == "key"
                    )
                ):
                    stack.pop()
                if stack and stack[-1].indent == level.indent and stack[-1].kind == level.kind:
                    stack.pop()
                stack.append(level)
                last = level
        return stack, last

    def _expected_indent(self, at: int) -> int:
        """Where a line indented with a tab most likely belongs: under the line above when
        that one opens a block, else beside it."""
        _, previous = self._levels(at)
        if previous is None:
            return 0
        return previous.indent + 2 if previous.opens else previous.indent


class _Scanner:
    """Finds the quoted scalars and flow collections of a text as a YAML parser opens them
    (a quote or bracket only where a value starts, never inside a plain value or a comment),
    and the lines inside them or inside block scalars."""

    def __init__(self, source: _Source) -> None:
        self.source = source
        self.flow: list[_Span] = []
        self.quote: _Span | None = None
        self.block: int | None = None  # inside a block scalar: the indentation of its key

    def run(self) -> None:
        for number, text in enumerate(self.source.lines):
            if self.quote is not None or self.flow:
                self.source.skip.add(number)
                start = self._in_quote(number, text, 0) if self.quote is not None else 0
                if start is not None:
                    self._line(number, text, start)
                continue
            if self.block is not None:
                indent = len(text) - len(text.lstrip(" "))
                if not text.strip() or indent > self.block:
                    self.source.skip.add(number)
                    continue
                self.block = None
            self._line(number, text, 0)
        if self.quote is not None:
            self.source.spans.append(self.quote)
        self.source.spans.extend(self.flow)
        self.source.spans.sort(key=lambda s: s.start)

    def _in_quote(self, number: int, text: str, start: int) -> int | None:
        """Scan a quoted scalar from `start`: the column after its closing quote, or None
        when it goes on past this line."""
        assert self.quote is not None
        char = self.quote.char
        i = start
        while i < len(text):
            c = text[i]
            if char == '"' and c == "\\":
                i += 2
                continue
            if c == char:
                if char == "'" and text[i + 1 : i + 2] == "'":
                    i += 2
                    continue
                self.quote.end = (number, i)
                self.source.spans.append(self.quote)
                self.quote = None
                return i + 1
            i += 1
        return None

    def _line(self, number: int, text: str, i: int) -> None:
        token = True  # a value may start here
        while i < len(text):
            c = text[i]
            following = text[i + 1 : i + 2]
            if c == "#" and (i == 0 or text[i - 1] in " \t"):
                return
            if c in " \t":
                i += 1
                continue
            if token and c in "\"'":
                self.quote = _Span(c, (number, i))
                end = self._in_quote(number, text, i + 1)
                if end is None:
                    return
                i, token = end, False
                continue
            if token and c in "[{":
                self.flow.append(_Span(c, (number, i)))
                i += 1
                continue
            if self.flow and c in "]}":
                span = self.flow.pop()
                span.end = (number, i)
                self.source.spans.append(span)
                i, token = i + 1, False
                continue
            if self.flow and c == ",":
                i, token = i + 1, True
                continue
            if c == ":" and (following in ("", " ", "\t") or (self.flow and following in ",]}")):
                i, token = i + 1, True  # the end of a key: a value may follow
                continue
            if token and c in "-?" and following in ("", " ", "\t"):
                i += 1
                continue
            if token and c in "|>" and not self.flow:
                self.block = len(text) - len(text.lstrip(" "))
                return
            if token and c in "&!*":
                while i < len(text) and text[i] not in " \t,[]{}":
                    i += 1
                token = c != "*"
                continue
            # a plain scalar: it runs to `: `, ` #` or the end (and `,`/`]`/`}` in flow)
            token = False
            i += 1
