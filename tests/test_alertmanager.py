"""The generated Alertmanager files, proven with amtool, and each example routed like its seed guide."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from generator.model.promql import quote
from tests.conftest import EXAMPLES, MINIMAL_SPEC, _tool, run_monspec

SERVICES = [p.stem for p in EXAMPLES]


@pytest.fixture(scope="session")
def amtool() -> str:
    return _tool("amtool")


def load(path: Path) -> Any:
    return yaml.safe_load(path.read_text())


def amtool_routes(amtool: str, config: Path, labels: dict[str, str]) -> list[str]:
    proc = subprocess.run(
        [
            amtool,
            "config",
            "routes",
            "test",
            f"--config.file={config}",
            *(f"{k}={quote(v)}" for k, v in labels.items()),
        ],
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip().split(",")


@pytest.mark.parametrize("service", SERVICES)
def test_amtool_check_config_passes(amtool: str, generated: Path, service: str) -> None:
    config = generated / service / "alertmanager" / "alertmanager.yml"
    proc = subprocess.run([amtool, "check-config", str(config)], capture_output=True, text=True, check=False)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "SUCCESS" in proc.stdout


@pytest.mark.parametrize("service", SERVICES)
def test_every_routing_table_row_passes_amtool(amtool: str, generated: Path, service: str) -> None:
    table = load(generated / service / "alertmanager" / "routes.test.yml")
    config = generated / service / "alertmanager" / table["config"]
    assert len(table["tests"]) >= 5
    for row in table["tests"]:
        assert amtool_routes(amtool, config, row["labels"]) == row["receivers"], row["name"]


@pytest.mark.parametrize("service", SERVICES)
def test_routing_table_covers_every_alert_severity_and_route(generated: Path, service: str) -> None:
    rules = load(generated / service / "prometheus" / "rules.yml")
    alerts = {r["alert"] for g in rules["groups"] for r in g["rules"] if "alert" in r}
    table = load(generated / service / "alertmanager" / "routes.test.yml")
    covered = {row["labels"].get("alertname") for row in table["tests"]}
    assert alerts <= covered
    names = [part for row in table["tests"] for part in row["name"].split("; ")]
    spec = load(Path("spec/examples") / f"{service}.yml")
    for sev in spec["severities"]:
        assert f"severity {sev}" in names
    routes = spec["routing"].get("routes", [])
    assert sum(1 for n in names if n.startswith("route ")) >= len(routes)


@pytest.mark.parametrize("service", SERVICES)
def test_notification_templates_render_in_amtool(amtool: str, generated: Path, service: str) -> None:
    directory = generated / service / "alertmanager"
    text = (directory / "templates" / "monspec.tmpl").read_text()
    names = re.findall(r'{{ define "([^"]+)" }}', text)
    assert {"monspec.title", "monspec.text", "monspec.slack.text", "monspec.email.html"} <= set(names)
    for name in names:
        proc = subprocess.run(
            [
                amtool,
                "template",
                "render",
                f"--template.glob={directory / 'templates' / '*.tmpl'}",
                f'--template.text={{{{ template "{name}" . }}}}',
            ],
            capture_output=True,
            text=True,
            check=False,
        )
        assert proc.returncode == 0, f"{name}: {proc.stderr}"
    config = load(directory / "alertmanager.yml")
    used = set(re.findall(r'template "([^"]+)"', yaml.safe_dump(config)))
    assert used and used <= set(names)


def receivers_of(config: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {r["name"]: r for r in config["receivers"]}


def test_memory_service_routes_the_guides_p0_to_p3_tree(amtool: str, generated: Path) -> None:
    directory = generated / "memory-service" / "alertmanager"
    config = load(directory / "alertmanager.yml")
    route = config["route"]
    assert route["group_by"] == ["alertname", "priority"]
    assert (route["group_wait"], route["group_interval"], route["repeat_interval"]) == ("10s", "10s", "12h")
    recv = receivers_of(config)
    assert recv["critical-alerts"]["slack_configs"][0]["channel"] == "#security-critical"
    assert recv["critical-alerts"]["pagerduty_configs"][0]["service_key_file"].startswith("/etc/alertmanager/")
    assert recv["high-priority-alerts"]["slack_configs"][0]["channel"] == "#security-alerts"
    assert recv["medium-priority-alerts"]["slack_configs"][0]["channel"] == "#memory-service-ops"
    assert recv["low-priority-alerts"]["email_configs"][0]["to"] == "ops-team@example.com"
    assert recv["default"]["slack_configs"][0]["channel"] == "#memory-service-alerts"
    # The guide times the root only; every route inherits 10s/10s/12h.
    for child in route["routes"]:
        assert not {"group_wait", "group_interval", "repeat_interval"} & set(child), child
    p0 = next(r for r in route["routes"] if r["matchers"] == ['priority="P0"'])
    assert p0["continue"] is True
    cfg = directory / "alertmanager.yml"
    for priority, receiver in [
        ("P0", "critical-alerts"),
        ("P1", "high-priority-alerts"),
        ("P2", "medium-priority-alerts"),
        ("P3", "low-priority-alerts"),
    ]:
        assert amtool_routes(amtool, cfg, {"priority": priority, "alertname": "X"}) == [receiver]
    assert amtool_routes(amtool, cfg, {"alertname": "X"}) == ["default"]


def test_filagent_routes_critical_high_medium_channels(amtool: str, generated: Path) -> None:
    directory = generated / "filagent" / "alertmanager"
    config = load(directory / "alertmanager.yml")
    recv = receivers_of(config)
    crit = recv["security-critical"]
    assert crit["email_configs"][0]["to"] == "security-team@company.com, ciso@company.com"
    assert crit["slack_configs"][0]["channel"] == "#security-critical"
    assert crit["pagerduty_configs"][0]["severity"] == "critical"
    assert recv["security-high"]["slack_configs"][0]["channel"] == "#security-alerts"
    assert recv["security-high"]["email_configs"][0]["to"] == "security-team@company.com"
    assert recv["security-ops"]["slack_configs"][0]["channel"] == "#security-warnings"
    assert recv["security-ops"]["email_configs"][0]["to"] == "security-ops@company.com"
    assert config["global"]["smtp_smarthost"] == "smtp.company.com:587"
    assert config["global"]["smtp_from"] == "security-alerts@filagent.ai"
    cfg = directory / "alertmanager.yml"
    for sev, receiver in [("critical", "security-critical"), ("high", "security-high"), ("medium", "security-ops")]:
        assert amtool_routes(amtool, cfg, {"severity": sev, "service": "filagent"}) == [receiver]


def test_moltbot_routes_by_the_guides_severities(amtool: str, generated: Path) -> None:
    cfg = generated / "moltbot" / "alertmanager" / "alertmanager.yml"
    assert amtool_routes(amtool, cfg, {"severity": "critical", "alertname": "GatewayDown"}) == ["security-oncall"]
    assert amtool_routes(amtool, cfg, {"severity": "warning", "alertname": "QueueBacklog"}) == ["security-channel"]
    config = load(cfg)
    rule = next(r for r in config["inhibit_rules"] if 'indicator=~".+"' in r["source_matchers"])
    assert rule["source_matchers"][0] == 'severity="critical"'
    assert rule["target_matchers"] == ['severity="warning"']
    assert rule["equal"] == ["service", "indicator"]


def test_express_api_escalates_like_the_guides_matrix(amtool: str, generated: Path) -> None:
    directory = generated / "express-api"
    rules = [r for g in load(directory / "prometheus" / "rules.yml")["groups"] for r in g["rules"] if "alert" in r]
    critical = [r for r in rules if r["labels"]["severity"] == "critical" and "escalation" not in r["labels"]]
    assert critical
    from generator.model.durations import parse_duration

    for base in critical:
        copies = {
            r["labels"]["escalation"]: r
            for r in rules
            if r["alert"] == base["alert"] and r["expr"] == base["expr"] and "escalation" in r["labels"]
        }
        assert set(copies) == {"level2-oncall", "level3-team", "level4-executive"}
        for tier, minutes in [("level2-oncall", 5), ("level3-team", 15), ("level4-executive", 60)]:
            assert parse_duration(copies[tier]["for"]) == parse_duration(base.get("for", "0s")) + minutes * 60_000
    cfg = directory / "alertmanager" / "alertmanager.yml"
    name = critical[0]["alert"]
    assert amtool_routes(amtool, cfg, {"alertname": name, "severity": "critical"}) == ["level1-email"]
    for tier, receiver in [
        ("level2-oncall", "level2-oncall-sms"),
        ("level3-team", "level3-team"),
        ("level4-executive", "level4-executives"),
    ]:
        labels = {"alertname": name, "severity": "critical", "escalation": tier}
        assert amtool_routes(amtool, cfg, labels) == [receiver]
    sns = receivers_of(load(cfg))["level2-oncall-sms"]["sns_configs"][0]
    assert sns["topic_arn"].startswith("arn:aws:sns:")


def test_security_platform_tickets_and_time_intervals(amtool: str, generated: Path) -> None:
    cfg = generated / "security-platform" / "alertmanager" / "alertmanager.yml"
    assert amtool_routes(amtool, cfg, {"severity": "critical"}) == ["soc-oncall", "ticketing"]
    assert amtool_routes(amtool, cfg, {"severity": "info"}) == ["soc-digest"]
    config = load(cfg)
    names = {t["name"] for t in config["time_intervals"]}
    assert names == {"business-hours", "maintenance"}
    info = next(r for r in config["route"]["routes"] if r["matchers"] == ['severity="info"'])
    assert info["active_time_intervals"] == ["business-hours"]
    assert info["mute_time_intervals"] == ["maintenance"]
    assert info["repeat_interval"] == "1d"  # info is the third severity: a digest


SECRETS = re.compile(
    r"hooks\.slack\.com/services/|https?://[^/\s:@]+:[^/\s@]+@|routing_key:\s|api_key:\s|auth_password:\s"
    r"|bot_token:\s|password:\s"
)


def test_generated_alertmanager_files_hold_no_secret(generated: Path) -> None:
    files = list(generated.glob("*/alertmanager/**/*"))
    assert files
    for path in files:
        if path.is_file():
            assert not SECRETS.search(path.read_text()), path


def test_hostile_label_values_stay_inside_their_matchers(amtool: str, tmp_path: Path) -> None:
    hostile = 'a"b\\c {{ .x }} $y'
    spec = tmp_path / "svc.yml"
    spec.write_text(
        MINIMAL_SPEC
        + "routing:\n  receivers:\n    a: {webhook: {url: 'https://a.example.com/'}}\n"
        + "    b: {webhook: {url: 'https://b.example.com/'}}\n"
        + f"  routes:\n    - {{match: {{team: {json.dumps(hostile)}}}, receiver: b}}\n"
    )
    out = tmp_path / "out"
    proc = run_monspec("generate", str(spec), "--out", str(out))
    assert proc.returncode == 0, proc.stderr
    cfg = out / "svc" / "alertmanager" / "alertmanager.yml"
    check = subprocess.run([amtool, "check-config", str(cfg)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout
    assert amtool_routes(amtool, cfg, {"team": hostile}) == ["b"]
    assert amtool_routes(amtool, cfg, {"team": "a"}) == ["a"]
