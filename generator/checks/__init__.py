"""Semantic checks: what the JSON Schema cannot say. One check per module, registered here."""

from __future__ import annotations

from collections.abc import Callable, Iterator

from generator.checks import (
    alerts_tested,
    durations_sane,
    filters_regex,
    groups_unknown,
    labels_reserved,
    metrics_unknown,
    names_file_safe,
    names_unique,
    promql_invalid,
    scrape_secure,
    sections_reserved,
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
        scrape_secure,
        sections_reserved,
    )
}


def run_all(doc: Document) -> list[Diagnostic]:
    out: list[Diagnostic] = []
    for check in REGISTRY.values():
        out.extend(check(doc))
    return out
