"""Service level objectives: an event-ratio SLI, a target over a window, and the error budget's alerts.

An objective is recorded, not just alerted on: the error ratio over every window the burn-rate
alerts read, the burn rate over each, the budget left over the objective's window and one info
series with the target and window. Dashboards and the alert catalog read these records; the
page and ticket alerts compare them with the workbook's factors.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model.indicators import AlertRule
from generator.model.metrics import Selector
from generator.model.service import Labels


@dataclass(frozen=True, slots=True)
class RatioSli:
    """Events counted by counters: errors are `bad`, or `total - good` when only good events are counted."""

    good: tuple[Selector, ...]
    bad: tuple[Selector, ...]
    total: tuple[Selector, ...]


@dataclass(frozen=True, slots=True)
class LatencySli:
    """Requests of a histogram: good ones are those in the `le` bucket, all of them the `_count`."""

    selector: Selector
    le: str


@dataclass(frozen=True, slots=True)
class UptimeSli:
    """A 0..1 gauge sampled at every scrape (`up`): each sample is an event, 1 - value its error."""

    selector: Selector


Sli = RatioSli | LatencySli | UptimeSli


@dataclass(frozen=True, slots=True)
class RecordingRule:
    record: str
    expr: str
    labels: Labels
    group: str


@dataclass(frozen=True, slots=True)
class BurnWindow:
    """One multi-window condition: burn rate above `factor` over both `long_ms` and `short_ms`."""

    long_ms: int
    short_ms: int
    budget: float  # share of the budget spent within long_ms when the condition starts to hold
    factor: float


@dataclass(frozen=True, slots=True)
class BurnAlert:
    """The page or the ticket alert of an objective: any of its windows fires it."""

    kind: str  # "page" | "ticket"
    windows: tuple[BurnWindow, ...]
    rule: AlertRule


@dataclass(frozen=True, slots=True)
class Objective:
    key: str
    title: str
    description: str
    sli: Sli
    target: float  # share of good events, 0 < target < 1
    window_ms: int
    owner: str | None
    runbook_url: str | None
    labels: Labels  # the objective's own labels, on its alerts and info series
    group: str
    base_window_ms: int
    errors_record: str  # per-second rate of bad events over the base window
    events_record: str  # per-second rate of all events over the base window
    ratio_records: tuple[tuple[int, str], ...]  # (window, record of the error ratio), shortest first
    burn_rate_records: tuple[tuple[int, str], ...]
    budget_remaining_record: str
    info_record: str
    records: tuple[RecordingRule, ...]  # in evaluation order
    page: BurnAlert
    ticket: BurnAlert
    absent: AlertRule

    @property
    def error_budget(self) -> float:
        return 1.0 - self.target

    def alert_rules(self) -> tuple[AlertRule, ...]:
        # The ticket before the page it is inhibited by: see Model.alert_rules.
        return (self.ticket.rule, self.page.rule, self.absent)

    def ratio_record(self, window_ms: int) -> str:
        return dict(self.ratio_records)[window_ms]

    def burn_rate_record(self, window_ms: int) -> str:
        return dict(self.burn_rate_records)[window_ms]
