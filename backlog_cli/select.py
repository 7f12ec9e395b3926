"""The selector grammar behind `--select` / `--exclude`, modelled on dbt's node selection.

    expression := term (WHITESPACE term)*       union
    term       := atom ("," atom)*              intersection
    atom       := [[N] "+"] core ["+" [M]]
    core       := KIND "/" ID | METHOD ":" VALUE | "changed"
    METHOD     := kind | status | owner | tag | path

A `+` before the core adds what the seed items depend on (upstream), a `+` after it what
depends on them (downstream); N and M limit the walk to that many levels. The operators
apply to every atom, as in dbt (`+kind:evaluation` is the evaluations and all they read),
so `+` is always an operator and never part of a value. Each selected item carries a
`Why`: the atom that selected it and the edges walked from the seed item, so JSON output
can show why an item is in (or out of) a selection.
"""

from __future__ import annotations

import fnmatch
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from backlog_cli.errors import BacklogError
from backlog_cli.graph import Edge, Graph, walk
from backlog_cli.paths import relpath
from backlog_cli.refs import ID_PATTERN
from backlog_cli.suggest import did_you_mean
from backlog_cli.vocab import KINDS, STATUSES

if TYPE_CHECKING:
    from backlog_cli.config import Config
    from backlog_cli.project import Item, Project

__all__ = [
    "EVERYTHING",
    "Atom",
    "Selector",
    "SelectorError",
    "Term",
    "Why",
    "needs_changed",
    "parse",
    "select",
]

Method = Literal["item", "changed", "kind", "status", "owner", "tag", "path"]
# attribute methods: name as written -> the same name, typed
METHODS: dict[str, Method] = {
    "kind": "kind",
    "status": "status",
    "owner": "owner",
    "tag": "tag",
    "path": "path",
}
CHANGED = "changed"
# the seed of an item kept because only `--exclude` was given
EVERYTHING = "*"

_ID_RE = re.compile(ID_PATTERN, re.ASCII)


class SelectorError(BacklogError):
    """A selector that does not parse, or names an item that does not exist."""

    def __init__(
        self, option: str, expr: str, problem: str, column: int | None = None, hint: str = ""
    ) -> None:
        self.option = option
        self.expr = expr
        self.problem = problem
        self.column = column
        where = f" at column {column}" if column is not None else ""
        super().__init__(f'{option} "{expr}": {problem}{where}{hint}')


@dataclass(frozen=True)
class Atom:
    text: str  # as written, operators included: the `seed` of what it selects
    column: int  # 1-based column of the core (after any leading `N+`)
    method: Method
    value: str  # `kind/id` for an item, "" for `changed`
    up: bool = False
    up_depth: int | None = None  # None: no limit
    down: bool = False
    down_depth: int | None = None

    @property
    def walks(self) -> bool:
        return self.up or self.down


@dataclass(frozen=True)
class Term:
    """Comma-joined atoms: the items every atom selects."""

    atoms: tuple[Atom, ...]


@dataclass(frozen=True)
class Selector:
    """One `--select`/`--exclude` value: the union of its whitespace-separated terms."""

    option: str
    expr: str
    terms: tuple[Term, ...]

    @property
    def uses_changed(self) -> bool:
        return any(atom.method == "changed" for term in self.terms for atom in term.atoms)


@dataclass(frozen=True)
class Why:
    """Why an item is selected: the atom that seeded it and the edges walked from the seed."""

    key: str
    seed: str
    path: tuple[Edge, ...] = ()

    def to_json(self) -> dict[str, Any]:
        return {"seed": self.seed, "path": [edge.to_json() for edge in self.path]}


# --- parsing -----------------------------------------------------------------------------


@dataclass(frozen=True)
class _Token:
    kind: Literal["atom", "comma", "space", "end"]
    text: str
    column: int


def _tokenize(expr: str) -> list[_Token]:
    tokens: list[_Token] = []
    i = 0
    while i < len(expr):
        start = i
        if expr[i] == ",":
            tokens.append(_Token("comma", ",", i + 1))
            i += 1
            continue
        if expr[i].isspace():
            while i < len(expr) and expr[i].isspace():
                i += 1
            tokens.append(_Token("space", expr[start:i], start + 1))
            continue
        while i < len(expr) and expr[i] != "," and not expr[i].isspace():
            i += 1
        tokens.append(_Token("atom", expr[start:i], start + 1))
    tokens.append(_Token("end", "", len(expr) + 1))
    return tokens


def _is_number(text: str) -> bool:
    return text.isascii() and text.isdigit()


class _Parser:
    def __init__(self, expr: str, option: str) -> None:
        self.expr = expr
        self.option = option
        self.tokens = _tokenize(expr)
        self.pos = 0

    def fail(self, problem: str, column: int | None = None, hint: str = "") -> SelectorError:
        return SelectorError(self.option, self.expr, problem, column, hint)

    def peek(self) -> _Token:
        return self.tokens[self.pos]

    def take(self) -> _Token:
        token = self.tokens[self.pos]
        self.pos += 1
        return token

    def skip_space(self) -> None:
        if self.peek().kind == "space":
            self.take()

    def expression(self) -> Selector:
        self.skip_space()
        if self.peek().kind == "end":
            raise self.fail("empty selector", hint="; write e.g. `prompt/x+` or `kind:prompt`")
        terms = [self.term()]
        while True:
            self.skip_space()
            if self.peek().kind == "end":
                return Selector(self.option, self.expr, tuple(terms))
            terms.append(self.term())

    def term(self) -> Term:
        atoms = [self.atom(after_comma=False)]
        while self.peek().kind == "comma":
            self.take()
            atoms.append(self.atom(after_comma=True))
        return Term(tuple(atoms))

    def atom(self, *, after_comma: bool) -> Atom:
        token = self.peek()
        if token.kind == "atom":
            self.take()
            return self.parse_atom(token.text, token.column)
        if not after_comma:  # a term cannot start with a comma
            raise self.fail("empty term before `,`", token.column)
        hint = "; spaces separate terms, so write `a,b`" if token.kind == "space" else ""
        raise self.fail("empty term after `,`", token.column, hint)

    def parse_atom(self, text: str, column: int) -> Atom:
        # split on `+`, keeping each part's column
        parts: list[tuple[str, int]] = []
        start = 0
        for i, char in enumerate(text):
            if char == "+":
                parts.append((text[start:i], column + start))
                start = i + 1
        parts.append((text[start:], column + start))

        def plus_after(index: int) -> int:
            part, at = parts[index]
            return at + len(part)

        if len(parts) == 1:
            method, value = self.core(text, column)
            return Atom(text, column, method, value)
        # the core is the part that looks like one; a leading part that does not is a bad
        # depth (`x+prompt/a`), not an unknown selector
        core_at = next(
            (i for i, (p, _) in enumerate(parts) if "/" in p or ":" in p or p == CHANGED),
            None,
        )
        if core_at is None:
            core_at = next((i for i, (p, _) in enumerate(parts) if p and not _is_number(p)), None)
        if core_at is None or core_at > 1:
            raise self.fail("stray `+`", plus_after(0))
        if len(parts) - core_at > 2:
            raise self.fail("stray `+`", plus_after(core_at + 1))
        up = core_at == 1
        up_depth = self.depth(*parts[0]) if up else None
        core, core_column = parts[core_at]
        method, value = self.core(core, core_column)
        down = len(parts) - core_at == 2
        down_depth = self.depth(*parts[core_at + 1]) if down else None
        return Atom(text, core_column, method, value, up, up_depth, down, down_depth)

    def depth(self, text: str, column: int) -> int | None:
        if not text:
            return None
        if _is_number(text):
            return int(text)
        raise self.fail(
            f"bad depth `{text}`", column, "; a depth is a whole number, as in `2+prompt/x+1`"
        )

    def core(self, text: str, column: int) -> tuple[Method, str]:
        if text == CHANGED:
            return "changed", ""
        colon, slash = text.find(":"), text.find("/")
        if colon >= 0 and (slash < 0 or colon < slash):
            return self.method(text[:colon], text[colon + 1 :], column, column + colon + 1)
        if slash >= 0:
            return "item", self.item(text, column)
        if text in METHODS:
            raise self.fail(f"`{text}` needs a value", column, f"; write e.g. `{text}:…`")
        hint = did_you_mean(text, (CHANGED,)) or "; expected `kind/id`, `method:value` or `changed`"
        raise self.fail(f"unknown selector `{text}`", column, hint)

    def method(self, name: str, value: str, column: int, value_column: int) -> tuple[Method, str]:
        if not name:
            raise self.fail("missing method before `:`", column, f"; one of {_listing(METHODS)}")
        if name not in METHODS:
            hint = did_you_mean(name, METHODS) or f"; one of {_listing(METHODS)}"
            raise self.fail(f"unknown method `{name}`", column, hint)
        if not value:
            raise self.fail(f"empty value for `{name}:`", value_column)
        if name == "kind" and value not in KINDS:
            raise self.fail(f"unknown kind `{value}`", value_column, did_you_mean(value, KINDS))
        if name == "status" and value not in STATUSES:
            hint = did_you_mean(value, STATUSES)
            raise self.fail(f"unknown status `{value}`", value_column, hint)
        return METHODS[name], value

    def item(self, text: str, column: int) -> str:
        kind, _, item_id = text.partition("/")
        id_column = column + len(kind) + 1
        if not kind:
            raise self.fail(f"malformed item `{text}`", column, "; expected `kind/id`")
        if kind not in KINDS:
            if kind.lower() in KINDS:
                hint = "; kinds and ids are lower-case"
                raise self.fail(f"malformed item `{text}`", column, hint)
            raise self.fail(f"unknown kind `{kind}`", column, did_you_mean(kind, KINDS))
        if not item_id:
            raise self.fail(f"malformed item `{text}`: missing id", id_column)
        if "/" in item_id:
            extra = id_column + item_id.index("/")
            raise self.fail(f"malformed item `{text}`", extra, "; expected `kind/id`")
        if not _ID_RE.match(item_id):
            hint = (
                "; kinds and ids are lower-case"
                if _ID_RE.match(item_id.lower())
                else "; an id is lower-case letters, digits, `.`, `_` and `-`"
            )
            raise self.fail(f"malformed item `{text}`: bad id `{item_id}`", id_column, hint)
        return text


def _listing(words: Iterable[str]) -> str:
    return ", ".join(f"`{w}`" for w in words)


def parse(expr: str, option: str = "--select") -> Selector:
    """Parse one selector expression; `option` names the flag in error messages."""
    return _Parser(expr, option).expression()


def needs_changed(selects: Sequence[str], excludes: Sequence[str] = ()) -> bool:
    """Whether the caller must compute the `changed` set (it costs a git comparison)."""
    return any(s.uses_changed for s in _parse_all(selects, excludes))


def _parse_all(selects: Sequence[str], excludes: Sequence[str]) -> list[Selector]:
    return [parse(e, "--select") for e in selects] + [parse(e, "--exclude") for e in excludes]


# --- evaluation --------------------------------------------------------------------------


def _keep_shortest(into: dict[str, Why], found: dict[str, Why]) -> None:
    for key, why in found.items():
        if key not in into or len(why.path) < len(into[key].path):
            into[key] = why


class _Evaluator:
    def __init__(self, graph: Graph, config: Config, changed: set[str]) -> None:
        self.graph = graph
        self.config = config
        self.changed = changed

    def selector(self, selector: Selector) -> dict[str, Why]:
        out: dict[str, Why] = {}
        for term in selector.terms:
            _keep_shortest(out, self.term(selector, term))
        return out

    def term(self, selector: Selector, term: Term) -> dict[str, Why]:
        # every atom is evaluated, so an unknown item is reported even when the rest is empty
        found = [self.atom(selector, atom) for atom in term.atoms]
        keys = set(found[0]).intersection(*found[1:])
        why_from = next((i for i, a in enumerate(term.atoms) if a.walks), 0)
        return {key: found[why_from][key] for key in keys}

    def atom(self, selector: Selector, atom: Atom) -> dict[str, Why]:
        seeds = self.seeds(selector, atom)
        out = {key: Why(key, atom.text) for key in seeds}
        for direction, wanted, depth in (
            ("up", atom.up, atom.up_depth),
            ("down", atom.down, atom.down_depth),
        ):
            if not wanted:
                continue
            reached = walk(self.graph, seeds, direction, depth)
            _keep_shortest(
                out,
                {
                    key: Why(key, atom.text, r.path)
                    for key, r in reached.items()
                    if key in self.graph.nodes  # a dangling target is not an item
                },
            )
        return out

    def seeds(self, selector: Selector, atom: Atom) -> list[str]:
        nodes = self.graph.nodes
        if atom.method == "item":
            if atom.value not in nodes:
                hint = did_you_mean(atom.value, nodes) or "; `backlog list` shows the items"
                raise SelectorError(
                    selector.option,
                    selector.expr,
                    f"unknown item `{atom.value}`",
                    atom.column,
                    hint,
                )
            return [atom.value]
        if atom.method == "changed":
            return sorted(key for key in self.changed if key in nodes)
        return sorted(key for key, item in nodes.items() if self.matches(atom, item))

    def matches(self, atom: Atom, item: Item) -> bool:
        value = atom.value
        if atom.method == "kind":
            return item.kind == value
        if atom.method == "status":
            return item.status == value
        if atom.method == "owner":
            return item.owner == value
        if atom.method == "tag":
            tags = item.data.get("tags")
            return isinstance(tags, list) and value in tags
        if atom.method == "path":
            return self.path_matches(value, item)
        raise AssertionError(atom.method)  # pragma: no cover - items and `changed` seed directly

    def path_matches(self, pattern: str, item: Item) -> bool:
        # like `exclude` globs: `*` crosses `/`, and a folder matches everything in it.
        # A leading `/` means the repository root; otherwise the config's folder also counts.
        if pattern.startswith("/"):
            candidates = [item.doc.rel]
            pattern = pattern.lstrip("/")
        else:
            candidates = [item.doc.rel, relpath(item.doc.path, self.config.project_root)]
        pattern = pattern.removeprefix("./").rstrip("/")
        return any(
            fnmatch.fnmatchcase(path, pattern) or fnmatch.fnmatchcase(path, pattern + "/*")
            for path in candidates
        )


def select(
    project: Project,
    selects: Sequence[str],
    excludes: Sequence[str] = (),
    changed: set[str] | None = None,
) -> dict[str, Why] | None:
    """The items chosen by `--select` values (a union) minus `--exclude` values, by key.

    None when neither is given: no selection, everything applies. With only excludes, the
    selection starts from every item (seed `*`). `changed` is the set of item keys whose
    content differs from the base ref; it is required when a selector says `changed`.
    """
    if not selects and not excludes:
        return None
    parsed = _parse_all(selects, excludes)
    if changed is None:
        for selector in parsed:
            if selector.uses_changed:
                raise BacklogError(
                    f'{selector.option} "{selector.expr}": `changed` needs a base to compare '
                    "with; pass `--base REF`, or run inside a git repository whose default "
                    "branch can be found"
                )
    graph = project.graph
    evaluator = _Evaluator(graph, project.config, changed or set())
    chosen: dict[str, Why] = {}
    for selector in parsed[: len(selects)]:
        _keep_shortest(chosen, evaluator.selector(selector))
    if not selects:
        chosen = {key: Why(key, EVERYTHING) for key in graph.nodes}
    for selector in parsed[len(selects) :]:
        for key in evaluator.selector(selector):
            chosen.pop(key, None)
    return {key: chosen[key] for key in sorted(chosen)}
