"""Read one result file: refuse what is too large or not UTF-8, detect its format from the
content (unless `--format` names it) and hand it to that format's reader.

Detection looks at the shape, never at the file name: XML is JUnit; a JSON object is
promptfoo's `--output` (`results.results` is a list), an Inspect AI log (`eval` and
`results`/`status`), lm-evaluation-harness output (`results` mapping tasks, with
`n-samples`, `lm_eval_version` or `versions`) or our plain JSON (`metrics` a list); text
whose first line is the `metric,value[,n]` header is our plain CSV.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from backlog_cli.evidence import inspect_log, junit, lm_eval, plain, promptfoo
from backlog_cli.evidence.results import ResultFileError, Results

FORMATS = ("promptfoo", "inspect", "junit", "lm-eval", "plain-json", "plain-csv")
MAX_BYTES = 256 * 1024 * 1024  # a result file larger than this is refused unread

_JSON_READERS: dict[str, Callable[[Any], Results]] = {
    "promptfoo": promptfoo.read,
    "inspect": inspect_log.read,
    "lm-eval": lm_eval.read,
    "plain-json": plain.read_json,
}
_JSON_DETECTORS: tuple[tuple[str, Callable[[Any], bool]], ...] = (
    ("promptfoo", promptfoo.looks_like),
    ("inspect", inspect_log.looks_like),
    ("lm-eval", lm_eval.looks_like),
    ("plain-json", plain.looks_like_json),
)


def read_results(path: Path, fmt: str | None, shown: str) -> tuple[Results, str]:
    """The results in `path` and the sha256 of its bytes; `shown` names it in errors."""
    data = _read_capped(path, shown)
    digest = hashlib.sha256(data).hexdigest()
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise ResultFileError(
            f"{shown}: not UTF-8 (invalid byte at offset {exc.start}); "
            "result files are read as UTF-8"
        ) from None
    text = text.removeprefix("\ufeff")
    try:
        return _parse(text, fmt), digest
    except ResultFileError as exc:
        raise ResultFileError(f"{shown}: {exc}") from None


def _read_capped(path: Path, shown: str) -> bytes:
    try:
        if not path.is_file():
            what = "is a directory" if path.is_dir() else "does not exist"
            raise ResultFileError(f"--from {shown}: {what}; give the result file of one run")
        size = path.stat().st_size
        if size > MAX_BYTES:
            raise ResultFileError(
                f"{shown}: {size} bytes, over the {MAX_BYTES // (1024 * 1024)} MiB limit for "
                "result files; record a run's summary output, not its raw samples"
            )
        with path.open("rb") as handle:
            data = handle.read(MAX_BYTES + 1)  # the file may grow after the stat
    except OSError as exc:
        raise ResultFileError(f"{shown}: cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise ResultFileError(f"{shown}: over the {MAX_BYTES // (1024 * 1024)} MiB limit")
    if not data.strip():
        raise ResultFileError(f"{shown}: empty file; give the result file of one run")
    return data


def _parse(text: str, fmt: str | None) -> Results:
    stripped = text.lstrip()
    if fmt == "junit" or (fmt is None and stripped.startswith("<")):
        return junit.read(text)
    if fmt == "plain-csv" or (fmt is None and plain.looks_like_csv(stripped)):
        return plain.read_csv(text)
    if fmt is None and not stripped.startswith(("{", "[")):
        raise ResultFileError(f"cannot tell the format; {_choices()}")
    data = _json(text)
    if fmt is None:
        fmt = next((name for name, looks in _JSON_DETECTORS if looks(data)), None)
        if fmt is None:
            raise ResultFileError(f"JSON of no known result format; {_choices()}")
    return _JSON_READERS[fmt](data)


def _choices() -> str:
    return f"pass --from-format ({', '.join(FORMATS)}) or see docs/evidence.md"


def _json(text: str) -> Any:
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        at_end = exc.pos >= len(text.rstrip()) or exc.msg.startswith("Unterminated string")
        truncated = " (truncated?)" if at_end else ""
        raise ResultFileError(
            f"not valid JSON{truncated}: line {exc.lineno} column {exc.colno}: {exc.msg}"
        ) from None
    except RecursionError:
        raise ResultFileError("JSON nested too deeply to read") from None
