"""The one mapping from a validated spec to the model; every default is resolved here and nowhere else.

It runs only after the schema and the semantic checks passed, so it may assume references resolve.
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any
from urllib.parse import quote as url_quote

from generator import conventions as conv
from generator.humanize import go_template_literal
from generator.load import Document
from generator.model import Model
from generator.model.alerts import AlertTest, FreeAlert
from generator.model.build_dashboards import build_dashboards
from generator.model.build_logs import build_logs
from generator.model.build_objectives import build_objectives
from generator.model.build_output import build_output
from generator.model.build_routing import build_routing
from generator.model.durations import parse_duration
from generator.model.indicators import (
    AlertRule,
    GaugeQuery,
    Indicator,
    QuantileQuery,
    Query,
    RateQuery,
    RatioQuery,
    RawQuery,
    Threshold,
)
from generator.model.log_links import logs_url
from generator.model.logs import Logs
from generator.model.metrics import Metric, Selector, matchers
from generator.model.promql import number, render
from generator.model.service import (
    TLS,
    Authorization,
    Labels,
    PrometheusServer,
    RuleGroup,
    Scrape,
    Service,
    Severity,
)
from generator.units import format_value, value_template
from generator.vocabulary import full_metric_name

DEFAULT_FOR = "5m"
DEFAULT_ABSENT_FOR = "10m"
DEFAULT_SCRAPE_INTERVAL = "15s"
DEFAULT_EVALUATION_INTERVAL = "30s"
DEFAULT_SCRAPE_TIMEOUT_MS = 10_000
_OPS = {("above", False): ">", ("above", True): ">=", ("below", False): "<", ("below", True): "<="}
_WORDS = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}


def build(doc: Document, profiles: tuple[str, ...] | None = None) -> Model:
    """`profiles` (from `generate --target`) overrides the spec's `output.profiles`."""
    d: dict[str, Any] = doc.data
    svc = d["service"]
    prom = d.get("prometheus") or {}
    defaults = d.get("defaults") or {}

    scrape_interval = parse_duration(prom.get("scrape_interval", DEFAULT_SCRAPE_INTERVAL))
    eval_interval = parse_duration(prom.get("evaluation_interval", DEFAULT_EVALUATION_INTERVAL))
    prometheus = PrometheusServer(
        scrape_interval,
        eval_interval,
        _labels(prom.get("external_labels")),
        tuple(prom.get("alertmanagers") or ["localhost:9093"]),
    )
    service = Service(
        svc["name"],
        svc.get("title") or svc["name"],
        svc["job"],
        svc.get("metric_prefix", ""),
        _labels(svc.get("labels")),
        _scrape(svc.get("scrape"), scrape_interval),
    )

    severities = tuple(
        Severity(
            name,
            rank,
            (s or {}).get("priority", f"P{min(rank + 1, 9)}"),
            parse_duration(s["for"]) if (s or {}).get("for") else None,
            (s or {}).get("description", ""),
        )
        for rank, (name, s) in enumerate(d["severities"].items())
    )
    by_sev = {s.name: s for s in severities}

    metrics = tuple(
        Metric(
            k, full_metric_name(service.metric_prefix, k, m), m["type"], m.get("help", ""), tuple(m.get("labels") or ())
        )
        for k, m in sorted((d.get("metrics") or {}).items())
    )
    logs = build_logs(d.get("logs"), service)
    if logs:  # counters read from logs are metrics like any other (names are unique: names/duplicate)
        metrics = tuple(sorted((*metrics, *(c.metric for c in logs.counters())), key=lambda m: m.key))
    by_metric = {m.key: m for m in metrics}

    default_group = conv.default_group(service.name)
    groups = {default_group: RuleGroup(default_group, eval_interval)}
    for name, g in (d.get("groups") or {}).items():
        groups[name] = RuleGroup(name, parse_duration(g["interval"]) if g and g.get("interval") else eval_interval)

    # The overview dashboard has one panel per indicator, in spec order; alerts link to theirs.
    panel_ids = {key: conv.overview_panel_id(i) for i, key in enumerate(d.get("indicators") or {})}
    ctx = _Context(service, defaults, by_sev, by_metric, default_group, panel_ids, logs)
    indicators = tuple(ctx.indicator(k, spec) for k, spec in (d.get("indicators") or {}).items())
    alerts = tuple(ctx.free_alert(k, spec, prometheus) for k, spec in (d.get("alerts") or {}).items())
    objectives = build_objectives(d.get("objectives"), ctx, severities)
    used = {i.group for i in indicators} | {a.rule.group for a in alerts} | {o.group for o in objectives}
    model = Model(
        conv.generated_from(service.name),
        service,
        prometheus,
        severities,
        metrics,
        tuple(g for n, g in groups.items() if n in used),
        indicators,
        alerts,
        logs=logs,
        dashboards=build_dashboards(d.get("dashboards"), service, severities, indicators, objectives),
        objectives=objectives,
        output=build_output(d.get("output"), service, profiles),
    )
    # Sections build on the core model: each reads what it needs of it and adds its own part.
    model = replace(model, routing=build_routing(d.get("routing"), severities, service.name, model.alert_rules()))
    return model


def _labels(raw: dict[str, str] | None) -> Labels:
    return tuple(sorted((raw or {}).items()))


def _scrape(raw: dict[str, Any] | None, interval: int) -> Scrape:
    raw = raw or {"targets": ["localhost:8080"]}
    own_interval = parse_duration(raw["interval"]) if raw.get("interval") else interval
    timeout = parse_duration(raw["timeout"]) if raw.get("timeout") else min(DEFAULT_SCRAPE_TIMEOUT_MS, own_interval)
    auth = raw.get("authorization")
    tls = raw.get("tls")
    return Scrape(
        tuple(raw["targets"]),
        raw.get("metrics_path", "/metrics"),
        raw.get("scheme", "http"),
        own_interval,
        timeout,
        Authorization(auth.get("type", "Bearer"), auth["credentials_file"]) if auth else None,
        TLS(
            tls.get("ca_file"),
            tls.get("cert_file"),
            tls.get("key_file"),
            tls.get("server_name"),
            bool(tls.get("insecure_skip_verify", False)),
        )
        if tls is not None
        else None,
    )


class _Context:
    def __init__(
        self,
        service: Service,
        defaults: dict[str, Any],
        severities: dict[str, Severity],
        metrics: dict[str, Metric],
        default_group: str,
        panel_ids: dict[str, int],
        logs: Logs | None = None,
    ) -> None:
        self.service = service
        self.defaults = defaults
        self.severities = severities
        self.metrics = metrics
        self.default_group = default_group
        self.panel_ids = panel_ids
        self.logs = logs

    # -- queries --------------------------------------------------------------------------------
    def selector(self, raw: str | dict[str, Any]) -> Selector:
        if isinstance(raw, str):
            return Selector(self.metrics[raw], ())
        return Selector(self.metrics[raw["metric"]], matchers(raw.get("filter")))

    def selectors(self, raw: Any) -> tuple[Selector, ...]:
        return tuple(self.selector(r) for r in (raw if isinstance(raw, list) else [raw]))

    def query(self, spec: dict[str, Any]) -> tuple[Query, str]:
        if "expr" in spec:
            return RawQuery(spec["expr"]), "value"
        if "rate" in spec or "increase" in spec:
            fn = "rate" if "rate" in spec else "increase"
            r = spec[fn]
            w = parse_duration(r["window"])
            return RateQuery(self.selector(r["metric"]), fn, w), conv.window_ops(fn, w)
        if "ratio" in spec:
            r = spec["ratio"]
            fn = r.get("function", "rate")
            w = parse_duration(r["window"])
            return (
                RatioQuery(self.selectors(r["numerator"]), self.selectors(r["denominator"]), fn, w),
                "ratio_" + conv.window_ops(fn, w),
            )
        if "quantile" in spec:
            r = spec["quantile"]
            w = parse_duration(r["window"])
            return (
                QuantileQuery(self.selector(r["metric"]), float(r["q"]), w),
                f"{conv.quantile_tag(float(r['q']))}_{conv.window_ops('rate', w)}",
            )
        r = spec["gauge"]
        agg = r.get("aggregate", "max")
        return GaugeQuery(self.selector(r["metric"]), agg), agg

    # -- alerts ---------------------------------------------------------------------------------
    def runbook_url(self, runbook: str | None, alert: str, indicator: str, severity: str) -> str | None:
        template = self.defaults.get("runbook_url")
        if runbook and ("://" in runbook or runbook.startswith("/")):
            return runbook
        if template is None:
            return runbook
        return str(template).format(
            service=self.service.name,
            alert=url_quote(alert, safe=""),  # alert names may hold spaces, % and /
            indicator=indicator,
            runbook=runbook or indicator or alert,
            severity=severity,
        )

    def dashboard_url(self, panel_id: int | None) -> str | None:
        base = self.defaults.get("grafana_url")
        if not base:
            return None
        uid = conv.overview_dashboard_uid(self.service.name)
        url = f"{str(base).rstrip('/')}/d/{uid}/{conv.overview_dashboard_slug(self.service.name)}"
        return f"{url}?viewPanel={panel_id}" if panel_id is not None else url

    def labels(self, severity: Severity, priority: str, indicator: str | None, *extra: dict[str, str] | None) -> Labels:
        out = dict(self.service.labels)
        for e in extra:
            out.update(e or {})
        out.update(
            {conv.SEVERITY_LABEL: severity.name, conv.PRIORITY_LABEL: priority, conv.SERVICE_LABEL: self.service.name}
        )
        if indicator is not None:
            out[conv.INDICATOR_LABEL] = indicator
        return tuple(sorted(out.items()))

    def annotations(
        self,
        summary: str,
        description: str,
        runbook: str | None,
        dashboard: str | None,
        spec: dict[str, Any],
        *extra: dict[str, str] | None,
    ) -> Labels:
        out: dict[str, str] = {"summary": summary, "description": description}
        # URLs are literal text, but Prometheus expands every annotation as a Go template.
        if runbook:
            out["runbook_url"] = go_template_literal(runbook)
        if dashboard:
            out["dashboard_url"] = go_template_literal(dashboard)
        logs = logs_url(self.defaults, self.logs, spec)
        if logs:
            out["logs_url"] = go_template_literal(logs)
        if spec.get("action"):
            out["action"] = str(spec["action"]).strip()
        if spec.get("compliance"):
            out["compliance"] = ", ".join(spec["compliance"])
        for e in extra:
            out.update(e or {})
        return tuple(sorted(out.items()))

    def for_ms(self, severity: Severity, *candidates: str | None) -> int:
        for c in candidates:
            if c is not None:
                return parse_duration(c)
        if severity.default_for_ms is not None:
            return severity.default_for_ms
        return parse_duration(self.defaults.get("for", DEFAULT_FOR))

    def indicator(self, key: str, spec: dict[str, Any]) -> Indicator:
        query, ops = self.query(spec)
        by = tuple(spec.get("by") or ())
        record = spec.get("record") or conv.record_name(self.service.metric_prefix, key, by, ops)
        title = spec.get("title") or key.replace("_", " ").capitalize()
        unit = spec.get("unit", "short")
        direction = spec.get("direction", "above")
        inclusive = bool(spec.get("inclusive", False))
        op = _OPS[(direction, inclusive)]
        group = spec.get("group", self.default_group)
        dashboard = self.dashboard_url(self.panel_ids.get(key))
        breakdown = ", ".join(f"{lbl}={{{{ $labels.{lbl} }}}}" for lbl in by)

        thresholds = []
        for sev_name, raw in sorted((spec.get("thresholds") or {}).items(), key=lambda kv: self.severities[kv[0]].rank):
            t = raw if isinstance(raw, dict) else {"value": raw}
            sev = self.severities[sev_name]
            value = float(t["value"])
            name = t.get("alert") or conv.alert_name(key, sev_name)
            priority = t.get("priority") or sev.priority
            shown = format_value(value, unit)
            summary = t.get("summary") or spec.get("summary") or go_template_literal(f"{title} {_WORDS[op]} {shown}")
            description = (
                t.get("description")
                or spec.get("description")
                or (
                    go_template_literal(f"{title} is ")
                    + value_template(unit)
                    + (f" for {breakdown}" if by else "")
                    + go_template_literal(f" ({sev_name} threshold: {_WORDS[op]} {shown}).")
                )
            )
            rule = AlertRule(
                name,
                f"{record} {op} {number(value)}",
                self.for_ms(sev, t.get("for"), spec.get("for")),
                sev,
                self.labels(sev, priority, key, spec.get("labels"), t.get("labels")),
                self.annotations(
                    summary,
                    description,
                    self.runbook_url(spec.get("runbook"), name, key, sev_name),
                    dashboard,
                    spec,
                    spec.get("annotations"),
                    t.get("annotations"),
                ),
                group,
                tuple(spec.get("compliance") or ()),
            )
            thresholds.append(Threshold(sev, value, op, rule))

        absent = None
        if spec.get("absent", False) is not False:
            a = spec["absent"]
            a = {} if a is True else ({"for": a} if isinstance(a, str) else a)
            least = max(self.severities.values(), key=lambda s: s.rank)
            sev = self.severities[a["severity"]] if a.get("severity") else least
            name = conv.absent_alert_name(key)
            absent = AlertRule(
                name,
                f"absent({record})",
                parse_duration(a.get("for") or self.defaults.get("absent_for", DEFAULT_ABSENT_FOR)),
                sev,
                self.labels(sev, sev.priority, key, spec.get("labels")),
                self.annotations(
                    go_template_literal(f"{title} has no data"),
                    go_template_literal(
                        f"The recording rule {record} returns no series: "
                        f"{self.service.title} is down or stopped exporting."
                    ),
                    self.runbook_url(spec.get("runbook"), name, key, sev.name),
                    dashboard,
                    {"logs": spec["logs"]} if spec.get("logs") else {},
                    None,
                ),
                group,
                tuple(spec.get("compliance") or ()),
            )

        return Indicator(
            key,
            title,
            query,
            render(query, self.service.job, by),
            by,
            record,
            unit,
            direction,
            inclusive,
            tuple(thresholds),
            absent,
            group,
            tuple(spec.get("compliance") or ()),
        )

    def free_alert(self, key: str, spec: dict[str, Any], prom: PrometheusServer) -> FreeAlert:
        name = str(spec.get("alert") or key)
        sev = self.severities[spec["severity"]]
        priority = spec.get("priority") or sev.priority
        for_ms = self.for_ms(sev, spec.get("for"))
        summary = spec.get("summary") or go_template_literal(name)
        description = spec.get("description") or summary
        rule = AlertRule(
            name,
            str(spec["expr"]).strip(),
            for_ms,
            sev,
            self.labels(sev, priority, None, spec.get("labels")),
            self.annotations(
                summary,
                description,
                self.runbook_url(spec.get("runbook"), name, key, sev.name),
                self.dashboard_url(None),
                spec,
                spec.get("annotations"),
            ),
            spec.get("group", self.default_group),
            tuple(spec.get("compliance") or ()),
        )
        test = None
        if spec.get("test"):
            t = spec["test"]
            interval = parse_duration(t["interval"]) if t.get("interval") else self.service.scrape.interval_ms
            at = parse_duration(t["at"]) if t.get("at") else for_ms + 2 * prom.evaluation_interval_ms + interval * 4
            test = AlertTest(interval, at, tuple(t["firing"].items()), tuple((t.get("silent") or {}).items()))
        return FreeAlert(rule, test)
