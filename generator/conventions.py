"""Every naming convention in one place, so targets agree on names without asking each other.

Recording rules follow Prometheus' `level:metric:operations` convention
(https://prometheus.io/docs/practices/rules/): level is the labels the result keeps, metric the
indicator's name under the service prefix, operations what was applied, newest first.
"""

from __future__ import annotations

import hashlib
import re
from decimal import Decimal

from generator.model.durations import format_duration

_WORD = re.compile(r"[A-Za-z0-9]+")


def camel(name: str) -> str:
    return "".join(w[:1].upper() + w[1:] for w in _WORD.findall(name))


def alert_name(indicator: str, severity: str) -> str:
    return camel(indicator) + camel(severity)


def absent_alert_name(indicator: str) -> str:
    return camel(indicator) + "Absent"


def objective_record(prefix: str, objective: str, metric: str, operations: str) -> str:
    """`job:<prefix><objective>_<metric>:<operations>`, e.g. job:clawdbot_gateway_uptime_errors:ratio_rate30d."""
    return f"{record_level(())}:{prefix}{objective}_{metric}:{operations}"


def objective_alert_name(objective: str, kind: str) -> str:
    """Page and ticket alerts of an objective: GatewayUptimeBudgetBurnPage, ...Ticket."""
    return camel(objective) + "BudgetBurn" + camel(kind)


def objective_absent_alert_name(objective: str) -> str:
    return camel(objective) + "ObjectiveAbsent"


def record_level(by: tuple[str, ...]) -> str:
    return "_".join(("job", *by))


def quantile_tag(q: float) -> str:
    """0.95 -> p95, 0.5 -> p50, 0.999 -> p999: the digits of q after the decimal point."""
    digits = format(Decimal(repr(q)), "f").split(".")[1].rstrip("0")
    return "p" + (digits if len(digits) > 1 else digits + "0")


def record_name(prefix: str, indicator: str, by: tuple[str, ...], operations: str) -> str:
    return f"{record_level(by)}:{prefix}{indicator}:{operations}"


def window_ops(function: str, window_ms: int) -> str:
    return f"{function}{format_duration(window_ms)}"


def default_group(service: str) -> str:
    return service


def overview_dashboard_uid(service: str) -> str:
    """Grafana uids are at most 40 characters; a readable stem plus a hash keeps them unique and stable."""
    digest = hashlib.sha256(f"monspec:{service}:overview".encode()).hexdigest()[:8]
    return f"{service[:30]}-{digest}"


def overview_dashboard_slug(service: str) -> str:
    return f"{service}-overview"


def rules_path(service: str) -> str:
    return f"{service}/prometheus/rules.yml"


def rules_test_path(service: str) -> str:
    return f"{service}/prometheus/rules.test.yml"


def rules_long_test_path(service: str) -> str:
    """Raw-series tests of long windows, replayed on a coarser clock so they stay fast."""
    return f"{service}/prometheus/rules.long.test.yml"


def objective_test_path(service: str, objective: str) -> str:
    """Raw-series tests of one objective's burn-rate alerts: days of samples on a 10-minute clock."""
    return f"{service}/prometheus/objective-{objective}.test.yml"


def objective_rules_testdata_path(service: str, objective: str) -> str:
    """One objective's rules, verbatim from rules.yml, loaded by its test file alone."""
    return f"{service}/prometheus/testdata/objective-{objective}.rules.yml"


def prometheus_config_path(service: str) -> str:
    return f"{service}/prometheus/prometheus.yml"


SERVICE_LABEL = "service"
INDICATOR_LABEL = "indicator"
SEVERITY_LABEL = "severity"
# Objective alerts carry the objective's name; Alertmanager inhibits an objective's ticket while
# its page fires with equal: [service, objective].
OBJECTIVE_LABEL = "objective"
OWNER_LABEL = "owner"
PRIORITY_LABEL = "priority"
# Labels monspec sets itself; a spec may not set them through `labels:`.
RESERVED_ALERT_LABELS = frozenset({"alertname", SEVERITY_LABEL, PRIORITY_LABEL, SERVICE_LABEL, INDICATOR_LABEL})
