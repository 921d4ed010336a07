"""Loki ruler: recording rules for the spec's log counters, computed from the logs Loki stores.

The language has no log-based alert yet: alerts read metrics, and counters read from logs reach
Prometheus through the log agent's /metrics. These LogQL recording rules let Loki's ruler compute
the same per-second rates without the agent's counters (remote-written to Prometheus or Mimir by
the ruler), e.g. when the logs are shipped by an agent that has no metrics stage. They are rates,
not counters: indicators keep reading the agent's counter (docs/output.md).
"""

from __future__ import annotations

from typing import Any

from generator import conventions as conv
from generator import logql
from generator.model import Model
from generator.model.durations import format_duration
from generator.targets import Output

RATE_WINDOW = "1m"


def record_name(metric: str, by: tuple[str, ...]) -> str:
    base = metric.removesuffix("_total")
    return f"{conv.record_level(by)}:{base}:rate{RATE_WINDOW}"


def render(model: Model) -> list[Output]:
    assert model.output is not None
    logs = model.logs
    rulers = model.output.rulers
    rules: list[dict[str, Any]] = []
    for source in logs.loki_sources() if logs is not None else ():
        for c in source.counters:
            rules.append(
                {
                    "record": record_name(c.metric.name, tuple(f.name for f in c.by)),
                    "expr": logql.counter_rate(source, c, RATE_WINDOW),
                    "labels": {conv.SERVICE_LABEL: model.service.name},
                }
            )
    if not rules:
        return []
    interval = format_duration(model.prometheus.evaluation_interval_ms)
    size = rulers.max_rules_per_group  # records read nothing of each other: any cut is safe
    groups = [
        {
            "name": conv.split_group_name(f"{model.service.name}-logs", i // size + 1)
            if len(rules) > size
            else f"{model.service.name}-logs",
            "interval": interval,
            "rules": rules[i : i + size],
        }
        for i in range(0, len(rules), size)
    ]
    path = conv.loki_rules_path(model.service.name, rulers.loki_namespace)
    return [Output(path, "yaml", {"groups": groups}, model.source)]
