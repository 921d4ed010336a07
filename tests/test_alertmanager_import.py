"""`monspec import RULES --alertmanager FILE`: receivers, routes and inhibitions become `routing`.

Proven with amtool: the generated alertmanager.yml passes `check-config`, and for a set of label
sets it routes to the same receivers as the original, except where the import says it left a
route out. Secrets of the original never reach the spec.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
import yaml

from generator import conventions as conv
from tests.conftest import ROOT, _tool, run_monspec

RULES = ROOT / "tests" / "data" / "rules" / "mixin-memcached-alerts.yaml"
SECRETS = ("XXXXSECRET", "hunter2-secret", "pd-secret-key-123")
CONFIG = """
global:
  resolve_timeout: 5m
  slack_api_url: https://hooks.slack.com/services/T000/B000/XXXXSECRET
  smtp_smarthost: smtp.example.com:587
  smtp_from: alerts@example.com
  smtp_auth_username: alerts
  smtp_auth_password: hunter2-secret
route:
  receiver: team-mails
  group_by: [alertname, cluster]
  group_wait: 30s
  repeat_interval: 3h
  routes:
  - matchers: ['cluster=~"eu1|eu2"']
    receiver: team-mails
    routes:
    - matchers: [severity="critical"]
      receiver: team-pager
  - match: {severity: warning}
    receiver: team-slack
    continue: true
  - matchers: ['env!="prod"']
    receiver: team-slack
  - receiver: team-webhook
    matchers: [team="db"]
    mute_time_intervals: [nights]
  - receiver: blackhole
    matchers: [alertname="Watchdog"]
inhibit_rules:
- source_matchers: [severity="critical"]
  target_matchers: [severity="warning"]
  equal: [alertname, cluster]
time_intervals:
- name: nights
  time_intervals:
  - times: [{start_time: "22:00", end_time: "24:00"}]
receivers:
- name: team-mails
  email_configs: [{to: team@example.com}]
- name: team-pager
  pagerduty_configs: [{routing_key: pd-secret-key-123}]
- name: team-slack
  slack_configs: [{channel: '#alerts', send_resolved: true}]
- name: team-webhook
  webhook_configs: [{url: 'http://hooks.internal:8080/alert'}]
- name: blackhole
"""
# label set -> (receivers of the original, of the import); they differ only through the two routes
# the import leaves out and names in the header (`env!="prod"`, and the one to the empty receiver).
ROUTED = {
    ("cluster=eu1", "severity=critical", "env=prod"): ("team-pager", "team-pager"),
    ("cluster=eu2", "severity=info", "env=prod"): ("team-mails", "team-mails"),
    ("severity=warning", "team=db", "env=prod"): ("team-slack,team-webhook", "team-slack,team-webhook"),
    ("team=db", "env=prod"): ("team-webhook", "team-webhook"),
    ("severity=info", "env=prod"): ("team-mails", "team-mails"),
    ("severity=info", "env=dev"): ("team-slack", "team-mails"),
    ("alertname=Watchdog", "env=prod"): ("blackhole", "team-mails"),
}


def _routes(amtool: str, config: Path, labels: tuple[str, ...]) -> str:
    proc = subprocess.run(
        [amtool, "config", "routes", "test", f"--config.file={config}", *labels],
        capture_output=True,
        text=True,
        check=True,
    )
    return proc.stdout.strip()


@pytest.fixture(scope="module")
def amtool() -> str:
    return _tool("amtool")


def test_routing_imports_without_secrets_and_routes_the_same(amtool: str, tmp_path: Path) -> None:
    original = tmp_path / "alertmanager.yml"
    original.write_text(CONFIG)
    spec = tmp_path / "spec.yml"
    proc = run_monspec("import", str(RULES), "--alertmanager", str(original), "--service", "cache", "-o", str(spec))
    assert proc.returncode == 0, proc.stderr
    text = spec.read_text()
    assert not any(s in text or s in proc.stderr for s in SECRETS)
    routing = yaml.safe_load(text)["routing"]
    assert routing["receivers"]["team-pager"] == {
        "pagerduty": {"routing_key_file": "/etc/alertmanager/secrets/team-pager-pagerduty-routing-key"}
    }
    assert routing["slack_api_url_file"] == "/etc/alertmanager/secrets/slack-api-url"
    assert routing["email"]["auth_password_file"] == "/etc/alertmanager/secrets/smtp-auth-password"
    assert routing["inhibit"] == {
        "by_severity": False,
        "rules": [
            {"source": {"severity": "critical"}, "target": {"severity": "warning"}, "equal": ["alertname", "cluster"]}
        ],
    }
    header = "\n".join(line for line in text.splitlines() if line.startswith("#"))
    assert "matcher 'env!=\"prod\"' cannot be expressed" in header
    assert "receiver blackhole: no integration monspec imports" in header
    assert "write it into /etc/alertmanager/secrets/smtp-auth-password" in proc.stderr
    out = tmp_path / "out"
    assert run_monspec("generate", str(spec), "--out", str(out)).returncode == 0
    generated = out / conv.alertmanager_config_path("cache")
    check = subprocess.run([amtool, "check-config", str(generated)], capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    found = {labels: (_routes(amtool, original, labels), _routes(amtool, generated, labels)) for labels in ROUTED}
    assert found == ROUTED


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("route: {receiver: x}\n", "alertmanager.yml: error [import/alertmanager] not an Alertmanager configuration"),
        ("route: [\n", "alertmanager.yml:2:1: error [import/alertmanager] not valid YAML"),
    ],
)
def test_bad_alertmanager_config_exits_2(tmp_path: Path, text: str, message: str) -> None:
    (tmp_path / "alertmanager.yml").write_text(text)
    proc = run_monspec("import", str(RULES), "--alertmanager", "alertmanager.yml", cwd=tmp_path)
    assert proc.returncode == 2
    assert message in proc.stderr, proc.stderr


def test_alertmanager_needs_rule_files(tmp_path: Path) -> None:
    (tmp_path / "am.yml").write_text(CONFIG)
    proc = run_monspec("import", "--alertmanager", str(tmp_path / "am.yml"))
    assert proc.returncode == 2 and "--alertmanager goes with the rule files" in proc.stderr
