"""The `output` section mapped to the model: profiles and every platform default resolved once."""

from __future__ import annotations

from typing import Any

from generator.model.output import PROFILES, Kubernetes, Output, Rulers
from generator.model.service import Service

DEFAULT_PROFILES = ("files",)
DEFAULT_NAMESPACE = "monitoring"
DEFAULT_DASHBOARD_LABEL = ("grafana_dashboard", "1")
# kiwigrid k8s-sidecar (the Grafana Helm chart's sidecar) reads the folder from this annotation
# when the chart sets `sidecar.dashboards.folderAnnotation` to it, the chart's documented example.
DEFAULT_FOLDER_ANNOTATION = "grafana_folder"
DEFAULT_PORT = "metrics"
DEFAULT_MAX_RULES_PER_GROUP = 200


def build_output(raw: dict[str, Any] | None, service: Service, profiles: tuple[str, ...] | None = None) -> Output:
    raw = raw or {}
    k8s = raw.get("kubernetes") or {}
    dash = k8s.get("dashboards") or {}
    rulers = raw.get("rulers") or {}
    chosen = profiles if profiles is not None else tuple(raw.get("profiles") or DEFAULT_PROFILES)
    return Output(
        tuple(p for p in PROFILES if p in chosen),  # one canonical order, duplicates dropped
        Kubernetes(
            k8s.get("namespace", DEFAULT_NAMESPACE),
            tuple(sorted((k8s.get("labels") or {}).items())),
            (dash.get("label", DEFAULT_DASHBOARD_LABEL[0]), str(dash.get("label_value", DEFAULT_DASHBOARD_LABEL[1]))),
            dash.get("folder", service.title),
            dash.get("folder_annotation", DEFAULT_FOLDER_ANNOTATION),
            k8s.get("secret", f"{service.name}-monitoring"),
            tuple(sorted((k8s.get("selector") or {"app.kubernetes.io/name": service.name}).items())),
            k8s.get("port", DEFAULT_PORT),
        ),
        Rulers(
            int(rulers.get("max_rules_per_group", DEFAULT_MAX_RULES_PER_GROUP)),
            rulers.get("mimir_namespace", service.name),
            rulers.get("partial_response_strategy"),
            rulers.get("loki_namespace", service.name),
        ),
    )
