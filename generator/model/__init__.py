"""The model: immutable, every default resolved, no reference back to the raw spec."""

from __future__ import annotations

from dataclasses import dataclass

from generator.model.alerts import FreeAlert
from generator.model.indicators import AlertRule, Indicator
from generator.model.metrics import Metric
from generator.model.objectives import Objective
from generator.model.service import PrometheusServer, RuleGroup, Service, Severity


@dataclass(frozen=True, slots=True)
class Model:
    source: str
    service: Service
    prometheus: PrometheusServer
    severities: tuple[Severity, ...]
    metrics: tuple[Metric, ...]
    groups: tuple[RuleGroup, ...]
    indicators: tuple[Indicator, ...]
    alerts: tuple[FreeAlert, ...]
    objectives: tuple[Objective, ...] = ()

    def alert_rules(self) -> tuple[AlertRule, ...]:
        """Every alert the model defines, in output order."""
        out: list[AlertRule] = []
        for ind in self.indicators:
            out.extend(t.alert for t in ind.thresholds)
            if ind.absent is not None:
                out.append(ind.absent)
        for o in self.objectives:
            out.extend(o.alert_rules())
        out.extend(a.rule for a in self.alerts)
        return tuple(out)
