"""Where the generated configuration is deployed: the output profiles and their options.

`files` is today's out/ tree; the other profiles add a directory each beside it (kubernetes/,
mimir/, thanos/, loki/) with the same rules packaged for that platform.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model.service import Labels

PROFILES = ("files", "kubernetes", "mimir", "thanos", "loki")


@dataclass(frozen=True, slots=True)
class Kubernetes:
    namespace: str
    labels: Labels  # on every object: what the Prometheus/Alertmanager resources select on
    dashboard_label: tuple[str, str]  # the Grafana sidecar's label (name, value)
    dashboard_folder: str  # the sidecar's folder annotation value
    folder_annotation: str
    secret: str  # the Secret (created by the user) every *_file reference points into
    selector: Labels  # ServiceMonitor's selector of the service's Kubernetes Service
    port: str  # the named Service port that serves /metrics


@dataclass(frozen=True, slots=True)
class Rulers:
    max_rules_per_group: int
    mimir_namespace: str
    partial_response_strategy: str | None  # Thanos Ruler: warn or abort; None leaves Thanos' default
    loki_namespace: str


@dataclass(frozen=True, slots=True)
class Output:
    profiles: tuple[str, ...]
    kubernetes: Kubernetes
    rulers: Rulers

    def wants(self, profile: str) -> bool:
        return profile in self.profiles
