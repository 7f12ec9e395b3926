"""`check PATHS` looks only at what it reports on, and reports exactly what a full run would.

A PATHS run (pre-commit) gives the rules a focus: they skip documents, items and references
outside it, and documents restored from the cache's index stay summaries (their data is
parsed only if a rule reads it). Neither shortcut may change a finding: for every path and
for random sets of paths, the findings equal those of a full, unfocused run restricted to
the scope of the paths. The backlog mixes the bundled example with one item per kind of
finding (graph, readiness, versions, dates, secrets, templates, syntax).
"""

from __future__ import annotations

import random
import shutil
from pathlib import Path

import pytest

from backlog_cli.cache import Cache
from backlog_cli.checks import RULE_IDS
from backlog_cli.config import load_config
from backlog_cli.engine import CheckOptions, run_check
from backlog_cli.project import Project, load_project, scan
from backlog_cli.scope import scope
from tests.conftest import item

REPO = Path(__file__).resolve().parent.parent
EXAMPLE = REPO / "examples" / "support-copilot"

TROUBLE: dict[str, str] = {
    # duplicate ids, one in a file that is not the graph's node
    "backlog/trouble/dup-a.yaml": item("model", "dup"),
    "backlog/trouble/dup-b.yaml": item("model", "dup", version="2.0.0"),
    # unknown reference, a renamed target, a bad range and a range that excludes the target
    "backlog/trouble/unknown.yaml": item(
        "prompt", "unknown-ref", spec="model: model/no-such\ninputs: {}"
    ),
    "backlog/trouble/renamed.yaml": item(
        "model", "new-name", extra="renamed_from: [model/old-name]"
    ),
    "backlog/trouble/uses-old.yaml": item(
        "prompt", "uses-old", spec="model: model/old-name\ninputs: {}"
    ),
    "backlog/trouble/range.yaml": item(
        "prompt", "range", spec="model: model/dup@^9\ncontext: [prompt/unknown-ref@>=x]\ninputs: {}"
    ),
    # a cycle of three, entered from outside
    "backlog/trouble/c1.yaml": item("tool", "c1", extra="depends_on: [tool/c2]"),
    "backlog/trouble/c2.yaml": item("tool", "c2", extra="depends_on: [tool/c3]"),
    "backlog/trouble/c3.yaml": item("tool", "c3", extra="depends_on: [tool/c1]"),
    "backlog/trouble/into-cycle.yaml": item("tool", "into", extra="depends_on: [tool/c2]"),
    # status: done on a proposed dependency, and a deprecated dependency
    "backlog/trouble/status.yaml": item(
        "tool", "status", status="done", extra="depends_on: [tool/c1, tool/old]"
    ),
    "backlog/trouble/old.yaml": item("tool", "old", status="deprecated"),
    # a retired model in use, an overdue policy review
    "backlog/trouble/sunset.yaml": item("model", "retired", spec="sunset: 2020-01-01"),
    "backlog/trouble/uses-retired.yaml": item(
        "prompt", "uses-retired", spec="model: model/retired\ninputs: {}"
    ),
    "backlog/trouble/review.yaml": item("policy", "late", spec="review_by: 2020-01-01"),
    # schema, secret and template findings
    "backlog/trouble/schema.yaml": item("dataset", "schema-bad", extra="bogus: [1]"),
    "backlog/trouble/secret.yaml": item(
        "tool", "secret", extra="notes: 'key sk-proj-AbCdEf0123456789AbCdEf0123456789AbCd'"
    ),
    "backlog/trouble/tpl.yaml": item(
        "prompt", "tpl", spec="template_file: tpl.j2\ninputs: {a: {type: string}}"
    ),
    "backlog/trouble/tpl.j2": "{{ a }} {{ b }}",
    "backlog/trouble/missing.yaml": item(
        "prompt", "missing", spec="template_file: ../../../etc/passwd\ninputs: {}"
    ),
    # a done prompt whose evaluation has no evidence record
    "backlog/trouble/unproven.yaml": item("prompt", "unproven", status="done"),
    "backlog/trouble/unproven-eval.yaml": item(
        "evaluation", "unproven-eval", status="in-progress", spec="targets: [prompt/unproven]"
    ),
    # not items at all
    "backlog/trouble/broken.yaml": "kind: [\n",
    "backlog/trouble/list.yaml": "- a\n- b\n",
    "backlog/trouble/nokind.yaml": "apiVersion: backlog/v1\nid: x\n",
}


@pytest.fixture(scope="module")
def backlog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("focus") / "repo"
    shutil.copytree(EXAMPLE, root)
    for name, text in TROUBLE.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


def _files(root: Path) -> list[Path]:
    items = sorted((root / "backlog").rglob("*.yaml"))
    return [*items, root / "backlog/trouble/tpl.j2", *sorted((root / "evals").rglob("*.*"))]


def _project(root: Path, cache_dir: Path | None, lazy: bool) -> Project:
    config = load_config(root)
    cache = Cache(cache_dir, lazy=lazy) if cache_dir is not None else None
    return load_project(config, cache, scan(config))


def _expected(full: Project, paths: tuple[Path, ...]) -> list[object]:
    everything = run_check(full).diagnostics
    in_scope = scope(full, paths)
    assert in_scope is not None
    return sorted(d for d in everything if in_scope.covers(d))


def test_the_backlog_has_every_kind_of_finding(backlog: Path) -> None:
    rules = {d.rule for d in run_check(_project(backlog, None, False)).diagnostics}
    # every rule that a plain `check` runs (the others need a config waiver or `--base`)
    needs_more = {"waiver-expired", "removed-while-referenced"}
    plain = {r for r in RULE_IDS if not r.startswith("version-") or r == "version-constraint"}
    assert plain - needs_more <= rules


@pytest.mark.parametrize("lazy", [False, True], ids=["parsed", "from-index"])
def test_every_single_path_reports_what_a_full_run_reports_there(
    backlog: Path, tmp_path: Path, lazy: bool
) -> None:
    full = _project(backlog, None, False)
    cache_dir = tmp_path / "cache"
    _project(backlog, cache_dir, False)  # fill the index and the data pack
    for path in _files(backlog):
        project = _project(backlog, cache_dir, lazy)
        found = run_check(project, CheckOptions(paths=(path,)))
        assert sorted(found.diagnostics) == _expected(full, (path,)), path
        if lazy:
            # parsed: the items in scope and their direct neighbours (a rule may read the
            # version, status or sunset date of what an item references), nothing else
            in_scope = scope(project, (path,))
            assert in_scope is not None
            graph = project.graph
            near = set(in_scope.items)
            for key in in_scope.items:
                near.update(e.target for e in graph.upstream.get(key, ()))
                near.update(e.source for e in graph.downstream.get(key, ()))
            parsed = {i.key for i in project.items if i.doc.loaded}
            assert parsed <= near, (path, parsed - near)
            assert len(parsed) < len(project.items) / 2, path


def test_random_sets_of_paths_report_what_a_full_run_reports_there(
    backlog: Path, tmp_path: Path
) -> None:
    full = _project(backlog, None, False)
    cache_dir = tmp_path / "cache"
    _project(backlog, cache_dir, False)
    files = _files(backlog)
    rng = random.Random(7)
    for _ in range(25):
        paths = tuple(rng.sample(files, rng.randint(2, 8)))
        project = _project(backlog, cache_dir, True)
        found = run_check(project, CheckOptions(paths=paths))
        assert sorted(found.diagnostics) == _expected(full, paths), paths


def test_selection_focus_reports_what_a_full_run_reports_on_those_items(backlog: Path) -> None:
    full = _project(backlog, None, False)
    everything = run_check(full).diagnostics
    keys = sorted({i.key for i in full.items})
    rng = random.Random(3)
    for _ in range(15):
        chosen = frozenset(rng.sample(keys, rng.randint(1, 6)))
        found = run_check(_project(backlog, None, False), CheckOptions(items=chosen))
        assert sorted(found.diagnostics) == sorted(d for d in everything if d.item in chosen)
