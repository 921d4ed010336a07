"""The alert catalog and the routing-tree picture: complete, escaped, and agreeing with amtool and Graphviz."""

from __future__ import annotations

import re
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest
import yaml
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt
from markdown_it.token import Token

from generator.cli import main
from generator.model.promql import quote
from generator.targets._templates import dot_str, md, md_code, md_fence, md_url
from tests.conftest import EXAMPLES, _tool
from tests.test_alertmanager import amtool_routes

SERVICES = [p.stem for p in EXAMPLES]
GFM = MarkdownIt("commonmark").enable(["table", "strikethrough"])
# Control characters are shown as \\uXXXX on purpose; everything else must come back as it went in.
TEXT = st.text(st.characters(blacklist_categories=("Cc", "Cs")) | st.sampled_from("\n\r\t`|<>&\\*_[]#!~-"), max_size=40)


@pytest.fixture(scope="session")
def amtool() -> str:
    return _tool("amtool")


@pytest.fixture(scope="session")
def dot() -> str:
    return _tool("dot")


def inline_text(tokens: list[Token]) -> str:
    out = []
    for t in tokens:
        if t.type in ("text", "code_inline"):
            out.append(t.content)
        elif t.type == "html_inline" and t.content == "<br>":
            out.append("\n")
        elif t.type not in ("link_open", "link_close"):  # a link shows its text (a stray one changes the text)
            out.append(f"[{t.type}]")
    return "".join(out)


def cells(source: str) -> list[list[Token]]:
    """The inline tokens of every body cell of the one table in `source`."""
    tokens = GFM.parse(source)
    body = tokens[[t.type for t in tokens].index("tbody_open") :]
    return [t.children or [] for t in body if t.type == "inline"]


def lines_of(value: str) -> list[str]:
    return re.split("\r\n|[\r\n\x85\u2028\u2029\x0b\x0c\x1c\x1d\x1e]", value)


# --- the markdown filters ------------------------------------------------------------------------------


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_md_renders_any_text_as_itself_in_a_paragraph_and_a_table_cell(value: str) -> None:
    expected = "\n".join(lines_of(value))
    para = GFM.parse(f"- x: {md(value)}\n")
    inline = next(t for t in para if t.type == "inline")
    assert inline_text(inline.children or []) == (f"x: {expected}" if expected else "x:")
    row = cells(f"| a | b |\n|---|---|\n| {md(value)} | end |\n")
    assert len(row) == 2, "a value must never add or remove a table cell"
    assert inline_text(row[0]) == expected
    assert inline_text(row[1]) == "end"


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_md_code_is_one_code_span_in_a_cell_and_in_text(value: str) -> None:
    flat = " ".join(lines_of(value))
    if not flat:
        assert md_code(value) == ""
        return
    row = cells(f"| a | b |\n|---|---|\n| {md_code(value, cell=True)} | end |\n")
    assert [(t.type, t.content) for t in row[0]] == [("code_inline", flat)]
    assert inline_text(row[1]) == "end"
    inline = next(t for t in GFM.parse(f"x {md_code(value)} y\n") if t.type == "inline")
    assert [(t.type, t.content) for t in inline.children or []][1] == ("code_inline", flat)


@settings(max_examples=200, deadline=None)
@given(TEXT)
def test_md_fence_holds_any_text(value: str) -> None:
    tokens = GFM.parse(md_fence(value, "promql") + "\n\nafter\n")
    assert tokens[0].type == "fence" and tokens[0].info == "promql"
    assert tokens[0].content == "\n".join(lines_of(value)) + "\n"
    assert tokens[-2].content == "after"


def test_md_hostile_strings() -> None:
    hostile = "| col `tick` <script>alert(1)</script> *em* [x](javascript:y)\n# heading\n1. item &amp; \\|"
    row = cells(f"| a | b |\n|---|---|\n| {md(hostile)} | {md_code(hostile, cell=True)} |\n")
    assert inline_text(row[0]) == hostile
    assert [t.type for t in row[0] if t.type not in ("text",)] == ["html_inline", "html_inline"]  # the two <br>
    assert [(t.type, t.content) for t in row[1]] == [("code_inline", hostile.replace("\n", " "))]
    link = GFM.parse(f"[runbook]({md_url('https://x.example/a b(c)|d<e>')})\n")
    anchor = next(t for t in link if t.type == "inline").children or []
    assert anchor[0].type == "link_open"
    assert anchor[0].attrs["href"] == "https://x.example/a%20b%28c%29%7Cd%3Ce%3E"


# --- the Graphviz strings --------------------------------------------------------------------------------


def svg_texts(svg: bytes) -> list[str]:
    root = ET.fromstring(svg)
    return [el.text or "" for el in root.iter("{http://www.w3.org/2000/svg}text")]


@settings(max_examples=15, deadline=None)
@given(
    st.text(
        st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp")) | st.sampled_from('"\\\n{}<>|;'),
        min_size=1,
        max_size=30,
    )
)
def test_dot_str_shows_any_label_as_written(dot: str, value: str) -> None:
    graph = f'digraph g {{ n [shape=box, label={dot_str(value)}]; m [label="after"]; n -> m; }}\n'
    proc = subprocess.run([dot, "-Tsvg"], input=graph.encode(), capture_output=True, check=False, timeout=30)
    assert proc.returncode == 0, proc.stderr.decode()
    texts = svg_texts(proc.stdout)
    assert texts[-1] == "after"
    # Graphviz draws each line as a text element and leaves out empty and blank ones.
    shown = [line.strip() for line in lines_of(value) if line.strip()]
    assert [t.strip() for t in texts[:-1]] == shown


# --- the catalog -----------------------------------------------------------------------------------------


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def summary_rows(catalog: str) -> list[dict[str, str]]:
    """The catalog's alert table: one dict per row, keyed by column title."""
    tokens = GFM.parse(catalog)
    heading = next(i for i, t in enumerate(tokens) if t.type == "inline" and t.content == "Alerts")
    start = next(i for i in range(heading, len(tokens)) if tokens[i].type == "table_open")
    end = next(i for i in range(start, len(tokens)) if tokens[i].type == "table_close")
    inline = [inline_text(t.children or []) for t in tokens[start:end] if t.type == "inline"]
    width = 7
    head, body = inline[:width], inline[width:]
    return [dict(zip(head, body[i : i + width], strict=True)) for i in range(0, len(body), width)]


def generated_alerts(generated: Path, service: str) -> list[dict[str, Any]]:
    rules = load(generated / service / "prometheus" / "rules.yml")
    return [r for g in rules["groups"] for r in g["rules"] if "alert" in r]


@pytest.mark.parametrize("service", SERVICES)
def test_catalog_receivers_are_what_amtool_routes_each_alert_to(amtool: str, generated: Path, service: str) -> None:
    rows = summary_rows((generated / service / "catalog.md").read_text())
    alerts = generated_alerts(generated, service)
    config = generated / service / "alertmanager" / "alertmanager.yml"
    by_key = {(a["alert"], variant(alerts, a)): a for a in alerts}
    listed = []
    for row in rows:
        name, _, tier = row["Alert"].partition(" (")
        listed.append((name, tier.rstrip(")") or None))
    assert sorted(listed, key=str) == sorted(by_key, key=str), "the catalog lists every generated alert once"
    for row, key in zip(rows, listed, strict=True):
        labels = {"alertname": key[0], **by_key[key]["labels"]}
        assert row["Receivers"].split(", ") == amtool_routes(amtool, config, labels), key


def variant(alerts: list[dict[str, Any]], alert: dict[str, Any]) -> str | None:
    """What tells an alert apart from others of its name: the severity when the name is shared, the tier."""
    shared = sum(1 for a in alerts if a["alert"] == alert["alert"] and "escalation" not in a["labels"]) > 1
    parts = [alert["labels"]["severity"] if shared else None, alert["labels"].get("escalation")]
    return " ".join(p for p in parts if p) or None


@pytest.mark.parametrize("service", SERVICES)
def test_catalog_entries_carry_what_the_rules_say(generated: Path, service: str) -> None:
    catalog = (generated / service / "catalog.md").read_text()
    alerts = generated_alerts(generated, service)
    for alert in alerts:
        shown = variant(alerts, alert)
        heading = f"### {alert['alert']}" + (f" {shown}" if shown else "")
        assert heading + "\n" in catalog
        section = catalog.split(heading + "\n", 1)[1].split("\n### ", 1)[0]
        assert f"- For: {alert.get('for', '0s')}\n" in section
        assert f"- Severity: {alert['labels']['severity']}, priority {alert['labels']['priority']}" in section
        assert md_fence(alert["expr"], "promql") in section
        runbook = alert["annotations"].get("runbook_url")
        assert (f"({md_url(runbook)})" in section) if runbook else "- Runbook: none" in section
        dashboard = alert["annotations"].get("dashboard_url")
        assert (f"({md_url(dashboard)})" in section) if dashboard else "- Dashboard: none" in section


def test_catalog_shows_seed_000s_soc2_mapping(generated: Path) -> None:
    rows = {r["Alert"]: r for r in summary_rows((generated / "moltbot" / "catalog.md").read_text())}
    # The guide's SOC2 table: CC6.2 is auth failures and RBAC denials, CC4.1 the gateway's uptime.
    assert rows["BruteForceAttempt"]["Compliance"] == "SOC2-CC6.2"
    assert rows["RbacDenialSpike"]["Compliance"] == "SOC2-CC6.2"
    assert rows["GatewayDown"]["Compliance"] == "SOC2-CC4.1"
    assert rows["GatewayUptimeBudgetBurnPage"]["Compliance"] == "SOC2-CC4.1"
    assert rows["QueueBacklog"]["Compliance"] == "-"
    assert rows["BruteForceAttempt"]["Threshold"] == "> 100" and rows["BruteForceAttempt"]["For"] == "2m"


def test_catalog_describes_objectives_receivers_and_logs(generated: Path) -> None:
    text = (generated / "moltbot" / "catalog.md").read_text()
    assert "- Target: 99.9% over" in text and "- Error budget: 0.1% of the events (43m12s" in text
    assert "| page | 1h | 5m | 14.4 | 2% |" in text
    assert "routing_key_file `/etc/alertmanager/secrets/pagerduty-routing-key`" in text
    assert "## Log queries" in text and '`{job="clawdbot", source="audit"}`' in text
    assert '| `severity="critical", indicator=~".+"` | `severity="warning"` | service, indicator |' in text
    memory = (generated / "memory-service" / "catalog.md").read_text()
    assert '| 1 | `priority="P0"` | critical-alerts | yes |' in memory


def test_catalog_links_resolve_inside_out(generated: Path) -> None:
    for service in SERVICES:
        text = (generated / service / "catalog.md").read_text()
        for target in re.findall(r"\]\(([^)#:]+)\)", text):
            if not target.startswith("/"):
                assert (generated / service / target).is_file(), (service, target)
        anchors = {
            re.sub(r"[^a-z0-9_ -]", "", h.lower()).replace(" ", "-") for h in re.findall(r"^#+ (.+)$", text, re.M)
        }
        for anchor in re.findall(r"\]\(#([^)]+)\)", text):
            assert anchor in anchors, (service, anchor)


HOSTILE = """version: 1
service: {name: hostile, job: hostile, title: "Tab|le `x` <b>"}
severities: {critical: {description: "pipes | and\\nnewlines"}}
metrics: {depth: {type: gauge}}
indicators:
  depth:
    gauge: {metric: depth}
    thresholds: {critical: 10}
    summary: "| `` ` <script> [x](y) *"
    labels: {team: 'a"b\\\\c|d'}
    runbook: "https://runbooks.example.com/a b|c"
routing:
  receivers:
    pager: {description: "two\\nlines | and `ticks`", webhook: {url: "https://hooks.example.com/x"}}
  routes:
    - {match: {team: 'a"b\\\\c|d'}, receiver: pager, continue: true}
"""


def test_hostile_strings_stay_inside_their_cells_and_nodes(tmp_path: Path, dot: str, amtool: str) -> None:
    """Quotes, backslashes, pipes, backticks and HTML in a spec: the catalog's tables keep their cells, the
    picture shows the matcher as Alertmanager reads it, and `generate --svg` is opt-in and checked."""
    spec = tmp_path / "hostile.yml"
    spec.write_text(HOSTILE)
    out = tmp_path / "out"

    def monspec(*args: str) -> Any:  # in-process: five runs of the CLI's own code without five interpreters
        return CliRunner().invoke(main, [*args, str(spec), "--out", str(out)])

    assert monspec("generate").exit_code == 0
    assert not (out / "hostile" / "alertmanager" / "routes.svg").exists(), "SVG only when asked for"
    stale = monspec("generate", "--check", "--svg")
    assert stale.exit_code == 1 and "routes.svg" in stale.stdout
    assert monspec("generate", "--svg").exit_code == 0
    assert monspec("generate", "--check", "--svg").exit_code == 0
    assert monspec("generate", "--check").exit_code == 1, "an SVG that --check does not expect is stale"
    catalog = (out / "hostile" / "catalog.md").read_text()
    rows = summary_rows(catalog)
    assert [r["Receivers"] for r in rows] == ["pager"]
    tokens = GFM.parse(catalog)
    assert not [t for t in tokens if t.type == "html_block"]
    assert [t.content for t in tokens if t.type == "inline" and t.content.startswith("Alert catalog")] == [
        "Alert catalog: Tab\\|le \\`x\\` \\<b>"
    ]
    matcher = "team=" + quote('a"b\\\\c|d')
    route_cells = cells(catalog.split("## Routing tree")[1].split("## Inhibition")[0])
    assert [inline_text(c) for c in route_cells[6:9]] == ["1", matcher, "pager"]
    svg = (out / "hostile" / "alertmanager" / "routes.svg").read_bytes()
    assert matcher in [t.strip() for t in svg_texts(svg)]
    config = out / "hostile" / "alertmanager" / "alertmanager.yml"
    rule = next(r for g in load(out / "hostile/prometheus/rules.yml")["groups"] for r in g["rules"] if "alert" in r)
    assert amtool_routes(amtool, config, {"alertname": rule["alert"], **rule["labels"]}) == ["pager"]


# --- the routing tree picture --------------------------------------------------------------------------


@pytest.mark.parametrize("service", SERVICES)
def test_routes_dot_has_every_route_and_receiver_and_renders(dot: str, generated: Path, service: str) -> None:
    text = (generated / service / "alertmanager" / "routes.dot").read_text()
    config = load(generated / service / "alertmanager" / "alertmanager.yml")

    def count(route: dict[str, Any]) -> int:
        return 1 + sum(count(r) for r in route.get("routes", []))

    assert len(re.findall(r"^  route\w* \[shape=box", text, re.M)) == count(config["route"])
    assert len(re.findall(r"^  receiver_\d+ \[", text, re.M)) == len(config["receivers"])
    proc = subprocess.run([dot, "-Tsvg"], input=text.encode(), capture_output=True, check=False, timeout=60)
    assert proc.returncode == 0, proc.stderr.decode()
    shown = set(svg_texts(proc.stdout))
    assert {r["name"] for r in config["receivers"]} <= shown
    matchers = {m for r in config["route"].get("routes", []) for m in r.get("matchers", [])}
    assert matchers <= shown


def test_dot_str_hostile_labels_in_one_graph(dot: str) -> None:
    labels = ['a"b', "back\\slash", "\\N \\G \\E \\l \\n", "two\nlines", "}; evil -> x [", "<html>", "é ✓ 漢"]
    nodes = "".join(f"n{i} [label={dot_str(v)}];\n" for i, v in enumerate(labels))
    proc = subprocess.run([dot, "-Tsvg"], input=f"digraph g {{\n{nodes}}}\n".encode(), capture_output=True, check=False)
    assert proc.returncode == 0, proc.stderr.decode()
    shown = [t.strip() for t in svg_texts(proc.stdout)]
    assert shown == [line for v in labels for line in v.split("\n")]


LOG_COUNTER_SPEC = """version: 1
service: {name: lq, job: lq, metric_prefix: lq_}
severities: {critical: {}}
metrics: {depth: {type: gauge}}
indicators:
  audit_events:
    increase: {metric: audit_events_total, window: 5m}
    thresholds: {critical: 10}
  depth: {gauge: {metric: depth}, thresholds: {critical: 10}}
logs:
  sources:
    audit:
      paths: [/var/log/audit.jsonl]
      format: json
      labels: [type]
      count:
        audit_events_total: {by: [type]}
  loki: {url: "https://loki:3100/loki/api/v1/push"}
"""


def test_an_alert_on_a_log_counter_lists_its_sources_queries(tmp_path: Path) -> None:
    from generator.compile import compile_specs

    spec = tmp_path / "lq.yml"
    spec.write_text(LOG_COUNTER_SPEC)
    result = compile_specs([spec])
    assert result.ok, result.diagnostics
    catalog = result.files["lq/catalog.md"].decode()
    on_logs = catalog.split("### AuditEventsCritical\n", 1)[1].split("\n### ", 1)[0]
    assert "- audit: events counted by lq\\_audit\\_events\\_total" not in on_logs  # snake_case stays readable
    assert '(audit/lq_audit_events_total): LogQL `{job="lq", source="audit"}`' in on_logs
    other = catalog.split("### DepthCritical\n", 1)[1].split("\n## ", 1)[0]
    assert "Log queries:" not in other
