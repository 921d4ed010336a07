"""The model: immutable, every default resolved, no reference back to the raw spec."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model.alerts import FreeAlert
from generator.model.dashboards import Dashboards
from generator.model.indicators import AlertRule, Indicator
from generator.model.logs import Logs
from generator.model.metrics import Metric
from generator.model.objectives import Objective
from generator.model.output import Output
from generator.model.routing import Routing
from generator.model.service import PrometheusServer, RuleGroup, Service, Severity


@dataclass(frozen=True, slots=True)
class Model:
    source: str  # what generated files name as their origin (conventions.generated_from), not a path
    service: Service
    prometheus: PrometheusServer
    severities: tuple[Severity, ...]
    metrics: tuple[Metric, ...]
    groups: tuple[RuleGroup, ...]
    indicators: tuple[Indicator, ...]
    alerts: tuple[FreeAlert, ...]
    routing: Routing | None = None
    logs: Logs | None = None
    dashboards: Dashboards | None = None
    objectives: tuple[Objective, ...] = ()
    output: Output | None = None  # None only for models built by hand in tests: plain files

    def alert_rules(self) -> tuple[AlertRule, ...]:
        """Every alert the model defines, in output order.

        An indicator's levels go least severe first. Prometheus sends each rule's alerts right after
        evaluating it, so a more severe sibling reaches Alertmanager after the alert it inhibits
        (and is inhibited before its group waits out) and resolves after it: no moment where the
        less severe alert fires uninhibited because its sibling resolved a few milliseconds sooner.
        """
        out: list[AlertRule] = []
        for ind in self.indicators:
            out.extend(t.alert for t in reversed(ind.thresholds))
            if ind.absent is not None:
                out.append(ind.absent)
        for o in self.objectives:
            out.extend(o.alert_rules())
        out.extend(a.rule for a in self.alerts)
        if self.routing is not None:
            out.extend(self.routing.escalated)
        return tuple(out)
