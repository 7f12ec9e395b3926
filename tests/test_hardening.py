"""Hostile files under a hard memory limit, and files the tool is not allowed to read.

SPEC §8 / SECURITY.md: bounded work on hostile files (size cap, alias bound, nesting bound,
huge numbers refused), and unreadable files are findings while the rest is still checked.
Both are easy to get right in a test that cannot fail, so these run the real CLI where the
failure is real: under `RLIMIT_AS` (an allocation past the limit raises MemoryError), and
with file permissions that really refuse the read even though CI runs the tests as root.
"""

from __future__ import annotations

import ctypes
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.conftest import git, item, write_backlog

# --- running the CLI under constraints ---------------------------------------------------------


def _cli(
    *args: str, cwd: Path, preexec: Callable[[], None] | None = None
) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "NO_COLOR": "1"}
    env.pop("GITHUB_ACTIONS", None)
    return subprocess.run(
        [sys.executable, "-m", "backlog_cli.cli", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        preexec_fn=preexec,
    )


def _address_space(limit: int) -> Callable[[], None]:
    def apply() -> None:
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))

    return apply


# A plain `backlog check` of a small backlog needs about 50 MiB of address space (measured:
# it fails with MemoryError at 40 MiB and passes at 50 MiB, Python 3.11 with libyaml,
# pydantic-core and jsonschema loaded). 256 MiB leaves five times that, and is far below
# what reading the 50 MB file whole, or expanding the alias bomb, would take.
LIMIT = 256 * 2**20


def _laughs(levels: int = 9) -> str:
    lines = ['a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]']
    names = "abcdefghijklmnop"
    for n in range(1, levels):
        lines.append(f"{names[n]}: &{names[n]} [" + ",".join([f"*{names[n - 1]}"] * 9) + "]")
    return "\n".join(lines) + "\n"


HOSTILE: dict[str, str] = {
    "backlog/laughs.yaml": _laughs(),
    "backlog/laughs-maps.yaml": (
        "a: &a {x: 1, y: 2, z: 3, w: 4, v: 5, u: 6, t: 7, s: 8, r: 9}\n"
        + "".join(
            f"{n}: &{n} {{" + ", ".join(f"k{i}: *{p}" for i in range(9)) + "}\n"
            for p, n in zip("abcdefgh", "bcdefghi", strict=True)
        )
    ),
    "backlog/deep-seq.yaml": "a: " + "[" * 10_000 + "]" * 10_000 + "\n",
    "backlog/deep-map.yaml": "a: " + "{a: " * 10_000 + "1" + "}" * 10_000 + "\n",
    "backlog/deep-block.yaml": "".join(f"{' ' * (2 * n)}k{n}:\n" for n in range(500)),
    "backlog/big-int.yaml": "a: " + "9" * 100_000 + "\n",
    "backlog/big-float.yaml": "a: 1." + "5" * 100_000 + "e99999\n",
    "backlog/big-hex.yaml": "a: 0x" + "f" * 100_000 + "\n",
}
HUGE = "backlog/huge.yaml"  # 50 MB of real bytes, written separately
REFUSED = {  # what the loader refuses, and why (the floats and hex just are not items)
    "backlog/laughs.yaml": "aliases expand to more than 10000 values",
    "backlog/laughs-maps.yaml": "aliases expand to more than 10000 values",
    "backlog/deep-seq.yaml": "nesting",
    "backlog/deep-map.yaml": "nesting deeper than 64 levels",
    "backlog/deep-block.yaml": "nesting deeper than 64 levels",
    "backlog/big-int.yaml": "number too large",
    HUGE: "over the 1048576-byte cap",
}


@pytest.fixture(scope="module")
def hostile_backlog(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = write_backlog(
        tmp_path_factory.mktemp("hostile") / "repo",
        {
            **HOSTILE,
            "backlog/good.yaml": item("model", "m"),
            "backlog/typo.yaml": item("model", "t", extra="statuss: x"),
        },
    )
    with open(root / HUGE, "wb") as handle:
        handle.write(b"description: ")
        chunk = b"x" * 2**20
        for _ in range(50):
            handle.write(chunk)
        handle.write(b"\n")
    return root


def test_a_normal_run_fits_the_limit(tmp_path: Path) -> None:
    """The limit is not what fails the test below: a clean backlog checks fine under it."""
    root = write_backlog(tmp_path / "repo", {"backlog/good.yaml": item("model", "m")})
    result = _cli("check", "--no-cache", cwd=root, preexec=_address_space(LIMIT))
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["no-cache", "cache"])
def test_hostile_files_are_findings_within_a_memory_limit(
    hostile_backlog: Path, cache: list[str]
) -> None:
    result = _cli(
        "check", "--format", "json", *cache, cwd=hostile_backlog, preexec=_address_space(LIMIT)
    )
    assert "MemoryError" not in result.stderr and "Traceback" not in result.stderr
    assert result.returncode == 1, result.stderr
    assert result.stderr == ""
    payload = json.loads(result.stdout)
    found: dict[str, list[dict[str, object]]] = {}
    for d in payload["diagnostics"]:
        found.setdefault(str(d["path"]), []).append(d)
    for path in [*HOSTILE, HUGE]:  # each one is reported
        assert found.get(path), path
        assert {d["rule"] for d in found[path]} <= {"yaml-syntax", "schema"}, found[path]
    for path, words in REFUSED.items():  # and these are refused by the loader, unexpanded
        (finding,) = found[path]
        assert finding["rule"] == "yaml-syntax" and words in str(finding["message"]), finding
    assert [d["rule"] for d in found["backlog/typo.yaml"]] == ["schema"]  # the rest is checked
    assert "backlog/good.yaml" not in found


def _amplified(copies: int, size: int = 500_000) -> str:
    """A valid item whose extension field repeats one big scalar through aliases: under the
    1 MiB size cap and far under the 10,000-alias bound, yet `copies * size` bytes expanded."""
    return item(
        "model",
        "amplified",
        extra=f'x-big: &big "{"x" * size}"\nx-copies: [' + ", ".join(["*big"] * copies) + "]",
    )


def test_an_alias_amplified_scalar_is_refused_by_the_loader(tmp_path: Path) -> None:
    """Few aliases of one long string: the loader bounds the characters aliases expand to
    by the file size cap, so the document never grows past twice its file."""
    root = write_backlog(
        tmp_path / "repo",
        {"backlog/a.yaml": _amplified(2_000), "backlog/ok.yaml": _amplified(1, size=1_000)},
    )
    result = _cli("check", "--no-cache", "--format", "json", cwd=root)
    assert result.returncode == 1, result.stderr
    (finding,) = [
        d for d in json.loads(result.stdout)["diagnostics"] if d["path"].endswith("a.yaml")
    ]
    assert finding["rule"] == "yaml-syntax"
    assert "aliases expand to more than 1048576 characters" in finding["message"]
    assert not any(d["path"].endswith("ok.yaml") for d in json.loads(result.stdout)["diagnostics"])


def test_an_alias_amplified_scalar_does_not_exhaust_memory(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "repo", {"backlog/a.yaml": _amplified(1)})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "base")
    (root / "backlog/a.yaml").write_text(_amplified(2_000), encoding="utf-8")
    for args in (
        ("check",),
        ("show", "model/amplified", "--format", "json"),
        ("diff", "main", "--format", "json"),
    ):
        result = _cli(*args, cwd=root, preexec=_address_space(LIMIT))
        assert "MemoryError" not in result.stderr, args
        if args[0] == "show":  # the file is a yaml-syntax finding: no such item to show
            assert result.returncode == 2 and "unknown item" in result.stderr, result.stderr
        else:
            assert result.returncode in (0, 1), (args, result.stderr)


@pytest.mark.parametrize("number", ["0x" + "f" * 20_000, "0o" + "7" * 20_000])
def test_huge_hex_and_octal_numbers_are_findings(tmp_path: Path, number: str) -> None:
    root = write_backlog(
        tmp_path / "repo",
        {
            "backlog/v.yaml": item("model", "v").replace('"1.0.0"', number),
            "backlog/good.yaml": item("model", "m"),
        },
    )
    result = _cli("check", "--format", "json", "--no-cache", cwd=root)
    assert result.returncode == 1, result.stderr
    (finding,) = json.loads(result.stdout)["diagnostics"]
    assert finding["path"] == "backlog/v.yaml" and len(finding["message"]) < 1000


# --- files the tool may not read ---------------------------------------------------------------
#
# As root (CI containers), chmod 000 stops nothing: root's CAP_DAC_OVERRIDE reads any file.
# The CLI is then started without that capability (dropped from the bounding set before exec,
# so the new process never gets it), or else as the unprivileged uid 65534; not as root, plain
# permissions do it. A probe shows the route really gives EACCES before the test relies on it.

PR_CAPBSET_DROP = 24  # <linux/prctl.h>
CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH = 1, 2  # <linux/capability.h>
NOBODY = 65534


def _without_permission_override() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH):
        if libc.prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def _as_nobody() -> None:
    os.setgroups([])
    os.setgid(NOBODY)
    os.setuid(NOBODY)


def _unprivileged(locked: Path) -> Callable[[], None] | None:
    """How to start a process that gets EACCES on `locked` (None: as we are); skip if none."""
    if os.geteuid() != 0:
        return None
    probe = [sys.executable, "-c", f"open({str(locked)!r}, 'rb')"]
    tried = []
    for name, route in (
        ("without CAP_DAC_OVERRIDE", _without_permission_override),
        (f"as uid {NOBODY}", _as_nobody),
    ):
        try:
            result = subprocess.run(
                probe, preexec_fn=route, capture_output=True, text=True, timeout=60
            )
        except (OSError, subprocess.SubprocessError) as exc:
            tried.append(f"{name}: {exc}")
            continue
        if "PermissionError" in result.stderr:
            return route
        tried.append(f"{name}: {result.stderr.strip()[-120:] or 'the file was readable'}")
    pytest.skip(
        "running as root, and no route to a permission-checked process: " + "; ".join(tried)
    )


@pytest.fixture
def world_readable_tmp() -> Iterator[Path]:
    """A temp folder others can traverse (pytest's are 0700), for the uid-65534 route."""
    folder = Path(tempfile.mkdtemp(prefix="backlog-eacces-", dir="/tmp"))
    folder.chmod(0o755)
    try:
        yield folder
    finally:
        for path in [folder, *folder.rglob("*")]:
            if not path.is_symlink():
                path.chmod(0o755)
        shutil.rmtree(folder)


def _locked_backlog(folder: Path, extra: dict[str, str | bytes] | None = None) -> Path:
    return write_backlog(
        folder / "repo",
        {
            "backlog/a.yaml": item("model", "a"),
            "backlog/b.yaml": item("model", "b", extra="statuss: x"),
            "backlog/locked.yaml": item("model", "locked"),
            **(extra or {}),
        },
    )


@pytest.mark.parametrize("cache", [["--no-cache"], []], ids=["no-cache", "cache"])
def test_an_unreadable_item_file_is_a_finding(world_readable_tmp: Path, cache: list[str]) -> None:
    root = _locked_backlog(world_readable_tmp)
    locked = root / "backlog/locked.yaml"
    locked.chmod(0)
    route = _unprivileged(locked)
    result = _cli("check", "--format", "json", *cache, cwd=root, preexec=route)
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr
    by_path = {d["path"]: d for d in json.loads(result.stdout)["diagnostics"]}
    finding = by_path["backlog/locked.yaml"]
    assert (finding["rule"], finding["severity"], finding["line"], finding["column"]) == (
        "yaml-syntax",
        "error",
        1,
        1,
    )
    assert "cannot read file: Permission denied" in finding["message"]
    # the rest of the backlog is still checked
    assert by_path["backlog/b.yaml"]["rule"] == "schema"
    assert "backlog/a.yaml" not in by_path


def test_an_unreadable_folder_is_a_finding_not_a_silent_pass(world_readable_tmp: Path) -> None:
    root = _locked_backlog(world_readable_tmp, {"backlog/sub/inner.yaml": item("model", "inner")})
    (root / "backlog/sub").chmod(0)
    (root / "backlog/locked.yaml").chmod(0)
    route = _unprivileged(root / "backlog/locked.yaml")
    sub = _cli("check", "--format", "json", "--no-cache", cwd=root, preexec=route)
    paths = {d["path"] for d in json.loads(sub.stdout)["diagnostics"]}
    (root / "backlog").chmod(0)
    everything = _cli("check", "--no-cache", cwd=root, preexec=route)
    assert any(p.startswith("backlog/sub") for p in paths), paths
    assert everything.returncode != 0, everything.stdout


def test_an_unreadable_template_file_says_it_cannot_be_read(world_readable_tmp: Path) -> None:
    root = _locked_backlog(
        world_readable_tmp,
        {
            "backlog/p.yaml": item("prompt", "p", spec="template_file: t.j2\ninputs: {}"),
            "backlog/t.j2": "Hello\n",
        },
    )
    (root / "backlog/t.j2").chmod(0)
    (root / "backlog/locked.yaml").chmod(0)
    route = _unprivileged(root / "backlog/locked.yaml")
    result = _cli("check", "--format", "json", "--no-cache", cwd=root, preexec=route)
    (finding,) = [d for d in json.loads(result.stdout)["diagnostics"] if d["item"] == "prompt/p"]
    assert "UTF-8" not in finding["message"] and "UTF-8" not in (finding["hint"] or "")
    assert "read" in finding["message"]


# --- found by the git fuzzing in tests/test_fuzz.py ---------------------------------------------


def test_history_of_an_item_whose_id_changed_in_place(tmp_path: Path) -> None:
    """The file stays, its id changes, no `renamed_from`: the old item was removed there. It
    used to be `unknown item ... not in the git history of HEAD either` (exit 2)."""
    root = write_backlog(tmp_path / "repo", {"backlog/p.yaml": item("prompt", "old-name")})
    git(root, "init", "-q", "-b", "main")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "add")
    path = root / "backlog/p.yaml"
    path.write_text(item("prompt", "old-name", version="1.1.0"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "bump")
    path.write_text(item("prompt", "new-name", version="1.1.0"), encoding="utf-8")
    git(root, "commit", "-q", "-am", "new id")
    result = _cli("history", "prompt/old-name", "--format", "json", cwd=root)
    assert result.returncode == 0, result.stderr
    entries = json.loads(result.stdout)["entries"]
    assert [(e["subject"], e["version"]) for e in entries] == [
        ("add", "1.0.0"),
        ("bump", "1.1.0"),
        ("new id", None),
    ]
    path.write_text(item("prompt", "newer-name", version="1.1.0"), encoding="utf-8")
    uncommitted = _cli("history", "prompt/new-name", "--format", "json", cwd=root)
    assert uncommitted.returncode == 0, uncommitted.stderr
    assert [e["commit"] is None for e in json.loads(uncommitted.stdout)["entries"]] == [
        False,
        True,
    ]
    unknown = _cli("history", "prompt/never-was", cwd=root)
    assert unknown.returncode == 2 and "not in the git history" in unknown.stderr
