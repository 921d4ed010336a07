"""Prometheus rule files and the prometheus.yml that loads them.

Recording rules come first in each group and alerts after them: rules of a group run in order,
so an alert always compares the value recorded in the same evaluation, never the previous one.
"""

from __future__ import annotations

import posixpath
from typing import Any

from generator import conventions as conv
from generator.model import Model
from generator.model.durations import format_duration
from generator.model.indicators import AlertRule
from generator.model.objectives import Objective, RecordingRule
from generator.targets import Output


def alert_rule(rule: AlertRule) -> dict[str, Any]:
    out: dict[str, Any] = {"alert": rule.name, "expr": rule.expr}
    if rule.for_ms:
        out["for"] = format_duration(rule.for_ms)
    out["labels"] = dict(rule.labels)
    out["annotations"] = dict(rule.annotations)
    return out


def recording_rule(rule: RecordingRule) -> dict[str, Any]:
    out: dict[str, Any] = {"record": rule.record, "expr": rule.expr}
    if rule.labels:
        out["labels"] = dict(rule.labels)
    return out


def rule_groups(model: Model) -> list[dict[str, Any]]:
    groups = []
    for group in model.groups:
        rules: list[dict[str, Any]] = [
            {"record": i.record, "expr": i.expr} for i in model.indicators if i.group == group.name
        ]
        rules += [recording_rule(r) for o in model.objectives for r in o.records if r.group == group.name]
        rules += [alert_rule(a) for a in model.alert_rules() if a.group == group.name]
        groups.append({"name": group.name, "interval": format_duration(group.interval_ms), "rules": rules})
    return groups


def objective_rule_groups(model: Model, objective: Objective) -> list[dict[str, Any]]:
    """One objective's rules alone, in the groups and order rule_groups() writes them into rules.yml.

    Its promtool tests replay days of samples, and promtool evaluates every rule it loads at every
    step; the other rules of rules.yml would multiply that cost. An objective's rules read only
    its own records, so the subset evaluates exactly as inside rules.yml (tests/test_objectives.py
    checks that each is a verbatim excerpt).
    """
    groups = []
    for group in model.groups:
        rules: list[dict[str, Any]] = [recording_rule(r) for r in objective.records if r.group == group.name]
        rules += [alert_rule(a) for a in objective.alert_rules() if a.group == group.name]
        if rules:
            groups.append({"name": group.name, "interval": format_duration(group.interval_ms), "rules": rules})
    return groups


def prometheus_config(model: Model) -> dict[str, Any]:
    prom, scrape = model.prometheus, model.service.scrape
    glob: dict[str, Any] = {
        "scrape_interval": format_duration(prom.scrape_interval_ms),
        "evaluation_interval": format_duration(prom.evaluation_interval_ms),
    }
    if prom.external_labels:
        glob["external_labels"] = dict(prom.external_labels)
    job: dict[str, Any] = {
        "job_name": model.service.job,
        "scrape_interval": format_duration(scrape.interval_ms),
        "scrape_timeout": format_duration(scrape.timeout_ms),
        "metrics_path": scrape.metrics_path,
        "scheme": scrape.scheme,
    }
    if scrape.authorization:
        job["authorization"] = {
            "type": scrape.authorization.type,
            "credentials_file": scrape.authorization.credentials_file,
        }
    if scrape.tls:
        tls: dict[str, Any] = {
            k: v
            for k, v in (
                ("ca_file", scrape.tls.ca_file),
                ("cert_file", scrape.tls.cert_file),
                ("key_file", scrape.tls.key_file),
                ("server_name", scrape.tls.server_name),
            )
            if v
        }
        if scrape.tls.insecure_skip_verify:
            tls["insecure_skip_verify"] = True
        job["tls_config"] = tls
    job["static_configs"] = [{"targets": list(scrape.targets)}]
    rules = posixpath.relpath(
        conv.rules_path(model.service.name), posixpath.dirname(conv.prometheus_config_path(model.service.name))
    )
    return {
        "global": glob,
        "alerting": {"alertmanagers": [{"static_configs": [{"targets": list(prom.alertmanagers)}]}]},
        "rule_files": [rules],
        "scrape_configs": [job, *log_agent_jobs(model)],
    }


def log_agent_jobs(model: Model) -> list[dict[str, Any]]:
    """The log agent's /metrics, where counters read from logs live (see docs/logs.md).

    honor_labels keeps the `job` label those counters carry (the service's job, set on every log
    stream), so indicators read them like the service's own series; the agent's own metrics have
    no job label and get the scrape job's.
    """
    logs = model.logs
    if logs is None or logs.loki is None:
        return []
    return [
        {
            "job_name": logs.scrape_job,
            "honor_labels": True,
            "static_configs": [{"targets": list(logs.loki.agent_targets)}],
        }
    ]


def render(model: Model) -> list[Output]:
    name = model.service.name
    return [
        Output(conv.rules_path(name), "yaml", {"groups": rule_groups(model)}, model.source),
        Output(conv.prometheus_config_path(name), "yaml", prometheus_config(model), model.source),
    ]
