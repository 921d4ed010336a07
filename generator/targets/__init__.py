"""Targets: pure functions from the model to output documents. Only the writer serialises and writes them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from generator.model import Model


@dataclass(frozen=True, slots=True)
class Output:
    """One file of out/: data to serialise (yaml/json) or finished text, and the spec it came from."""

    path: str
    format: str  # "yaml" | "json" | "text"
    content: Any
    source: str


Target = Callable[[Model], list[Output]]


def all_targets() -> dict[str, Target]:
    from generator.targets import (
        alertmanager,
        alloy,
        catalog,
        filebeat,
        grafana,
        log_queries,
        objective_tests,
        prometheus,
        promtail,
        promtool_tests,
        routing_graph,
    )

    return {
        "prometheus": prometheus.render,
        "promtool-tests": promtool_tests.render,
        "alertmanager": alertmanager.render,
        "promtail": promtail.render,
        "alloy": alloy.render,
        "filebeat": filebeat.render,
        "log-queries": log_queries.render,
        "grafana": grafana.render,
        "objective-tests": objective_tests.render,
        "catalog": catalog.render,
        "routing-graph": routing_graph.render,
    }
