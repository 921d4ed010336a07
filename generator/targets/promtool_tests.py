"""`promtool test rules` unit tests for every alert the model defines.

For an indicator with thresholds T0 (most severe) .. Tk-1 the tests are:

* one group per level L: the recorded value sits on the safe side until a crossing time C, then
  moves past T_L but not past the more severe T_L-1. Every level crossed must be silent one
  evaluation before C + for and firing at C + for, with its exact labels and annotations; the
  levels not crossed stay silent. This is "fires exactly after `for`" and "only the levels crossed".
* one group where the value stays exactly on the least severe threshold (or just short of it for
  inclusive comparisons): nothing fires.
* for the structured kinds, one group fed with raw metric series (counters, histogram buckets,
  gauges) in steady state: the recording rule must compute the intended value and exactly the
  crossed levels fire. It proves the PromQL, not just the comparison.
* absent-data alerts fire after their `for` without series and stay silent with them.
* free-form alerts fire with the spec's `firing` series and stay silent with its `silent` ones.

The value-level groups inject the recording rule's output series directly. That is sound because
a recording rule over absent inputs writes nothing, so the injected series is what the alert reads.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from generator import conventions as conv
from generator.humanize import Unrenderable, render_template
from generator.model import Model
from generator.model.durations import format_duration
from generator.model.indicators import (
    AlertRule,
    GaugeQuery,
    Indicator,
    QuantileQuery,
    RateQuery,
    RatioQuery,
    RawQuery,
)
from generator.model.metrics import Matcher, Selector
from generator.model.promql import quote
from generator.targets import Output

BREAKDOWN_VALUE = "test"
# promtool replays every rule at every evaluation step; raw-series tests that would need more
# steps than this move to a second file evaluated on a coarser clock.
MAX_STEPS = 400


def num(v: float) -> str:
    """A float in promtool's series notation: exact, and never in exponent form."""
    if not math.isfinite(v):
        return "NaN" if math.isnan(v) else ("Inf" if v > 0 else "-Inf")
    if v == int(v) and abs(v) < 1e15:
        return str(int(v))
    text = format(Decimal(repr(v)), "f")
    return text.rstrip("0").rstrip(".") if "." in text else text


def nice_between(a: float, b: float) -> float:
    """A short decimal strictly between a and b, so annotations humanize to readable numbers."""
    lo, hi = min(a, b), max(a, b)
    mid = (lo + hi) / 2
    for digits in range(0, 12):
        candidate = round(mid, digits)
        if lo < candidate < hi:
            return candidate
    return mid


def beyond(t: float, direction: str) -> float:
    step = max(abs(t), 1.0) * 0.5
    return t + step if direction == "above" else t - step


def safe_value(t: float, direction: str, inclusive: bool) -> float:
    """The value closest to the threshold that must not fire: the threshold itself for > and <."""
    if not inclusive:
        return t
    step = max(abs(t) * 0.01, 0.001)
    return nice_between(t, t - step if direction == "above" else t + step)


def crossing_value(ind: Indicator, level: int) -> float:
    t = ind.thresholds
    if level == 0:
        return beyond(t[0].value, ind.direction)
    return nice_between(t[level].value, t[level - 1].value)


def ceil_to(ms: int, step: int) -> int:
    return -(-ms // step) * step


def promtool_group(
    name: str, interval_ms: int, series: list[tuple[str, str]], checks: list[tuple[str, dict[str, Any]]]
) -> dict[str, Any]:
    """One promtool test group: its series, then its alert checks and its PromQL checks."""
    g: dict[str, Any] = {"name": name, "interval": format_duration(interval_ms)}
    # Written out even when empty: the test file schema editors use requires the key.
    g["input_series"] = [{"series": s, "values": v} for s, v in series]
    alerts = [c for kind, c in checks if kind == "alert"]
    exprs = [c for kind, c in checks if kind == "promql"]
    if alerts:
        g["alert_rule_test"] = alerts
    if exprs:
        g["promql_expr_test"] = exprs
    return g


@dataclass(frozen=True, slots=True)
class _State:
    """When an alert of a test group fires (None: never) and the series and value it fires for."""

    fire_ms: int | None
    labels: dict[str, str]
    value: float


@dataclass
class _Schedule:
    """The alerts of one test group: when each fires, and the times a check looks at them."""

    states: dict[AlertRule, _State] = field(default_factory=dict)
    points: list[tuple[AlertRule, int]] = field(default_factory=list)

    def fires(self, rule: AlertRule, at: int | None, labels: dict[str, str], value: float) -> None:
        self.states[rule] = _State(at, labels, value)

    def watch(self, rule: AlertRule, at: int) -> None:
        self.points.append((rule, at))

    def firing(self, rule: AlertRule, at: int) -> bool:
        fire = self.states[rule].fire_ms
        return fire is not None and fire <= at

    def extend(self, other: _Schedule) -> None:
        self.states.update(other.states)
        self.points.extend(other.points)


@dataclass(frozen=True)
class Clock:
    """Test timing: rules are evaluated every `eval_ms` (promtool ignores group intervals)."""

    eval_ms: int
    start_ms: int  # the crossing time C, a multiple of every interval involved

    def fire_at(self, for_ms: int) -> int:
        return self.start_ms + ceil_to(for_ms, self.eval_ms)


def series_text(name: str, labels: dict[str, str]) -> str:
    inner = ", ".join(f"{k}={quote(v)}" for k, v in sorted(labels.items()))
    return f"{name}{{{inner}}}"


def labels_text(labels: dict[str, str]) -> str:
    return "{" + ", ".join(f"{k}={quote(v)}" for k, v in sorted(labels.items())) + "}"


class _Builder:
    def __init__(self, model: Model, eval_ms: int | None = None) -> None:
        """`eval_ms` sets a coarser clock, for alerts whose `for` would need too many steps."""
        self.model = model
        self.job = model.service.job
        intervals = [g.interval_ms for g in model.groups] or [model.prometheus.evaluation_interval_ms]
        self.eval_ms = eval_ms or min(intervals)
        lcm = self.eval_ms
        for i in intervals:
            lcm = lcm * i // math.gcd(lcm, i)
        # Start after ten evaluations so the safe value is established long before the crossing.
        self.clock = Clock(self.eval_ms, ceil_to(10 * self.eval_ms, lcm))

    # -- expected alerts --------------------------------------------------------------------------
    def expected(self, rule: AlertRule, series_labels: dict[str, str], value: float) -> dict[str, Any] | None:
        # A label set to "" is no label: Prometheus drops it from the alert (and from the series).
        labels = {k: v for k, v in {**series_labels, **dict(rule.labels)}.items() if v != ""}
        try:
            annotations = {k: render_template(v, value, series_labels) for k, v in rule.annotations}
        except Unrenderable:
            return None
        return {"exp_labels": labels, "exp_annotations": annotations}

    def firing_check(
        self, rule: AlertRule, at: int, series_labels: dict[str, str], value: float
    ) -> tuple[str, dict[str, Any]]:
        exp = self.expected(rule, series_labels, value)
        if exp is None:  # annotations use template features we cannot predict: check labels via ALERTS
            sel = {**series_labels, **dict(rule.labels), "alertname": rule.name, "alertstate": "firing"}
            return "promql", {
                "expr": f"count(ALERTS{labels_text(sel)}) > bool 0",
                "eval_time": format_duration(at),
                "exp_samples": [{"labels": "{}", "value": 1}],
            }
        return "alert", {"alertname": rule.name, "eval_time": format_duration(at), "exp_alerts": [exp]}

    @staticmethod
    def silent_check(rule: AlertRule, at: int) -> tuple[str, dict[str, Any]]:
        return "alert", {"alertname": rule.name, "eval_time": format_duration(at), "exp_alerts": []}

    group = staticmethod(promtool_group)

    # -- indicator groups -------------------------------------------------------------------------
    def record_labels(self, ind: Indicator) -> dict[str, str]:
        return {"job": self.job, **breakdown_values(ind)}

    def step_series(self, ind: Indicator, before: float, after: float, until_ms: int) -> tuple[str, str]:
        c = self.clock
        n_before = c.start_ms // c.eval_ms - 1
        n_after = (until_ms - c.start_ms) // c.eval_ms + 2
        return series_text(ind.record, self.record_labels(ind)), f"{num(before)}x{n_before} {num(after)}x{n_after}"

    def level_checks(self, ind: Indicator, level: int, end: int) -> tuple[tuple[str, str], _Schedule]:
        """Series and alert states for one indicator whose value crosses threshold `level` at C."""
        th = ind.thresholds
        value = crossing_value(ind, level)
        safe = safe_value(th[-1].value, ind.direction, ind.inclusive)
        labels = self.record_labels(ind)
        schedule = _Schedule()
        for t in th[level:]:
            fire = self.clock.fire_at(t.alert.for_ms)
            schedule.fires(t.alert, fire, labels, value)
            schedule.watch(t.alert, fire - self.eval_ms)
            schedule.watch(t.alert, fire)
        for t in th[:level]:
            schedule.fires(t.alert, None, labels, value)
        for t in th[:level]:
            schedule.watch(t.alert, end)
        return self.step_series(ind, safe, value, end), schedule

    def alert_checks(self, schedule: _Schedule) -> list[tuple[str, dict[str, Any]]]:
        """One check per alert name and time, expecting every alert of that name firing by then.

        promtool compares all alerts of a name at once, so thresholds that share a name (a warning
        and a critical of one condition) are expected together. When an annotation of one of them
        cannot be predicted, each is checked on its own through ALERTS and its severity label.
        """
        named: dict[str, list[AlertRule]] = {}
        for rule in schedule.states:
            named.setdefault(rule.name, []).append(rule)
        out: list[tuple[str, dict[str, Any]]] = []
        seen: set[tuple[str, int]] = set()
        for rule, at in schedule.points:
            if (rule.name, at) in seen:
                continue
            seen.add((rule.name, at))
            siblings = named[rule.name]
            firing = [r for r in siblings if schedule.firing(r, at)]
            if len(siblings) == 1:
                s = schedule.states[rule]
                out.append(self.firing_check(rule, at, s.labels, s.value) if firing else self.silent_check(rule, at))
                continue
            expected = [self.expected(r, schedule.states[r].labels, schedule.states[r].value) for r in firing]
            if all(e is not None for e in expected):
                check = {"alertname": rule.name, "eval_time": format_duration(at), "exp_alerts": expected}
                out.append(("alert", check))
                continue
            for r in siblings:
                sel = {**schedule.states[r].labels, **dict(r.labels), "alertname": r.name, "alertstate": "firing"}
                samples = [{"labels": "{}", "value": 1}] if r in firing else []
                out.append(
                    (
                        "promql",
                        {
                            "expr": f"count(ALERTS{labels_text(sel)}) > bool 0",
                            "eval_time": format_duration(at),
                            "exp_samples": samples,
                        },
                    )
                )
        return out

    def horizon(self, inds: list[Indicator]) -> int:
        return max(self.clock.fire_at(t.alert.for_ms) for ind in inds for t in ind.thresholds) + self.eval_ms

    def value_groups(self, inds: list[Indicator], label: str) -> list[dict[str, Any]]:
        """Level, silent and absent cases for indicators that can share groups (no reads between them).

        Each indicator contributes its own recording rule series, so sharing a group changes no
        indicator's input; it only saves promtool from replaying the whole rule file per case.
        """
        out = []
        end = self.horizon(inds) if inds else 0
        for level in range(max((len(i.thresholds) for i in inds), default=0)):
            series, names = [], []
            schedule = _Schedule()
            for ind in inds:
                if level < len(ind.thresholds):
                    s, sch = self.level_checks(ind, level, end)
                    series.append(s)
                    schedule.extend(sch)
                    names.append(f"{ind.key} crosses {ind.thresholds[level].severity.name}")
            out.append(
                self.group(
                    f"{label}: each recorded value moves from its safe side past one threshold at "
                    f"{format_duration(self.clock.start_ms)}; exactly the levels crossed fire after their `for` ("
                    + "; ".join(names)
                    + ")",
                    self.eval_ms,
                    series,
                    self.alert_checks(schedule),
                )
            )
        series, names = [], []
        schedule = _Schedule()
        for ind in inds:
            safe = safe_value(ind.thresholds[-1].value, ind.direction, ind.inclusive)
            series.append(self.step_series(ind, safe, safe, end))
            for t in ind.thresholds:
                schedule.fires(t.alert, None, self.record_labels(ind), safe)
                schedule.watch(t.alert, self.clock.fire_at(t.alert.for_ms))
                schedule.watch(t.alert, end)
            if ind.absent is not None:
                schedule.fires(ind.absent, None, {}, safe)
                schedule.watch(ind.absent, end)
            names.append(f"{ind.key} = {num(safe)}")
        if inds:
            out.append(
                self.group(
                    f"{label}: every recorded value sits on the safe side of its least severe "
                    f"threshold; nothing fires (" + "; ".join(names) + ")",
                    self.eval_ms,
                    series,
                    self.alert_checks(schedule),
                )
            )
        absents = [i.absent for i in inds if i.absent is not None]
        if absents:
            checks = []
            for rule in absents:
                # No series from the first evaluation at 0s on: pending at 0, firing once `for` passed.
                fire = ceil_to(rule.for_ms, self.eval_ms)
                if fire:
                    checks.append(self.silent_check(rule, fire - self.eval_ms))
                checks.append(self.firing_check(rule, fire, {}, 1.0))
            out.append(
                self.group(
                    f"{label}: no series at all; every absent-data alert fires after its `for`",
                    self.eval_ms,
                    [],
                    checks,
                )
            )
        return out

    # -- raw metric chain ---------------------------------------------------------------------------
    def chain_steps(self, ind: Indicator) -> int:
        window = getattr(ind.query, "window_ms", 0)
        return (window + max(t.alert.for_ms for t in ind.thresholds)) // self.eval_ms

    def chain_group(self, ind: Indicator, eval_ms: int) -> dict[str, Any] | None:
        th = ind.thresholds
        level = len(th) - 1 if len(th) > 1 else 0
        value = crossing_value(ind, level)
        window = getattr(ind.query, "window_ms", 0)
        # Real scrapes where the window allows; sparser samples for long windows (a linear
        # counter gives the same rate at any spacing) so one query stays within promtool's limits.
        scrape = max(
            self.model.service.scrape.interval_ms, ceil_to(window // 240, self.model.service.scrape.interval_ms)
        )
        series = raw_series(ind, self.job, value, scrape)
        if series is None:
            return None
        settle = ceil_to(window + 2 * scrape, eval_ms)
        crossed = th[level:]
        at = ceil_to(settle + max(ceil_to(t.alert.for_ms, eval_ms) for t in crossed) + 2 * eval_ms, eval_ms)
        samples = at // scrape + 2
        input_series = [(sel, values.format(n=samples)) for sel, values in series]
        labels = self.record_labels(ind)
        tolerance = 10.0 ** (math.floor(math.log10(max(abs(value), 1e-3))) - 6)
        firing = Counter(t.alert.name for t in crossed)  # thresholds may share a name (warning, critical)
        checks: list[tuple[str, dict[str, Any]]] = [
            (
                "promql",
                {
                    "expr": f"abs({ind.record} - {num(value)}) <= bool {num(tolerance)}",
                    "eval_time": format_duration(at),
                    "exp_samples": [{"labels": labels_text(labels), "value": 1}],
                },
            ),
            (
                "promql",
                {
                    "expr": (
                        f'count by (alertname) (ALERTS{{alertstate="firing", {conv.INDICATOR_LABEL}={quote(ind.key)}, '
                        f'{conv.ESCALATION_LABEL}=""}})'
                    ),
                    "eval_time": format_duration(at),
                    "exp_samples": [
                        {"labels": labels_text({"alertname": n}), "value": firing[n]} for n in sorted(firing)
                    ],
                },
            ),
        ]
        name = (
            f"{ind.key}: raw series in steady state give {ind.record} = {num(value)}; "
            f"exactly {', '.join(t.severity.name for t in crossed)} fire"
        )
        return self.group(name, scrape, input_series, checks)

    # -- escalation tiers ---------------------------------------------------------------------------
    def escalation_groups(self) -> list[dict[str, Any]]:
        """Each escalated copy is silent one evaluation before `for` + `after` and fires at it."""
        routing = self.model.routing
        if routing is None or not routing.escalated:
            return []
        copies: dict[tuple[str, tuple[tuple[str, str], ...]], list[AlertRule]] = {}
        for rule in routing.escalated:
            base = tuple((k, v) for k, v in rule.labels if k != conv.ESCALATION_LABEL)
            copies.setdefault((rule.name, base), []).append(rule)
        out = []
        for ind in self.model.indicators:
            for level, th in enumerate(ind.thresholds):
                tiers = copies.get((th.alert.name, th.alert.labels), [])
                if not tiers:
                    continue
                end = max(self.clock.fire_at(r.for_ms) for r in tiers) + self.eval_ms
                value = crossing_value(ind, level)
                safe = safe_value(ind.thresholds[-1].value, ind.direction, ind.inclusive)
                checks: list[tuple[str, dict[str, Any]]] = []
                for rule in tiers:
                    sel = {**self.record_labels(ind), **dict(rule.labels), "alertname": rule.name}
                    sel["alertstate"] = "firing"
                    expr = f"count(ALERTS{labels_text(sel)})"
                    fire = self.clock.fire_at(rule.for_ms)
                    checks.append(
                        ("promql", {"expr": expr, "eval_time": format_duration(fire - self.eval_ms), "exp_samples": []})
                    )
                    checks.append(
                        (
                            "promql",
                            {
                                "expr": expr,
                                "eval_time": format_duration(fire),
                                "exp_samples": [{"labels": "{}", "value": 1}],
                            },
                        )
                    )
                tier_names = ", ".join(dict(r.labels)[conv.ESCALATION_LABEL] for r in tiers)
                out.append(
                    self.group(
                        f"{th.alert.name}: held past its threshold, it escalates to {tier_names} "
                        "exactly when `for` plus each tier's delay has passed",
                        self.eval_ms,
                        [self.step_series(ind, safe, value, end)],
                        checks,
                    )
                )
        return out

    # -- free-form alerts ---------------------------------------------------------------------------
    def free_groups(self) -> list[dict[str, Any]]:
        out = []
        for alert in self.model.alerts:
            if alert.test is None:
                continue
            rule, t = alert.rule, alert.test
            at = ceil_to(t.at_ms, self.eval_ms)
            firing = {"alertname": rule.name, "alertstate": "firing"}
            out.append(
                self.group(
                    f"{rule.name}: fires with the spec's firing series",
                    t.interval_ms,
                    list(t.firing),
                    [
                        (
                            "promql",
                            {
                                "expr": f"count(ALERTS{labels_text(firing)}) > bool 0",
                                "eval_time": format_duration(at),
                                "exp_samples": [{"labels": "{}", "value": 1}],
                            },
                        )
                    ],
                )
            )
            if t.silent:
                out.append(
                    self.group(
                        f"{rule.name}: stays silent with the spec's silent series",
                        t.interval_ms,
                        list(t.silent),
                        [("alert", {"alertname": rule.name, "eval_time": format_duration(at), "exp_alerts": []})],
                    )
                )
        return out

    def build(self) -> tuple[dict[str, Any], dict[str, Any] | None]:
        """The main test file, and one with a coarser clock for long windows and long `for`s."""
        with_thresholds = [i for i in self.model.indicators if i.thresholds]
        records = {i.record for i in self.model.indicators}
        # An alert held for days (`for: 1w`) would make promtool replay every rule at every step
        # of the main clock for that long: such indicators are tested on the coarser clock.
        slow = [i for i in with_thresholds if self.horizon([i]) // self.eval_ms > MAX_STEPS]
        slow_keys = {i.key for i in slow}
        shared = [i for i in with_thresholds if not reads_records(i, records) and i.key not in slow_keys]
        shared_keys = {i.key for i in shared}
        alone = [i for i in with_thresholds if i.key not in shared_keys and i.key not in slow_keys]
        tests: list[dict[str, Any]] = self.value_groups(shared, "indicators")
        for ind in alone:
            tests.extend(self.value_groups([ind], ind.key))
        long = [i for i in with_thresholds if self.chain_steps(i) > MAX_STEPS]
        long_keys = {i.key for i in long}
        long_eval_ms = max(
            (ceil_to(self.chain_steps(i) * self.eval_ms // MAX_STEPS, self.eval_ms) for i in long), default=self.eval_ms
        )
        long_eval_ms = max([long_eval_ms, *(ceil_to(self.horizon([i]) // MAX_STEPS, self.eval_ms) for i in slow)])
        long_tests: list[dict[str, Any]] = []
        if slow:
            coarse = _Builder(self.model, long_eval_ms)
            for ind in slow:
                long_tests.extend(coarse.value_groups([ind], ind.key))
        for ind in with_thresholds:
            chain = self.chain_group(ind, long_eval_ms if ind.key in long_keys else self.eval_ms)
            if chain is not None:
                (long_tests if ind.key in long_keys else tests).append(chain)
        tests.extend(self.free_groups())
        tests.extend(self.escalation_groups())
        main = {"rule_files": ["rules.yml"], "evaluation_interval": format_duration(self.eval_ms), "tests": tests}
        if not long_tests:
            return main, None
        return main, {
            "rule_files": ["rules.yml"],
            "evaluation_interval": format_duration(long_eval_ms),
            "tests": long_tests,
        }


def reads_records(ind: Indicator, records: set[str]) -> bool:
    """Whether a raw-expression indicator reads another indicator's recording rule."""
    if not isinstance(ind.query, RawQuery):
        return False
    from generator.promql_check import parse

    return any(n in records and n != ind.record for n in parse(ind.query.expr).metric_names)


# -- synthetic raw series ---------------------------------------------------------------------------
def example_label_value(m: Matcher) -> str | None:
    """A label value the matcher accepts, or None when no simple one exists."""
    if m.op == "=":
        return m.value
    if m.op == "!=":
        return "other" if m.value != "other" else "another"
    first = m.value.split("|")[0]
    if m.op == "=~" and first and all(ch.isalnum() or ch in "_-. " for ch in first):
        return first
    if m.op == "!~":
        return "zz_monspec_test"
    return None


def matches(sel: Selector, labels: dict[str, str], name: str) -> bool:
    import re

    if name != sel.metric.name:
        return False
    for m in sel.matchers:
        v = labels.get(m.label, "")
        if (m.op == "=" and v != m.value) or (m.op == "!=" and v == m.value):
            return False
        if (m.op == "=~" and not re.fullmatch(m.value, v)) or (m.op == "!~" and re.fullmatch(m.value, v)):
            return False
    return True


def _selectors(ind: Indicator) -> tuple[Selector, ...]:
    q = ind.query
    if isinstance(q, RatioQuery):
        return (*q.numerators, *q.denominators)
    if isinstance(q, RateQuery | QuantileQuery | GaugeQuery):
        return (q.selector,)
    return ()


def breakdown_values(ind: Indicator) -> dict[str, str]:
    """The value each `by` label takes in tests: one a filter on that label accepts, else a fixed word."""
    out = {}
    for label in ind.by:
        value = BREAKDOWN_VALUE
        for sel in _selectors(ind):
            for m in sel.matchers:
                if m.label == label and (v := example_label_value(m)) is not None:
                    value = v
        out[label] = value
    return out


def selector_labels(sel: Selector, job: str, by: dict[str, str]) -> dict[str, str] | None:
    labels = {"job": job, **by}
    for m in sel.matchers:
        v = labels.get(m.label) if m.label in by else example_label_value(m)
        if v is None or not matches(Selector(sel.metric, (m,)), {m.label: v}, sel.metric.name):
            return None
        labels[m.label] = v
    return labels


def counter(slope_per_s: float, interval_ms: int) -> str:
    return "0+" + num(slope_per_s * interval_ms / 1000) + "x{n}"


def raw_series(ind: Indicator, job: str, value: float, interval_ms: int) -> list[tuple[str, str]] | None:
    """Input series (values with a {n} sample-count placeholder) that drive the indicator to `value`."""
    q = ind.query
    by = breakdown_values(ind)
    if isinstance(q, GaugeQuery):
        labels = selector_labels(q.selector, job, by)
        return None if labels is None else [(series_text(q.selector.metric.name, labels), num(value) + "x{n}")]
    if isinstance(q, RateQuery):
        labels = selector_labels(q.selector, job, by)
        if labels is None or value < 0:
            return None
        slope = value if q.function == "rate" else value / (q.window_ms / 1000)
        return [(series_text(q.selector.metric.name, labels), counter(slope, interval_ms))]
    if isinstance(q, QuantileQuery):
        labels = selector_labels(q.selector, job, by)
        if labels is None or value <= 0:
            return None
        upper = value / q.q
        name = q.selector.metric.name + "_bucket"
        return [
            (series_text(name, {**labels, "le": num(upper)}), counter(1.0, interval_ms)),
            (series_text(name, {**labels, "le": "+Inf"}), counter(1.0, interval_ms)),
        ]
    if isinstance(q, RatioQuery):
        return ratio_series(q, job, by, value, interval_ms)
    return None


def ratio_series(
    q: RatioQuery, job: str, by: dict[str, str], r: float, interval_ms: int
) -> list[tuple[str, str]] | None:
    """One series per distinct selector; numerator series get slope p, the others 1, solved for p."""
    if not 0 <= r < 1:
        return None
    series: dict[str, tuple[str, dict[str, str]]] = {}
    for sel in (*q.numerators, *q.denominators):
        labels = selector_labels(sel, job, by)
        if labels is None:
            return None
        series.setdefault(series_text(sel.metric.name, labels), (sel.metric.name, labels))

    def weight(sels: tuple[Selector, ...], name: str, labels: dict[str, str]) -> int:
        return sum(matches(s, labels, name) for s in sels)

    a = {k: weight(q.numerators, n, lab) for k, (n, lab) in series.items()}
    b = {k: weight(q.denominators, n, lab) for k, (n, lab) in series.items()}
    a1 = sum(a[k] for k in series if a[k])
    b1 = sum(b[k] for k in series if a[k])
    b2 = sum(b[k] for k in series if not a[k])
    if b2 == 0 or a1 - r * b1 <= 0:
        return None
    p = r * b2 / (a1 - r * b1)
    slope = {k: (p if a[k] else 1.0) for k in series}
    if q.function == "increase":
        slope = {k: s / (q.window_ms / 1000) for k, s in slope.items()}
    return [(k, counter(slope[k], interval_ms)) for k in sorted(series)]


def render(model: Model) -> list[Output]:
    if not model.alert_rules():
        return []
    main, long = _Builder(model).build()
    out = []
    if main["tests"]:  # objectives alone are tested in their own file (objective_tests)
        out.append(Output(conv.rules_test_path(model.service.name), "yaml", main, model.source))
    if long is not None:
        out.append(Output(conv.rules_long_test_path(model.service.name), "yaml", long, model.source))
    return out
