"""Every alert a seed guide names exists under that name in out/ (a renamed alert is a changed element).

The list is copied from the guides, with the line that names each alert: an `alert:` line of the
guide's YAML, or, where a guide lists its alerts as titled items (001's "Critical Alerts", 003's
"Automated Detection Rules"), the item's title in CamelCase. Where a guide gives one name to two
different alerts (000's HighAuthFailureRate), both exist, told apart by severity.
"""

from __future__ import annotations

from functools import cache
from typing import Any, NamedTuple

import pytest
import yaml

from tests import seed_audit
from tests.conftest import ROOT


class Named(NamedTuple):
    service: str
    name: str
    line: int  # where the guide names it
    said: str  # the text the guide names it with, at that line
    severity: str


GUIDE_ALERTS = [
    # 000 Moltbot
    Named("moltbot", "HighAuthFailureRate", 68, "- alert: HighAuthFailureRate", "critical"),
    Named("moltbot", "HighRbacDenialRate", 101, "- alert: HighRbacDenialRate", "critical"),
    Named("moltbot", "GatewayDown", 201, "- alert: GatewayDown", "critical"),
    Named("moltbot", "HighAuthFailureRate", 379, "- alert: HighAuthFailureRate", "warning"),
    Named("moltbot", "BruteForceAttempt", 389, "- alert: BruteForceAttempt", "critical"),
    Named("moltbot", "RbacDenialSpike", 399, "- alert: RbacDenialSpike", "warning"),
    Named("moltbot", "GatewayDown", 408, "- alert: GatewayDown", "critical"),
    Named("moltbot", "HighMessageErrorRate", 416, "- alert: HighMessageErrorRate", "warning"),
    Named("moltbot", "QueueBacklog", 426, "- alert: QueueBacklog", "warning"),
    # 001 Express API: the titled items of "Alert Configuration"
    Named("express-api", "AuthenticationFailures", 236, "**Authentication Failures**", "critical"),
    Named("express-api", "SecurityViolations", 237, "**Security Violations**", "critical"),
    Named("express-api", "SystemUnavailability", 238, "**System Unavailability**", "critical"),
    Named("express-api", "PerformanceDegradation", 239, "**Performance Degradation**", "critical"),
    Named("express-api", "RateLimitHits", 243, "**Rate Limit Hits**", "warning"),
    Named("express-api", "AuditLogIssues", 244, "**Audit Log Issues**", "warning"),
    Named("express-api", "ResourceUsage", 245, "**Resource Usage**", "warning"),
    # 002 memory service: alerts.yml
    Named("memory-service", "CriticalSecurityViolation", 586, "- alert: CriticalSecurityViolation", "critical"),
    Named("memory-service", "HighRateLimitViolationRate", 598, "- alert: HighRateLimitViolationRate", "critical"),
    Named("memory-service", "HighAuthFailureRate", 610, "- alert: HighAuthFailureRate", "warning"),
    Named("memory-service", "SecurityViolationsDetected", 622, "- alert: SecurityViolationsDetected", "warning"),
    Named("memory-service", "HighAccessDeniedRate", 634, "- alert: HighAccessDeniedRate", "warning"),
    Named("memory-service", "LowCacheHitRate", 646, "- alert: LowCacheHitRate", "info"),
    Named("memory-service", "HighDatabaseLatency", 658, "- alert: HighDatabaseLatency", "warning"),
    # 003 security platform: "Alerting Thresholds" and the titled "Automated Detection Rules"
    Named("security-platform", "LowDetectionAccuracy", 68, "- alert: LowDetectionAccuracy", "warning"),
    Named("security-platform", "SlowSecurityResponse", 74, "- alert: SlowSecurityResponse", "critical"),
    Named("security-platform", "ElevatedThreatLevel", 80, "- alert: ElevatedThreatLevel", "critical"),
    Named("security-platform", "HighFalsePositiveRate", 86, "- alert: HighFalsePositiveRate", "warning"),
    Named("security-platform", "ComplianceScoreLow", 92, "- alert: ComplianceScoreLow", "warning"),
    Named("security-platform", "CriticalVulnerabilities", 98, "- alert: CriticalVulnerabilities", "critical"),
    Named("security-platform", "SecurityAlertBacklog", 104, "- alert: SecurityAlertBacklog", "warning"),
    Named("security-platform", "SecretsExposure", 161, "**Secrets Exposure**", "critical"),
    Named("security-platform", "TransportSecurityDrift", 163, "**Transport Security Drift**", "warning"),
    Named("security-platform", "AuthenticationAbuse", 165, "**Authentication Abuse**", "warning"),
    Named("security-platform", "ApiAbuse", 167, "**API Abuse**", "warning"),
    # 004 FilAgent: Part 2
    Named("filagent", "SecurityLogInjectionDetected", 94, "alert: SecurityLogInjectionDetected", "critical"),
    Named("filagent", "SecurityPathTraversalDetected", 111, "alert: SecurityPathTraversalDetected", "critical"),
    Named("filagent", "AuditTrailCompromised", 128, "alert: AuditTrailCompromised", "critical"),
    Named("filagent", "UnauthorizedFileAccessAttempt", 146, "alert: UnauthorizedFileAccessAttempt", "high"),
    Named("filagent", "RateLimitExceeded", 163, "alert: RateLimitExceeded", "high"),
    Named("filagent", "CriticalVulnerabilityDetected", 181, "alert: CriticalVulnerabilityDetected", "high"),
    Named("filagent", "AuthenticationFailureSpike", 197, "alert: AuthenticationFailureSpike", "high"),
    Named("filagent", "PossibleDataBreach", 213, "alert: PossibleDataBreach", "critical"),
    Named("filagent", "CertificateExpirationWarning", 234, "alert: CertificateExpirationWarning", "medium"),
    Named("filagent", "AuditLogBackupFailed", 245, "alert: AuditLogBackupFailed", "medium"),
]
GUIDE_FILES = {s.service: s.guide_file for s in seed_audit.SEEDS.values()}


@cache
def base_alerts(service: str) -> list[dict[str, Any]]:
    doc = yaml.safe_load((ROOT / "out" / service / "prometheus" / "rules.yml").read_text())
    return [
        r for g in doc["groups"] for r in g["rules"] if "alert" in r and "escalation" not in (r.get("labels") or {})
    ]


@pytest.mark.parametrize("named", GUIDE_ALERTS, ids=lambda n: f"{n.service}-{n.name}-{n.line}")
def test_guide_alert_exists_under_its_name(named: Named) -> None:
    found = [r for r in base_alerts(named.service) if r["alert"] == named.name]
    assert found, f"{named.service}: the guide's {named.name} (line {named.line}) is not in out/"
    assert [r["labels"]["severity"] for r in found if r["labels"]["severity"] == named.severity] == [named.severity], (
        f"{named.service}: {named.name} ({named.severity}): {[r['labels']['severity'] for r in found]}"
    )


@pytest.mark.parametrize("service", sorted(GUIDE_FILES))
def test_the_list_is_what_the_guide_says(service: str) -> None:
    folder = seed_audit.guides_dir()
    if folder is None:
        pytest.skip("the seed guides (shared/seeds) are not on this machine")
    lines = (folder / GUIDE_FILES[service]).read_text(encoding="utf-8").splitlines()
    listed = [n for n in GUIDE_ALERTS if n.service == service]
    assert listed
    for n in listed:
        assert n.said in lines[n.line - 1], f"{service}: line {n.line} does not name {n.name}: {lines[n.line - 1]!r}"
    # Every `alert:` line of the guide is in the list.
    named_lines = {n.line for n in listed}
    for i, text in enumerate(lines, start=1):
        stripped = text.strip().removeprefix("- ")
        if stripped.startswith("alert: "):
            assert i in named_lines, f"{service}: the guide names {stripped} at line {i}, the list does not"
