"""Grafana Alloy configuration: the Promtail pipeline in Alloy syntax, Promtail's successor.

One local.file_match -> loki.source.file -> loki.process chain per source, all writing to one
loki.write. Reference: grafana/alloy docs/sources/reference/components/loki/loki.process.md,
loki.source.file.md, loki.write.md and local/local.file_match.md.
"""

from __future__ import annotations

from generator import conventions as conv
from generator.model import Model
from generator.targets import Output
from generator.targets.promtail import loki_agent_config


def render(model: Model) -> list[Output]:
    return loki_agent_config(model, conv.alloy_path, "alloy/config.alloy.j2")
