"""alertmanager.yml, its notification templates, and the routing table that proves the tree.

The routing table lists label sets with the receivers the model's route tree resolves them to;
`amtool config routes test` over the generated file must agree row by row (tests and `monspec test`).
"""

from __future__ import annotations

import posixpath
from typing import Any

from generator import conventions as conv
from generator.model import Model
from generator.model.durations import format_duration
from generator.model.routing import Fields, InhibitRule, LabelMatcher, Route, Routing
from generator.targets import Output
from generator.targets._route_tree import route_tree, snake_case
from generator.targets._templates import render as render_template


def thaw(value: object) -> Any:
    if isinstance(value, Fields):
        return {k: thaw(v) for k, v in value.items}
    if isinstance(value, tuple):
        return [thaw(v) for v in value]
    return value


def _matchers(ms: tuple[LabelMatcher, ...]) -> list[str]:
    return [m.text() for m in ms]


def inhibit_rule(rule: InhibitRule) -> dict[str, Any]:
    return {
        "source_matchers": _matchers(rule.source),
        "target_matchers": _matchers(rule.target),
        "equal": list(rule.equal),
    }


def config(model: Model, routing: Routing) -> dict[str, Any]:
    glob: dict[str, Any] = {"resolve_timeout": format_duration(routing.resolve_timeout_ms)}
    if routing.smtp is not None:
        glob.update(thaw(routing.smtp))
    if routing.slack_api_url_file:
        glob["slack_api_url_file"] = routing.slack_api_url_file
    templates = posixpath.relpath(
        conv.alertmanager_templates_path(model.service.name),
        posixpath.dirname(conv.alertmanager_config_path(model.service.name)),
    )
    out: dict[str, Any] = {
        "global": glob,
        "templates": [templates],
        "route": route_tree(routing.root, snake_case, _matchers),
        "inhibit_rules": [inhibit_rule(r) for r in routing.inhibit_rules],
        "receivers": [{"name": r.name, **{f"{i.kind}_configs": [] for i in r.integrations}} for r in routing.receivers],
    }
    for receiver, entry in zip(routing.receivers, out["receivers"], strict=True):
        for integration in receiver.integrations:
            entry[f"{integration.kind}_configs"].append(thaw(integration.config))
    if routing.time_intervals:
        out["time_intervals"] = [
            {"name": t.name, "time_intervals": [thaw(s) for s in t.specs]} for t in routing.time_intervals
        ]
    return out


def _sample(m: LabelMatcher) -> str | None:
    """A label value that satisfies the matcher, when one is evident from it."""
    if m.op == "=":
        return m.value
    if m.op == "=~":
        first = m.value.split("|")[0].replace("\\", "")
        return None if any(c in first for c in ".*+?()[]{}^$") else first
    return None


def routing_table(model: Model, routing: Routing) -> list[dict[str, Any]]:
    """Rows of label sets -> receivers: every alert, every severity and priority, every route."""
    rows: dict[tuple[tuple[str, str], ...], list[str]] = {}
    base = {conv.SERVICE_LABEL: model.service.name}
    for rule in model.alert_rules():
        labels = {"alertname": rule.name, **dict(rule.labels)}
        rows.setdefault(tuple(sorted(labels.items())), []).append(f"alert {rule.name}")
    for sev in model.severities:
        labels = {**base, conv.SEVERITY_LABEL: sev.name, conv.PRIORITY_LABEL: sev.priority}
        rows.setdefault(tuple(sorted(labels.items())), []).append(f"severity {sev.name}")
    for p in range(4):
        labels = {**base, conv.PRIORITY_LABEL: f"P{p}"}
        rows.setdefault(tuple(sorted(labels.items())), []).append(f"priority P{p}")

    def walk(r: Route, inherited: dict[str, str], path: str) -> None:
        labels = dict(inherited)
        for m in r.matchers:
            value = _sample(m)
            if value is None:
                return
            labels[m.label] = value
        if r.origin != "root":
            rows.setdefault(tuple(sorted(labels.items())), []).append(f"route {path}")
        for i, child in enumerate(r.routes):
            walk(child, labels, f"{path}.{i + 1}" if path else str(i + 1))

    walk(routing.root, base, "")
    return [
        {"name": "; ".join(why), "labels": dict(labels), "receivers": list(routing.receivers_for(dict(labels)))}
        for labels, why in rows.items()
    ]


def render(model: Model) -> list[Output]:
    routing = model.routing
    if routing is None:
        return []
    name = model.service.name
    return [
        Output(conv.alertmanager_config_path(name), "yaml", config(model, routing), model.source),
        Output(
            conv.alertmanager_templates_path(name),
            "text",
            render_template("alertmanager.tmpl.j2", source=model.source, service=name),
            model.source,
        ),
        Output(
            conv.routes_test_path(name),
            "yaml",
            {"config": posixpath.basename(conv.alertmanager_config_path(name)), "tests": routing_table(model, routing)},
            model.source,
        ),
    ]
