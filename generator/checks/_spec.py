"""Read-only helpers the checks share to walk the validated spec with paths for positions."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

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
    return {full_metric_name(prefix, k, m) for k, m in section(doc, "metrics").items()}
