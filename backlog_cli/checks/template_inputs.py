"""template-inputs: a prompt template uses a variable not declared in `inputs`, or a required
input is never used.

A prompt's `spec.inputs` is its contract with the code that renders it. A variable the
template reads but `inputs` does not declare renders as an empty string or fails at run
time; a required input the template never reads is a contract nobody keeps. The template
(`spec.template`, or the file `spec.template_file` names) is parsed with the real engine of
`spec.format` (default jinja2) and never rendered:

- jinja2: jinja2's own parser. Loop variables, `{% set %}` names, macro arguments and
  jinja's globals (`range`, `loop`, `namespace`, ...) are not inputs; `{{ customer.tier }}`
  reads `customer`. Filters and tests are not checked (applications register their own).
  `{% include %}` and `{% extends %}` are not followed; a template that pulls in another
  one gets no "never used" warnings, since the other template may use the input.
- mustache: `{{name}}`, `{{{name}}}`, `{{& name}}`, sections, inverted sections, comments,
  partials (not inputs, and not followed), set-delimiter tags and dotted names. Inside a
  section `{{#items}}...{{/items}}` a name is looked up on the section's value first: a name
  used only inside sections is not reported when one of those sections is a declared input
  of type `array` or `object` (it is taken to be a field of that input's values).
- fstring: `str.format` syntax; `{name.attr}`, `{name[0]}` and `{name!r:>10}` read `name`,
  `{{` and `}}` are literal braces, and positional fields (`{}`, `{0}`) are an error since
  inputs are named.

A template that does not parse is reported with the engine's message and its line. An
undeclared variable is reported at the template (for an inline `|` block, at the line of its
first use); when a declared input the template never uses is close to it (`questoin`,
`question` declared), the finding asks "did you mean `question`?". A finding in a
`template_file` is located in that file, where editors and code scanning show it: an
undeclared variable at the line and column of its first use, a syntax error at its line.
The item that uses the template is a related location of the finding (its `spec.inputs`, or
its `template_file` for a syntax error): a `note:` line in text, JUnit and GitHub
annotations, `related_locations` in JSON, `relatedLocations` in SARIF, a `see` link in
Markdown. The finding still belongs to the item: `check` of the item file or of the
template reports it, and waivers and baselines match it by item as before. A required
input that is never used is a warning, at that input in the item. A `template_file` that
does not exist is `missing-file`'s finding, not this rule's.

Failing:

    spec:
      template: |
        Tier: {{ customer_tier }}         # `customer_tier` is not declared
        Ticket: {{ ticket }}
      inputs:
        ticket: {type: string, required: true}
        locale: {type: string, required: true}    # warning: never used

Passing:

    spec:
      template: |
        Tier: {{ customer_tier | default("standard") }}
        Ticket: {{ ticket }}
      inputs:
        ticket: {type: string, required: true}
        customer_tier: {type: string, required: false}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from backlog_cli import paths, templates
from backlog_cli.diagnostic import Finding, Location, Severity
from backlog_cli.loader import split_lines
from backlog_cli.suggest import closest

if TYPE_CHECKING:
    from backlog_cli.engine import Context
    from backlog_cli.loader import Document
    from backlog_cli.project import Item, Project

ID = "template-inputs"
SEVERITY: Severity = "error"

# input types whose values a mustache section can open, exposing their fields as names
_CONTAINERS = ("array", "object")


@dataclass(frozen=True)
class _Template:
    source: str
    file: str | None  # `template_file` as written, or None for an inline template
    rel: str | None = None  # the template file's path from the repository root

    @property
    def pointer(self) -> tuple[str, str]:
        return ("spec", "template" if self.file is None else "template_file")


def check(context: Context) -> Iterator[Finding]:
    project = context.project
    analyser = templates.Analyser()
    limit = project.config.limits.max_file_size
    for item in context.items():
        if item.kind != "prompt":
            continue
        spec = item.data.get("spec")
        if not isinstance(spec, dict):
            continue
        engine = spec.get("format", "jinja2")
        inputs = spec.get("inputs", {})
        if engine not in templates.ENGINES or not isinstance(inputs, dict):
            continue  # the schema rule reports these
        found = _template(item, spec, project, limit)
        if isinstance(found, Finding):
            yield found
            continue
        if found is None:
            continue
        try:
            analysis = analyser.analyse(found.source, engine)
        except templates.TemplateSyntaxError as exc:
            yield _syntax_error(item, found, engine, "format" in spec, exc)
            continue
        yield from _compare(item, found, analysis, inputs, engine)


def _template(
    item: Item, spec: dict[str, Any], project: Project, limit: int
) -> _Template | Finding | None:
    doc = item.doc
    inline = spec.get("template")
    if isinstance(inline, str):
        return _Template(inline, None)
    raw = spec.get("template_file")
    if not isinstance(raw, str):
        return None
    resolved = paths.resolve(raw, doc.path, project.config.repo_root)
    if resolved.path is None:
        return None  # missing-file reports it
    source = paths.read_text(resolved.path, limit)
    if isinstance(source, paths.Unreadable):
        line, column = doc.locate(("spec", "template_file"))
        return Finding(
            doc.rel,
            line,
            column,
            f"template `{raw}` cannot be checked: {source.why}",
            item.key,
            source.hint,
        )
    rel = paths.relpath(
        paths.written(raw, doc.path, project.config.repo_root), project.config.repo_root
    )
    return _Template(source, raw, rel)


def _where(doc: Document, template: _Template, template_line: int) -> tuple[int, int]:
    """Item-file position for a template line: the template's own line in a literal block.

    Positions are looked up only for findings (the loader computes them on demand). A
    literal block scalar (`|`) keeps every line, leading blank ones included, so template
    line N is item line `header + N`; folded (`>`) and quoted scalars join lines, and a
    `template_file` is another file: those point at the value itself.
    """
    line, column = doc.locate(template.pointer)
    if template.file is not None:
        return line, column
    lines = split_lines(doc.text)
    target = line + template_line
    if not 0 < line < target <= len(lines) or lines[line - 1][column - 1 : column] != "|":
        return line, column
    content = lines[target - 1]
    return target, len(content) - len(content.lstrip()) + 1


def _compare(
    item: Item,
    template: _Template,
    analysis: templates.Analysis,
    inputs: dict[str, Any],
    engine: str,
) -> Iterator[Finding]:
    doc = item.doc
    containers = {name for name, decl in inputs.items() if _type(decl) in _CONTAINERS}
    reported: set[str] = set()
    # a declared input the template never reads is the likely intent of a near-miss name
    unused = [name for name in inputs if name not in analysis.variables()]
    for use in analysis.uses:
        if use.name in inputs or use.name in reported:
            continue
        if any(section in containers for section in use.sections):
            continue  # a field of the section's value, looked up there first
        reported.add(use.name)
        if template.file is None:
            message = (
                f"template uses `{use.name}` (line {use.line} of the template), "
                "which is not declared in `spec.inputs`"
            )
        else:
            message = (
                f"template `{template.file}` uses `{use.name}` (line {use.line}), "
                "which is not declared in `spec.inputs`"
            )
        intended = closest(use.name, unused)
        if intended is not None:
            message += f"; did you mean `{intended}`?"
        hint = (
            f"declare it under `spec.inputs` with its type "
            f"(`{use.name}: {{type: string, required: true}}`), or remove it from the template"
        )
        if intended is not None:
            hint = (
                f"write `{intended}` in the template (declared in `spec.inputs`, never used), "
                f"or {hint}"
            )
        if use.sections:
            hint += (
                f"; if it is a field of the section `{use.sections[-1]}`, declare "
                f"`{use.sections[-1]}` with type array or object"
            )
        if template.rel is None:
            line, column = _where(doc, template, use.line)
            yield Finding(doc.rel, line, column, message, item.key, hint)
            continue
        column = templates.column(template.source, engine, use.line, use.name)
        also = (_declared_in(item, template, use.name),)
        yield Finding(template.rel, use.line, column, message, item.key, hint, also=also)
    if analysis.includes_others:
        return  # an included template may use the rest
    used = analysis.variables()
    where = "the template" if template.file is None else f"`{template.file}`"
    for name, decl in inputs.items():
        if isinstance(decl, dict) and decl.get("required") is True and name not in used:
            line, column = doc.locate(("spec", "inputs", name), at_key=True)
            yield Finding(
                doc.rel,
                line,
                column,
                f"required input `{name}` is never used by {where}",
                item.key,
                "use it in the template, remove it from `spec.inputs`, "
                "or mark it `required: false`",
                severity="warning",
            )


def _declared_in(item: Item, template: _Template, name: str) -> Location:
    """The item's `spec.inputs` (else its `template_file`), where `name` is not declared."""
    spec = item.data.get("spec")
    has_inputs = isinstance(spec, dict) and "inputs" in spec
    pointer = ("spec", "inputs") if has_inputs else template.pointer
    line, column = item.doc.locate(pointer, at_key=has_inputs)
    return Location(
        item.doc.rel,
        line,
        column,
        f"inputs declared in `{item.key}` (`spec.inputs`), without `{name}`",
    )


def _used_by(item: Item, template: _Template) -> Location:
    """The item's `template_file` entry: the item that uses the template file."""
    line, column = item.doc.locate(template.pointer)
    return Location(
        item.doc.rel, line, column, f"template used by `{item.key}` (`spec.template_file`)"
    )


def _type(decl: Any) -> Any:
    return decl.get("type") if isinstance(decl, dict) else None


def _syntax_error(
    item: Item,
    template: _Template,
    engine: str,
    explicit: bool,
    exc: templates.TemplateSyntaxError,
) -> Finding:
    doc = item.doc
    also: tuple[Location, ...] = ()
    if template.rel is not None:  # in the template file, whose syntax errors have no column
        path, line, column, also = template.rel, exc.line, 1, (_used_by(item, template),)
    else:
        path, (line, column) = doc.rel, _where(doc, template, exc.line)
    message, hint = _syntax_message(template, engine, exc), _syntax_hint(engine, explicit)
    return Finding(path, line, column, message, item.key, hint, also=also)


def _syntax_message(template: _Template, engine: str, exc: templates.TemplateSyntaxError) -> str:
    if template.file is None:
        return (
            f"template does not parse as {engine} (line {exc.line} of the template): {exc.message}"
        )
    return f"template `{template.file}` does not parse as {engine} (line {exc.line}): {exc.message}"


def _syntax_hint(engine: str, explicit: bool) -> str:
    hint = f"fix the {engine} syntax"
    if not explicit:
        hint += (
            "; `spec.format` is not set, so the template is read as jinja2: "
            "set `format: mustache` or `format: fstring` if it is one of those"
        )
    return hint
