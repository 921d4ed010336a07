"""Semantic checks: what the JSON Schema cannot say. One check per module, registered here."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.checks import (
    alerts_tested,
    dashboards_queries,
    dashboards_refs,
    dashboards_steps,
    durations_sane,
    filters_regex,
    groups_unknown,
    labels_reserved,
    logs_destinations,
    logs_links,
    logs_queries,
    logs_secrets,
    logs_sources,
    metrics_unknown,
    names_file_safe,
    names_unique,
    objectives_refs,
    output_time_zone,
    promql_invalid,
    routing_integrations,
    routing_references,
    routing_regex,
    routing_secrets,
    routing_version,
    runbooks_links,
    scrape_secure,
    severities_unknown,
    templates_valid,
    thresholds_order,
)
from generator.diagnostics import Diagnostic
from generator.load import Document

Check = Callable[[Document], Iterator[Diagnostic]]

REGISTRY: dict[str, Check] = {
    m.NAME: m.check
    for m in (
        severities_unknown,
        metrics_unknown,
        thresholds_order,
        names_unique,
        names_file_safe,
        promql_invalid,
        durations_sane,
        filters_regex,
        labels_reserved,
        groups_unknown,
        templates_valid,
        alerts_tested,
        routing_references,
        routing_secrets,
        routing_version,
        routing_integrations,
        routing_regex,
        logs_secrets,
        logs_sources,
        logs_destinations,
        logs_links,
        logs_queries,
        objectives_refs,
        dashboards_refs,
        dashboards_queries,
        dashboards_steps,
        runbooks_links,
        scrape_secure,
        output_time_zone,
    )
}


def run_all(doc: Document) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in REGISTRY.values():
        out.extend(check(doc))
    return out
