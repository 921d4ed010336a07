"""The five seed guides, checked against the rules monspec generated for them.

Each spec in spec/examples/ transcribes one monitoring guide in ../shared/seeds. Generating a
guide's spec must give back what the guide asks for. These tests read the committed output
(out/<service>/prometheus/rules.yml, written by `make generate`) and check, for every guide:

* every alert the guide writes out, under the guide's name, with the guide's comparison, threshold
  value, `for`, severity (and priority, where the guide sets one); alerts that read one of the
  guide's recording rules must read it, recorded earlier in the same group;
* every threshold table and KPI target, as the alerts of the indicator that carries it (default
  names, `<IndicatorKey><Severity>`);
* every recording rule the guide names.

The expected values are copied from the guides, not from the specs, so a spec edit or a compiler
change that drops an alert or shifts a threshold fails here. Where a spec departs from the letter
of its guide (the guide contradicts itself, or its PromQL is wrong), the entry says so; the spec
has the longer explanation in a comment.

Indicator alerts have the form `<record> <op> <value>`, so the trailing comparison is parsed from
the expression; compound alerts list every comparison they must contain, in order. A missing out/
is a failure, not a skip: the output is committed and must exist.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
OUT = ROOT / "out"

NUMBER = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"
COMPARISON = re.compile(rf"(>=|<=|==|!=|>|<)\s*({NUMBER})")
TRAILING_COMPARISON = re.compile(rf"(>=|<=|==|!=|>|<)\s*({NUMBER})\s*$")
DURATION_PART = re.compile(r"(\d+)(ms|y|w|d|h|m|s)")
UNIT_SECONDS = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800, "y": 31536000}


@dataclass(frozen=True)
class Alert:
    name: str
    severity: str
    compare: tuple[tuple[str, float], ...]  # comparisons in the expression; the last one is trailing
    for_: str | None = None  # None: the guide gives no `for`, nothing to check
    priority: str | None = None
    reads: str | None = None  # the guide's recording rule the alert must read
    runbook: str | None = None  # the runbook_url annotation must end with this
    compliance: str | None = None  # the compliance annotation must mention this
    compound: bool = False  # a free-form alert: comparisons anywhere, in order


def above(value: float) -> tuple[tuple[str, float], ...]:
    return ((">", value),)


def below(value: float) -> tuple[tuple[str, float], ...]:
    return (("<", value),)


# --- seed 000: Moltbot, "Security Metrics and KPIs" ------------------------------------------------
MOLTBOT_GUIDE = [
    # "Complete Alert Configuration", the guide's most complete section.
    Alert(
        "HighAuthFailureRate",
        "warning",
        above(50),
        "5m",
        reads="clawdbot:auth_failure_rate_1h",
        runbook="/compliance/incident-response#authentication",
        compliance="CC6.2",
    ),
    Alert("BruteForceAttempt", "critical", above(100), "2m", reads="clawdbot:auth_failure_rate_1h"),
    Alert("RbacDenialSpike", "warning", above(25), "5m", reads="clawdbot:rbac_denied_rate_1h", compliance="CC6.2"),
    # The RBAC Denial Rate section's alert: > 50/h for 5m, under its name; the table calls it critical.
    Alert("HighRbacDenialRate", "critical", above(50), "5m", compliance="CC6.2"),
    # `up{job="clawdbot"} == 0`: up is 0 or 1, the spec says `<= 0`.
    Alert("GatewayDown", "critical", (("<=", 0),), "1m", compliance="CC4.1"),
    Alert("HighMessageErrorRate", "warning", above(0.1), "5m", reads="clawdbot:message_error_rate_5m"),
    Alert("QueueBacklog", "warning", above(100), "5m"),
]
MOLTBOT_TABLES = [
    # Authentication Failure Rate: warning 5-15 %, critical > 15 % (the section's own ratio alert,
    # for 5m, under the name the complete configuration gives its > 50/h warning too).
    Alert("AuthFailureRatioWarning", "warning", above(0.05), compliance="CC6.2"),
    Alert("HighAuthFailureRate", "critical", above(0.15), "5m", compliance="CC6.2"),
    # RBAC Denial Rate: warning 10-50/h (critical > 50/h is HighRbacDenialRate above).
    Alert("RbacDenialRateWarning", "warning", above(10)),
    Alert("UniqueFailedActorsWarning", "warning", above(3)),
    Alert("UniqueFailedActorsCritical", "critical", above(10)),
    Alert("RateLimitActivationsWarning", "warning", above(10)),
    Alert("RateLimitActivationsCritical", "critical", above(100)),
    # Command Rejection Rate: Elevated 5-20 % -> warning, High > 20 % -> critical.
    Alert("CommandRejectionRateWarning", "warning", above(0.05)),
    Alert("CommandRejectionRateCritical", "critical", above(0.2)),
    # Security Audit Score targets: critical findings 0, warning findings < 5.
    Alert("SecurityAuditCriticalFindingsWarning", "warning", above(0)),
    Alert("SecurityAuditWarningFindingsWarning", "warning", ((">=", 5),)),
    # Weekly report targets: auth failure rate < 5 %, RBAC denials < 70, unique failed actors < 21,
    # uptime > 99.9 %.
    Alert("AuthFailureRatioWeeklyWarning", "warning", ((">=", 0.05),), "1h", compliance="CC6.2"),
    Alert("RbacDenialsWeeklyWarning", "warning", ((">=", 70),)),
    Alert("UniqueFailedActorsWeeklyWarning", "warning", ((">=", 21),)),
    Alert("GatewayAvailabilityWeeklyWarning", "warning", (("<=", 0.999),), compliance="CC4.1"),
]
MOLTBOT_RECORDS = ["clawdbot:auth_failure_rate_1h", "clawdbot:rbac_denied_rate_1h", "clawdbot:message_error_rate_5m"]

# --- seed 001: Express API, "Security Metrics Monitoring Setup - Story 1.12.2" ---------------------
# No alert YAML: the "Critical Alerts" / "Warning Alerts" items, named after their titles.
EXPRESS_GUIDE = [
    Alert("AuthenticationFailures", "critical", above(5)),  # > 5 failed auth attempts per minute
    Alert("SecurityViolations", "critical", above(0)),  # any contract validation failure
    Alert("SystemUnavailability", "critical", (("<=", 0),)),  # health check failing
    Alert("PerformanceDegradation", "critical", above(0.2)),  # > 20 % increase in response times
    Alert("RateLimitHits", "warning", above(10)),  # > 10 violations per minute
    Alert("AuditLogIssues", "warning", ((">", 0), (">", 0)), compound=True),  # audit logging failures
    Alert("ResourceUsage", "warning", above(80)),  # > 80 % CPU/memory, one alert per resource
]
EXPRESS_TABLES = [
    Alert("AuthSuccessRateWarning", "warning", below(0.995)),  # KPI: auth success > 99.5 %
    Alert("ResponseTimeP95Warning", "warning", above(0.5)),  # KPI: response time < 500 ms
    Alert("SecurityEventsWarning", "warning", above(0)),  # KPI: security events 0
    Alert("CriticalVulnerabilitiesWarning", "warning", above(0)),  # zero critical vulnerabilities
    Alert("SecurityControlEffectivenessWarning", "warning", below(0.95)),  # > 95 % success rate
]

# --- seed 002: rust memory service, "Security Monitoring Guide" -----------------------------------
MEMORY_GUIDE = [
    Alert("CriticalSecurityViolation", "critical", above(0), "0s", priority="P0"),
    Alert(
        "HighRateLimitViolationRate", "critical", above(50), "5m", priority="P1", reads="job:rate_limit_denial_rate:5m"
    ),
    Alert("HighAuthFailureRate", "warning", above(20), "5m", priority="P1", reads="job:auth_failure_rate:5m"),
    Alert("SecurityViolationsDetected", "warning", above(1), "10m", priority="P2"),
    # Written `sum(rate(access_denied_total[1h])) > 50` but meant per hour; the spec counts per hour.
    Alert("HighAccessDeniedRate", "warning", above(50), "10m", priority="P2"),
    Alert("LowCacheHitRate", "info", below(0.5), "15m", priority="P3", reads="job:cache_hit_rate:5m"),
    Alert("HighDatabaseLatency", "warning", above(0.5), "10m", priority="P2"),
]
MEMORY_TABLES = [
    # "Alert Thresholds" lists.
    Alert("RateLimitDenialsWarning", "warning", above(10), reads="job:rate_limit_denial_rate:5m"),
    Alert("AuthFailuresWarning", "warning", above(5)),
    Alert("AuthFailuresCritical", "critical", above(20)),
    Alert("SecurityViolationsHourlyWarning", "warning", above(1)),
    Alert("SecurityViolationsHourlyCritical", "critical", above(5)),
    Alert("AccessDenialsWarning", "warning", above(10)),
    Alert("AccessDenialsCritical", "critical", above(50)),
    Alert("EpisodeFailureRateWarning", "warning", above(0.1)),
    Alert("EpisodeFailureRateCritical", "critical", above(0.25)),
    Alert("StorageLatencyP95Warning", "warning", above(0.1)),
    Alert("StorageLatencyP95Critical", "critical", above(0.5)),
    Alert("PoolUtilizationCritical", "critical", above(0.9)),
    Alert("CacheHitRatioWarning", "warning", below(0.7)),
    Alert("CacheHitRatioCritical", "critical", below(0.5)),
    # "Anomaly detection (current vs average)": more than twice the one-week average.
    Alert("RateLimitDenialAnomalyInfo", "info", above(2)),
]
MEMORY_RECORDS = [
    "job:rate_limit_hit_rate:5m",
    "job:auth_failure_rate:5m",
    "job:security_violations_by_severity:5m",
    "job:cache_hit_rate:5m",
    # recommended in "Query Optimization"
    "job:rate_limit_denial_rate:5m",
]

# --- seed 003: FastAPI security platform, "Security Monitoring, Audit Logging, and Incident Response"
PLATFORM_GUIDE = [
    Alert("LowDetectionAccuracy", "warning", below(85), "15m"),
    Alert("SlowSecurityResponse", "critical", above(600), "10m"),
    Alert("ElevatedThreatLevel", "critical", ((">=", 4),), "5m"),
    Alert("HighFalsePositiveRate", "warning", above(10), "30m"),
    Alert("ComplianceScoreLow", "warning", below(80), "1h"),
    Alert("CriticalVulnerabilities", "critical", above(0), "5m"),
    Alert("SecurityAlertBacklog", "warning", above(20), "30m"),
    # Telemetry: 5xx above 1 % of traffic, rate-limit denials spiking, for 10 minutes.
    Alert("HttpServerErrorRatioWarning", "warning", above(0.01), "10m"),
    Alert("RateLimitDenialSpikeWarning", "warning", above(3), "10m"),
    # Automated detection rules.
    Alert("AuthenticationAbuse", "warning", above(5)),  # > 5 failed logins in 10 minutes
    Alert("ApiAbuse", "warning", ((">=", 3),)),  # three /webhook denials
]
PLATFORM_TABLES = [
    # KPI targets (info: a missed target pages nobody).
    Alert("TruePositiveRateInfo", "info", below(95)),
    Alert("FalsePositiveRateInfo", "info", above(5)),
    Alert("DetectionAccuracyInfo", "info", below(0.9)),
    Alert("MeanTimeToDetectInfo", "info", above(60)),
    Alert("MeanTimeToRespondInfo", "info", above(300)),
    Alert("MeanTimeToRemediateInfo", "info", above(600)),
    Alert("ResponseReadinessInfo", "info", below(85)),
    Alert("AttackBlockRateInfo", "info", below(0.95)),
    Alert("ThreatLevelWarning", "warning", ((">=", 3),)),  # elevated range 3-4
    Alert("ComplianceScoreInfo", "info", below(90)),
    Alert("HighVulnerabilitiesInfo", "info", above(5)),
    Alert("DetectionCoverageInfo", "info", below(95)),
    Alert("PolicyCurrencyInfo", "info", (("<=", 0),)),
    Alert("SecurityScorecardInfo", "info", below(85), reads="security:scorecard_overall:weighted"),
]
PLATFORM_RECORDS = ["security:scorecard_overall:weighted"]
# detection, response, prevention, compliance, readiness
SCORECARD_WEIGHTS = sorted([0.25, 0.25, 0.20, 0.15, 0.15])

# --- seed 004: FilAgent, "Security Monitoring & Alerting Guide" -----------------------------------
FILAGENT_GUIDE = [
    Alert(
        "SecurityLogInjectionDetected", "critical", above(0), "1m", runbook="docs/runbooks/log_injection_response.md"
    ),
    Alert(
        "SecurityPathTraversalDetected", "critical", above(0), "1m", runbook="docs/runbooks/path_traversal_response.md"
    ),
    Alert("AuditTrailCompromised", "critical", above(0), "1m", runbook="docs/runbooks/audit_trail_incident.md"),
    Alert("UnauthorizedFileAccessAttempt", "high", above(5), "1m", runbook="docs/runbooks/unauthorized_access.md"),
    Alert("RateLimitExceeded", "high", above(0.5), "1m"),
    Alert("CriticalVulnerabilityDetected", "high", above(0), "15m"),
    Alert("AuthenticationFailureSpike", "high", above(10), "5m"),
    Alert("PossibleDataBreach", "critical", ((">", 0), ("==", 0)), "1m", compliance="Loi 25", compound=True),
    Alert("CertificateExpirationWarning", "medium", below(2592000), "1h"),
    Alert("AuditLogBackupFailed", "medium", above(0), "1h"),
]
# Alerts whose guide YAML has an `action:` list.
FILAGENT_ACTIONS = [
    "SecurityLogInjectionDetected",
    "SecurityPathTraversalDetected",
    "AuditTrailCompromised",
    "UnauthorizedFileAccessAttempt",
    "RateLimitExceeded",
    "CriticalVulnerabilityDetected",
    "AuthenticationFailureSpike",
    "PossibleDataBreach",
    "CertificateExpirationWarning",
    "AuditLogBackupFailed",
]


@dataclass(frozen=True)
class Seed:
    guide: list[Alert]  # alerts the guide writes out (or lists)
    tables: list[Alert]  # threshold tables and KPI targets
    records: list[str]  # recording rules the guide names


SEEDS = {
    "moltbot": Seed(MOLTBOT_GUIDE, MOLTBOT_TABLES, MOLTBOT_RECORDS),
    "express-api": Seed(EXPRESS_GUIDE, EXPRESS_TABLES, []),
    "memory-service": Seed(MEMORY_GUIDE, MEMORY_TABLES, MEMORY_RECORDS),
    "security-platform": Seed(PLATFORM_GUIDE, PLATFORM_TABLES, PLATFORM_RECORDS),
    "filagent": Seed(FILAGENT_GUIDE, [], []),
}


# --- helpers -----------------------------------------------------------------------------------
def seconds(duration: str | None) -> float:
    if duration in (None, "", "0"):
        return 0.0
    parts = DURATION_PART.findall(duration)
    assert parts and "".join(n + u for n, u in parts) == duration, f"not a duration: {duration!r}"
    return sum(int(n) * UNIT_SECONDS[u] for n, u in parts)


def same_number(a: float, b: float) -> bool:
    return math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-12)


@functools.cache
def rule_file(service: str) -> dict[str, Any]:
    path = OUT / service / "prometheus" / "rules.yml"
    if not path.is_file():
        pytest.fail(
            f"{path.relative_to(ROOT)} does not exist: run `make generate` (monspec generate "
            "spec/examples/*.yml) and commit out/"
        )
    doc = yaml.safe_load(path.read_text(encoding="utf-8"))
    assert isinstance(doc, dict) and isinstance(doc.get("groups"), list), f"{path}: not a rule file"
    return doc


def rules(service: str) -> list[tuple[str, int, dict[str, Any]]]:
    """(group name, position in the group, rule) for every rule of the service."""
    return [(g["name"], i, r) for g in rule_file(service)["groups"] for i, r in enumerate(g.get("rules") or [])]


def find_alert(service: str, name: str, severity: str | None = None) -> tuple[str, int, dict[str, Any]]:
    # Escalated copies share the alert's name and carry an `escalation` label; the guide's alert is the base.
    # Two alerts may share a name when their severities differ (seed 000's HighAuthFailureRate).
    found = [
        (g, i, r)
        for g, i, r in rules(service)
        if r.get("alert") == name
        and "escalation" not in (r.get("labels") or {})
        and (severity is None or (r.get("labels") or {}).get("severity") == severity)
    ]
    assert found, f"{service}: no alerting rule named {name}"
    assert len(found) == 1, f"{service}: {len(found)} alerting rules named {name}"
    return found[0]


def cases(which: str) -> list[Any]:
    return [
        pytest.param(service, alert, id=f"{service}-{alert.name}")
        for service, seed in SEEDS.items()
        for alert in getattr(seed, which)
    ]


# --- tests -------------------------------------------------------------------------------------
def check_alert(service: str, want: Alert) -> None:
    group, position, rule = find_alert(service, want.name, want.severity)
    expr = " ".join(str(rule["expr"]).split())
    labels = rule.get("labels") or {}
    annotations = rule.get("annotations") or {}

    assert labels.get("severity") == want.severity, (
        f"{want.name}: severity {labels.get('severity')!r}, the guide says {want.severity!r}"
    )
    if want.priority is not None:
        assert labels.get("priority") == want.priority, (
            f"{want.name}: priority {labels.get('priority')!r}, the guide says {want.priority!r}"
        )
    if want.for_ is not None:
        assert seconds(rule.get("for")) == seconds(want.for_), (
            f"{want.name}: for {rule.get('for')!r}, the guide says {want.for_!r}"
        )

    if want.compound:
        got = [(op, float(v)) for op, v in COMPARISON.findall(expr)]
        it = iter(got)
        missing = [c for c in want.compare if not any(op == c[0] and same_number(v, c[1]) for op, v in it)]
        assert not missing, f"{want.name}: comparisons {missing} not found (in order) in {expr!r}"
    else:
        match = TRAILING_COMPARISON.search(expr)
        assert match, f"{want.name}: no trailing comparison in {expr!r}"
        op, value = want.compare[-1]
        assert match.group(1) == op and same_number(float(match.group(2)), value), (
            f"{want.name}: `{match.group(1)} {match.group(2)}`, the guide says `{op} {value:g}`"
        )

    if want.reads is not None:
        assert re.match(rf"{re.escape(want.reads)}\s*(>=|<=|==|!=|>|<)", expr), (
            f"{want.name}: reads {expr!r}, not the guide's recording rule {want.reads}"
        )
        earlier = [i for g, i, r in rules(service) if g == group and r.get("record") == want.reads]
        assert earlier and min(earlier) < position, (
            f"{want.name}: {want.reads} is not recorded before it in group {group!r}"
        )
    if want.runbook is not None:
        assert str(annotations.get("runbook_url", "")).endswith(want.runbook), (
            f"{want.name}: runbook_url {annotations.get('runbook_url')!r}, the guide links {want.runbook}"
        )
    if want.compliance is not None:
        assert want.compliance in str(annotations.get("compliance", "")), (
            f"{want.name}: compliance {annotations.get('compliance')!r} lacks {want.compliance}"
        )


@pytest.mark.parametrize(("service", "want"), cases("guide"))
def test_guide_alert(service: str, want: Alert) -> None:
    """Every alert the guide writes out (or, for seed 001, lists) exists as the guide has it."""
    check_alert(service, want)


@pytest.mark.parametrize(("service", "want"), cases("tables"))
def test_threshold_table_level(service: str, want: Alert) -> None:
    """Every threshold table row and KPI target is an alert of the indicator that carries it."""
    check_alert(service, want)


RECORD_CASES = [pytest.param(s, r, id=f"{s}-{r}") for s, seed in SEEDS.items() for r in seed.records]


@pytest.mark.parametrize(("service", "record"), RECORD_CASES)
def test_guide_recording_rule(service: str, record: str) -> None:
    found = [r for _, _, r in rules(service) if r.get("record") == record]
    assert len(found) == 1, f"{service}: {len(found)} recording rules named {record}"
    assert str(found[0].get("expr", "")).strip(), f"{service}: {record} has an empty expression"


@pytest.mark.parametrize("service", sorted(SEEDS))
def test_every_rule_group_is_well_formed(service: str) -> None:
    """Each rule is exactly one of record/alert; names are unique (an alert's with its severity);
    recording rules precede alerts."""
    seen: set[str] = set()
    for group in rule_file(service)["groups"]:
        kinds = []
        for rule in group.get("rules") or []:
            assert ("record" in rule) != ("alert" in rule), f"{service}/{group['name']}: {rule}"
            name = rule.get("record") or rule.get("alert")
            labels = rule.get("labels") or {}
            name += "/" + str(labels.get("severity", "")) + "/" + str(labels.get("escalation", ""))
            assert name not in seen, f"{service}: {name} defined twice"
            seen.add(name)
            kinds.append("record" in rule)
        assert kinds == sorted(kinds, reverse=True), f"{service}/{group['name']}: an alert precedes a recording rule"


def test_security_scorecard_weights() -> None:
    """Seed 003's scorecard: detection 25 %, response 25 %, prevention 20 %, compliance 15 %,
    readiness 15 %."""
    record = "security:scorecard_overall:weighted"
    found = [r for _, _, r in rules("security-platform") if r.get("record") == record]
    assert len(found) == 1
    expr = " ".join(str(found[0]["expr"]).split())
    weights = sorted(float(w) for w in re.findall(rf"({NUMBER})\s*\*", expr))
    assert len(weights) == len(SCORECARD_WEIGHTS), f"scorecard weights {weights} in {expr!r}"
    assert all(map(same_number, weights, SCORECARD_WEIGHTS)), f"scorecard weights {weights} in {expr!r}"
    for component in ("detection", "response", "prevention", "compliance", "readiness"):
        assert f'component="{component}"' in expr, f"scorecard lacks the {component} score"


@pytest.mark.parametrize("name", FILAGENT_ACTIONS)
def test_filagent_alert_has_action(name: str) -> None:
    """Seed 004 gives every alert an action list; the on-call person must get it."""
    _, _, rule = find_alert("filagent", name)
    assert str((rule.get("annotations") or {}).get("action", "")).strip(), f"{name}: no action annotation"
