"""grafanalib classes extended to emit what Grafana 11/12 and its dashboard JSON Schema accept.

grafanalib 0.7 writes the Grafana 7-era model: nulls for unset options, datasources as plain
names, `editable`/`error`/`span` keys on every panel, legacy `rows`, schemaVersion 12. Each class
here keeps grafanalib's attributes (and adds the few it lacks) and overrides `to_json_data` to
write the current model only, so nothing is patched in the JSON afterwards.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attr
from grafanalib import core

# Grafana 11.0 writes schemaVersion 39; Grafana 12 migrates it forward on load.
SCHEMA_VERSION = 39


def datasource_ref(kind: str, variable: str) -> dict[str, str]:
    return {"type": kind, "uid": f"${{{variable}}}"}


def _number(v: float | None) -> float | int | None:
    """85 rather than 85.0: the number as a person typed it in the spec."""
    return int(v) if v is not None and v.is_integer() and abs(v) < 1e15 else v


# A colour step: its value (None: minus infinity), its colour, and the colour of a value exactly at
# the step when that differs (model.dashboards.Step.edge).
ColorStep = tuple[float | None, str, str | None]


def _thresholds(steps: list[ColorStep]) -> dict[str, Any]:
    return {"mode": "absolute", "steps": [{"value": _number(v), "color": c} for v, c, _ in steps]}


def js_number(v: float) -> str:
    """String(v) in JavaScript: the key Grafana looks a value up by in a value mapping."""
    if v.is_integer() and abs(v) < 1e21:
        return str(int(v))
    sign, digits, exponent = Decimal(repr(v)).normalize().as_tuple()
    text = "".join(map(str, digits))
    point = len(text) + int(exponent)  # the decimal point's place after the first `point` digits
    head = "-" if sign else ""
    if -6 < point <= 21:
        if point <= 0:
            return f"{head}0.{'0' * -point}{text}"
        if point < len(text):
            return f"{head}{text[:point]}.{text[point:]}"
        return f"{head}{text}{'0' * (point - len(text))}"
    mantissa = text[0] + (f".{text[1:]}" if len(text) > 1 else "")
    return f"{head}{mantissa}e{'+' if point - 1 > 0 else '-'}{abs(point - 1)}"


def _edge_mappings(steps: list[ColorStep]) -> list[dict[str, Any]]:
    """A value exactly at a threshold the alert does not include keeps the colour before the step."""
    edges = [(v, e) for v, _, e in steps if v is not None and e is not None]
    options = {js_number(v): {"color": e, "index": i} for i, (v, e) in enumerate(edges)}
    return [{"type": "value", "options": options}] if options else []


def _reduce(calc: str) -> dict[str, Any]:
    return {"calcs": [calc], "fields": "", "values": False}


@attr.s
class PromTarget(core.Target):  # type: ignore[misc]
    """A Prometheus query; `datasource` is the variable it reads from."""

    variable: str = attr.ib(default="datasource")

    def to_json_data(self) -> dict[str, Any]:
        return {
            "datasource": datasource_ref("prometheus", self.variable),
            "editorMode": "code",
            "expr": self.expr,
            "format": self.format,
            "instant": self.instant,
            "legendFormat": self.legendFormat,
            "range": not self.instant,
            "refId": self.refId,
        }


@attr.s
class LokiTarget(core.Target):  # type: ignore[misc]
    """A LogQL query; grafanalib has no Loki target."""

    variable: str = attr.ib(default="loki_datasource")

    def to_json_data(self) -> dict[str, Any]:
        return {
            "datasource": datasource_ref("loki", self.variable),
            "editorMode": "code",
            "expr": self.expr,
            "queryType": "range",
            "refId": self.refId,
        }


class _CurrentPanel:
    """The panel keys every current panel shares; subclasses add their options and field defaults."""

    # Attributes provided by grafanalib's Panel.
    id: int
    title: str
    description: str | None
    gridPos: core.GridPos
    targets: list[Any]
    links: list[Any]
    transformations: list[Any]
    dataSource: dict[str, str] | None

    def current_json(self, ptype: str, options: dict[str, Any], defaults: dict[str, Any]) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": ptype,
            "id": self.id,
            "title": self.title,
            "gridPos": self.gridPos,
            "options": options,
            "fieldConfig": {"defaults": defaults, "overrides": []},
        }
        if self.description:
            out["description"] = self.description
        if self.dataSource is not None:
            out["datasource"] = self.dataSource
            out["targets"] = self.targets
        if self.links:
            out["links"] = self.links
        if self.transformations:
            out["transformations"] = self.transformations
        return out


def _field_defaults(
    unit: str, steps: list[ColorStep], vmin: float | None, vmax: float | None, color: str
) -> dict[str, Any]:
    out: dict[str, Any] = {
        "unit": unit,
        "thresholds": _thresholds(steps),
        "color": {"mode": color},
        "mappings": _edge_mappings(steps),
    }
    if vmin is not None:
        out["min"] = vmin
    if vmax is not None:
        out["max"] = vmax
    return out


@attr.s
class TimeSeriesPanel(_CurrentPanel, core.TimeSeries):  # type: ignore[misc]
    """Threshold colours drawn as lines and areas behind the series, so the alert levels are visible."""

    steps: list[ColorStep] = attr.ib(factory=list)
    minimum: float | None = attr.ib(default=None)
    maximum: float | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        defaults = _field_defaults(self.unit, self.steps, self.minimum, self.maximum, self.colorMode)
        defaults["custom"] = {
            "drawStyle": self.drawStyle,
            "lineWidth": self.lineWidth,
            "fillOpacity": self.fillOpacity,
            "showPoints": self.showPoints,
            "spanNulls": self.spanNulls,
            "thresholdsStyle": {"mode": self.thresholdsStyleMode},
        }
        options = {
            "legend": {
                "calcs": self.legendCalcs,
                "displayMode": self.legendDisplayMode,
                "placement": self.legendPlacement,
                "showLegend": True,
            },
            "tooltip": {"mode": self.tooltipMode, "sort": self.tooltipSort},
        }
        return self.current_json("timeseries", options, defaults)


@attr.s
class StatPanel(_CurrentPanel, core.Stat):  # type: ignore[misc]
    """The value on a background of its threshold colour."""

    steps: list[ColorStep] = attr.ib(factory=list)
    minimum: float | None = attr.ib(default=None)
    maximum: float | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        options = {
            "colorMode": self.colorMode,
            "graphMode": self.graphMode,
            "justifyMode": "auto",
            "orientation": self.orientation,
            "percentChangeColorMode": "standard",
            "reduceOptions": _reduce(self.reduceCalc),
            "showPercentChange": False,
            "textMode": self.textMode,
            "wideLayout": True,
        }
        defaults = _field_defaults(self.format, self.steps, self.minimum, self.maximum, "thresholds")
        return self.current_json("stat", options, defaults)


@attr.s
class GaugeCurrentPanel(_CurrentPanel, core.GaugePanel):  # type: ignore[misc]
    steps: list[ColorStep] = attr.ib(factory=list)
    minimum: float | None = attr.ib(default=None)
    maximum: float | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        options = {
            "minVizHeight": 75,
            "minVizWidth": 75,
            "orientation": "auto",
            "reduceOptions": _reduce(self.calc),
            "showThresholdLabels": self.thresholdLabels,
            "showThresholdMarkers": self.thresholdMarkers,
            "sizing": "auto",
        }
        defaults = _field_defaults(self.format, self.steps, self.minimum, self.maximum, "thresholds")
        return self.current_json("gauge", options, defaults)


@attr.s
class BarGaugePanel(_CurrentPanel, core.BarGauge):  # type: ignore[misc]
    steps: list[ColorStep] = attr.ib(factory=list)
    minimum: float | None = attr.ib(default=None)
    maximum: float | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        options = {
            "displayMode": self.displayMode,
            "maxVizHeight": 300,
            "minVizHeight": 16,
            "minVizWidth": 8,
            "namePlacement": "auto",
            "orientation": self.orientation,
            "reduceOptions": _reduce(self.calc),
            "showUnfilled": True,
            "sizing": "auto",
            "valueMode": "color",
        }
        defaults = _field_defaults(self.format, self.steps, self.minimum, self.maximum, "thresholds")
        return self.current_json("bargauge", options, defaults)


@attr.s
class TablePanel(_CurrentPanel, core.Table):  # type: ignore[misc]
    """Instant values per series, one row each, the value cell on its threshold colour."""

    steps: list[ColorStep] = attr.ib(factory=list)
    minimum: float | None = attr.ib(default=None)
    maximum: float | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        options = {"cellHeight": "sm", "frameIndex": 0, "showHeader": self.showHeader}
        defaults = _field_defaults(self.unit, self.steps, self.minimum, self.maximum, "thresholds")
        # Only the colour-background cell options are told apart unambiguously by the schema (oneOf).
        cell = {"type": "color-background", "mode": "basic", "applyToRow": False}
        defaults["custom"] = {"align": "auto", "inspect": False, "cellOptions": cell}
        return self.current_json("table", options, defaults)


@attr.s
class PieChartPanel(_CurrentPanel, core.PieChartv2):  # type: ignore[misc]
    steps: list[ColorStep] = attr.ib(factory=list)

    def to_json_data(self) -> dict[str, Any]:
        options = {
            "displayLabels": ["percent"],
            "legend": {
                "displayMode": self.legendDisplayMode,
                "placement": self.legendPlacement,
                "showLegend": True,
                "values": self.legendValues,
            },
            "pieType": self.pieType,
            "reduceOptions": {
                "calcs": self.reduceOptionsCalcs,
                "fields": self.reduceOptionsFields,
                "values": False,
            },
            "tooltip": {"mode": self.tooltipMode, "sort": "none"},
        }
        defaults = _field_defaults(self.unit, self.steps, None, None, self.colorMode)
        return self.current_json("piechart", options, defaults)


@attr.s
class TextPanel(_CurrentPanel, core.Text):  # type: ignore[misc]
    def to_json_data(self) -> dict[str, Any]:
        options = {
            "code": {"language": "plaintext", "showLineNumbers": False, "showMiniMap": False},
            "content": self.content,
            "mode": self.mode,
        }
        out = self.current_json("text", options, {})
        return out


@attr.s
class LogsPanel(_CurrentPanel, core.Logs):  # type: ignore[misc]
    def to_json_data(self) -> dict[str, Any]:
        options = {
            "dedupStrategy": self.dedupStrategy,
            "enableLogDetails": self.enableLogDetails,
            "prettifyLogMessage": self.prettifyLogMessage,
            "showCommonLabels": self.showCommonLabels,
            "showLabels": self.showLabels,
            "showLogContextToggle": True,
            "showTime": self.showTime,
            "sortOrder": self.sortOrder,
            "wrapLogMessage": self.wrapLogMessages,
        }
        return self.current_json("logs", options, {})


@attr.s
class Row(core.RowPanel):  # type: ignore[misc]
    """A row header; its panels follow it in the dashboard, or sit inside it while it is collapsed."""

    def to_json_data(self) -> dict[str, Any]:
        return {
            "type": "row",
            "id": self.id,
            "title": self.title,
            "gridPos": self.gridPos,
            "collapsed": self.collapsed,
            "panels": self.panels if self.collapsed else [],
        }


@attr.s
class Variable(core.Template):  # type: ignore[misc]
    """A template variable; only the keys its type uses, data sources as references."""

    datasourceKind: str | None = attr.ib(default=None)

    def to_json_data(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "type": self.type,
            "name": self.name,
            "label": self.label,
            "hide": self.hide,
            "query": self.query,
            "skipUrlSync": False,
        }
        if self.type == "datasource":
            out.update({"refresh": 1, "regex": "", "multi": False, "includeAll": False})
        elif self.type == "query":
            assert self.datasourceKind is not None
            out.update(
                {
                    "datasource": datasource_ref(self.datasourceKind, "datasource"),
                    "definition": self.query,
                    "refresh": self.refresh,
                    "regex": "",
                    "sort": self.sort,
                    "multi": self.multi,
                    "includeAll": self.includeAll,
                }
            )
            if self.allValue is not None:
                out["allValue"] = self.allValue
            if self.includeAll:
                # Start on "All": without it Grafana selects the first value and hides the other series.
                out["current"] = {"selected": True, "text": ["All"], "value": ["$__all"]}
        return out


@attr.s
class AlertAnnotation:
    """A Prometheus annotation query; grafanalib keeps annotations as raw dicts, this gives them a type."""

    name: str = attr.ib()
    expr: str = attr.ib()
    iconColor: str = attr.ib()
    variable: str = attr.ib(default="datasource")

    def to_json_data(self) -> dict[str, Any]:
        return {
            "datasource": datasource_ref("prometheus", self.variable),
            "enable": True,
            "expr": self.expr,
            "hide": False,
            "iconColor": self.iconColor,
            "name": self.name,
            "step": "60s",
            "tagKeys": "severity,priority,indicator",
            "textFormat": "{{alertname}} ({{severity}}, {{priority}}) is firing",
            "titleFormat": "{{alertname}}",
            "useValueForTime": False,
        }


@attr.s
class BuiltInAnnotation:
    """Grafana's own annotations (and alerts it manages), which every dashboard lists first."""

    def to_json_data(self) -> dict[str, Any]:
        return {
            "builtIn": 1,
            "datasource": {"type": "grafana", "uid": "-- Grafana --"},
            "enable": True,
            "hide": True,
            "iconColor": "rgba(0, 211, 255, 1)",
            "name": "Annotations & Alerts",
            "type": "dashboard",
        }


@attr.s
class CurrentDashboard(core.Dashboard):  # type: ignore[misc]
    """The dashboard model of Grafana 11/12: panels only (no legacy rows), no instance-bound id."""

    weekStart: str = attr.ib(default="")

    def to_json_data(self) -> dict[str, Any]:
        return {
            "annotations": self.annotations,
            "description": self.description,
            "editable": self.editable,
            "fiscalYearStartMonth": 0,
            "graphTooltip": self.graphTooltip,
            "links": self.links,
            "liveNow": False,
            "panels": self.panels,
            "refresh": self.refresh,
            "schemaVersion": self.schemaVersion,
            "tags": self.tags,
            "templating": self.templating,
            "time": {"from": self.time.start, "to": self.time.end},
            "timepicker": {},
            "timezone": self.timezone,
            "title": self.title,
            "uid": self.uid,
            "version": self.version,
            "weekStart": self.weekStart,
        }
