"""routing/unknown-reference: receivers, time intervals and severities named in `routing` exist.

Fail::

    routing:
      receivers: {ops: {email: {to: ops@example.com}}}
      routes: [{match: {severity: critical}, receiver: pager}]
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _routing, _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document
from generator.schema import did_you_mean

NAME = "routing/unknown-reference"


def check(doc: Document) -> Iterator[Diagnostic]:
    routing = _spec.section(doc, "routing")
    if not routing:
        return
    receivers = sorted(routing.get("receivers") or {})
    intervals = sorted(routing.get("time_intervals") or {})
    severities = sorted(_spec.section(doc, "severities"))

    def receiver(name: object, path: tuple[str | int, ...]) -> Iterator[Diagnostic]:
        if isinstance(name, str) and name not in receivers:
            yield error(
                NAME,
                f"unknown receiver '{name}'",
                doc.span(path),
                did_you_mean(name, receivers) or "declare it under `routing.receivers`",
            )

    yield from receiver(routing.get("receiver"), ("routing", "receiver"))
    for route, path in _routing.routes(doc):
        yield from receiver(route.get("receiver"), (*path, "receiver"))
        for key in ("mute", "active"):
            for i, name in enumerate(route.get(key) or ()):
                if name not in intervals:
                    yield error(
                        NAME,
                        f"unknown time interval '{name}'",
                        doc.span((*path, key, i)),
                        did_you_mean(name, intervals) or "declare it under `routing.time_intervals`",
                    )
    for i, tier in enumerate((routing.get("escalation") or {}).get("tiers") or ()):
        yield from receiver(tier.get("receiver"), ("routing", "escalation", "tiers", i, "receiver"))
    for name in routing.get("severities") or {}:
        if name not in severities:
            yield error(
                NAME,
                f"unknown severity '{name}'",
                doc.key_span(("routing", "severities", name)),
                did_you_mean(name, severities) or f"severities are {', '.join(severities)}",
            )
