"""The `dashboards` section mapped to the model: layout, ids, queries, variables and colour steps resolved.

Indicator panels read the indicator's recording rule, so a panel and its alerts read one series,
and their colour steps come from the same Threshold objects the alert rules were built from.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from generator import conventions as conv
from generator.model.build_objectives import window_text
from generator.model.dashboard_colors import OK_COLOR, severity_colors, spec_steps, threshold_steps
from generator.model.dashboards import (
    LOKI,
    PROMETHEUS,
    AlertAnnotation,
    Dashboard,
    Dashboards,
    Grid,
    Link,
    Panel,
    PanelQuery,
    Row,
    Step,
    Variable,
)
from generator.model.durations import format_duration
from generator.model.indicators import AlertRule, Indicator
from generator.model.objectives import Objective
from generator.model.promql import quote
from generator.model.service import Service, Severity

GRID_COLUMNS = 24
DEFAULT_PROVISIONING_PATH = "/var/lib/grafana/monspec"
DEFAULT_REFRESH = "1m"
DEFAULT_TIME = "6h"
DEFAULT_TIMEZONE = "browser"
_WIDTH = {"stat": 6, "gauge": 6, "bargauge": 8, "piechart": 8, "text": 24, "logs": 24}
_HEIGHT = {"stat": 5, "gauge": 6, "bargauge": 6}
_INSTANT_TYPES = ("table", "piechart")
JOB_VAR = "job"
INSTANCE_VAR = "instance"
DATASOURCE_VAR = "datasource"
LOKI_VAR = "loki_datasource"
_FIXED_VARS = (DATASOURCE_VAR, LOKI_VAR, JOB_VAR, INSTANCE_VAR)


def runbook_links(ind: Indicator) -> tuple[Link, ...]:
    rules: list[AlertRule] = [t.alert for t in ind.thresholds]
    if ind.absent is not None:
        rules.append(ind.absent)
    urls: dict[str, list[str]] = {}
    for rule in rules:
        url = dict(rule.annotations).get("runbook_url")
        if url and "://" in url:
            urls.setdefault(url, []).append(rule.name)
    if len(urls) == 1:
        return (Link("Runbook", next(iter(urls))),)
    return tuple(Link(f"Runbook: {', '.join(names)}", url) for url, names in urls.items())


def _legend(by: tuple[str, ...], fallback: str) -> str:
    return " ".join(f"{{{{{lbl}}}}}" for lbl in by) if by else fallback


def _breakdown_var(label: str) -> str:
    return label if label not in _FIXED_VARS else f"by_{label}"


def indicator_query(ind: Indicator) -> str:
    """The recording rule, narrowed to the breakdown values picked in the dashboard's variables."""
    if not ind.by:
        return ind.record
    matchers = ", ".join(f'{lbl}=~"${_breakdown_var(lbl)}"' for lbl in ind.by)
    return f"{ind.record}{{{matchers}}}"


_VAR_RE = re.compile(r"\$(?:\{(\w+)(?::\w+)?\}|(\w+))")


def query_variables(expr: str) -> set[str]:
    return {a or b for a, b in _VAR_RE.findall(expr)}


class _Layout:
    """Panels flow left to right and wrap at 24 columns; every row starts below everything before it."""

    def __init__(self) -> None:
        self.x = 0
        self.y = 0
        self.line_h = 0

    def place(self, w: int, h: int) -> Grid:
        if self.x + w > GRID_COLUMNS:
            self.newline()
        g = Grid(self.x, self.y, w, h)
        self.x += w
        self.line_h = max(self.line_h, h)
        return g

    def newline(self) -> None:
        self.y += self.line_h
        self.x = 0
        self.line_h = 0

    def row_header(self) -> int:
        self.newline()
        y = self.y
        self.y += 1
        return y


class _Builder:
    def __init__(
        self,
        spec: dict[str, Any],
        service: Service,
        severities: tuple[Severity, ...],
        indicators: tuple[Indicator, ...],
        objectives: tuple[Objective, ...] = (),
    ) -> None:
        self.spec = spec
        self.objectives = objectives
        self.service = service
        self.severities = severities
        self.indicators = {i.key: i for i in indicators}
        self.ordered = indicators
        self.colors = severity_colors(severities, dict(spec.get("colors") or {}))
        base = spec.get("catalog_url")
        self.catalog = f"{str(base).rstrip('/')}/{conv.catalog_path(service.name)}" if base else None

    # -- panels ---------------------------------------------------------------------------------
    def indicator_panel(self, pid: int, ind: Indicator, raw: dict[str, Any], grid_of: Callable[[str], Grid]) -> Panel:
        ptype = raw.get("type") or ("timeseries" if ind.by else "stat")
        legend = raw.get("legend") or _legend(ind.by, ind.title)
        query = PanelQuery("A", indicator_query(ind), legend, bool(raw.get("instant", ptype in _INSTANT_TYPES)))
        return Panel(
            pid,
            ptype,
            raw.get("title") or ind.title,
            raw.get("description") or self.describe(ind),
            grid_of(ptype),
            PROMETHEUS,
            (query,),
            raw.get("unit") or ind.unit,
            _num(raw.get("min")),
            _num(raw.get("max")),
            threshold_steps(ind, self.colors),
            runbook_links(ind) + _links(raw),
            "",
            ind.key,
            raw.get("color_mode", "background"),
        )

    def describe(self, ind: Indicator) -> str:
        parts = [f"Recording rule `{ind.record}`."]
        if ind.thresholds:
            word = {">": "above", ">=": "at or above", "<": "below", "<=": "at or below"}
            levels = ", ".join(f"{t.severity.name} {word[t.op]} {t.value:g}" for t in ind.thresholds)
            parts.append(f"Alerts: {levels}.")
        return " ".join(parts)

    def raw_panel(self, pid: int, raw: dict[str, Any], grid_of: Callable[[str], Grid]) -> Panel:
        if "text" in raw:
            return _unmeasured_panel(pid, raw, grid_of, "text", None, (), str(raw["text"]))
        if "logs" in raw:
            query = PanelQuery("A", str(raw["logs"]).strip(), "", False)
            return _unmeasured_panel(pid, raw, grid_of, "logs", LOKI, (query,), "")
        ptype = raw.get("type", "timeseries")
        instant = bool(raw.get("instant", ptype in _INSTANT_TYPES))
        items = raw["queries"] if "queries" in raw else [{"expr": raw["query"], "legend": raw.get("legend", "")}]
        queries = tuple(
            PanelQuery(chr(ord("A") + i), str(q["expr"]).strip(), q.get("legend", ""), instant)
            for i, q in enumerate(items)
        )
        ref = self.indicators.get(raw["thresholds"]) if raw.get("thresholds") else None
        steps = threshold_steps(ref, self.colors) if ref else (Step(None, self.colors[OK_COLOR]),)
        if raw.get("steps"):
            steps = spec_steps(raw["steps"])
        unit = raw.get("unit") or (ref.unit if ref else "none")
        links = (runbook_links(ref) if ref else ()) + _links(raw)
        return Panel(
            pid,
            ptype,
            raw["title"],
            raw.get("description", ""),
            grid_of(ptype),
            PROMETHEUS,
            queries,
            unit,
            _num(raw.get("min")),
            _num(raw.get("max")),
            steps,
            links,
            "",
            ref.key if ref else None,
            raw.get("color_mode", "background"),
        )

    def panel(self, pid: int, raw: dict[str, Any], layout: _Layout) -> Panel:
        def grid_of(ptype: str) -> Grid:
            return layout.place(
                int(raw.get("width") or _WIDTH.get(ptype, 12)), int(raw.get("height") or _HEIGHT.get(ptype, 8))
            )

        if "indicator" in raw:
            return self.indicator_panel(pid, self.indicators[raw["indicator"]], raw, grid_of)
        return self.raw_panel(pid, raw, grid_of)

    # -- dashboards -----------------------------------------------------------------------------
    def variables(self, panels: tuple[Panel, ...]) -> tuple[Variable, ...]:
        out = [Variable(DATASOURCE_VAR, "Prometheus", "datasource", PROMETHEUS, None, False, False, False)]
        if any(p.datasource == LOKI for p in panels):
            out.append(Variable(LOKI_VAR, "Loki", "datasource", LOKI, None, False, False, False))
        job = self.service.job
        out.append(Variable(JOB_VAR, "Job", "constant", job, None, False, False, True))
        # Recording rules aggregate instances away; the instance picker is offered where a raw query uses it.
        if any(INSTANCE_VAR in query_variables(q.expr) for p in panels for q in p.queries):
            out.append(
                Variable(
                    INSTANCE_VAR,
                    "Instance",
                    "query",
                    f"label_values(up{{job={quote(job)}}}, instance)",
                    PROMETHEUS,
                    True,
                    True,
                    False,
                )
            )
        # One variable per breakdown label of the indicators shown, offering the values their records carry.
        records: dict[str, dict[str, None]] = {}  # label -> records, in first-seen order
        for p in panels:
            ind = self.indicators.get(p.indicator or "")
            if ind is None or not any(ind.record in q.expr for q in p.queries):
                continue
            for lbl in ind.by:
                records.setdefault(lbl, {})[ind.record] = None
        for lbl, recs in records.items():
            names = "|".join(re.escape(r) for r in recs)
            out.append(
                Variable(
                    _breakdown_var(lbl),
                    lbl,
                    "query",
                    f'label_values({{__name__=~"{names}"}}, {lbl})',
                    PROMETHEUS,
                    True,
                    True,
                    False,
                )
            )
        return tuple(out)

    def annotations(self) -> tuple[AlertAnnotation, ...]:
        svc = quote(self.service.name)
        return tuple(
            AlertAnnotation(
                f"{s.name.capitalize()} alerts",
                f'ALERTS{{alertstate="firing", {conv.SERVICE_LABEL}={svc}, {conv.SEVERITY_LABEL}={quote(s.name)}}}',
                self.colors[s.name],
            )
            for s in self.severities
        )

    def links(self) -> tuple[Link, ...]:
        return (Link("Alert catalog", self.catalog),) if self.catalog else ()

    def dashboard(
        self, key: str, raw: dict[str, Any], title: str, panels: tuple[Panel, ...], rows: tuple[Row, ...]
    ) -> Dashboard:
        name = self.service.name
        tags = tuple(dict.fromkeys(("monspec", name, *(raw.get("tags") or ()))))
        every = panels + tuple(p for r in rows for p in r.panels)
        return Dashboard(
            key,
            conv.dashboard_uid(name, key),
            conv.dashboard_slug(name, key),
            conv.dashboard_path(name, key),
            title,
            raw.get("description", ""),
            tags,
            raw.get("refresh", DEFAULT_REFRESH),
            f"now-{raw.get('time', DEFAULT_TIME)}",
            raw.get("timezone", DEFAULT_TIMEZONE),
            self.variables(every),
            self.annotations(),
            self.links(),
            panels,
            rows,
        )

    def overview(self) -> Dashboard:
        raw = dict(self.spec.get("overview") or {})
        layout = _Layout()
        panels = tuple(
            self.panel(conv.overview_panel_id(i), {"indicator": ind.key}, layout) for i, ind in enumerate(self.ordered)
        )
        rows = tuple(self.objective_row(i, o, layout) for i, o in enumerate(self.objectives))
        title = raw.get("title") or f"{self.service.title} overview"
        return self.dashboard(conv.OVERVIEW_DASHBOARD, raw, title, panels, rows)

    def objective_row(self, position: int, o: Objective, layout: _Layout) -> Row:
        """An objective's SLI over its window, the budget left, and the burn rates its alerts read.

        Colours come from the objective itself: the SLI turns the page severity's colour below the
        target, the budget when it is spent, and the burn rates at the lowest ticket and page factors.
        """
        row_id, sli_id, budget_id, burn_id = conv.overview_objective_panel_ids(len(self.ordered), position)
        y = layout.row_header()
        page, ticket = o.page.rule.severity.name, o.ticket.rule.severity.name
        ok = self.colors[OK_COLOR]
        window = window_text(o.window_ms)
        links = (Link("Runbook", o.runbook_url),) if o.runbook_url else ()
        sli = Panel(
            sli_id,
            "stat",
            f"{o.title}: SLI over {window}",
            f"Share of good events over {window}; the objective is {o.target:g}.",
            layout.place(6, 6),
            PROMETHEUS,
            (PanelQuery("A", f"1 - {o.ratio_record(o.window_ms)}", o.title, True),),
            "percentunit",
            None,
            1.0,
            (Step(None, self.colors[page]), Step(o.target, ok)),
            links,
            "",
            None,
        )
        budget = Panel(
            budget_id,
            "stat",
            f"{o.title}: error budget remaining",
            f"Share of the {window} error budget not spent yet; below 0 the objective is missed.",
            layout.place(6, 6),
            PROMETHEUS,
            (PanelQuery("A", o.budget_remaining_record, o.title, True),),
            "percentunit",
            None,
            1.0,
            (Step(None, self.colors[page]), Step(0.0, ok)),
            links,
            "",
            None,
        )
        factors = {
            kind: min(w.factor for w in alert.windows) for kind, alert in (("page", o.page), ("ticket", o.ticket))
        }
        burn = Panel(
            burn_id,
            "timeseries",
            f"{o.title}: burn rate",
            "Error rate as a multiple of the sustainable one, per window; the alerts compare these.",
            layout.place(12, 6),
            PROMETHEUS,
            tuple(
                PanelQuery(chr(ord("A") + i), record, format_duration(w), False)
                for i, (w, record) in enumerate(o.burn_rate_records)
            ),
            "none",
            0.0,
            None,
            (Step(None, ok), Step(factors["ticket"], self.colors[ticket]), Step(factors["page"], self.colors[page])),
            links,
            "",
            None,
        )
        return Row(row_id, f"Objective: {o.title}", y, False, (sli, budget, burn))

    def board(self, key: str, raw: dict[str, Any]) -> Dashboard:
        """Rows without a title add panels to the row above them (or to the top, before any row)."""
        layout = _Layout()
        next_id = 1
        loose: list[Panel] = []
        rows: list[tuple[int, str, int, bool, list[Panel]]] = []
        for row in raw["rows"]:
            if row.get("title"):
                rows.append((next_id, row["title"], layout.row_header(), bool(row.get("collapsed", False)), []))
                next_id += 1
            else:
                layout.newline()
            into = rows[-1][4] if rows else loose
            for p in row["panels"]:
                into.append(self.panel(next_id, p, layout))
                next_id += 1
        made = tuple(Row(i, t, y, c, tuple(ps)) for i, t, y, c, ps in rows)
        return self.dashboard(key, raw, raw["title"], tuple(loose), made)


def build_dashboards(
    spec: dict[str, Any] | None,
    service: Service,
    severities: tuple[Severity, ...],
    indicators: tuple[Indicator, ...],
    objectives: tuple[Objective, ...] = (),
) -> Dashboards:
    spec = spec or {}
    b = _Builder(spec, service, severities, indicators, objectives)
    boards = (b.overview(), *(b.board(k, raw) for k, raw in (spec.get("boards") or {}).items()))
    root = str(spec.get("provisioning_path", DEFAULT_PROVISIONING_PATH)).rstrip("/") or "/"
    return Dashboards(
        spec.get("folder") or service.title,
        conv.dashboard_folder_uid(service.name),
        conv.grafana_provider_name(service.name),
        f"{root}/{conv.dashboards_dir(service.name)}",
        tuple(sorted(b.colors.items())),
        boards,
    )


def _num(v: Any) -> float | None:
    return float(v) if v is not None else None


def _links(raw: dict[str, Any]) -> tuple[Link, ...]:
    return tuple(Link(lnk["title"], lnk["url"]) for lnk in raw.get("links") or ())


def _unmeasured_panel(
    pid: int,
    raw: dict[str, Any],
    grid_of: Callable[[str], Grid],
    default_type: str,
    datasource: str | None,
    queries: tuple[PanelQuery, ...],
    content: str,
) -> Panel:
    """A text or logs panel: it shows what it is given, so no unit, range, thresholds or indicator."""
    ptype = raw.get("type", default_type)
    return Panel(
        pid,
        ptype,
        raw.get("title", ""),
        raw.get("description", ""),
        grid_of(ptype),
        datasource,
        queries,
        "",
        None,
        None,
        (),
        _links(raw),
        content,
        None,
    )
