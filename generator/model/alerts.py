"""Free-form alerts: conditions no indicator can express, with the data that proves them."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model.indicators import AlertRule


@dataclass(frozen=True, slots=True)
class AlertTest:
    interval_ms: int
    at_ms: int
    firing: tuple[tuple[str, str], ...]
    silent: tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class FreeAlert:
    rule: AlertRule
    test: AlertTest | None
