"""Grafana Alloy configuration: the Promtail pipeline in Alloy syntax, Promtail's successor.

One local.file_match -> loki.source.file -> loki.process chain per source, all writing to one
loki.write. Reference: grafana/alloy docs/sources/reference/components/loki/loki.process.md,
loki.source.file.md, loki.write.md and local/local.file_match.md.
"""

from __future__ import annotations

from generator import conventions as conv
from generator.model import Model
from generator.targets import Output
from generator.targets._log_shipper import config_file
from generator.targets.promtail import pipeline_sources, tls_items


def render(model: Model) -> list[Output]:
    logs = model.logs
    if logs is None or logs.loki is None:
        return []
    return config_file(
        model,
        conv.alloy_path(model.service.name),
        "alloy/config.alloy.j2",
        pipeline_sources(model.service.name, logs),
        loki=logs.loki,
        tls=tls_items(logs.loki.tls),
    )
