"""template-inputs on real backlogs, and `templates.variables` per engine."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest

from backlog_cli import templates
from backlog_cli.diagnostic import Diagnostic
from tests.conftest import check, item, write_backlog

Finder = Callable[..., list[tuple[str, int, int]]]
RULE = "template-inputs"

# item() puts `spec:` at line 8, so the first spec line is line 9


def prompt(spec: str, item_id: str = "p") -> str:
    return item("prompt", item_id, spec=spec)


def found(tmp_path: Path, files: dict[str, str | bytes]) -> list[Diagnostic]:
    root = write_backlog(tmp_path / "repo", files)
    return [d for d in check(root).diagnostics if d.rule == RULE]


def brief(diagnostics: list[Diagnostic]) -> list[tuple[int, int, str, str]]:
    return [(d.line, d.column, d.severity, d.message) for d in diagnostics]


def with_paths(diagnostics: list[Diagnostic]) -> list[tuple[str, int, int, str, str]]:
    return [(d.path, d.line, d.column, d.severity, d.message) for d in diagnostics]


# --- jinja2 ---------------------------------------------------------------------------------


def test_jinja_undeclared_variable_at_its_line_in_the_block(tmp_path: Path) -> None:
    spec = """
    template: |
      Ticket: {{ ticket }}
      Tier: {{ customer_tier }}
    inputs:
      ticket: {type: string, required: true}
    """
    diagnostics = found(tmp_path, {"backlog/p.yaml": prompt(spec)})
    assert brief(diagnostics) == [
        (
            11,
            5,
            "error",
            "template uses `customer_tier` (line 2 of the template), "
            "which is not declared in `spec.inputs`",
        )
    ]
    assert diagnostics[0].item == "prompt/p"
    assert diagnostics[0].hint is not None
    assert "declare it under `spec.inputs`" in diagnostics[0].hint


def test_jinja_loop_set_attributes_filters_and_globals_are_not_inputs(findings: Finder) -> None:
    spec = """
    template: |
      {% for t in tickets %}{{ t.id }} {{ loop.index }}{% endfor %}
      {% set x = 1 %}{{ x }}
      {{ customer.tier | upper }} {{ range(3) | list }} {{ text | redact }}
      {% set ns = namespace(n=0) %}{{ ns.n }} {{ lipsum(1) }} {{ dict(a=1) }}
    inputs:
      tickets: {type: array, required: true}
      customer: {type: object, required: true}
      text: {type: string, required: true}
    """
    assert findings({"backlog/p.yaml": prompt(spec)}, RULE) == []


def test_jinja_attribute_and_filter_use_counts_the_top_level_name(tmp_path: Path) -> None:
    spec = """
    template: |
      {% for t in tickets %}{{ t.id }}{% endfor %}
      {{ customer.tier | upper }}
    inputs:
      tickets: {type: array, required: true}
    """
    assert brief(found(tmp_path, {"backlog/p.yaml": prompt(spec)})) == [
        (
            11,
            5,
            "error",
            "template uses `customer` (line 2 of the template), "
            "which is not declared in `spec.inputs`",
        )
    ]


def test_required_input_never_used_is_a_warning_at_the_input(tmp_path: Path) -> None:
    spec = """
    template: "Hello {{ name }}"
    inputs:
      name: {type: string, required: true}
      locale: {type: string, required: true}
      tone: {type: string, required: false}
      style: {type: string}
    """
    diagnostics = found(tmp_path, {"backlog/p.yaml": prompt(spec)})
    assert brief(diagnostics) == [
        (12, 5, "warning", "required input `locale` is never used by the template")
    ]
    assert diagnostics[0].hint == (
        "use it in the template, remove it from `spec.inputs`, or mark it `required: false`"
    )
    assert check(tmp_path / "repo").exit_code == 0  # a warning does not fail the run


def test_jinja_syntax_error_at_its_line(tmp_path: Path) -> None:
    spec = """
    template: |
      Hello {{ name }}
      {% endfor %}
    inputs:
      name: {type: string}
    """
    diagnostics = found(tmp_path, {"backlog/p.yaml": prompt(spec)})
    assert brief(diagnostics) == [
        (
            11,
            5,
            "error",
            "template does not parse as jinja2 (line 2 of the template): "
            "Encountered unknown tag 'endfor'.",
        )
    ]
    # the format was not given: the hint says the template was read as jinja2
    assert diagnostics[0].hint is not None
    assert "`spec.format` is not set" in diagnostics[0].hint


def test_quoted_template_is_located_at_its_value(findings: Finder) -> None:
    spec = """
    template: "Hi {{ who }}"
    inputs: {}
    """
    assert findings({"backlog/p.yaml": prompt(spec)}, RULE) == [(RULE, 9, 13)]


def test_folded_template_is_located_at_its_value(findings: Finder) -> None:
    spec = """
    template: >
      Hi
      {{ who }}
    """
    assert findings({"backlog/p.yaml": prompt(spec)}, RULE) == [(RULE, 9, 13)]


def test_include_suppresses_never_used_but_not_undeclared(tmp_path: Path) -> None:
    spec = """
    template: |
      {% include "header.j2" %}
      {{ body }}
    inputs:
      greeting: {type: string, required: true}
    """
    assert brief(found(tmp_path, {"backlog/p.yaml": prompt(spec)})) == [
        (
            11,
            5,
            "error",
            "template uses `body` (line 2 of the template), which is not declared in `spec.inputs`",
        )
    ]


def test_inputs_that_are_not_a_mapping_are_left_to_the_schema(findings: Finder) -> None:
    spec = """
    template: "Hi {{ who }}"
    inputs: [who]
    """
    assert findings({"backlog/p.yaml": prompt(spec)}, RULE) == []


def test_other_kinds_and_prompts_without_template_are_ignored(findings: Finder) -> None:
    files = {
        "backlog/t.yaml": item("tool", "t", extra="x-template: '{{ nope }}'"),
        "backlog/p.yaml": prompt("inputs: {a: {type: string, required: true}}"),
    }
    assert findings(files, RULE) == []


# --- template_file --------------------------------------------------------------------------


def test_template_file_undeclared_variable_names_file_and_line(tmp_path: Path) -> None:
    spec = """
    template_file: templates/triage.j2
    inputs:
      subject: {type: string, required: true}
      locale: {type: string, required: true}
    """
    template = "Classify the ticket.\n\nTier: {{ customer_tier }}\nSubject: {{ subject }}\n"
    files = {
        "backlog/prompts/triage.yaml": prompt(spec),
        "backlog/prompts/templates/triage.j2": template,
    }
    diagnostics = found(tmp_path, files)
    # issue 13 §5: located in the template file, at the name's line and column
    assert with_paths(diagnostics) == [
        (
            "backlog/prompts/templates/triage.j2",
            3,
            10,
            "error",
            "template `templates/triage.j2` uses `customer_tier` (line 3), "
            "which is not declared in `spec.inputs`",
        ),
        (
            "backlog/prompts/triage.yaml",
            12,
            5,
            "warning",
            "required input `locale` is never used by `templates/triage.j2`",
        ),
    ]


def test_template_file_syntax_error_names_file_and_line(tmp_path: Path) -> None:
    files = {
        "backlog/p.yaml": prompt("template_file: /tpl/p.j2\ninputs: {a: {type: string}}"),
        "tpl/p.j2": "{{ a }}\n\n{% if a %}\n",
    }
    diagnostics = found(tmp_path, files)
    # issue 13 §5: located in the template file, at the line of the error
    assert [(d.path, d.line, d.column) for d in diagnostics] == [("tpl/p.j2", 3, 1)]
    assert diagnostics[0].message.startswith(
        "template `/tpl/p.j2` does not parse as jinja2 (line 3): Unexpected end of template."
    )


def test_missing_template_file_is_not_this_rules_finding(findings: Finder) -> None:
    spec = "template_file: templates/nowhere.j2\ninputs: {a: {type: string, required: true}}"
    files = {"backlog/p.yaml": prompt(spec), "outside.j2": "{{ b }}"}
    assert findings(files, RULE) == []
    escaping = "template_file: ../../outside.j2\ninputs: {}"
    assert findings({"backlog/p.yaml": prompt(escaping)}, RULE) == []


def test_unreadable_template_file_is_reported(tmp_path: Path) -> None:
    files: dict[str, str | bytes] = {
        "backlog/p.yaml": prompt("template_file: p.j2\ninputs: {}"),
        "backlog/p.j2": b"Hello \xff {{ x }}",
    }
    assert brief(found(tmp_path, files)) == [
        (9, 18, "error", "template `p.j2` cannot be checked: it is not UTF-8 text")
    ]


# --- mustache -------------------------------------------------------------------------------


def test_mustache_tags_of_every_kind(findings: Finder) -> None:
    spec = """
    format: mustache
    template: |
      Hi {{customer.name}}, {{{greeting}}} {{& signature}}
      {{! {{not_an_input }}
      {{#tickets}}- {{subject}} ({{status}}) {{.}}{{/tickets}}
      {{^tickets}}No tickets for {{ customer.name }}{{/tickets}}
      {{> footer}}
      {{=<% %>=}}
      Locale: <% locale %> <%# flags %><%feature%><%/ flags %>
    inputs:
      customer: {type: object, required: true}
      greeting: {type: string}
      signature: {type: string}
      tickets: {type: array, required: true}
      locale: {type: string, required: true}
      flags: {type: object}
    """
    assert findings({"backlog/p.yaml": prompt(spec)}, RULE) == []


def test_mustache_names_inside_sections(tmp_path: Path) -> None:
    spec = """
    format: mustache
    template: |
      {{#items}}{{sku}} {{#order.lines}}{{qty}}{{/order.lines}}{{/items}}
      {{#order_id}}Order {{order_ref}}{{/order_id}}
      {{^items}}{{empty_note}}{{/items}}
      {{#history}}{{when}}{{/history}}
    inputs:
      items: {type: array, required: true}
      order_id: {type: string, required: true}
      unused: {type: string, required: true}
    """
    # `sku`, `order`, `qty`: fields of `items`; `order_ref`: `order_id` is a string, no fields;
    # `empty_note`: an inverted section keeps the outer context; `history` is not declared
    assert brief(found(tmp_path, {"backlog/p.yaml": prompt(spec)})) == [
        (
            12,
            5,
            "error",
            "template uses `order_ref` (line 2 of the template), "
            "which is not declared in `spec.inputs`",
        ),
        (
            13,
            5,
            "error",
            "template uses `empty_note` (line 3 of the template), "
            "which is not declared in `spec.inputs`",
        ),
        (
            14,
            5,
            "error",
            "template uses `history` (line 4 of the template), "
            "which is not declared in `spec.inputs`",
        ),
        (
            14,
            5,
            "error",
            "template uses `when` (line 4 of the template), which is not declared in `spec.inputs`",
        ),
        (18, 5, "warning", "required input `unused` is never used by the template"),
    ]


def test_mustache_unbalanced_sections(tmp_path: Path) -> None:
    unclosed = """
    format: mustache
    template: |
      Hello {{name}}
      {{#items}}- {{sku}}
    inputs: {name: {type: string}, items: {type: array}}
    """
    mismatched = """
    format: mustache
    template: |
      {{#a}}
      {{#b}}
      {{/a}}
    inputs: {a: {type: object}, b: {type: object}}
    """
    files = {"backlog/u.yaml": prompt(unclosed, "u"), "backlog/m.yaml": prompt(mismatched, "m")}
    diagnostics = found(tmp_path, files)
    assert with_paths(diagnostics) == [
        (
            "backlog/m.yaml",
            13,
            5,
            "error",
            "template does not parse as mustache (line 3 of the template): "
            "`{{/a}}` does not close the open section `{{#b}}` (opened at line 2)",
        ),
        (
            "backlog/u.yaml",
            12,
            5,
            "error",
            "template does not parse as mustache (line 2 of the template): "
            "section `{{#items}}` is never closed (no `{{/items}}`)",
        ),
    ]
    assert diagnostics[0].hint == "fix the mustache syntax"


# --- fstring --------------------------------------------------------------------------------


def test_fstring_fields_and_escapes(findings: Finder) -> None:
    spec = """
    format: fstring
    template: |
      {customer.tier} {tickets[0]} {name!r:>10} {{literal}} {amount:{width}}
    inputs:
      customer: {type: object, required: true}
      tickets: {type: array, required: true}
      name: {type: string, required: true}
      amount: {type: number, required: true}
      width: {type: integer, required: true}
    """
    assert findings({"backlog/p.yaml": prompt(spec)}, RULE) == []


def test_fstring_undeclared_positional_and_malformed(tmp_path: Path) -> None:
    files = {
        "backlog/a.yaml": prompt(
            "format: fstring\ntemplate: |\n  Hi {name}\n  {literal_brace}\ninputs: {}", "a"
        ),
        "backlog/b.yaml": prompt(
            "format: fstring\ntemplate: |\n  Hi {name}\n  Total: {}\n"
            "inputs: {name: {type: string}}",
            "b",
        ),
        "backlog/c.yaml": prompt(
            "format: fstring\ntemplate: |\n  Hi {name}\n\n  Total: {amount\n"
            "inputs: {name: {type: string}, amount: {type: number}}",
            "c",
        ),
    }
    diagnostics = found(tmp_path, files)
    assert with_paths(diagnostics) == [
        (
            "backlog/a.yaml",
            11,
            5,
            "error",
            "template uses `name` (line 1 of the template), which is not declared in `spec.inputs`",
        ),
        (
            "backlog/a.yaml",
            12,
            5,
            "error",
            "template uses `literal_brace` (line 2 of the template), "
            "which is not declared in `spec.inputs`",
        ),
        (
            "backlog/b.yaml",
            12,
            5,
            "error",
            "template does not parse as fstring (line 2 of the template): "
            "positional fields cannot be filled from named inputs",
        ),
        (
            "backlog/c.yaml",
            13,
            5,
            "error",
            "template does not parse as fstring (line 3 of the template): "
            "expected '}' before end of string",
        ),
    ]


def test_unknown_format_is_left_to_the_schema(findings: Finder) -> None:
    spec = "format: handlebars\ntemplate: '{{ x }}'\ninputs: {}"
    assert findings({"backlog/p.yaml": prompt(spec)}, RULE) == []


# --- templates.variables --------------------------------------------------------------------


def test_variables_jinja() -> None:
    source = (
        "{% for t in tickets %}\n{{ t.id }}{{ loop.index }}{% endfor %}\n"
        "{% set x = 1 %}{{ x }}\n{{ customer.tier | upper }} {{ range(2) }}\n"
        "{% macro m(a) %}{{ a }}{{ caller() }}{% endmacro %}{{ self }}"
    )
    assert templates.variables(source, "jinja2") == {"tickets": 1, "customer": 4}
    assert templates.variables("{{ a }}\n{{\n b }}{{ a }}", "jinja2") == {"a": 1, "b": 3}


@pytest.mark.parametrize(
    "source",
    [
        "plain text",
        "{{ a }} and {{b}}\n{{\n  c\n}} {{ a }}",
        "{{ true }} {{ none }} {{ x }}",
        "{{ loop }} {{ range }} {{ self }} {{ y }}",
        "{{{ a }}}",
        "{{ a }} }} { {{ b }}",
        "{{- a }} {{ b -}}",
        "{{ a.b }}",
    ],
)
def test_variables_jinja_simple_path_agrees_with_jinja(source: str) -> None:
    """Templates of plain `{{ name }}` tags skip jinja's parser: the result must not change."""
    from jinja2 import meta

    env = templates.jinja_environment()
    try:
        expected = set(meta.find_undeclared_variables(env.parse(source))) - {"loop", "self"}
    except Exception:
        with pytest.raises(templates.TemplateSyntaxError):
            templates.variables(source, "jinja2")
        return
    assert set(templates.variables(source, "jinja2")) == expected
    assert set(env.globals) <= set(templates._JINJA_GLOBALS)


def test_variables_mustache() -> None:
    source = (
        "{{a}} {{{b}}} {{& c}}\n{{! d }}{{> e}}{{#f}}{{g.h}}{{.}}{{/f}}\n"
        "{{^i}}{{j}}{{/i}}{{=| |=}}|k| |{l}| |#m||/m|"
    )
    assert templates.variables(source, "mustache") == {
        "a": 1,
        "b": 1,
        "c": 1,
        "f": 2,
        "g": 2,
        "i": 3,
        "j": 3,
        "k": 3,
        "l": 3,
        "m": 3,
    }
    analysis = templates.analyse("{{#f}}{{#g}}{{x}}{{/g}}{{/f}}{{^h}}{{y}}{{/h}}", "mustache")
    assert [(u.name, u.sections) for u in analysis.uses] == [
        ("f", ()),
        ("g", ("f",)),
        ("x", ("f", "g")),
        ("h", ()),
        ("y", ()),
    ]
    assert templates.analyse("{{> p}}", "mustache").includes_others


SECTION_MISMATCH = "`{{/b}}` does not close the open section `{{#a}}` (opened at line 1)"


@pytest.mark.parametrize(
    ("source", "message", "line"),
    [
        ("a\n{{name", "unclosed tag `{{` (no `}}` after it)", 2),
        ("{{#a}}\n{{/b}}", SECTION_MISMATCH, 2),
        ("x\n\n{{/b}}", "`{{/b}}` closes a section that was never opened", 3),
        ("\n{{^a}}", "section `{{^a}}` is never closed (no `{{/a}}`)", 2),
        (
            "{{=<%=}}",
            "set-delimiter tag `{{=<%=}}` needs two delimiters separated by a space, "
            "e.g. `{{=<% %>=}}`",
            1,
        ),
        ("{{ }}", "empty tag `{{ }}`", 1),
    ],
)
def test_variables_mustache_errors(source: str, message: str, line: int) -> None:
    with pytest.raises(templates.TemplateSyntaxError) as caught:
        templates.variables(source, "mustache")
    assert (caught.value.message, caught.value.line) == (message, line)


def test_variables_fstring() -> None:
    source = "{a}\n{b.c} {d[0]}\n{e!r:>10} {{f}}\n{g:>{w}}"
    assert templates.variables(source, "fstring") == {
        "a": 1,
        "b": 2,
        "d": 2,
        "e": 3,
        "g": 4,
        "w": 4,
    }


@pytest.mark.parametrize(
    ("source", "message", "line"),
    [
        ("a\n{}", "positional fields cannot be filled from named inputs", 2),
        ("{0.name}", "positional fields cannot be filled from named inputs", 1),
        ("x\n\ny}", "Single '}' encountered in format string", 3),
        ("x\n{a", "expected '}' before end of string", 2),
        ("{a}\n{b!x}", "unknown conversion specifier `!x` (use !r, !s or !a)", 2),
        ("{a.}", "Empty attribute in format string", 1),
        ("{a}\n{b:{c:{d}}}", "Max string recursion exceeded", 2),
    ],
)
def test_variables_fstring_errors(source: str, message: str, line: int) -> None:
    with pytest.raises(templates.TemplateSyntaxError) as caught:
        templates.variables(source, "fstring")
    assert (caught.value.message, caught.value.line) == (message, line)


def test_variables_jinja_error_and_unknown_engine() -> None:
    with pytest.raises(templates.TemplateSyntaxError) as caught:
        templates.variables("ok\n{{ a", "jinja2")
    assert caught.value.line == 2
    assert "unexpected end of template" in caught.value.message
    with pytest.raises(ValueError, match="unknown template engine"):
        templates.variables("{{ a }}", "handlebars")
