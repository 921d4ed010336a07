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


OVERVIEW_DASHBOARD = "overview"


def _uid_digest(service: str, dashboard: str) -> str:
    return hashlib.sha256(f"monspec:{service}:{dashboard}".encode()).hexdigest()[:8]


def overview_dashboard_uid(service: str) -> str:
    """Grafana uids are at most 40 characters; a readable stem plus a hash keeps them unique and stable."""
    return f"{service[:30]}-{_uid_digest(service, OVERVIEW_DASHBOARD)}"


def overview_dashboard_slug(service: str) -> str:
    return dashboard_slug(service, OVERVIEW_DASHBOARD)


def overview_panel_id(position: int) -> int:
    """The overview shows one panel per indicator in spec order; alerts link to `?viewPanel=` this id."""
    return position + 1


OBJECTIVE_PANELS = 4  # a row, then the SLI, the budget remaining and the burn rates


def overview_objective_panel_ids(indicators: int, position: int) -> tuple[int, int, int, int]:
    """Ids of an objective's row and panels on the overview, after every indicator panel:
    (row, SLI over the window, error budget remaining, burn rates). Burn-rate alerts link to the
    burn-rate panel, the absent-data alert to the SLI."""
    first = indicators + 1 + OBJECTIVE_PANELS * position
    return first, first + 1, first + 2, first + 3


def dashboard_uid(service: str, dashboard: str) -> str:
    """The uid of any dashboard of a service: the overview keeps its historic form, the others add their key."""
    if dashboard == OVERVIEW_DASHBOARD:
        return overview_dashboard_uid(service)
    return f"{f'{service}-{dashboard}'[:31]}-{_uid_digest(service, dashboard)}"


def dashboard_slug(service: str, dashboard: str) -> str:
    """Grafana redirects any slug to the right one; a stable slug keeps generated links readable."""
    return re.sub(r"[^a-z0-9]+", "-", f"{service}-{dashboard}".lower()).strip("-")


def dashboard_folder_uid(service: str) -> str:
    return f"monspec-{service[:22]}-{_uid_digest(service, 'folder')}"


def dashboard_path(service: str, dashboard: str) -> str:
    return f"{service}/grafana/dashboards/{dashboard}.json"


def dashboards_dir(service: str) -> str:
    return f"{service}/grafana/dashboards"


def grafana_provisioning_path(service: str) -> str:
    return f"{service}/grafana/provisioning/dashboards.yml"


def grafana_provider_name(service: str) -> str:
    return f"monspec-{service}"


def catalog_path(service: str) -> str:
    """The alert catalog (written by the catalog target) that dashboards link to."""
    return f"{service}/catalog.md"


def catalog_json_path(service: str) -> str:
    """The catalog's facts for tools: what `monspec diff` compares between two trees."""
    return f"{service}/catalog.json"


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


def split_group_name(group: str, part: int) -> str:
    """Part `part` (1-based) of a rule group split for a ruler's size limit."""
    return f"{group}-part{part}"


# --- deployment profiles (docs/output.md) ------------------------------------------------------------
# Names below come from the spec through patterns of the schema (no '/', never '..'); safe_name()
# checks again, so a path outside out/<service>/ cannot be produced even by a model built by hand.
_SAFE_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]*")


def safe_name(name: str) -> str:
    if not _SAFE_NAME.fullmatch(name):
        raise ValueError(f"not a safe file name: {name!r}")
    return name


def k8s_name(*parts: str) -> str:
    """A Kubernetes object name (RFC 1123 subdomain, kept to a label's 63 characters) from free text."""
    text = re.sub(r"[^a-z0-9]+", "-", "-".join(parts).lower()).strip("-")
    if len(text) > 63:
        text = f"{text[:54].rstrip('-')}-{hashlib.sha256(text.encode()).hexdigest()[:8]}"
    return text or "monspec"


def k8s_secret_key(file_name: str) -> str:
    """A Secret data key ([-._a-zA-Z0-9]+) from a secret file's base name."""
    return re.sub(r"[^-._a-zA-Z0-9]+", "-", file_name).strip("-") or "secret"


def kubernetes_dir(service: str) -> str:
    return f"{service}/kubernetes"


def mimir_rules_path(service: str, namespace: str) -> str:
    return f"{service}/mimir/{safe_name(namespace)}.yml"


def thanos_rules_path(service: str) -> str:
    return f"{service}/thanos/rules.yml"


def loki_rules_path(service: str, namespace: str) -> str:
    return f"{service}/loki/{safe_name(namespace)}.yml"


def prometheus_config_path(service: str) -> str:
    return f"{service}/prometheus/prometheus.yml"


def alertmanager_config_path(service: str) -> str:
    return f"{service}/alertmanager/alertmanager.yml"


def alertmanager_templates_path(service: str) -> str:
    """Alertmanager resolves template paths against its config file's directory."""
    return f"{service}/alertmanager/templates/monspec.tmpl"


def routes_test_path(service: str) -> str:
    return f"{service}/alertmanager/routes.test.yml"


def routes_graph_path(service: str) -> str:
    """The routing tree as Graphviz DOT; `monspec generate --svg` adds routes.svg beside it."""
    return f"{service}/alertmanager/routes.dot"


def routes_svg_path(service: str) -> str:
    return f"{service}/alertmanager/routes.svg"


SERVICE_LABEL = "service"
INDICATOR_LABEL = "indicator"
SEVERITY_LABEL = "severity"
# Objective alerts carry the objective's name; Alertmanager inhibits an objective's ticket while
# its page fires with equal: [service, objective].
OBJECTIVE_LABEL = "objective"
OWNER_LABEL = "owner"
PRIORITY_LABEL = "priority"
ESCALATION_LABEL = "escalation"  # the tier of an escalated copy of an alert
OBJECTIVE_LABEL = "objective"  # the objective a burn-rate alert belongs to
# Labels monspec sets itself; a spec may not set them through `labels:`.
RESERVED_ALERT_LABELS = frozenset(
    {"alertname", SEVERITY_LABEL, PRIORITY_LABEL, SERVICE_LABEL, INDICATOR_LABEL, ESCALATION_LABEL, OBJECTIVE_LABEL}
)


# --- log shipping ---------------------------------------------------------------------------------
# Stream labels monspec sets on every shipped line: `job` (the service's job, so counters read from
# logs carry the same job as the service's own series) and `source` (the spec's source key).
# `filename` is added by Promtail and Alloy themselves.
LOG_JOB_LABEL = "job"
LOG_SOURCE_LABEL = "source"
LOG_FILENAME_LABEL = "filename"
RESERVED_LOG_LABELS = frozenset({LOG_JOB_LABEL, LOG_SOURCE_LABEL, LOG_FILENAME_LABEL})
ALLOY_HTTP_PORT = 12345  # Alloy's default --server.http.listen-addr
PROMTAIL_HTTP_PORT = 9080  # the port Promtail's example configs use


def filebeat_path(service: str) -> str:
    return f"{service}/filebeat/filebeat.yml"


def promtail_path(service: str) -> str:
    return f"{service}/promtail/promtail.yml"


def alloy_path(service: str) -> str:
    return f"{service}/alloy/config.alloy"


def kibana_saved_objects_path(service: str) -> str:
    return f"{service}/kibana/saved-objects.ndjson"


def kibana_object_id(service: str, kind: str, name: str) -> str:
    """Kibana ids of a service's saved objects: stable, so importing again overwrites, never duplicates."""
    return f"monspec-{service[:40]}-{kind}-{_uid_digest(service, f'{kind}/{name}')}"


def log_queries_path(service: str) -> str:
    return f"{service}/logs/queries.yml"


def log_agent_job(service: str) -> str:
    """The Prometheus job scraping the log agent; its counters keep the service's job (honor_labels)."""
    return f"{service}-log-agent"


def log_counter_prefix(full_name: str, metric_prefix: str) -> tuple[str, str]:
    """Split a counter's full name into the (prefix, name) Promtail and Alloy join again.

    Both agents replace an empty prefix by their own default (promtail_custom_, loki_process_custom_),
    so the prefix must never be empty: the service prefix when the name starts with it, else the
    name up to its first underscore (counter names end in _total, so there is one).
    """
    if metric_prefix and full_name.startswith(metric_prefix) and len(full_name) > len(metric_prefix):
        return metric_prefix, full_name[len(metric_prefix) :]
    head, _, tail = full_name.partition("_")
    return head + "_", tail
