"""The bundled example and the benchmark generator produce clean backlogs."""

from __future__ import annotations

import importlib.util
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from types import ModuleType

import pytest

from tests.conftest import run_cli

REPO = Path(__file__).resolve().parent.parent


def test_example_backlog_is_clean_and_covers_every_kind() -> None:
    result = run_cli("check", "--root", str(REPO / "examples" / "support-copilot"))
    assert result.returncode == 0, result.stdout
    assert result.stdout.endswith("items checked: no problems\n")
    listed = run_cli("list", "--root", str(REPO / "examples" / "support-copilot"))
    kinds = {line.split("/")[0] for line in listed.stdout.splitlines()[:-1]}
    assert kinds == {
        "capability",
        "prompt",
        "agent",
        "tool",
        "policy",
        "dataset",
        "model",
        "evaluation",
    }
    assert int(listed.stdout.splitlines()[-1].split()[0]) >= 20


def test_benchmark_generator_makes_a_clean_backlog(tmp_path: Path) -> None:
    subprocess.run(
        [sys.executable, str(REPO / "benchmarks" / "generate.py"), "120", str(tmp_path / "bench")],
        check=True,
        capture_output=True,
    )
    result = run_cli("check", "--root", str(tmp_path / "bench"))
    assert result.returncode == 0, result.stdout
    assert result.stdout == "120 items checked: no problems\n"


def load_bench_run() -> ModuleType:
    """benchmarks/run.py as a module (benchmarks/ is not a package)."""
    name = "benchmarks_run_under_test"
    if name in sys.modules:
        return sys.modules[name]
    spec = importlib.util.spec_from_file_location(name, REPO / "benchmarks" / "run.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module  # dataclasses look their module up while the class is built
    spec.loader.exec_module(module)
    return module


def test_scaling_fit_of_an_exact_line() -> None:
    bench = load_bench_run()
    sizes = [1000, 2000, 5000, 10000]
    fit = bench.fit_line(sizes, [0.25 + 0.0002 * n for n in sizes])
    assert fit.a == pytest.approx(0.25)
    assert fit.b == pytest.approx(0.0002)
    assert fit.r2 == pytest.approx(1.0)
    flat = bench.fit_line([1, 2, 3], [5.0, 5.0, 5.0])
    assert (flat.b, flat.r2) == (pytest.approx(0.0), 1.0)
    noisy = bench.fit_line([1, 2, 3, 4], [1.0, 3.0, 2.0, 4.0])
    assert 0.0 < noisy.r2 < 1.0
    with pytest.raises(ValueError):
        bench.fit_line([1000], [0.3])
    with pytest.raises(ValueError):
        bench.fit_line([1000, 1000], [0.3, 0.4])


def test_scaling_ratios_tell_linear_from_superlinear() -> None:
    bench = load_bench_run()
    sizes = [1000, 2000, 5000, 10000]
    linear = [0.3 + 0.0001 * n for n in sizes]  # start-up + linear: per-item cost falls
    assert bench.per_item_ratio(sizes, linear) < 1
    assert bench.marginal_ratio(sizes, linear) == pytest.approx(1.0)
    assert bench.verdict(bench.per_item_ratio(sizes, linear), 1.0) == "linear or better"
    quadratic = [1e-8 * n * n for n in sizes]
    assert bench.per_item_ratio(sizes, quadratic) == pytest.approx(10.0)
    verdict = bench.verdict(10.0, bench.marginal_ratio(sizes, quadratic))
    assert verdict.startswith("superlinear")
    # start-up hides a mild quadratic term in the per-item ratio; the marginal ratio shows it
    hidden = [0.5 + 0.00005 * n + 1e-8 * n * n for n in sizes]
    assert bench.per_item_ratio(sizes, hidden) < 1.1
    assert "superlinear term" in bench.verdict(
        bench.per_item_ratio(sizes, hidden), bench.marginal_ratio(sizes, hidden)
    )
    assert bench.nice_ticks(50000) == [0, 10000, 20000, 30000, 40000, 50000]
    assert bench.nice_ticks(0.37)[-1] == pytest.approx(0.4)


def test_benchmark_scaling_mode_end_to_end(tmp_path: Path) -> None:
    svg, raw = tmp_path / "x.svg", tmp_path / "x.json"
    proc = subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "run.py"),
            "--scaling",
            "40,20",
            "--runs",
            "1",
            "--work",
            str(tmp_path / "work"),
            "--svg",
            str(svg),
            "--json",
            str(raw),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=120,
    )
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    rows = [line for line in out.splitlines() if line.startswith("| ") and "items |" not in line]
    assert [row.split("|")[1].strip() for row in rows] == ["20", "40"]  # sorted
    assert all("n/a" not in row for row in rows)
    for label in ("cold", "warm", "one changed", "peak RSS"):
        assert any(
            line.startswith(f"- {label}: fit ") and "R² = " in line for line in out.splitlines()
        ), out
    chart = out.split("```\n")[1]
    assert "C" in chart and "W" in chart and "items" in chart
    assert all(len(line) <= 80 for line in chart.splitlines())
    assert "check-jsonschema" not in out  # no peer in this mode

    root = ET.parse(svg).getroot()
    ns = "{http://www.w3.org/2000/svg}"
    assert root.tag == f"{ns}svg"
    groups = root.findall(f"{ns}g[@class='series']")
    assert sorted(g.get("data-series", "") for g in groups) == ["cold", "one-changed", "warm"]
    assert all(len(g.findall(f"{ns}polyline")) == 1 for g in groups)
    assert len(root.findall(f".//{ns}polyline")) == 3
    title = root.find(f"{ns}text")
    assert title is not None and title.text and "backlog" in title.text

    data = json.loads(raw.read_text(encoding="utf-8"))
    assert data["mode"] == "scaling"
    assert [p["size"] for p in data["points"]] == [20, 40]
    for point in data["points"]:
        series = {f["series"]: f for f in point["figures"]}
        assert set(series) == {"cold", "warm", "one-changed", "rss"}
        assert all(len(f["backlog"]) == 1 and f["peer"] == [] for f in series.values())
    assert set(data["series"]) == {"cold", "warm", "one-changed", "rss"}
    assert data["series"]["cold"]["fit"]["r2"] == pytest.approx(1.0)  # two points: exact
