"""logs/unknown-source: an alert's `logs` (or `defaults.logs`) names a log source that Loki receives.

The logs_url annotation opens that source's stream in Grafana Explore, so the source must exist
and ship to Loki; a source that only Filebeat ships has no stream to open.

Pass::

    defaults: {grafana_url: https://grafana.example.com, logs: app}
    logs:
      sources: {app: {paths: [/opt/filagent/logs/app.jsonl], format: json}}
      loki: {url: http://localhost:3100/loki/api/v1/push}

Fail (no source `ap`)::

    defaults: {logs: ap}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey
from generator.schema import did_you_mean

NAME = "logs/unknown-source"


def _references(doc: Document) -> Iterator[tuple[str, PathKey]]:
    if isinstance(_spec.section(doc, "defaults").get("logs"), str):
        yield _spec.section(doc, "defaults")["logs"], ("defaults", "logs")
    for _, spec, path in (*_spec.indicators(doc), *_spec.alerts(doc)):
        if isinstance(spec.get("logs"), str):
            yield spec["logs"], (*path, "logs")


def check(doc: Document) -> Iterator[Diagnostic]:
    refs = list(_references(doc))
    if not refs:
        return
    shipped = [k for k, src, _ in _spec.log_sources(doc) if _spec.ships_to(doc, src, "loki")]
    every = [k for k, _, _ in _spec.log_sources(doc)]
    for ref, path in refs:
        if ref in shipped:
            continue
        known = ref in every
        yield error(
            NAME,
            f"log source '{ref}' is not shipped to Loki" if known else f"unknown log source '{ref}'",
            doc.span(path),
            "add `loki` to its `to`, or link another source"
            if known
            else did_you_mean(ref, every) or "name a key of `logs.sources` that ships to Loki",
        )
