"""Log shipping: sources, what is kept, redacted and counted, and where the lines go.

One dialect-neutral description that the Filebeat, Promtail and Alloy targets each spell in their
own syntax, so one spec means the same thing in all three.
"""

from __future__ import annotations

from dataclasses import dataclass

from generator.model.metrics import Metric
from generator.model.service import Labels


@dataclass(frozen=True, slots=True)
class Field:
    """A value read from the line: `name` in the pipeline, `path` in the line (dotted for nested JSON)."""

    name: str
    path: str


@dataclass(frozen=True, slots=True)
class Condition:
    """A field matches when its whole value matches `regex` (RE2, anchored); `values` when given as a list."""

    field: Field
    values: tuple[str, ...] | None
    regex: str


@dataclass(frozen=True, slots=True)
class Timestamp:
    field: Field
    format: str  # Promtail/Alloy format: RFC3339, RFC3339Nano, Unix, UnixMs or a Go layout
    filebeat_layout: str  # Filebeat timestamp processor layout: a Go layout, UNIX or UNIX_MS


@dataclass(frozen=True, slots=True)
class Multiline:
    start: str
    max_lines: int
    timeout_ms: int


@dataclass(frozen=True, slots=True)
class Redaction:
    """Every match of `pattern` in the raw line becomes `replacement` (literal text)."""

    pattern: str
    replacement: str


@dataclass(frozen=True, slots=True)
class LogCounter:
    key: str
    metric: Metric
    # Promtail and Alloy both expose prefix + name; the prefix is set explicitly so both agree.
    prefix: str
    short_name: str
    by: tuple[Field, ...]
    where: tuple[Condition, ...]
    line: str | None
    line_not: str | None


@dataclass(frozen=True, slots=True)
class SavedQuery:
    name: str
    title: str
    logql: str | None  # None: a spec's own query that has only a KQL form
    kql: str | None


@dataclass(frozen=True, slots=True)
class LogSource:
    key: str
    title: str
    paths: tuple[str, ...]
    format: str
    fields: tuple[Field, ...]  # every field the pipeline reads, sorted by name
    timestamp: Timestamp | None
    multiline: Multiline | None
    labels: tuple[Field, ...]
    static_labels: Labels  # includes job and source, which monspec sets
    keep: tuple[Condition, ...]
    drop: tuple[Condition, ...]
    redactions: tuple[Redaction, ...]
    counters: tuple[LogCounter, ...]
    retention_ms: int | None
    queries: tuple[SavedQuery, ...]
    destinations: tuple[str, ...] = ()  # keys of the section: elasticsearch, logstash, kafka, loki

    def ships_to_loki(self) -> bool:
        return "loki" in self.destinations

    def ships_with_filebeat(self) -> bool:
        return any(d != "loki" for d in self.destinations)


@dataclass(frozen=True, slots=True)
class TLSConfig:
    enabled: bool
    ca_file: str | None
    cert_file: str | None
    key_file: str | None
    server_name: str | None
    insecure_skip_verify: bool


@dataclass(frozen=True, slots=True)
class Kibana:
    host: str
    index_pattern: str  # the data view the saved searches read
    time_field: str
    date_formats: tuple[tuple[str, str], ...]  # field -> Kibana (moment.js) date format


@dataclass(frozen=True, slots=True)
class Elasticsearch:
    hosts: tuple[str, ...]
    index: str
    username: str | None
    password_ref: str | None  # "${NAME}": Filebeat resolves it from its keystore or the environment
    api_key_ref: str | None
    tls: TLSConfig
    kibana: Kibana | None = None


@dataclass(frozen=True, slots=True)
class Logstash:
    hosts: tuple[str, ...]
    tls: TLSConfig


@dataclass(frozen=True, slots=True)
class Kafka:
    hosts: tuple[str, ...]
    topic: str
    username: str | None
    password_ref: str | None
    tls: TLSConfig


@dataclass(frozen=True, slots=True)
class Loki:
    url: str
    tenant: str | None
    username: str | None
    password_file: str | None
    bearer_token_file: str | None
    tls: TLSConfig
    agent: str  # "alloy" | "promtail": the one Prometheus scrapes
    agent_targets: tuple[str, ...]


FilebeatOutput = Elasticsearch | Logstash | Kafka


@dataclass(frozen=True, slots=True)
class Logs:
    sources: tuple[LogSource, ...]
    filebeat: FilebeatOutput | None
    loki: Loki | None
    scrape_job: str  # the Prometheus job that scrapes the agent's /metrics

    def counters(self) -> tuple[LogCounter, ...]:
        return tuple(c for s in self.sources for c in s.counters)

    def loki_sources(self) -> tuple[LogSource, ...]:
        return tuple(s for s in self.sources if s.ships_to_loki())

    def filebeat_sources(self) -> tuple[LogSource, ...]:
        return tuple(s for s in self.sources if s.ships_with_filebeat())
