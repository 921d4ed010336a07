"""One backtest: every alert of the compiled specs run over [start, end] against one Prometheus."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from generator import conventions as conv
from generator.backtest.api import Prometheus, PrometheusError
from generator.backtest.inline import InlineError, Inliner
from generator.backtest.notify import AlertFiring, Notification, labelled, notifications
from generator.backtest.rules import AlertDef, RuleSet, read_rules
from generator.backtest.states import Firing, replay
from generator.model import Model


@dataclass(frozen=True, slots=True)
class AlertOutcome:
    alert: AlertDef
    firings: tuple[Firing, ...]
    notifications: tuple[Notification, ...]
    error: str | None = None  # why this alert could not be backtested

    @property
    def key(self) -> tuple[str, str, str]:
        return self.alert.service, self.alert.name, self.alert.severity


@dataclass
class Outcome:
    start: int
    end: int
    alerts: list[AlertOutcome] = field(default_factory=list)

    @property
    def notifications(self) -> list[Notification]:
        seen: dict[tuple[str, int, tuple[tuple[str, str], ...]], Notification] = {}
        for a in self.alerts:
            for n in a.notifications:
                seen[(n.receiver, n.at, n.alerts)] = n
        return sorted(seen.values(), key=lambda n: (n.at, n.receiver))


def rule_set(models: list[Model], files: dict[str, bytes]) -> RuleSet:
    intervals = {m.service.name: m.prometheus.evaluation_interval_ms // 1000 for m in models}
    rules = [(m.service.name, files[conv.rules_path(m.service.name)]) for m in models]
    return read_rules(rules, intervals)


def _firings(prom: Prometheus, alert: AlertDef, expr: str, start: int, end: int) -> list[Firing]:
    step = alert.interval_s
    warm = start - alert.for_s - alert.keep_firing_for_s - step
    first = warm - warm % step
    last = end - end % step
    series = prom.query_range(expr, first, last, step)
    rule_labels = dict(alert.labels)
    present = [(tuple(sorted({**dict(s.labels), **rule_labels}.items())), s.steps) for s in series]
    found = replay(present, first, last, step, alert.for_s, alert.keep_firing_for_s)
    return [f for f in found if f.start <= end and (f.end is None or f.end > start)]


def run(
    models: list[Model],
    files: dict[str, bytes],
    prom: Prometheus,
    start: int,
    end: int,
    inline: bool = True,
    progress: Callable[[str], None] | None = None,
) -> Outcome:
    """Backtest every alert of MODELS (their generated FILES) over START..END (unix seconds)."""
    rules = rule_set(models, files)
    inliner = Inliner(rules.records if inline else {})
    outcome = Outcome(start, end)
    by_service: dict[str, list[tuple[AlertDef, list[Firing], str | None]]] = {}
    for n, alert in enumerate(rules.alerts, 1):
        if progress is not None:
            progress(f"[{n}/{len(rules.alerts)}] {alert.name}")
        try:
            found = _firings(prom, alert, inliner.expr(alert.expr), start, end)
            by_service.setdefault(alert.service, []).append((alert, found, None))
        except (InlineError, PrometheusError) as exc:
            if isinstance(exc, PrometheusError) and exc.fatal:
                raise
            by_service.setdefault(alert.service, []).append((alert, [], str(exc)))
    for model in models:
        done = by_service.get(model.service.name, [])
        outcome.alerts.extend(_notified(model, done, end))
    return outcome


def _notified(model: Model, done: list[tuple[AlertDef, list[Firing], str | None]], end: int) -> list[AlertOutcome]:
    external = dict(model.prometheus.external_labels)
    tagged: list[AlertFiring] = []
    for alert, found, _ in done:
        for f in found:
            labels = tuple(sorted({**external, **dict(f.labels)}.items()))
            tagged.append(labelled(alert.name, alert.severity, Firing(labels, f.start, f.end)))
    sent = notifications(model.routing, tagged, end) if model.routing is not None else []
    out = []
    for alert, found, error in done:
        key = (alert.name, alert.severity)
        mine = tuple(n for n in sent if key in n.alerts)
        out.append(AlertOutcome(alert, tuple(found), mine, error))
    return out
