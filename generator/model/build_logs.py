"""The `logs` section of a validated spec, mapped to the model with every default resolved.

Counters read from logs become ordinary `Metric`s here, so indicators, alerts and panels read them
like any metric the service exposes.
"""

from __future__ import annotations

import re
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

from generator import conventions as conv
from generator import logql
from generator.model.durations import parse_duration
from generator.model.logs import (
    Condition,
    Elasticsearch,
    Field,
    FilebeatOutput,
    Kafka,
    Kibana,
    LogCounter,
    Logs,
    LogSource,
    Logstash,
    Loki,
    Multiline,
    Redaction,
    SavedQuery,
    Timestamp,
    TLSConfig,
)
from generator.model.metrics import Metric
from generator.model.service import Service
from generator.vocabulary import full_metric_name

DEFAULT_REDACTION = "[REDACTED]"
DEFAULT_KIBANA_TIME_FIELD = "@timestamp"  # Filebeat sets it from the source's timestamp
DEFAULT_MULTILINE_MAX_LINES = 500
DEFAULT_MULTILINE_TIMEOUT = "5s"
# Filebeat's timestamp processor speaks Go layouts plus UNIX / UNIX_MS; Promtail and Alloy take
# the Go names. https://www.elastic.co/guide/en/beats/filebeat/current/processor-timestamp.html
FILEBEAT_LAYOUTS = {
    "RFC3339": "2006-01-02T15:04:05Z07:00",
    "RFC3339Nano": "2006-01-02T15:04:05.999999999Z07:00",
    "Unix": "UNIX",
    "UnixMs": "UNIX_MS",
}
LOCAL_HOSTS = frozenset({"localhost", "127.0.0.1", "::1"})


def host_of(address: str) -> str:
    """The host of `host:port`, `[v6]:port` or a URL."""
    if "://" in address:
        return urlsplit(address).hostname or ""
    if address.startswith("["):
        return address[1:].split("]", 1)[0]
    return address.rsplit(":", 1)[0] if address.count(":") == 1 else address


def all_local(addresses: tuple[str, ...]) -> bool:
    return all(host_of(a).lower() in LOCAL_HOSTS for a in addresses)


def field_path(raw: dict[str, Any], name: str) -> Field:
    return Field(name, str((raw.get("fields") or {}).get(name, name)))


def conditions(raw: dict[str, Any], spec: dict[str, Any] | None) -> tuple[Condition, ...]:
    out = []
    for name, cond in (spec or {}).items():
        if isinstance(cond, list):
            out.append(Condition(field_path(raw, name), tuple(cond), logql.values_regex(cond)))
        else:
            out.append(Condition(field_path(raw, name), None, str(cond["match"])))
    return tuple(out)


def redact_field_pattern(fmt: str, key: str) -> Redaction:
    """A field's string value in the raw line: JSON `"key": "..."`, logfmt `key=...`."""
    if fmt == "json":
        return Redaction(f'"{key}"\\s*:\\s*"(?:[^"\\\\]|\\\\.)*"', f'"{key}":"{DEFAULT_REDACTION}"')
    return Redaction(f'\\b{key}=(?:"(?:[^"\\\\]|\\\\.)*"|\\S*)', f"{key}={DEFAULT_REDACTION}")


def tls(spec: dict[str, Any] | None, addresses: tuple[str, ...]) -> TLSConfig:
    t = spec or {}
    return TLSConfig(
        bool(t.get("enabled", not all_local(addresses))),
        t.get("ca_file"),
        t.get("cert_file"),
        t.get("key_file"),
        t.get("server_name"),
        bool(t.get("insecure_skip_verify", False)),
    )


def counter(
    service: Service, raw: dict[str, Any], source_key: str, key: str, spec: dict[str, Any], labels: tuple[str, ...]
) -> LogCounter:
    name = str(spec.get("name") or full_metric_name(service.metric_prefix, key, {}))
    prefix, short = conv.log_counter_prefix(name, service.metric_prefix)
    by = tuple(field_path(raw, f) for f in spec.get("by") or ())
    metric_labels = tuple(sorted({*labels, *(f.name for f in by)}))
    help_text = str(spec.get("help") or f"Events of log source {source_key}, counted from the log")
    return LogCounter(
        key,
        Metric(key, name, "counter", help_text, metric_labels),
        prefix,
        short,
        by,
        conditions(raw, spec.get("where")),
        spec.get("line"),
        spec.get("line_not"),
    )


def spec_queries(source: LogSource, raw: dict[str, Any]) -> tuple[SavedQuery, ...]:
    """The spec's own saved queries, tied to the source: its stream in LogQL, its field in KQL."""
    narrow = logql.kql(source)
    return tuple(
        SavedQuery(
            f"{source.key}_{key}",
            f"{source.title}: {q['title']}",
            logql.on_stream(source, q["logql"]) if q.get("logql") else None,
            f"{narrow} and ({q['kql']})" if q.get("kql") else None,
        )
        for key, q in raw.items()
    )


def queries(source: LogSource) -> tuple[SavedQuery, ...]:
    out = [SavedQuery(source.key, f"{source.title}: all shipped events", logql.log_query(source), logql.kql(source))]
    for cond in source.keep:
        for value in cond.values or ():
            one = Condition(cond.field, (value,), logql.re2_escape(value))
            out.append(
                SavedQuery(
                    f"{source.key}_{cond.field.name}_{conv.camel(value).lower() or 'empty'}",
                    f"{source.title}: {cond.field.name} = {value}",
                    logql.log_query(source, (one,)),
                    logql.kql(source, (one,)),
                )
            )
    for c in source.counters:
        out.append(
            SavedQuery(
                c.metric.name,
                f"{source.title}: events counted by {c.metric.name}",
                logql.log_query(source, c.where, c.line, c.line_not),
                logql.kql(source, c.where, c.line or c.line_not),
            )
        )
    return tuple(out)


DESTINATIONS = ("elasticsearch", "logstash", "kafka", "loki")


def source(service: Service, key: str, raw: dict[str, Any], configured: tuple[str, ...]) -> LogSource:
    fmt = raw["format"]
    ts = raw.get("timestamp")
    timestamp = None
    if ts:
        form = str(ts.get("format", "RFC3339"))
        timestamp = Timestamp(field_path(raw, ts["field"]), form, FILEBEAT_LAYOUTS.get(form, form))
    ml = raw.get("multiline")
    multiline = (
        Multiline(
            ml["start"],
            int(ml.get("max_lines", DEFAULT_MULTILINE_MAX_LINES)),
            parse_duration(ml.get("timeout", DEFAULT_MULTILINE_TIMEOUT)),
        )
        if ml
        else None
    )
    labels = tuple(field_path(raw, f) for f in raw.get("labels") or ())
    static = dict(raw.get("static_labels") or {})
    static.update({conv.LOG_JOB_LABEL: service.job, conv.LOG_SOURCE_LABEL: key})
    keep, drop = conditions(raw, raw.get("keep")), conditions(raw, raw.get("drop"))
    redactions = tuple(
        Redaction(r["pattern"], r.get("replacement", DEFAULT_REDACTION)) for r in raw.get("redact") or ()
    )
    redactions += tuple(redact_field_pattern(fmt, f) for f in raw.get("redact_fields") or ())
    # A counter's series carry every stream label (Promtail and Alloy count with the entry's labels).
    stream = (*(f.name for f in labels), *(k for k in static if k != conv.LOG_JOB_LABEL), conv.LOG_FILENAME_LABEL)
    counters = tuple(counter(service, raw, key, k, c or {}, stream) for k, c in (raw.get("count") or {}).items())
    used = [
        *(field_path(raw, f) for f in raw.get("fields") or {}),  # declared fields are always extracted
        *labels,
        *(c.field for c in keep + drop),
        *(f for c in counters for f in c.by),
        *(w.field for c in counters for w in c.where),
    ]
    if timestamp:
        used.append(timestamp.field)
    fields = tuple(sorted({f.name: f for f in used}.values(), key=lambda f: f.name))
    built = LogSource(
        key,
        str(raw.get("title") or key),
        tuple(raw["paths"]),
        fmt,
        fields,
        timestamp,
        multiline,
        labels,
        tuple(sorted(static.items())),
        keep,
        drop,
        redactions,
        counters,
        parse_duration(raw["retention"]) if raw.get("retention") else None,
        (),
        tuple(d for d in DESTINATIONS if d in (raw.get("to") or configured)),
    )
    return replace(built, queries=queries(built) + spec_queries(built, raw.get("queries") or {}))


def secret_ref(spec: dict[str, Any], key: str) -> str | None:
    value = spec.get(key)
    return str(value) if value else None


def kibana(es: dict[str, Any]) -> Kibana | None:
    k = es.get("kibana")
    if not k:
        return None
    return Kibana(
        k["host"],
        k.get("index_pattern") or re.sub(r"%\{[^}]*\}", "*", es["index"]),
        k.get("time_field", DEFAULT_KIBANA_TIME_FIELD),
        tuple(sorted((k.get("date_formats") or {}).items())),
    )


def filebeat_output(d: dict[str, Any]) -> FilebeatOutput | None:
    if "elasticsearch" in d:
        es = d["elasticsearch"]
        hosts = tuple(es["hosts"])
        return Elasticsearch(
            hosts,
            es["index"],
            es.get("username"),
            secret_ref(es, "password"),
            secret_ref(es, "api_key"),
            tls(es.get("tls"), hosts),
            kibana(es),
        )
    if "logstash" in d:
        ls = d["logstash"]
        return Logstash(tuple(ls["hosts"]), tls(ls.get("tls"), tuple(ls["hosts"])))
    if "kafka" in d:
        k = d["kafka"]
        hosts = tuple(k["hosts"])
        return Kafka(hosts, k["topic"], k.get("username"), secret_ref(k, "password"), tls(k.get("tls"), hosts))
    return None


def loki(d: dict[str, Any]) -> Loki | None:
    spec = d.get("loki")
    if not spec:
        return None
    agent = spec.get("agent", "alloy")
    port = conv.ALLOY_HTTP_PORT if agent == "alloy" else conv.PROMTAIL_HTTP_PORT
    return Loki(
        spec["url"],
        spec.get("tenant"),
        spec.get("username"),
        spec.get("password_file"),
        spec.get("bearer_token_file"),
        tls(spec.get("tls"), (spec["url"],)),
        agent,
        tuple(spec.get("agent_targets") or [f"localhost:{port}"]),
    )


def build_logs(raw: dict[str, Any] | None, service: Service) -> Logs | None:
    if not raw:
        return None
    return Logs(
        tuple(source(service, k, s, tuple(d for d in DESTINATIONS if d in raw)) for k, s in raw["sources"].items()),
        filebeat_output(raw),
        loki(raw),
        conv.log_agent_job(service.name),
    )
