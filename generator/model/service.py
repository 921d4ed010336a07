"""The service, its severities, rule groups and the Prometheus server that watches it."""

from __future__ import annotations

from dataclasses import dataclass

Labels = tuple[tuple[str, str], ...]


@dataclass(frozen=True, slots=True)
class Severity:
    name: str
    rank: int  # 0 is the most severe
    priority: str
    default_for_ms: int | None
    description: str


@dataclass(frozen=True, slots=True)
class Authorization:
    type: str
    credentials_file: str


@dataclass(frozen=True, slots=True)
class TLS:
    ca_file: str | None
    cert_file: str | None
    key_file: str | None
    server_name: str | None
    insecure_skip_verify: bool


@dataclass(frozen=True, slots=True)
class Scrape:
    targets: tuple[str, ...]
    metrics_path: str
    scheme: str
    interval_ms: int
    timeout_ms: int
    authorization: Authorization | None
    tls: TLS | None


@dataclass(frozen=True, slots=True)
class Service:
    name: str
    title: str
    job: str
    metric_prefix: str
    labels: Labels
    scrape: Scrape


@dataclass(frozen=True, slots=True)
class PrometheusServer:
    scrape_interval_ms: int
    evaluation_interval_ms: int
    external_labels: Labels
    alertmanagers: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class RuleGroup:
    name: str
    interval_ms: int
