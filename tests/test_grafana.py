"""The generated Grafana dashboards, read from the committed out/ and checked against independent facts.

* Grafana's own dashboard JSON Schema (foundation-sdk, ../shared/schemas/grafana), and the panel
  plugins' schemas for `options`, `fieldConfig.defaults.custom` and the Prometheus/Loki targets,
  which the dashboard schema leaves free-form;
* unique panel ids, no two panels on the same grid cells, a data source on every target;
* colour steps equal to the thresholds of the alert rules in rules.yml of the same spec, in
  order of severity, with the colour the dashboard's alert annotation uses for that severity;
* every alert's dashboard_url lands on an existing panel that shows the alert's indicator;
* every PromQL query parses and reads only declared metrics or generated recording rules;
* the provisioning file loads exactly the directory the dashboards are in.
"""

from __future__ import annotations

import functools
import json
import math
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlparse

import pytest
import yaml
from jsonschema import validators

from generator.checks.dashboards_queries import sample
from generator.compile import compile_specs
from generator.promql_check import parse
from tests.conftest import EXAMPLES, OUT, ROOT

SCHEMAS = Path(__file__).resolve().parent / "schemas" / "grafana"  # copies of ../shared/schemas/grafana, see README
PANEL_SCHEMAS = ("timeseries", "stat", "gauge", "table", "text", "logs")
FORBIDDEN_TYPES = {"graph", "singlestat", "table-old", "grafana-piechart-panel"}
SERVICES = sorted(p.name for p in OUT.iterdir() if p.is_dir())
BUILTIN = {"up", "ALERTS", "ALERTS_FOR_STATE"}


@functools.cache
def validator(name: str, ref: str | None = None) -> Any:
    schema = json.loads((SCHEMAS / f"{name}.jsonschema.json").read_text())
    if ref:
        schema = {**schema, "$ref": ref}
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


def dashboards() -> list[Path]:
    return sorted(OUT.glob("*/grafana/dashboards/*.json"))


@functools.cache
def load(path: Path) -> dict[str, Any]:
    data: dict[str, Any] = json.loads(path.read_text())
    return data


def all_panels(dash: dict[str, Any]) -> list[dict[str, Any]]:
    out = []
    for p in dash["panels"]:
        out.append(p)
        out.extend(p.get("panels") or [])
    return out


@functools.cache
def spec_of(service: str) -> dict[str, Any]:
    for path in EXAMPLES:
        data: dict[str, Any] = yaml.safe_load(path.read_text())
        if data["service"]["name"] == service:
            return data
    raise KeyError(service)


@functools.cache
def rules(service: str) -> list[dict[str, Any]]:
    data = yaml.safe_load((OUT / service / "prometheus" / "rules.yml").read_text())
    return [r for g in data["groups"] for r in g["rules"]]


def test_every_service_has_dashboards() -> None:
    assert len(dashboards()) >= 2 * len(EXAMPLES)
    for service in SERVICES:
        assert (OUT / service / "grafana" / "dashboards" / "overview.json").is_file()


@pytest.mark.parametrize("path", dashboards(), ids=lambda p: f"{p.parts[-4]}/{p.name}")
def test_dashboard_validates_against_grafana_schemas(path: Path) -> None:
    dash = load(path)
    errors = [f"{list(e.absolute_path)}: {e.message}" for e in validator("dashboard").iter_errors(dash)]
    for p in all_panels(dash):
        where = f"panel {p['id']} {p['type']}"
        assert p["type"] not in FORBIDDEN_TYPES, where
        if p["type"] in PANEL_SCHEMAS:
            v = validator(p["type"], "#/definitions/Options")
            errors += [f"{where} options: {e.message}" for e in v.iter_errors(p["options"])]
        custom = p.get("fieldConfig", {}).get("defaults", {}).get("custom")
        if custom is not None and p["type"] in ("timeseries", "table"):
            v = validator(p["type"], "#/definitions/FieldConfig")
            errors += [f"{where} custom: {e.message}" for e in v.iter_errors(custom)]
        for t in p.get("targets") or []:
            v = validator("loki" if t["datasource"]["type"] == "loki" else "prometheus")
            errors += [f"{where} target: {e.message}" for e in v.iter_errors(t)]
    assert errors == []
    assert 39 <= dash["schemaVersion"] <= 41


@pytest.mark.parametrize("path", dashboards(), ids=lambda p: f"{p.parts[-4]}/{p.name}")
def test_ids_layout_and_datasources(path: Path) -> None:
    dash = load(path)
    panels = all_panels(dash)
    ids = [p["id"] for p in panels]
    assert len(ids) == len(set(ids)), ids
    grids = [(p["id"], p["gridPos"]) for p in panels]
    for i, (a, ga) in enumerate(grids):
        assert ga["x"] + ga["w"] <= 24, a
        for b, gb in grids[i + 1 :]:
            overlap = (
                ga["x"] < gb["x"] + gb["w"]
                and gb["x"] < ga["x"] + ga["w"]
                and ga["y"] < gb["y"] + gb["h"]
                and gb["y"] < ga["y"] + ga["h"]
            )
            assert not overlap, f"panels {a} and {b} overlap: {ga} {gb}"
    variables = {v["name"]: v for v in dash["templating"]["list"]}
    for p in panels:
        if p["type"] in ("row", "text"):
            assert "targets" not in p
            continue
        assert p["targets"], p["title"]
        for t in p["targets"]:
            ds = t["datasource"]
            assert ds == p["datasource"]
            var = ds["uid"].removeprefix("${").removesuffix("}")
            assert variables[var]["type"] == "datasource" and variables[var]["query"] == ds["type"]


def _alert_levels(service: str) -> dict[str, list[tuple[str, str, float]]]:
    """record -> [(severity, op, value)] from the generated alert rules, most severe first."""
    ranks = {name: i for i, name in enumerate(spec_of(service)["severities"])}
    records = {r["record"] for r in rules(service) if "record" in r}
    out: dict[str, list[tuple[str, str, float]]] = {}
    for r in rules(service):
        m = re.fullmatch(r"(\S+) (>=|<=|>|<) (\S+)", r.get("expr", ""))
        escalated = "escalation" in (r.get("labels") or {})  # the same level again, held longer
        if "alert" in r and m and m.group(1) in records and not escalated:
            out.setdefault(m.group(1), []).append((r["labels"]["severity"], m.group(2), float(m.group(3))))
    for levels in out.values():
        levels.sort(key=lambda lv: ranks[lv[0]])
    return out


def _expected_steps(levels: list[tuple[str, str, float]], colors: dict[str, str], ok: str) -> list[Any]:
    """The steps are the thresholds as the rules write them: no next-float edges in the JSON."""
    if levels[0][1] in (">", ">="):  # above: green, then rising severity
        return [[None, ok]] + [[_plain(v), colors[s]] for s, _, v in reversed(levels)]
    milder = [colors[s] for s, _, _ in levels[1:]] + [ok]
    return [[None, colors[levels[0][0]]]] + [[_plain(v), c] for (_, _, v), c in zip(levels, milder, strict=True)]


def _plain(v: float) -> float | int:
    return int(v) if v.is_integer() else v


def _grafana_color(panel: dict[str, Any], value: float, js_string: dict[float, str]) -> str:
    """The colour Grafana gives a value: a value mapping of String(value) first, else the last
    threshold step the value reaches (value >= step), as Grafana's display processor does."""
    defaults = panel["fieldConfig"]["defaults"]
    for mapping in defaults.get("mappings") or []:
        if mapping["type"] == "value" and js_string[value] in mapping["options"]:
            return str(mapping["options"][js_string[value]]["color"])
    color = ""
    for step in defaults["thresholds"]["steps"]:
        if step["value"] is None or value >= step["value"]:
            color = step["color"]
    return color


def _alerting_color(levels: list[tuple[str, str, float]], colors: dict[str, str], ok: str, value: float) -> str:
    """The colour of the most severe alert whose rule condition holds at value, or ok."""
    holds = {">": value.__gt__, ">=": value.__ge__, "<": value.__lt__, "<=": value.__le__}
    for severity, op, threshold in levels:  # most severe first
        if holds[op](threshold):
            return colors[severity]
    return ok


def _edges(levels: list[tuple[str, str, float]]) -> set[float]:
    """Each threshold and the floats on either side of it: where a colour and an alert could disagree."""
    return {x for _, _, v in levels for x in (math.nextafter(v, -math.inf), v, math.nextafter(v, math.inf))}


def _js_strings(values: set[float]) -> dict[float, str]:
    """String(v) for each value, from node: the same conversion Grafana's value mappings use."""
    node = shutil.which("node")
    assert node, "node is needed to check value-mapping keys as JavaScript writes numbers"
    ordered = sorted(values)
    read = "JSON.parse(require('fs').readFileSync(0, 'utf8'))"
    script = f"console.log(JSON.stringify({read}.map(String)));"
    proc = subprocess.run([node, "-e", script], input=json.dumps(ordered), capture_output=True, text=True, check=True)
    return dict(zip(ordered, json.loads(proc.stdout), strict=True))


def _annotation_colors(dash: dict[str, Any]) -> dict[str, str]:
    out = {}
    for a in dash["annotations"]["list"]:
        m = re.search(r'severity="([^"]+)"', a.get("expr", ""))
        if m:
            out[m.group(1)] = a["iconColor"]
    return out


def _steps(panel: dict[str, Any]) -> list[Any]:
    return [[s["value"], s["color"]] for s in panel["fieldConfig"]["defaults"]["thresholds"]["steps"]]


@pytest.mark.parametrize("service", SERVICES)
def test_panel_colours_are_the_alert_thresholds(service: str) -> None:
    levels = _alert_levels(service)
    spec = spec_of(service)
    thresholds_of = {
        p["title"]: p["thresholds"]
        for b in (spec.get("dashboards") or {}).get("boards", {}).values()
        for r in b["rows"]
        for p in r["panels"]
        if "thresholds" in p
    }
    # A raw panel's own colours (a guide's steps no alert stands behind): exactly the spec's steps.
    own_steps = {
        p["title"]: [[s.get("value"), s["color"]] for s in p["steps"]]
        for b in (spec.get("dashboards") or {}).get("boards", {}).values()
        for r in b["rows"]
        for p in r["panels"]
        if "steps" in p
    }
    record_of = {}
    for r in rules(service):
        if "alert" in r and r["labels"].get("indicator"):
            m = re.fullmatch(r"(\S+) (>=|<=|>|<) (\S+)", r["expr"])
            if m:
                record_of[r["labels"]["indicator"]] = m.group(1)
    checked = 0
    js = _js_strings({x for lv in levels.values() for x in _edges(lv)})  # one node run per service
    for path in sorted((OUT / service / "grafana" / "dashboards").glob("*.json")):
        dash = load(path)
        colors = _annotation_colors(dash)
        assert set(colors) == set(spec["severities"])
        for p in all_panels(dash):
            if p["type"] in ("row", "text", "logs"):
                continue
            exprs = [t["expr"] for t in p["targets"]]
            if all(re.search(r"_errors:|_error_budget:", e) for e in exprs):
                continue  # an objective's panel: coloured by its target and burn factors, tested in test_objectives
            shown = [rec for rec in levels if any(re.match(rf"{re.escape(rec)}(\{{|$)", e) for e in exprs)]
            if p["title"] in thresholds_of:
                shown = [record_of[thresholds_of[p["title"]]]]
            steps = _steps(p)
            if not shown and p["title"] in own_steps:
                assert steps == own_steps[p["title"]], f"{path.name}: {p['title']}"
                continue
            if not shown:
                assert len(steps) == 1, f"{path.name}: {p['title']} has colours but shows no alerted indicator"
                continue
            assert len(shown) == 1, p["title"]
            ok = (spec.get("dashboards") or {}).get("colors", {}).get("ok", "green")
            lv = levels[shown[0]]
            assert steps == _expected_steps(lv, colors, ok), f"{path.name}: {p['title']}"
            for value in sorted(_edges(lv)):
                want = _alerting_color(lv, colors, ok, value)
                assert _grafana_color(p, value, js) == want, f"{path.name}: {p['title']} at {value!r}"
            checked += 1
    # every indicator with thresholds is on the overview, at least
    assert checked >= len(levels)


def test_colours_follow_severity_rank_unless_overridden() -> None:
    dash = load(OUT / "moltbot" / "grafana" / "dashboards" / "overview.json")
    assert _annotation_colors(dash) == {"critical": "red", "warning": "orange"}
    dash = load(OUT / "memory-service" / "grafana" / "dashboards" / "overview.json")
    assert _annotation_colors(dash) == {"critical": "red", "warning": "orange", "info": "blue"}


@pytest.mark.parametrize("service", SERVICES)
def test_every_alert_links_to_a_panel_of_its_indicator(service: str) -> None:
    overview = load(OUT / service / "grafana" / "dashboards" / "overview.json")
    panels = {p["id"]: p for p in all_panels(overview)}
    alerts = [r for r in rules(service) if "alert" in r]
    assert alerts
    for r in alerts:
        url = urlparse(r["annotations"]["dashboard_url"])
        _, d, uid, slug = url.path.split("/")
        assert (d, uid, slug) == ("d", overview["uid"], f"{service}-overview"), r["alert"]
        view = parse_qs(url.query).get("viewPanel")
        indicator = r["labels"].get("indicator")
        objective = r["labels"].get("objective")
        if objective is not None:  # burn-rate alerts: the burn-rate panel; absent data: the SLI panel
            panel = panels[int(view[0])]
            title = panel["title"].lower()
            assert ("sli over" in title) if r["alert"].endswith("Absent") else ("burn rate" in title), r["alert"]
            records = set(re.findall(r"[a-z_]+:[a-z0-9_]+:[a-z0-9_]+", r["expr"]))
            shown = {t["expr"].split("{")[0].removeprefix("1 - ") for t in panel["targets"]}
            assert records <= shown or r["alert"].endswith("Absent"), (r["alert"], records, shown)
            continue
        if indicator is None:
            assert view is None
            continue
        panel = panels[int(view[0])]
        record = re.match(r"(?:absent\()?([^\s()]+)", r["expr"]).group(1)  # type: ignore[union-attr]
        assert [t["expr"].split("{")[0] for t in panel["targets"]] == [record], (r["alert"], panel["title"])


def test_uids_are_unique_and_fit_grafana() -> None:
    uids = [load(p)["uid"] for p in dashboards()]
    assert len(uids) == len(set(uids))
    assert all(8 <= len(u) <= 40 and re.fullmatch(r"[A-Za-z0-9_-]+", u) for u in uids)


@pytest.mark.parametrize("service", SERVICES)
def test_queries_parse_and_read_known_series(service: str) -> None:
    spec = spec_of(service)
    prefix = spec["service"].get("metric_prefix", "")
    declared = {m.get("name") or f"{prefix}{k}" for k, m in (spec.get("metrics") or {}).items()}
    (model,) = compile_specs([ROOT / "spec" / "examples" / f"{service}.yml"], render=False).models
    declared |= {m.name for m in model.metrics}  # log counters are declared metrics too
    declared |= {f"{n}{s}" for n in declared for s in ("_bucket", "_sum", "_count")}
    recorded = {r["record"] for r in rules(service) if "record" in r}
    read = set()
    for path in sorted((OUT / service / "grafana" / "dashboards").glob("*.json")):
        dash = load(path)
        exprs = [a["expr"] for a in dash["annotations"]["list"] if "expr" in a]
        for p in all_panels(dash):
            for t in p.get("targets") or []:
                if t["datasource"]["type"] == "loki":
                    assert t["expr"].lstrip().startswith("{")
                else:
                    exprs.append(t["expr"])
        for e in exprs:
            names = set(parse(sample(e)).metric_names)
            assert names, e
            assert names <= declared | recorded | BUILTIN, (path.name, e)
            read |= names
    # Every indicator's record is on a dashboard, and each objective's SLI over its window, budget
    # remaining and burn rates; its base rates and short-window ratios only feed those.
    must = {i.record for i in model.indicators}
    for o in model.objectives:
        must |= {o.ratio_record(o.window_ms), o.budget_remaining_record, *(r for _, r in o.burn_rate_records)}
    assert must <= recorded
    assert must <= read, "a recording rule a dashboard should show is on no dashboard"


@pytest.mark.parametrize("service", SERVICES)
def test_provisioning_loads_the_dashboards_directory(service: str) -> None:
    text = (OUT / service / "grafana" / "provisioning" / "dashboards.yml").read_text()
    assert text.startswith("# Code generated by monspec from the spec of service ")
    prov = yaml.safe_load(text)
    assert prov["apiVersion"] == 1
    (provider,) = prov["providers"]
    assert provider["type"] == "file" and provider["name"] == f"monspec-{service}"
    # The path is where out/ is mounted plus the dashboards' place in out/.
    assert provider["options"]["path"].endswith(f"/{service}/grafana/dashboards")
    assert provider["folder"] == spec_of(service)["service"].get("title", service)
    files = sorted((OUT / service / "grafana" / "dashboards").glob("*.json"))
    assert all(p.suffix == ".json" for p in files) and files


def test_folders_and_providers_are_distinct_per_service() -> None:
    provs = [yaml.safe_load(p.read_text())["providers"][0] for p in sorted(OUT.glob("*/grafana/provisioning/*.yml"))]
    assert len(provs) == len(SERVICES)
    assert len({p["folderUid"] for p in provs}) == len({p["name"] for p in provs}) == len(provs)


def test_dashboard_links_to_the_alert_catalog_and_siblings() -> None:
    dash = load(OUT / "moltbot" / "grafana" / "dashboards" / "security.json")
    links = {lnk["title"]: lnk for lnk in dash["links"]}
    assert links["Alert catalog"]["url"] == "https://monitoring.example.com/monspec/out/moltbot/catalog.md"
    assert links["Moltbot dashboards"]["type"] == "dashboards"
    assert links["Moltbot dashboards"]["tags"] == ["monspec", "moltbot"]
    assert "moltbot" in dash["tags"] and "monspec" in dash["tags"]


def test_indicator_panels_link_their_runbooks() -> None:
    runbooks: dict[str, set[str]] = {}
    for r in rules("filagent"):
        if "alert" in r and "indicator" in r["labels"]:
            runbooks.setdefault(r["labels"]["indicator"], set()).add(r["annotations"]["runbook_url"])
    dash = load(OUT / "filagent" / "grafana" / "dashboards" / "overview.json")
    keys = list(spec_of("filagent")["indicators"])
    assert len(dash["panels"]) == len(keys)
    for i, p in enumerate(dash["panels"]):
        assert {lnk["url"] for lnk in p["links"]} == runbooks[keys[i]], p["title"]


def test_firing_alert_annotations_per_severity() -> None:
    dash = load(OUT / "filagent" / "grafana" / "dashboards" / "overview.json")
    exprs = [a["expr"] for a in dash["annotations"]["list"] if "expr" in a]
    assert exprs == [
        f'ALERTS{{alertstate="firing", service="filagent", severity="{s}"}}' for s in ("critical", "high", "medium")
    ]


def test_breakdown_labels_become_variables_and_legends() -> None:
    dash = load(OUT / "filagent" / "grafana" / "dashboards" / "overview.json")
    names = [v["name"] for v in dash["templating"]["list"]]
    assert names[:2] == ["datasource", "job"]
    assert "instance" not in names  # no query here can use it: the recording rules aggregate instances away
    assert {"source_ip", "endpoint", "client_ip", "reason", "user_id"} <= set(names)
    panel = next(p for p in dash["panels"] if ":filagent_rate_limit_violations:" in p["targets"][0]["expr"])
    (target,) = panel["targets"]
    assert target["expr"].endswith('{endpoint=~"$endpoint", client_ip=~"$client_ip"}')
    assert target["legendFormat"] == "{{endpoint}} {{client_ip}}"
    assert panel["type"] == "timeseries"


def test_logs_panels_read_a_loki_variable() -> None:
    dash = load(OUT / "memory-service" / "grafana" / "dashboards" / "incident-response.json")
    (logs,) = [p for p in all_panels(dash) if p["type"] == "logs"]
    assert logs["datasource"] == {"type": "loki", "uid": "${loki_datasource}"}
    var = next(v for v in dash["templating"]["list"] if v["name"] == "loki_datasource")
    assert var["type"] == "datasource" and var["query"] == "loki"
    overview = load(OUT / "memory-service" / "grafana" / "dashboards" / "overview.json")
    assert "loki_datasource" not in [v["name"] for v in overview["templating"]["list"]]


def test_instance_variable_where_a_query_uses_it() -> None:
    dash = load(OUT / "memory-service" / "grafana" / "dashboards" / "performance.json")
    var = next(v for v in dash["templating"]["list"] if v["name"] == "instance")
    assert var["query"] == 'label_values(up{job="memory-service"}, instance)'
    assert var["multi"] and var["includeAll"] and var["allValue"] == ".*"
    assert var["current"]["value"] == ["$__all"]
    panel = next(p for p in dash["panels"] if p["title"] == "Storage operations by instance")
    assert all('instance=~"$instance"' in t["expr"] for t in panel["targets"])


@pytest.mark.parametrize("service", SERVICES)
def test_objective_panels_show_target_budget_and_burn_factors(service: str) -> None:
    (model,) = compile_specs([ROOT / "spec" / "examples" / f"{service}.yml"], render=False).models
    overview = load(OUT / service / "grafana" / "dashboards" / "overview.json")
    rows = {p["title"]: p for p in overview["panels"] if p["type"] == "row"}
    panels = {p["title"]: p for p in all_panels(overview)}
    colors = _annotation_colors(overview)
    for o in model.objectives:
        assert f"Objective: {o.title}" in rows
        sli = next(p for t, p in panels.items() if t.startswith(f"{o.title}: SLI over"))
        assert [t["expr"] for t in sli["targets"]] == [f"1 - {o.ratio_record(o.window_ms)}"]
        assert _steps(sli) == [[None, colors[o.page.rule.severity.name]], [o.target, "green"]]
        budget = panels[f"{o.title}: error budget remaining"]
        assert [t["expr"] for t in budget["targets"]] == [o.budget_remaining_record]
        burn = panels[f"{o.title}: burn rate"]
        assert {t["expr"] for t in burn["targets"]} == {r for _, r in o.burn_rate_records}
        ticket = min(w.factor for w in o.ticket.windows)
        page = min(w.factor for w in o.page.windows)
        assert _steps(burn) == [
            [None, "green"],
            [ticket, colors[o.ticket.rule.severity.name]],
            [page, colors[o.page.rule.severity.name]],
        ]
