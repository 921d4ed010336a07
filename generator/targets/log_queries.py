"""Saved log queries per source (LogQL, and KQL when Filebeat ships to Elasticsearch) and retention hints.

The alert catalog and dashboard log panels read them from the model; this file lets people paste
them into Grafana Explore or Kibana.
"""

from __future__ import annotations

from typing import Any

from generator import conventions as conv
from generator.logql import stream_selector
from generator.model import Model
from generator.model.logs import Elasticsearch
from generator.targets import Output
from generator.targets._log_shipper import retention_text


def render(model: Model) -> list[Output]:
    logs = model.logs
    if logs is None:
        return []
    es = isinstance(logs.filebeat, Elasticsearch)
    sources: dict[str, Any] = {}
    for src in logs.sources:
        entry: dict[str, Any] = {"title": src.title, "paths": list(src.paths), "shipped_to": list(src.destinations)}
        loki = src.ships_to_loki()
        kql = es and "elasticsearch" in src.destinations
        if loki:
            entry["loki_stream"] = stream_selector(src)
        if src.retention_ms:
            entry["retention"] = retention_text(src.retention_ms)
        if src.counters:
            entry["counters"] = [c.metric.name for c in src.counters]
        queries = []
        for q in src.queries:
            item: dict[str, Any] = {"name": q.name, "title": q.title}
            if loki and q.logql is not None:
                item["logql"] = q.logql
            if kql:
                item["kql"] = q.kql  # None: KQL has no regular expressions, or the field is not parsed
            queries.append(item)
        entry["queries"] = queries
        sources[src.key] = entry
    return [Output(conv.log_queries_path(model.service.name), "yaml", {"sources": sources}, model.source)]
