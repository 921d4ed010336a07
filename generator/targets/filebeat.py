"""Filebeat 8 configuration: one filestream input per log source and the one output.

Reference: elastic/beats filebeat/filebeat.reference.yml (../shared/schemas/reference/filebeat) and
the Filebeat 8 docs for filestream parsers (multiline, ndjson) and the drop_event, replace,
decode_json_fields and timestamp processors. Filebeat cannot count log events into Prometheus
counters; the `count` of a source is Promtail's and Alloy's job.

Redaction must reach every field, but processors can only rewrite named fields. So a JSON source
with redaction is read as text, redacted on the raw `message`, and decoded afterwards by the
decode_json_fields processor; without redaction the ndjson parser decodes it. Filebeat has no
logfmt parser: logfmt lines ship as `message`, and keep/drop on their fields become regexp
conditions on the message.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from generator import conventions as conv
from generator import logql
from generator.model import Model
from generator.model.logs import Condition, Elasticsearch, FilebeatOutput, Kafka, LogSource, TLSConfig
from generator.targets import Output
from generator.targets._log_shipper import ShippedSource, config_file


def _condition(src: LogSource, c: Condition) -> list[dict[str, str]]:
    if src.format == "logfmt":
        key = logql.re2_escape(c.field.path)
        pattern = f'(?:^|\\s){key}="?(?:{c.regex})"?(?:\\s|$)'
        return [{"kind": "regexp", "field": "message", "value": pattern}]
    if c.values is not None:
        return [{"kind": "equals", "field": c.field.path, "value": v} for v in c.values]
    return [{"kind": "regexp", "field": c.field.path, "value": logql.anchored(c.regex)}]


def _processors(src: LogSource, decode: bool) -> list[dict[str, Any]]:
    out: list[dict[str, Any]] = [
        # Go's regexp expands $1 in replacements: a literal $ is written $$.
        {"kind": "replace", "pattern": r.pattern, "replacement": r.replacement.replace("$", "$$")}
        for r in src.redactions
    ]
    if decode:
        out.append({"kind": "decode_json"})
    if src.timestamp and src.format == "json":
        out.append({"kind": "timestamp", "field": src.timestamp.field.path, "layout": src.timestamp.filebeat_layout})
    for c in src.keep:  # every keep condition must hold: one drop_event per field
        out.append({"kind": "keep", "conditions": _condition(src, c)})
    if src.drop:
        out.append({"kind": "drop", "conditions": [x for c in src.drop for x in _condition(src, c)]})
    return out


@dataclass(frozen=True)
class FilebeatSource(ShippedSource):
    parsers: tuple[dict[str, Any], ...]
    processors: tuple[dict[str, Any], ...]


def _parsers(src: LogSource, decode: bool) -> list[dict[str, Any]]:
    parsers: list[dict[str, Any]] = []
    if src.multiline:
        m = src.multiline
        parsers.append(
            {"kind": "multiline", "start": m.start, "max_lines": m.max_lines, "timeout": f"{m.timeout_ms}ms"}
        )
    if src.format == "json" and not decode:
        parsers.append({"kind": "ndjson"})
    return parsers


def source_view(service: str, src: LogSource) -> FilebeatSource:
    decode = src.format == "json" and bool(src.redactions)
    return FilebeatSource.of(
        service, src, parsers=tuple(_parsers(src, decode)), processors=tuple(_processors(src, decode))
    )


def _ssl(tls: TLSConfig, explicit_flag: bool) -> list[tuple[str, Any]]:
    if not tls.enabled:
        return [("ssl.enabled", False)] if explicit_flag else []
    items: list[tuple[str, Any]] = [("ssl.enabled", True)]
    items.append(("ssl.verification_mode", "none" if tls.insecure_skip_verify else "full"))
    if tls.ca_file:
        items.append(("ssl.certificate_authorities", tls.ca_file))
    if tls.cert_file:
        items.append(("ssl.certificate", tls.cert_file))
    if tls.key_file:
        items.append(("ssl.key", tls.key_file))
    return items


def output_view(out: FilebeatOutput) -> dict[str, Any]:
    if isinstance(out, Elasticsearch):
        scheme = "https://" if out.tls.enabled else "http://"
        hosts = tuple(h if "://" in h else scheme + h for h in out.hosts)
        base = out.index.split("%{")[0].rstrip("-._") or "filebeat"
        auth = [
            (k, v)
            for k, v in (("username", out.username), ("password", out.password_ref), ("api_key", out.api_key_ref))
            if v
        ]
        return {
            "kind": "elasticsearch",
            "hosts": hosts,
            "index": out.index,
            "auth": auth,
            "ssl": _ssl(out.tls, False),
            "template_name": base,
            "template_pattern": f"{base}*" if "%{" in out.index else out.index,
            "kibana_host": out.kibana.host if out.kibana else None,
        }
    if isinstance(out, Kafka):
        auth = [(k, v) for k, v in (("username", out.username), ("password", out.password_ref)) if v]
        return {"kind": "kafka", "hosts": out.hosts, "topic": out.topic, "auth": auth, "ssl": _ssl(out.tls, True)}
    return {"kind": "logstash", "hosts": out.hosts, "auth": [], "ssl": _ssl(out.tls, True)}


def render(model: Model) -> list[Output]:
    logs = model.logs
    if logs is None or logs.filebeat is None:
        return []
    return config_file(
        model,
        conv.filebeat_path(model.service.name),
        "filebeat/filebeat.yml.j2",
        [source_view(model.service.name, s) for s in logs.filebeat_sources()],
        output=output_view(logs.filebeat),
    )
