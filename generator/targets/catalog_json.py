"""The catalog's facts as data: every alert, route, receiver, panel, log source and objective of a service.

`monspec diff` compares two of these (from two trees, two specs or two revisions) to tell a reviewer
what a change does; tools read it too. Values are the model's own (numbers as numbers, durations in
Prometheus form, receivers as the route tree answers), so a change shows as the spec would say it.
"""

from __future__ import annotations

from typing import Any

from generator import conventions as conv
from generator.model import Model
from generator.model.dashboards import Dashboard, Panel
from generator.model.durations import format_duration
from generator.model.indicators import AlertRule
from generator.model.logs import Condition, LogSource
from generator.model.routing import Fields, Receiver, Route, Routing
from generator.targets import Output
from generator.targets.catalog import _key, _origins

FORMAT = 1  # bumped when a key changes meaning, so `monspec diff` can refuse a tree it cannot read


def _fields(value: object) -> object:
    if isinstance(value, Fields):
        return {k: _fields(v) for k, v in value.items if "{{" not in str(v)}
    if isinstance(value, tuple):
        return [_fields(v) for v in value]
    return value


def alert_id(rule: AlertRule) -> str:
    """What tells alerts apart in a diff: name, severity, and escalation tier when it is a copy."""
    tier = dict(rule.labels).get(conv.ESCALATION_LABEL)
    return " ".join(p for p in (rule.name, rule.severity.name, tier) if p)


def _time_to_notify_s(model: Model, rule: AlertRule, routes: list[tuple[Route, int]]) -> int | None:
    """Worst case from the incident to the first notification: a scrape, an evaluation, `for`, group_wait."""
    if not routes:
        return None
    interval = next(
        (g.interval_ms for g in model.groups if g.name == rule.group), model.prometheus.evaluation_interval_ms
    )
    wait = max(w for _, w in routes)
    return (model.prometheus.scrape_interval_ms + interval + rule.for_ms + wait) // 1000


def _matched(routing: Routing, labels: dict[str, str]) -> list[tuple[Route, int]]:
    """(route, its group_wait in ms) of every route LABELS reach, with timing inherited from parents."""
    out: list[tuple[Route, int]] = []

    def walk(route: Route, wait: int) -> None:
        own = route.timing.group_wait_ms if route.timing.group_wait_ms is not None else wait
        hit = False
        for child in route.routes:
            if child.matches(labels):
                hit = True
                walk(child, own)
                if not child.continue_:
                    break
        if not hit:
            out.append((route, own))

    walk(routing.root, routing.root.timing.group_wait_ms or 30_000)
    return out


def _alerts(model: Model) -> dict[str, Any]:
    origins = _origins(model)
    out: dict[str, Any] = {}
    for rule in model.alert_rules():
        origin = origins.get(_key(rule))
        labels = {"alertname": rule.name, **dict(rule.labels)}
        routes = _matched(model.routing, labels) if model.routing is not None else []
        fact: dict[str, Any] = {
            "name": rule.name,
            "severity": rule.severity.name,
            "severity_rank": rule.severity.rank,
            "kind": origin.kind if origin is not None else "free-form",
            "owner": origin.owner if origin is not None else None,
            "group": rule.group,
            "expr": rule.expr,
            "for": format_duration(rule.for_ms),
            "for_s": rule.for_ms // 1000,
            "labels": dict(rule.labels),
            "annotations": dict(rule.annotations),
            "receivers": list(model.routing.receivers_for(labels)) if model.routing is not None else [],
            "time_to_notify_s": _time_to_notify_s(model, rule, routes),
        }
        if origin is not None and origin.threshold is not None:
            t = origin.threshold
            fact["threshold"] = {"op": t.op, "value": t.value}
        out[alert_id(rule)] = fact
    return out


def _routes(routing: Routing) -> dict[str, Any]:
    out: dict[str, Any] = {}

    def walk(r: Route, path: str) -> None:
        out[path] = {
            "matchers": [m.text() for m in r.matchers],
            "receiver": r.receiver,
            "continue": r.continue_,
            "group_by": list(r.timing.group_by) if r.timing.group_by is not None else None,
            **{name: format_duration(ms) for name, ms in r.timing.intervals()},
            "mute": list(r.mute),
            "active": list(r.active),
        }
        for i, child in enumerate(r.routes):
            walk(child, f"{path}.{i + 1}")

    walk(routing.root, "root")
    return out


def _receiver(r: Receiver) -> dict[str, Any]:
    return {"description": r.description, "integrations": [[i.kind, _fields(i.config)] for i in r.integrations]}


def _routing(routing: Routing | None) -> dict[str, Any]:
    if routing is None:
        return {"routes": {}, "receivers": {}, "inhibit_rules": [], "time_intervals": {}}
    return {
        "routes": _routes(routing),
        "receivers": {
            r.name: {
                "description": r.description,
                "integrations": [[i.kind, _fields(i.config)] for i in r.integrations],
            }
            for r in routing.receivers
        },
        "inhibit_rules": [
            {
                "source": [m.text() for m in r.source],
                "target": [m.text() for m in r.target],
                "equal": list(r.equal),
            }
            for r in routing.inhibit_rules
        ],
        "time_intervals": {t.name: [_fields(s) for s in t.specs] for t in routing.time_intervals},
    }


def _panel(p: Panel) -> dict[str, Any]:
    return {
        "type": p.type,
        "indicator": p.indicator,
        "queries": [q.expr for q in p.queries],
        "unit": p.unit,
        "steps": [[s.value, s.color] for s in p.steps],
    }


def _dashboard(d: Dashboard) -> dict[str, Any]:
    panels: dict[str, Any] = {}
    for p in d.all_panels():
        title = p.title or f"panel {p.id}"
        panels[title if title not in panels else f"{title} ({p.id})"] = _panel(p)
    return {"title": d.title, "path": d.path, "panels": panels}


def _conditions(conds: tuple[Condition, ...]) -> list[str]:
    return [
        f"{c.field.name}={'|'.join(c.values)}" if c.values is not None else f"{c.field.name}=~{c.regex}" for c in conds
    ]


def _source(src: LogSource) -> dict[str, Any]:
    return {
        "paths": list(src.paths),
        "format": src.format,
        "labels": [f.name for f in src.labels],
        "keep": _conditions(src.keep),
        "drop": _conditions(src.drop),
        "redactions": [r.pattern for r in src.redactions],
        "counters": {
            c.metric.name: {"by": [f.name for f in c.by], "where": _conditions(c.where)} for c in src.counters
        },
        "destinations": list(src.destinations),
        "retention": format_duration(src.retention_ms) if src.retention_ms is not None else None,
    }


def _objectives(model: Model) -> dict[str, Any]:
    return {
        o.key: {
            "target": o.target,
            "window": format_duration(o.window_ms),
            "error_budget": o.error_budget,
            "alerts": [alert_id(r) for r in o.alert_rules()],
            "burn": {
                b.kind: [[format_duration(w.long_ms), format_duration(w.short_ms), w.factor] for w in b.windows]
                for b in (o.page, o.ticket)
            },
        }
        for o in model.objectives
    }


def facts(model: Model) -> dict[str, Any]:
    return {
        "format": FORMAT,
        "service": model.service.name,
        "alerts": _alerts(model),
        **_routing(model.routing),
        "dashboards": {d.uid: _dashboard(d) for d in (model.dashboards.boards if model.dashboards else ())},
        "log_sources": {s.key: _source(s) for s in (model.logs.sources if model.logs is not None else ())},
        "objectives": _objectives(model),
    }


def render(model: Model) -> list[Output]:
    return [Output(conv.catalog_json_path(model.service.name), "json", facts(model), model.source)]
