"""severities/unknown: every severity an indicator or alert names is declared under `severities`.

Pass::

    severities: {critical: {}, warning: {}}
    indicators:
      x: {gauge: {metric: q}, thresholds: {warning: 10, critical: 50}}

Fail (`page` is not a severity)::

    indicators:
      x: {gauge: {metric: q}, thresholds: {page: 50}}
"""

from __future__ import annotations

from collections.abc import Iterator

from generator.checks import _spec
from generator.diagnostics import Diagnostic, error
from generator.load import Document, PathKey
from generator.schema import did_you_mean

NAME = "severities/unknown"


def _bad(doc: Document, name: str, known: list[str], span_path: PathKey, key: bool) -> Diagnostic:
    span = doc.key_span(span_path) if key else doc.span(span_path)
    hint = did_you_mean(name, known) or f"declared severities: {', '.join(known)}"
    return error(NAME, f"unknown severity '{name}'", span, hint)


def check(doc: Document) -> Iterator[Diagnostic]:
    known = list(_spec.section(doc, "severities"))
    for _, spec, path in _spec.indicators(doc):
        for sev in spec.get("thresholds", {}):
            if sev not in known:
                yield _bad(doc, sev, known, (*path, "thresholds", sev), key=True)
        absent = spec.get("absent")
        if isinstance(absent, dict) and absent.get("severity") and absent["severity"] not in known:
            yield _bad(doc, absent["severity"], known, (*path, "absent", "severity"), key=False)
    for _, spec, path in _spec.alerts(doc):
        if spec.get("severity") not in known:
            yield _bad(doc, str(spec.get("severity")), known, (*path, "severity"), key=False)
