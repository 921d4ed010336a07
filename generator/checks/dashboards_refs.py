"""dashboards/unknown-indicator: dashboard panels name indicators and severities the spec defines.

Also checks that a panel's type fits what it shows (`dashboards/wrong-panel-type`: a text panel
shows markdown, a logs panel a LogQL query, the other types metrics) and that raw panels have a
title (`dashboards/missing-title`).

Pass::

    indicators: {gateway_up: {expr: 'up{job="clawdbot"}', direction: below, thresholds: {critical: 1}}}
    dashboards:
      boards: {security: {title: Security, rows: [{panels: [{indicator: gateway_up}]}]}}

Fail (misspelt indicator)::

    dashboards:
      boards: {security: {title: Security, rows: [{panels: [{indicator: gateway_upp}]}]}}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks import _spec
from generator.conventions import OVERVIEW_DASHBOARD
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey
from generator.model.dashboards import METRIC_PANEL_TYPES
from generator.schema import did_you_mean

NAME = "dashboards/unknown-indicator"
_OK_COLOR = "ok"


def panels(doc: Document) -> Iterator[tuple[dict[str, Any], PathKey]]:
    """Every panel of every board, with its path."""
    boards = _spec.section(doc, "dashboards").get("boards")
    for key, board in (boards if isinstance(boards, dict) else {}).items():
        for r, row in enumerate(board.get("rows") or ()):
            for i, panel in enumerate(row.get("panels") or ()):
                yield panel, ("dashboards", "boards", key, "rows", r, "panels", i)


def _content(panel: dict[str, Any]) -> str:
    return "text" if "text" in panel else "logs" if "logs" in panel else "metrics"


_SHOWN = {"text": "markdown text", "logs": "log lines", "metrics": "metrics"}


def check(doc: Document) -> Iterator[Diagnostic]:
    indicators = list(_spec.section(doc, "indicators"))
    known = set(indicators)
    section = _spec.section(doc, "dashboards")
    severities = list(_spec.section(doc, "severities"))
    for sev in section.get("colors") or {}:
        if sev not in severities and sev != _OK_COLOR:
            yield error(
                "dashboards/unknown-severity",
                f"`colors` names unknown severity '{sev}'",
                doc.key_span(("dashboards", "colors", sev)),
                did_you_mean(sev, [*severities, _OK_COLOR]) or f"severities: {', '.join(severities)}; or `ok`",
            )
    boards = section.get("boards")
    if isinstance(boards, dict) and OVERVIEW_DASHBOARD in boards:
        yield error(
            "dashboards/reserved-name",
            f"the board key '{OVERVIEW_DASHBOARD}' is taken by the generated overview dashboard",
            doc.key_span(("dashboards", "boards", OVERVIEW_DASHBOARD)),
            "pick another key; set the overview's title under `dashboards.overview`",
        )
    for panel, path in panels(doc):
        for key in ("indicator", "thresholds"):
            ref = panel.get(key)
            if isinstance(ref, str) and ref not in known:
                yield error(
                    NAME,
                    f"unknown indicator '{ref}'",
                    doc.span((*path, key)),
                    did_you_mean(ref, indicators) or "name an indicator declared under `indicators`",
                )
        content, ptype = _content(panel), panel.get("type")
        fits = {"text": ("text",), "logs": ("logs",), "metrics": METRIC_PANEL_TYPES}[content]
        if isinstance(ptype, str) and ptype not in fits:
            yield error(
                "dashboards/wrong-panel-type",
                f"a `{ptype}` panel cannot show {_SHOWN[content]}",
                doc.span((*path, "type")),
                f"use type {' or '.join(fits)}, or leave `type` out",
            )
        if "thresholds" in panel and "indicator" in panel:
            yield error(
                "dashboards/wrong-panel-type",
                "an indicator panel takes its thresholds from the indicator itself",
                doc.key_span((*path, "thresholds")),
                "remove `thresholds`",
            )
        if content != "metrics" and "thresholds" in panel:
            yield error(
                "dashboards/wrong-panel-type",
                f"a panel of {_SHOWN[content]} has no colour thresholds",
                doc.key_span((*path, "thresholds")),
                "remove `thresholds`",
            )
        if "indicator" not in panel and "text" not in panel and not panel.get("title"):
            yield error(
                "dashboards/missing-title",
                "this panel needs a `title`",
                doc.span(path),
                "only indicator panels (titled after their indicator) and text panels may omit it",
            )
