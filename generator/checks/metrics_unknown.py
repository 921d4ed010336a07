"""metrics/unknown: a structured indicator reads only metrics declared under `metrics`, of a fitting type.

rate, increase and ratio need counters; quantile needs a histogram. Breakdown labels (`by`) and
filter labels must be among the metric's declared `labels` when it declares any.

Pass::

    metrics: {auth_failure_total: {type: counter, labels: [reason]}}
    indicators:
      failures: {rate: {metric: auth_failure_total, window: 5m}, by: [reason], thresholds: {warning: 5}}

Fail (misspelt metric)::

    indicators:
      failures: {rate: {metric: auth_failures_total, window: 5m}, thresholds: {warning: 5}}
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey
from generator.schema import did_you_mean

NAME = "metrics/unknown"
_NEEDS = {
    "rate": ("counter",),
    "increase": ("counter",),
    "ratio": ("counter",),
    "quantile": ("histogram",),
    "gauge": ("gauge", "counter"),
}
_ALWAYS = {"job", "instance"}


def unknown_filter_labels(
    doc: Document, key: str, metric: dict[str, Any], filter_path: PathKey
) -> Iterator[Diagnostic]:
    """A selector's `filter` may name only the metric's declared labels (when it declares any).

    Indicators and objectives both select metrics with filters; one rule keeps their errors alike.
    """
    declared = set(metric.get("labels") or ())
    filt = doc.get(filter_path)
    if not declared or not isinstance(filt, dict):
        return
    for label in filt:
        if label not in declared | _ALWAYS:
            yield error(
                "metrics/unknown-label",
                f"'{key}' has no label '{label}'",
                doc.key_span((*filter_path, label)),
                did_you_mean(label, sorted(declared)) or f"its labels: {', '.join(sorted(declared))}",
            )


def check(doc: Document) -> Iterator[Diagnostic]:
    metrics: dict[str, Any] = _spec.declared_metrics(doc)  # counters read from logs count too
    for _, spec, path in _spec.indicators(doc):
        read: list[dict[str, Any]] = []
        for key, ref_path, role in _spec.selectors(spec, path):
            m = metrics.get(key)
            if m is None:
                yield error(
                    NAME,
                    f"unknown metric '{key}'",
                    doc.span(ref_path),
                    did_you_mean(key, list(metrics)) or "declare it under `metrics` (or count it from logs)",
                )
                continue
            read.append(m)
            if m["type"] not in _NEEDS[role]:
                need = " or ".join(_NEEDS[role])
                hint = (
                    "use `gauge:` for a gauge's current value"
                    if m["type"] == "gauge"
                    else "use `quantile:` for a histogram"
                    if m["type"] == "histogram"
                    else None
                )
                yield error(
                    "metrics/wrong-type",
                    f"{role} needs a {need}, but '{key}' is a {m['type']}",
                    doc.span(ref_path),
                    hint,
                )
            if ref_path[-1] == "metric":
                yield from unknown_filter_labels(doc, key, m, (*ref_path[:-1], "filter"))
        for i, label in enumerate(spec.get("by") or ()):
            lacking = [m for m in read if m.get("labels") and label not in set(m["labels"]) | _ALWAYS]
            if lacking:
                yield error(
                    "metrics/unknown-label",
                    f"cannot break down by '{label}': a metric read here has no such label",
                    doc.span((*path, "by", i)),
                    "add the label to the metric's `labels`, or remove it from `by`",
                )
