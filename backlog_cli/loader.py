"""Item files -> `Document | LoadError`, with a line and column for every value and key.

Why not `yaml.safe_load` or ruamel's round-trip loader: we need positions for every key
and value, YAML 1.2 scalar typing (`on` is a string, `2026-01-01` is a string), duplicate
keys as errors, bounded alias expansion and depth, and speed. libyaml's C parser (through
PyYAML) gives events with marks at C speed; this module folds them into plain data in
one non-recursive pass. ruamel.yaml's C parser rejects `[nist-ai-rmf:MEASURE-2.7]`
("found unexpected ':'"); libyaml accepts it, and a test holds it to that.
Editing files (`bump`) is a byte-exact splice in `commands/bump.py`, not this module's job.
"""

from __future__ import annotations

import os
import re
import stat
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from yaml import (
    AliasEvent,
    DocumentStartEvent,
    MappingEndEvent,
    MappingStartEvent,
    ScalarEvent,
    SequenceEndEvent,
    SequenceStartEvent,
    StreamEndEvent,
)

try:
    from yaml._yaml import CParser as _Parser
except ImportError:  # pragma: no cover - a PyYAML built without libyaml: same events, slower
    from yaml import SafeLoader as _Parser  # type: ignore[assignment]

from backlog_cli.errors import ParseProblem
from backlog_cli.scalars import check_tag, resolve_plain, resolve_tagged
from backlog_cli.vocab import API_VERSION, Pointer

if TYPE_CHECKING:
    from backlog_cli.summary import Summary

DEFAULT_MAX_FILE_SIZE = 1024 * 1024
DEFAULT_MAX_ALIAS_NODES = 10_000
# jsonschema recurses several frames per level; 64 levels of YAML stay far from Python's
# recursion limit while no hand-written item comes near it.
DEFAULT_MAX_DEPTH = 64


@dataclass(frozen=True)
class Limits:
    max_file_size: int = DEFAULT_MAX_FILE_SIZE
    max_alias_nodes: int = DEFAULT_MAX_ALIAS_NODES
    max_depth: int = DEFAULT_MAX_DEPTH


DEFAULT_LIMITS = Limits()
Positions = dict[Pointer, tuple[int, int, int, int]]


class Document:
    """A parsed item file: its data, and where each value and key sits (1-based).

    Positions are computed on first use, by parsing the text again: most files in a healthy
    backlog have no findings, and a position table costs ~15x the file's size in memory.
    The data may be lazy too: a document restored from the cache's index with only its
    summary (`project.summarize`) parses its text the first time `data` is read — a
    `check PATH` run reads the data of a handful of items and the summaries of the rest.
    """

    __slots__ = ("_data", "_positions", "limits", "path", "rel", "summary", "text")

    def __init__(
        self,
        path: Path,
        rel: str,
        data: dict[str, Any] | None,
        text: str,
        limits: Limits = DEFAULT_LIMITS,
        summary: Summary | None = None,
    ) -> None:
        self.path = path
        self.rel = rel
        self.text = text
        self.limits = limits
        self.summary = summary  # what the graph needs (`project.summarize`), once computed
        self._data = data
        self._positions: Positions | None = None

    def __repr__(self) -> str:
        return f"Document({self.rel!r})"

    @property
    def data(self) -> dict[str, Any]:
        if self._data is None:
            try:
                data, _ = parse(self.text, self.limits, track=False)
            except (ParseProblem, RecursionError):  # pragma: no cover - it parsed when cached
                data = None
            self._data = data if isinstance(data, dict) else {}
        return self._data

    @property
    def loaded(self) -> bool:
        """Whether the data is in memory (not waiting for a lazy parse)."""
        return self._data is not None

    @property
    def positions(self) -> Positions:
        """pointer -> (key line, key column, value line, value column)"""
        if self._positions is None:
            self._positions = parse(self.text, self.limits, track=True)[1]
        return self._positions

    def locate(self, pointer: Pointer, *, at_key: bool = False) -> tuple[int, int]:
        """Line and column of the value at `pointer` (or of its key), or the nearest parent."""
        pointer = tuple(pointer)
        positions = self.positions
        while True:
            pos = positions.get(pointer)
            if pos is not None:
                return (pos[0], pos[1]) if at_key else (pos[2], pos[3])
            if not pointer:
                return (1, 1)
            pointer = pointer[:-1]
            at_key = True


@dataclass(frozen=True)
class LoadError:
    """A file that could not be read as one YAML mapping: a `yaml-syntax` finding."""

    path: Path
    rel: str
    message: str
    line: int = 1
    column: int = 1
    hint: str | None = None
    # a file we skip (FIFO, device) is a warning, not an error
    warning: bool = False


def parse(
    text: str, limits: Limits = DEFAULT_LIMITS, *, track: bool = True
) -> tuple[Any, Positions]:
    """Parse one YAML document into plain data (and positions, with `track`).

    Raises `ParseProblem`. Without `track` the positions table stays empty; a problem is then
    raised again from a tracking parse so that its message can cite earlier lines.
    """
    if not track:
        try:
            return _parse(text, limits, False)
        except ParseProblem:
            pass
    return _parse(text, limits, True)


# YAML 1.1 line breaks that YAML 1.2 reads as ordinary characters (libyaml is YAML 1.1)
_OLD_BREAKS = re.compile("[\x85\u2028\u2029]")
_LINE = re.compile(r"[^\r\n]*(?:\r\n|\r|\n)|[^\r\n]+\Z")


def split_lines(text: str, *, keepends: bool = False) -> list[str]:
    """`text`'s lines as YAML 1.2 (and git, and editors) count them: only LF, CRLF and CR
    break a line. `str.splitlines` also breaks at NEL, U+2028, form feed and more."""
    lines: list[str] = _LINE.findall(text)
    return lines if keepends else [line.rstrip("\r\n") for line in lines]


def _hide_old_breaks(text: str) -> tuple[str, dict[int, str] | None]:
    """`text` with NEL, U+2028 and U+2029 swapped for private-use characters it lacks, and
    the table that swaps them back: libyaml would break lines there (YAML 1.1), shifting
    every later line number and rejecting valid YAML 1.2 (`title: a<NEL>b`)."""
    if _OLD_BREAKS.search(text) is None:
        return text, None
    free = (chr(c) for c in range(0xE000, 0xF900) if chr(c) not in text)
    swap = {ch: next(free) for ch in "\x85\u2028\u2029" if ch in text}
    hidden = text.translate({ord(old): new for old, new in swap.items()})
    return hidden, {ord(new): old for old, new in swap.items()}


def _parse(text: str, limits: Limits, track: bool) -> tuple[Any, Positions]:
    text, restore = _hide_old_breaks(text)
    parser = _Parser(text)
    try:
        return _fold(parser, restore, limits, track)
    except yaml.YAMLError as exc:
        raise _problem_from(exc, text) from None
    finally:
        dispose = getattr(parser, "dispose", None)
        if dispose is not None:
            dispose()


def _fold(
    parser: Any, restore: dict[int, str] | None, limits: Limits, track: bool
) -> tuple[Any, Positions]:
    """The one pass that folds the events into data. What every scalar and key goes through
    stays inline, since a call per scalar would slow the cold check measurably; the rare
    paths (tags, aliases, limits, errors) and the start of each container are calls."""
    positions: Positions = {}
    anchors = _Anchors()
    stack: list[list[Any]] = []  # the open containers' frames: see `_open`
    root: Any = None
    have_root = False
    documents = 0
    while True:
        event: Any = parser.get_event()
        etype = type(event)
        if etype is ScalarEvent:
            mark = event.start_mark
            tag = event.tag
            raw_value = event.value if restore is None else event.value.translate(restore)
            if tag is None:
                # plain scalars resolve by the core schema; quoted ones are strings
                value: Any = raw_value if event.style else resolve_plain(raw_value, mark)
            else:
                value = _tagged(tag, raw_value, mark)
            size = 1
            chars = len(value) if type(value) is str else 1
            if event.anchor is not None:
                anchors[event.anchor] = (value, 1, chars)
        elif etype is MappingStartEvent or etype is SequenceStartEvent:
            container = _open(stack, event, limits.max_depth, positions if track else None)
            if len(stack) == 1:
                if have_root:
                    raise ParseProblem("internal: second root", event.start_mark)
                root = container
                have_root = True
            continue
        elif etype is MappingEndEvent or etype is SequenceEndEvent:
            frame = stack.pop()
            if frame[5] is not None:
                anchors[frame[5]] = (frame[0], frame[4], frame[7])
            if stack:
                stack[-1][4] += frame[4]
                stack[-1][7] += frame[7]
            continue
        elif etype is AliasEvent:
            mark = event.start_mark
            value, size, chars = anchors.expand(event.anchor, mark, limits)
        elif etype is DocumentStartEvent:
            documents += 1
            if documents > 1:
                raise _several_documents(event.start_mark)
            continue
        elif etype is StreamEndEvent:
            break
        else:  # StreamStart, DocumentEnd
            continue
        # a scalar or alias value lands in its parent
        if not stack:
            root = value
            have_root = True
            positions[()] = (mark.line + 1, mark.column + 1, mark.line + 1, mark.column + 1)
            continue
        frame = stack[-1]
        parent = frame[0]
        frame[4] += size
        frame[7] += chars
        if type(parent) is dict:
            key = frame[2]
            if key is None:
                if etype is AliasEvent or isinstance(value, (dict, list)):
                    raise ParseProblem("a mapping key must be a plain value", mark)
                if value == "<<" and not event.style:
                    raise _merge_key(mark)
                key = value if type(value) is str else raw_value
                if key in parent:
                    raise _duplicate_key(key, positions.get((*frame[1], key)), mark)
                frame[2] = key
                frame[3] = mark
                parent[key] = None
            else:
                parent[key] = value
                if track:
                    item_pointer: Pointer = (*frame[1], key)
                    positions[item_pointer] = (
                        frame[3].line + 1,
                        frame[3].column + 1,
                        mark.line + 1,
                        mark.column + 1,
                    )
                frame[2] = None
        else:
            if track:
                item_pointer = (*frame[1], len(parent))
                positions[item_pointer] = (mark.line + 1, mark.column + 1) * 2
            parent.append(value)
    if not have_root:
        raise ParseProblem("empty file", None, "an item file holds one YAML mapping with the item")
    return root, positions


def _open(
    stack: list[list[Any]], event: Any, max_depth: int, positions: Positions | None
) -> dict[str, Any] | list[Any]:
    """Start a mapping or a sequence: check its tag and depth, hang it in its parent (under
    the pending key, or at the end of a sequence), note its position, push its frame."""
    mark = event.start_mark
    if event.tag is not None:
        check_tag(event.tag, mark)
    if len(stack) >= max_depth:
        raise ParseProblem(
            f"nesting deeper than {max_depth} levels",
            mark,
            "flatten the structure; backlog items need only a few levels",
        )
    container: dict[str, Any] | list[Any] = {} if type(event) is MappingStartEvent else []
    pointer: Pointer = ()
    key_mark = mark
    if stack:
        frame = stack[-1]
        parent = frame[0]
        if type(parent) is dict:
            key = frame[2]
            if key is None:
                raise ParseProblem("a mapping key must be a plain value", mark)
            if positions is not None:
                pointer = (*frame[1], key)
            key_mark = frame[3]
            parent[key] = container
            frame[2] = None
        else:
            if positions is not None:
                pointer = (*frame[1], len(parent))
            parent.append(container)
    if positions is not None:
        positions[pointer] = (
            key_mark.line + 1,
            key_mark.column + 1,
            mark.line + 1,
            mark.column + 1,
        )
    # frame: [container, pointer, pending key, key mark, node count, anchor, start mark,
    #         characters]: an anchor's node count and characters bound what aliases expand
    stack.append([container, pointer, None, None, 1, event.anchor, mark, 0])
    return container


def _tagged(tag: str, value: str, mark: Any) -> Any:
    """A scalar with an explicit tag: `!` keeps the text, a core tag must fit the value,
    any other tag is an error."""
    check_tag(tag, mark)
    return value if tag == "!" else resolve_tagged(tag, value, mark)


class _Anchors(dict[str, tuple[Any, int, int]]):
    """Anchor name -> (value, node count, characters), and how much the aliases met so far
    expand to: the bound that stops an alias bomb. The counts start as class attributes:
    an `__init__` would cost every file a Python call, though few files have an anchor."""

    nodes = 0
    chars = 0

    def expand(self, name: str, mark: Any, limits: Limits) -> tuple[Any, int, int]:
        found = self.get(name)
        if found is None:
            raise ParseProblem(f"unknown anchor `*{name}`", mark)
        self.nodes += found[1]
        self.chars += found[2]
        max_chars = limits.max_file_size
        if self.chars > max_chars:
            # a few aliases of one long string: few values, but every consumer of the data
            # (the cache, JSON reports) would write each copy out in full
            raise ParseProblem(
                f"aliases expand to more than {max_chars} characters",
                mark,
                "this looks like an alias bomb; write the values out or raise "
                "`limits.max_file_size` in the config",
            )
        if self.nodes > limits.max_alias_nodes:
            raise ParseProblem(
                f"aliases expand to more than {limits.max_alias_nodes} values",
                mark,
                "this looks like an alias bomb; write the values out or raise "
                "`limits.max_alias_nodes` in the config",
            )
        return found


def _several_documents(mark: Any) -> ParseProblem:
    return ParseProblem(
        "several YAML documents in one file",
        mark,
        "keep one item per file; remove the `---` separator",
    )


def _merge_key(mark: Any) -> ParseProblem:
    return ParseProblem(
        "merge keys (`<<`) are not supported",
        mark,
        "write the keys out; YAML 1.2 has no merge keys",
    )


def _duplicate_key(key: Any, first: tuple[int, int, int, int] | None, mark: Any) -> ParseProblem:
    where = f" (first defined at line {first[0]})" if first else ""
    return ParseProblem(
        f"duplicate key `{key}`{where}",
        mark,
        "YAML keys must be unique; remove or merge one of them",
    )


def _problem_from(exc: yaml.YAMLError, text: str) -> ParseProblem:
    """libyaml's error as a `ParseProblem`: the common slips (`owner: @maria`, a tab, a key
    indented off, an unclosed quote...) in words with the fix (`syntax_hints`), a bad
    character the line and column of its offset."""
    if isinstance(exc, yaml.MarkedYAMLError):
        from backlog_cli import syntax_hints

        message = exc.problem or str(exc)
        if exc.context:
            message = f"{message} ({exc.context})"
        problem = ParseProblem(message, exc.problem_mark)
        better = syntax_hints.explain(text, problem.line, problem.column, message)
        if better is not None:
            problem = ParseProblem(better.message, None, better.hint)
            problem.line, problem.column = better.line, better.column
        return problem
    if isinstance(exc, yaml.reader.ReaderError):
        before = text[: exc.position]
        problem = ParseProblem(
            f"control character {_show_char(exc.character)} is not allowed in YAML",
            None,
            "remove it; a NUL or other control byte often means a binary or UTF-16 file",
        )
        problem.line = before.count("\n") + 1
        problem.column = exc.position - (before.rfind("\n") + 1) + 1
        return problem
    return ParseProblem(str(exc))


def _show_char(character: int | str) -> str:
    code = character if isinstance(character, int) else ord(character[:1] or "\0")
    return f"U+{code:04X}"


def _byte_position(raw: bytes, offset: int) -> tuple[int, int]:
    line = raw.count(b"\n", 0, offset) + 1
    start = raw.rfind(b"\n", 0, offset) + 1
    column = len(raw[start:offset].decode("utf-8", "replace")) + 1
    return line, column


def decode(raw: bytes) -> str:
    """UTF-8 (with or without BOM) to text; raises `ParseProblem` with the byte offset."""
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise ParseProblem(
            "file is UTF-16 encoded", None, "re-save the file as UTF-8 (without BOM)"
        )
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        from backlog_cli import syntax_hints

        line, column = _byte_position(raw, exc.start)
        better = syntax_hints.explain_encoding(raw, exc.start, line, column)
        problem = ParseProblem(better.message, None, better.hint)
        problem.line, problem.column = line, column
        raise problem from None
    return text.removeprefix("\ufeff")


def read_file(path: Path, rel: str, limits: Limits = DEFAULT_LIMITS) -> bytes | LoadError:
    """An item file's bytes, or why it cannot be read (never raises)."""
    try:
        st = os.stat(path)
        if not stat.S_ISREG(st.st_mode):
            return LoadError(path, rel, "not a regular file; skipped", warning=True)
        if st.st_size > limits.max_file_size:
            return LoadError(
                path,
                rel,
                f"file is {st.st_size} bytes, over the {limits.max_file_size}-byte cap",
                hint="split the item, or raise `limits.max_file_size` in the config",
            )
        with open(path, "rb") as handle:
            # read what stat saw (asking for the cap would allocate it for every file), then
            # whatever the file grew by since, up to the cap
            raw = handle.read(st.st_size + 1)
            if len(raw) > st.st_size:
                raw += handle.read(limits.max_file_size + 1 - len(raw))
        if len(raw) > limits.max_file_size:
            return LoadError(path, rel, f"file is over the {limits.max_file_size}-byte cap")
    except OSError as exc:
        return LoadError(path, rel, f"cannot read file: {exc.strerror or exc}")
    return raw


def load_file(path: Path, rel: str, limits: Limits = DEFAULT_LIMITS) -> Document | LoadError:
    """Read and parse one item file. Never raises for anything in the file."""
    raw = read_file(path, rel, limits)
    if isinstance(raw, LoadError):
        return raw
    return load_bytes(path, rel, raw, limits)


def load_bytes(
    path: Path, rel: str, raw: bytes, limits: Limits = DEFAULT_LIMITS
) -> Document | LoadError:
    """Parse an item file's bytes. Never raises for anything in the file."""
    text = ""  # decode() may be what fails
    try:
        text = decode(raw)
        data, _ = parse(text, limits, track=False)
    except ParseProblem as problem:
        line, column = problem.line, problem.column
        if line > 1 and text.endswith(("\n", "\r")):
            # libyaml places "unexpected end of file" after the last line break, on a line
            # that editors, git and code scanning do not show: point at the last line's end
            lines = split_lines(text)
            if line > len(lines):
                line, column = len(lines), len(lines[-1]) + 1
        return LoadError(path, rel, problem.message, line, column, problem.hint)
    except RecursionError:  # pragma: no cover - the depth bound comes first
        return LoadError(path, rel, "nesting too deep")
    if not isinstance(data, dict):
        shown = "empty" if data is None else type(data).__name__
        shown = {
            "list": "a list",
            "str": "a string",
            "int": "a number",
            "float": "a number",
            "bool": "a boolean",
        }.get(shown, shown)
        return LoadError(
            path,
            rel,
            f"top level is {shown}, not a mapping",
            hint=f"an item file holds one YAML mapping: `apiVersion: {API_VERSION}`, `kind: ...`",
        )
    return Document(path, rel, data, text, limits)
