"""Promtail configuration: one scrape config per log source, its pipeline, and the Loki client.

Reference: grafana/loki docs/sources/send-data/promtail/configuration.md and stages/*.md
(Promtail reached end of life in March 2026; this target serves installations that still run it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from generator import conventions as conv
from generator.model import Model
from generator.model.logs import TLSConfig
from generator.targets import Output
from generator.targets._log_pipeline import Stage, stages
from generator.targets._log_shipper import ShippedSource, config_file


@dataclass(frozen=True)
class PipelineSource(ShippedSource):
    """A source with the stages Promtail and Alloy run on its lines (they share the pipeline)."""

    stages: tuple[Stage, ...]


def _tls_items(tls: TLSConfig) -> list[tuple[str, str | bool]]:
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


def loki_agent_config(model: Model, path_of: Callable[[str], str], template: str, **context: object) -> list[Output]:
    """Promtail's or Alloy's config: both ship the Loki sources through the same stages to the same Loki."""
    logs = model.logs
    if logs is None or logs.loki is None:
        return []
    service = model.service.name
    return config_file(
        model,
        path_of(service),
        template,
        [PipelineSource.of(service, s, stages=stages(s)) for s in logs.loki_sources()],
        loki=logs.loki,
        tls=_tls_items(logs.loki.tls),
        **context,
    )


def render(model: Model) -> list[Output]:
    return loki_agent_config(model, conv.promtail_path, "promtail/promtail.yml.j2", http_port=conv.PROMTAIL_HTTP_PORT)
