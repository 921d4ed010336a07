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
    """The `files` profile: today's out/<service>/ tree."""
    from generator.targets import (
        alertmanager,
        alloy,
        catalog,
        catalog_json,
        filebeat,
        grafana,
        kibana,
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
        "kibana": kibana.render,
        "grafana": grafana.render,
        "objective-tests": objective_tests.render,
        "catalog": catalog.render,
        "catalog-json": catalog_json.render,
        "routing-graph": routing_graph.render,
    }


def profile_targets() -> dict[str, dict[str, Target]]:
    """Every output profile and its targets; a model renders the profiles its `output` asks for."""
    from generator.targets import kubernetes, loki_ruler, mimir, thanos

    return {
        "files": all_targets(),
        "kubernetes": {"kubernetes": kubernetes.render},
        "mimir": {"mimir": mimir.render},
        "thanos": {"thanos": thanos.render},
        "loki": {"loki-ruler": loki_ruler.render},
    }


def targets_for(model: Model) -> list[Target]:
    profiles = model.output.profiles if model.output is not None else ("files",)
    return [t for name, targets in profile_targets().items() if name in profiles for t in targets.values()]
