"""What the graph, the scope and the reports need of one item file, without its data.

A summary is computed once from a file's data and kept in the cache's index. A
`check PATH` run (pre-commit) then builds the whole reference graph from the summaries of
10,000 files and parses the data of only the handful of items it reports on.

In the cache a summary is a JSON list; `from_json` accepts only exactly that shape (the cache
folder is untrusted input: anything else is a miss, never a crash).
"""

from __future__ import annotations

from typing import Any, NamedTuple

from backlog_cli.graph import EdgeSpec, edge_specs
from backlog_cli.vocab import FILE_FIELDS, KINDS, Pointer, reference_fields


class Summary(NamedTuple):
    kind: str | None
    id: str | None
    version: str | None
    status: str | None
    renamed_from: tuple[str, ...]  # the string entries of `renamed_from`
    file: str | None  # `spec.template_file` (prompt) or `spec.config` (evaluation), as written
    edges: tuple[EdgeSpec, ...]

    def to_json(self) -> list[Any]:
        """[kind, id, version, status, renamed_from, file, edges]; an edge is [relation,
        list index or null, target kind, target id, range] (the pointer is the relation's
        parts, plus the index for a list entry)."""
        edges = [
            [relation, pointer[-1] if len(pointer) > relation.count(".") + 1 else None, k, i, r]
            for relation, pointer, k, i, r in self.edges
        ]
        return [*self[:4], list(self.renamed_from), self.file, edges]


def _text(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def summarize(data: dict[str, Any]) -> Summary:
    kind = _text(data.get("kind"))
    renamed = data.get("renamed_from")
    spec = data.get("spec")
    field = FILE_FIELDS.get(kind or "")
    file = _text(spec.get(field)) if field and isinstance(spec, dict) else None
    return Summary(
        kind,
        _text(data.get("id")),
        _text(data.get("version")),
        _text(data.get("status")),
        tuple(r for r in renamed if isinstance(r, str)) if isinstance(renamed, list) else (),
        file,
        tuple(edge_specs(kind, data)) if kind in KINDS else (),
    )


_TEXT_OR_NONE = frozenset((str, type(None)))
# the pointer of each reference field, by its relation name (`spec.prompts` -> spec, prompts)
_FIELDS: dict[str, Pointer] = {".".join(map(str, p)): p for k in KINDS for p in reference_fields(k)}


def from_json(value: Any) -> Summary | None:
    """The summary a cache entry holds, or None unless it has exactly the right shape."""
    if type(value) is not list or len(value) != 7:
        return None
    kind, item_id, version, status, renamed, file, edges = value
    text = _TEXT_OR_NONE
    if not (
        type(kind) in text
        and type(item_id) in text
        and type(version) in text
        and type(status) in text
        and type(file) in text
        and type(renamed) is list
        and type(edges) is list
    ):
        return None
    for former in renamed:
        if type(former) is not str:
            return None
    specs: list[EdgeSpec] = []
    fields = _FIELDS
    for edge in edges:
        if type(edge) is not list or len(edge) != 5:
            return None
        relation, index, target_kind, target_id, range_text = edge
        field = fields.get(relation) if type(relation) is str else None
        if not (
            field is not None
            and type(target_kind) is str
            and type(target_id) is str
            and type(range_text) in text
        ):
            return None
        if index is None:
            pointer = field
        elif type(index) is int:
            pointer = (*field, index)
        else:
            return None
        specs.append((relation, pointer, target_kind, target_id, range_text))
    return Summary(kind, item_id, version, status, tuple(renamed), file, tuple(specs))
