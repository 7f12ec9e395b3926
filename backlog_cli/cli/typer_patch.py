"""A patch of typer internals that keeps pydantic out of `--help`, `--version` and completion.

Why it is needed: typer (0.29.2 installed when this was written; `typer._coercion`) coerces
every parameter's value through a pydantic `TypeAdapter` that `_TyperParameter.
get_runtime_param` builds the first time the parameter is processed, even when there is no
value to coerce. So a command's `--help`, the group's flags and every completion request
imported pydantic (~50 ms), and every `check` built ~20 TypeAdapters (~100 ms of a 0.5 s
warm run).

When it can go: once typer builds the adapter lazily (only for a value that needs one) or
coerces plain `str`/`bool`/`Path` values without pydantic. Delete this module and its
import in `cli/__init__.py`, then run tests/test_cli.py: its "stay light" tests (they skip
while `COERCION_DEFERRED` is False) say whether pydantic still loads.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any


def defer_coercion() -> bool:
    """Defer typer's pydantic adapter until a value needs one.

    An unset value passes through, and the plain types this CLI uses (str, bool, Path,
    lists of them) get exactly what typer's own converters give, without pydantic. Returns
    whether the hook is in place (with a typer that lacks these internals nothing changes).
    """
    try:
        from typer.core import _TyperParameter
    except ImportError:  # pragma: no cover - another typer
        return False
    build = getattr(_TyperParameter, "get_runtime_param", None)
    if build is None or getattr(build, "_deferred", False):  # pragma: no cover
        return build is not None

    coerce_cli_path: Any
    try:
        from typer._param_types import coerce_cli_path
    except ImportError:  # pragma: no cover - another typer: paths go through pydantic
        coerce_cli_path = None

    missing = object()

    def plain(value: Any, annotation: Any, param: Any, ctx: Any) -> Any:
        """What typer's own coercion gives for the plain types this CLI uses (str, bool,
        Path and lists of them, with no parser), without pydantic; `missing` otherwise."""
        info = param.type_descriptor.parameter_info
        if annotation is str and type(value) is str:
            return value
        if annotation is bool and type(value) is bool:
            return value
        if (
            annotation is Path
            and isinstance(value, str)
            and coerce_cli_path is not None
            and getattr(info, "parser", None) is None
        ):
            return coerce_cli_path(Path(value), info, path_type=Path, param=param, ctx=ctx)
        if getattr(annotation, "__origin__", None) is list and isinstance(value, (list, tuple)):
            (inner,) = annotation.__args__
            out = [plain(v, inner, param, ctx) for v in value]
            if all(v is not missing for v in out):
                return out
        return missing

    class Deferred:
        def coerce(self, value: Any, param: Any, ctx: Any) -> Any:
            if value is None:
                return () if (param.multiple or param.nargs == -1) else None
            done = plain(value, param.type_descriptor.annotation, param, ctx)
            if done is not missing:
                return done
            return original(param).coerce(value, param=param, ctx=ctx)

    deferred = Deferred()
    original: Any = build

    def get_runtime_param(self: Any) -> Any:
        if self._runtime_param is None:
            return deferred
        return self._runtime_param

    get_runtime_param._deferred = True  # type: ignore[attr-defined]
    _TyperParameter.get_runtime_param = get_runtime_param  # type: ignore[method-assign]
    return True


COERCION_DEFERRED = defer_coercion()
