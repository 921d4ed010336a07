"""Prometheus Operator resources: PrometheusRule, AlertmanagerConfig, ServiceMonitor, dashboards.

Everything the `files` profile writes, as Kubernetes objects in one namespace with a
kustomization.yaml over them. Credentials are never written: every `*_file` of the spec becomes a
SecretKeySelector `{name, key}` into one Secret the user creates (`output.kubernetes.secret`), the
key being the file's base name, so the same secret files mount unchanged outside Kubernetes.
"""

from __future__ import annotations

import posixpath
from typing import Any

from generator import conventions as conv
from generator import json_fast
from generator.model import Model
from generator.model.durations import format_duration
from generator.model.output import Kubernetes
from generator.targets import Output
from generator.targets import grafana as grafana_target
from generator.targets._alertmanager_config import alertmanager_config, secret_key
from generator.targets._rule_groups import split_groups
from generator.targets._templates import render as render_template
from generator.targets.prometheus import rule_groups


def _metadata(k8s: Kubernetes, name: str, **extra: Any) -> dict[str, Any]:
    meta: dict[str, Any] = {"name": name, "namespace": k8s.namespace}
    labels = dict(k8s.labels) | extra.pop("labels", {})
    if labels:
        meta["labels"] = labels
    meta.update(extra)
    return meta


def prometheus_rule(model: Model, k8s: Kubernetes, max_rules: int) -> dict[str, Any]:
    """The rules of rules.yml; alerts also carry `namespace`, which AlertmanagerConfig routes require."""
    groups = split_groups(rule_groups(model), max_rules)
    for g in groups:
        g["rules"] = [
            {**r, "labels": {**r["labels"], "namespace": k8s.namespace}} if "alert" in r else r for r in g["rules"]
        ]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "PrometheusRule",
        "metadata": _metadata(k8s, conv.k8s_name(model.service.name, "rules")),
        "spec": {"groups": groups},
    }


def service_monitor(model: Model, k8s: Kubernetes) -> dict[str, Any]:
    scrape = model.service.scrape
    endpoint: dict[str, Any] = {
        "port": k8s.port,
        "path": scrape.metrics_path,
        "scheme": scrape.scheme,
        "interval": format_duration(scrape.interval_ms),
        "scrapeTimeout": format_duration(scrape.timeout_ms),
    }
    if scrape.authorization:
        endpoint["authorization"] = {
            "type": scrape.authorization.type,
            "credentials": secret_key(k8s, scrape.authorization.credentials_file),
        }
    if scrape.tls:
        tls: dict[str, Any] = {}
        if scrape.tls.ca_file:
            tls["ca"] = {"secret": secret_key(k8s, scrape.tls.ca_file)}
        if scrape.tls.cert_file:
            tls["cert"] = {"secret": secret_key(k8s, scrape.tls.cert_file)}
        if scrape.tls.key_file:
            tls["keySecret"] = secret_key(k8s, scrape.tls.key_file)
        if scrape.tls.server_name:
            tls["serverName"] = scrape.tls.server_name
        if scrape.tls.insecure_skip_verify:
            tls["insecureSkipVerify"] = True
        endpoint["tlsConfig"] = tls
    # The job label is the spec's job, whatever the Service is called: every rule selects on it.
    endpoint["relabelings"] = [{"action": "replace", "targetLabel": "job", "replacement": model.service.job}]
    return {
        "apiVersion": "monitoring.coreos.com/v1",
        "kind": "ServiceMonitor",
        "metadata": _metadata(k8s, conv.k8s_name(model.service.name)),
        "spec": {
            "selector": {"matchLabels": dict(k8s.selector)},
            "namespaceSelector": {"matchNames": [k8s.namespace]},
            "endpoints": [endpoint],
        },
    }


def _config_map(k8s: Kubernetes, name: str, data: dict[str, str], **extra: Any) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": _metadata(k8s, name, **extra), "data": data}


def dashboard_maps(model: Model, k8s: Kubernetes) -> list[tuple[str, dict[str, Any]]]:
    """One ConfigMap per dashboard, labelled for the Grafana sidecar, with the folder annotation."""
    out = []
    for o in grafana_target.render(model):
        if o.format != "json":
            continue
        key = posixpath.basename(o.path)
        name = conv.k8s_name(model.service.name, "dashboard", key.removesuffix(".json"))
        text = json_fast.indented(o.content)
        cm = _config_map(
            k8s,
            name,
            {key: text},
            labels={k8s.dashboard_label[0]: k8s.dashboard_label[1]},
            annotations={k8s.folder_annotation: k8s.dashboard_folder},
        )
        out.append((f"dashboards/{name}.yaml", cm))
    return out


def kustomization(files: list[str]) -> dict[str, Any]:
    return {"apiVersion": "kustomize.config.k8s.io/v1beta1", "kind": "Kustomization", "resources": files}


def render(model: Model) -> list[Output]:
    assert model.output is not None
    k8s, name = model.output.kubernetes, model.service.name
    objects: list[tuple[str, dict[str, Any]]] = [
        ("prometheusrule.yaml", prometheus_rule(model, k8s, model.output.rulers.max_rules_per_group)),
        ("servicemonitor.yaml", service_monitor(model, k8s)),
    ]
    if model.routing is not None:
        objects.append(("alertmanagerconfig.yaml", alertmanager_config(model, model.routing, k8s)))
        templates = render_template("alertmanager.tmpl.j2", source=model.source, service=name)
        objects.append(
            (
                "alertmanager-templates.yaml",
                _config_map(k8s, conv.k8s_name(name, "alertmanager-templates"), {"monspec.tmpl": templates}),
            )
        )
    objects += dashboard_maps(model, k8s)
    base = conv.kubernetes_dir(name)
    out = [Output(f"{base}/{path}", "yaml", obj, model.source) for path, obj in objects]
    out.append(Output(f"{base}/kustomization.yaml", "yaml", kustomization([p for p, _ in objects]), model.source))
    return out
