"""Metrics the service exposes and the selectors indicators read them through."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

_MATCH_OPS = {"eq": "=", "ne": "!=", "match": "=~", "not_match": "!~"}


@dataclass(frozen=True, slots=True)
class Metric:
    key: str
    name: str
    type: str
    help: str
    labels: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Matcher:
    label: str
    op: str  # one of = != =~ !~
    value: str


@dataclass(frozen=True, slots=True)
class Selector:
    metric: Metric
    matchers: tuple[Matcher, ...]


def matchers(raw_filter: dict[str, Any] | None) -> tuple[Matcher, ...]:
    """A selector's `filter` (label -> value or {op: value}) as matchers, sorted by label."""
    out = []
    for label, m in sorted((raw_filter or {}).items()):
        if isinstance(m, str):
            out.append(Matcher(label, "=", m))
        else:
            ((op, value),) = m.items()
            out.append(Matcher(label, _MATCH_OPS[op], value))
    return tuple(out)
