"""Promtail configuration: one scrape config per log source, its pipeline, and the Loki client.

Reference: grafana/loki docs/sources/send-data/promtail/configuration.md and stages/*.md
(Promtail reached end of life in March 2026; this target serves installations that still run it).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import conventions as conv
from generator.model import Model
from generator.model.logs import Logs, TLSConfig
from generator.targets import Output
from generator.targets._log_pipeline import Stage, stages
from generator.targets._log_shipper import ShippedSource, config_file


@dataclass(frozen=True)
class PipelineSource(ShippedSource):
    """A source with the stages Promtail and Alloy run on its lines (they share the pipeline)."""

    stages: tuple[Stage, ...]


def pipeline_sources(service: str, logs: Logs) -> list[PipelineSource]:
    return [PipelineSource.of(service, s, stages=stages(s)) for s in logs.loki_sources()]


def tls_items(tls: TLSConfig) -> list[tuple[str, str | bool]]:
    """Promtail's and Alloy's tls_config keys; empty when TLS is off (the URL scheme decides)."""
    if not tls.enabled:
        return []
    items: list[tuple[str, str | bool]] = [
        (k, v)
        for k, v in (
            ("ca_file", tls.ca_file),
            ("cert_file", tls.cert_file),
            ("key_file", tls.key_file),
            ("server_name", tls.server_name),
        )
        if v
    ]
    if tls.insecure_skip_verify:
        items.append(("insecure_skip_verify", True))
    return items


def render(model: Model) -> list[Output]:
    logs = model.logs
    if logs is None or logs.loki is None:
        return []
    return config_file(
        model,
        conv.promtail_path(model.service.name),
        "promtail/promtail.yml.j2",
        pipeline_sources(model.service.name, logs),
        http_port=conv.PROMTAIL_HTTP_PORT,
        loki=logs.loki,
        tls=tls_items(logs.loki.tls),
    )
