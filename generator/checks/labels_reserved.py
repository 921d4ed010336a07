"""labels/reserved: `labels:` and `by:` may not use the labels monspec sets itself.

severity, priority, service, indicator and alertname come from the spec's structure; setting them
by hand would let an alert claim a severity its thresholds do not have, and routing would lie.

Fail::

    indicators:
      x: {gauge: {metric: q}, thresholds: {warning: 1}, labels: {severity: critical}}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator import conventions as conv
from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey

NAME = "labels/reserved"


def _label_maps(doc: Document) -> Iterator[PathKey]:
    yield ("service", "labels")
    for _, spec, path in _spec.indicators(doc):
        yield (*path, "labels")
        for sev, raw in spec.get("thresholds", {}).items():
            if isinstance(raw, dict):
                yield (*path, "thresholds", sev, "labels")
    for _, _, path in _spec.alerts(doc):
        yield (*path, "labels")


def check(doc: Document) -> Iterator[Diagnostic]:
    for _, spec, path in _spec.indicators(doc):
        for i, label in enumerate(spec.get("by") or ()):
            if label in conv.RESERVED_ALERT_LABELS:
                yield error(
                    NAME,
                    f"cannot break down by '{label}': monspec sets that label on every alert",
                    doc.span((*path, "by", i)),
                    "relabel the metric, or drop it from `by`",
                )
    for path in _label_maps(doc):
        labels = doc.get(path)
        if not isinstance(labels, dict):
            continue
        for name in labels:
            if name in conv.RESERVED_ALERT_LABELS:
                hint = (
                    "set the severity with the threshold's key or the alert's `severity`"
                    if name == "severity"
                    else "set `priority:` instead"
                    if name == "priority"
                    else "monspec sets this label itself"
                )
                yield error(NAME, f"the label '{name}' is set by monspec", doc.key_span((*path, name)), hint)
