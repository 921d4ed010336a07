"""Grafana dashboards as the model sees them: layout, queries and colours resolved, no Grafana JSON yet.

Colour steps are derived from the indicator's thresholds in the build step, so the renderer can
only copy them: a dashboard cannot disagree with the alerts it sits next to.
"""

from __future__ import annotations

from dataclasses import dataclass

PROMETHEUS = "prometheus"
LOKI = "loki"

# Panel types of Grafana 11/12 core plugins (no AngularJS panels).
METRIC_PANEL_TYPES = ("timeseries", "stat", "gauge", "bargauge", "table", "piechart")
PANEL_TYPES = (*METRIC_PANEL_TYPES, "text", "logs")


@dataclass(frozen=True, slots=True)
class Step:
    """Grafana colours a value with the last step whose value it reaches; None is minus infinity.

    `edge` is the colour of a value exactly at `value` when the alert comparison leaves the
    threshold itself on the milder side (`x > v` does not fire at v): the step stays at the
    threshold as written, and a value mapping of v gives v its colour.
    """

    value: float | None
    color: str
    edge: str | None = None


@dataclass(frozen=True, slots=True)
class Grid:
    x: int
    y: int
    w: int
    h: int

    def overlaps(self, other: Grid) -> bool:
        return (
            self.x < other.x + other.w
            and other.x < self.x + self.w
            and self.y < other.y + other.h
            and other.y < self.y + self.h
        )


@dataclass(frozen=True, slots=True)
class PanelQuery:
    ref: str  # refId: A, B, ...
    expr: str
    legend: str
    instant: bool


@dataclass(frozen=True, slots=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True)
class Panel:
    id: int
    type: str
    title: str
    description: str
    grid: Grid
    datasource: str | None  # PROMETHEUS, LOKI, or None for a text panel
    queries: tuple[PanelQuery, ...]
    unit: str
    min: float | None
    max: float | None
    steps: tuple[Step, ...]
    links: tuple[Link, ...]
    content: str  # markdown of a text panel
    indicator: str | None  # the indicator shown, when the panel shows one
    color_mode: str = "background"  # what a stat panel colours: background, value or none


@dataclass(frozen=True, slots=True)
class Row:
    id: int
    title: str
    y: int
    collapsed: bool
    panels: tuple[Panel, ...]


@dataclass(frozen=True, slots=True)
class Variable:
    name: str
    label: str
    type: str  # datasource | query | constant
    query: str
    datasource: str | None  # the data source kind a query variable asks
    multi: bool
    include_all: bool
    hidden: bool


@dataclass(frozen=True, slots=True)
class AlertAnnotation:
    """Markers where an alert of one severity fired, read from Prometheus' ALERTS series."""

    name: str
    expr: str
    color: str


@dataclass(frozen=True, slots=True)
class Dashboard:
    key: str
    uid: str
    slug: str
    path: str
    title: str
    description: str
    tags: tuple[str, ...]
    refresh: str
    time_from: str
    timezone: str
    variables: tuple[Variable, ...]
    annotations: tuple[AlertAnnotation, ...]
    links: tuple[Link, ...]
    panels: tuple[Panel, ...]  # panels outside any row, in order
    rows: tuple[Row, ...]

    def all_panels(self) -> tuple[Panel, ...]:
        return self.panels + tuple(p for r in self.rows for p in r.panels)


@dataclass(frozen=True, slots=True)
class Dashboards:
    folder: str
    folder_uid: str
    provider_name: str
    provider_path: str  # where Grafana finds this service's dashboard files
    colors: tuple[tuple[str, str], ...]  # severity (and "ok") -> colour
    boards: tuple[Dashboard, ...]
