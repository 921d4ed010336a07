"""Dashboards in the model and the grafanalib classes that render them, on small specs made for each rule."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from generator.compile import compile_specs
from generator.model import Model
from generator.model.dashboards import Dashboard, Step
from generator.targets import grafana

SPEC = """version: 1
service: {{name: svc, job: svc-job, title: Svc}}
severities: {{critical: {{}}, warning: {{}}, info: {{}}}}
metrics:
  depth: {{type: gauge, labels: [lane]}}
  errors_total: {{type: counter}}
indicators:
  depth:
    gauge: {{metric: depth}}
    direction: {direction}
    inclusive: {inclusive}
    thresholds: {thresholds}
  errors:
    rate: {{metric: errors_total, window: 5m}}
    by: [lane]
    thresholds: {{warning: 1}}
{extra}
"""


def model(
    tmp_path: Path, direction: str = "above", inclusive: bool = False, thresholds: str = "", extra: str = ""
) -> Model:
    spec = SPEC.format(
        direction=direction,
        inclusive=str(inclusive).lower(),
        thresholds=thresholds or "{critical: 100, warning: 50, info: 0}",
        extra=extra,
    )
    path = tmp_path / "svc.yml"
    path.write_text(spec)
    result = compile_specs([path], render=False)
    assert result.ok, [str(d.message) for d in result.diagnostics]
    (m,) = result.models
    return m


def colour_at(steps: tuple[Step, ...], value: float) -> str:
    """Grafana's rule: a value mapping of the exact number first (a step's `edge`), else the last step
    whose value the number reaches; the first step is minus infinity."""
    colour = steps[0].color
    for s in steps[1:]:
        assert s.value is not None
        if value == s.value and s.edge is not None:
            return s.edge
        if value >= s.value:
            colour = s.color
    return colour


def overview(m: Model) -> Dashboard:
    assert m.dashboards is not None
    return m.dashboards.boards[0]


@pytest.mark.parametrize(
    ("direction", "inclusive", "thresholds", "probes"),
    [
        # above, `>`: the threshold itself does not alert, so it keeps the milder colour.
        ("above", False, "", [(-1, "green"), (0, "green"), (1e-9, "yellow"), (50, "yellow"), (50.5, "orange")]),
        ("above", False, "", [(100, "orange"), (100.01, "red")]),
        # above, `>=`: the threshold alerts.
        ("above", True, "", [(0, "yellow"), (50, "orange"), (100, "red"), (-0.1, "green")]),
        # below, `<`: the lowest values are the most severe.
        ("below", False, "{critical: 0, warning: 50, info: 100}", [(-1, "red"), (0, "orange"), (49, "orange")]),
        ("below", False, "{critical: 0, warning: 50, info: 100}", [(50, "yellow"), (99.9, "yellow"), (100, "green")]),
        # below, `<=`: the threshold alerts.
        ("below", True, "{critical: 0, warning: 50, info: 100}", [(0, "red"), (50, "orange"), (100, "yellow")]),
        ("below", True, "{critical: 0, warning: 50, info: 100}", [(100.0001, "green"), (50.0001, "yellow")]),
    ],
)
def test_colour_steps_agree_with_the_alert_comparison(
    tmp_path: Path, direction: str, inclusive: bool, thresholds: str, probes: list[tuple[float, str]]
) -> None:
    m = model(tmp_path, direction, inclusive, thresholds)
    panel = overview(m).panels[0]
    ind = m.indicators[0]
    by_colour = {"red": "critical", "orange": "warning", "yellow": "info"}
    for value, want in probes:
        assert colour_at(panel.steps, value) == want, (value, panel.steps)
        # and the alert rules agree: the most severe alert firing at this value has that colour.
        firing = [t for t in ind.thresholds if _fires(t.op, value, t.value)]
        assert (by_colour[want] if want != "green" else None) == (firing[0].severity.name if firing else None)


def _fires(op: str, x: float, v: float) -> bool:
    return {">": x > v, ">=": x >= v, "<": x < v, "<=": x <= v}[op]


def test_colour_overrides(tmp_path: Path) -> None:
    m = model(tmp_path, extra="dashboards: {colors: {info: blue, ok: dark-green}}")
    assert [s.color for s in overview(m).panels[0].steps] == ["dark-green", "blue", "orange", "red"]
    assert [a.color for a in overview(m).annotations] == ["red", "orange", "blue"]


def test_overview_panel_ids_are_the_alert_links(tmp_path: Path) -> None:
    m = model(tmp_path, extra="defaults: {grafana_url: 'https://g.example.com/'}")
    dash = overview(m)
    assert [p.id for p in dash.panels] == [1, 2]
    for i, ind in enumerate(m.indicators):
        for t in ind.thresholds:
            url = dict(t.alert.annotations)["dashboard_url"]
            assert url == f"https://g.example.com/d/{dash.uid}/{dash.slug}?viewPanel={dash.panels[i].id}"
            assert dash.panels[i].indicator == ind.key


def test_breakdowns_filter_by_variables(tmp_path: Path) -> None:
    m = model(tmp_path)
    dash = overview(m)
    errors = dash.panels[1]
    assert errors.type == "timeseries" and errors.queries[0].legend == "{{lane}}"
    assert errors.queries[0].expr == 'job_lane:errors:rate5m{lane=~"$lane"}'
    lane = next(v for v in dash.variables if v.name == "lane")
    assert lane.query == 'label_values({__name__=~"job_lane:errors:rate5m"}, lane)'
    assert lane.multi and lane.include_all
    job = next(v for v in dash.variables if v.name == "job")
    assert (job.type, job.query, job.hidden) == ("constant", "svc-job", True)


BOARD = """dashboards:
  boards:
    ops:
      title: Ops
      rows:
        - panels:
            - {text: hello}
            - {indicator: depth}
        - title: Wide
          panels:
            - {title: A, query: 'sum(depth)', width: 20}
            - {title: B, query: 'sum(depth)', width: 10, height: 3}
            - {title: C, query: 'sum(depth)', width: 14}
        - panels:
            - {title: Logs, logs: '{job="svc-job"}'}
        - title: Closed
          collapsed: true
          panels:
            - {title: D, query: 'sum(depth)', thresholds: depth, type: table}
"""


def test_board_layout_rows_and_ids(tmp_path: Path) -> None:
    m = model(tmp_path, extra=BOARD)
    assert m.dashboards is not None
    ops = m.dashboards.boards[1]
    every = ops.all_panels()
    assert [p.id for p in ops.panels] == [1, 2]
    assert [(r.id, r.title, r.collapsed) for r in ops.rows] == [(3, "Wide", False), (8, "Closed", True)]
    assert [p.title for p in ops.rows[0].panels] == ["A", "B", "C", "Logs"]  # the untitled row joins "Wide"
    ids = [p.id for p in every] + [r.id for r in ops.rows]
    assert sorted(ids) == list(range(1, 10))
    grids = [p.grid for p in every]
    assert all(not a.overlaps(b) for i, a in enumerate(grids) for b in grids[i + 1 :])
    assert all(g.x + g.w <= 24 for g in grids)
    # rows headers sit below everything above them
    for r in ops.rows:
        assert all(p.grid.y + p.grid.h <= r.y for p in ops.panels)
    d = next(p for p in every if p.title == "D")
    assert d.steps == overview(m).panels[0].steps and d.unit == "short" and d.queries[0].instant
    assert any(v.name == "loki_datasource" for v in ops.variables)


def _nulls(node: Any, path: str = "") -> list[str]:
    if node is None:
        return [path]
    if isinstance(node, dict):
        return [n for k, v in node.items() for n in _nulls(v, f"{path}.{k}")]
    if isinstance(node, list):
        return [n for i, v in enumerate(node) for n in _nulls(v, f"{path}[{i}]")]
    return []


def test_rendered_json_has_no_nulls_but_the_base_step(tmp_path: Path) -> None:
    m = model(tmp_path, extra=BOARD)
    assert m.dashboards is not None
    for d in m.dashboards.boards:
        data = grafana.dashboard(m, d)
        assert all(n.endswith("steps[0].value") for n in _nulls(data)), _nulls(data)
        assert "rows" not in data and "id" not in data and "__inputs" not in data
        collapsed = next(p for p in data["panels"] if p["type"] == "row" and p["collapsed"]) if d.rows else None
        if collapsed:
            assert [p["title"] for p in collapsed["panels"]] == ["D"]
            assert "D" not in [p["title"] for p in data["panels"]]


def test_provisioning_path_is_configurable(tmp_path: Path) -> None:
    m = model(tmp_path, extra="dashboards: {provisioning_path: /srv/out/, folder: Team}")
    prov = grafana.provisioning(m)["providers"][0]
    assert prov["options"]["path"] == "/srv/out/svc/grafana/dashboards"
    assert prov["folder"] == "Team"
