"""names/duplicate: alert names, recording rule names and output folders are unique.

Two rules with one name would be indistinguishable to routing, inhibition and the person on call;
a recording rule named like a declared metric would overwrite real data.

Fail (the threshold reuses a free-form alert's name)::

    indicators:
      queue: {gauge: {metric: depth}, thresholds: {warning: {value: 100, alert: QueueBacklog}}}
    alerts:
      QueueBacklog: {expr: 'depth > 100', severity: warning}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator import conventions as conv
from generator.checks import _spec
from generator.diagnostics import Diagnostic, Span, error
from generator.load import Document, PathKey
from generator.vocabulary import full_metric_name

NAME = "names/duplicate"
_HINTS = {
    "alert": "give one of them another name (`alert:` on a threshold, or rename the free-form alert)",
    "recording rule": "give one of them another `record:`",
    "metric": "two metrics resolve to the same full name; set a different `name:` or remove one",
}


def check(doc: Document) -> Iterator[Diagnostic]:
    alerts: dict[str, PathKey] = {}
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

    for key, spec, path in _spec.indicators(doc):
        if spec.get("record"):
            yield from claim(records, str(spec["record"]), (*path, "record"), "recording rule")
            if spec["record"] in metrics:
                yield error(
                    "names/record-shadows-metric",
                    f"recording rule '{spec['record']}' has the name of a declared metric",
                    doc.span((*path, "record")),
                    "recording rules conventionally contain ':' (level:metric:operations)",
                )
        for sev, raw in spec.get("thresholds", {}).items():
            name = str(raw["alert"]) if isinstance(raw, dict) and raw.get("alert") else conv.alert_name(key, sev)
            where = (
                (*path, "thresholds", sev, "alert")
                if isinstance(raw, dict) and raw.get("alert")
                else (*path, "thresholds", sev)
            )
            yield from claim(alerts, name, where, "alert")
        if spec.get("absent", False) is not False:
            yield from claim(alerts, conv.absent_alert_name(key), (*path, "absent"), "alert", key=True)
    for key, _, path in _spec.alerts(doc):
        yield from claim(alerts, key, path, "alert", key=True)
