"""The alert catalog: one markdown page per service for the people on call.

Everything is read from the model (the receivers an alert reaches are the route tree's own
answer, which the tests prove equal to `amtool config routes test`); this module only prepares
view objects, the template formats them and escapes every user string.
"""

from __future__ import annotations

import posixpath
import re
from collections import Counter
from dataclasses import dataclass, field

from generator import conventions as conv
from generator.logql import stream_selector
from generator.model import Model
from generator.model.durations import format_duration
from generator.model.indicators import AlertRule, Indicator, Threshold
from generator.model.objectives import BurnAlert, Objective
from generator.model.promql import number
from generator.model.routing import Fields, Route, Routing
from generator.targets import Output
from generator.targets._catalog_text import readable, silence_command
from generator.targets._templates import render as render_template
from generator.units import format_value


@dataclass(frozen=True, slots=True)
class LogQueryView:
    source: str
    name: str
    title: str
    logql: str | None
    kql: str | None


@dataclass(frozen=True, slots=True)
class AlertView:
    name: str
    anchor: str
    kind: str  # what made the alert, in words
    owner: str | None  # "indicator x" / "objective y"
    severity: str
    priority: str
    expr: str
    threshold: str | None  # comparison and value, as the alert compares
    threshold_shown: str | None  # the value in the indicator's unit
    for_: str
    labels: tuple[tuple[str, str], ...]
    summary: str
    description: str
    action: str
    silence: str
    receivers: tuple[str, ...]
    runbook: str | None
    dashboard: str | None
    logs: str | None
    compliance: tuple[str, ...]
    log_queries: tuple[LogQueryView, ...]
    escalation: str | None
    tier: str | None
    variant: str | None  # what tells apart alerts of one name in headings: severity if shared, tier


@dataclass(frozen=True, slots=True)
class ObjectiveView:
    key: str
    title: str
    description: str
    target: str
    window: str
    budget: str
    budget_time: str
    owner: str | None
    burn: tuple[tuple[str, str, str, str, str], ...]  # kind, long, short, factor, budget spent
    alerts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ReceiverView:
    name: str
    description: str
    integrations: tuple[tuple[str, tuple[tuple[str, str], ...]], ...]
    alerts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RouteView:
    depth: int
    path: str
    matchers: str
    receiver: str
    continue_: bool
    timing: str
    intervals: str
    origin: str


@dataclass
class _Origin:
    kind: str
    owner: str | None = None
    threshold: Threshold | None = None
    indicator: Indicator | None = None
    objective: Objective | None = None
    burn: BurnAlert | None = None
    extra: list[str] = field(default_factory=list)


def _key(rule: AlertRule) -> tuple[str, tuple[tuple[str, str], ...]]:
    return rule.name, tuple((k, v) for k, v in rule.labels if k != conv.ESCALATION_LABEL)


def _origins(model: Model) -> dict[tuple[str, tuple[tuple[str, str], ...]], _Origin]:
    found: dict[tuple[str, tuple[tuple[str, str], ...]], _Origin] = {}
    for ind in model.indicators:
        for t in ind.thresholds:
            found[_key(t.alert)] = _Origin(
                f"{t.severity.name} threshold", f"indicator {ind.key}", t, ind, extra=[ind.title]
            )
        if ind.absent is not None:
            found[_key(ind.absent)] = _Origin("absent data", f"indicator {ind.key}", indicator=ind)
    for o in model.objectives:
        for burn in (o.page, o.ticket):
            found[_key(burn.rule)] = _Origin(
                f"error budget burn ({burn.kind})", f"objective {o.key}", None, None, o, burn
            )
        found[_key(o.absent)] = _Origin("absent data", f"objective {o.key}", objective=o)
    for a in model.alerts:
        found[_key(a.rule)] = _Origin("free-form")
    return found


def _anchor(name: str, variant: str | None) -> str:
    """GitHub's heading anchors: lower case, punctuation dropped, spaces to hyphens."""
    text = f"{name} {variant}" if variant else name
    return re.sub(r"[^a-z0-9_ -]", "", text.lower()).replace(" ", "-")


_IDENTIFIER = re.compile(r"[A-Za-z_:][A-Za-z0-9_:]*")


@dataclass(frozen=True, slots=True)
class _LogIndex:
    """Every source's saved queries and the sources each log counter belongs to, built once per model:
    an alert then costs a lookup per name it reads, not a walk over every counter of every source
    (2 x 10^8 comparisons at 10,000 indicators)."""

    queries: dict[str, list[LogQueryView]]  # source key -> its saved queries
    in_order: list[list[LogQueryView]]  # the same, by the source's position in the spec
    sources: dict[str, list[int]]  # counter metric name -> positions of the sources that count it

    @classmethod
    def of(cls, model: Model) -> _LogIndex:
        queries: dict[str, list[LogQueryView]] = {}
        sources: dict[str, list[int]] = {}
        for pos, src in enumerate(model.logs.sources if model.logs is not None else ()):
            es = "elasticsearch" in src.destinations
            queries[src.key] = [
                LogQueryView(src.key, q.name, q.title, q.logql if src.ships_to_loki() else None, q.kql if es else None)
                for q in src.queries
            ]
            for c in src.counters:
                found = sources.setdefault(c.metric.name, [])
                if not found or found[-1] != pos:
                    found.append(pos)
        return cls(queries, list(queries.values()), sources)

    def read_by(self, expr: str) -> tuple[LogQueryView, ...]:
        """The saved queries of every log source whose counters the expression reads, in spec order."""
        hit = sorted({pos for name in set(_IDENTIFIER.findall(expr)) for pos in self.sources.get(name, ())})
        if not hit:
            return ()
        return tuple(q for pos in hit for q in self.in_order[pos])


def _reads(rule: AlertRule, origin: _Origin) -> str:
    """The PromQL an alert reads in the end: through its indicator's or objective's recording rules too."""
    if origin.indicator is not None:
        return f"{rule.expr}\n{origin.indicator.expr}"
    if origin.objective is not None:
        return "\n".join((rule.expr, *(r.expr for r in origin.objective.records)))
    return rule.expr


def _receivers(routing: Routing | None, rule: AlertRule) -> tuple[str, ...]:
    if routing is None:
        return ()
    return routing.receivers_for({"alertname": rule.name, **dict(rule.labels)})


def alert_views(model: Model) -> list[AlertView]:
    origins = _origins(model)
    log_index = _LogIndex.of(model)
    tiers = {t.name: t for t in model.routing.tiers} if model.routing else {}
    views = []
    rules = model.alert_rules()
    names = Counter(r.name for r in rules if conv.ESCALATION_LABEL not in dict(r.labels))
    for rule in rules:
        labels = dict(rule.labels)
        tier = labels.get(conv.ESCALATION_LABEL)
        variant = " ".join(v for v in (rule.severity.name if names[rule.name] > 1 else None, tier) if v) or None
        origin = origins.get(_key(rule), _Origin("free-form"))
        annotations = dict(rule.annotations)
        t = origin.threshold
        shown = None
        if t is not None and origin.indicator is not None:
            shown = f"{t.op} {format_value(t.value, origin.indicator.unit)}"
            shown = None if shown == f"{t.op} {number(t.value)}" else shown
        compliance = rule.compliance or ((labels["compliance"],) if "compliance" in labels else ())
        escalation = None
        if tier is not None and tier in tiers:
            escalation = f"tier {tier}: the same condition held {format_duration(tiers[tier].after_ms)} longer"
        views.append(
            AlertView(
                name=rule.name,
                anchor=_anchor(rule.name, variant),
                kind=origin.kind if tier is None else f"escalation of {origin.kind}",
                owner=origin.owner,
                severity=rule.severity.name,
                priority=labels.get(conv.PRIORITY_LABEL, rule.severity.priority),
                expr=rule.expr,
                threshold=f"{t.op} {number(t.value)}" if t is not None else None,
                threshold_shown=shown,
                for_=format_duration(rule.for_ms),
                labels=tuple(sorted(rule.labels)),
                summary=readable(annotations.get("summary", "")),
                description=readable(annotations.get("description", "")),
                action=readable(annotations.get("action", "")),
                silence=silence_command(rule, model.prometheus.alertmanagers[0], names[rule.name] > 1),
                receivers=_receivers(model.routing, rule),
                runbook=annotations.get("runbook_url"),
                dashboard=annotations.get("dashboard_url"),
                logs=annotations.get("logs_url"),
                compliance=compliance,
                log_queries=log_index.read_by(_reads(rule, origin)),
                escalation=escalation,
                tier=tier,
                variant=variant,
            )
        )
    return views


_DAY_MS = 86_400_000


def _span(ms: int) -> str:
    """Objective windows read as people say them (30d, not Prometheus' 4w2d)."""
    return f"{ms // _DAY_MS}d" if ms >= _DAY_MS and ms % _DAY_MS == 0 else format_duration(ms)


def _percent(v: float) -> str:
    return f"{number(round(v * 100, 6))}%"


def objective_views(model: Model) -> list[ObjectiveView]:
    out = []
    for o in model.objectives:
        burn = tuple(
            (
                b.kind,
                format_duration(w.long_ms),
                format_duration(w.short_ms),
                number(w.factor),
                _percent(w.budget),
            )
            for b in (o.page, o.ticket)
            for w in b.windows
        )
        out.append(
            ObjectiveView(
                o.key,
                o.title,
                o.description,
                _percent(o.target),
                _span(o.window_ms),
                _percent(o.error_budget),
                format_duration(round(o.error_budget * o.window_ms / 1000) * 1000),
                o.owner,
                burn,
                tuple(r.name for r in o.alert_rules()),
            )
        )
    return out


def _flatten(prefix: str, value: object) -> list[tuple[str, str]]:
    if isinstance(value, Fields):
        return [kv for k, v in value.items for kv in _flatten(f"{prefix}.{k}" if prefix else k, v)]
    if isinstance(value, tuple):
        return [(prefix, ", ".join(str(v) for v in value))]
    return [(prefix, str(value).lower() if isinstance(value, bool) else str(value))]


def receiver_views(model: Model, alerts: list[AlertView]) -> list[ReceiverView]:
    if model.routing is None:
        return []
    out = []
    for r in model.routing.receivers:
        integrations = tuple(
            # monspec's own notification templates say nothing about where a receiver points.
            (i.kind, tuple((k, v) for k, v in _flatten("", i.config) if "{{" not in v))
            for i in r.integrations
        )
        reached = tuple(dict.fromkeys(a.name for a in alerts if r.name in a.receivers))
        out.append(ReceiverView(r.name, r.description, integrations, reached))
    return out


def route_views(routing: Routing) -> list[RouteView]:
    out: list[RouteView] = []

    def walk(r: Route, depth: int, path: str) -> None:
        t = r.timing
        timing = [f"{name} {format_duration(ms)}" for name, ms in t.intervals()]
        if t.group_by is not None:
            timing.insert(0, "group_by [" + ", ".join(t.group_by) + "]")
        intervals = [f"muted {', '.join(r.mute)}"] if r.mute else []
        intervals += [f"active {', '.join(r.active)}"] if r.active else []
        out.append(
            RouteView(
                depth,
                path or "root",
                ", ".join(m.text() for m in r.matchers),
                r.receiver,
                r.continue_,
                "; ".join(timing),
                "; ".join(intervals),
                r.origin,
            )
        )
        for i, child in enumerate(r.routes):
            walk(child, depth + 1, f"{path}.{i + 1}" if path else str(i + 1))

    walk(routing.root, 0, "")
    return out


def render(model: Model) -> list[Output]:
    name = model.service.name
    alerts = alert_views(model)
    routing = model.routing
    logs = model.logs
    sources = []
    log_index = _LogIndex.of(model)
    if logs is not None:
        for src in logs.sources:
            sources.append(
                {
                    "key": src.key,
                    "title": src.title,
                    "paths": src.paths,
                    "destinations": src.destinations,
                    "stream": stream_selector(src) if src.ships_to_loki() else None,
                    "queries": log_index.queries[src.key],
                }
            )
    here = posixpath.dirname(conv.catalog_path(name))
    text = render_template(
        "catalog/catalog.md.j2",
        source=model.source,
        service=model.service,
        severities=model.severities,
        alerts=alerts,
        objectives=objective_views(model),
        receivers=receiver_views(model, alerts),
        routes=route_views(routing) if routing else [],
        routing=routing,
        inhibit_rules=[
            (", ".join(m.text() for m in r.source), ", ".join(m.text() for m in r.target), ", ".join(r.equal), r.origin)
            for r in (routing.inhibit_rules if routing else ())
        ],
        time_intervals=[
            (t.name, ["; ".join(f"{k}: {v}" for k, v in _flatten("", s)) for s in t.specs])
            for t in (routing.time_intervals if routing else ())
        ],
        log_sources=sources,
        routes_graph=posixpath.relpath(conv.routes_graph_path(name), here),
        alertmanager_config=posixpath.relpath(conv.alertmanager_config_path(name), here),
        rules=posixpath.relpath(conv.rules_path(name), here),
    )
    return [Output(conv.catalog_path(name), "text", text, model.source)]
