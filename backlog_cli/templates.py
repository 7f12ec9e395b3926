"""The variables a prompt template reads, per template engine, without ever rendering it.

`variables(source, engine)` maps each top-level name the template reads to the 1-based line
of its first use; `analyse()` says a little more (every use, the mustache sections around
it, whether other templates are pulled in). A template that does not parse raises
`TemplateSyntaxError` with the engine's message and the line inside the template.

- jinja2: jinja2's own parser and `jinja2.meta.find_undeclared_variables`, so loop
  variables, `{% set %}`, macro arguments and jinja's globals (`range`, `loop`,
  `namespace`, ...) are not inputs. Filters and tests are not checked: applications
  register their own (`{{ text | redact }}`), and the question here is inputs.
- mustache: a tokenizer for the mustache spec (variables, `{{{ }}}`, `{{& }}`, sections,
  inverted sections, comments, partials, set-delimiter, dotted names, `{{.}}`, and the
  inheritance tags `{{< }}` / `{{$ }}`). No rendering library is needed to find names.
- fstring: `string.Formatter().parse`, as `str.format` reads the string.

Only the first segment of a name counts: `{{ customer.tier }}`, `{{customer.tier}}` and
`{customer.tier}` all read the input `customer`.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from jinja2 import Environment

ENGINES = ("jinja2", "mustache", "fstring")


class TemplateSyntaxError(Exception):
    """The template does not parse; `line` is 1-based, inside the template."""

    def __init__(self, message: str, line: int) -> None:
        super().__init__(f"{message} (line {line})")
        self.message = message
        self.line = line


@dataclass(frozen=True)
class Use:
    """One read of a top-level name, at a 1-based line of the template."""

    name: str
    line: int
    # mustache only: the sections (`{{#name}}`) around the use, outermost first. Inside a
    # section a name is looked up on the section's value first, so it may be a field of it.
    sections: tuple[str, ...] = ()


@dataclass(frozen=True)
class Analysis:
    uses: tuple[Use, ...]  # in template order
    # `{% include %}`, `{% extends %}`, `{{> partial}}`: the other template sees the same
    # variables, and is not read here
    includes_others: bool = False

    def variables(self) -> dict[str, int]:
        first: dict[str, int] = {}
        for use in self.uses:
            first.setdefault(use.name, use.line)
        return first


def variables(source: str, engine: str) -> dict[str, int]:
    """Top-level name -> 1-based line of its first use. Raises `TemplateSyntaxError`."""
    return analyse(source, engine).variables()


def analyse(source: str, engine: str) -> Analysis:
    """Every variable use of `source` read as `engine`. Raises `TemplateSyntaxError`."""
    return Analyser().analyse(source, engine)


class Analyser:
    """Analyses many templates; the jinja2 environment is made once, on first need."""

    def __init__(self) -> None:
        self._jinja_env: Environment | None = None

    def analyse(self, source: str, engine: str) -> Analysis:
        if engine == "jinja2":
            simple = _simple_jinja(source)
            if simple is not None:
                return simple
            if self._jinja_env is None:
                self._jinja_env = jinja_environment()
            return _jinja(source, self._jinja_env)
        if engine == "mustache":
            return _mustache(source)
        if engine == "fstring":
            return _fstring(source)
        raise ValueError(f"unknown template engine `{engine}` (expected {', '.join(ENGINES)})")


# the tags a name can be read in, per engine; comments and escaped braces are matched only
# to be skipped
_TAGS = {
    "jinja2": re.compile(r"\{#.*?#\}|\{\{.*?\}\}|\{%.*?%\}", re.DOTALL),
    "mustache": re.compile(r"\{\{!.*?\}\}|\{\{\{.*?\}\}\}|\{\{.*?\}\}", re.DOTALL),
    "fstring": re.compile(r"\{\{|\}\}|\{[^{}]*\}"),
}
_SKIPPED_TAGS = ("{#", "{{!")
_LINE_BREAK = re.compile(r"\r\n|\r|\n")


def column(source: str, engine: str, line: int, name: str) -> int:
    """The 1-based column of the first read of `name` on template line `line`, where an
    editor puts the cursor: inside a tag when one holds it there (not in a string, not as an
    attribute `x.name`), else its first occurrence as a word on that line, else 1.

    The analysis knows lines only (jinja2's parser keeps no columns); a finding is rare, so
    the column is looked up for it alone."""
    starts = [0, *(m.end() for m in _LINE_BREAK.finditer(source))]
    if not 0 < line <= len(starts):
        return 1
    begin = starts[line - 1]
    end = starts[line] if line < len(starts) else len(source)
    word = re.compile(rf"(?<![\w.'\"]){re.escape(name)}(?!\w)")
    tags = _TAGS.get(engine)
    for tag in tags.finditer(source) if tags is not None else ():
        if tag.start() >= end:
            break
        if tag.end() <= begin or tag[0].startswith(_SKIPPED_TAGS) or tag[0] in ("{{", "}}"):
            continue
        inside = word.search(source, max(tag.start(), begin), min(tag.end(), end))
        if inside is not None:
            return inside.start() - begin + 1
    anywhere = word.search(source, begin, end)
    return anywhere.start() - begin + 1 if anywhere is not None else 1


# --- jinja2 -------------------------------------------------------------------------------


class _AnyName(dict[str, Any]):
    """A filter/test table that knows every name: the application may register its own."""

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key, _unknown)


def _unknown(*args: Any, **kwargs: Any) -> Any:  # pragma: no cover - never called
    raise NotImplementedError


def jinja_environment() -> Environment:
    """An environment for parsing only: nothing is ever rendered or executed with it."""
    from jinja2 import Environment

    env = Environment()
    env.filters = _AnyName(env.filters)
    env.tests = _AnyName(env.tests)
    return env


# `{{ name }}`, the only tag of most templates; see _simple_jinja
_SIMPLE_TAG = re.compile(r"\{\{[ \t\n]*([A-Za-z_][A-Za-z0-9_]*)[ \t\n]*\}\}")
# bare names jinja reads as something else than an input: constants, operators, globals
_JINJA_WORDS = ("true", "false", "True", "False", "none", "None", "not", "and", "or", "in", "is")
_JINJA_GLOBALS = ("loop", "self", "range", "dict", "lipsum", "cycler", "joiner", "namespace")
_NOT_SIMPLE = frozenset((*_JINJA_WORDS, "if", "else", *_JINJA_GLOBALS))


def _simple_jinja(source: str) -> Analysis | None:
    """The analysis of a template whose only tags are `{{ name }}`, or None for any other.

    jinja2 would read such a template as text and plain variable reads, nothing else; this
    finds the same names at the same lines without loading or running jinja2's parser,
    which is most of the rule's time on a large backlog of simple prompts.
    """
    if "{%" in source or "{#" in source or "\r" in source:
        return None
    first: dict[str, int] = {}
    pos, line, counted = 0, 1, 0
    while True:
        start = source.find("{{", pos)
        if start < 0:
            break
        match = _SIMPLE_TAG.match(source, start)
        if match is None or match.group(1) in _NOT_SIMPLE:
            return None
        # jinja puts a name at its own line, which `{{` may precede
        line += source.count("\n", counted, match.start(1))
        counted = match.start(1)
        first.setdefault(match.group(1), line)
        pos = match.end()
    return Analysis(tuple(Use(name, line) for name, line in first.items()))


def _jinja(source: str, env: Environment) -> Analysis:
    from jinja2 import TemplateSyntaxError as JinjaSyntaxError
    from jinja2 import meta, nodes

    try:
        ast = env.parse(source)
        if env.block_start_string in source:
            names = set(meta.find_undeclared_variables(ast))
        else:
            # without statements nothing binds a name, so every name read is undeclared;
            # this skips jinja's code generator, the costly half of the analysis
            names = {n.name for n in ast.find_all(nodes.Name) if n.ctx == "load"}
    except JinjaSyntaxError as exc:
        raise TemplateSyntaxError(exc.message or "syntax error", exc.lineno or 1) from None
    except RecursionError:
        raise TemplateSyntaxError("expressions nested too deeply", 1) from None
    names -= {*env.globals, "loop", "self"}
    first: dict[str, int] = {}
    for node in ast.find_all(nodes.Name):
        if node.ctx == "load" and node.name in names:
            line = node.lineno
            if line < first.get(node.name, line + 1):
                first[node.name] = line
    uses = sorted((Use(name, line) for name, line in first.items()), key=lambda u: u.line)
    includes = any(True for _ in ast.find_all((nodes.Include, nodes.Extends)))
    return Analysis(tuple(uses), includes)


# --- mustache -----------------------------------------------------------------------------

# the character after the opening delimiter that makes a tag more than a variable
_SIGILS = frozenset("{&#^/>!=<$")


def _mustache(source: str) -> Analysis:
    otag, ctag = "{{", "}}"
    uses: list[Use] = []
    # open sections: (name as written, sigil, line); `#` pushes the value as context
    stack: list[tuple[str, str, int]] = []
    includes = False
    pos, line, counted = 0, 1, 0
    length = len(source)
    while True:
        start = source.find(otag, pos)
        if start < 0:
            break
        line += source.count("\n", counted, start)
        counted = start
        inner = start + len(otag)
        while inner < length and source[inner] in " \t":
            inner += 1
        sigil = source[inner] if inner < length else ""
        if sigil not in _SIGILS:
            sigil = ""
        if sigil == "{":
            closer = "}" + ctag
        elif sigil == "=":
            closer = "=" + ctag
        else:
            closer = ctag
        body = inner + len(sigil)
        end = source.find(closer, body)
        if end < 0:
            raise TemplateSyntaxError(f"unclosed tag `{otag}` (no `{closer}` after it)", line)
        pos = end + len(closer)
        content = source[body:end]
        name = content.strip()
        if sigil == "!":
            continue
        if sigil == "=":
            delimiters = name.split()
            if len(delimiters) != 2:
                raise TemplateSyntaxError(
                    f"set-delimiter tag `{otag}={content}={ctag}` needs two delimiters "
                    "separated by a space, e.g. `{{=<% %>=}}`",
                    line,
                )
            otag, ctag = delimiters
            continue
        if not name:
            raise TemplateSyntaxError(f"empty tag `{source[start:pos]}`", line)
        if sigil == "/":
            if not stack:
                raise TemplateSyntaxError(
                    f"`{otag}/{name}{ctag}` closes a section that was never opened", line
                )
            opened, opened_sigil, opened_line = stack.pop()
            if opened != name:
                raise TemplateSyntaxError(
                    f"`{otag}/{name}{ctag}` does not close the open section "
                    f"`{otag}{opened_sigil}{opened}{ctag}` (opened at line {opened_line})",
                    line,
                )
            continue
        if sigil in (">", "<"):
            includes = True  # a partial or a parent template: rendered with this context
        if sigil in (">", "$"):
            continue
        if sigil in ("<", "$"):
            stack.append((name, sigil, line))
            continue
        top = name.split(".", 1)[0]
        if top:  # `.` is the implicit iterator, the current context itself
            within = tuple(s[0].split(".", 1)[0] for s in stack if s[1] == "#")
            uses.append(Use(top, line, within))
        if sigil in ("#", "^"):
            stack.append((name, sigil, line))
    if stack:
        name, sigil, opened_line = stack[-1]
        raise TemplateSyntaxError(
            f"section `{otag}{sigil}{name}{ctag}` is never closed (no `{otag}/{name}{ctag}`)",
            opened_line,
        )
    return Analysis(tuple(uses), includes)


# --- fstring (str.format) -----------------------------------------------------------------


def _fstring(source: str) -> Analysis:
    uses: list[Use] = []
    line = 1
    try:
        for literal, field, spec, conversion in _fields(source):
            line += literal.count("\n")
            if field is not None:
                _fstring_field(field, spec, conversion, line, uses, nested=False)
                line += field.count("\n") + (spec or "").count("\n")
    except ValueError as exc:
        raise TemplateSyntaxError(str(exc), _fstring_error_line(source)) from None
    return Analysis(tuple(uses))


def _fields(source: str) -> Iterator[tuple[str, str | None, str | None, str | None]]:
    yield from string.Formatter().parse(source)


class _Anything:
    """Stands for any input value: every attribute and item of it exists."""

    def __getattr__(self, name: str) -> _Anything:
        return self

    def __getitem__(self, key: object) -> _Anything:
        return self


class _FieldName(string.Formatter):
    """`str.format`'s own reading of a field name (`a.b[0]`), without any values."""

    def first(self, field: str) -> int | str:
        self._first: int | str = ""
        self.get_field(field, (), {})  # raises ValueError for `a.`, `a[0`, `a[0]b`
        return self._first

    def get_value(self, key: int | str, args: Sequence[Any], kwargs: Mapping[str, Any]) -> Any:
        self._first = key
        return _Anything()


def _fstring_field(
    field: str, spec: str | None, conversion: str | None, line: int, uses: list[Use], nested: bool
) -> None:
    try:
        first = _FieldName().first(field)
        if conversion not in (None, "r", "s", "a"):
            raise ValueError(f"unknown conversion specifier `!{conversion}` (use !r, !s or !a)")
        if isinstance(first, int) or not first:
            raise ValueError("positional fields cannot be filled from named inputs")
        uses.append(Use(first, line))
        if spec and "{" in spec:
            if nested:
                raise ValueError("Max string recursion exceeded")
            for _, inner, inner_spec, inner_conversion in _fields(spec):
                if inner is not None:
                    _fstring_field(inner, inner_spec, inner_conversion, line, uses, nested=True)
    except ValueError as exc:
        raise TemplateSyntaxError(str(exc), line) from None


def _fstring_error_line(source: str) -> int:
    """Where `string.Formatter().parse` stops, found by walking the string as it does."""
    i, length = 0, len(source)
    while i < length:
        char = source[i]
        if char not in "{}":
            i += 1
            continue
        if source.startswith(char * 2, i):
            i += 2
            continue
        if char == "}":
            return source.count("\n", 0, i) + 1
        # a replacement field: `[...]` in its name is literal, `{...}` nest in its spec
        depth, j, in_spec = 1, i + 1, False
        while j < length and depth:
            c = source[j]
            if c == "[" and not in_spec:
                close = source.find("]", j)
                j = length if close < 0 else close + 1
                continue
            if c in ":!":
                in_spec = True
            elif c == "{":
                depth += 1
            elif c == "}":
                depth -= 1
            j += 1
        if depth:
            return source.count("\n", 0, i) + 1
        try:
            list(string.Formatter().parse(source[i:j]))
        except ValueError:
            return source.count("\n", 0, i) + 1
        i = j
    return 1
