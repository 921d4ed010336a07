"""The secret scan finds credentials in generated files and leaves file references alone."""

from __future__ import annotations

from pathlib import Path

import pytest

from generator.secrets import scan_text
from tests.conftest import OUT, run_monspec

# Built from pieces so that this file itself holds no credential-shaped string.
SLACK = "https://hooks.slack.com/" + "services/T0123ABCD/B0123ABCD/abcdefghijklmnopqrstuvwx"
AWS = "AKIA" + "IOSFODNN7EXAMPLE"
PEM = "-----BEGIN " + "RSA PRIVATE KEY-----"
GITHUB = "ghp_" + "a1B2c3D4e5F6g7H8i9J0k1L2m3N4o5P6q7R8"

POSITIVE = [
    ("slack-webhook", f"api_url: {SLACK}"),
    ("slack-webhook", f'  "url": "{SLACK}",'),
    ("pagerduty-key", "url: https://events.pagerduty.com/integration/" + "0123456789abcdef0123456789abcdef/enqueue"),
    ("aws-access-key", f"aws_access_key_id = {AWS}"),
    ("private-key", PEM),
    ("bearer-token", "Authorization: Bearer " + "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl"),
    ("github-token", f"token_line {GITHUB}"),
    ("url-password", "hosts: ['https://elastic:" + "s3cr3tpass@es.example.com:9200']"),
    ("inline-value", "password: hunter2-but-longer"),
    ("inline-value", "    password: 'p@ss'"),
    ("inline-value", "routing_key: 0123456789abcdef0123456789abcdef"),
    ("inline-value", "service_key: R0UT1NGK3Y"),
    ("inline-value", '"api_key": "3f9a8b7c6d5e4f3a2b1c",'),
    ("inline-value", "  - token: abcdef123456"),
    ("inline-value", "client_secret = 'xyz-123'"),
    ("inline-value", "credentials: Zm9vOmJhcg=="),
    ("inline-value", "secret: a"),
]

NEGATIVE = [
    "credentials_file: /etc/prometheus/secrets/clawdbot-gateway-token",
    "password_file: /etc/alertmanager/smtp-password",
    "api_url_file: /etc/alertmanager/slack-url",
    "routing_key_file: /etc/alertmanager/pd",
    "password: ${SMTP_PASSWORD}",
    "password: '${SMTP_PASSWORD}'",
    "api_key: $ELASTIC_API_KEY",
    "password: '%{env.ES_PASSWORD}'",
    'token: sys.env("LOKI_TOKEN")',
    "password:",
    "password: ''",
    "token: null",
    "token_ttl: 300",
    "secret: <redacted>",
    "summary: Possible brute force attack on the password form",
    "description: '{{ $value }} auth failures in the last hour'",
    "type: Bearer",
    'expr: rate(clawdbot_auth_failure_total{job="clawdbot"}[5m])',
    "url: https://grafana.example.com/d/abc/overview?viewPanel=3",
    "hosts: ['https://es.example.com:9200']",
    "passes: 3",
    "bypass: true",
    "slack_channel: '#security-critical'",
]


@pytest.mark.parametrize(("rule", "line"), POSITIVE, ids=[f"{r}-{i}" for i, (r, _) in enumerate(POSITIVE)])
def test_finds_secret(rule: str, line: str) -> None:
    findings = list(scan_text(f"# header\n{line}\n", "out/x.yml"))
    assert rule in {f.rule for f in findings}, findings
    finding = next(f for f in findings if f.rule == rule)
    assert finding.line == 2
    assert str(finding).startswith(f"out/x.yml:2: error [secrets/{rule}] ")


@pytest.mark.parametrize("line", NEGATIVE)
def test_ignores_references_and_prose(line: str) -> None:
    assert list(scan_text(line + "\n", "out/x.yml")) == []


def test_secret_is_never_printed() -> None:
    [finding] = [f for f in scan_text("password: correct-horse-battery-staple\n", "x") if f.rule == "inline-value"]
    assert "correct-horse" not in str(finding)
    assert "(28 characters)" in finding.message


def test_cli_exit_codes(tmp_path: Path) -> None:
    clean = tmp_path / "clean"
    (clean / "svc").mkdir(parents=True)
    (clean / "svc" / "a.yml").write_text("credentials_file: /etc/token\n")
    proc = run_monspec("scan-secrets", str(clean))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "no secrets found" in proc.stderr

    dirty = tmp_path / "dirty"
    (dirty / "svc").mkdir(parents=True)
    (dirty / "svc" / "alertmanager.yml").write_text(f"receivers:\n- name: x\n  slack_configs:\n  - api_url: {SLACK}\n")
    proc = run_monspec("scan-secrets", str(dirty))
    assert proc.returncode == 1
    assert (
        f"{dirty.as_posix()}/svc/alertmanager.yml:4: error [secrets/slack-webhook] a Slack webhook URL" in proc.stdout
    )
    assert SLACK not in proc.stdout + proc.stderr
    assert "1 secret(s) found" in proc.stderr or "2 secret(s) found" in proc.stderr


def test_committed_out_is_clean() -> None:
    proc = run_monspec("scan-secrets", str(OUT))
    assert proc.returncode == 0, proc.stdout
