"""Find and validate the configuration: `backlog.yaml` or `[tool.backlog]` in pyproject.toml."""

from __future__ import annotations

import datetime
import re
import sys
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, NoReturn

from backlog_cli.errors import BacklogError
from backlog_cli.loader import Document, Limits, LoadError, load_file
from backlog_cli.paths import relpath
from backlog_cli.readiness import Rules, parse_config
from backlog_cli.suggest import did_you_mean
from backlog_cli.vocab import GATED, KINDS, RANK

CONFIG_NAME = "backlog.yaml"
SEVERITIES = ("error", "warning", "off")
KEYS = ("items", "exclude", "base", "rules", "readiness", "waivers", "limits", "evidence")
EVIDENCE_KEYS = ("folder", "gate")
LIMIT_KEYS = tuple(f.name for f in fields(Limits))


@dataclass(frozen=True)
class Config:
    """Where the backlog is and how to check it. Paths are absolute."""

    project_root: Path  # folder of the config file (or the git root / cwd without one)
    repo_root: Path  # git work tree root, else project_root: diagnostics are relative to it
    source: Path | None
    items: Path
    exclude: tuple[str, ...] = ()
    base: str | None = None
    rules: dict[str, str] = field(default_factory=dict)
    readiness_rules: Rules = field(default_factory=Rules)
    waivers: tuple[Waiver, ...] = ()
    limits: Limits = field(default_factory=Limits)
    # `evidence.folder`, absolute; `evidence.gate`: kind -> the status the gate holds from
    # (None: the kind is not gated)
    evidence_folder: Path | None = None
    evidence_gate: dict[str, str | None] = field(
        default_factory=lambda: dict.fromkeys(KINDS, "done")
    )

    @property
    def evidence_dir(self) -> Path:
        return self.evidence_folder or self.project_root / "evidence"

    def gated(self, kind: str | None, status: str | None) -> bool:
        """Whether the `evidence` rule holds an item of `kind` at `status`."""
        start = self.evidence_gate.get(kind or "")
        return (
            start is not None
            and status in RANK
            and status != "deprecated"
            and RANK[status] >= RANK[start]
        )

    @property
    def source_rel(self) -> str:
        """The config file relative to the repository root (where waiver findings point)."""
        if self.source is None:
            return CONFIG_NAME
        return relpath(self.source, self.repo_root)


@dataclass(frozen=True)
class Waiver:
    """`{rule, item, reason, expires, approved_by}`: suppresses one rule on one item."""

    rule: str
    item: str
    reason: str
    expires: datetime.date
    approved_by: str | None
    line: int
    column: int


def find_git_root(start: Path) -> Path | None:
    for folder in (start, *start.parents):
        if (folder / ".git").exists():
            return folder
    return None


def _pyproject_has_table(path: Path) -> bool:
    try:
        return "[tool.backlog" in path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return False


def find_config_file(start: Path) -> Path | None:
    """The nearest `backlog.yaml` or pyproject.toml with `[tool.backlog]`, walking up."""
    for folder in (start, *start.parents):
        candidate = folder / CONFIG_NAME
        if candidate.is_file():
            return candidate
        pyproject = folder / "pyproject.toml"
        if pyproject.is_file() and _pyproject_has_table(pyproject):
            return pyproject
    return None


def load_config(root: Path | None = None, cwd: Path | None = None) -> Config:
    """The config for `--root DIR` (looked for in DIR only) or found from `cwd` upwards."""
    if root is not None:
        given = root
        root = root.resolve()
        if not root.is_dir():
            raise BacklogError(f"--root {given}: not a directory")
        source: Path | None = root / CONFIG_NAME
        assert source is not None
        if not source.is_file():
            pyproject = root / "pyproject.toml"
            source = pyproject if pyproject.is_file() and _pyproject_has_table(pyproject) else None
        project_root = root
    else:
        start = (cwd or Path.cwd()).resolve()
        source = find_config_file(start)
        project_root = source.parent if source is not None else find_git_root(start) or start
    repo_root = find_git_root(project_root) or project_root
    raw: dict[str, Any] = {}
    where: Any = None
    if source is not None:
        # errors name the file as findings do: relative to the repository root
        shown = relpath(source, repo_root)
        if source.name == "pyproject.toml":
            raw = _read_pyproject(source, shown)
        else:
            raw, where = _read_yaml(source, shown)
    return _validate(raw, source, where, project_root, repo_root)


def _read_yaml(path: Path, shown: str) -> tuple[dict[str, Any], Document | None]:
    loaded = load_file(path, path.name)
    if isinstance(loaded, LoadError):
        if loaded.message == "empty file":
            return {}, None
        hint = f"; {loaded.hint}" if loaded.hint else ""
        raise BacklogError(f"{shown}:{loaded.line}:{loaded.column}: {loaded.message}{hint}")
    return loaded.data, loaded


def _read_pyproject(path: Path, shown: str) -> dict[str, Any]:
    if sys.version_info >= (3, 11):
        import tomllib
    else:  # pragma: no cover
        import tomli as tomllib  # type: ignore[import-not-found,unused-ignore]
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise BacklogError(f"{shown}: cannot read [tool.backlog]: {exc}") from exc
    table = data.get("tool", {}).get("backlog", {})
    if not isinstance(table, dict):
        raise BacklogError(f"{shown}: [tool.backlog] must be a table")
    return table


_ITEM_KEY = re.compile(r"^[a-z]+/[a-z0-9]([a-z0-9._-]{0,62}[a-z0-9])?$")
_WAIVER_KEYS = ("rule", "item", "reason", "expires", "approved_by")


def _waivers(raw: Any, v: _Validator, rule_ids: tuple[str, ...]) -> tuple[Waiver, ...]:
    if not isinstance(raw, list):
        v.fail(("waivers",), "must be a list of {rule, item, reason, expires, approved_by}")
    out: list[Waiver] = []
    for index, entry in enumerate(raw):
        where: tuple[str | int, ...] = ("waivers", index)
        if not isinstance(entry, dict):
            v.fail(where, "a waiver is a mapping {rule, item, reason, expires, approved_by}")
        for key in entry:
            if key not in _WAIVER_KEYS:
                v.fail(
                    (*where, key),
                    f"unknown key `{key}`{did_you_mean(str(key), _WAIVER_KEYS)}",
                    at_key=True,
                )
        for key in ("rule", "item", "reason", "expires"):
            if entry.get(key) in (None, ""):
                v.fail(
                    where,
                    f"waiver without `{key}`: every waiver needs rule, item, reason and expires",
                )
        rule = entry["rule"]
        if rule not in rule_ids:
            v.fail((*where, "rule"), f"unknown rule `{rule}`{did_you_mean(str(rule), rule_ids)}")
        item = entry["item"]
        if (
            not isinstance(item, str)
            or not _ITEM_KEY.match(item)
            or item.split("/")[0] not in KINDS
        ):
            v.fail((*where, "item"), f"`{item}` is not an item `kind/id`")
        if not isinstance(entry["reason"], str) or not entry["reason"].strip():
            v.fail((*where, "reason"), "must say why the finding is accepted")
        expires = entry["expires"]
        try:
            expiry = datetime.date.fromisoformat(str(expires))
        except ValueError:
            v.fail((*where, "expires"), f"`{_as_yaml(expires)}` is not a date; write YYYY-MM-DD")
        approved = entry.get("approved_by")
        if approved is not None and not isinstance(approved, str):
            v.fail((*where, "approved_by"), "must be a name")
        line, column = v.doc.locate(where) if v.doc is not None else (1, 1)
        out.append(Waiver(rule, item, entry["reason"], expiry, approved, line, column))
    return tuple(out)


_TOML_SECTION = re.compile(r"^[ \t]*\[\[?[ \t]*tool\.backlog[ \t]*[.\]]", re.M)


def _toml_locate(path: Path, pointer: tuple[str | int, ...], at_key: bool) -> tuple[int, int]:
    """Where `pointer` is written under `[tool.backlog]` (tomllib keeps no positions): each
    key searched in turn after the previous one, as `key =`, `"key" =` or a table header.
    The value (or, `at_key`, the key) of the last one found; else the table's header."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return 1, 1
    section = _TOML_SECTION.search(text)
    if section is None:
        return 1, 1
    start, found = (
        section.start(),
        section.start() + len(section.group(0)) - len(section.group(0).lstrip()),
    )
    value_at = found
    for key in (k for k in pointer if isinstance(k, str)):
        name = re.escape(key)
        match = re.compile(
            rf"(?:(?<=[\s{{,.\[])|^)(?:\"{name}\"|'{name}'|{name})[ \t]*(=[ \t]*|\])", re.M
        ).search(text, start)
        if match is None:
            break
        start, found, value_at = match.end(), match.start(), match.end()
    offset = found if at_key else value_at
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _as_yaml(value: object) -> str:
    """A value as the user wrote it in YAML (`true`, `null`), not as Python prints it."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


class _Validator:
    def __init__(self, source: Path | None, doc: Document | None, shown: str) -> None:
        self.source = source
        self.doc = doc
        self.shown = shown

    def fail(self, pointer: tuple[str | int, ...], message: str, at_key: bool = False) -> NoReturn:
        dotted = ".".join(str(p) for p in pointer)
        if self.doc is not None and self.source is not None:
            line, column = self.doc.locate(pointer, at_key=at_key)
            where = f"{self.shown}:{line}:{column}"
        elif self.source is not None:
            line, column = _toml_locate(self.source, pointer, at_key)
            where = f"{self.shown}:{line}:{column}"
        else:
            where = "config"
        label = f"`{dotted}`: " if dotted and not at_key else ""
        raise BacklogError(f"{where}: {label}{message}")


def _validate(
    raw: Any, source: Path | None, doc: Document | None, project_root: Path, repo_root: Path
) -> Config:
    from backlog_cli.checks import RULE_IDS

    v = _Validator(source, doc, "" if source is None else relpath(source, repo_root))
    if not isinstance(raw, dict):
        v.fail((), "the config must be a mapping of keys (items, exclude, rules, ...)")
    for key in raw:
        if key not in KEYS:
            v.fail((key,), f"unknown key `{key}`{did_you_mean(str(key), KEYS)}", at_key=True)

    items_value = raw.get("items", "backlog")
    if not isinstance(items_value, str) or not items_value.strip():
        v.fail(("items",), "must be a folder path, e.g. `backlog/`")
    items = (project_root / items_value).resolve()
    if not items.is_relative_to(repo_root.resolve()):
        # `../elsewhere`, an absolute path, or a symlinked folder: no file outside the
        # repository is read (its content would be echoed in findings and reports)
        v.fail(
            ("items",),
            f"the item folder `{items_value}` resolves to {items}, outside the repository "
            f"({repo_root}); keep the items inside it",
        )

    exclude = raw.get("exclude", [])
    if isinstance(exclude, str):
        exclude = [exclude]
    if not isinstance(exclude, list) or not all(isinstance(e, str) for e in exclude):
        v.fail(("exclude",), "must be a list of glob patterns")

    base = raw.get("base")
    if base is not None and (not isinstance(base, str) or not base.strip()):
        v.fail(("base",), "must be a git ref, e.g. `origin/main`")

    rules: dict[str, str] = {}
    rules_raw = raw.get("rules", {}) or {}
    if not isinstance(rules_raw, dict):
        v.fail(("rules",), "must map rule ids to `error`, `warning` or `off`")
    for rule, setting in rules_raw.items():
        if rule not in RULE_IDS:
            v.fail(
                ("rules", rule),
                f"unknown rule `{rule}`{did_you_mean(str(rule), RULE_IDS)}",
                at_key=True,
            )
        if isinstance(setting, dict):
            extra = set(setting) - {"severity"}
            if extra:
                v.fail(("rules", rule), f"unknown key `{sorted(extra)[0]}`; only `severity`")
            setting = setting.get("severity")
        if setting is False:
            setting = "off"
        if setting not in SEVERITIES:
            v.fail(("rules", rule), f"`{_as_yaml(setting)}` is not one of error, warning, off")
        rules[rule] = setting

    readiness = raw.get("readiness", {}) or {}
    if not isinstance(readiness, dict):
        v.fail(("readiness",), "must be a mapping of kind -> status -> requirements")
    readiness_rules = parse_config(readiness, v.fail)
    waivers = _waivers(raw.get("waivers", []) or [], v, RULE_IDS)

    limits_raw = raw.get("limits", {}) or {}
    if not isinstance(limits_raw, dict):
        v.fail(("limits",), f"must be a mapping with {', '.join(LIMIT_KEYS)}")
    limit_values: dict[str, int] = {}
    for key, value in limits_raw.items():
        if key not in LIMIT_KEYS:
            v.fail(
                ("limits", key),
                f"unknown limit `{key}`{did_you_mean(str(key), LIMIT_KEYS)}",
                at_key=True,
            )
        if type(value) is not int or value < 1:
            v.fail(("limits", key), "must be a positive integer")
        limit_values[key] = value
    if limit_values.get("max_depth", 1) > 200:
        v.fail(("limits", "max_depth"), "must be at most 200 (deeper input exhausts the stack)")

    folder, gate = _evidence(raw.get("evidence", {}) or {}, v, project_root, repo_root)
    return Config(
        project_root=project_root,
        repo_root=repo_root,
        source=source,
        items=items,
        exclude=tuple(exclude),
        base=base,
        rules=rules,
        readiness_rules=readiness_rules,
        waivers=waivers,
        limits=Limits(**limit_values),
        evidence_folder=folder,
        evidence_gate=gate,
    )


def _evidence(
    raw: Any, v: _Validator, project_root: Path, repo_root: Path
) -> tuple[Path, dict[str, str | None]]:
    """`evidence: {folder: evidence, gate: {"*": done, prompt: ready, dataset: false}}`: where
    records live, and from which status each kind needs fresh, passing evidence."""
    if not isinstance(raw, dict):
        v.fail(("evidence",), "must be a mapping with `folder` and `gate`")
    for key in raw:
        if key not in EVIDENCE_KEYS:
            v.fail(
                ("evidence", key),
                f"unknown key `{key}`{did_you_mean(str(key), EVIDENCE_KEYS)}",
                at_key=True,
            )
    name = raw.get("folder", "evidence")
    if not isinstance(name, str) or not name.strip():
        v.fail(("evidence", "folder"), "must be a folder path, e.g. `evidence/`")
    folder = (project_root / name).resolve()
    if not folder.is_relative_to(repo_root.resolve()):
        v.fail(("evidence", "folder"), f"`{name}` resolves to {folder}, outside the repository")
    gate_raw = raw.get("gate", {}) or {}
    if not isinstance(gate_raw, dict):
        v.fail(("evidence", "gate"), "must map kinds (or `*`) to a status or `false`")
    gate: dict[str, str | None] = dict.fromkeys(KINDS, "done")
    # `*` first, so that a kind named beside it wins whatever the order written
    for kind, start in sorted(gate_raw.items(), key=lambda kv: kv[0] != "*"):
        where: tuple[str | int, ...] = ("evidence", "gate", kind)
        if kind != "*" and kind not in KINDS:
            v.fail(where, f"unknown kind `{kind}`{did_you_mean(str(kind), KINDS)}", at_key=True)
        if start is not False and start not in GATED:
            v.fail(where, f"`{_as_yaml(start)}` is not one of {', '.join(GATED)} or false")
        for each in KINDS if kind == "*" else (kind,):
            gate[each] = None if start is False else start
    return folder, gate
