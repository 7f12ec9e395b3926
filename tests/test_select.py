from __future__ import annotations

import pytest

from backlog_cli.config import load_config
from backlog_cli.errors import BacklogError
from backlog_cli.project import Project, load_project
from backlog_cli.select import (
    EVERYTHING,
    Atom,
    SelectorError,
    Why,
    needs_changed,
    parse,
    select,
)
from tests.conftest import git, item, write_backlog


def _owned(text: str, owner: str) -> str:
    return text.replace("owner: team-ai", f'owner: "{owner}"')


# capability/support -> agent/triage -> prompt/triage -> model/gpt   (-> = depends on)
# agent/triage -> tool/search, prompt/missing (dangling); prompt/triage -> policy/pii;
# prompt/summarize -> model/gpt; evaluation/triage-eval -> prompt/triage
FILES: dict[str, str | bytes] = {
    "backlog/capabilities/support.yaml": item(
        "capability", "support", status="ready", spec="narrative: x\nitems: [agent/triage]"
    ),
    "backlog/agents/triage.yaml": _owned(
        item(
            "agent",
            "triage",
            status="in-progress",
            extra="tags: [pii, core]",
            spec="pattern: sequential\nprompts: [prompt/triage, prompt/missing]\n"
            "tools: [tool/search]",
        ),
        "@maria.k-x",
    ),
    "backlog/prompts/triage.yaml": item(
        "prompt",
        "triage",
        status="ready",
        extra="tags: [pii]\nsafety:\n  policies: [policy/pii]",
        spec="model: model/gpt\ntemplate: hi",
    ),
    "backlog/prompts/summarize.yaml": item(
        "prompt", "summarize", spec="model: model/gpt@^1\ntemplate: hi"
    ),
    "backlog/models/gpt.yaml": item("model", "gpt", status="done", spec="provider: x\nname: gpt"),
    "backlog/policies/pii.yaml": _owned(item("policy", "pii", status="done"), "@legal"),
    "backlog/evaluations/triage-eval.yaml": item(
        "evaluation", "triage-eval", spec="targets: [prompt/triage]"
    ),
    "backlog/tools/search.yaml": item("tool", "search", spec="side_effects: read"),
}

ALL = {
    "agent/triage",
    "capability/support",
    "evaluation/triage-eval",
    "model/gpt",
    "policy/pii",
    "prompt/summarize",
    "prompt/triage",
    "tool/search",
}


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    # the config sits in `sub/` of a git repository, so repository- and config-relative
    # paths differ
    repo = tmp_path_factory.mktemp("select") / "repo"
    repo.mkdir()
    git(repo, "init", "-q")
    loaded = load_project(load_config(write_backlog(repo / "sub", FILES)))
    assert set(loaded.graph.nodes) == ALL
    return loaded


def keys(project: Project, *selects: str, excludes: tuple[str, ...] = ()) -> set[str]:
    result = select(project, selects, excludes, changed={"model/gpt"})
    assert result is not None
    return set(result)


def path_of(why: Why) -> list[tuple[str, str, str]]:
    return [(e.source, e.target, e.relation) for e in why.path]


# --- parsing -----------------------------------------------------------------------------


def test_parse_builds_the_ast() -> None:
    selector = parse("2+prompt/a+1,kind:tool changed+", "--exclude")
    assert selector.option == "--exclude"
    assert [len(t.atoms) for t in selector.terms] == [2, 1]
    first, second = selector.terms[0].atoms
    assert first == Atom("2+prompt/a+1", 3, "item", "prompt/a", True, 2, True, 1)
    assert second == Atom("kind:tool", 14, "kind", "tool")
    assert selector.terms[1].atoms[0] == Atom("changed+", 24, "changed", "", down=True)
    assert selector.uses_changed


def test_unlimited_operators_and_columns_after_whitespace() -> None:
    (atom,) = parse("+tag:pii+").terms[0].atoms
    assert (atom.up, atom.up_depth, atom.down, atom.down_depth) == (True, None, True, None)
    assert parse("\t kind:tool \n").terms[0].atoms[0].column == 3


MALFORMED = [
    ("", '--select "": empty selector; write e.g. `prompt/x+` or `kind:prompt`'),
    ("   ", '--select "   ": empty selector; write e.g. `prompt/x+` or `kind:prompt`'),
    (
        "kind:promt status:ready",
        '--select "kind:promt status:ready": unknown kind `promt` at column 6; '
        "did you mean `prompt`?",
    ),
    (
        "kind:tool status:redy",
        '--select "kind:tool status:redy": unknown status `redy` at column 18; '
        "did you mean `ready`?",
    ),
    ("knd:prompt", '--select "knd:prompt": unknown method `knd` at column 1; did you mean `kind`?'),
    (
        ":prompt",
        '--select ":prompt": missing method before `:` at column 1; '
        "one of `kind`, `status`, `owner`, `tag`, `path`",
    ),
    ("tag:", '--select "tag:": empty value for `tag:` at column 5'),
    ("kind:tool owner:", '--select "kind:tool owner:": empty value for `owner:` at column 17'),
    ("prompt/a,,kind:tool", '--select "prompt/a,,kind:tool": empty term after `,` at column 10'),
    ("prompt/a,", '--select "prompt/a,": empty term after `,` at column 10'),
    (
        "prompt/a, kind:tool",
        '--select "prompt/a, kind:tool": empty term after `,` at column 10; '
        "spaces separate terms, so write `a,b`",
    ),
    (",prompt/a", '--select ",prompt/a": empty term before `,` at column 1'),
    (
        "x+prompt/a",
        '--select "x+prompt/a": bad depth `x` at column 1; '
        "a depth is a whole number, as in `2+prompt/x+1`",
    ),
    (
        "0.5+prompt/a",
        '--select "0.5+prompt/a": bad depth `0.5` at column 1; '
        "a depth is a whole number, as in `2+prompt/x+1`",
    ),
    (
        "prompt/a+x",
        '--select "prompt/a+x": bad depth `x` at column 10; '
        "a depth is a whole number, as in `2+prompt/x+1`",
    ),
    (
        "kind:tool 2+prompt/a+-1",
        '--select "kind:tool 2+prompt/a+-1": bad depth `-1` at column 22; '
        "a depth is a whole number, as in `2+prompt/x+1`",
    ),
    (
        "owner:a+b",
        '--select "owner:a+b": bad depth `b` at column 9; '
        "a depth is a whole number, as in `2+prompt/x+1`",
    ),
    ("+", '--select "+": stray `+` at column 1'),
    ("1+", '--select "1+": stray `+` at column 2'),
    ("++prompt/a", '--select "++prompt/a": stray `+` at column 1'),
    ("prompt/a++", '--select "prompt/a++": stray `+` at column 10'),
    ("kind:tool prompt/a+1+", '--select "kind:tool prompt/a+1+": stray `+` at column 21'),
    ("prompt/", '--select "prompt/": malformed item `prompt/`: missing id at column 8'),
    (
        "Prompt/A",
        '--select "Prompt/A": malformed item `Prompt/A` at column 1; kinds and ids are lower-case',
    ),
    (
        "prompt/A",
        '--select "prompt/A": malformed item `prompt/A`: bad id `A` at column 8; '
        "kinds and ids are lower-case",
    ),
    (
        "prompt/a@^1",
        '--select "prompt/a@^1": malformed item `prompt/a@^1`: bad id `a@^1` at column 8; '
        "an id is lower-case letters, digits, `.`, `_` and `-`",
    ),
    (
        "prompt/a/b",
        '--select "prompt/a/b": malformed item `prompt/a/b` at column 9; expected `kind/id`',
    ),
    ("/a", '--select "/a": malformed item `/a` at column 1; expected `kind/id`'),
    (
        "2+promt/a",
        '--select "2+promt/a": unknown kind `promt` at column 3; did you mean `prompt`?',
    ),
    (
        "chnged+",
        '--select "chnged+": unknown selector `chnged` at column 1; did you mean `changed`?',
    ),
    (
        "triage",
        '--select "triage": unknown selector `triage` at column 1; '
        "expected `kind/id`, `method:value` or `changed`",
    ),
    ("kind", '--select "kind": `kind` needs a value at column 1; write e.g. `kind:…`'),
]


@pytest.mark.parametrize(("expr", "message"), MALFORMED, ids=[m[0] or "empty" for m in MALFORMED])
def test_malformed_selectors_name_the_column(expr: str, message: str) -> None:
    with pytest.raises(SelectorError) as caught:
        parse(expr)
    assert str(caught.value) == message
    assert isinstance(caught.value, BacklogError)
    assert caught.value.exit_code == 2


def test_errors_name_the_option_they_come_from(project: Project) -> None:
    with pytest.raises(SelectorError, match=r'^--exclude "kind:modl": unknown kind `modl`'):
        select(project, ["kind:model"], ["kind:modl"])


# --- evaluation: atoms -------------------------------------------------------------------


def test_no_selection_means_everything(project: Project) -> None:
    assert select(project, []) is None
    assert select(project, [], []) is None


def test_one_item(project: Project) -> None:
    result = select(project, ["prompt/triage"])
    assert result == {"prompt/triage": Why("prompt/triage", "prompt/triage", ())}


def test_downstream_is_everything_that_depends_on_it(project: Project) -> None:
    assert keys(project, "prompt/triage+") == {
        "prompt/triage",
        "agent/triage",
        "capability/support",
        "evaluation/triage-eval",
    }


def test_upstream_is_everything_it_depends_on_without_dangling_targets(project: Project) -> None:
    assert keys(project, "+agent/triage") == {
        "agent/triage",
        "prompt/triage",
        "model/gpt",
        "policy/pii",
        "tool/search",
    }  # prompt/missing is referenced but is no item


def test_both_directions(project: Project) -> None:
    assert keys(project, "+prompt/summarize+") == {"prompt/summarize", "model/gpt"}
    assert keys(project, "+agent/triage+") == keys(project, "+agent/triage") | {
        "capability/support"
    }


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("1+capability/support", {"capability/support", "agent/triage"}),
        (
            "2+capability/support",
            {"capability/support", "agent/triage", "prompt/triage", "tool/search"},
        ),
        ("0+capability/support", {"capability/support"}),
        ("model/gpt+1", {"model/gpt", "prompt/triage", "prompt/summarize"}),
        (
            "model/gpt+2",
            {
                "model/gpt",
                "prompt/triage",
                "prompt/summarize",
                "agent/triage",
                "evaluation/triage-eval",
            },
        ),
        (
            "2+agent/triage+1",
            {
                "agent/triage",
                "prompt/triage",
                "tool/search",
                "model/gpt",
                "policy/pii",
                "capability/support",
            },
        ),
        (
            "1+agent/triage+1",
            {"agent/triage", "prompt/triage", "tool/search", "capability/support"},
        ),
    ],
)
def test_depth_limits(project: Project, expr: str, expected: set[str]) -> None:
    assert keys(project, expr) == expected


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        ("kind:prompt", {"prompt/triage", "prompt/summarize"}),
        ("status:ready", {"prompt/triage", "capability/support"}),
        ("status:in-progress", {"agent/triage"}),
        ("owner:@maria.k-x", {"agent/triage"}),
        ("owner:@legal", {"policy/pii"}),
        ("owner:team", set()),  # exact, not a prefix
        ("tag:pii", {"agent/triage", "prompt/triage"}),
        ("tag:core", {"agent/triage"}),
        ("tag:pi", set()),
    ],
)
def test_attribute_atoms(project: Project, expr: str, expected: set[str]) -> None:
    result = select(project, [expr])
    assert result is not None
    assert set(result) == expected
    assert all(why.seed == expr and why.path == () for why in result.values())


@pytest.mark.parametrize(
    ("expr", "expected"),
    [
        # relative to the repository root
        ("path:sub/backlog/prompts/*", {"prompt/triage", "prompt/summarize"}),
        ("path:/sub/backlog/prompts/*", {"prompt/triage", "prompt/summarize"}),
        ("path:sub/backlog/prompts", {"prompt/triage", "prompt/summarize"}),  # a folder
        # relative to the config's folder
        ("path:backlog/agents/*", {"agent/triage"}),
        ("path:./backlog/agents/", {"agent/triage"}),
        ("path:/backlog/agents/*", set()),  # a leading `/` is the repository root only
        # `*` crosses `/`
        ("path:*triage*", {"agent/triage", "prompt/triage", "evaluation/triage-eval"}),
        ("path:backlog/*.yml", set()),
        ("path:backlog/prompts/Triage.yaml", set()),  # case-sensitive
    ],
)
def test_path_atoms(project: Project, expr: str, expected: set[str]) -> None:
    assert keys(project, expr) == expected


def test_operators_apply_to_attribute_atoms_too(project: Project) -> None:
    assert keys(project, "+kind:evaluation") == {
        "evaluation/triage-eval",
        "prompt/triage",
        "model/gpt",
        "policy/pii",
    }
    assert keys(project, "tag:pii+1") == {
        "agent/triage",
        "prompt/triage",
        "capability/support",
        "evaluation/triage-eval",
    }


# --- evaluation: set operations ----------------------------------------------------------


def test_space_is_union(project: Project) -> None:
    assert keys(project, "prompt/summarize+ kind:tool") == {"prompt/summarize", "tool/search"}


def test_comma_is_intersection(project: Project) -> None:
    assert keys(project, "kind:prompt,status:ready") == {"prompt/triage"}
    assert keys(project, "model/gpt+,kind:prompt,tag:pii") == {"prompt/triage"}
    assert keys(project, "kind:prompt,kind:tool") == set()


def test_several_selects_are_a_union(project: Project) -> None:
    assert keys(project, "kind:tool", "kind:policy", "tool/search") == {"tool/search", "policy/pii"}


def test_exclude_subtracts(project: Project) -> None:
    assert keys(project, "model/gpt+", excludes=("kind:prompt", "status:ready")) == {
        "model/gpt",
        "agent/triage",
        "evaluation/triage-eval",
    }
    assert keys(project, "model/gpt+", excludes=("prompt/triage+",)) == {
        "model/gpt",
        "prompt/summarize",
    }


def test_exclude_alone_starts_from_everything(project: Project) -> None:
    result = select(project, [], ["kind:prompt model/gpt"])
    assert result is not None
    assert set(result) == ALL - {"prompt/triage", "prompt/summarize", "model/gpt"}
    assert {why.seed for why in result.values()} == {EVERYTHING}


def test_results_are_sorted_by_key(project: Project) -> None:
    result = select(project, ["tag:pii+ +prompt/summarize"])
    assert result is not None
    assert list(result) == sorted(result)


# --- why ---------------------------------------------------------------------------------


def test_why_is_the_seed_and_the_edges_walked(project: Project) -> None:
    result = select(project, ["model/gpt+"])
    assert result is not None
    assert result["model/gpt"].path == ()
    why = result["capability/support"]
    assert why.seed == "model/gpt+"
    assert path_of(why) == [
        ("prompt/triage", "model/gpt", "spec.model"),
        ("agent/triage", "prompt/triage", "spec.prompts"),
        ("capability/support", "agent/triage", "spec.items"),
    ]
    assert result["prompt/summarize"].to_json() == {
        "seed": "model/gpt+",
        "path": [
            {"from": "prompt/summarize", "to": "model/gpt", "relation": "spec.model", "range": "^1"}
        ],
    }


def test_upstream_why_walks_references(project: Project) -> None:
    result = select(project, ["+capability/support"])
    assert result is not None
    assert path_of(result["policy/pii"]) == [
        ("capability/support", "agent/triage", "spec.items"),
        ("agent/triage", "prompt/triage", "spec.prompts"),
        ("prompt/triage", "policy/pii", "safety.policies"),
    ]


def test_intersection_keeps_the_why_of_the_first_walk(project: Project) -> None:
    result = select(project, ["kind:agent,model/gpt+,agent/triage+"])
    assert result is not None
    assert result["agent/triage"].seed == "model/gpt+"
    assert path_of(result["agent/triage"]) == [
        ("prompt/triage", "model/gpt", "spec.model"),
        ("agent/triage", "prompt/triage", "spec.prompts"),
    ]
    plain = select(project, ["status:ready,kind:prompt"])
    assert plain == {"prompt/triage": Why("prompt/triage", "status:ready")}


def test_union_keeps_the_shortest_path_then_the_first(project: Project) -> None:
    result = select(project, ["model/gpt+ +tool/search agent/triage+"])
    assert result is not None
    assert result["agent/triage"] == Why("agent/triage", "agent/triage+")
    assert result["capability/support"].seed == "agent/triage+"
    assert len(result["capability/support"].path) == 1
    assert result["prompt/triage"].seed == "model/gpt+"
    tied = select(project, ["kind:agent", "tag:core"])
    assert tied == {"agent/triage": Why("agent/triage", "kind:agent")}


# --- changed -----------------------------------------------------------------------------


def test_changed(project: Project) -> None:
    changed = {"prompt/summarize", "prompt/triage", "prompt/deleted"}
    result = select(project, ["changed"], changed=changed)
    assert result is not None
    assert set(result) == {"prompt/summarize", "prompt/triage"}  # a removed item is no item
    assert select(project, ["changed"], changed=set()) == {}


def test_changed_downstream_and_upstream(project: Project) -> None:
    def run(expr: str) -> set[str]:
        result = select(project, [expr], changed={"prompt/summarize", "tool/search"})
        assert result is not None
        return set(result)

    assert run("changed+") == {
        "prompt/summarize",
        "tool/search",
        "agent/triage",
        "capability/support",
    }
    assert run("+changed") == {"prompt/summarize", "tool/search", "model/gpt"}
    assert run("1+changed+1") == {"prompt/summarize", "tool/search", "model/gpt", "agent/triage"}
    result = select(project, ["changed+"], changed={"model/gpt"})
    assert result is not None
    assert path_of(result["evaluation/triage-eval"]) == [
        ("prompt/triage", "model/gpt", "spec.model"),
        ("evaluation/triage-eval", "prompt/triage", "spec.targets"),
    ]


def test_changed_without_a_base_is_a_usage_error(project: Project) -> None:
    with pytest.raises(BacklogError, match=r"^--exclude \"changed\+\": .*pass `--base REF`"):
        select(project, ["kind:prompt"], ["changed+"])
    assert select(project, ["kind:tool"]) is not None  # no `changed`, no base needed


def test_needs_changed() -> None:
    assert needs_changed(["kind:prompt", "1+changed"])
    assert needs_changed([], ["tag:x,changed"])
    assert not needs_changed(["kind:prompt prompt/changed"], ["tag:changed"])
    with pytest.raises(SelectorError):
        needs_changed(["tag:"])


# --- unknown items -----------------------------------------------------------------------


def test_unknown_item_with_did_you_mean_and_column(project: Project) -> None:
    with pytest.raises(SelectorError) as caught:
        select(project, ["kind:tool 2+prompt/traige+1"])
    assert str(caught.value) == (
        '--select "kind:tool 2+prompt/traige+1": unknown item `prompt/traige` at column 13; '
        "did you mean `prompt/triage`?"
    )
    assert caught.value.column == 13


def test_unknown_item_without_a_close_match(project: Project) -> None:
    with pytest.raises(SelectorError) as caught:
        select(project, [], ["dataset/zzz"])
    assert str(caught.value) == (
        '--exclude "dataset/zzz": unknown item `dataset/zzz` at column 1; '
        "`backlog list` shows the items"
    )


def test_dangling_reference_target_is_not_selectable(project: Project) -> None:
    with pytest.raises(SelectorError, match="unknown item `prompt/missing`"):
        select(project, ["prompt/missing"])


def test_unknown_item_is_reported_inside_an_empty_intersection(project: Project) -> None:
    with pytest.raises(SelectorError, match="unknown item `tool/serch`"):
        select(project, ["kind:prompt,tool/serch"])
