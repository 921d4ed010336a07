"""Read-only helpers the checks share to walk the validated spec with paths for positions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from generator import conventions as conv
from generator.load import Document, PathKey
from generator.vocabulary import INDICATOR_KINDS, full_metric_name


def section(doc: Document, name: str) -> dict[str, Any]:
    value = doc.data.get(name) if isinstance(doc.data, dict) else None
    return value if isinstance(value, dict) else {}


def indicators(doc: Document) -> Iterator[tuple[str, dict[str, Any], PathKey]]:
    for key, spec in section(doc, "indicators").items():
        yield key, spec, ("indicators", key)


def alerts(doc: Document) -> Iterator[tuple[str, dict[str, Any], PathKey]]:
    for key, spec in section(doc, "alerts").items():
        yield key, spec, ("alerts", key)


def objectives(doc: Document) -> Iterator[tuple[str, dict[str, Any], PathKey]]:
    slos = section(doc, "objectives").get("slos")
    for key, spec in (slos if isinstance(slos, dict) else {}).items():
        if isinstance(spec, dict):
            yield key, spec, ("objectives", "slos", key)


def threshold_alerts(doc: Document) -> Iterator[tuple[str, str, str, PathKey]]:
    """(indicator key, severity, alert name, path of what names it) for every threshold's alert."""
    for key, spec, path in indicators(doc):
        for sev, raw in (spec.get("thresholds") or {}).items():
            if isinstance(raw, dict) and raw.get("alert"):
                yield key, sev, str(raw["alert"]), (*path, "thresholds", sev, "alert")
            else:
                yield key, sev, conv.alert_name(key, sev), (*path, "thresholds", sev)


def free_alert_name(key: str, spec: dict[str, Any]) -> str:
    """A free-form alert is named by its key unless `alert:` names it."""
    return str(spec.get("alert") or key)


def kind(spec: dict[str, Any]) -> str:
    return next(k for k in INDICATOR_KINDS if k in spec)


def selectors(spec: dict[str, Any], path: PathKey) -> Iterator[tuple[str, PathKey, str]]:
    """(metric key, path of the metric reference, role) for every metric a structured indicator reads."""
    k = kind(spec)
    if k == "expr":
        return
    body = spec[k]
    refs: list[tuple[Any, PathKey, str]] = []
    if k == "ratio":
        for part in ("numerator", "denominator"):
            raw = body[part]
            items = raw if isinstance(raw, list) else [raw]
            for i, item in enumerate(items):
                refs.append((item, (*path, k, part, i) if isinstance(raw, list) else (*path, k, part), k))
    else:
        refs.append((body["metric"], (*path, k, "metric"), k))
    for item, p, role in refs:
        if isinstance(item, str):
            yield item, p, role
        else:
            yield item["metric"], (*p, "metric"), role


def full_metric_names(doc: Document) -> set[str]:
    prefix = section(doc, "service").get("metric_prefix", "")
    return {full_metric_name(prefix, k, m) for k, m in declared_metrics(doc).items()}


def log_sources(doc: Document) -> Iterator[tuple[str, dict[str, Any], PathKey]]:
    for key, spec in (section(doc, "logs").get("sources") or {}).items():
        if isinstance(spec, dict):
            yield key, spec, ("logs", "sources", key)


def ships_to(doc: Document, src: dict[str, Any], dest: str) -> bool:
    """Whether a log source ships to a destination: its `to`, else every destination configured."""
    to = src.get("to")
    return dest in to if isinstance(to, list) else dest in section(doc, "logs")


def log_counters(doc: Document) -> Iterator[tuple[str, dict[str, Any], PathKey]]:
    """(metric key, metric-like spec, path) of every counter declared under `logs.sources.*.count`.

    The spec has the shape of a `metrics` entry (type, name, labels) so checks treat both alike;
    the labels are those the agents put on the series: the counter's `by` fields, the source's
    stream labels, `source` and `filename`.
    """
    for _, src, path in log_sources(doc):
        stream = {*(src.get("labels") or ()), *(src.get("static_labels") or {}), "source", "filename"}
        for key, c in (src.get("count") or {}).items():
            c = c or {}
            like: dict[str, Any] = {"type": "counter", "labels": sorted(stream | set(c.get("by") or ()))}
            if c.get("name"):
                like["name"] = c["name"]
            yield key, like, (*path, "count", key)


def declared_metrics(doc: Document) -> dict[str, Any]:
    """`metrics` plus the counters read from logs; a key under `metrics` wins (names/duplicate reports it)."""
    out = {k: spec for k, spec, _ in log_counters(doc)}
    out.update(section(doc, "metrics"))
    return out
