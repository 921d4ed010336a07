"""groups/unknown: `group:` names a group declared under `groups` (or the default, the service name).

Fail::

    groups: {security: {interval: 30s}}
    indicators:
      x: {gauge: {metric: q}, thresholds: {warning: 1}, group: securty}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document
from generator.schema import did_you_mean

NAME = "groups/unknown"


def check(doc: Document) -> Iterator[Diagnostic]:
    known = set(_spec.section(doc, "groups"))
    default = _spec.section(doc, "service").get("name")
    if isinstance(default, str):
        known.add(default)
    for _, spec, path in [*_spec.indicators(doc), *_spec.alerts(doc)]:
        group = spec.get("group")
        if isinstance(group, str) and group not in known:
            yield error(
                NAME,
                f"unknown rule group '{group}'",
                doc.span((*path, "group")),
                did_you_mean(group, sorted(known)) or "declare it under `groups`",
            )
