"""Grafana Alloy configuration: the Promtail pipeline in Alloy syntax, Promtail's successor.

One local.file_match -> loki.source.file -> loki.process chain per source, all writing to one
loki.write. Reference: grafana/alloy docs/sources/reference/components/loki/loki.process.md,
loki.source.file.md, loki.write.md and local/local.file_match.md.
"""

from __future__ import annotations

from generator import conventions as conv
from generator.model import Model
from generator.targets import Output
from generator.targets._templates import render as render_template
from generator.targets.promtail import source_view, tls_items


def render(model: Model) -> list[Output]:
    logs = model.logs
    if logs is None or logs.loki is None:
        return []
    views = [(s.key, source_view(model.service.name, s)) for s in logs.loki_sources()]
    text = render_template(
        "alloy/config.alloy.j2",
        source=model.source,
        service=model.service.name,
        loki=logs.loki,
        tls=tls_items(logs.loki.tls),
        sources=[{"key": k, **v.__dict__} for k, v in views],
    )
    return [Output(conv.alloy_path(model.service.name), "text", text.rstrip("\n") + "\n", model.source)]
