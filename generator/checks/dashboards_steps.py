"""dashboards/steps: a panel's own colour steps are ascending, start with a base colour, and colour no alert.

The colours of an indicator panel (or of a raw panel with `thresholds`) are its alert thresholds,
so `steps` there would let a panel disagree with its alerts: it is an error. `steps` is for raw
panels that no alert stands behind, such as a guide's "0 green / 10 yellow / 50 red" on a count.
Also `dashboards/color-mode`: `color_mode` only means something on a stat panel.

Pass::

    panels:
      - title: Authentication Failures
        type: stat
        query: sum(increase(clawdbot_auth_failure_total{job="$job"}[24h]))
        steps: [{color: green}, {value: 10, color: yellow}, {value: 50, color: red}]
        color_mode: value

Fail (the base step has a value, and the values go down)::

        steps: [{value: 0, color: green}, {value: 50, color: red}, {value: 10, color: yellow}]
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks import _spec
from generator.checks.dashboards_refs import panels
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey

NAME = "dashboards/steps"


def _step_errors(doc: Document, steps: list[Any], path: PathKey) -> Iterator[Diagnostic]:
    if "value" in steps[0]:
        yield error(
            NAME,
            "the first step is the base colour, from minus infinity: it takes no `value`",
            doc.key_span((*path, 0, "value")),
            "remove `value` from the first step; the next step starts where the base colour ends",
        )
    previous: float | None = None
    for i, step in enumerate(steps[1:], start=1):
        value = step.get("value")
        if not isinstance(value, int | float):
            yield error(
                NAME, f"step {i + 1} has no `value`", doc.span((*path, i)), "every step but the first starts at a value"
            )
            continue
        if previous is not None and value <= previous:
            yield error(
                NAME,
                f"step values must ascend: {value:g} is not above {previous:g}",
                doc.span((*path, i, "value")),
                "Grafana colours a value with the last step it reaches; list the steps from low to high",
            )
        previous = float(value)


def _default_type(doc: Document, panel: dict[str, Any]) -> str:
    """An indicator panel is a stat unless its indicator has a breakdown (dashboards.md)."""
    ind = _spec.section(doc, "indicators").get(str(panel.get("indicator", "")))
    return "" if not isinstance(ind, dict) else "timeseries" if ind.get("by") else "stat"


def check(doc: Document) -> Iterator[Diagnostic]:
    for panel, path in panels(doc):
        steps = panel.get("steps")
        if isinstance(steps, list) and steps:
            for key in ("indicator", "thresholds"):
                if key in panel:
                    yield error(
                        NAME,
                        f"a panel with `{key}` is coloured by that indicator's alert thresholds",
                        doc.key_span((*path, "steps")),
                        "remove `steps`; colours that no alert stands behind belong on a raw panel",
                    )
            if "text" in panel or "logs" in panel:
                yield error(
                    NAME,
                    "a text or logs panel has no colour steps",
                    doc.key_span((*path, "steps")),
                    "remove `steps`",
                )
            yield from _step_errors(doc, steps, (*path, "steps"))
        ptype = panel.get("type") or _default_type(doc, panel)
        if "color_mode" in panel and ptype != "stat":
            yield error(
                "dashboards/color-mode",
                "`color_mode` applies to stat panels only",
                doc.key_span((*path, "color_mode")),
                "set `type: stat`, or remove `color_mode`",
            )
