"""Indicators: a value computed from metrics, recorded once, alerted on at each threshold."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model.metrics import Selector
from generator.model.service import Labels, Severity


@dataclass(frozen=True, slots=True)
class RawQuery:
    expr: str


@dataclass(frozen=True, slots=True)
class RateQuery:
    """rate() or increase() of one counter."""

    selector: Selector
    function: str
    window_ms: int


@dataclass(frozen=True, slots=True)
class RatioQuery:
    numerators: tuple[Selector, ...]
    denominators: tuple[Selector, ...]
    function: str
    window_ms: int


@dataclass(frozen=True, slots=True)
class QuantileQuery:
    selector: Selector
    q: float
    window_ms: int


@dataclass(frozen=True, slots=True)
class GaugeQuery:
    selector: Selector
    aggregate: str


Query = RawQuery | RateQuery | RatioQuery | QuantileQuery | GaugeQuery


@dataclass(frozen=True, slots=True)
class AlertRule:
    """One Prometheus alert, everything resolved: the targets only serialise it."""

    name: str
    expr: str
    for_ms: int
    severity: Severity
    labels: Labels
    annotations: Labels
    group: str
    compliance: tuple[str, ...] = ()  # control IDs (SOC2-CC6.2, ...) the alert is evidence for


@dataclass(frozen=True, slots=True)
class Threshold:
    severity: Severity
    value: float
    op: str
    alert: AlertRule


@dataclass(frozen=True, slots=True)
class Indicator:
    key: str
    title: str
    query: Query
    expr: str
    by: tuple[str, ...]
    record: str
    unit: str
    direction: str
    inclusive: bool
    thresholds: tuple[Threshold, ...]  # most severe first
    absent: AlertRule | None
    group: str
    compliance: tuple[str, ...]
