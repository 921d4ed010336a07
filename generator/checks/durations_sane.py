"""durations/range: windows and intervals that parse but cannot work.

A rate window must be positive and should cover at least two scrapes (rate() needs two samples);
a scrape timeout cannot exceed its interval; a group interval must be positive.

Fail (window shorter than two 15s scrapes)::

    failures: {rate: {metric: auth_failure_total, window: 20s}, thresholds: {warning: 5}}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error, warning
from generator.load import Document, PathKey
from generator.model.durations import format_duration, parse_duration

NAME = "durations/range"


def _ms(value: object) -> int | None:
    try:
        return parse_duration(value) if isinstance(value, str) else None
    except ValueError:
        return None


def check(doc: Document) -> Iterator[Diagnostic]:
    prom = _spec.section(doc, "prometheus")
    scrape = _spec.section(doc, "service").get("scrape") or {}
    interval = _ms(scrape.get("interval")) or _ms(prom.get("scrape_interval")) or 15_000
    intervals: tuple[tuple[str, ...], ...] = (
        ("prometheus", "scrape_interval"),
        ("prometheus", "evaluation_interval"),
        ("service", "scrape", "interval"),
    )
    for ipath in intervals:
        if _ms(doc.get(ipath)) == 0:
            yield error(NAME, f"{'.'.join(ipath)} must be longer than 0", doc.span(ipath), None)
    timeout = _ms(scrape.get("timeout"))
    if timeout == 0:
        yield error(
            NAME, "service.scrape.timeout must be longer than 0", doc.span(("service", "scrape", "timeout")), None
        )
    if timeout is not None and timeout > interval:
        yield error(
            NAME,
            f"service.scrape.timeout ({scrape['timeout']}) is longer than the scrape interval "
            f"({format_duration(interval)})",
            doc.span(("service", "scrape", "timeout")),
            "Prometheus rejects a timeout above the interval",
        )
    for name, g in _spec.section(doc, "groups").items():
        if isinstance(g, dict) and _ms(g.get("interval")) == 0:
            yield error(
                NAME, f"groups.{name}.interval must be longer than 0", doc.span(("groups", name, "interval")), None
            )
    for key, spec, path in _spec.indicators(doc):
        kind = _spec.kind(spec)
        if kind in ("rate", "increase", "ratio", "quantile"):
            wpath: PathKey = (*path, kind, "window")
            w = _ms(doc.get(wpath))
            if w == 0:
                yield error(NAME, f"indicator '{key}': the window must be longer than 0", doc.span(wpath), None)
            elif w is not None and w < 2 * interval:
                yield warning(
                    "durations/short-window",
                    f"indicator '{key}': window {format_duration(w)} covers fewer than two scrapes "
                    f"({format_duration(interval)} apart)",
                    doc.span(wpath),
                    f"use at least {format_duration(4 * interval)} (four scrape intervals) "
                    "so rate() always has two samples",
                )
