"""Metrics the service exposes and the selectors indicators read them through."""

from __future__ import annotations

from dataclasses import dataclass


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
