"""What the classifier reports: one `Change` per semantic difference, each with its level."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from backlog_cli.semver import Level

__all__ = ["Change", "level_of"]


@dataclass(frozen=True, order=True)
class Change:
    """One classified change: its level, the dotted path of the field, and why.

    Changes sort by severity first (`Level` orders none < patch < minor < major), so
    `sorted(changes, reverse=True)` lists the most severe first. A level given by name is
    checked and stored as its `Level`.
    """

    level: Level
    path: str
    reason: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "level", Level.of(self.level))

    def __str__(self) -> str:
        return f"{self.reason} → {self.level}"


def level_of(changes: Iterable[Change]) -> Level:
    """The most severe level among `changes`; "none" when there are none."""
    return max((c.level for c in changes), default=Level.NONE)
