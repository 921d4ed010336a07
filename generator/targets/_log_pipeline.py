"""The processing pipeline of a log source for Promtail and Alloy, as dialect-neutral stages.

Both agents run the same stages in the same order; their templates only spell them. Order:
multiline, parse, timestamp, stream labels, keep/drop filters, counters, redaction. Counters see
the event before redaction (so they can count what is redacted); the shipped line is redacted.
Fields a filter or a counter needs as a label are added for that step and dropped after it, so
the stream labels are exactly the spec's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from generator import logql
from generator.model.logs import LogCounter, LogSource
from generator.targets._templates import go_template_literal

# Log counters are removed from /metrics after this long without an event (both agents default to 5m,
# which would reset a counter read over a 1h window every few quiet minutes).
COUNTER_MAX_IDLE = "24h"


@dataclass(frozen=True)
class Stage:
    kind: str  # multiline|json|logfmt|timestamp|labels|labeldrop|drop|match_drop|match|metrics|replace
    args: dict[str, object] = field(default_factory=dict)
    stages: tuple[Stage, ...] = ()


def _counter_stages(src: LogSource, c: LogCounter, stream: set[str]) -> list[Stage]:
    by = [f.name for f in c.by]
    need = list(dict.fromkeys(n for n in [*by, *(w.field.name for w in c.where)] if n not in stream))
    out = [Stage("labels", {"names": need})] if need else []
    where_only = [w.field.name for w in c.where if w.field.name not in by and w.field.name not in stream]
    inner = [Stage("labeldrop", {"names": where_only})] if where_only else []
    inner.append(
        Stage(
            "metrics",
            {
                "name": c.short_name,
                "prefix": c.prefix,
                "description": c.metric.help,
                "max_idle": COUNTER_MAX_IDLE,
            },
        )
    )
    if c.where or c.line is not None or c.line_not is not None:
        selector = logql.stream_selector(src, c.where) + logql.line_filters(c.line, c.line_not)
        out.append(Stage("match", {"selector": selector, "name": c.metric.name}, tuple(inner)))
    else:
        out.extend(inner)
    if need:
        out.append(Stage("labeldrop", {"names": need}))
    return out


def stages(src: LogSource) -> tuple[Stage, ...]:
    out: list[Stage] = []
    if src.multiline:
        m = src.multiline
        out.append(Stage("multiline", {"start": m.start, "max_lines": m.max_lines, "max_wait": f"{m.timeout_ms}ms"}))
    if src.format != "plain" and src.fields:
        out.append(Stage(src.format, {"fields": [(f.name, f.path) for f in src.fields]}))
    if src.timestamp:
        out.append(Stage("timestamp", {"source": src.timestamp.field.name, "format": src.timestamp.format}))
    stream = {f.name for f in src.labels}
    if src.labels:
        out.append(Stage("labels", {"names": [f.name for f in src.labels]}))
    for c in src.keep:
        temp = c.field.name not in stream
        if temp:
            out.append(Stage("labels", {"names": [c.field.name]}))
        out.append(
            Stage(
                "match_drop",
                {"selector": logql.stream_selector(src, (c,), negate=True), "reason": f"keep_{c.field.name}"},
            )
        )
        if temp:
            out.append(Stage("labeldrop", {"names": [c.field.name]}))
    for c in src.drop:
        out.append(
            Stage(
                "drop",
                {"source": c.field.name, "expression": logql.anchored(c.regex), "reason": f"drop_{c.field.name}"},
            )
        )
    for counter in src.counters:
        out.extend(_counter_stages(src, counter, stream))
    for r in src.redactions:
        out.append(Stage("replace", {"expression": f"({r.pattern})", "replace": go_template_literal(r.replacement)}))
    return tuple(out)
