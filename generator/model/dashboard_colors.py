"""Colour steps from alert thresholds: the one place that decides what colour a value gets.

Grafana colours a value with the last step whose value it reaches (value >= step). Alert rules
compare with >, >=, < or <=. Each step starts at its threshold as written in the spec; where the
comparison leaves the threshold itself on the other side (`>` above, `<=` below), a value mapping
of that exact number keeps the colour before the step, so a panel and its alerts never disagree
about a number, and the dashboard reads `40`, not the next float `40.00000000000001`.
"""

from __future__ import annotations

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


def _step(value: float, op: str, color: str, before: str) -> Step:
    """A step at the threshold itself; `before` stays the colour of the threshold when the alert
    comparison excludes it (`x > v` does not fire at v; `x <= v` still fires at v)."""
    return Step(value, color, before if op in (">", "<=") else None)


def threshold_steps(ind: Indicator, colors: dict[str, str]) -> tuple[Step, ...]:
    """Colour steps equal to the alert thresholds, in order of severity, for either direction."""
    if not ind.thresholds:
        return (Step(None, colors[OK_COLOR]),)
    if ind.direction == "above":
        mildest_first = tuple(reversed(ind.thresholds))
        shades = [colors[OK_COLOR], *(colors[t.severity.name] for t in mildest_first)]
        return (
            Step(None, shades[0]),
            *(_step(t.value, t.op, shades[i + 1], shades[i]) for i, t in enumerate(mildest_first)),
        )
    # below: the lowest values are the most severe; each threshold hands over to the next milder colour.
    severe_first = ind.thresholds
    shades = [*(colors[t.severity.name] for t in severe_first), colors[OK_COLOR]]
    return (
        Step(None, shades[0]),
        *(_step(t.value, t.op, shades[i + 1], shades[i]) for i, t in enumerate(severe_first)),
    )


def spec_steps(raw: list[dict[str, object]]) -> tuple[Step, ...]:
    """A panel's own `steps`: the first is the base colour (minus infinity), the others start at their value."""
    out = [Step(None, str(raw[0]["color"]))]
    out += [Step(float(str(s["value"])), str(s["color"])) for s in raw[1:]]
    return tuple(out)
