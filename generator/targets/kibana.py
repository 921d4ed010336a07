"""Kibana: the index pattern (data view) of the service's Elasticsearch index and a saved search per KQL query.

One NDJSON file for Kibana's saved-objects import (`POST /api/saved_objects/_import?overwrite=true`,
or Stack Management > Saved objects > Import). Ids are derived from names, so importing it again
replaces the objects instead of adding copies. NDJSON has no comments, so the file carries no
generated-by header; the catalog and Filebeat's config say where it comes from.
"""

from __future__ import annotations

import json
from typing import Any

from generator import conventions as conv
from generator.model import Model
from generator.model.logs import Elasticsearch, Kibana, LogSource
from generator.targets import Output

SEARCH_INDEX_REF = "kibanaSavedObjectMeta.searchSourceJSON.index"


def _compact(value: Any) -> str:
    return json.dumps(value, separators=(",", ":"), sort_keys=True, ensure_ascii=False)


def index_pattern(service: str, kibana: Kibana) -> dict[str, Any]:
    formats = {f: {"id": "date", "params": {"pattern": p}} for f, p in kibana.date_formats}
    attributes: dict[str, Any] = {"title": kibana.index_pattern, "timeFieldName": kibana.time_field}
    if formats:
        attributes["fieldFormatMap"] = _compact(formats)
    return {
        "type": "index-pattern",
        "id": conv.kibana_object_id(service, "index-pattern", kibana.index_pattern),
        "attributes": attributes,
        "references": [],
    }


def saved_searches(service: str, kibana: Kibana, source: LogSource) -> list[dict[str, Any]]:
    pattern_id = conv.kibana_object_id(service, "index-pattern", kibana.index_pattern)
    out = []
    for q in source.queries:
        if q.kql is None:
            continue
        search = {"query": {"query": q.kql, "language": "kuery"}, "filter": [], "indexRefName": SEARCH_INDEX_REF}
        out.append(
            {
                "type": "search",
                "id": conv.kibana_object_id(service, "search", q.name),
                "attributes": {
                    "title": q.title,
                    "description": f"Saved by monspec from the spec of {service} (log source {source.key}).",
                    "columns": ["_source"],
                    "sort": [[kibana.time_field, "desc"]],
                    "kibanaSavedObjectMeta": {"searchSourceJSON": _compact(search)},
                },
                "references": [{"name": SEARCH_INDEX_REF, "type": "index-pattern", "id": pattern_id}],
            }
        )
    return out


def render(model: Model) -> list[Output]:
    logs = model.logs
    if logs is None or not isinstance(logs.filebeat, Elasticsearch) or logs.filebeat.kibana is None:
        return []
    kibana = logs.filebeat.kibana
    name = model.service.name
    objects = [index_pattern(name, kibana)]
    for src in logs.sources:
        if "elasticsearch" in src.destinations:
            objects += saved_searches(name, kibana, src)
    text = "".join(_compact(o) + "\n" for o in objects)
    return [Output(conv.kibana_saved_objects_path(name), "text", text, model.source)]
