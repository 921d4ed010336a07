"""Colour steps from alert thresholds: the one place that decides what colour a value gets.

Grafana colours a value with the last step whose value it reaches. Alert rules compare with
>, >=, < or <=. Each step therefore starts at the first value where the alert condition of its
severity (or, for `ok`, of none) holds, so a panel and its alerts never disagree about a number.
"""

from __future__ import annotations

import math

from generator.model.dashboards import Step
from generator.model.indicators import Indicator
from generator.model.service import Severity

OK_COLOR = "ok"
# Severity colours by rank (most severe first); the healthy range is green.
RANK_COLORS = ("red", "orange", "yellow", "blue", "purple")
DEFAULT_OK = "green"


def severity_colors(severities: tuple[Severity, ...], overrides: dict[str, str]) -> dict[str, str]:
    colors = {s.name: RANK_COLORS[min(s.rank, len(RANK_COLORS) - 1)] for s in severities}
    colors[OK_COLOR] = DEFAULT_OK
    colors.update(overrides)
    return colors


def _edge(value: float, op: str) -> float:
    """The first value Grafana must colour as past the threshold: a step applies from its value upwards."""
    # `x > v` alerts from just above v; `x <= v` keeps alerting at v, so the milder colour starts just above.
    return math.nextafter(value, math.inf) if op in (">", "<=") else value


def threshold_steps(ind: Indicator, colors: dict[str, str]) -> tuple[Step, ...]:
    """Colour steps equal to the alert thresholds, in order of severity, for either direction."""
    if not ind.thresholds:
        return (Step(None, colors[OK_COLOR]),)
    if ind.direction == "above":
        mildest_first = tuple(reversed(ind.thresholds))
        return (
            Step(None, colors[OK_COLOR]),
            *(Step(_edge(t.value, t.op), colors[t.severity.name]) for t in mildest_first),
        )
    # below: the lowest values are the most severe; each threshold hands over to the next milder colour.
    severe_first = ind.thresholds
    milder = [*(colors[t.severity.name] for t in severe_first[1:]), colors[OK_COLOR]]
    return (
        Step(None, colors[severe_first[0].severity.name]),
        *(Step(_edge(t.value, t.op), c) for t, c in zip(severe_first, milder, strict=True)),
    )


def spec_steps(raw: list[dict[str, object]]) -> tuple[Step, ...]:
    """A panel's own `steps`: the first is the base colour (minus infinity), the others start at their value."""
    out = [Step(None, str(raw[0]["color"]))]
    out += [Step(float(str(s["value"])), str(s["color"])) for s in raw[1:]]
    return tuple(out)
