"""Each seed guide's dashboard, panel by panel, in the committed out/ of its example spec.

The entries are the guide's panels: its title, its visualisation on a current panel type (the
guides' `graph` is `timeseries`, `pie` is `piechart`) and its query. Queries are written as monspec
generates them; where that departs from the guide's text the entry says why:

* `{job="$job"}` scopes a raw query to the service's job (a constant dashboard variable);
* `sum(...)` around a guide's per-series query, so a stat shows one number and not one per label set;
* an indicator's recording rule where the guide computes the same indicator by hand, so the
  panel reads the series the alerts read and carries their thresholds as colours.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, NamedTuple

import pytest

from tests.conftest import OUT


class Panel(NamedTuple):
    title: str
    type: str
    queries: tuple[str, ...]


def board(service: str, key: str) -> list[dict[str, Any]]:
    data = json.loads((OUT / service / "grafana" / "dashboards" / f"{key}.json").read_text())
    panels = []
    for p in data["panels"]:
        panels.append(p)
        panels.extend(p.get("panels") or [])
    return panels


def title(service: str, key: str) -> str:
    return str(json.loads((OUT / service / "grafana" / "dashboards" / f"{key}.json").read_text())["title"])


J = '{job="$job"}'

SEEDS: dict[str, tuple[str, str, str, list[Panel]]] = {
    # 000: "Grafana Dashboard / Dashboard JSON".
    "000 moltbot": (
        "moltbot",
        "security",
        "Moltbot Security Metrics",
        [
            Panel("Authentication Failures", "stat", (f"sum(increase(clawdbot_auth_failure_total{J}[24h]))",)),
            Panel("RBAC Denials Rate", "timeseries", (f"sum(rate(clawdbot_rbac_denied_total{J}[5m]))",)),
            # The guide divides by 86400 and sets unit d: kept as written.
            Panel("Gateway Uptime", "stat", (f"max(clawdbot_gateway_uptime_seconds{J}) / 86400",)),
            Panel(
                "Message Processing by Outcome",
                "piechart",
                (f"sum by (outcome) (clawdbot_message_processed_total{J})",),
            ),
            Panel(
                "Security Events Timeline",
                "timeseries",
                (
                    f"sum(rate(clawdbot_auth_failure_total{J}[5m]))",
                    f"sum(rate(clawdbot_rbac_denied_total{J}[5m]))",
                ),
            ),
        ],
    ),
    # 001: "Dashboard Configuration / Security Metrics Dashboard": the KPI table and the real-time panels.
    "001 express-api": (
        "express-api",
        "security",
        "Express API Security Metrics",
        [
            Panel("Auth Success", "stat", ("job:auth_success_rate:ratio_rate1h",)),
            Panel("Response Time", "stat", ("job:response_time_p95:p95_rate5m",)),
            Panel("Security Events", "stat", ("job:security_events:increase1h",)),
            Panel("Coverage", "text", ()),
            Panel(
                "Authentication Trends",
                "timeseries",
                (
                    f"sum(rate(trust_token_validation_success{J}[5m]))",
                    f"sum(rate(trust_token_validation_failures{J}[5m]))",
                ),
            ),
            Panel(
                "API Security",
                "timeseries",
                (
                    f"sum(rate(api_contract_validation_passed{J}[5m]))",
                    f"sum(rate(api_contract_validation_failed{J}[5m]))",
                ),
            ),
            Panel(
                "Performance Impact",
                "timeseries",
                tuple(
                    f"histogram_quantile({q}, sum by (le) (rate(http_request_duration_seconds_bucket{J}[5m])))"
                    for q in ("0.5", "0.95", "0.99")
                ),
            ),
            Panel(
                "Threat Detection",
                "timeseries",
                (
                    f"sum(increase(anomaly_detection_triggers{J}[5m]))",
                    f"sum(increase(suspicious_request_patterns{J}[5m]))",
                    f"sum(increase(potential_attack_vectors{J}[5m]))",
                ),
            ),
        ],
    ),
    # 002: "Grafana Dashboards / Dashboard JSON" and "Panel Types".
    "002 memory-service": (
        "memory-service",
        "security",
        "Memory Service Security Monitor",
        [
            Panel("Rate Limit Violations (Rate)", "timeseries", (f"sum(rate(rate_limit_denied_total{J}[5m]))",)),
            Panel(
                "Authentication Failures (Rate)", "timeseries", (f"sum(rate(authentication_failures_total{J}[5m]))",)
            ),
            Panel(
                "Security Violations (by Severity)",
                "timeseries",
                (f"sum by (severity) (rate(security_violations_total{J}[5m]))",),
            ),
            # The guide's `job:cache_hit_rate:5m * 100`: the record itself, shown in percent (percentunit).
            Panel("Cache Hit Rate (%)", "gauge", ("job:cache_hit_rate:5m",)),
            # The guide's histogram_quantile(0.95, ...) is the indicator database_latency_p95.
            Panel("Database Latency (P95)", "timeseries", ("job:database_latency_p95:p95_rate5m",)),
            Panel(
                "Top 10 Rate-Limited Clients",
                "table",
                (f"topk(10, sum by (client_id) (rate(rate_limit_denied_total{J}[5m])))",),
            ),
            # The guide's sum(rate(security_violations_total{severity="critical"}[5m])) is this indicator.
            Panel("Critical Security Violations", "stat", ("job:critical_security_violations:rate5m",)),
            Panel("Rate Limit Hit Rate Over Time", "timeseries", ("job:rate_limit_hit_rate:5m",)),
            Panel(
                "Top Security Events",
                "table",
                (f"topk(20, sum by (event_type, severity) (rate(audit_events_total{J}[5m])))",),
            ),
        ],
    ),
    # 003: "Security Metrics and KPI Tracking" and "Security Scorecard" (the guide has no dashboard JSON).
    "003 security-platform": (
        "security-platform",
        "kpis",
        "Security KPIs and Scorecard",
        [
            Panel("Overall Score", "gauge", ("security:scorecard_overall:weighted",)),
            Panel("Component scores", "bargauge", (f"max by (component) (security_scorecard_component_score{J})",)),
            Panel(
                "True positive rate",
                "timeseries",
                ('job_detection_type:security_true_positive_rate:min{detection_type=~"$detection_type"}',),
            ),
            Panel("Detection accuracy", "stat", ("job:security_detection_accuracy:ratio_rate1h",)),
            Panel("Attack block rate", "stat", ("job:security_attack_block_rate:ratio_rate1h",)),
            Panel("Response readiness score", "stat", ("job:security_response_readiness:min",)),
            Panel("Audit events", "logs", ('{job="security-platform", filename="/app/logs/audit.log"} | json',)),
        ],
    ),
    # 004: "PART 4: DASHBOARD CONFIGURATION / Grafana Dashboard JSON".
    "004 filagent": (
        "filagent",
        "security",
        "FilAgent Security Monitoring",
        [
            Panel(
                "Security Alerts (Last 24h)",
                "stat",
                ('sum(increase(filagent_security_log_injection_attempts_total{job="$job", status="blocked"}[24h]))',),
            ),
            Panel("Attack Timeline", "timeseries", (f"sum(rate(filagent_security_attacks_total{J}[5m]))",)),
            Panel("Critical Vulnerabilities", "table", (f"filagent_vulnerabilities_critical_total{J}",)),
            # The guide's pass / (pass + fail) matches no series (the sides differ in `status`).
            Panel(
                "Audit Trail Integrity",
                "gauge",
                (
                    'sum(filagent_worm_integrity_check_total{job="$job", status="pass"})'
                    ' / sum(filagent_worm_integrity_check_total{job="$job", status=~"pass|fail"})',
                ),
            ),
            Panel(
                "PII Protection Status",
                "piechart",
                (
                    f"sum(filagent_pii_redacted_total{J})",
                    f"sum(filagent_pii_detected_total{J}) - sum(filagent_pii_redacted_total{J})",
                ),
            ),
        ],
    ),
}


@pytest.mark.parametrize("seed", sorted(SEEDS))
def test_seed_dashboard_is_reproduced(seed: str) -> None:
    service, key, expected_title, expected = SEEDS[seed]
    assert title(service, key) == expected_title
    panels = {p["title"]: p for p in board(service, key)}
    for want in expected:
        assert want.title in panels, f"{seed}: no panel '{want.title}' (have {sorted(panels)})"
        got = panels[want.title]
        assert got["type"] == want.type, want.title
        assert tuple(t["expr"] for t in got.get("targets") or []) == want.queries, want.title


def test_seed_dashboard_settings() -> None:
    """FilAgent's dashboard sets description, UTC, a 30s refresh; Moltbot's gateway uptime is in days."""
    data = json.loads((OUT / "filagent" / "grafana" / "dashboards" / "security.json").read_text())
    assert (data["description"], data["timezone"], data["refresh"]) == (
        "Real-time security monitoring dashboard",
        "utc",
        "30s",
    )
    uptime = next(p for p in board("moltbot", "security") if p["title"] == "Gateway Uptime")
    assert uptime["fieldConfig"]["defaults"]["unit"] == "d"
    assert uptime["targets"][0]["legendFormat"] == "Days"


def test_memory_service_dashboard_organisation() -> None:
    """The guide's four dashboards: overview, security, performance, incident response (and its query examples)."""
    files = sorted(p.stem for p in (OUT / "memory-service" / "grafana" / "dashboards").glob("*.json"))
    assert files == ["incident-response", "overview", "performance", "security", "trends"]


def test_every_example_has_a_board() -> None:
    assert {s for s, _, _, _ in SEEDS.values()} == {p.name for p in Path(OUT).iterdir() if p.is_dir()}
