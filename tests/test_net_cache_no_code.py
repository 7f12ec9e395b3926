"""A poisoned cache cannot run code: payloads that would leave a sentinel file if anything
executed them, and the run's result afterwards.

The cache folder is writable by anything that can write the repository (a checked-out
branch, a CI artefact restored into place): reading it must never execute what is in it.
"""

from __future__ import annotations

import json
import pickle
import subprocess
import sys
from pathlib import Path

from tests.conftest import item, run_cli, write_backlog

FILES: dict[str, str | bytes] = {
    "backlog/m.yaml": item("model", "m"),
    "backlog/p.yaml": item(
        "prompt", "p", spec="model: model/m\ntemplate_file: t.j2\ninputs: {x: {type: string}}"
    ),
    "backlog/t.j2": "{{ x }}",
}


class _Payload:
    """Unpickling this runs `exec`, which creates `sentinel`."""

    def __init__(self, sentinel: Path) -> None:
        self.sentinel = sentinel

    def __reduce__(self) -> tuple[object, tuple[str]]:
        return (exec, (f"open({str(self.sentinel)!r}, 'w').close()",))


def _live_pickle(sentinel: Path, control: Path) -> bytes:
    """A pickle that creates `sentinel` when loaded, proven live on a twin aimed at `control`
    (loaded in another process, so that this one runs nothing either)."""
    twin = pickle.dumps(_Payload(control))
    subprocess.run(
        [sys.executable, "-c", "import pickle, sys; pickle.loads(sys.stdin.buffer.read())"],
        input=twin,
        check=True,
        timeout=60,
    )
    assert control.exists(), "the payload would not run: the test would prove nothing"
    return pickle.dumps(_Payload(sentinel))


def _checked(root: Path, *args: str) -> dict[str, object]:
    proc = run_cli("check", "--format", "json", *args, cwd=root)
    assert proc.returncode in (0, 1), proc.stderr
    data: dict[str, object] = json.loads(proc.stdout)
    return data


def test_pickled_packs_are_never_unpickled(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    expected = _checked(root, "--no-cache")
    assert _checked(root) == expected  # fills the cache
    folder = root / ".backlog_cache"
    sentinel = tmp_path / "pwned"
    payload = _live_pickle(sentinel, tmp_path / "control")
    packs = [folder / "index.json", folder / "items.json", *folder.glob("results/*.json")]
    assert len(packs) > 2
    for pack in packs:
        pack.write_bytes(payload)
    # ignored as foreign, rebuilt from the files: the right result, and nothing ran
    assert _checked(root) == expected
    assert _checked(root, "backlog/p.yaml") == _checked(root, "--no-cache", "backlog/p.yaml")
    assert not sentinel.exists()
    assert json.loads((folder / "index.json").read_text(encoding="utf-8"))["entries"]


def test_code_shaped_json_entries_are_only_data(tmp_path: Path) -> None:
    root = write_backlog(tmp_path / "r", FILES)
    _checked(root)
    folder = root / ".backlog_cache"
    sentinel = tmp_path / "pwned"
    run = f"open({str(sentinel)!r}, 'w').close()"
    pack_path = folder / "items.json"
    pack = json.loads(pack_path.read_text(encoding="utf-8"))
    for key, data in pack["entries"].items():
        # well-formed item data whose values are what an unsafe loader or a template
        # renderer would execute: a pickle-style reduce, YAML python tags, a jinja expression
        pack["entries"][key] = {
            **data,
            "__reduce__": ["builtins.exec", [run]],
            "py/reduce": [{"py/function": "builtins.exec"}, {"py/tuple": [run]}],
            "description": f"!!python/object/apply:builtins.exec [{run!r}]",
            "tags": ["{{ lipsum.__globals__.os.system('touch " + str(sentinel) + "') }}"],
        }
    pack_path.write_text(json.dumps(pack), encoding="utf-8")
    for stored in folder.glob("results/*.json"):
        stored.unlink()
    poisoned = _checked(root)
    assert not sentinel.exists()
    # the entries are taken as the items' data (the cache trusts its own content keys), so
    # the findings are those of that data: two unknown keys an item, and the strings that
    # look like code are plain text where text is allowed
    found = sorted(
        (d["item"], d["rule"], d["message"])
        for d in poisoned["diagnostics"]  # type: ignore[union-attr]
    )
    assert found == [
        (key, "schema", f"unknown key `{field}`")
        for key in ("model/m", "prompt/p")
        for field in ("__reduce__", "py/reduce")
    ]
    assert not sentinel.exists()
