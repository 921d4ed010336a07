"""Alertmanager's grouping and deduplication, replayed over firings, to count the notifications sent.

Each firing alert is routed by the spec's route tree (continue and nesting as Alertmanager does it)
into the aggregation group of every route it reaches, keyed by the route's `group_by` labels. A group
is first flushed `group_wait` after its first alert arrives and every `group_interval` after that; a
flush notifies when the group holds a firing alert the last notification did not (or, where the
receiver sends resolved messages, a newly resolved one), when every alert of a notified group has
resolved, or when `repeat_interval` has passed (Alertmanager's notify.go `DedupStage.needsUpdate`).
Inhibition is applied at every flush: a target alert is muted while a source alert with equal values
of the `equal` labels fires. Mute and active time intervals are not replayed (see docs/review.md).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from generator.backtest.states import Firing, Labels
from generator.model.routing import InhibitRule, Route, Routing


@dataclass(frozen=True, slots=True)
class AlertFiring:
    """A firing with the alert's full label set (alertname included) and the rule it came from."""

    rule: tuple[str, str]  # (alertname, severity): how the report tells alerts apart
    firing: Firing

    @property
    def labels(self) -> dict[str, str]:
        return dict(self.firing.labels)

    def firing_at(self, t: int) -> bool:
        return self.firing.start <= t and (self.firing.end is None or t < self.firing.end)


@dataclass(frozen=True, slots=True)
class Notification:
    receiver: str
    at: int
    alerts: tuple[tuple[str, str], ...]  # the firing alerts (rule keys) it reported


@dataclass(frozen=True, slots=True)
class _Timing:
    group_by: tuple[str, ...]
    wait: int
    interval: int
    repeat: int


def _routes(route: Route, labels: Mapping[str, str], parent: _Timing, path: str) -> Iterator[tuple[str, str, _Timing]]:
    """(route path, receiver, effective timing) of every route LABELS reach, in Alertmanager's order."""
    t = route.timing
    own = _Timing(
        t.group_by if t.group_by is not None else parent.group_by,
        t.group_wait_ms // 1000 if t.group_wait_ms is not None else parent.wait,
        t.group_interval_ms // 1000 if t.group_interval_ms is not None else parent.interval,
        t.repeat_interval_ms // 1000 if t.repeat_interval_ms is not None else parent.repeat,
    )
    matched = False
    for i, child in enumerate(route.routes):
        if child.matches(labels):
            matched = True
            yield from _routes(child, labels, own, f"{path}/{i}")
            if not child.continue_:
                break
    if not matched:
        yield path, route.receiver, own


def _group_key(labels: Mapping[str, str], group_by: tuple[str, ...]) -> tuple[tuple[str, str], ...]:
    if "..." in group_by:
        return tuple(sorted(labels.items()))
    return tuple((k, labels.get(k, "")) for k in sorted(group_by))


def _inhibited(alert: AlertFiring, at: int, rules: tuple[InhibitRule, ...], firing: list[AlertFiring]) -> bool:
    labels = alert.labels
    for rule in rules:
        if not all(m.matches(labels) for m in rule.target):
            continue
        for source in firing:
            if source is alert or not source.firing_at(at):
                continue
            src = source.labels
            if all(m.matches(src) for m in rule.source) and all(
                src.get(k, "") == labels.get(k, "") for k in rule.equal
            ):
                return True
    return False


@dataclass
class _Group:
    receiver: str
    timing: _Timing
    send_resolved: bool
    alerts: list[AlertFiring] = field(default_factory=list)


def _send_resolved(routing: Routing, receiver: str) -> bool:
    for r in routing.receivers:
        if r.name == receiver:
            return any(bool(i.config.get("send_resolved")) for i in r.integrations)
    return False


def _groups(routing: Routing, firings: list[AlertFiring]) -> list[_Group]:
    root = routing.root.timing
    base = _Timing(
        root.group_by or (),
        (root.group_wait_ms or 30_000) // 1000,
        (root.group_interval_ms or 300_000) // 1000,
        (root.repeat_interval_ms or 14_400_000) // 1000,
    )
    groups: dict[tuple[str, tuple[tuple[str, str], ...]], _Group] = {}
    for alert in firings:
        for path, receiver, timing in _routes(routing.root, alert.labels, base, "root"):
            key = (path, _group_key(alert.labels, timing.group_by))
            if key not in groups:
                groups[key] = _Group(receiver, timing, _send_resolved(routing, receiver))
            groups[key].alerts.append(alert)
    return list(groups.values())


def _flushes(group: _Group, until: int) -> Iterator[int]:
    """Flush times of GROUP up to UNTIL. A group lives from the arrival of an alert until the first flush
    at which all of its alerts have resolved; an alert arriving after that starts a new group."""
    starts = sorted(a.firing.start for a in group.alerts)
    born = starts[0]
    while True:
        t = born + group.timing.wait
        while True:
            if t > until:
                return
            yield t
            if not any(a.firing_at(t) for a in group.alerts if a.firing.start <= t):
                break
            t += group.timing.interval
        later = [s for s in starts if s > t]
        if not later:
            return
        born = later[0]


def notifications(routing: Routing, firings: list[AlertFiring], until: int) -> list[Notification]:
    """Every notification Alertmanager would send for FIRINGS up to UNTIL, in time order."""
    sent: list[Notification] = []
    for group in _groups(routing, firings):
        last_firing: set[int] | None = None
        last_resolved: set[int] = set()
        last_at = 0
        for t in _flushes(group, until):
            arrived = [a for a in group.alerts if a.firing.start <= t]
            active = [a for a in arrived if a.firing_at(t) and not _inhibited(a, t, routing.inhibit_rules, firings)]
            firing = {id(a) for a in active}
            resolved = {id(a) for a in arrived if not a.firing_at(t)}
            if last_firing is None:
                notify = bool(firing)
            elif not firing <= last_firing:
                notify = True
            elif not firing:
                notify = bool(last_firing)
            elif group.send_resolved and not resolved <= last_resolved:
                notify = True
            else:
                notify = t - last_at >= group.timing.repeat
            if notify:
                if firing:
                    sent.append(Notification(group.receiver, t, tuple(sorted({a.rule for a in active}))))
                last_firing, last_resolved, last_at = firing, resolved, t
    return sorted(sent, key=lambda n: (n.at, n.receiver))


def labelled(name: str, severity: str, firing: Firing) -> AlertFiring:
    labels: Labels = tuple(sorted({**dict(firing.labels), "alertname": name}.items()))
    return AlertFiring((name, severity), Firing(labels, firing.start, firing.end))
