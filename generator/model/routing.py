"""Alertmanager routing: who is told about which alert, when, and what silences what.

The route tree is kept in the model with Alertmanager's own semantics (`resolve`), so the routing
test table and the alert catalog ask the model which receivers an alert reaches, and the tests
prove the model right with `amtool config routes test` on the generated file.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache

from generator.model.indicators import AlertRule
from generator.model.promql import quote


@dataclass(frozen=True, slots=True)
class Fields:
    """An immutable mapping of configuration fields; values are scalars, tuples or nested Fields."""

    items: tuple[tuple[str, object], ...]

    def get(self, key: str) -> object:
        return dict(self.items).get(key)


@lru_cache(maxsize=4096)
def _anchored(pattern: str) -> re.Pattern[str]:
    return re.compile(f"(?:{pattern})\\Z", re.DOTALL)


@dataclass(frozen=True, slots=True)
class LabelMatcher:
    label: str
    op: str  # "=", "!=", "=~", "!~"
    value: str

    def text(self) -> str:
        """Alertmanager's matcher syntax, with the value quoted so no character can break out."""
        return f"{self.label}{self.op}{quote(self.value)}"

    def matches(self, labels: Mapping[str, str]) -> bool:
        actual = labels.get(self.label, "")
        hit = actual == self.value if self.op in ("=", "!=") else _anchored(self.value).match(actual) is not None
        return hit if self.op in ("=", "=~") else not hit


def any_of(label: str, values: tuple[str, ...]) -> LabelMatcher:
    """Equality for one value, an escaped regular-expression alternation for several."""
    if len(values) == 1:
        return LabelMatcher(label, "=", values[0])
    return LabelMatcher(label, "=~", "|".join(re.escape(v) for v in values))


@dataclass(frozen=True, slots=True)
class Timing:
    group_by: tuple[str, ...] | None
    group_wait_ms: int | None
    group_interval_ms: int | None
    repeat_interval_ms: int | None

    def intervals(self) -> tuple[tuple[str, int], ...]:
        """The intervals this route sets, by their Alertmanager names, in Alertmanager's order."""
        named = (
            ("group_wait", self.group_wait_ms),
            ("group_interval", self.group_interval_ms),
            ("repeat_interval", self.repeat_interval_ms),
        )
        return tuple((name, ms) for name, ms in named if ms is not None)


@dataclass(frozen=True, slots=True)
class Route:
    matchers: tuple[LabelMatcher, ...]
    receiver: str
    continue_: bool
    timing: Timing
    mute: tuple[str, ...]
    active: tuple[str, ...]
    routes: tuple[Route, ...]
    origin: str  # what made the route: "root", "spec", "escalation"

    def matches(self, labels: Mapping[str, str]) -> bool:
        return all(m.matches(labels) for m in self.matchers)

    def resolve(self, labels: Mapping[str, str]) -> tuple[str, ...]:
        """The receivers Alertmanager notifies for these labels, in its order (depth first)."""
        found: list[str] = []
        for child in _candidates(self, labels):
            if child.matches(labels):
                found.extend(child.resolve(labels))
                if not child.continue_:
                    break
        return tuple(found) or (self.receiver,)


# Children of routes with many of them, indexed by one equality matcher each, so resolving an alert
# against a tree of thousands of routes does not try every route. Keyed by id(): routes are
# immutable and live as long as their model.
_INDEX: dict[int, tuple[Route, list[int], dict[str, dict[str, list[int]]]]] = {}
_INDEX_FROM = 16


def _candidates(route: Route, labels: Mapping[str, str]) -> tuple[Route, ...] | list[Route]:
    """The children that can match, in order; the others have an equality matcher the labels fail."""
    children = route.routes
    if len(children) < _INDEX_FROM:
        return children
    entry = _INDEX.get(id(route))
    if entry is None or entry[0] is not route:
        always: list[int] = []
        by_label: dict[str, dict[str, list[int]]] = {}
        for i, child in enumerate(children):
            eq = next((m for m in child.matchers if m.op == "="), None)
            if eq is None:
                always.append(i)
            else:
                by_label.setdefault(eq.label, {}).setdefault(eq.value, []).append(i)
        entry = _INDEX[id(route)] = (route, always, by_label)
    _, always, by_label = entry
    picked = list(always)
    for label, values in by_label.items():
        picked.extend(values.get(labels.get(label, ""), ()))
    return [children[i] for i in sorted(picked)]


@dataclass(frozen=True, slots=True)
class Integration:
    kind: str  # slack, pagerduty, email, webhook, ...: Alertmanager's `<kind>_configs`
    config: Fields


@dataclass(frozen=True, slots=True)
class Receiver:
    name: str
    description: str
    integrations: tuple[Integration, ...]


@dataclass(frozen=True, slots=True)
class InhibitRule:
    source: tuple[LabelMatcher, ...]
    target: tuple[LabelMatcher, ...]
    equal: tuple[str, ...]
    origin: str  # "severity" (derived) or "spec"


@dataclass(frozen=True, slots=True)
class TimeInterval:
    name: str
    specs: tuple[Fields, ...]


@dataclass(frozen=True, slots=True)
class EscalationTier:
    name: str
    after_ms: int
    receiver: str


@dataclass(frozen=True, slots=True)
class Routing:
    alertmanager_version: tuple[int, int]
    resolve_timeout_ms: int
    smtp: Fields | None
    slack_api_url_file: str | None
    root: Route
    receivers: tuple[Receiver, ...]
    inhibit_rules: tuple[InhibitRule, ...]
    time_intervals: tuple[TimeInterval, ...]
    tiers: tuple[EscalationTier, ...]
    escalation_match: tuple[LabelMatcher, ...]
    escalated: tuple[AlertRule, ...]  # copies of alerts with a longer `for`, one per tier

    def receivers_for(self, labels: Mapping[str, str]) -> tuple[str, ...]:
        return self.root.resolve(labels)
