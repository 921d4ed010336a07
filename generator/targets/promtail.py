"""Promtail configuration: one scrape config per log source, its pipeline, and the Loki client.

Reference: grafana/loki docs/sources/send-data/promtail/configuration.md and stages/*.md
(Promtail reached end of life in March 2026; this target serves installations that still run it).
"""

from __future__ import annotations

from dataclasses import dataclass

from generator import conventions as conv
from generator.model import Model
from generator.model.durations import format_duration
from generator.model.logs import LogSource, TLSConfig
from generator.targets import Output
from generator.targets._log_pipeline import Stage, stages
from generator.targets._templates import render as render_template


@dataclass(frozen=True)
class SourceView:
    title: str
    job_name: str
    paths: tuple[str, ...]
    labels: tuple[tuple[str, str], ...]
    stages: tuple[Stage, ...]
    retention: str | None


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


def retention_text(ms: int | None) -> str | None:
    """Retention in days when it is whole days (180d reads better than 25w5d)."""
    if ms is None:
        return None
    day = 86_400_000
    return f"{ms // day}d" if ms % day == 0 else format_duration(ms)


def source_view(service: str, src: LogSource) -> SourceView:
    return SourceView(
        src.title,
        f"{service}-{src.key}",
        src.paths,
        src.static_labels,
        stages(src),
        retention_text(src.retention_ms),
    )


def render(model: Model) -> list[Output]:
    logs = model.logs
    if logs is None or logs.loki is None:
        return []
    text = render_template(
        "promtail/promtail.yml.j2",
        source=model.source,
        service=model.service.name,
        http_port=conv.PROMTAIL_HTTP_PORT,
        loki=logs.loki,
        tls=tls_items(logs.loki.tls),
        sources=[source_view(model.service.name, s) for s in logs.loki_sources()],
    )
    return [Output(conv.promtail_path(model.service.name), "text", text.rstrip("\n") + "\n", model.source)]
