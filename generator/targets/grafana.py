"""Grafana: one JSON file per dashboard and a provisioning file that loads them into a folder.

grafanalib objects exist only here; the model already decided layout, queries and colours, so
this module only picks the grafanalib class of each panel and fills it in.
"""

from __future__ import annotations

import json
from typing import Any

from grafanalib import core
from grafanalib._gen import DashboardEncoder

from generator import conventions as conv
from generator.model import Model
from generator.model.dashboards import LOKI, Dashboard, Link, Panel
from generator.model.dashboards import Row as ModelRow
from generator.model.dashboards import Variable as ModelVariable
from generator.targets import Output
from generator.targets import grafana_panels as gp

_DATASOURCE_VAR = {"prometheus": "datasource", LOKI: "loki_datasource"}
_HIDE = {False: core.SHOW, True: core.HIDE_VARIABLE}


def new(cls: Any, **fields: Any) -> Any:
    """grafanalib is untyped, so mypy cannot see the attrs fields its subclasses inherit; build them here."""
    return cls(**fields)


def _grid(p: Panel) -> core.GridPos:
    return core.GridPos(h=p.grid.h, w=p.grid.w, x=p.grid.x, y=p.grid.y)


def _link(link: Link) -> core.DashboardLink:
    return core.DashboardLink(
        title=link.title, type="link", uri=link.url, icon="doc", targetBlank=True, keepTime=False, tooltip=link.title
    )


def _targets(p: Panel) -> list[Any]:
    if p.datasource == LOKI:
        return [new(gp.LokiTarget, expr=q.expr, refId=q.ref) for q in p.queries]
    fmt = "table" if p.type == "table" else "time_series"
    return [
        new(gp.PromTarget, expr=q.expr, refId=q.ref, legendFormat=q.legend, instant=q.instant, format=fmt)
        for q in p.queries
    ]


def panel(p: Panel) -> Any:
    common: dict[str, Any] = {
        "id": p.id,
        "title": p.title,
        "description": p.description,
        "gridPos": _grid(p),
        "links": [_link(lnk) for lnk in p.links],
        "dataSource": gp.datasource_ref(p.datasource, _DATASOURCE_VAR[p.datasource]) if p.datasource else None,
        "targets": _targets(p),
    }
    steps = [(s.value, s.color, s.edge) for s in p.steps]
    colored = len(steps) > 1
    scale = {"steps": steps, "minimum": p.min, "maximum": p.max}
    if p.type == "timeseries":
        return new(
            gp.TimeSeriesPanel,
            **common,
            **scale,
            unit=p.unit,
            fillOpacity=10,
            thresholdsStyleMode="line+area" if colored else "off",
            tooltipMode="multi",
            tooltipSort="desc",
            legendCalcs=["lastNotNull", "max"],
            legendDisplayMode="table" if len(p.queries) > 1 or "{{" in "".join(q.legend for q in p.queries) else "list",
        )
    if p.type == "stat":
        return new(gp.StatPanel, **common, **scale, format=p.unit, colorMode=p.color_mode, graphMode="area")
    if p.type == "gauge":
        return new(gp.GaugeCurrentPanel, **common, **scale, format=p.unit, thresholdMarkers=True, calc="lastNotNull")
    if p.type == "bargauge":
        return new(
            gp.BarGaugePanel,
            **common,
            **scale,
            format=p.unit,
            calc="lastNotNull",
            displayMode="gradient",
            orientation="horizontal",
        )
    if p.type == "table":
        # One row per series: merge the instant results of every query, hide the time column.
        hide_time = {"excludeByName": {"Time": True}, "indexByName": {}, "renameByName": {}}
        return new(
            gp.TablePanel,
            **common,
            **scale,
            unit=p.unit,
            transformations=[{"id": "merge", "options": {}}, {"id": "organize", "options": hide_time}],
        )
    if p.type == "piechart":
        return new(gp.PieChartPanel, **common, steps=steps, unit=p.unit, legendValues=["value", "percent"])
    if p.type == "text":
        return new(gp.TextPanel, **common, content=p.content, mode="markdown")
    if p.type == "logs":
        return new(
            gp.LogsPanel,
            **common,
            showLabels=False,
            showTime=True,
            wrapLogMessages=True,
            enableLogDetails=True,
            sortOrder="Descending",
        )
    raise ValueError(f"unknown panel type {p.type}")


def row(r: ModelRow) -> Any:
    return new(
        gp.Row,
        id=r.id,
        title=r.title,
        gridPos=core.GridPos(h=1, w=24, x=0, y=r.y),
        collapsed=r.collapsed,
        panels=[panel(p) for p in r.panels],
    )


def variable(v: ModelVariable) -> Any:
    return new(
        gp.Variable,
        name=v.name,
        label=v.label,
        type=v.type,
        query=v.query,
        datasourceKind=v.datasource,
        multi=v.multi,
        includeAll=v.include_all,
        allValue=".*" if v.include_all else None,
        hide=_HIDE[v.hidden],
        refresh=core.REFRESH_ON_TIME_RANGE_CHANGE,
        sort=core.SORT_ALPHA_IGNORE_CASE_ASC,
    )


def dashboard(model: Model, d: Dashboard) -> dict[str, Any]:
    panels: list[Any] = [panel(p) for p in d.panels]
    for r in d.rows:
        panels.append(row(r))
        if not r.collapsed:
            panels.extend(panel(p) for p in r.panels)
    links = [_link(lnk) for lnk in d.links]
    links.append(
        core.DashboardLink(
            title=f"{model.service.title} dashboards",
            type="dashboards",
            tags=["monspec", model.service.name],
            asDropdown=True,
            keepTime=True,
            includeVars=False,
        )
    )
    dash = new(
        gp.CurrentDashboard,
        title=d.title,
        uid=d.uid,
        description=d.description,
        tags=list(d.tags),
        timezone=d.timezone,
        refresh=d.refresh,
        time=core.Time(d.time_from, "now"),
        graphTooltip=core.GRAPH_TOOLTIP_MODE_SHARED_CROSSHAIR,
        schemaVersion=gp.SCHEMA_VERSION,
        version=1,
        links=links,
        panels=panels,
        templating=core.Templating(list=[variable(v) for v in d.variables]),
        annotations=core.Annotations(
            list=[gp.BuiltInAnnotation()] + [gp.AlertAnnotation(a.name, a.expr, a.color) for a in d.annotations]
        ),
    )
    data: dict[str, Any] = json.loads(json.dumps(dash.to_json_data(), cls=DashboardEncoder))
    return data


def provisioning(model: Model) -> dict[str, Any]:
    assert model.dashboards is not None
    dbs = model.dashboards
    return {
        "apiVersion": 1,
        "providers": [
            {
                "name": dbs.provider_name,
                "orgId": 1,
                "folder": dbs.folder,
                "folderUid": dbs.folder_uid,
                "type": "file",
                "disableDeletion": False,
                "allowUiUpdates": False,
                "updateIntervalSeconds": 60,
                "options": {"path": dbs.provider_path, "foldersFromFilesStructure": False},
            }
        ],
    }


def render(model: Model) -> list[Output]:
    if model.dashboards is None:
        return []
    out = [Output(d.path, "json", dashboard(model, d), model.source) for d in model.dashboards.boards]
    out.append(Output(conv.grafana_provisioning_path(model.service.name), "yaml", provisioning(model), model.source))
    return out
