"""names/duplicate: alerts, recording rules and metrics are told apart by their names.

Two rules with one name and one severity would be indistinguishable to routing, inhibition and the
person on call; a recording rule named like a declared metric would overwrite real data.

An alert name may repeat with a different severity, the way mixins name a warning and a critical
of one condition alike, but only where the generated promtool tests can still predict every alert
of that name: among threshold alerts (each reads its own recorded series), or among free-form
alerts without `test` (promtool tells alerts apart by name only, so a test of one would see the
other fire on the same series).

Fail (the threshold reuses a free-form alert's name)::

    indicators:
      queue: {gauge: {metric: depth}, thresholds: {warning: {value: 100, alert: QueueBacklog}}}
    alerts:
      QueueBacklog: {expr: 'depth > 100', severity: warning}

Pass (one name, two severities of one indicator)::

    indicators:
      queue:
        gauge: {metric: depth}
        thresholds:
          warning: {value: 100, alert: QueueBacklog}
          critical: {value: 1000, alert: QueueBacklog}
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from generator import conventions as conv
from generator.checks import _spec
from generator.diagnostics import Diagnostic, Span, error
from generator.load import Document, PathKey
from generator.vocabulary import full_metric_name

NAME = "names/duplicate"
_HINTS = {
    "alert": "give one of them another name (`alert:` on a threshold or a free-form alert)",
    "recording rule": "give one of them another `record:`",
    "metric": "two metrics resolve to the same full name; set a different `name:` or remove one",
}


@dataclass(frozen=True, slots=True)
class _Claim:
    """One alert's claim on a name: what it is, which severity, and where the spec says it."""

    kind: str  # "threshold", "free", "free-tested", "absent"
    severity: str
    span: Span


def _clash(first: _Claim, second: _Claim) -> str | None:
    """Why `second` cannot share the name of `first`, or None when it can."""
    if first.severity == second.severity:
        return f"with severity '{second.severity}' "
    if first.kind != second.kind or first.kind in ("absent", "free-tested"):
        return ""
    return None


def _alerts(doc: Document) -> Iterator[Diagnostic]:
    claims: dict[str, list[_Claim]] = {}

    def claim(name: str, claimed: _Claim) -> Iterator[Diagnostic]:
        for first in claims.get(name, ()):
            why = _clash(first, claimed)
            if why is not None:
                yield error(
                    NAME,
                    f"alert '{name}' {why}is already defined at line {first.span.line}",
                    claimed.span,
                    _alert_hint(first, claimed),
                )
                return
        claims.setdefault(name, []).append(claimed)

    for _, sev, name, where in _spec.threshold_alerts(doc):
        yield from claim(name, _Claim("threshold", sev, doc.span(where)))
    for key, spec, path in _spec.indicators(doc):
        if spec.get("absent", False) is not False:
            yield from claim(conv.absent_alert_name(key), _Claim("absent", "", doc.key_span((*path, "absent"))))
    for key, spec, path in _spec.alerts(doc):
        kind = "free-tested" if spec.get("test") else "free"
        span = doc.span((*path, "alert")) if spec.get("alert") else doc.key_span(path)
        yield from claim(_spec.free_alert_name(key, spec), _Claim(kind, str(spec.get("severity", "")), span))


def _alert_hint(first: _Claim, second: _Claim) -> str:
    if first.severity == second.severity or "absent" in (first.kind, second.kind):
        return _HINTS["alert"]
    if "free-tested" in (first.kind, second.kind) and {first.kind, second.kind} <= {"free", "free-tested"}:
        return "promtool tells alerts apart by name only: drop the `test` or give the alerts different names"
    return (
        "a name may repeat with another severity only among threshold alerts or among untested free-form "
        "alerts; give one of them another name"
    )


def check(doc: Document) -> Iterator[Diagnostic]:
    yield from _alerts(doc)
    records: dict[str, PathKey] = {}
    metrics = _spec.full_metric_names(doc)

    spans: dict[PathKey, Span] = {}

    def claim(
        table: dict[str, PathKey], name: str, path: PathKey, what: str, key: bool = False
    ) -> Iterator[Diagnostic]:
        span = doc.key_span(path) if key else doc.span(path)
        if name in table:
            first = spans[table[name]]
            yield error(
                NAME,
                f"{what} '{name}' is already defined at line {first.line}",
                span,
                _HINTS[what],
            )
        else:
            table[name] = path
            spans[path] = span

    full: dict[str, PathKey] = {}
    prefix = _spec.section(doc, "service").get("metric_prefix", "")
    for key, m in _spec.section(doc, "metrics").items():
        yield from claim(full, full_metric_name(prefix, key, m), ("metrics", key), "metric", key=True)
    for key, m, path in _spec.log_counters(doc):
        yield from claim(full, full_metric_name(prefix, key, m), path, "metric", key=True)

    for _, spec, path in _spec.indicators(doc):
        if spec.get("record"):
            yield from claim(records, str(spec["record"]), (*path, "record"), "recording rule")
            if spec["record"] in metrics:
                yield error(
                    "names/record-shadows-metric",
                    f"recording rule '{spec['record']}' has the name of a declared metric",
                    doc.span((*path, "record")),
                    "recording rules conventionally contain ':' (level:metric:operations)",
                )
