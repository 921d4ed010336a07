"""Objectives from the validated spec: SLI, windows, recording rules and burn-rate alerts, all resolved here.

Error ratios over short windows read the raw counters; windows longer than the table's `raw_up_to`
add up the recorded base-window rates of bad and all events (sum_over_time(errors) /
sum_over_time(events)), so the 30-day ratio is weighted by traffic exactly like a raw rate and
never scans 30 days of raw samples.
"""

from __future__ import annotations

from decimal import Decimal
from fractions import Fraction
from functools import cache
from typing import TYPE_CHECKING, Any

import yaml

from generator import conventions as conv
from generator import package_data
from generator.humanize import go_template_literal
from generator.model.durations import format_duration, parse_duration
from generator.model.indicators import AlertRule
from generator.model.metrics import Matcher, Metric, Selector, matchers
from generator.model.objectives import (
    BurnAlert,
    BurnWindow,
    LatencySli,
    Objective,
    RatioSli,
    RecordingRule,
    Sli,
    UptimeSli,
)
from generator.model.promql import number, selector, sum_of
from generator.model.service import Labels, Severity

if TYPE_CHECKING:
    from generator.model.build import _Context

DEFAULT_WINDOW = "30d"
UP = Metric("up", "up", "gauge", "Prometheus' own scrape health: 1 when the scrape succeeded.", ())


@cache
def burn_rate_table() -> dict[str, Any]:
    """The packaged multi-window table (burn_rates.yml), read once."""
    text = package_data.read_text("generator.model", "burn_rates.yml")
    data: dict[str, Any] = yaml.safe_load(text)
    return data


def window_text(ms: int) -> str:
    """Objective windows in days when whole (30d, not 4w2d), as SLOs are spoken of."""
    day = 24 * 3600_000
    return f"{ms // day}d" if ms >= day and ms % day == 0 else format_duration(ms)


def budget_text(target: float) -> str:
    """1 - target as the decimal a person wrote (1 - 0.999 is 0.001, not 0.0010000000000000009)."""
    return format(Decimal(1) - Decimal(repr(target)), "f")


def windows(kind: str, window_ms: int) -> tuple[BurnWindow, ...]:
    out = []
    for w in burn_rate_table()[kind]:
        long_ms, short_ms = parse_duration(w["long"]), parse_duration(w["short"])
        budget = Fraction(Decimal(repr(w["budget"])))
        # Rounded to 4 decimals: 14.4, 6, 3 and 1 for 30 days; 0.9333 rather than 0.9333333333333333.
        factor = round(float(budget * window_ms / long_ms), 4)
        out.append(BurnWindow(long_ms, short_ms, float(budget), factor))
    return tuple(out)


def sli_exprs(sli: Sli, job: str, window_ms: int) -> tuple[str, str]:
    """PromQL of (bad events per second, all events per second) over one window, by job."""
    w = window_text(window_ms)
    keep = ("job",)
    if isinstance(sli, RatioSli):
        total = sum_of("rate", sli.total, job, w, keep)
        if sli.bad:
            # A labelled error counter has no series until the first error: no series is 0 errors.
            return f"({sum_of('rate', sli.bad, job, w, keep)} or 0 * {total})", total
        good = sum_of("rate", sli.good, job, w, keep)
        return f"clamp_min({total} - ({good} or 0 * {total}), 0)", total
    if isinstance(sli, LatencySli):
        count = f"sum by (job) (rate({selector(sli.selector, job, '_count')}[{w}]))"
        bucket = selector(sli.selector, job, "_bucket", (Matcher("le", "=", sli.le),))
        good = f"sum by (job) (rate({bucket}[{w}]))"
        return f"clamp_min({count} - {good}, 0)", count
    sel = selector(sli.selector, job)
    seconds = window_ms // 1000
    samples = f"sum by (job) (count_over_time({sel}[{w}]))"
    bad = f"sum by (job) (count_over_time({sel}[{w}]) - sum_over_time({sel}[{w}]))"
    return f"{bad} / {seconds}", f"{samples} / {seconds}"


def build_objectives(
    raw: dict[str, Any] | None, ctx: _Context, severities: tuple[Severity, ...]
) -> tuple[Objective, ...]:
    if not raw:
        return ()
    section_window = raw.get("window", DEFAULT_WINDOW)
    page_default = raw.get("page") or severities[0].name
    ticket_default = raw.get("ticket") or severities[min(1, len(severities) - 1)].name
    group_default = raw.get("group", ctx.default_group)
    return tuple(
        _objective(key, spec, ctx, section_window, page_default, ticket_default, group_default, position)
        for position, (key, spec) in enumerate((raw.get("slos") or {}).items())
    )


def _sli(spec: dict[str, Any], ctx: _Context) -> Sli:
    if "ratio" in spec:
        r = spec["ratio"]
        return RatioSli(
            ctx.selectors(r["good"]) if "good" in r else (),
            ctx.selectors(r["bad"]) if "bad" in r else (),
            ctx.selectors(r["total"]),
        )
    if "latency" in spec:
        r = spec["latency"]
        return LatencySli(ctx.selector(r["metric"]), str(r["le"]))
    r = spec["uptime"]["metric"]
    name = r if isinstance(r, str) else r["metric"]
    if name == UP.key and name not in ctx.metrics:
        return UptimeSli(Selector(UP, matchers(None if isinstance(r, str) else r.get("filter"))))
    return UptimeSli(ctx.selector(r))


def _objective(
    key: str,
    spec: dict[str, Any],
    ctx: _Context,
    section_window: str,
    page_default: str,
    ticket_default: str,
    group_default: str,
    position: int,
) -> Objective:
    svc = ctx.service
    prefix, job = svc.metric_prefix, svc.job
    sli = _sli(spec, ctx)
    target = float(spec["target"])
    budget = budget_text(target)
    window_ms = parse_duration(spec.get("window", section_window))
    group = spec.get("group", group_default)
    title = spec.get("title") or key.replace("_", " ").capitalize()
    table = burn_rate_table()
    base_ms = parse_duration(table["base"])
    raw_up_to = parse_duration(table["raw_up_to"])
    page_windows, ticket_windows = windows("page", window_ms), windows("ticket", window_ms)
    needed = sorted(
        {base_ms, window_ms}
        | {w.long_ms for w in (*page_windows, *ticket_windows)}
        | {w.short_ms for w in (*page_windows, *ticket_windows)}
    )

    own_labels: dict[str, str] = dict(spec.get("labels") or {})
    if spec.get("owner"):
        own_labels[conv.OWNER_LABEL] = str(spec["owner"])
    labels = tuple(sorted(own_labels.items()))

    errors_record = conv.objective_record(prefix, key, "errors", "rate" + window_text(base_ms))
    events_record = conv.objective_record(prefix, key, "events", "rate" + window_text(base_ms))
    errors, events = sli_exprs(sli, job, base_ms)
    records = [RecordingRule(errors_record, errors, (), group), RecordingRule(events_record, events, (), group)]
    ratio_records = []
    for w in needed:
        name = conv.objective_record(prefix, key, "errors", "ratio_rate" + window_text(w))
        if w == base_ms:
            expr = f"{errors_record} / {events_record}"
        elif w <= raw_up_to:
            bad, all_ = sli_exprs(sli, job, w)
            expr = f"({bad}) / ({all_})"
        else:
            fw = window_text(w)
            expr = f"sum_over_time({errors_record}[{fw}]) / sum_over_time({events_record}[{fw}])"
        records.append(RecordingRule(name, expr, (), group))
        ratio_records.append((w, name))
    burn_records = []
    for w, ratio in ratio_records:
        name = conv.objective_record(prefix, key, "errors", "burnrate" + window_text(w))
        records.append(RecordingRule(name, f"{ratio} / {budget}", (), group))
        burn_records.append((w, name))
    remaining = conv.objective_record(prefix, key, "error_budget", "remaining" + window_text(window_ms))
    records.append(RecordingRule(remaining, f"1 - {dict(ratio_records)[window_ms]} / {budget}", (), group))
    info = conv.objective_record(prefix, key, "objective", "info")
    info_labels = {
        "job": job,
        conv.OBJECTIVE_LABEL: key,
        "target": number(target),
        "window": window_text(window_ms),
        **own_labels,
    }
    records.append(RecordingRule(info, "vector(1)", tuple(sorted(info_labels.items())), group))

    burn = dict(burn_records)
    severities = ctx.severities

    _, sli_panel, _, burn_panel = conv.overview_objective_panel_ids(len(ctx.panel_ids), position)

    def burn_alert(kind: str, wins: tuple[BurnWindow, ...], sev_name: str) -> BurnAlert:
        sev = severities[sev_name]
        name = conv.objective_alert_name(key, kind)
        expr = " or ".join(
            f"({burn[w.long_ms]} > {number(w.factor)} and {burn[w.short_ms]} > {number(w.factor)})" for w in wins
        )
        conditions = ", or ".join(
            f"{number(w.factor)}x over {window_text(w.long_ms)} and {window_text(w.short_ms)}" for w in wins
        )
        speed = "fast" if kind == "page" else "steadily"
        summary = go_template_literal(f"{title} is spending its error budget {speed}")
        description = "{{ $value | humanize }}" + go_template_literal(
            f"x the sustainable error rate over the long window: {title} (objective "
            f"{_percent(target)} over {window_text(window_ms)}) fires its {kind} at {conditions}."
        )
        rule = AlertRule(
            name,
            expr,
            0,
            sev,
            _alert_labels(ctx, sev, key, labels),
            ctx.annotations(
                summary,
                description,
                ctx.runbook_url(spec.get("runbook"), name, key, sev.name),
                ctx.dashboard_url(burn_panel),
                spec,
                spec.get("annotations"),
            ),
            group,
        )
        return BurnAlert(kind, wins, rule)

    page = burn_alert("page", page_windows, spec.get("page") or page_default)
    ticket = burn_alert("ticket", ticket_windows, spec.get("ticket") or ticket_default)
    absent_sev = ticket.rule.severity
    absent_name = conv.objective_absent_alert_name(key)
    absent = AlertRule(
        absent_name,
        f"absent({events_record})",
        parse_duration(spec.get("absent_for") or ctx.defaults.get("absent_for", "10m")),
        absent_sev,
        _alert_labels(ctx, absent_sev, key, labels),
        ctx.annotations(
            go_template_literal(f"{title} has no data"),
            go_template_literal(
                f"The recording rule {events_record} returns no series: the counters of the objective "
                f"{key} vanished, so its error budget is not measured."
            ),
            ctx.runbook_url(spec.get("runbook"), absent_name, key, absent_sev.name),
            ctx.dashboard_url(sli_panel),
            {},
        ),
        group,
    )
    return Objective(
        key,
        title,
        str(spec.get("description") or ""),
        sli,
        target,
        window_ms,
        str(spec["owner"]) if spec.get("owner") else None,
        ctx.runbook_url(spec.get("runbook"), conv.objective_alert_name(key, "page"), key, page.rule.severity.name),
        labels,
        group,
        base_ms,
        errors_record,
        events_record,
        tuple(ratio_records),
        tuple(burn_records),
        remaining,
        info,
        tuple(records),
        page,
        ticket,
        absent,
    )


def _alert_labels(ctx: _Context, sev: Severity, key: str, own: Labels) -> Labels:
    """The service's and the objective's labels, the severity's, and `objective` for inhibition."""
    out = dict(ctx.labels(sev, sev.priority, None, dict(own)))
    out[conv.OBJECTIVE_LABEL] = key
    return tuple(sorted(out.items()))


def _percent(target: float) -> str:
    text = format(Decimal(repr(target)) * 100, "f")
    return (text.rstrip("0").rstrip(".") if "." in text else text) + "%"
