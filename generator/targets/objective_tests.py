"""promtool unit tests of every objective's burn-rate alerts, fed with raw series.

Each scenario is steady traffic (100 events a sample) whose error share is `burn x (1 - target)`,
after a clean lead-in just long enough that the windows not under test stay below their factors:

* page: burning at 14.4x (+2%) it fires once the 1h window is full, not 30m into the burn, and
  through that pair (the 6h one is still quiet); likewise at 6x (+2%) once the 6h window is full;
  burning at 10x for two hours it stays silent;
* page, short window: after a burst, the 1h window still burns past 14.4x but the 5m one is
  clean: the page has reset (both windows are required);
* ticket: burning at 3x (+2%) it fires once the 1d window is full and not 2h into the burn (the
  page stays silent); a spike the 2h window sees above 3x (checked) leaves it silent; errors that
  stopped 6h ago still fill the 1d window past 3x, yet the ticket has reset;
* no series at all: the absent-data alert fires after its `for`.

Scenarios a target cannot produce (a 95% target cannot burn faster than 20x) are left out; the
check `objectives/unreachable-burn` warns when a whole condition is out of reach. The series go
through the recording rules, so these tests prove the SLI's PromQL, the derived long windows, the
burn rates and the alert conditions together. tests/test_objectives.py mutates the rules and
checks that these tests notice.
"""

from __future__ import annotations

import posixpath
from dataclasses import dataclass
from typing import Any

from generator import conventions as conv
from generator.model import Model
from generator.model.durations import format_duration
from generator.model.indicators import AlertRule
from generator.model.objectives import BurnAlert, BurnWindow, LatencySli, Objective, RatioSli, Sli
from generator.targets import Output
from generator.targets.prometheus import objective_rule_groups
from generator.targets.promtool_tests import (
    ceil_to,
    labels_text,
    matches,
    num,
    promtool_group,
    selector_labels,
    series_text,
)

EVAL_MS = 15 * 60_000  # the tests' evaluation interval: a day of ticket scenario in ~100 steps
SAMPLE_MS = 2 * 60_000  # a 5m rate always holds two or three samples
EVENTS = 100.0  # events per sample interval
MARGIN = 1.02  # "at 14.4x" is 2% above the factor, clear of rounding in the rate arithmetic
MINUTE = 60_000


@dataclass(frozen=True)
class Series:
    text: str
    kind: str  # "counter" (slopes per sample) | "gauge" (values)
    values: tuple[float, ...]  # one per segment


def solve(sli: Sli, job: str, ratio: float) -> dict[str, tuple[str, float]] | None:
    """Series -> (kind, slope or value) making the SLI's error share `ratio` at EVENTS per sample."""
    if isinstance(sli, LatencySli):
        labels = selector_labels(sli.selector, job, {})
        if labels is None:
            return None
        name = sli.selector.metric.name
        return {
            series_text(name + "_count", labels): ("counter", EVENTS),
            series_text(name + "_bucket", {**labels, "le": sli.le}): ("counter", (1 - ratio) * EVENTS),
        }
    if not isinstance(sli, RatioSli):
        labels = selector_labels(sli.selector, job, {})
        return None if labels is None else {series_text(sli.selector.metric.name, labels): ("gauge", 1 - ratio)}
    counted = sli.good or sli.bad
    share = (1 - ratio) if sli.good else ratio
    found: dict[str, tuple[str, dict[str, str]]] = {}
    for sel in (*counted, *sli.total):
        labels = selector_labels(sel, job, {})
        if labels is None:
            return None
        found.setdefault(series_text(sel.metric.name, labels), (sel.metric.name, labels))
    a = {k: sum(matches(s, lab, n) for s in counted) for k, (n, lab) in found.items()}
    b = {k: sum(matches(s, lab, n) for s in sli.total) for k, (n, lab) in found.items()}
    a1 = sum(a.values())
    b1 = sum(b[k] for k in found if a[k])
    b2 = sum(b[k] for k in found if not a[k])
    x = share * EVENTS / a1  # every counted series at x: the counted events are share x EVENTS
    rest = EVENTS - b1 * x  # the total's other series make up the remaining events
    if b2 == 0:
        if abs(rest) > 1e-9 * EVENTS:
            return None
        y = 0.0
    else:
        y = rest / b2
    if y < 0:
        return None
    return {k: ("counter", x if a[k] else y) for k in sorted(found)}


def profile_series(sli: Sli, job: str, budget: float, segments: list[tuple[int, float]]) -> list[Series] | None:
    """Series for consecutive (minutes, burn) segments; None when a burn is impossible for this SLI."""
    per_segment = []
    for _, burn in segments:
        ratio = burn * budget
        if not 0 <= ratio <= 1:
            return None
        solved = solve(sli, job, ratio)
        if solved is None:
            return None
        per_segment.append(solved)
    return [
        Series(text, per_segment[0][text][0], tuple(seg[text][1] for seg in per_segment))
        for text in sorted(per_segment[0])
    ]


def values_text(s: Series, minutes: list[int]) -> str:
    """promtool's expanding notation, one term per segment, one sample every SAMPLE_MS."""
    parts = []
    level = 0.0
    for i, (m, v) in enumerate(zip(minutes, s.values, strict=True)):
        n = m * MINUTE // SAMPLE_MS
        if s.kind == "gauge":
            parts.append(f"{num(v)}x{n if i == 0 else n - 1}")
        elif i == 0:
            parts.append(f"0+{num(v)}x{n}")
            level = n * v
        else:
            start = level + v
            parts.append(f"{num(start)}+{num(v)}x{n - 1}")
            level = start + (n - 1) * v
    return " ".join(parts)


def step(minutes: float) -> int:
    """Minutes rounded up to the tests' evaluation clock."""
    e = EVAL_MS // MINUTE
    return int(-(-minutes // e) * e)


def quiet_base(burn: float, at: int, others: tuple[BurnWindow, ...], least: int) -> int:
    """The shortest clean lead-in (at least `least`) that keeps every window of `others` below its
    factor at `at` minutes into a burn: the long window then holds the burn diluted by clean time."""
    base = step(least)
    for w in others:
        long = w.long_ms // MINUTE
        # burn x at / (base + at) < 0.9 x factor, once base + at is within the window
        need = burn * at / (0.9 * w.factor) - at
        if need > base and need < long:
            base = step(need)
        elif need >= long:
            base = step(long)
    return base


class _Scenarios:
    def __init__(self, model: Model, obj: Objective) -> None:
        self.obj = obj
        self.job = model.service.job
        self.budget = obj.error_budget
        self.e = EVAL_MS // MINUTE

    def feasible(self, burn: float) -> bool:
        return burn * self.budget <= 1

    def firing(self, rule: AlertRule, at_min: int) -> tuple[str, dict[str, Any]]:
        sel = {"job": self.job, **dict(rule.labels), "alertname": rule.name, "alertstate": "firing"}
        return "promql", {
            "expr": f"count(ALERTS{labels_text(sel)}) > bool 0",
            "eval_time": format_duration(at_min * MINUTE),
            "exp_samples": [{"labels": "{}", "value": 1}],
        }

    @staticmethod
    def silent(rule: AlertRule, at_min: int) -> tuple[str, dict[str, Any]]:
        return "alert", {"alertname": rule.name, "eval_time": format_duration(at_min * MINUTE), "exp_alerts": []}

    def group(
        self, name: str, segments: list[tuple[int, float]], checks: list[tuple[str, dict[str, Any]]]
    ) -> dict[str, Any] | None:
        series = profile_series(self.obj.sli, self.job, self.budget, segments)
        if series is None:
            return None
        minutes = [n for n, _ in segments]
        inputs = [(s.text, values_text(s, minutes)) for s in series]
        return promtool_group(f"objective {self.obj.key}: {name}", SAMPLE_MS, inputs, checks)

    def fires_once_full(
        self, alert: BurnAlert, pair: BurnWindow, other_alert: AlertRule | None, isolate: bool
    ) -> dict[str, Any] | None:
        """Burning just above the pair's factor: silent early, firing once its long window is full.

        With `isolate`, the clean lead-in also keeps the alert's other pairs below their factors
        when it fires, so it fires through this pair. The ticket's pairs cannot be told apart that
        way: 3x for a day is 1x over three days, the other pair's condition, whatever came before.
        """
        burn = pair.factor * MARGIN
        if not self.feasible(burn):
            return None
        long = pair.long_ms // MINUTE
        at = long + self.e
        # Silent once the short window is full: the long windows still hold the clean lead-in.
        early = step(pair.short_ms // MINUTE) + self.e
        base = quiet_base(burn, early, alert.windows, self.e)
        if isolate:
            base = max(base, quiet_base(burn, at, tuple(w for w in alert.windows if w is not pair), self.e))
        checks = [self.silent(alert.rule, base + early), self.firing(alert.rule, base + at)]
        if other_alert is not None:
            checks.append(self.silent(other_alert, base + at))
        return self.group(
            f"burning at {num(pair.factor)}x (+2%) the {alert.kind} fires once the "
            f"{format_duration(pair.long_ms)} window is full, and not {format_duration(early * MINUTE)} "
            "into the burn",
            [(base, 0.0), (at + self.e, burn)],
            checks,
        )

    def page(self, alert: BurnAlert) -> list[dict[str, Any] | None]:
        rule = alert.rule
        fast = alert.windows[0]
        lf, short = fast.long_ms // MINUTE, fast.short_ms // MINUTE
        out = [self.fires_once_full(alert, w, None, isolate=True) for w in alert.windows]
        calm = round(min(10.0, fast.factor * 0.7), 3)
        span = 2 * lf
        base = quiet_base(calm, span, alert.windows, lf)
        out.append(
            self.group(
                f"burning at {num(calm)}x for {format_duration(span * MINUTE)} the page stays silent",
                [(base, 0.0), (span, calm)],
                [self.silent(rule, base + lf + self.e), self.silent(rule, base + span)],
            )
        )
        # A burst that stopped: the long window still holds it, the short one no longer does.
        burst = round(min(30.0, 0.95 / self.budget), 3)
        length = step(lf - short)
        after = step(2 * short)
        if burst * (length - after) / lf > fast.factor * 1.05:
            base = quiet_base(burst, length, alert.windows[1:], lf)
            out.append(
                self.group(
                    f"a {num(burst)}x burst of {format_duration(length * MINUTE)}: the page fires, and resets "
                    f"{format_duration(after * MINUTE)} after it stopped although the "
                    f"{format_duration(fast.long_ms)} window still burns past {num(fast.factor)}x",
                    [(base, 0.0), (length, burst), (after + self.e, 0.0)],
                    [self.firing(rule, base + length), self.silent(rule, base + length + after)],
                )
            )
        return out

    def ticket(self, alert: BurnAlert, page: AlertRule) -> list[dict[str, Any] | None]:
        rule = alert.rule
        first = alert.windows[0]
        short = first.short_ms // MINUTE
        out = [self.fires_once_full(alert, first, page, isolate=False)]
        # Errors that stopped: the 1d window still holds them above 3x, the 2h one is clean and so,
        # once the 6h window is clean too, is the other pair. The ticket has reset.
        last = alert.windows[-1]
        burst = round(min(8.0, 0.95 / self.budget), 3)
        length = step(first.factor * 1.1 * (first.long_ms // MINUTE) / burst)
        after = step(last.short_ms // MINUTE) + self.e
        if burst > first.factor * 1.1 and length + after < first.long_ms // MINUTE:
            out.append(
                self.group(
                    f"{format_duration(length * MINUTE)} at {num(burst)}x: the ticket fires, and has reset "
                    f"{format_duration(after * MINUTE)} after the errors stopped although the "
                    f"{format_duration(first.long_ms)} window still burns past {num(first.factor)}x",
                    [(self.e, 0.0), (length, burst), (after + self.e, 0.0)],
                    [self.firing(rule, self.e + length), self.silent(rule, self.e + length + after)],
                )
            )
        spike = round(min(first.factor * 1.15, 0.95 / self.budget), 3)
        if spike > first.factor * 1.1:
            record = self.obj.burn_rate_record(first.short_ms)
            base = quiet_base(spike, short, alert.windows, short)
            out.append(
                self.group(
                    f"a {num(spike)}x spike of {format_duration(first.short_ms)} that only the short window sees: "
                    "the ticket stays silent",
                    [(base, 0.0), (short, spike), (short + self.e, 0.0)],
                    [
                        (
                            "promql",
                            {
                                "expr": f"{record} > bool {num(first.factor)}",
                                "eval_time": format_duration((base + short) * MINUTE),
                                "exp_samples": [{"labels": labels_text({"job": self.job}), "value": 1}],
                            },
                        ),
                        self.silent(rule, base + short),
                        self.silent(rule, base + 2 * short),
                        self.silent(self.obj.absent, base + 2 * short),
                    ],
                )
            )
        return out

    def absent(self) -> dict[str, Any]:
        rule = self.obj.absent
        fire = ceil_to(rule.for_ms, EVAL_MS)
        g: dict[str, Any] = {
            "name": f"objective {self.obj.key}: no series at all; the absent-data alert fires after its `for`",
            "interval": format_duration(SAMPLE_MS),
            "input_series": [],  # written out: the test file schema editors use requires the key
        }
        if fire:
            g["alert_rule_test"] = [
                {"alertname": rule.name, "eval_time": format_duration(fire - EVAL_MS), "exp_alerts": []}
            ]
        sel = {**dict(rule.labels), "alertname": rule.name, "alertstate": "firing"}
        g["promql_expr_test"] = [
            {
                "expr": f"count(ALERTS{labels_text(sel)}) > bool 0",
                "eval_time": format_duration(fire),
                "exp_samples": [{"labels": "{}", "value": 1}],
            }
        ]
        return g

    def all(self) -> list[dict[str, Any]]:
        groups = [*self.page(self.obj.page), *self.ticket(self.obj.ticket, self.obj.page.rule), self.absent()]
        return [g for g in groups if g is not None]


def render(model: Model) -> list[Output]:
    """Per objective: its rules alone (as in rules.yml) and the tests that replay days of samples
    through them. promtool evaluates every rule of a test file at every step, so one file per
    objective keeps each scenario's cost to the rules it exercises."""
    out = []
    name = model.service.name
    for obj in model.objectives:
        rules_path = conv.objective_rules_testdata_path(name, obj.key)
        test_path = conv.objective_test_path(name, obj.key)
        doc = {
            "rule_files": [posixpath.relpath(rules_path, posixpath.dirname(test_path))],
            "evaluation_interval": format_duration(EVAL_MS),
            "tests": _Scenarios(model, obj).all(),
        }
        out.append(Output(rules_path, "yaml", {"groups": objective_rule_groups(model, obj)}, model.source))
        out.append(Output(test_path, "yaml", doc, model.source))
    return out
