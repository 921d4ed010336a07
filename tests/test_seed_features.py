"""Language features the seed guides needed, proven against the tool or file that consumes them.

* The catalog's acknowledge command, run against a real Alertmanager, silences the alert and its
  escalated copies (the 001 guide's "acknowledge within 5 minutes" before Level 2).
* An alert's logs_url opens exactly the stream the log shippers send (seed 004's "View Logs").
* `route_timing: parent` leaves every route's timing to Alertmanager's inheritance (seed 002).
* Saved log queries are tied to their source's stream; Kibana's saved objects reference each other.
* Runbook links that notifications cannot open are reported.
"""

from __future__ import annotations

import json
import re
import shlex
import shutil
import subprocess
import time
import urllib.request
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, unquote, urlparse

import pytest
import yaml

from tests.conftest import ROOT, run_monspec
from tests.stack import free_port

OUT = ROOT / "out"


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def alert_rules(service: str) -> list[dict[str, Any]]:
    doc = load(OUT / service / "prometheus" / "rules.yml")
    return [r for g in doc["groups"] for r in g["rules"] if "alert" in r]


# --- acknowledging: the catalog's silence, in a real Alertmanager ---------------------------------
def _api(port: int, path: str, body: Any = None) -> Any:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(
        f"http://127.0.0.1:{port}{path}", data=data, headers={"Content-Type": "application/json"}
    )
    with urllib.request.urlopen(req, timeout=5) as resp:
        text = resp.read()
    return json.loads(text) if text else None


@pytest.fixture
def alertmanager(tmp_path: Path) -> Any:
    binary = shutil.which("prometheus-alertmanager") or shutil.which("alertmanager")
    if binary is None:
        pytest.fail("prometheus-alertmanager is not installed (make tools)")
    config = tmp_path / "alertmanager.yml"
    config.write_text("route: {receiver: nobody}\nreceivers: [{name: nobody}]\n")
    port, cluster = free_port(), free_port()
    proc = subprocess.Popen(
        [
            binary,
            f"--config.file={config}",
            f"--storage.path={tmp_path / 'data'}",
            f"--web.listen-address=127.0.0.1:{port}",
            f"--cluster.listen-address=127.0.0.1:{cluster}",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        deadline = time.monotonic() + 30
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/-/ready", timeout=1)
                break
            except OSError:
                if time.monotonic() > deadline or proc.poll() is not None:
                    pytest.fail("alertmanager did not start")
                time.sleep(0.2)
        yield port
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _silence_command(service: str, alert: str) -> list[str]:
    text = (OUT / service / "catalog.md").read_text()
    section = text.split(f"\n### {alert}\n", 1)[1].split("\n### ", 1)[0]
    match = re.search(r"```sh\n(amtool silence add [^\n]+)\n```", section)
    assert match, f"{service}/{alert}: no acknowledge command in the catalog"
    return shlex.split(match.group(1))


def test_acknowledging_silences_the_alert_and_its_escalation_tiers(alertmanager: int) -> None:
    amtool = shutil.which("amtool")
    assert amtool, "amtool is not installed (make tools)"
    base = next(r for r in alert_rules("express-api") if r["alert"] == "SecurityViolations")
    words = _silence_command("express-api", "SecurityViolations")
    words = [
        f"--alertmanager.url=http://127.0.0.1:{alertmanager}" if w.startswith("--alertmanager.url") else w
        for w in words
    ]
    proc = subprocess.run([amtool, *words[1:]], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stderr
    copies = [r for r in alert_rules("express-api") if r["alert"] == "SecurityViolations"]
    assert len(copies) == 4, "the base alert and its three escalation tiers"
    other = next(r for r in alert_rules("express-api") if r["alert"] == "AuthenticationFailures")
    posted = [{"alertname": r["alert"], **r["labels"]} for r in (*copies, other)]
    _api(alertmanager, "/api/v2/alerts", [{"labels": labels} for labels in posted])
    deadline = time.monotonic() + 10
    while True:
        states = {
            (a["labels"]["alertname"], a["labels"].get("escalation", "")): a["status"]["state"]
            for a in _api(alertmanager, "/api/v2/alerts")
        }
        if len(states) == len(posted) or time.monotonic() > deadline:
            break
        time.sleep(0.2)
    assert {k: v for k, v in states.items() if k[0] == "SecurityViolations"} == {
        ("SecurityViolations", tier): "suppressed" for tier in ("", "level2-oncall", "level3-team", "level4-executive")
    }
    assert states[("AuthenticationFailures", "")] == "active", "the silence mutes only its own alert"
    assert base["labels"]["service"] == "express-api"


# --- logs_url: the stream the shippers send --------------------------------------------------------
def test_logs_url_opens_the_stream_the_shippers_send() -> None:
    queries = load(OUT / "filagent" / "logs" / "queries.yml")["sources"]
    promtail = load(OUT / "filagent" / "promtail" / "promtail.yml")
    shipped = {
        sc["job_name"]: sc["static_configs"][0]["labels"]
        for sc in promtail["scrape_configs"]
        if sc.get("static_configs")
    }
    linked = [r for r in alert_rules("filagent") if "logs_url" in r["annotations"]]
    assert len(linked) == len(alert_rules("filagent")), "defaults.logs: every alert links the logs"
    for rule in linked:
        url = urlparse(rule["annotations"]["logs_url"])
        assert (url.scheme, url.netloc, url.path) == ("https", "grafana.example.com", "/explore")
        state = json.loads(unquote(parse_qs(url.query)["left"][0]))
        assert state["datasource"] == "Loki"
        expr = state["queries"][0]["expr"]
        assert expr == queries["app"]["loki_stream"]
        labels = dict(re.findall(r'(\w+)="([^"]*)"', expr))
        assert any(all(s.get(k) == v for k, v in labels.items()) for s in shipped.values()), (expr, shipped)


def test_notifications_carry_the_time_the_logs_link_and_the_action() -> None:
    tmpl = (OUT / "filagent" / "alertmanager" / "templates" / "monspec.tmpl").read_text()
    slack = tmpl.split('{{ define "monspec.slack.text" }}', 1)[1].split("{{ define", 1)[0]
    assert "*Time:* {{ .StartsAt.UTC.Format" in slack
    assert "|View Logs>" in slack and ".Annotations.logs_url" in slack
    config = load(OUT / "filagent" / "alertmanager" / "alertmanager.yml")
    for receiver in config["receivers"]:
        for pd in receiver.get("pagerduty_configs") or []:
            assert pd["details"]["action"] == "{{ .CommonAnnotations.action }}"
            assert "logs_url" in pd["details"]


# --- route_timing: parent ----------------------------------------------------------------------------
def test_parent_route_timing_leaves_inheritance_to_alertmanager(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(
        "version: 1\nservice: {name: s, job: s}\nseverities: {critical: {priority: P1}, warning: {priority: P2}}\n"
        "routing:\n  group_wait: 10s\n  group_interval: 10s\n  repeat_interval: 12h\n  route_timing: parent\n"
        "  receivers: {a: {webhook: {url: 'http://127.0.0.1:1/a'}}, b: {webhook: {url: 'http://127.0.0.1:1/b'}}}\n"
        "  routes:\n    - {match: {severity: critical}, receiver: a}\n"
        "    - {match: {severity: warning}, receiver: b, repeat_interval: 1d}\n"
    )
    proc = run_monspec("generate", str(spec), "--out", str(tmp_path / "out"))
    assert proc.returncode == 0, proc.stderr
    config_path = tmp_path / "out" / "s" / "alertmanager" / "alertmanager.yml"
    routes = load(config_path)["route"]["routes"]
    assert [sorted(set(r) & {"group_wait", "group_interval", "repeat_interval"}) for r in routes] == [
        [],
        ["repeat_interval"],
    ]
    amtool = shutil.which("amtool")
    assert amtool
    check = subprocess.run([amtool, "check-config", str(config_path)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr


# --- saved queries and Kibana ----------------------------------------------------------------------
def test_saved_queries_read_their_sources_stream() -> None:
    sources = load(OUT / "memory-service" / "logs" / "queries.yml")["sources"]
    audit = {q["name"]: q for q in sources["audit"]["queries"]}
    assert audit["audit_critical_events"]["logql"] == '{job="memory-service", source="audit", level="CRITICAL"}'
    assert audit["audit_event_rate"]["logql"] == 'rate({job="memory-service", source="audit"}[5m])'
    siem = {q["name"]: q for q in sources["audit_siem"]["queries"]}
    assert siem["audit_siem_auth_failures"]["kql"] == 'fields.source: "audit_siem" and (event_type: "auth_failure")'


def test_kibana_saved_objects_reference_each_other() -> None:
    lines = (OUT / "memory-service" / "kibana" / "saved-objects.ndjson").read_text().splitlines()
    objects = [json.loads(line) for line in lines]
    (pattern,) = [o for o in objects if o["type"] == "index-pattern"]
    assert pattern["attributes"]["title"] == "memory-audit-*"
    assert pattern["attributes"]["timeFieldName"] == "@timestamp"
    formats = json.loads(pattern["attributes"]["fieldFormatMap"])
    assert formats == {"timestamp": {"id": "date", "params": {"pattern": "YYYY-MM-DD HH:mm:ss.SSS"}}}
    searches = [o for o in objects if o["type"] == "search"]
    kql = {q["kql"] for q in load(OUT / "memory-service" / "logs" / "queries.yml")["sources"]["audit_siem"]["queries"]}
    assert {
        json.loads(s["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])["query"]["query"] for s in searches
    } == kql
    ids = [o["id"] for o in objects]
    assert len(ids) == len(set(ids))
    for s in searches:
        source = json.loads(s["attributes"]["kibanaSavedObjectMeta"]["searchSourceJSON"])
        assert source["query"]["language"] == "kuery"
        (ref,) = s["references"]
        assert ref == {"name": source["indexRefName"], "type": "index-pattern", "id": pattern["id"]}
    filebeat = load(OUT / "memory-service" / "filebeat" / "filebeat.yml")
    assert filebeat["setup.kibana"] == {"host": "localhost:5601"}
    assert filebeat["output.elasticsearch"]["index"].startswith("memory-audit-")


# --- the catalog shows templates by name ----------------------------------------------------------
@pytest.mark.parametrize("service", ["moltbot", "express-api", "memory-service", "security-platform", "filagent"])
def test_catalog_names_what_templates_will_show(service: str) -> None:
    text = (OUT / service / "catalog.md").read_text()
    prose = re.sub(r"```.*?```", "", text, flags=re.S)
    prose = re.sub(r"`[^`]*`", "", prose)
    assert "{{" not in prose, "an annotation template printed raw"
    if service == "moltbot":
        section = text.split("\n### HighAuthFailureRate warning\n", 1)[1].split("\n### ", 1)[0]
        assert "\\<value> auth failures in the last hour" in section


# --- runbook links ---------------------------------------------------------------------------------
def test_relative_and_dropped_runbooks_are_reported(tmp_path: Path) -> None:
    spec = tmp_path / "s.yml"
    spec.write_text(
        "version: 1\nservice: {name: s, job: s}\nseverities: {critical: {priority: P1}}\n"
        "defaults: {runbook_url: /runbooks}\n"
        "indicators:\n  up:\n    expr: up\n    runbook: gateway\n    thresholds: {critical: 1}\n"
    )
    proc = run_monspec("validate", "--format", "parsable", str(spec))
    assert proc.returncode == 0, proc.stderr
    codes = re.findall(r"warning \[([a-z/-]+)\]", proc.stdout + proc.stderr)
    assert codes == ["runbooks/relative-url", "runbooks/dropped"]
    every = run_monspec(
        "validate", "--format", "parsable", *map(str, sorted((ROOT / "spec" / "examples").glob("*.yml")))
    )
    assert "runbooks/" not in every.stdout + every.stderr, (
        "an example's alerts link a runbook notifications cannot open"
    )
